//! The fixed cost per parallel loop at cortex_density 48 (issue 14,
//! session 8 "wake"): GCAL iterations (examples/gcal_class.ty) stepped
//!
//! - `handed`: from a thread outside the rayon pool, as `topo-hpc run`'s
//!   main thread was before `topo_par::configure_threads` made it one of
//!   the pool's threads: every parallel loop is handed to a worker and the
//!   caller sleeps until the loop ends;
//! - `in pool`: from worker 0 of a pool built with `use_current_thread`,
//!   as `configure_threads` now builds it (the caller runs its loops and
//!   the other workers steal from it);
//! - `in pool + awake`: the same with `Network::set_keep_awake(true)`
//!   (the other workers poll for work during `run` instead of sleeping).
//!
//! The three alternate, in blocks of the same network's continuing
//! training (weights keep learning, as in a real run): per block the wall
//! and CPU time (all threads of the process) per iteration and the
//! voluntary context switches; the best and the median block of each are
//! printed, then each mode's time per phase (`common::phase_times`) of
//! one more block. Results are bit-identical in every mode (tests
//! `caller_in_pool`, `keep_awake`); only the time differs.
//!
//! Environment: `TOPO_BENCH_DENSITIES=48` (one density, default 48),
//! `TOPO_BENCH_THREADS=1,2` (default 1 and 2; each count runs in its own
//! process, since rayon's global pool is sized once), `TOPO_WAKE_BLOCKS`
//! (default 6) and `TOPO_WAKE_ITERATIONS` (per block, default 40).
//! Run: `cargo bench --bench wake`.

mod common;

use std::sync::mpsc;
use std::time::Instant;
use topo_sim::exchange::LocalExchange;
use topo_sim::Network;
use topo_spec::Time;

/// How a block is stepped.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    Handed,
    InPool,
    InPoolAwake,
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::Handed => "handed",
            Mode::InPool => "in pool",
            Mode::InPoolAwake => "in pool + awake",
        }
    }
}

/// Voluntary context switches of all threads of this process so far.
fn voluntary_switches() -> u64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0;
    };
    tasks
        .filter_map(Result::ok)
        .filter_map(|t| std::fs::read_to_string(t.path().join("status")).ok())
        .filter_map(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("voluntary_ctxt_switches:"))
                .and_then(|v| v.trim().parse::<u64>().ok())
        })
        .sum()
}

/// One block's figures per iteration: wall ms, CPU ms, voluntary switches.
type Block = (f64, f64, f64);

fn block(net: &mut Network, ex: &mut LocalExchange, iterations: i64) -> Block {
    let (s0, c0, t0) = (
        voluntary_switches(),
        common::process_cpu_seconds(),
        Instant::now(),
    );
    net.run(Time::from_int(iterations), ex)
        .unwrap_or_else(|e| panic!("run: {e}"));
    let wall = t0.elapsed().as_secs_f64();
    let cpu = common::process_cpu_seconds() - c0;
    let sw = voluntary_switches() - s0;
    let n = iterations as f64;
    (1e3 * wall / n, 1e3 * cpu / n, sw as f64 / n)
}

/// What the worker thread is asked to do with the network.
enum Job {
    Block(Box<(Network, LocalExchange)>, bool, i64),
    Phases(Box<(Network, LocalExchange)>, bool, i64),
}

/// What it sends back.
type Done = (
    Box<(Network, LocalExchange)>,
    Option<Block>,
    Vec<(String, f64, usize)>,
);

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn one_thread_count(density: u32, threads: usize) {
    let blocks: usize = std::env::var("TOPO_WAKE_BLOCKS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(6);
    let iterations: i64 = std::env::var("TOPO_WAKE_ITERATIONS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(40);
    // The global pool serves `handed` (this thread is outside it).
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global()
        .expect("global pool");
    // The other modes run on a thread that is worker 0 of its own pool.
    let (to_worker, jobs) = mpsc::channel::<Job>();
    let (to_main, done) = mpsc::channel::<Done>();
    let worker = std::thread::spawn(move || {
        let _pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .use_current_thread()
            .build()
            .expect("pool with the current thread");
        assert_eq!(rayon::current_thread_index(), Some(0));
        for job in jobs {
            let out = match job {
                Job::Block(mut ne, awake, n) => {
                    let (net, ex) = &mut *ne;
                    net.set_keep_awake(awake);
                    let b = block(net, ex, n);
                    net.set_keep_awake(false);
                    (ne, Some(b), Vec::new())
                }
                Job::Phases(mut ne, awake, n) => {
                    let (net, ex) = &mut *ne;
                    net.set_keep_awake(awake);
                    let p = common::phase_times(net, ex, n as u32);
                    net.set_keep_awake(false);
                    (ne, None, p)
                }
            };
            to_main.send(out).expect("main thread");
        }
    });
    let spec = common::gcal_spec(density);
    let (mut net, mut ex) = common::build(&spec);
    net.run(Time::from_int(2), &mut ex)
        .unwrap_or_else(|e| panic!("warm-up: {e}"));
    let mut ne = Box::new((net, ex));
    let modes = [Mode::Handed, Mode::InPool, Mode::InPoolAwake];
    let mut got: Vec<Vec<Block>> = vec![Vec::new(); modes.len()];
    for b in 0..blocks {
        for k in 0..modes.len() {
            // Rotate the order so no mode always follows the same one.
            let m = (k + b) % modes.len();
            let mode = modes[m];
            match mode {
                Mode::Handed => {
                    let (net, ex) = &mut *ne;
                    got[m].push(block(net, ex, iterations));
                }
                _ => {
                    to_worker
                        .send(Job::Block(ne, mode == Mode::InPoolAwake, iterations))
                        .expect("worker");
                    let (back, b, _) = done.recv().expect("worker");
                    ne = back;
                    got[m].push(b.expect("a block"));
                }
            }
        }
    }
    println!(
        "\ncortex_density {density}, {threads} thread(s): {blocks} blocks of {iterations} iterations per mode, alternated"
    );
    println!(
        "| mode | wall ms/it best | median | CPU ms/it best | median | voluntary switches/it |"
    );
    println!("|---|---|---|---|---|---|");
    for (m, mode) in modes.iter().enumerate() {
        let mut wall: Vec<f64> = got[m].iter().map(|b| b.0).collect();
        let mut cpu: Vec<f64> = got[m].iter().map(|b| b.1).collect();
        let mut sw: Vec<f64> = got[m].iter().map(|b| b.2).collect();
        let wbest = wall.iter().copied().fold(f64::INFINITY, f64::min);
        let cbest = cpu.iter().copied().fold(f64::INFINITY, f64::min);
        println!(
            "| {} | {wbest:.3} | {:.3} | {cbest:.3} | {:.3} | {:.0} |",
            mode.name(),
            median(&mut wall),
            median(&mut cpu),
            median(&mut sw)
        );
    }
    for mode in modes {
        let phases = match mode {
            Mode::Handed => {
                let (net, ex) = &mut *ne;
                common::phase_times(net, ex, iterations as u32)
            }
            _ => {
                to_worker
                    .send(Job::Phases(ne, mode == Mode::InPoolAwake, iterations))
                    .expect("worker");
                let (back, _, p) = done.recv().expect("worker");
                ne = back;
                p
            }
        };
        println!(
            "\n{} — phases (ms per iteration, events per iteration, µs per event):",
            mode.name()
        );
        for (name, t, count) in phases.iter().take(12) {
            let per = if *count > 0 {
                format!("{:.1}", 1e6 * t / *count as f64)
            } else {
                "-".into()
            };
            println!("  {name:<45} {:.4} ms  x{count:<3} {per} µs", 1e3 * t);
        }
    }
    drop(to_worker);
    worker.join().expect("worker thread");
}

fn main() {
    let density: u32 = std::env::var("TOPO_BENCH_DENSITIES")
        .ok()
        .and_then(|s| s.split(',').next()?.trim().parse().ok())
        .unwrap_or(48);
    match std::env::var("TOPO_WAKE_ONE")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        Some(threads) => one_thread_count(density, threads),
        None => {
            println!("wake: load average {}", common_load());
            for threads in common::thread_counts() {
                let status = std::process::Command::new(std::env::current_exe().expect("exe"))
                    .env("TOPO_WAKE_ONE", threads.to_string())
                    .status()
                    .expect("the bench for one thread count");
                assert!(status.success(), "{threads} threads: {status}");
            }
            println!("wake: load average {}", common_load());
        }
    }
}

/// The 1-minute load average (the machine is shared: say the load).
fn common_load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}
