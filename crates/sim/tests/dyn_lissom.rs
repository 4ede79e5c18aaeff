//! LISSOM models against Topographica: lissom_oo_or's stage data
//! (B_lissom_oo_or) and the training-test traces lissom_oo_or.ty_DATA and
//! lissom_or.ty_DATA (t = 1, 100, 250, with the scheduled radius, rate and
//! threshold changes at 100 and 250).

mod dyn_common;

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
