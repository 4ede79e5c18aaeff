//! `param.random_seed` (gcal.ty's `seed` parameter) reaches every
//! time-dependent random stream of the engine: the GaussianCloud initial
//! weights and the training inputs change with it, deterministic parts do
//! not, and a snapshot carries it.

use crate::dyn_common;

use dyn_common::*;
use topo_sim::exchange::{LocalExchange, WholeSheets};
use topo_sim::Network;
use topo_spec::{ModelSpec, ParamRandomSeed, Time};

fn gcal(seed: Option<&str>) -> ModelSpec {
    let mut ov = vec![("cortex_density", "8")];
    if let Some(s) = seed {
        ov.push(("seed", s));
    }
    example_model("gcal.ty", &ov)
}

fn build(spec: &ModelSpec) -> (Network, LocalExchange) {
    let mut ex = LocalExchange::new();
    let net = Network::build(spec, &WholeSheets, &mut ex).unwrap();
    (net, ex)
}

fn weights(net: &Network, dest: &str, name: &str) -> Vec<f32> {
    net.projection(dest, name).unwrap().cfs.weights.clone()
}

#[test]
fn the_seed_changes_random_weights_and_inputs_only() {
    let default = gcal(None);
    assert_eq!(default.param_random_seed, ParamRandomSeed::DEFAULT);
    let seven = gcal(Some("7"));
    assert_eq!(seven.param_random_seed, ParamRandomSeed(7));
    let (mut a, mut ea) = build(&default);
    let (mut b, mut eb) = build(&seven);
    // GaussianCloud weights are time-dependent imagen.random patterns.
    for (dest, name) in [("V1", "LGNOnAfferent"), ("V1", "LateralInhibitory")] {
        assert_ne!(
            weights(&a, dest, name),
            weights(&b, dest, name),
            "{dest}.{name}"
        );
    }
    // A Gaussian's weights draw nothing.
    assert_eq!(
        weights(&a, "V1", "LateralExcitatory"),
        weights(&b, "V1", "LateralExcitatory")
    );
    a.run(Time::from_int(1), &mut ea).unwrap();
    b.run(Time::from_int(1), &mut eb).unwrap();
    assert_ne!(a.activity("Retina"), b.activity("Retina"));

    // Setting 42 explicitly is the default.
    let explicit = gcal(Some("42"));
    assert_eq!(explicit.param_random_seed, ParamRandomSeed::DEFAULT);
    let (mut c, mut ec) = build(&explicit);
    c.run(Time::from_int(1), &mut ec).unwrap();
    assert_eq!(a.activity("Retina"), c.activity("Retina"));
    assert_eq!(a.activity("V1"), c.activity("V1"));
}

#[test]
fn a_snapshot_carries_the_seed() {
    let seven = gcal(Some("7"));
    let (mut net, mut ex) = build(&seven);
    net.run(Time::from_int(2), &mut ex).unwrap();
    let (arrays, meta) = net.export_state().unwrap();
    assert_eq!(meta["streams"]["random_seed"], serde_json::json!(7));
    // Restored onto a network built with the default seed, the run goes on
    // with the snapshot's seed.
    let (mut other, mut ex2) = build(&gcal(None));
    other
        .import_state(
            &meta,
            &mut |p, start, count| {
                let a = arrays
                    .iter()
                    .find(|a| a.path == p)
                    .ok_or_else(|| format!("no array {p}"))?;
                assert_eq!(start.iter().sum::<usize>(), 0, "whole-sheet arrays");
                assert_eq!(count, a.slabs[0].count.as_slice());
                Ok(a.data.clone())
            },
            &mut ex2,
        )
        .unwrap();
    net.run(Time::from_int(2), &mut ex).unwrap();
    other.run(Time::from_int(2), &mut ex2).unwrap();
    assert_eq!(net.activity("Retina"), other.activity("Retina"));
    assert_eq!(net.activity("V1"), other.activity("V1"));
}
