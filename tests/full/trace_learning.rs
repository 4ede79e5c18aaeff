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
