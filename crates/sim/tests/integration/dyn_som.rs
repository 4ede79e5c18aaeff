//! som_retinotopy against Topographica's stage data (C_som_retinotopy)
//! and its training-test trace (som_retinotopy.ty_DATA).

use crate::dyn_common;

use dyn_common::*;

#[test]
fn som_first_run_event_by_event() {
    let data = load("dyn_stage_som_retinotopy.json");
    match first_run(&som_spec(), &data, DECIMAL6) {
        Ok(worst) => println!("som first run(1): worst stage diff {worst:.3e}"),
        Err(e) => panic!("som first diverging stage: {e}"),
    }
}

#[test]
fn som_stage_trace_to_100() {
    let data = load("dyn_stage_som_retinotopy.json");
    let diffs = stage_trace(&som_spec(), &data, &["V1", "Retina"]).unwrap();
    for (t, d) in diffs {
        assert!(d < DECIMAL6, "t={t}: max |diff| {d:e}");
    }
}

#[test]
fn som_traintest_decimal6() {
    let reference = load("trace_ref_som_retinotopy.json");
    let diffs = traintest(&som_spec(), &reference).unwrap();
    println!("som_retinotopy.ty_DATA max |diff| per time: {diffs:?}");
    for (t, d) in diffs {
        assert!(d < DECIMAL6, "t={t}: max |diff| {d:e}");
    }
}
