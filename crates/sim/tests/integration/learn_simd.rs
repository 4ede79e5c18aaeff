//! Learning and normalisation with the AVX2 loops of `learn_simd` give the
//! very bits of the scalar loops (the engine before them): every probe
//! (each activation's activity and projection activities, each learning
//! step's activity) and the final activities, weights and cached norm
//! totals, on 1, 2 and 3 threads, with and without the prefetch of the
//! next unit's CF, for GCAL (Hebbian, the C kernels' L1
//! normalisation, joint afferent totals, a learning rate of 0 on the
//! lateral excitatory projection) and LISSOM.

use crate::dyn_common;

use std::sync::Mutex;
use topo_sim::learn_simd;
use topo_spec::ModelSpec;

/// `learn_simd::set_off` is process-wide: the runs of this file take
/// turns (other tests get the same bits on either path).
static SWITCH: Mutex<()> = Mutex::new(());

/// Everything the run shows, as bits (`batched_responses::trace_with`).
fn trace(spec: &ModelSpec, simd: bool, threads: usize, iterations: i64) -> Vec<Vec<u64>> {
    trace_prefetch(spec, simd, true, threads, iterations)
}

/// [`trace`], with or without the prefetch of the next unit's CF.
fn trace_prefetch(
    spec: &ModelSpec,
    simd: bool,
    prefetch: bool,
    threads: usize,
    iterations: i64,
) -> Vec<Vec<u64>> {
    let _turn = SWITCH.lock().unwrap_or_else(|e| e.into_inner());
    // Prefetch whatever the size, so that the small models run the
    // prefetching path (left so: it changes no bit of other tests).
    topo_sim::push_simd::set_prefetch_min_bytes(0);
    learn_simd::set_off(!simd);
    learn_simd::set_prefetch_off(!prefetch);
    let out = crate::batched_responses::trace_with(spec, threads, &[iterations], &|_| {});
    learn_simd::set_off(false);
    learn_simd::set_prefetch_off(false);
    out
}

fn compare(spec: &ModelSpec, iterations: i64) {
    let reference = trace(spec, false, 1, iterations);
    assert!(
        reference.len() > 50,
        "only {} arrays traced",
        reference.len()
    );
    for threads in [1, 2, 3] {
        for (simd, prefetch) in [(false, true), (true, false), (true, true)] {
            let got = trace_prefetch(spec, simd, prefetch, threads, iterations);
            assert_eq!(got.len(), reference.len());
            for (i, (a, b)) in got.iter().zip(&reference).enumerate() {
                assert!(
                    a == b,
                    "array {i} differs (simd {simd}, prefetch {prefetch}, {threads} threads)"
                );
            }
        }
    }
}

#[test]
fn the_avx2_loops_are_available_here() {
    // The comparisons below are only worth something where the AVX2
    // loops run (every machine this project's CI and benches use).
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        let _turn = SWITCH.lock().unwrap_or_else(|e| e.into_inner());
        assert!(learn_simd::on());
    }
}

#[test]
fn gcal_learning_simd_equals_scalar() {
    let spec = dyn_common::example_model("gcal_class.ty", &[("cortex_density", "20")]);
    compare(&spec, 4);
}

#[test]
fn lissom_learning_simd_equals_scalar() {
    let spec = dyn_common::example_model(
        "lissom_or.ty",
        &[("cortex_density", "16"), ("retina_density", "12")],
    );
    compare(&spec, 3);
}
