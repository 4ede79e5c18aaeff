//! The LGN's shared-weight responses (issue 14): GCAL's retina -> LGN
//! afferents and LGN gain control computed unit by unit (the path before
//! `topo_sim::shared_weights`) and eight adjacent units at a time, in the
//! same process: the minimum of 25 calls of each kernel on its last real
//! input (1 and 2 threads), and the CPU time per GCAL iteration with the
//! grouping off and on (alternating rounds, the minimum of each). Also
//! the per-call path with `shared_weights`' zero skip and group cache off
//! and on (issue 14 session 11), and the iterations with both.
//!
//! It also prints the probes of one iteration between the last delivery
//! and the LGN's `Learned` probe: what `common::phase_times` charges to
//! "LGNOn learning + normalisation".
//!
//! Environment: `TOPO_BENCH_DENSITIES=48,142` (default both),
//! `TOPO_BENCH_THREADS=1,2`. Run: `cargo bench --bench lgn`.

mod common;

use std::time::Instant;
use topo_sim::{Network, Probe};
use topo_spec::Time;

fn densities() -> Vec<u32> {
    std::env::var("TOPO_BENCH_DENSITIES")
        .ok()
        .map(|s| s.split(',').filter_map(|t| t.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![48, 142])
}

fn min_time(pool: &rayon::ThreadPool, reps: usize, f: &mut (dyn FnMut() + Send)) -> f64 {
    (0..reps)
        .map(|_| {
            let t0 = Instant::now();
            pool.install(&mut *f);
            t0.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

fn set_groups(net: &mut Network, on: bool) {
    for (dest, name) in net.projection_names() {
        net.projection_mut(&dest, &name)
            .expect("listed projection")
            .shared_groups_off = !on;
    }
}

fn kernels(net: &Network, density: u32, pools: &[(usize, rayon::ThreadPool)]) {
    for (dest, name) in net.projection_names() {
        let p = net.projection(&dest, &name).expect("listed projection");
        if p.cfs.shared.is_none() {
            continue;
        }
        let mut act = vec![0.0; p.activity.len()];
        let mut line = String::new();
        for (threads, pool) in pools {
            let old = min_time(pool, 25, &mut || {
                topo_sim::response::shared_dot_product_per_unit(
                    &p.cfs,
                    &p.input,
                    &p.cfs.needed,
                    p.strength,
                    &mut act,
                )
            });
            let new = min_time(pool, 25, &mut || {
                topo_sim::shared_weights::dot_product(
                    &p.cfs,
                    &p.input,
                    &p.cfs.needed,
                    p.strength,
                    &mut act,
                )
            });
            line += &format!(
                "; {threads} thread(s): unit by unit {:.3} ms, grouped {:.3} ms ({:.2}x)",
                old * 1e3,
                new * 1e3,
                old / new
            );
        }
        line += &switches_ab(p, &pools[0].1, &mut act);
        // Each instruction set's variant on the first pool (1 thread).
        for isa in [
            topo_sim::shared_weights::Isa::Baseline,
            topo_sim::shared_weights::Isa::Avx2,
        ] {
            let t = min_time(&pools[0].1, 25, &mut || {
                topo_sim::shared_weights::dot_product_on(
                    isa,
                    &p.cfs,
                    &p.input,
                    &p.cfs.needed,
                    p.strength,
                    &mut act,
                )
            });
            line += &format!("; {isa:?} {:.3} ms", t * 1e3);
        }
        let (r, c) = p.cfs.template_shape;
        let k = p.cfs.shared.as_ref().expect("shared");
        eprintln!(
            "lgn cortex_density={density}: kernel {dest}.{name} ({} units, {}x{} kernel, \
             template {r}x{c}, {} units grouped), min of 25{line}",
            p.cfs.len(),
            k.rows,
            k.cols,
            topo_sim::shared_weights::grouped_units(&p.cfs)
        );
    }
}

/// Sets both switches of `topo_sim::shared_weights` (`true`: on).
fn set_switches(zero_skip: bool, group_cache: bool) {
    topo_sim::shared_weights::set_zero_skip_off(!zero_skip);
    topo_sim::shared_weights::set_group_cache_off(!group_cache);
}

/// The projection's per-call path (`dot_product_planned`) on one pool with
/// the zero skip and the group cache off and on, alternating 10 rounds of
/// 25 calls (the minimum of each), and its input's zeros.
fn switches_ab(
    p: &topo_sim::projection::Projection,
    pool: &rayon::ThreadPool,
    act: &mut [f64],
) -> String {
    let variants = [
        (false, false),
        (true, false),
        (false, true),
        (true, true),
        (true, true),
    ];
    let mut best = [f64::INFINITY; 5];
    let (mut plan, mut spans) = (None, topo_sim::shared_weights::Scratch::default());
    for _ in 0..10 {
        for (i, (b, &(skip, cache))) in best.iter_mut().zip(&variants).enumerate() {
            set_switches(skip, cache);
            topo_sim::shared_weights::set_narrow_off(i != 4);
            let t = min_time(pool, 25, &mut || {
                topo_sim::shared_weights::dot_product_planned(
                    &p.cfs,
                    &mut plan,
                    &p.input,
                    &p.cfs.needed,
                    p.strength,
                    act,
                    &mut spans,
                )
            });
            *b = b.min(t);
        }
    }
    set_switches(true, true);
    topo_sim::shared_weights::set_narrow_off(true);
    let ncols = p.cfs.needed.cols().max(1);
    let nonzero = p.input.iter().filter(|&&x| x != 0.0).count();
    let zero_rows = p
        .input
        .chunks(ncols)
        .filter(|r| r.iter().all(|&x| x == 0.0))
        .count();
    let full_rows = p
        .input
        .chunks(ncols)
        .filter(|r| r[0] != 0.0 && r[r.len() - 1] != 0.0)
        .count();
    format!(
        " [input {:.1} % non-zero, {zero_rows} of {} rows zero, {full_rows} non-zero at both ends; per call, 1 thread, min of \
         10x25: before (no zero skip, no group cache) {:.4} ms, zero skip {:.4} ms, group \
         cache {:.4} ms, both (the default) {:.4} ms, both with narrowing {:.4} ms]",
        100.0 * nonzero as f64 / p.input.len().max(1) as f64,
        p.input.len() / ncols,
        best[0] * 1e3,
        best[1] * 1e3,
        best[2] * 1e3,
        best[3] * 1e3,
        best[4] * 1e3
    )
}

/// CPU seconds per iteration of `run(n)`.
fn cpu_per_iteration(
    net: &mut Network,
    ex: &mut topo_sim::exchange::LocalExchange,
    pool: &rayon::ThreadPool,
    n: i64,
) -> (f64, f64) {
    let (t0, c0) = (Instant::now(), common::process_cpu_seconds());
    pool.install(|| net.run(Time::from_int(n), ex))
        .unwrap_or_else(|e| panic!("run: {e}"));
    (
        t0.elapsed().as_secs_f64() / n as f64,
        (common::process_cpu_seconds() - c0) / n as f64,
    )
}

/// The probes from the last `Delivered` before the LGN's end-of-iteration
/// `Learned` probes, for one iteration.
fn learned_probes(net: &mut Network, ex: &mut topo_sim::exchange::LocalExchange) {
    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let l = log.clone();
    net.set_recorder(Some(Box::new(move |p: &Probe<'_>| {
        let s = match p {
            Probe::Delivered {
                time, proj, dest, ..
            } => format!("{time} Delivered {dest}.{proj}"),
            Probe::Activated { time, sheet, .. } => format!("{time} Activated {sheet}"),
            Probe::Learned { time, sheet, .. } => format!("{time} Learned {sheet}"),
        };
        l.lock().expect("log").push(s);
    })));
    net.run(Time::from_int(1), ex)
        .unwrap_or_else(|e| panic!("run: {e}"));
    net.set_recorder(None);
    let log = log.lock().expect("log");
    if let Some(i) = log.iter().position(|s| s.ends_with("Learned LGNOn")) {
        let from = log[..i]
            .iter()
            .rposition(|s| s.contains("Delivered"))
            .unwrap_or(0);
        for s in &log[from.saturating_sub(3)..(i + 3).min(log.len())] {
            eprintln!("lgn probes: {s}");
        }
    }
}

fn main() {
    for density in densities() {
        let spec = common::gcal_spec(density);
        let (mut net, mut ex) = common::build(&spec);
        net.run(Time::from_int(2), &mut ex)
            .unwrap_or_else(|e| panic!("run: {e}"));
        learned_probes(&mut net, &mut ex);
        let (n, rounds) = if density > 100 { (3, 3) } else { (20, 5) };
        // Every pool made (and warmed up) before any timing: the CPU
        // clock sums the live threads' times, so no thread may end
        // between two readings.
        let pools: Vec<_> = common::thread_counts()
            .into_iter()
            .map(|t| (t, common::pool(t)))
            .collect();
        for (_, pool) in &pools {
            cpu_per_iteration(&mut net, &mut ex, pool, 1);
        }
        kernels(&net, density, &pools);
        for (threads, pool) in &pools {
            // Unit by unit; grouped without and with the zero skip and
            // group cache (issue 14 session 11).
            let variants = [(false, false), (true, false), (true, true)];
            let mut best = [(f64::INFINITY, f64::INFINITY); 3];
            for _ in 0..rounds {
                // The new path first: a later place in the round must not
                // favour it.
                for i in [2, 0, 1] {
                    let ((groups, switches), b) = (variants[i], &mut best[i]);
                    set_groups(&mut net, groups);
                    set_switches(switches, switches);
                    let (w, c) = cpu_per_iteration(&mut net, &mut ex, pool, n);
                    *b = (b.0.min(w), b.1.min(c));
                }
            }
            set_switches(true, true);
            eprintln!(
                "lgn cortex_density={density} threads={threads}: per iteration (min of \
                 {rounds} runs of {n}): unit by unit {:.3} ms wall {:.3} ms CPU; grouped \
                 {:.3} ms wall {:.3} ms CPU; grouped, zero skip and group cache {:.3} ms \
                 wall {:.3} ms CPU; CPU saved by grouping {:.3} ms, by the skip and cache \
                 {:.3} ms",
                best[0].0 * 1e3,
                best[0].1 * 1e3,
                best[1].0 * 1e3,
                best[1].1 * 1e3,
                best[2].0 * 1e3,
                best[2].1 * 1e3,
                (best[0].1 - best[1].1) * 1e3,
                (best[1].1 - best[2].1) * 1e3
            );
        }
    }
}
