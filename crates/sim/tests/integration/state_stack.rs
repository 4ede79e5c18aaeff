//! `state_push` / `state_pop` (Topographica's Simulation methods, used by
//! featuremapper before and after every presentation): whatever runs in
//! between without plasticity, the network continues exactly as if it had
//! not run.

use crate::dyn_common;

use dyn_common::example_model;
use topo_sim::exchange::{LocalExchange, WholeSheets};
use topo_sim::Network;
use topo_spec::Time;

/// Every sheet's activity and thresholds and every projection's weight
/// sums, as bits.
fn fingerprint(net: &Network) -> Vec<Vec<u64>> {
    let mut out = Vec::new();
    for s in net.sheet_names() {
        out.push(net.activity(&s).iter().map(|v| v.to_bits()).collect());
        if let Some(t) = net.thresholds(&s) {
            out.push(t.iter().map(|v| v.to_bits()).collect());
        }
        out.push(
            net.settle_state(&s)
                .map(|(c, n)| vec![c as u64, n as u64])
                .unwrap_or_default(),
        );
    }
    for (d, n) in net.projection_names() {
        let w = net.weight_sums(&d, &n).unwrap();
        out.push(w.iter().map(|v| v.to_bits()).collect());
        let p = net.projection(&d, &n).unwrap();
        out.push(p.activity.iter().map(|v| v.to_bits()).collect());
    }
    out
}

fn gcal() -> topo_spec::ModelSpec {
    example_model(
        "gcal.ty",
        &[
            ("cortex_density", "12"),
            ("lgn_density", "12"),
            ("retina_density", "12"),
        ],
    )
}

#[test]
fn a_pushed_and_popped_excursion_leaves_no_trace() {
    let spec = gcal();
    let mut ex = LocalExchange::new();
    let mut plain = Network::build(&spec, &WholeSheets, &mut ex).unwrap();
    plain.run(Time::from_int(3), &mut ex).unwrap();
    let before = fingerprint(&plain);

    let mut probed = Network::build(&spec, &WholeSheets, &mut ex).unwrap();
    probed.run(Time::from_int(3), &mut ex).unwrap();
    probed.state_push();
    probed.push_plasticity(false);
    probed.run(Time::from_f64(1.5), &mut ex).unwrap();
    probed.pop_plasticity();
    assert_ne!(
        fingerprint(&probed),
        before,
        "the excursion changed nothing to restore"
    );
    probed.state_pop().unwrap();
    assert_eq!(probed.time(), plain.time());
    assert_eq!(fingerprint(&probed), before);

    // And training goes on bit for bit.
    plain.run(Time::from_int(4), &mut ex).unwrap();
    probed.run(Time::from_int(4), &mut ex).unwrap();
    assert_eq!(fingerprint(&probed), fingerprint(&plain));
}

#[test]
fn state_pop_without_push_is_an_error() {
    let mut ex = LocalExchange::new();
    let mut net = Network::build(&gcal(), &WholeSheets, &mut ex).unwrap();
    assert!(net.state_pop().is_err());
}
