//! Workers kept polling for work during `run` (`par_policy::KeepAwake`,
//! `Network::set_keep_awake`) give the very bits of workers left to
//! sleep: every probe and the final activities and weights of GCAL, on 1,
//! 2 and 3 threads, runs cut in pieces (each `run` starts and ends its
//! spinners); and the spinners all return once `run` is over.

use crate::batched_responses::trace_with;
use crate::dyn_common;

#[test]
fn gcal_keep_awake_changes_no_bit_and_spinners_end() {
    let spec = dyn_common::example_model("gcal_class.ty", &[("cortex_density", "20")]);
    let runs = [2, 1];
    let reference = trace_with(&spec, 1, &runs, &|net| net.set_keep_awake(false));
    assert!(
        reference.len() > 50,
        "only {} arrays traced",
        reference.len()
    );
    for threads in [1, 2, 3] {
        for on in [false, true] {
            let got = trace_with(&spec, threads, &runs, &|net| net.set_keep_awake(on));
            assert!(
                got == reference,
                "keep_awake {on}, {threads} threads: the trace differs"
            );
        }
    }
    // Other tests in this binary do not switch it on, so every spinner
    // started here must be gone soon after the last run ended.
    let t0 = std::time::Instant::now();
    while topo_sim::par_policy::live_spinners() > 0 {
        assert!(
            t0.elapsed() < std::time::Duration::from_secs(10),
            "{} spinners still running 10 s after the runs ended",
            topo_sim::par_policy::live_spinners()
        );
        std::thread::yield_now();
    }
}
