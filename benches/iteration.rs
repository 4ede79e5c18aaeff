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
//! It also measures the machine's streaming read bandwidth in the same
//! run (1 and 2 threads, a 256 MB array and an 8 MB L3-resident one),
//! prints the time per phase (see `common::phase_times`), the
//! multiply-adds that must happen per iteration (weights whose input is
//! non-zero, plus learning's reads and writes of active units' CFs) per
//! second, and the ratio of the measured time to that roofline: the bytes
//! of those weights over the measured bandwidth (the L3 figure when all
//! weights fit in L3, the memory figure otherwise).
//!
//! Environment: `TOPO_BENCH_DENSITIES=48,142` (default both),
//! `TOPO_BENCH_THREADS=1,2`, `TOPO_BENCH_QUICK=1` (only the direct
//! timings, no criterion samples), `TOPO_BENCH_SYNC_ONLY=1` (only the
//! sync lines of the per-source copies, after the warm-up),
//! `TOPO_BENCH_KERNELS_ONLY=1` (the layouts and the kernel lines only).
//!
//! Topographica on this machine kind: numpy path 0.42 s/iteration at 48;
//! its 2015 optimised version 18.4 ms (6 threads) at 48, 0.304 s at 142.
//! Run: `cargo bench --bench iteration`.

// criterion_group! defines a `pub fn` that cannot carry a doc comment.
#![allow(missing_docs)]

mod common;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use std::time::{Duration, Instant};
use topo_spec::Time;

/// Iterations run before measuring: the first one includes start-up work
/// (initial normalisation) that later ones do not.
const WARM_ITERATIONS: i64 = 2;
/// Iterations over which the weights per iteration are averaged.
const COUNT_ITERATIONS: u32 = 3;

/// L3 size of this machine kind (bytes): below it the weights are read
/// from cache, not from memory.
const L3_BYTES: f64 = 32.0 * 1024.0 * 1024.0;

fn densities() -> Vec<u32> {
    std::env::var("TOPO_BENCH_DENSITIES")
        .ok()
        .map(|s| s.split(',').filter_map(|t| t.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![48, 142])
}

fn iteration(c: &mut Criterion) {
    let quick = std::env::var_os("TOPO_BENCH_QUICK").is_some();
    let mut bw = std::collections::HashMap::new();
    for threads in common::thread_counts() {
        let mem = common::read_bandwidth(256 << 20, threads, 5);
        let l3 = common::read_bandwidth(8 << 20, threads, 50);
        eprintln!(
            "read bandwidth, {threads} thread(s): memory (256 MB) {:.1} GB/s, \
             L3 (8 MB) {:.1} GB/s",
            mem / 1e9,
            l3 / 1e9
        );
        bw.insert(threads, (mem, l3));
    }
    for density in densities() {
        let spec = common::gcal_spec(density);
        let (t0, c0) = (Instant::now(), common::process_cpu_seconds());
        let (mut net, mut ex) = common::build(&spec);
        eprintln!(
            "iteration cortex_density={density}: Network::build {:.3} s wall, {:.3} s CPU \
             (global pool)",
            t0.elapsed().as_secs_f64(),
            common::process_cpu_seconds() - c0
        );
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
        if std::env::var_os("TOPO_BENCH_SYNC_ONLY").is_some() {
            // Only the sync lines of `print_kernels` (for working on
            // it), and the same for an afferent projection.
            for name in ["LateralInhibitory", "LateralExcitatory", "LGNOnAfferent"] {
                let p = net.projection("V1", name).expect("projection");
                let mut layout = topo_sim::push::PushLayout::build(&p.cfs).expect("layout");
                print_sync(&net, density, name, &p.cfs, &mut layout, &common::pool(1));
            }
            continue;
        }
        print_layouts(&net, density, &spec);
        print_kernels(&net, density);
        if std::env::var_os("TOPO_BENCH_KERNELS_ONLY").is_some() {
            continue;
        }
        common::set_push(&mut net, false);
        print_phases(
            density,
            "pull only",
            &common::phase_times(&mut net, &mut ex, COUNT_ITERATIONS),
        );
        common::set_push(&mut net, true);
        net.run(Time::from_int(1), &mut ex)
            .unwrap_or_else(|e| panic!("run: {e}"));
        let phases = common::phase_times(&mut net, &mut ex, COUNT_ITERATIONS);
        print_phases(density, "push/pull per delivery", &phases);
        // Bytes that must move: every weight with a non-zero input once,
        // learning reads and writes the active units' CFs.
        let must_bytes = 4.0 * count.response_nonzero + 8.0 * count.learning;
        let all_weight_bytes = 4.0 * common::stored_weights(&net);
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
            let n: i32 = if density > 100 { 3 } else { 10 };
            // The same stretch with every projection pulling (push off):
            // the engine before the push path, measured in the same run.
            common::set_push(&mut net, false);
            let (s_pull, cpu_pull) = timed(&mut net, &mut ex, &pool, n);
            common::set_push(&mut net, true);
            let (s, cpu) = timed(&mut net, &mut ex, &pool, n);
            eprintln!(
                "iteration cortex_density={density} threads={threads}: pull only {:.2} ms wall \
                 {:.2} ms CPU; push/pull chosen per delivery {:.2} ms wall {:.2} ms CPU; \
                 CPU ratio {:.2}",
                s_pull * 1e3,
                cpu_pull * 1e3,
                s * 1e3,
                cpu * 1e3,
                cpu_pull / cpu
            );
            // The fixed costs per delivery, removed one at a time, in
            // this same process (alternated, best of 3 each): responses
            // at each delivery and pushed by planes (the engine before),
            // batched per step (one parallel region per step), and
            // batched with the pushes by unit chunks.
            let variants = [(false, false), (true, false), (true, true)];
            let mut best = [(f64::INFINITY, f64::INFINITY); 3];
            for round in 0..3 {
                // Each variant in each position once (load drifts).
                for k in 0..3 {
                    let v = (k + round) % 3;
                    let (batched, chunks) = variants[v];
                    net.set_batched_responses(batched);
                    topo_sim::push::set_unit_chunks(chunks);
                    // The same iterations for every variant: time, events
                    // and activities restored after each (weights keep
                    // learning, which changes the work very little).
                    net.state_push();
                    let (w, c) = timed(&mut net, &mut ex, &pool, n);
                    net.state_pop().unwrap_or_else(|e| panic!("state_pop: {e}"));
                    best[v] = (best[v].0.min(w), best[v].1.min(c));
                }
            }
            net.set_batched_responses(false);
            topo_sim::push::set_unit_chunks(false);
            // The pushed run loop and the pulled sum scalar against AVX2
            // (the default where the CPU has it), alternated, best of 3
            // each, as above.
            let mut simd = [(f64::INFINITY, f64::INFINITY); 2];
            for round in 0..3 {
                for k in 0..2 {
                    let v = (k + round) % 2;
                    topo_sim::push_simd::set_avx2_off(v == 0);
                    net.state_push();
                    let (w, c) = timed(&mut net, &mut ex, &pool, n);
                    net.state_pop().unwrap_or_else(|e| panic!("state_pop: {e}"));
                    simd[v] = (simd[v].0.min(w), simd[v].1.min(c));
                }
            }
            topo_sim::push_simd::set_avx2_off(false);
            eprintln!(
                "iteration cortex_density={density} threads={threads} (best of 3 each): \
                 push run loop and pulled sum scalar {:.3} ms wall {:.3} ms CPU; AVX2 (available: {}) \
                 {:.3} ms wall {:.3} ms CPU; CPU ratio scalar/AVX2 {:.3}",
                simd[0].0 * 1e3,
                simd[0].1 * 1e3,
                topo_sim::push_simd::avx2(),
                simd[1].0 * 1e3,
                simd[1].1 * 1e3,
                simd[0].1 / simd[1].1
            );
            // The sync after learning of every projection against only
            // those whose weights changed (the default), alternated, best
            // of 3 each, as above.
            let mut syncs = [(f64::INFINITY, f64::INFINITY); 2];
            for round in 0..3 {
                for k in 0..2 {
                    let v = (k + round) % 2;
                    net.set_always_sync(v == 0);
                    net.state_push();
                    let (w, c) = timed(&mut net, &mut ex, &pool, n);
                    net.state_pop().unwrap_or_else(|e| panic!("state_pop: {e}"));
                    syncs[v] = (syncs[v].0.min(w), syncs[v].1.min(c));
                }
            }
            net.set_always_sync(false);
            eprintln!(
                "iteration cortex_density={density} threads={threads} (best of 3 each): \
                 sync after learning of every projection {:.3} ms wall {:.3} ms CPU; only of \
                 projections whose weights changed {:.3} ms wall {:.3} ms CPU",
                syncs[0].0 * 1e3,
                syncs[0].1 * 1e3,
                syncs[1].0 * 1e3,
                syncs[1].1 * 1e3,
            );
            let per = |a: f64, b: f64| (a - b) * 1e6 / count.deliveries as f64;
            eprintln!(
                "iteration cortex_density={density} threads={threads} (best of 3 each): \
                 one by one, push by planes {:.3} ms wall {:.3} ms CPU; batched per step \
                 {:.3} ms wall {:.3} ms CPU; batched, push by unit chunks {:.3} ms wall \
                 {:.3} ms CPU; per delivery ({} per iteration) batching saves {:.1} us \
                 wall {:.1} us CPU, unit chunks then {:.1} us wall {:.1} us CPU",
                best[0].0 * 1e3,
                best[0].1 * 1e3,
                best[1].0 * 1e3,
                best[1].1 * 1e3,
                best[2].0 * 1e3,
                best[2].1 * 1e3,
                count.deliveries,
                per(best[0].0, best[1].0),
                per(best[0].1, best[1].1),
                per(best[1].0, best[2].0),
                per(best[1].1, best[2].1),
            );
            // The sync after learning in unit order (the default) against
            // by bands:
            // alternating runs, the least CPU time of three each.
            let mut ab = [(f64::INFINITY, f64::INFINITY); 2];
            for _ in 0..3 {
                for (i, banded) in [false, true].into_iter().enumerate() {
                    common::set_sync_banded(&mut net, Some(banded));
                    let (w, c) = timed(&mut net, &mut ex, &pool, n);
                    ab[i] = (ab[i].0.min(w), ab[i].1.min(c));
                }
            }
            common::set_sync_banded(&mut net, None);
            eprintln!(
                "iteration cortex_density={density} threads={threads}: sync after learning \
                 in unit order {:.2} ms wall {:.2} ms CPU; by bands {:.2} ms wall {:.2} ms CPU \
                 (least of 3 runs of {n} each)",
                ab[0].0 * 1e3,
                ab[0].1 * 1e3,
                ab[1].0 * 1e3,
                ab[1].1 * 1e3
            );
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
            let (mem, l3) = bw[&threads];
            let roof_bw = if all_weight_bytes <= L3_BYTES {
                l3
            } else {
                mem
            };
            let floor = must_bytes / roof_bw;
            eprintln!(
                "iteration cortex_density={density} threads={threads}: terms with non-zero \
                 input {:.3e}/s wall ({:.3e}/s CPU); must-move {:.1} MB/iteration = {:.1} % of \
                 the measured {} bandwidth ({:.1} GB/s); roofline {:.3} ms, measured/roofline \
                 {:.1} (wall), {:.1} (CPU/threads)",
                count.response_nonzero / s,
                count.response_nonzero / cpu,
                must_bytes / 1e6,
                100.0 * must_bytes / s / roof_bw,
                if all_weight_bytes <= L3_BYTES {
                    "L3"
                } else {
                    "memory"
                },
                roof_bw / 1e9,
                floor * 1e3,
                s / floor,
                cpu / threads as f64 / floor
            );
            if quick {
                continue;
            }
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

/// Build time and size of each projection's per-source layout (built
/// lazily at its first pushed delivery, not by `Network::build`), and the
/// model's memory estimate.
fn print_layouts(net: &topo_sim::Network, density: u32, spec: &topo_spec::ModelSpec) {
    // Serial reference build, then the parallel build on 1 and 2 threads
    // (wall and process CPU seconds; the copies are equal, see the
    // `push_pull` test).
    let mut total = [(0.0, 0.0); 3];
    let pools = [common::pool(1), common::pool(2)];
    for (dest, name) in net.projection_names() {
        let p = net.projection(&dest, &name).expect("listed projection");
        let mut times = [(0.0, 0.0); 3];
        let mut layout = None;
        for (i, t) in times.iter_mut().enumerate() {
            let (t0, c0) = (Instant::now(), common::process_cpu_seconds());
            layout = match i {
                0 => topo_sim::push::PushLayout::build_serial(&p.cfs),
                _ => pools[i - 1].install(|| topo_sim::push::PushLayout::build(&p.cfs)),
            };
            *t = (
                t0.elapsed().as_secs_f64(),
                common::process_cpu_seconds() - c0,
            );
        }
        let Some(layout) = layout else {
            continue;
        };
        for (tot, t) in total.iter_mut().zip(times) {
            tot.0 += t.0;
            tot.1 += t.1;
        }
        eprintln!(
            "iteration cortex_density={density}: {dest}.{name}: {} CF weights, per-target layout \
             {:.1} bytes/synapse (f32 weight + f32 mask), per-source copy {:.2} bytes/synapse, \
             built serially in {:.3} s wall ({:.3} CPU), in parallel on 1 thread {:.3} s \
             ({:.3}), on 2 threads {:.3} s ({:.3})",
            p.cfs.weights.len(),
            topo_sim::memory::PER_TARGET_BYTES_PER_SYNAPSE,
            layout.bytes_per_synapse(),
            times[0].0,
            times[0].1,
            times[1].0,
            times[1].1,
            times[2].0,
            times[2].1,
        );
    }
    eprintln!(
        "iteration cortex_density={density}: per-source layouts built in all: serially \
         {:.3} s wall ({:.3} CPU), parallel 1 thread {:.3} s ({:.3}), 2 threads {:.3} s ({:.3})",
        total[0].0, total[0].1, total[1].0, total[1].1, total[2].0, total[2].1
    );
    let est = topo_sim::memory::estimate(spec).unwrap_or_else(|e| panic!("estimate: {e}"));
    eprintln!(
        "iteration cortex_density={density}: memory estimate {:.0} MB ({:.3e} synapses: per-target {:.0} MB, per-source {:.0} MB, \
         activities {:.0} MB)",
        est.total_bytes() / 1e6,
        est.synapses,
        est.per_target_bytes / 1e6,
        est.per_source_bytes / 1e6,
        est.activity_bytes / 1e6
    );
}

/// Minimum time (of 15 calls: the minimum is what a loaded machine
/// disturbs least) of one V1 lateral response to its last real input,
/// pulled (1 thread) and pushed (1 and 2 threads).
fn print_kernels(net: &topo_sim::Network, density: u32) {
    use topo_sim::push::{PushLayout, PushScratch};
    let pool = common::pool(1);
    // V1's afferents are pulled (their LGN inputs are dense): scalar
    // against AVX2, 1 thread, min of 15.
    for name in ["LGNOnAfferent", "LGNOffAfferent"] {
        let Ok(p) = net.projection("V1", name) else {
            continue;
        };
        let mut act = vec![0.0; p.activity.len()];
        let mut spans = Vec::new();
        let mut t = [f64::INFINITY; 2];
        for _ in 0..15 {
            for (k, t) in t.iter_mut().enumerate() {
                topo_sim::push_simd::set_avx2_off(k == 0);
                let e = common::time_in(&pool, || {
                    topo_sim::response::dot_product(
                        &p.cfs,
                        &p.input,
                        &p.cfs.needed,
                        p.strength,
                        &mut act,
                        &mut spans,
                    )
                });
                *t = t.min(e);
            }
        }
        topo_sim::push_simd::set_avx2_off(false);
        let nz = p.input.iter().filter(|&&x| x != 0.0).count();
        eprintln!(
            "iteration cortex_density={density}: kernel V1.{name} ({:.1} % of the input \
             non-zero), min of 15 alternated: pull scalar {:.3} ms, pull AVX2 {:.3} ms",
            100.0 * nz as f64 / p.input.len().max(1) as f64,
            t[0] * 1e3,
            t[1] * 1e3
        );
    }
    for name in ["LateralInhibitory", "LateralExcitatory"] {
        let Ok(p) = net.projection("V1", name) else {
            continue;
        };
        let Some(mut layout) = PushLayout::build(&p.cfs) else {
            continue;
        };
        let n = p.activity.len();
        let mut act = vec![0.0; n];
        let mut spans = Vec::new();
        let mut sc = PushScratch::default();
        let min_time_in = |pool: &rayon::ThreadPool, f: &mut (dyn FnMut() + Send)| {
            (0..15)
                .map(|_| common::time_in(pool, &mut *f))
                .fold(f64::INFINITY, f64::min)
        };
        // The pulled sum scalar, then with AVX2 (the default where the
        // CPU has it; the same bits).
        let mut pull = [0.0; 2];
        for (k, t) in pull.iter_mut().enumerate() {
            topo_sim::push_simd::set_avx2_off(k == 0);
            *t = min_time_in(&pool, &mut || {
                topo_sim::response::dot_product(
                    &p.cfs,
                    &p.input,
                    &p.cfs.needed,
                    p.strength,
                    &mut act,
                    &mut spans,
                )
            });
        }
        topo_sim::push_simd::set_avx2_off(false);
        // Pushed whenever the input is finite, whatever the engine would
        // choose (`topo_sim::push_choice`, printed beside).
        let chosen = topo_sim::push_choice::should_push(&p.input, &p.cfs, Some(&layout), &mut sc);
        let mut line = format!(
            "engine's choice {}, pull scalar {:.3} ms, pull AVX2 {:.3} ms",
            if chosen { "push" } else { "pull" },
            pull[0] * 1e3,
            pull[1] * 1e3
        );
        eprintln!(
            "iteration cortex_density={density}: kernel V1.{name}, the push on 1 thread keeping \
             only the first k non-zero sources of the input (row-major), min of 25: {}",
            push_by_source_count(&layout, p, &mut act, &mut sc)
        );
        line += &push_variants(
            &layout,
            &p.input,
            &p.cfs.needed,
            p.strength,
            &mut act,
            &mut sc,
        );
        if sc.scan(&p.input).is_some() {
            line += &combine_variants(&layout, p, &mut act, &mut sc);
        }
        let nz = p.input.iter().filter(|&&x| x != 0.0).count();
        eprintln!(
            "iteration cortex_density={density}: kernel V1.{name} ({:.1} % of the input \
             non-zero), min of 15: {line}",
            100.0 * nz as f64 / p.input.len().max(1) as f64
        );
        // The same projection on a denser input like those of the first
        // settling steps (the real one dilated by two units each way).
        let dense = dilate(&p.input, p.cfs.needed.cols(), 2);
        let nz = dense.iter().filter(|&&x| x != 0.0).count();
        eprintln!(
            "iteration cortex_density={density}: kernel V1.{name} on the input dilated by 2 \
             ({:.1} % non-zero), min of 15: {}",
            100.0 * nz as f64 / dense.len().max(1) as f64,
            push_variants(
                &layout,
                &dense,
                &p.cfs.needed,
                p.strength,
                &mut act,
                &mut sc
            )
        );
        // The sync of the per-source copy after learning, for V1's
        // current activity: in unit order (the reference, one thread) and
        // by bands of source rows (the default size, then larger) on 1
        // and 2 threads. Least wall and process CPU time of 15 calls each.
        print_sync(net, density, name, &p.cfs, &mut layout, &pool);
    }
}

/// The pushed dot product of `input` through `layout` in each variant of
/// the kernel, on 1 and 2 threads: by planes with the scalar run loop,
/// with AVX2 (the same bits, see the `push_simd` test) without and with
/// the prefetch of the next source's weights, with AVX-512 (the default
/// where the CPU has it, for copies up to 128 MB; AVX2 above), and by
/// unit chunks with the default loop: one call of each
/// in turn, 15 times, so load drifts hit all alike; the least time of
/// each.
fn push_variants(
    layout: &topo_sim::push::PushLayout,
    input: &[f64],
    needed: &topo_sim::exchange::Block,
    strength: f64,
    act: &mut [f64],
    sc: &mut topo_sim::push::PushScratch,
) -> String {
    use topo_sim::push::push_dot_product;
    let mut line = String::new();
    if sc.scan(input).is_none() {
        return line;
    }
    // (unit chunks, AVX2, prefetch, AVX-512)
    let variants = [
        (false, false, true, false),
        (false, true, false, false),
        (false, true, true, false),
        (false, true, true, true),
        (true, true, true, true),
    ];
    for threads in [1, 2] {
        let pool = common::pool(threads);
        let mut best = [f64::INFINITY; 5];
        for _ in 0..15 {
            for (&(chunks, avx2, prefetch, avx512), b) in variants.iter().zip(best.iter_mut()) {
                topo_sim::push::set_unit_chunks(chunks);
                topo_sim::push_simd::set_avx2_off(!avx2);
                topo_sim::push_simd::set_avx512_off(!avx512);
                topo_sim::push_simd::set_prefetch_off(!prefetch);
                let e = common::time_in(&pool, || {
                    push_dot_product(layout, input, needed, strength, act, sc)
                });
                *b = b.min(e);
            }
        }
        for (&(chunks, avx2, prefetch, avx512), t) in variants.iter().zip(best) {
            line += &format!(
                ", push {} {}{} {threads} thread(s) {:.3} ms",
                if chunks {
                    "by unit chunks"
                } else {
                    "by planes"
                },
                match (avx2, avx512) {
                    (false, _) => "scalar",
                    (true, false) => "AVX2",
                    (true, true) => "AVX-512 (AVX2 above 128 MB)",
                },
                if prefetch { "" } else { " no prefetch" },
                t * 1e3
            );
        }
    }
    topo_sim::push::set_unit_chunks(false);
    topo_sim::push_simd::set_avx2_off(false);
    topo_sim::push_simd::set_avx512_off(false);
    topo_sim::push_simd::set_prefetch_off(false);
    line
}

/// The push's fixed cost per call beside its cost per source: the
/// default push on 1 thread of the projection's input cut down to its
/// first `k` non-zero sources, for a few `k` up to all of them.
fn push_by_source_count(
    layout: &topo_sim::push::PushLayout,
    p: &topo_sim::projection::Projection,
    act: &mut [f64],
    sc: &mut topo_sim::push::PushScratch,
) -> String {
    let pool = common::pool(1);
    let nonzero: Vec<usize> = (0..p.input.len()).filter(|&i| p.input[i] != 0.0).collect();
    let mut line = Vec::new();
    for k in [1, 8, 32, 128, nonzero.len()] {
        let mut input = vec![0.0; p.input.len()];
        for &i in nonzero.iter().take(k) {
            input[i] = p.input[i];
        }
        if k > nonzero.len() || sc.scan(&input).is_none() {
            continue;
        }
        let best = (0..25)
            .map(|_| {
                common::time_in(&pool, || {
                    topo_sim::push::push_dot_product(
                        layout,
                        &input,
                        &p.cfs.needed,
                        p.strength,
                        act,
                        sc,
                    )
                })
            })
            .fold(f64::INFINITY, f64::min);
        line.push(format!("{k} sources {:.1} us", best * 1e6));
    }
    line.join(", ")
}

/// `input` (rows of `ncols`) with every element within `r` rows and
/// columns of a non-zero one set to the largest magnitude nearby.
fn dilate(input: &[f64], ncols: usize, r: usize) -> Vec<f64> {
    let nrows = input.len() / ncols.max(1);
    let mut out = vec![0.0; input.len()];
    for i in 0..nrows {
        for j in 0..ncols {
            let mut m = 0.0f64;
            for a in i.saturating_sub(r)..(i + r + 1).min(nrows) {
                for b in j.saturating_sub(r)..(j + r + 1).min(ncols) {
                    m = m.max(input[a * ncols + b].abs());
                }
            }
            out[i * ncols + j] = m;
        }
    }
    out
}

/// The push by planes (AVX2 run loop, default prefetch) with each of
/// the lane combines (issue 14 session 10, "combine"; the same bits):
/// the loop before, the scalar table-driven one, AVX-512F (the default
/// where the CPU has it), one call of each in turn, 15 times, on 1 and 2
/// threads; the kernel's min per variant as more of the kernel line.
fn combine_variants(
    layout: &topo_sim::push::PushLayout,
    p: &topo_sim::projection::Projection,
    act: &mut [f64],
    sc: &mut topo_sim::push::PushScratch,
) -> String {
    let variants = [
        ("reference", true, false),
        ("table", false, true),
        ("AVX-512", false, false),
    ];
    let mut line = String::new();
    for threads in [1, 2] {
        let pool = common::pool(threads);
        let mut best = [f64::INFINITY; 3];
        for _ in 0..15 {
            for (&(_, off, avx512_off), b) in variants.iter().zip(best.iter_mut()) {
                topo_sim::push::set_lane_combine_off(off);
                topo_sim::push::set_combine_avx512_off(avx512_off);
                let e = common::time_in(&pool, || {
                    topo_sim::push::push_dot_product(
                        layout,
                        &p.input,
                        &p.cfs.needed,
                        p.strength,
                        act,
                        sc,
                    )
                });
                *b = b.min(e);
            }
        }
        for (&(name, _, _), t) in variants.iter().zip(best) {
            line += &format!(
                ", push by planes (default run loop) combine {name} {threads} thread(s) {:.3} ms",
                t * 1e3
            );
        }
    }
    topo_sim::push::set_lane_combine_off(false);
    topo_sim::push::set_combine_avx512_off(false);
    line
}

/// The sync of the per-source copy after learning, for V1's current
/// activity, of projection `name` (whose weights are `cfs`, copied per
/// source in `layout`).
fn print_sync(
    net: &topo_sim::Network,
    density: u32,
    name: &str,
    cfs: &topo_sim::cf::ConnectionFields,
    layout: &mut topo_sim::push::PushLayout,
    pool: &rayon::ThreadPool,
) {
    let v1 = net.activity("V1");
    // (label, banded, threads, prefetch, band MB, branch-free): the unit
    // order (the reference, the engine's choice on one thread or with one
    // band), then by bands of 4 MB (the default) copying as before issue
    // 14 session 10 ("old copy") without and with the prefetch, and
    // branch-free (the default, see `set_sync_branch_free_off`) without
    // and with it, on 1 and 2 threads, then 8 MB bands; one call of each
    // in turn, 15 times, so load drifts hit all alike; least wall and CPU
    // time of each.
    let variants = [
        ("unit order", false, 1, false, 4, false),
        ("bands old copy no prefetch", true, 1, false, 4, false),
        ("bands old copy", true, 1, true, 4, false),
        ("bands no prefetch", true, 1, false, 4, true),
        ("bands", true, 1, true, 4, true),
        ("bands old copy", true, 2, true, 4, false),
        ("bands", true, 2, true, 4, true),
        ("8 MB bands", true, 1, true, 8, true),
        ("8 MB bands", true, 2, true, 8, true),
    ];
    let pools = [pool, &common::pool(2)];
    let mut best = [(f64::INFINITY, f64::INFINITY); 9];
    for _ in 0..15 {
        for (&(_, banded, threads, prefetch, mb, free), b) in variants.iter().zip(best.iter_mut()) {
            topo_sim::push::set_sync_prefetch_off(!prefetch);
            topo_sim::push::set_sync_branch_free_off(!free);
            layout.set_sync_band_bytes(mb << 20);
            let c0 = common::thread_cpu_ns();
            let wall = common::time_in(pools[threads - 1], || {
                assert!(if banded {
                    layout.sync_units_banded(cfs, v1)
                } else {
                    layout.sync_units_unit_order(cfs, v1)
                })
            });
            let t = (wall, common::cpu_since(&c0));
            *b = (b.0.min(t.0), b.1.min(t.1));
        }
    }
    topo_sim::push::set_sync_branch_free_off(false);
    topo_sim::push::set_sync_prefetch_off(false);
    layout.set_sync_band_bytes(4 << 20);
    let line = variants
        .iter()
        .zip(best)
        .map(|(&(label, _, threads, _, _, _), t)| {
            format!(
                "{label}, {threads} thread(s) {:.3} ms ({:.3} CPU)",
                t.0 * 1e3,
                t.1 * 1e3
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    let active = v1.iter().filter(|&&y| y != 0.0).count();
    eprintln!(
        "iteration cortex_density={density}: sync V1.{name} ({active} active units), \
         min of 15 wall (CPU): {line}"
    );
}

fn print_phases(density: u32, what: &str, phases: &[(String, f64, usize)]) {
    let total: f64 = phases.iter().map(|p| p.1).sum();
    eprintln!(
        "iteration cortex_density={density}, {what}: {:.3} ms/iteration wall by phase \
         (1 process, global pool):",
        total * 1e3
    );
    for (name, t, n) in phases {
        eprintln!(
            "  {name:<48} {:>9.3} ms {:>5.1} %  ({n} per iteration)",
            t * 1e3,
            100.0 * t / total
        );
    }
}

/// Wall and CPU seconds per iteration of one `run(n)` (after a warm-up
/// iteration that also builds any per-source layouts): one run of n
/// iterations, as batch mode runs between analysis times (responses
/// nothing reads are owed to the end of a run, see
/// `Network::resolve_pending_responses`). CPU time of the whole process
/// shows the work apart from waiting for a loaded machine.
fn timed(
    net: &mut topo_sim::Network,
    ex: &mut topo_sim::exchange::LocalExchange,
    pool: &rayon::ThreadPool,
    n: i32,
) -> (f64, f64) {
    pool.install(|| net.run(Time::from_int(1), ex))
        .unwrap_or_else(|e| panic!("run: {e}"));
    let cpu0 = common::process_cpu_seconds();
    let t0 = Instant::now();
    pool.install(|| net.run(Time::from_int(n.into()), ex))
        .unwrap_or_else(|e| panic!("run: {e}"));
    let s = t0.elapsed().as_secs_f64() / f64::from(n);
    let cpu = (common::process_cpu_seconds() - cpu0) / f64::from(n);
    (s, cpu)
}

criterion_group!(benches, iteration);
criterion_main!(benches);
