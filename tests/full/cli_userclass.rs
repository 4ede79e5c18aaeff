//! User-defined components run inside the engine: our own model texts with
//! the constructs of Topographica's examples/tiny.ty (a LearningFn class)
//! and models/obermayer_pnas90.ty (time-function classes) reproduce the
//! real Topographica's traces of those files (tests/data/userclass, from
//! shared/reference/wave2) to decimal 6 — Topographica's own criterion,
//! numpy's `assert_array_almost_equal(decimal=6)`, |diff| < 1.5e-6 — on one
//! process and under mpirun, and the user rule gives the built-in Hebbian's
//! numbers bit for bit.

use std::path::PathBuf;
use std::process::Output;

use crate::run_mpi;

const BIN: &str = env!("CARGO_BIN_EXE_topo-hpc");

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn data(f: &str) -> PathBuf {
    root().join("tests/data/userclass").join(f)
}

fn trace(ranks: usize, model: &PathBuf, params: &[&str], extra: &[&str]) -> Output {
    let mut c = run_mpi::command(BIN, ranks);
    c.arg("trace").arg(model);
    for p in params {
        c.args(["-p", p]);
    }
    c.args(["--sheet", "V1", "--times", "1,10,100"])
        .args(extra)
        .output()
        .unwrap()
}

fn reproduces(ranks: usize, model: &str, reference: &str, params: &[&str]) {
    let r = data(reference);
    let o = trace(
        ranks,
        &data(model),
        params,
        &["--compare", r.to_str().unwrap()],
    );
    let t = run_mpi::text(&o);
    assert!(
        o.status.success(),
        "{model} on {ranks} ranks does not reproduce {reference}:\n{t}"
    );
    assert!(t.contains("OK: equal to decimal 6"), "{t}");
    assert_eq!(t.matches("max |diff|").count(), 3, "{t}");
}

const OBERMAYER: [&str; 2] = ["cortex_density=10", "retina_density=15"];

#[test]
fn a_user_learning_fn_reproduces_topographica() {
    reproduces(0, "custom_hebbian.ty", "tiny_V1.json", &[]);
    reproduces(3, "custom_hebbian.ty", "tiny_V1.json", &[]);
}

#[test]
fn user_time_functions_reproduce_topographica() {
    reproduces(0, "decay_som.ty", "obermayer_pnas90_V1.json", &OBERMAYER);
    reproduces(2, "decay_som.ty", "obermayer_pnas90_V1.json", &OBERMAYER);
}

/// The schedules reach the engine: another starting learning rate gives
/// other numbers, and the comparison fails.
#[test]
fn a_changed_schedule_changes_the_results() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(data("decay_som.ty")).unwrap();
    let changed = text.replace(
        "CFProjection.learning_rate = Ramp()",
        "CFProjection.learning_rate = Ramp(first=0.5)",
    );
    assert_ne!(changed, text);
    let model = dir.path().join("changed.ty");
    std::fs::write(&model, changed).unwrap();
    let r = data("obermayer_pnas90_V1.json");
    let o = trace(0, &model, &OBERMAYER, &["--compare", r.to_str().unwrap()]);
    assert!(!o.status.success(), "{}", run_mpi::text(&o));
    assert!(run_mpi::text(&o).contains("FAIL"), "{}", run_mpi::text(&o));
}

/// The user rule `weights += rate * unit_activity * input_activity` and the
/// built-in Hebbian of examples/tiny.ty write the same file byte for byte,
/// on one thread, on several threads and on several ranks.
#[test]
fn the_user_rule_equals_the_built_in_hebbian_bit_for_bit() {
    let dir = tempfile::tempdir().unwrap();
    let builtin = dir.path().join("builtin.json");
    let o = trace(
        0,
        &root().join("examples/tiny.ty"),
        &[],
        &["--threads", "1", "--out", builtin.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", run_mpi::text(&o));
    let want = std::fs::read(&builtin).unwrap();
    for (ranks, threads) in [(0, "1"), (0, "2"), (3, "2")] {
        let out = dir.path().join(format!("user_{ranks}_{threads}.json"));
        let o = trace(
            ranks,
            &data("custom_hebbian.ty"),
            &[],
            &["--threads", threads, "--out", out.to_str().unwrap()],
        );
        assert!(o.status.success(), "{}", run_mpi::text(&o));
        let got = std::fs::read(&out).unwrap();
        // the files name their model; compare the recorded activity
        let a: serde_json::Value = serde_json::from_slice(&want).unwrap();
        let b: serde_json::Value = serde_json::from_slice(&got).unwrap();
        assert!(a["sheets"]["V1"]["100"].is_array(), "{a}");
        assert_eq!(a["sheets"], b["sheets"], "{ranks} ranks, {threads} threads");
    }
}

/// A refused construct stops the run with the model file's location.
#[test]
fn feedback_state_is_a_located_error() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(data("custom_hebbian.ty")).unwrap();
    let bad = text.replace(
        "weights += single_connection_learning_rate * unit_activity * input_activity",
        "weights += self.figure * input_activity",
    );
    assert_ne!(bad, text);
    let model = dir.path().join("bad.ty");
    std::fs::write(&model, bad).unwrap();
    let o = trace(0, &model, &[], &[]);
    let t = run_mpi::text(&o);
    assert!(!o.status.success(), "{t}");
    assert!(
        t.contains("bad.ty:39:20: self.figure is instance state"),
        "{t}"
    );
}
