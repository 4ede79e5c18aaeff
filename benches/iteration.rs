//! One GCAL iteration (issue 4): `run(1.0)` of class-based GCAL
//! (examples/gcal_class.ty) — retina pattern, LGN settling, 16 V1
//! settling steps, Hebbian learning, normalisation, homeostasis — at
//! cortex_density 48 and 142 on one process with 1 and 2 rayon threads.
//!
//! Besides criterion's time per iteration it prints the connection
//! weights touched per iteration (responses over all settling steps plus
//! learning, counted by a recorder over a few separate iterations), the
//! weights read per second (after the dot product's zero-input skip) as
//! f32 bandwidth in GB/s, and the nominal figure over all CF weights.
//!
//! Topographica on this machine kind: numpy path 0.42 s/iteration at 48;
//! its 2015 optimised version 18.4 ms (6 threads) at 48, 0.304 s at 142.
//! Run: `cargo bench --bench iteration`.

mod common;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use std::time::{Duration, Instant};
use topo_spec::Time;

/// Iterations run before measuring: the first one includes start-up work
/// (initial normalisation) that later ones do not.
const WARM_ITERATIONS: i64 = 2;
/// Iterations over which the weights per iteration are averaged.
const COUNT_ITERATIONS: u32 = 3;

fn iteration(c: &mut Criterion) {
    for density in [48u32, 142] {
        let spec = common::gcal_spec(density);
        let (mut net, mut ex) = common::build(&spec);
        net.run(Time::from_int(WARM_ITERATIONS), &mut ex)
            .unwrap_or_else(|e| panic!("run: {e}"));
        let count = common::count_weights(&mut net, &mut ex, COUNT_ITERATIONS);
        eprintln!(
            "iteration cortex_density={density}: per iteration {} projection responses \
             reading {:.4e} weights, learning updating {:.4e}; total {:.4e}; \
             of the response weights {:.4e} ({:.1} %) have non-zero input and \
             {:.4e} ({:.1} %) lie in the non-zero span of their input row \
             (per-activation count {:.4e})",
            count.deliveries,
            count.response,
            count.learning,
            count.total(),
            count.response_nonzero,
            100.0 * count.response_nonzero / count.response,
            count.response_span,
            100.0 * count.response_span / count.response,
            count.response_by_activation,
        );
        let mut g = c.benchmark_group(format!("iteration/cortex_density_{density}"));
        g.sample_size(10)
            .sampling_mode(SamplingMode::Flat)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(if density > 100 { 20 } else { 5 }));
        for threads in common::thread_counts() {
            let pool = common::pool(threads);
            // Criterion's estimate goes to its report; the throughput line
            // needs a number here, so time a few iterations directly too.
            // CPU time of the whole process over the same iterations
            // shows the work apart from waiting for a loaded machine.
            pool.install(|| net.run(Time::from_int(1), &mut ex))
                .unwrap_or_else(|e| panic!("run: {e}"));
            let cpu0 = common::process_cpu_seconds();
            let t0 = Instant::now();
            let n = if density > 100 { 3 } else { 10 };
            for _ in 0..n {
                pool.install(|| net.run(Time::from_int(1), &mut ex))
                    .unwrap_or_else(|e| panic!("run: {e}"));
            }
            let s = t0.elapsed().as_secs_f64() / f64::from(n);
            let cpu = (common::process_cpu_seconds() - cpu0) / f64::from(n);
            // The dot product skips zero inputs, so it reads only the
            // weights in each input row's non-zero span: that, plus
            // learning, is the memory traffic; all CF weights are the
            // nominal work (what a dense implementation would read).
            let read = count.response_span + count.learning;
            eprintln!(
                "iteration cortex_density={density} threads={threads}: {:.2} ms/iteration \
                 wall, {:.2} ms CPU; weights read {:.3e}/s = {:.2} GB/s of f32 \
                 (nominal, all CF weights: {:.3e}/s = {:.2} GB/s); per CPU second \
                 {:.3e} weights read",
                s * 1e3,
                cpu * 1e3,
                read / s,
                read * 4.0 / s / 1e9,
                count.total() / s,
                count.total() * 4.0 / s / 1e9,
                read / cpu
            );
            g.bench_function(format!("threads_{threads}"), |b| {
                b.iter(|| {
                    pool.install(|| net.run(Time::from_int(1), &mut ex))
                        .unwrap_or_else(|e| panic!("run: {e}"))
                })
            });
        }
        g.finish();
    }
}

criterion_group!(benches, iteration);
criterion_main!(benches);
