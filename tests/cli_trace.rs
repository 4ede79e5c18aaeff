//! `topo-hpc trace --compare` against Topographica's own training-test data
//! (tests/data/traintests, copied from shared/reference/traintests), with
//! Topographica's criterion: |diff| < 1.5e-6 (numpy decimal=6).

use std::path::PathBuf;
use std::process::Output;

#[path = "mpi/run.rs"]
mod run_mpi;

const BIN: &str = env!("CARGO_BIN_EXE_topo-hpc");

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn trace(ranks: usize, model: &str, params: &[&str], extra: &[&str]) -> Output {
    let mut c = run_mpi::command(BIN, ranks);
    c.arg("trace").arg(root().join("examples").join(model));
    for p in params {
        c.args(["-p", p]);
    }
    c.args(["--sheet", "V1", "--times", "1,100,250"])
        .args(extra)
        .output()
        .unwrap()
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

/// The file rank 0 writes under mpirun equals the one-process file byte for byte.
#[test]
fn trace_file_is_identical_on_three_ranks() {
    let dir = tempfile::tempdir().unwrap();
    let one = dir.path().join("one.json");
    let three = dir.path().join("three.json");
    let o = trace(0, "lissom_oo_or.ty", &D, &["--out", one.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let o = trace(
        3,
        "lissom_oo_or.ty",
        &D,
        &["--out", three.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(std::fs::read(one).unwrap(), std::fs::read(three).unwrap());
}
