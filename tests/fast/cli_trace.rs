//! `topo-hpc trace --compare` against Topographica's own training-test data
//! (tests/data/traintests, copied from shared/reference/traintests), with
//! Topographica's criterion: |diff| < 1.5e-6 (numpy decimal=6). One process
//! each; the same trace on three ranks is in the full tier (tests/full/cli_trace.rs).

use crate::run_mpi::trace;
use std::path::PathBuf;
use std::process::Output;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn text(o: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn reproduces(model: &str, reference: &str, params: &[&str]) {
    let r = root().join("tests/data/traintests").join(reference);
    let o = trace(0, model, params, &["--compare", r.to_str().unwrap()]);
    let t = text(&o);
    assert!(
        o.status.success(),
        "{model} does not reproduce {reference}:\n{t}"
    );
    assert!(t.contains("OK: equal to decimal 6"), "{t}");
    assert_eq!(t.matches("max |diff|").count(), 3, "{t}");
}

const D: [&str; 3] = ["cortex_density=8", "lgn_density=24", "retina_density=24"];

#[test]
fn gcal_reproduces_topographica() {
    reproduces("gcal_class.ty", "gcal.json", &D);
}

#[test]
fn lissom_oo_or_reproduces_topographica() {
    reproduces("lissom_oo_or.ty", "lissom_oo_or.json", &D);
}

#[test]
fn lissom_or_reproduces_topographica() {
    reproduces(
        "lissom_or.ty",
        "lissom_or.json",
        &["cortex_density=8", "retina_density=24"],
    );
}

#[test]
fn som_reproduces_topographica() {
    reproduces(
        "som_retinotopy.ty",
        "som_retinotopy.json",
        &["cortex_density=8", "retina_density=24"],
    );
}

/// A reference that differs past decimal 6 makes the command fail.
#[test]
fn compare_fails_past_decimal_six() {
    let src = root().join("tests/data/traintests/lissom_or.json");
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(src).unwrap()).unwrap();
    let v = doc["activity"]["100"][3][4].as_f64().unwrap();
    doc["activity"]["100"][3][4] = serde_json::json!(v + 2e-6);
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, doc.to_string()).unwrap();
    let o = trace(
        0,
        "lissom_or.ty",
        &["cortex_density=8", "retina_density=24"],
        &["--compare", bad.to_str().unwrap()],
    );
    assert!(!o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("FAIL"), "{}", text(&o));
}
