//! The push/pull choice per delivery (issue 14): for each own-weight
//! projection into GCAL's V1 (LGNOn/LGNOff afferents, lateral excitatory
//! and inhibitory) it times the pushed (`topo_sim::push`) and the pulled
//! (`topo_sim::response::dot_product`) response to inputs of increasing
//! density and prints, per input, the work `topo_sim::push_choice` counts,
//! both kernels' times (min of several calls, push and pull alternated so
//! that load drifts hit both alike), the times the cost model predicts and
//! its choice; per projection the measured and the modelled crossover.
//!
//! Inputs: (a) real activities of the projection's source sheet over the
//! third iteration (the V1 densities of the first ones are printed) (every settle step of V1, so densities
//! from the first steps' ~35 % down), cut to the projection's `needed`
//! block; (b) synthetic blobs: a sum of eight Gaussian blobs at fixed
//! pseudo-random places (sigma 1/12 of the sheet), minus the threshold
//! that leaves the wanted fraction of the sheet above it, clipped at zero
//! (a patchy positive activity like a thresholded sheet's), densities 2 %
//! to 100 %.
//!
//! Lines starting `csv,` carry the numbers the costs of
//! `topo_sim::push_choice` are fitted to (`benches/push_choice_fit.py`).
//!
//! Environment: `TOPO_BENCH_DENSITIES=48,142` (default both),
//! `TOPO_BENCH_THREADS=1,2` (default 1 and, on a multi-core machine, 2),
//! `TOPO_BENCH_CHOICE_ITERATIONS=3` (iterations whose V1 densities are
//! printed; the kernels use the last one's activities),
//! `TOPO_BENCH_CHOICE_DENSITY_ONLY=1` (print the densities only).
//! Run: `cargo bench --bench push_choice`.

mod common;

use std::time::Instant;
use topo_sim::push::{push_dot_product, PushLayout, PushScratch};
use topo_sim::push_choice::{self, CostModel};
use topo_sim::{Network, Probe};
use topo_spec::Time;

/// Synthetic densities swept.
const DENSITIES: [f64; 14] = [
    0.02, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6, 0.7, 0.85, 1.0,
];

fn densities() -> Vec<u32> {
    std::env::var("TOPO_BENCH_DENSITIES")
        .ok()
        .map(|s| s.split(',').filter_map(|t| t.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![48, 142])
}

/// A small xorshift stream (fixed blob places).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Eight Gaussian blobs over a `rows x cols` block, thresholded so that
/// `density` of it is non-zero.
fn blobs(rows: usize, cols: usize, density: f64) -> Vec<f64> {
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let centres: Vec<(f64, f64)> = (0..8)
        .map(|_| (rng.next() * rows as f64, rng.next() * cols as f64))
        .collect();
    let sigma = rows.max(cols) as f64 / 12.0;
    let field: Vec<f64> = (0..rows * cols)
        .map(|k| {
            let (r, c) = ((k / cols) as f64, (k % cols) as f64);
            centres
                .iter()
                .map(|&(y, x)| (-((r - y).powi(2) + (c - x).powi(2)) / (2.0 * sigma * sigma)).exp())
                .sum::<f64>()
                + 1e-9 * rng.next()
        })
        .collect();
    let mut sorted = field.clone();
    sorted.sort_by(|a, b| b.total_cmp(a));
    let keep = ((density * field.len() as f64).round() as usize).min(field.len());
    let thr = if keep == field.len() {
        -1.0
    } else {
        sorted[keep]
    };
    field
        .iter()
        .map(|&v| if v > thr { v - thr } else { 0.0 })
        .collect()
}

/// The activities of every sheet at every activation of one iteration.
fn record_iteration(
    net: &mut Network,
    ex: &mut topo_sim::exchange::LocalExchange,
) -> Vec<(String, Vec<f64>)> {
    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let l = log.clone();
    net.set_recorder(Some(Box::new(move |p: &Probe<'_>| {
        if let Probe::Activated {
            sheet, activity, ..
        } = p
        {
            l.lock()
                .expect("log")
                .push((sheet.to_string(), activity.to_vec()));
        }
    })));
    net.run(Time::from_int(1), ex)
        .unwrap_or_else(|e| panic!("run: {e}"));
    net.set_recorder(None);
    let v = log.lock().expect("log").clone();
    v
}

/// Minimum seconds of `reps` calls of each of `a` and `b`, alternated.
fn min_pair(
    pool: &rayon::ThreadPool,
    reps: usize,
    a: &mut (dyn FnMut() + Send),
    b: &mut (dyn FnMut() + Send),
) -> (f64, f64) {
    let (mut ta, mut tb) = (f64::INFINITY, f64::INFINITY);
    for _ in 0..reps {
        let t0 = Instant::now();
        pool.install(&mut *a);
        ta = ta.min(t0.elapsed().as_secs_f64());
        let t0 = Instant::now();
        pool.install(&mut *b);
        tb = tb.min(t0.elapsed().as_secs_f64());
    }
    (ta, tb)
}

fn main() {
    let threads = common::thread_counts();
    eprintln!("push_choice: CPU {}", common::cpu_model());
    for density in densities() {
        let spec = common::gcal_spec(density);
        let (mut net, mut ex) = common::build(&spec);
        // V1's activity (its lateral input) at each settle step of the
        // first iterations: how often the old fixed threshold (push at
        // most 30 % non-zero) pulled.
        let mut acts = Vec::new();
        let iterations: usize = std::env::var("TOPO_BENCH_CHOICE_ITERATIONS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(3);
        for it in 1..=iterations {
            acts = record_iteration(&mut net, &mut ex);
            let d: Vec<String> = acts
                .iter()
                .filter(|(s, _)| s == "V1")
                .map(|(_, a)| {
                    format!(
                        "{:.0}",
                        100.0 * a.iter().filter(|&&v| v != 0.0).count() as f64 / a.len() as f64
                    )
                })
                .collect();
            eprintln!(
                "push_choice cortex_density={density}: iteration {it}, V1 % non-zero per \
                 settle step: {}",
                d.join(" ")
            );
        }
        if std::env::var_os("TOPO_BENCH_CHOICE_DENSITY_ONLY").is_some() {
            continue;
        }
        let reps = if density > 100 { 5 } else { 9 };
        let pools: Vec<_> = threads.iter().map(|&t| (t, common::pool(t))).collect();
        for (dest, name) in net.projection_names() {
            if dest != "V1" {
                continue;
            }
            let p = net.projection(&dest, &name).expect("listed projection");
            if p.cfs.shared.is_some() {
                continue;
            }
            let Some(layout) = PushLayout::build(&p.cfs) else {
                continue;
            };
            let needed = p.cfs.needed;
            let (_, src_cols) = net.sheet_shape(&p.spec.src).expect("source sheet");
            let cut = |a: &[f64]| -> Vec<f64> {
                let mut v = Vec::with_capacity(needed.len());
                for r in needed.r0..needed.r1 {
                    v.extend_from_slice(&a[r * src_cols + needed.c0..r * src_cols + needed.c1]);
                }
                v
            };
            let mut inputs: Vec<(String, Vec<f64>)> = Vec::new();
            for (k, (sheet, a)) in acts.iter().filter(|(s, _)| *s == p.spec.src).enumerate() {
                let x = cut(a);
                if x.iter().any(|&v| v != 0.0) && !inputs.iter().any(|(_, y)| *y == x) {
                    inputs.push((format!("real {sheet} #{k}"), x));
                }
            }
            for d in DENSITIES {
                inputs.push((
                    format!("blobs {:.2}", d),
                    blobs(needed.rows(), needed.cols(), d),
                ));
            }
            let n = p.activity.len();
            let (mut act, mut act2) = (vec![0.0; n], vec![0.0; n]);
            let mut spans = Vec::new();
            let mut sc = PushScratch::default();
            let model = CostModel::for_weights(p.cfs.weights.len() * 4);
            eprintln!(
                "push_choice cortex_density={density}: V1.{name}: {n} units, {} sources, \
                 {:.3e} CF weights ({:.1} MB: {}), {} inputs, min of {reps}",
                needed.len(),
                p.cfs.weights.len() as f64,
                p.cfs.weights.len() as f64 * 4e-6,
                if std::ptr::eq(model, &push_choice::IN_CACHE) {
                    "in-cache costs"
                } else {
                    "from-memory costs"
                },
                inputs.len()
            );
            // Per thread count, the blob densities where push was faster.
            let mut faster: Vec<Vec<(f64, bool)>> = vec![Vec::new(); pools.len()];
            let mut chosen_blob: Vec<(f64, bool)> = Vec::new();
            for (what, x) in &inputs {
                let nz = sc.scan(x).expect("finite input");
                let w = push_choice::work(&p.cfs, Some(&layout), sc.nonzero());
                let chosen = push_choice::should_push(x, &p.cfs, Some(&layout), &mut sc);
                let mut line = String::new();
                let mut csv = format!(
                    "csv,{density},{name},{what},{},{},{},{},{},{},{}",
                    w.units,
                    w.nonzero,
                    w.terms_pushed,
                    w.terms_pulled,
                    w.cf_rows,
                    w.terms_touched,
                    w.weight_bytes
                );
                for (k, (t, pool)) in pools.iter().enumerate() {
                    let (tp, tl) = min_pair(
                        pool,
                        reps,
                        &mut || {
                            push_dot_product(&layout, x, &needed, p.strength, &mut act, &mut sc)
                        },
                        &mut || {
                            topo_sim::response::dot_product(
                                &p.cfs, x, &needed, p.strength, &mut act2, &mut spans,
                            )
                        },
                    );
                    line += &format!(
                        "; {t} thread(s) push {:.3} ms, pull {:.3} ms",
                        tp * 1e3,
                        tl * 1e3
                    );
                    csv += &format!(",{t},{},{}", tp * 1e9, tl * 1e9);
                    if let Some(d) = what.strip_prefix("blobs ") {
                        faster[k].push((d.parse().expect("density"), tp <= tl));
                    }
                }
                if let Some(d) = what.strip_prefix("blobs ") {
                    chosen_blob.push((d.parse().expect("density"), chosen));
                }
                eprintln!(
                    "  {what:<16} {:>5.1} % non-zero, terms pushed {:.3e}, pulled {:.3e}; \
                     model push {:.3} ms, pull {:.3} ms -> {}{line}",
                    100.0 * nz as f64 / x.len() as f64,
                    w.terms_pushed,
                    w.terms_pulled,
                    model.push_ns(&w) * 1e-6,
                    model.pull_ns(&w) * 1e-6,
                    if chosen { "push" } else { "pull" },
                );
                println!("{csv}");
            }
            let crossover = |v: &[(f64, bool)]| {
                // The first density from which pulling is faster.
                v.iter().position(|&(_, push)| !push).map_or(
                    "above 1.00".to_string(),
                    |i| match i {
                        0 => format!("below {:.2}", v[0].0),
                        i => format!("{:.2}..{:.2}", v[i - 1].0, v[i].0),
                    },
                )
            };
            let mut line = format!("model {}", crossover(&chosen_blob));
            for ((t, _), f) in pools.iter().zip(&faster) {
                line += &format!(", measured {t} thread(s) {}", crossover(f));
            }
            eprintln!("  crossover (blobs, density where pull becomes faster): {line}");
        }
    }
}
