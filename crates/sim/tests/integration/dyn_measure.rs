//! The presentation protocol of map measurement: plasticity off, a test
//! pattern on the retina, the queue and time saved and restored.

use crate::dyn_common;

use dyn_common::*;
use topo_sim::exchange::{LocalExchange, WholeSheets};
use topo_sim::Network;
use topo_spec::{Time, Value};

#[test]
fn presenting_a_pattern_changes_no_weight_and_restores_time() {
    let spec = gcal_spec();
    let mut ex = LocalExchange::new();
    let mut net = Network::build(&spec, &WholeSheets, &mut ex).unwrap();
    net.run(Time::from_int(3), &mut ex).unwrap();
    let before: Vec<Vec<f64>> = net
        .projection_names()
        .iter()
        .map(|(d, n)| net.weight_sums(d, n).unwrap())
        .collect();
    let thresholds = net.thresholds("V1").unwrap().to_vec();
    let pending = net.pending_events();

    let mut b = Builder::default();
    let grating = b.pattern(
        "imagen.SineGrating",
        vec![
            ("frequency", Value::Float(2.4)),
            ("phase", Value::Float(0.0)),
            ("orientation", Value::Float(0.5)),
            ("scale", Value::Float(0.7)),
        ],
    );
    let grating = grating.as_object().unwrap().clone();
    net.push_plasticity(false);
    let old = net.set_input_generator("Retina", grating).unwrap();
    net.event_push();
    net.run(Time::from_int(1), &mut ex).unwrap();
    let response: f64 = net.activity("V1").iter().sum();
    net.event_pop().unwrap();
    net.pop_plasticity();
    net.set_input_generator("Retina", old).unwrap();

    assert!(response > 0.0, "the grating drives V1");
    assert_eq!(net.time(), Time::from_int(3));
    assert_eq!(net.pending_events(), pending);
    let after: Vec<Vec<f64>> = net
        .projection_names()
        .iter()
        .map(|(d, n)| net.weight_sums(d, n).unwrap())
        .collect();
    assert_eq!(before, after, "no learning while plasticity is off");
    assert_eq!(
        thresholds,
        net.thresholds("V1").unwrap(),
        "no threshold update"
    );
    net.run(Time::from_int(1), &mut ex).unwrap();
    assert_eq!(net.time(), Time::from_int(4));
}
