//! Network construction (issues 3 and 14): building class-based GCAL
//! (examples/gcal_class.ty) on one process — sheet geometry, CF placement
//! and the weight initialisation of every connection field — at
//! cortex_density 48 and 142, with 1 and 2 rayon threads. Parsing the
//! model file is outside the timed part (printed separately).
//!
//! Two figures per density and thread count: `Network::build` alone
//! (`construction/...`, as before issue 14), and build plus the per-source
//! copies of the weights that pushing sparse inputs needs
//! (`construction_with_copies/...`, see `topo_sim::push`): the engine
//! builds those lazily in the first iteration, so the second figure is the
//! time a user waits before the first iteration's own work. A direct
//! timing of both (least of 3, wall and process CPU) is printed first.
//!
//! Topographica (2015, 6 cores) took 15 s and 105 s for these.
//! Run: `cargo bench --bench construction` (a few minutes on 2 cores);
//! `TOPO_BENCH_QUICK=1` prints only the direct timings,
//! `TOPO_BENCH_DENSITIES=48,142` and `TOPO_BENCH_THREADS=1,2` as in the
//! iteration bench.

// criterion_group! defines a `pub fn` that cannot carry a doc comment.
#![allow(missing_docs)]

mod common;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use std::time::{Duration, Instant};
use topo_sim::exchange::LocalExchange;
use topo_sim::Network;

fn densities() -> Vec<u32> {
    std::env::var("TOPO_BENCH_DENSITIES")
        .ok()
        .map(|s| s.split(',').filter_map(|t| t.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![48, 142])
}

/// The per-source copy of every projection that can have one, built on
/// the current pool.
fn build_copies(net: &mut Network) {
    for (dest, name) in net.projection_names() {
        net.projection_mut(&dest, &name)
            .expect("listed projection")
            .build_push_layout();
    }
}

/// `Network::build`, then the per-source copies.
fn build_with_copies(spec: &topo_spec::ModelSpec) -> (Network, LocalExchange) {
    let (mut net, ex) = common::build(spec);
    build_copies(&mut net);
    (net, ex)
}

/// Least wall and CPU seconds (of the threads alive throughout: this one
/// and `pool`'s) of `Network::build` and of the copies after it, over 3
/// builds on `pool`.
fn direct(spec: &topo_spec::ModelSpec, pool: &rayon::ThreadPool) -> [(f64, f64); 2] {
    let mut best = [(f64::INFINITY, f64::INFINITY); 2];
    for _ in 0..3 {
        let (t0, c0) = (Instant::now(), common::thread_cpu_ns());
        let (mut net, _) = pool.install(|| common::build(spec));
        let (t1, c1) = (Instant::now(), common::cpu_since(&c0));
        let c0 = common::thread_cpu_ns();
        pool.install(|| build_copies(&mut net));
        let (t2, c2) = (Instant::now(), common::cpu_since(&c0));
        let b = [((t1 - t0).as_secs_f64(), c1), ((t2 - t1).as_secs_f64(), c2)];
        for (best, b) in best.iter_mut().zip(b) {
            *best = (best.0.min(b.0), best.1.min(b.1));
        }
        drop(net);
    }
    best
}

fn construction(c: &mut Criterion) {
    let quick = std::env::var_os("TOPO_BENCH_QUICK").is_some();
    for density in densities() {
        let t0 = Instant::now();
        let spec = common::gcal_spec(density);
        let parse_s = t0.elapsed().as_secs_f64();
        let (net, _) = common::build(&spec);
        let weights: usize = net
            .projection_names()
            .iter()
            .map(|(d, n)| {
                let p = net.projection(d, n).expect("listed projection");
                p.cfs.weights.len() + p.cfs.shared.as_ref().map_or(0, |k| k.weights.len())
            })
            .sum();
        drop(net);
        eprintln!(
            "construction cortex_density={density}: model file {parse_s:.3} s, \
             {weights} stored f32 weights ({:.1} MB)",
            weights as f64 * 4e-6
        );
        for threads in common::thread_counts() {
            let [b, copies] = direct(&spec, &common::pool(threads));
            eprintln!(
                "construction cortex_density={density} threads={threads}: Network::build \
                 {:.3} s wall ({:.3} CPU), per-source copies {:.3} s wall ({:.3} CPU), \
                 together {:.3} s wall ({:.3} CPU) (least of 3 each)",
                b.0,
                b.1,
                copies.0,
                copies.1,
                b.0 + copies.0,
                b.1 + copies.1
            );
        }
        if quick {
            continue;
        }
        let time = Duration::from_secs(if density > 100 { 30 } else { 5 });
        for (group, copies) in [("construction", false), ("construction_with_copies", true)] {
            let mut g = c.benchmark_group(format!("{group}/cortex_density_{density}"));
            g.sample_size(10)
                .sampling_mode(SamplingMode::Flat)
                .warm_up_time(Duration::from_millis(500))
                .measurement_time(time);
            for threads in common::thread_counts() {
                let pool = common::pool(threads);
                g.bench_function(format!("threads_{threads}"), |b| {
                    b.iter_with_large_drop(|| {
                        pool.install(|| {
                            if copies {
                                build_with_copies(&spec)
                            } else {
                                common::build(&spec)
                            }
                        })
                    })
                });
            }
            g.finish();
        }
    }
}

criterion_group!(benches, construction);
criterion_main!(benches);
