//! Class-based GCAL (cortex 8, LGN/retina 24) against Topographica's
//! stage data (A_gcal) and its training-test trace (gcal.ty_DATA).

mod dyn_common;

use dyn_common::*;

/// The stage data come from Topographica's numpy code path, whose
/// `CFPOF_DivisiveNormalizeL1` multiplies float32 weights by a float32
/// factor (numpy's scalar casting), while the Cython path that produced
/// gcal.ty_DATA (and this engine) multiplies in double: initial weights
/// differ by up to one float32 ulp (6e-8 relative), which shows as ~4e-9
/// in projection activities at the first V1 step and grows through the
/// 16 settling steps (1.6e-7 at t=0.45). Topographica's own criterion,
/// decimal 6, is therefore the stage tolerance too.
const STAGE_TOL: f64 = DECIMAL6;

/// The stage trace agrees to decimal 6 up to t=3; afterwards the numpy
/// path's float32 rounding (above) has grown through learning and
/// homeostasis (1.2e-5 at t=5), while the Cython-made gcal.ty_DATA is
/// matched exactly (see `gcal_traintest_decimal6`).
const STAGE_TRACE_CHECKED_UNTIL: i64 = 3;

#[test]
fn gcal_first_run_event_by_event() {
    let data = load("dyn_stage_gcal.json");
    match first_run(&gcal_spec(), &data, STAGE_TOL) {
        Ok(worst) => println!("gcal first run(1): worst stage diff {worst:.3e}"),
        Err(e) => panic!("gcal first diverging stage: {e}"),
    }
}

#[test]
fn gcal_stage_trace_to_100() {
    let data = load("dyn_stage_gcal.json");
    let diffs = stage_trace(&gcal_spec(), &data, &["V1", "LGNOn", "LGNOff"]).unwrap();
    for (t, d) in diffs {
        if t <= STAGE_TRACE_CHECKED_UNTIL {
            assert!(d < DECIMAL6, "t={t}: max |diff| {d:e}");
        }
    }
}

#[test]
fn gcal_traintest_decimal6() {
    let reference = load("trace_ref_gcal.json");
    let diffs = traintest(&gcal_spec(), &reference).unwrap();
    println!("gcal.ty_DATA max |diff| per time: {diffs:?}");
    for (t, d) in diffs {
        assert!(d < DECIMAL6, "t={t}: max |diff| {d:e}");
    }
}
