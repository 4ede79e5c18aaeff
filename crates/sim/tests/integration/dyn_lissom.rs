//! LISSOM models against Topographica: lissom_oo_or's stage data
//! (B_lissom_oo_or) and the training-test traces lissom_oo_or.ty_DATA and
//! lissom_or.ty_DATA (t = 1, 100, 250, with the scheduled radius, rate and
//! threshold changes at 100 and 250).

use crate::dyn_common;

use dyn_common::*;

#[test]
fn lissom_oo_or_first_run_event_by_event() {
    let data = load("dyn_stage_lissom_oo_or.json");
    match first_run(&lissom_oo_or_spec(), &data, DECIMAL6) {
        Ok(worst) => println!("lissom_oo_or first run(1): worst stage diff {worst:.3e}"),
        Err(e) => panic!("lissom_oo_or first diverging stage: {e}"),
    }
}

#[test]
fn lissom_oo_or_stage_trace_to_100() {
    let data = load("dyn_stage_lissom_oo_or.json");
    let diffs = stage_trace(&lissom_oo_or_spec(), &data, &["V1", "LGNOn", "LGNOff"]).unwrap();
    for (t, d) in diffs {
        assert!(d < DECIMAL6, "t={t}: max |diff| {d:e}");
    }
}

#[test]
fn lissom_oo_or_traintest_decimal6() {
    let reference = load("trace_ref_lissom_oo_or.json");
    let diffs = traintest(&lissom_oo_or_spec(), &reference).unwrap();
    println!("lissom_oo_or.ty_DATA max |diff| per time: {diffs:?}");
    for (t, d) in diffs {
        assert!(d < DECIMAL6, "t={t}: max |diff| {d:e}");
    }
}

#[test]
fn lissom_or_traintest_decimal6() {
    let reference = load("trace_ref_lissom_or.json");
    let diffs = traintest(&lissom_or_spec(), &reference).unwrap();
    println!("lissom_or.ty_DATA max |diff| per time: {diffs:?}");
    for (t, d) in diffs {
        assert!(d < DECIMAL6, "t={t}: max |diff| {d:e}");
    }
}

/// continuous_learning: V1 learns after every settling step (weights
/// change at the first activation, 0.15), not only at the end (0.60).
#[test]
fn continuous_learning_learns_at_every_settling_step() {
    use topo_sim::exchange::{LocalExchange, WholeSheets};
    use topo_sim::Network;
    use topo_spec::{Time, Value};
    let sums_at = |continuous: bool, t: Time| {
        let mut spec = lissom_oo_or_spec();
        let v1 = spec.sheets.iter_mut().find(|s| s.name == "V1").unwrap();
        v1.component
            .params
            .insert("continuous_learning".into(), Value::Bool(continuous));
        let mut ex = LocalExchange::new();
        let mut net = Network::build(&spec, &WholeSheets, &mut ex).unwrap();
        net.run(Time::from_int(0), &mut ex).unwrap();
        let before = net.weight_sums("V1", "LGNOnAfferent").unwrap();
        let w0: Vec<f32> = net
            .projection("V1", "LGNOnAfferent")
            .unwrap()
            .cfs
            .weights
            .clone();
        net.run(t, &mut ex).unwrap();
        let w1 = net
            .projection("V1", "LGNOnAfferent")
            .unwrap()
            .cfs
            .weights
            .clone();
        (before, w0 != w1)
    };
    let (_, changed) = sums_at(false, Time::new(16, 100));
    assert!(
        !changed,
        "without continuous learning nothing changes before 0.60"
    );
    let (_, changed) = sums_at(true, Time::new(16, 100));
    assert!(changed, "continuous learning changes weights at 0.15");
}
