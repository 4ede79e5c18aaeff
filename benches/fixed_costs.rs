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
//! 7), `TOPO_D48_ITERATIONS` (per block, default 20), `TOPO_D48_VARIANTS`
//! (only the variants whose names contain one of these comma-separated
//! words; default all).
//! Run: `cargo bench --bench fixed_costs`.

mod common;

use std::time::Instant;
use topo_sim::exchange::LocalExchange;
use topo_sim::Network;
use topo_spec::Time;

/// A variant: its name and how to switch the engine to it.
struct Variant {
    name: &'static str,
    set: fn(&mut Network),
}

/// The engine before this stream's changes (every switch to its old path).
fn all_old(net: &mut Network) {
    topo_sim::push_choice::set_bound_off(true);
    topo_sim::projection::set_group_op_per_element(true);
    topo_sim::push::set_lane_combine_off(true);
    topo_sim::push::set_scan_avx512_off(true);
    net.set_keep_awake(false);
}

/// The default engine.
fn all_new(net: &mut Network) {
    topo_sim::push_choice::set_bound_off(false);
    topo_sim::projection::set_group_op_per_element(false);
    topo_sim::push::set_lane_combine_off(false);
    topo_sim::push::set_combine_avx512_off(false);
    topo_sim::push::set_scan_avx512_off(false);
    net.set_keep_awake(false);
}

/// The default engine but the push's lanes combined by the loop before
/// (issue 14 session 10, "combine").
fn new_reference_combine(net: &mut Network) {
    all_new(net);
    topo_sim::push::set_lane_combine_off(true);
}

/// The default engine but the push's input scanned by the reference
/// loop, not AVX-512F (issue 14 session 10, "combine").
fn new_reference_scan(net: &mut Network) {
    all_new(net);
    topo_sim::push::set_scan_avx512_off(true);
}

/// The default engine but the push's lanes combined by the scalar
/// table-driven loop, not AVX-512F.
fn new_table_combine(net: &mut Network) {
    all_new(net);
    topo_sim::push::set_combine_avx512_off(true);
}

/// The default engine but the priority groups combined per element.
fn new_per_element(net: &mut Network) {
    all_new(net);
    topo_sim::projection::set_group_op_per_element(true);
}

/// The default engine with the other workers kept awake during `run`
/// (`Network::set_keep_awake`, off by default; session 8 "wake"): what
/// the second core adds when it need not be woken for each loop.
fn new_awake(net: &mut Network) {
    all_new(net);
    net.set_keep_awake(true);
}

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// CPU seconds of the calling thread so far.
fn thread_cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(f64::NAN, |ns| ns * 1e-9)
}

/// Wall, CPU (all threads) and the stepping thread's CPU seconds per
/// iteration of `n` iterations, the state restored after.
fn block(net: &mut Network, ex: &mut LocalExchange, n: i64) -> [f64; 3] {
    net.state_push();
    let (t0, c0, m0) = (
        Instant::now(),
        common::process_cpu_seconds(),
        thread_cpu_seconds(),
    );
    net.run(Time::from_int(n), ex)
        .unwrap_or_else(|e| panic!("run: {e}"));
    let w = t0.elapsed().as_secs_f64();
    let c = common::process_cpu_seconds() - c0;
    let m = thread_cpu_seconds() - m0;
    net.state_pop().unwrap_or_else(|e| panic!("state_pop: {e}"));
    [w / n as f64, c / n as f64, m / n as f64]
}

/// The push/pull decision alone on each own-weight projection's current
/// input: the exact count (`should_push`) against the bound first
/// (`should_push_bounded`), microseconds per call, min of 9 batches of 200
/// calls each, alternated.
fn print_choice(net: &Network, density: u32) {
    use topo_sim::push::{PushLayout, PushScratch};
    use topo_sim::push_choice::{self, SourceBound};
    for (dest, name) in net.projection_names() {
        let p = net.projection(&dest, &name).expect("projection");
        let Some(layout) = (p.cfs.shared.is_none())
            .then(|| PushLayout::build(&p.cfs))
            .flatten()
        else {
            continue;
        };
        let bound = SourceBound::of(&layout, p.cfs.needed.len());
        let mut sc = PushScratch::default();
        let mut best = [f64::INFINITY; 2];
        let mut answers = [false; 2];
        for round in 0..18 {
            let v = round % 2;
            let t0 = Instant::now();
            for _ in 0..200 {
                answers[v] = std::hint::black_box(if v == 0 {
                    push_choice::should_push(&p.input, &p.cfs, Some(&layout), &mut sc)
                } else {
                    push_choice::should_push_bounded(
                        &p.input,
                        &p.cfs,
                        Some(&layout),
                        Some(&bound),
                        &mut sc,
                    )
                });
            }
            best[v] = best[v].min(t0.elapsed().as_secs_f64() / 200.0);
        }
        assert_eq!(answers[0], answers[1], "{dest}.{name}");
        let nonzero = p.input.iter().filter(|&&x| x != 0.0).count();
        eprintln!(
            "fixed_costs cortex_density={density} choice {dest}.{name} ({nonzero} of {} inputs \
             non-zero, push {}): exact count {:.2} us, bound first {:.2} us (decided by the bound: {})",
            p.input.len(),
            answers[0],
            best[0] * 1e6,
            best[1] * 1e6,
            push_choice::push_surely_pays(&p.cfs, &bound, nonzero)
        );
        print_scan(&p.input, &format!("{dest}.{name}"), density);
    }
}

/// The push's scan of `input` alone (`PushScratch::scan`), the reference
/// loop against AVX-512F (the default where the CPU has it; issue 14
/// session 10, "combine"): microseconds per call, min of 9 batches of 200
/// calls each, alternated.
fn print_scan(input: &[f64], what: &str, density: u32) {
    let mut sc = topo_sim::push::PushScratch::default();
    let mut best = [f64::INFINITY; 2];
    for round in 0..18 {
        let v = round % 2;
        topo_sim::push::set_scan_avx512_off(v == 0);
        let t0 = Instant::now();
        for _ in 0..200 {
            std::hint::black_box(sc.scan(std::hint::black_box(input)));
        }
        best[v] = best[v].min(t0.elapsed().as_secs_f64() / 200.0);
    }
    topo_sim::push::set_scan_avx512_off(false);
    eprintln!(
        "fixed_costs cortex_density={density} scan {what}: reference {:.3} us, AVX-512 {:.3} us",
        best[0] * 1e6,
        best[1] * 1e6
    );
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
    let all_variants = [
        Variant {
            name: "before (all switches old)",
            set: all_old,
        },
        Variant {
            name: "after (default engine)",
            set: all_new,
        },
        Variant {
            name: "after, groups per element",
            set: new_per_element,
        },
        Variant {
            name: "after + keep awake",
            set: new_awake,
        },
        Variant {
            name: "after, reference combine",
            set: new_reference_combine,
        },
        Variant {
            name: "after, table combine",
            set: new_table_combine,
        },
        Variant {
            name: "after, reference scan",
            set: new_reference_scan,
        },
    ];
    let only = std::env::var("TOPO_D48_VARIANTS").unwrap_or_default();
    let variants: Vec<Variant> = all_variants
        .into_iter()
        .filter(|v| only.is_empty() || only.split(',').any(|w| v.name.contains(w.trim())))
        .collect();
    let spec = common::gcal_spec(density);
    let (mut net, mut ex) = common::build(&spec);
    net.run(Time::from_int(3), &mut ex)
        .unwrap_or_else(|e| panic!("run: {e}"));
    // Per variant: wall, CPU of all threads, CPU of the stepping thread.
    if threads == 1 {
        print_choice(&net, density);
    }
    let mut times = vec![[Vec::new(), Vec::new(), Vec::new()]; variants.len()];
    for round in 0..rounds {
        for k in 0..variants.len() {
            let v = (k + round) % variants.len();
            (variants[v].set)(&mut net);
            for (t, x) in times[v].iter_mut().zip(block(&mut net, &mut ex, n)) {
                t.push(x);
            }
        }
    }
    all_new(&mut net);
    for (v, var) in variants.iter().enumerate() {
        let best = |t: &[f64]| t.iter().copied().fold(f64::INFINITY, f64::min) * 1e3;
        let [w, c, m] = &mut times[v];
        eprintln!(
            "fixed_costs cortex_density={density} threads={threads} {:<26} ms/iteration: \
             wall best {:.3} median {:.3}; CPU best {:.3} median {:.3}; stepping thread's \
             CPU best {:.3} median {:.3} ({rounds} blocks of {n})",
            var.name,
            best(w),
            median(w) * 1e3,
            best(c),
            median(c) * 1e3,
            best(m),
            median(m) * 1e3,
        );
    }
    for var in &variants {
        (var.set)(&mut net);
        net.state_push();
        let phases = common::phase_times(&mut net, &mut ex, n as u32);
        net.state_pop().unwrap_or_else(|e| panic!("state_pop: {e}"));
        let total: f64 = phases.iter().map(|p| p.1).sum();
        eprintln!(
            "fixed_costs cortex_density={density} threads={threads} {}: {:.3} ms/iteration wall \
             by phase (one block; an interval is charged to the probe that closes it, see \
             common::phase_times):",
            var.name,
            total * 1e3
        );
        for (name, t, count) in phases {
            eprintln!("  {name:<45} {:>8.3} ms  ({count} per iteration)", t * 1e3);
        }
    }
    all_new(&mut net);
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
