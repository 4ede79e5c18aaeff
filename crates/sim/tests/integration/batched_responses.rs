//! Dot-product responses queued to the end of a step's events and
//! computed in one parallel region (`network::batched_responses`) give
//! the very bits of responses computed at each delivery: every probe
//! (each activation's activity and projection activities, each learning
//! step's activity) and the final activities and weights, on 1, 2 and 3
//! threads, for GCAL and LISSOM, with runs cut so that responses owed to
//! the end of a run are resolved in between.

use crate::dyn_common;

use std::sync::{Arc, Mutex};
use topo_sim::exchange::{LocalExchange, WholeSheets};
use topo_sim::{Network, Probe};
use topo_spec::{ModelSpec, Time};

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

/// Everything the run shows, as bits: the probes in order, then the
/// final sheet and projection activities and the weights.
fn trace(spec: &ModelSpec, batched: bool, threads: usize, runs: &[i64]) -> Vec<Vec<u64>> {
    trace_with(spec, threads, runs, &|net| {
        net.set_batched_responses(batched)
    })
}

/// Runs `spec` (`runs` as in [`trace_with`]) with `switch(true)` on one
/// thread as the reference, then with `switch(false)` and `switch(true)`
/// on 1, 2 and 3 threads, and asserts that every traced array has the
/// reference's bits; `switch(false)` is left set. `what` names the switch
/// in failures. For the process-wide A/B switches that must change no bit
/// (used by `choice_bound` and `group_op_slices`).
pub(crate) fn same_bits_either_way(
    spec: &ModelSpec,
    runs: &[i64],
    what: &str,
    switch: &dyn Fn(bool),
) {
    let run = |on: bool, threads: usize| {
        switch(on);
        let t = trace_with(spec, threads, runs, &|_| {});
        switch(false);
        t
    };
    let reference = run(true, 1);
    assert!(reference.len() > 50, "only {} arrays", reference.len());
    for threads in [1, 2, 3] {
        for on in [false, true] {
            let got = run(on, threads);
            assert_eq!(got.len(), reference.len());
            for (i, (a, b)) in got.iter().zip(&reference).enumerate() {
                assert!(a == b, "array {i} differs ({what} {on}, {threads} threads)");
            }
        }
    }
}

/// [`same_bits_either_way`] on GCAL (cortex_density 20, runs `[2, 1]`)
/// and on LISSOM (cortex_density 16, retina_density 12, runs `[1, 2]`).
pub(crate) fn gcal_and_lissom_same_bits_either_way(what: &str, switch: &dyn Fn(bool)) {
    let gcal = dyn_common::example_model("gcal_class.ty", &[("cortex_density", "20")]);
    same_bits_either_way(&gcal, &[2, 1], what, switch);
    let lissom = dyn_common::example_model(
        "lissom_or.ty",
        &[("cortex_density", "16"), ("retina_density", "12")],
    );
    same_bits_either_way(&lissom, &[1, 2], what, switch);
}

/// [`trace`] of a network set up by `configure` after it is built (also
/// used by `keep_awake` and `learn_simd`): every probe, then the final
/// activities, projection activities, cached norm totals and weights.
pub(crate) fn trace_with(
    spec: &ModelSpec,
    threads: usize,
    runs: &[i64],
    configure: &(dyn Fn(&mut Network) + Sync),
) -> Vec<Vec<u64>> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("pool");
    pool.install(|| {
        let mut ex = LocalExchange::new();
        let mut net = Network::build(spec, &WholeSheets, &mut ex).expect("build");
        configure(&mut net);
        let seen: Arc<Mutex<Vec<Vec<u64>>>> = Arc::default();
        let rec = seen.clone();
        net.set_recorder(Some(Box::new(move |p: &Probe<'_>| {
            let mut out = rec.lock().expect("trace");
            match p {
                Probe::Activated {
                    activity,
                    projections,
                    ..
                } => {
                    out.push(bits(activity));
                    for (_, a) in projections {
                        out.push(bits(a));
                    }
                }
                Probe::Learned { activity, .. } => out.push(bits(activity)),
                Probe::Delivered { .. } => {}
            }
        })));
        for &n in runs {
            net.run(Time::from_int(n), &mut ex).expect("run");
        }
        net.set_recorder(None);
        let mut out = std::mem::take(&mut *seen.lock().expect("trace"));
        for s in net.sheet_names() {
            out.push(bits(net.activity(&s)));
        }
        for (dest, name) in net.projection_names() {
            let p = net.projection(&dest, &name).expect("projection");
            assert!(!p.pending_response, "{dest}.{name} still owes its response");
            out.push(bits(&p.activity));
            out.push(bits(&p.cfs.norm_total));
            out.push(
                p.cfs
                    .weights
                    .iter()
                    .map(|w| u64::from(w.to_bits()))
                    .collect(),
            );
        }
        out
    })
}

fn compare(spec: &ModelSpec, runs: &[i64]) {
    let reference = trace(spec, false, 1, runs);
    assert!(
        reference.len() > 50,
        "only {} arrays traced",
        reference.len()
    );
    for threads in [1, 2, 3] {
        for batched in [false, true] {
            let got = trace(spec, batched, threads, runs);
            assert_eq!(got.len(), reference.len());
            for (i, (a, b)) in got.iter().zip(&reference).enumerate() {
                assert!(
                    a == b,
                    "array {i} differs (batched {batched}, {threads} threads)"
                );
            }
        }
    }
}

#[test]
fn gcal_batched_equals_one_by_one() {
    let spec = dyn_common::example_model("gcal_class.ty", &[("cortex_density", "20")]);
    compare(&spec, &[2, 1]);
}

#[test]
fn lissom_batched_equals_one_by_one() {
    let spec = dyn_common::example_model(
        "lissom_or.ty",
        &[("cortex_density", "16"), ("retina_density", "12")],
    );
    compare(&spec, &[1, 2]);
}
