//! Learning and normalisation of class-based GCAL (examples/gcal_class.ty,
//! issue 14): the AVX2 loops of `topo_sim::learn_simd` against the scalar
//! loops they replace, in the same process, at cortex_density 48 and 142
//! on 1 and 2 rayon threads.
//!
//! Two measurements, each alternating the two paths (`learn_simd::set_off`)
//! so that both see the same load:
//! - kernels: for each V1 projection that learns, one `hebbian` plus its
//!   `weights_output_fns` on V1's activity and the projection's input
//!   after the warm-up iterations (each normalised on its own here, not
//!   jointly), min of `REPS` repetitions (the weights drift a little from
//!   one repetition to the next, by the same rule as in a run);
//! - the phase table (`common::phase_times`) of `ITERATIONS` real
//!   iterations, pull only (on a network that has not pushed yet, so
//!   that no per-source copy exists and the learning phase holds no sync
//!   of one) and then with push (the default engine; its learning phase
//!   includes that sync), best of `ROUNDS` alternations, with the process
//!   CPU time per iteration.
//!
//! Environment: `TOPO_BENCH_DENSITIES=48,142`, `TOPO_BENCH_THREADS=1,2`.
//! Run: `cargo bench --bench learning`.

mod common;

use std::time::Instant;
use topo_sim::learn_simd;
use topo_sim::normalize::UnitFilter;
use topo_sim::projection::LearningKind;
use topo_spec::Time;

/// Iterations before measuring at d48 (3 at d142; the first includes
/// start-up work).
const WARM_ITERATIONS: i64 = 6;
/// Repetitions of each kernel (the minimum is printed).
const REPS: usize = 15;
/// Alternations of the two paths over whole iterations.
const ROUNDS: usize = 3;

fn densities() -> Vec<u32> {
    std::env::var("TOPO_BENCH_DENSITIES")
        .ok()
        .map(|s| s.split(',').filter_map(|t| t.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![48, 142])
}

fn path(simd: bool) -> &'static str {
    if simd {
        "avx2"
    } else {
        "scalar"
    }
}

/// A projection's name and its kernels' seconds (Hebbian, normalisation).
type KernelTime = (String, f64, f64);

/// Min-of-`REPS` seconds of one Hebbian step plus normalisation of each
/// learning V1 projection, on the current activity and inputs.
fn kernels(net: &mut topo_sim::Network, simd: bool, prefetch: bool) -> Vec<KernelTime> {
    learn_simd::set_off(!simd);
    learn_simd::set_prefetch_off(!prefetch);
    let act = net.activity("V1").to_vec();
    let active = act.iter().filter(|a| **a != 0.0).count();
    let mut out = Vec::new();
    let joint_member: Vec<String> = net
        .projection_names()
        .into_iter()
        .filter(|(d, n)| d == "V1" && net.projection(d, n).is_ok_and(|p| p.joint_group.is_some()))
        .map(|(_, n)| n)
        .collect();
    for (dest, name) in net.projection_names() {
        if dest != "V1" {
            continue;
        }
        let p = net.projection_mut(&dest, &name).expect("listed projection");
        let lr = p.learning_rate.as_f64().unwrap_or(0.0);
        if p.learning != LearningKind::Hebbian || p.cfs.shared.is_some() {
            continue;
        }
        let alpha = lr / p.cfs.n_units as f64;
        let needed = p.cfs.needed;
        let (mut heb, mut norm) = (f64::INFINITY, f64::INFINITY);
        // The engine fuses the two for a projection normalised on its own
        // (GCAL's lateral ones; the afferent pair is joint).
        let fused = joint_member.iter().all(|j| *j != name)
            && topo_sim::learning::fuses_l1_kernel(&p.cfs, &p.wofs, alpha);
        for _ in 0..REPS {
            let t0 = Instant::now();
            if fused {
                topo_sim::learning::hebbian_l1_kernel(&mut p.cfs, &p.input, &needed, &act, alpha);
                heb = heb.min(t0.elapsed().as_secs_f64());
                norm = 0.0;
                continue;
            }
            topo_sim::learning::hebbian(&mut p.cfs, &p.input, &needed, &act, alpha);
            let t1 = Instant::now();
            let filter = UnitFilter {
                sheet_mask: None,
                active: Some(&act),
            };
            for w in &p.wofs {
                w.apply(&mut p.cfs, filter);
            }
            heb = heb.min((t1 - t0).as_secs_f64());
            norm = norm.min(t1.elapsed().as_secs_f64());
        }
        out.push((
            format!(
                "{name} (lr {lr}, {active} active units{})",
                if fused { ", fused" } else { "" }
            ),
            heb,
            norm,
        ));
    }
    learn_simd::set_off(false);
    learn_simd::set_prefetch_off(false);
    out
}

fn main() {
    eprintln!("CPU: {}", common::cpu_model());
    eprintln!("AVX2 loops available: {}", learn_simd::on());
    for density in densities() {
        let spec = common::gcal_spec(density);
        for threads in common::thread_counts() {
            let pool = common::pool(threads);
            eprintln!("\n== cortex_density={density}, {threads} thread(s) ==");
            pool.install(|| {
                // A fresh network per thread count, pulling until the
                // push rounds: no per-source copy exists before them, so
                // the pull-only learning phase holds no sync.
                let (mut net, mut ex) = common::build(&spec);
                common::set_push(&mut net, false);
                let warm = if density > 100 { 3 } else { WARM_ITERATIONS };
                net.run(Time::from_int(warm), &mut ex)
                    .unwrap_or_else(|e| panic!("run: {e}"));
                // (AVX2 loops, prefetch of the next unit's CF): scalar,
                // AVX2 without and with the prefetch (the default).
                let paths = [(false, true), (true, false), (true, true)];
                let mut best: Vec<((bool, bool), Vec<KernelTime>)> = Vec::new();
                for _ in 0..2 {
                    for key @ (simd, prefetch) in paths {
                        let k = kernels(&mut net, simd, prefetch);
                        match best.iter_mut().find(|(s, _)| *s == key) {
                            Some((_, b)) => {
                                for (bi, ki) in b.iter_mut().zip(k) {
                                    bi.1 = bi.1.min(ki.1);
                                    bi.2 = bi.2.min(ki.2);
                                }
                            }
                            None => best.push((key, k)),
                        }
                    }
                }
                eprintln!("kernels, min of {REPS}x2 (ms): hebbian | normalisation (fused: both in the first)");
                for ((simd, prefetch), k) in &best {
                    for (name, h, n) in k {
                        eprintln!(
                            "  {:6}{} {name}: {:.3} | {:.3}",
                            path(*simd),
                            if *simd && !*prefetch { " no prefetch" } else { "" },
                            h * 1e3,
                            n * 1e3
                        );
                    }
                }
                for push in [false, true] {
                    common::set_push(&mut net, push);
                    let iterations = if density > 100 { 3 } else { 30 };
                    // (learning phase, V1 total of phases, CPU) per path.
                    let mut res = [(f64::INFINITY, f64::INFINITY, f64::INFINITY); 2];
                    let mut tables: [Vec<(String, f64, usize)>; 2] = Default::default();
                    for _ in 0..ROUNDS {
                        for simd in [false, true] {
                            learn_simd::set_off(!simd);
                            let c0 = common::process_cpu_seconds();
                            let ph = common::phase_times(&mut net, &mut ex, iterations);
                            let cpu = (common::process_cpu_seconds() - c0) / f64::from(iterations);
                            let learn: f64 = ph
                                .iter()
                                .filter(|(n, _, _)| n == "V1 learning + normalisation")
                                .map(|(_, t, _)| *t)
                                .sum();
                            let total: f64 = ph.iter().map(|(_, t, _)| *t).sum();
                            let r = &mut res[usize::from(simd)];
                            if learn < r.0 {
                                tables[usize::from(simd)] = ph;
                            }
                            r.0 = r.0.min(learn);
                            r.1 = r.1.min(total);
                            r.2 = r.2.min(cpu);
                        }
                    }
                    learn_simd::set_off(false);
                    let mode = if push { "push/pull (default)" } else { "pull only" };
                    eprintln!(
                        "iterations, {mode}, best of {ROUNDS} x {iterations} iterations (ms per iteration):"
                    );
                    for simd in [false, true] {
                        let r = res[usize::from(simd)];
                        eprintln!(
                            "  {:6} V1 learning + normalisation {:.3}, all phases {:.3}, CPU {:.3}",
                            path(simd),
                            r.0 * 1e3,
                            r.1 * 1e3,
                            r.2 * 1e3
                        );
                    }
                    for simd in [false, true] {
                        eprintln!("  phase table ({}):", path(simd));
                        for (name, t, c) in &tables[usize::from(simd)] {
                            if *t * 1e3 >= 0.01 {
                                eprintln!("    {name:48} {:8.3} ms  x{c}", t * 1e3);
                            }
                        }
                    }
                }
            });
        }
    }
}
