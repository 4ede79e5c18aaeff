//! `CFPLF_Trace` learning (topo/learningfn/projfn.py), the rule of
//! Topographica's models/sullivan_neurocomputing04.ty, through the real
//! binary on one process and under mpirun. Model:
//! tests/data/library/trace_learning.ty (our own text).

use std::path::PathBuf;

use crate::run_mpi;

const BIN: &str = env!("CARGO_BIN_EXE_topo-hpc");

fn model() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/library/trace_learning.ty")
}

/// `{sheet: {time: activity}}` of V1, V2, V3 at t = 1, 2, 3, 5.
fn trace(ranks: usize, params: &[&str]) -> (serde_json::Value, String) {
    let mut c = run_mpi::command(BIN, ranks);
    c.arg("trace").arg(model());
    for p in params {
        c.args(["-p", p]);
    }
    let o = c
        .args(["--sheet", "V1", "--sheet", "V2", "--sheet", "V3"])
        .args(["--times", "1,2,3,5"])
        .output()
        .unwrap();
    let t = run_mpi::text(&o);
    assert!(o.status.success(), "{t}");
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    let json: serde_json::Value =
        serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {t}"));
    (json["sheets"].clone(), out)
}

#[test]
fn trace_learning_follows_topographica_on_1_and_2_ranks() {
    let (s, one) = trace(0, &[]);
    for t in ["1", "2", "3", "5"] {
        // With trace_strength 1 the trace is the current activity and
        // CFPLF_Trace is CFPLF_EuclideanHebbian at learning_rate / n_units
        // (0.5 x 9 / 9 = 0.5 exactly): the same numbers, bit for bit.
        assert_eq!(s["V1"][t], s["V2"][t], "V1 and V2 differ at t={t}");
    }
    // The first response comes before any learning; afterwards the trace
    // that keeps half of the previous activity learns differently.
    assert_eq!(s["V2"]["1"], s["V3"]["1"]);
    for t in ["2", "3", "5"] {
        assert_ne!(
            s["V2"][t], s["V3"][t],
            "V3's trace changes nothing at t={t}"
        );
    }
    // ...and with trace_strength 1 it is V2's rule again
    let (same, _) = trace(0, &["trace_strength=1.0"]);
    assert_eq!(same["V3"], same["V2"]);
    let (_, two) = trace(2, &[]);
    assert_eq!(one, two, "2 ranks differ from 1");
}

/// `topo-hpc run` of the model to `times` in `dir/out` (restoring `restore`).
fn run(dir: &std::path::Path, ranks: usize, out: &str, times: &str, restore: Option<&str>) {
    let m = model();
    let mut c = run_mpi::command(BIN, ranks);
    c.current_dir(dir).arg("run").arg(&m).args([
        "--times",
        times,
        "--timestamp",
        "202601010000",
        "--analysis",
        "activity",
        "--output-path",
        out,
    ]);
    if let Some(r) = restore {
        c.args(["--restore", r]);
    }
    let o = c.output().unwrap();
    assert!(o.status.success(), "{}", run_mpi::text(&o));
}

#[test]
fn traces_are_kept_in_snapshots() {
    let w = tempfile::tempdir().unwrap();
    let dir = w.path();
    run(dir, 0, "whole", "2,5", None);
    run(dir, 0, "first", "[2]", None);
    let only = |d: &str| run_mpi::only_dir(&dir.join(d));
    let snap2 = only("first").join("202601010000_trace_learning_000002.00.snapshot.h5");
    run(dir, 2, "cont", "[5]", Some(snap2.to_str().unwrap()));
    let snap5 = |d: &str| only(d).join("202601010000_trace_learning_000005.00.snapshot.h5");
    // The continued run equals the uninterrupted one only if the traces
    // came back from the snapshot (zero traces would learn differently).
    let script = r#"
import h5py, sys, numpy as np
def arrays(path):
    out = {}
    with h5py.File(path, 'r') as f:
        f.visititems(lambda n, o: out.__setitem__(n, o[...]) if isinstance(o, h5py.Dataset) and not n.startswith('meta/') else None)
    return out
a = arrays(sys.argv[1]); b = arrays(sys.argv[2])
assert set(a) == set(b), sorted(set(a) ^ set(b))
for k in a:
    assert a[k].dtype == b[k].dtype and np.array_equal(a[k], b[k]), k
t = [k for k in a if k.endswith('/traces')]
assert sorted(t) == ['projections/V2.Afferent/traces', 'projections/V3.Afferent/traces'], t
assert np.any(a['projections/V3.Afferent/traces'] > 0)
print(len(a), 'arrays equal')
"#;
    let o = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .args([snap5("whole"), snap5("cont")])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", run_mpi::text(&o));
}
