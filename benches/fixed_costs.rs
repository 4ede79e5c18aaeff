//! The per-delivery and per-step fixed costs of GCAL at cortex_density 48
//! (issue 14, session 9 "d48"): each switch of this stream (the engine
//! before against after, the same bits) A/B in one process.
//!
//! The network steps on worker 0 of a pool built with
//! `use_current_thread`, as `topo-hpc run` steps it. Per thread count the
//! variants alternate in blocks over **the same iterations**
//! (`state_push` / `state_pop` around each block; the order rotates each
//! round), and the best and the median block of each are printed, wall
//! and CPU (all threads of the process) per iteration.
//!
//! Environment: `TOPO_BENCH_DENSITIES=48` (default 48),
//! `TOPO_BENCH_THREADS=1,2` (default 1 and 2), `TOPO_D48_ROUNDS` (default
//! 7), `TOPO_D48_ITERATIONS` (per block, default 20).
//! Run: `cargo bench --bench fixed_costs`.

mod common;

use std::time::Instant;
use topo_sim::exchange::LocalExchange;
use topo_sim::Network;
use topo_spec::Time;

/// A variant: its name and how to switch the engine to it.
struct Variant {
    name: &'static str,
    set: fn(),
}

/// The engine before this stream's changes (every switch to its old path).
fn all_old() {
    topo_sim::push_choice::set_bound_off(true);
}

/// The default engine.
fn all_new() {
    topo_sim::push_choice::set_bound_off(false);
}

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// Wall and CPU seconds per iteration of `n` iterations, the state
/// restored after.
fn block(net: &mut Network, ex: &mut LocalExchange, n: i64) -> (f64, f64) {
    net.state_push();
    let (t0, c0) = (Instant::now(), common::process_cpu_seconds());
    net.run(Time::from_int(n), ex)
        .unwrap_or_else(|e| panic!("run: {e}"));
    let w = t0.elapsed().as_secs_f64();
    let c = common::process_cpu_seconds() - c0;
    net.state_pop().unwrap_or_else(|e| panic!("state_pop: {e}"));
    (w / n as f64, c / n as f64)
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn measure(density: u32, threads: usize) {
    let _pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .use_current_thread()
        .build()
        .expect("pool with the current thread");
    let rounds = env_or("TOPO_D48_ROUNDS", 7);
    let n = env_or("TOPO_D48_ITERATIONS", 20) as i64;
    let variants = [
        Variant {
            name: "before (all switches old)",
            set: all_old,
        },
        Variant {
            name: "after (default engine)",
            set: all_new,
        },
    ];
    let spec = common::gcal_spec(density);
    let (mut net, mut ex) = common::build(&spec);
    net.run(Time::from_int(3), &mut ex)
        .unwrap_or_else(|e| panic!("run: {e}"));
    let mut walls = vec![Vec::new(); variants.len()];
    let mut cpus = vec![Vec::new(); variants.len()];
    for round in 0..rounds {
        for k in 0..variants.len() {
            let v = (k + round) % variants.len();
            (variants[v].set)();
            let (w, c) = block(&mut net, &mut ex, n);
            walls[v].push(w);
            cpus[v].push(c);
        }
    }
    all_new();
    for (v, var) in variants.iter().enumerate() {
        let (bw, bc) = (
            walls[v].iter().copied().fold(f64::INFINITY, f64::min),
            cpus[v].iter().copied().fold(f64::INFINITY, f64::min),
        );
        let (mw, mc) = (median(&mut walls[v]), median(&mut cpus[v]));
        eprintln!(
            "fixed_costs cortex_density={density} threads={threads} {:<28} ms/iteration: \
             wall best {:.3} median {:.3}; CPU best {:.3} median {:.3} ({rounds} blocks of {n})",
            var.name,
            bw * 1e3,
            mw * 1e3,
            bc * 1e3,
            mc * 1e3
        );
    }
}

fn main() {
    let densities: Vec<u32> = std::env::var("TOPO_BENCH_DENSITIES")
        .ok()
        .map(|s| s.split(',').filter_map(|t| t.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![48]);
    eprintln!(
        "fixed_costs: {}; load {}",
        common::cpu_model(),
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );
    for density in densities {
        for threads in common::thread_counts() {
            std::thread::spawn(move || measure(density, threads))
                .join()
                .expect("measuring thread");
        }
    }
    eprintln!(
        "fixed_costs: load at the end {}",
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );
}
