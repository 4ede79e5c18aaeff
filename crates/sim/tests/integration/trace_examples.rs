//! Topographica's training tests (topo/tests/data_traintests/*_DATA,
//! copied into tests/data/trace_ref_*.json) run from the project's own
//! example model files through topo-lang: V1 after run(1), run(99),
//! run(150) to decimal 6, as Topographica's own runtests judge. Also the
//! tiny model's stage trace.

use crate::dyn_common;

use dyn_common::*;

fn check(file: &str, reference: &str, args: &[(&str, &str)]) {
    let spec = example_model(file, args);
    let diffs = traintest(&spec, &load(reference)).unwrap_or_else(|e| panic!("{file}: {e}"));
    println!("{file} vs {reference}: max |diff| per time {diffs:?}");
    for (t, d) in diffs {
        assert!(d < DECIMAL6, "{file} t={t}: max |diff| {d:e}");
    }
}

#[test]
fn gcal_class_matches_gcal_ty_data() {
    check("gcal_class.ty", "trace_ref_gcal.json", TRAIN_ARGS);
}

#[test]
fn lissom_oo_or_matches_its_data() {
    check("lissom_oo_or.ty", "trace_ref_lissom_oo_or.json", TRAIN_ARGS);
}

#[test]
fn lissom_or_matches_its_data() {
    check(
        "lissom_or.ty",
        "trace_ref_lissom_or.json",
        &[("cortex_density", "8"), ("retina_density", "24")],
    );
}

#[test]
fn som_retinotopy_matches_its_data() {
    check(
        "som_retinotopy.ty",
        "trace_ref_som_retinotopy.json",
        &[("cortex_density", "8"), ("retina_density", "24")],
    );
}

#[test]
fn tiny_example_matches_stage_trace() {
    let spec = example_model("tiny.ty", &[]);
    let data = load("dyn_stage_tiny.json");
    let diffs = stage_trace(&spec, &data, &["V1", "Retina"]).unwrap();
    for (t, d) in diffs {
        assert!(d < DECIMAL6, "tiny.ty t={t}: max |diff| {d:e}");
    }
}

#[test]
fn gcal_class_first_run_event_by_event() {
    let spec = example_model("gcal_class.ty", TRAIN_ARGS);
    let data = load("dyn_stage_gcal.json");
    match first_run(&spec, &data, DECIMAL6) {
        Ok(w) => println!("gcal_class.ty first run(1): worst stage diff {w:.3e}"),
        Err(e) => panic!("gcal_class.ty first diverging stage: {e}"),
    }
}

#[test]
fn lissom_oo_or_first_run_event_by_event() {
    let spec = example_model("lissom_oo_or.ty", TRAIN_ARGS);
    let data = load("dyn_stage_lissom_oo_or.json");
    match first_run(&spec, &data, DECIMAL6) {
        Ok(w) => println!("lissom_oo_or.ty first run(1): worst stage diff {w:.3e}"),
        Err(e) => panic!("lissom_oo_or.ty first diverging stage: {e}"),
    }
}

#[test]
fn som_first_run_event_by_event() {
    let spec = example_model(
        "som_retinotopy.ty",
        &[("cortex_density", "8"), ("retina_density", "24")],
    );
    let data = load("dyn_stage_som_retinotopy.json");
    match first_run(&spec, &data, DECIMAL6) {
        Ok(w) => println!("som_retinotopy.ty first run(1): worst stage diff {w:.3e}"),
        Err(e) => panic!("som_retinotopy.ty first diverging stage: {e}"),
    }
}
