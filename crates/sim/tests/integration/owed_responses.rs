//! Responses owed to the end of a run (the last delivery of a finished
//! settling iteration, which the next iteration clears before anything
//! reads it) change nothing anyone can see: GCAL run as one `run(4)`
//! (three iterations' last lateral and gain-control responses skipped)
//! and as four `run(1)` (each computed at the end of its run) end in the
//! same state, bit for bit, projection activities included; so do four
//! `run_ahead(1)` (owing across the runs, as the batch loop steps) and a
//! `resolve_owed`, and a `run_ahead` leaves the responses owed.

use crate::dyn_common;

use topo_sim::exchange::{LocalExchange, WholeSheets};
use topo_sim::Network;
use topo_spec::Time;

fn state(chunks: &[i64]) -> Vec<Vec<u64>> {
    state_by(chunks, false)
}

/// The state after running `chunks`, each by `run` or (`ahead`) by
/// `run_ahead`, then `resolve_owed`.
fn state_by(chunks: &[i64], ahead: bool) -> Vec<Vec<u64>> {
    let spec = dyn_common::example_model("gcal_class.ty", &[("cortex_density", "20")]);
    let mut ex = LocalExchange::new();
    let mut net = Network::build(&spec, &WholeSheets, &mut ex).expect("build");
    for &n in chunks {
        if ahead {
            net.run_ahead(Time::from_int(n), &mut ex)
                .expect("run_ahead");
            let owing = net
                .projection_names()
                .into_iter()
                .filter(|(d, n)| net.projection(d, n).expect("projection").pending_response)
                .count();
            // V1's lateral pair and each LGN sheet's gain control.
            assert!(owing >= 3, "run_ahead left only {owing} responses owed");
        } else {
            net.run(Time::from_int(n), &mut ex).expect("run");
        }
    }
    if ahead {
        net.resolve_owed(&mut ex).expect("resolve_owed");
    }
    let mut out = Vec::new();
    for s in net.sheet_names() {
        out.push(net.activity(&s).iter().map(|x| x.to_bits()).collect());
    }
    for (dest, name) in net.projection_names() {
        let p = net.projection(&dest, &name).expect("projection");
        assert!(!p.pending_response, "{dest}.{name} still owes its response");
        out.push(p.activity.iter().map(|x| x.to_bits()).collect());
        out.push(
            p.cfs
                .weights
                .iter()
                .map(|w| u64::from(w.to_bits()))
                .collect(),
        );
    }
    out
}

#[test]
fn one_long_run_equals_short_runs() {
    let long = state(&[4]);
    let short = state(&[1, 1, 1, 1]);
    assert_eq!(long.len(), short.len());
    for (i, (a, b)) in long.iter().zip(&short).enumerate() {
        assert!(a == b, "array {i} differs between run(4) and 4 x run(1)");
    }
}

#[test]
fn runs_ahead_then_resolved_equal_one_run() {
    let long = state(&[4]);
    let ahead = state_by(&[1, 1, 1, 1], true);
    assert_eq!(long.len(), ahead.len());
    for (i, (a, b)) in long.iter().zip(&ahead).enumerate() {
        assert!(
            a == b,
            "array {i} differs between run(4) and 4 x run_ahead(1)"
        );
    }
}
