//! Network construction (issue 3): building class-based GCAL
//! (examples/gcal_class.ty) on one process — sheet geometry, CF placement
//! and the weight initialisation of every connection field — at
//! cortex_density 48 and 142, with 1 and 2 rayon threads. Parsing the
//! model file is outside the timed part (printed separately).
//!
//! Topographica (2015, 6 cores) took 15 s and 105 s for these.
//! Run: `cargo bench --bench construction` (a few minutes on 2 cores).

// criterion_group! defines a `pub fn` that cannot carry a doc comment.
#![allow(missing_docs)]

mod common;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use std::time::{Duration, Instant};

fn construction(c: &mut Criterion) {
    for density in [48u32, 142] {
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
        let mut g = c.benchmark_group(format!("construction/cortex_density_{density}"));
        g.sample_size(10)
            .sampling_mode(SamplingMode::Flat)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(if density > 100 { 30 } else { 5 }));
        for threads in common::thread_counts() {
            let pool = common::pool(threads);
            g.bench_function(format!("threads_{threads}"), |b| {
                b.iter_with_large_drop(|| pool.install(|| common::build(&spec)))
            });
        }
        g.finish();
    }
}

criterion_group!(benches, construction);
criterion_main!(benches);
