//! One GCAL iteration (`run(1)`: retina, LGN settling, 16 V1 settling
//! steps, learning, normalisation, homeostasis) at cortex_density 48 and
//! 142, from examples/gcal_class.ty, on one process (rayon over units).
//! Also prints the connection weights visited per second (each delivery
//! of input to a projection reads every weight of its CFs once).

use criterion::{criterion_group, criterion_main, Criterion};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use topo_sim::exchange::{LocalExchange, WholeSheets};
use topo_sim::{Network, Probe};
use topo_spec::Time;

fn gcal(density: &str) -> (Network, LocalExchange) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/gcal_class.ty");
    let spec = topo_lang::load_model(
        &path,
        &[("cortex_density".to_string(), density.to_string())],
    )
    .expect("examples/gcal_class.ty");
    let t0 = Instant::now();
    let mut ex = LocalExchange::new();
    let net = Network::build(&spec, &WholeSheets, &mut ex).expect("build");
    eprintln!(
        "gcal cortex_density={density}: build {:.2} s",
        t0.elapsed().as_secs_f64()
    );
    (net, ex)
}

/// Weights visited in one iteration: per projection, deliveries times
/// the total CF size.
fn weights_per_iteration(net: &mut Network, ex: &mut LocalExchange) -> f64 {
    let count: Arc<Mutex<HashMap<(String, String), usize>>> = Arc::default();
    let c2 = count.clone();
    net.set_recorder(Some(Box::new(move |p: &Probe<'_>| {
        if let Probe::Delivered { proj, dest, .. } = p {
            *c2.lock()
                .unwrap()
                .entry((dest.to_string(), proj.to_string()))
                .or_default() += 1;
        }
    })));
    net.run(Time::from_int(1), ex).unwrap();
    net.set_recorder(None);
    let counts = count.lock().unwrap();
    let mut total = 0.0;
    for ((d, n), k) in counts.iter() {
        let p = net.projection(d, n).unwrap();
        let size: usize = (0..p.cfs.len())
            .map(|u| {
                let (r, c) = p.cfs.unit_shape(u);
                r * c
            })
            .sum();
        total += (*k * size) as f64;
    }
    total
}

fn bench(c: &mut Criterion) {
    for density in ["48", "142"] {
        let (mut net, mut ex) = gcal(density);
        // Warm up past the first iteration (start-up normalisation).
        net.run(Time::from_int(1), &mut ex).unwrap();
        let w = weights_per_iteration(&mut net, &mut ex);
        let t0 = Instant::now();
        net.run(Time::from_int(1), &mut ex).unwrap();
        let dt = t0.elapsed().as_secs_f64();
        eprintln!(
            "gcal cortex_density={density}: {:.1} ms/iteration, {:.3e} weights/iteration, {:.2e} weights/s",
            dt * 1e3,
            w,
            w / dt
        );
        let mut g = c.benchmark_group("gcal_iteration");
        g.sample_size(10);
        g.bench_function(format!("cortex_density_{density}"), |b| {
            b.iter(|| net.run(Time::from_int(1), &mut ex).unwrap())
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
