//! The constructs of Topographica's models/sullivan_neurocomputing04.ty
//! that run here (`param.Dynamic.time_fn = None`, a weights generator with
//! a numbergen orientation drawn once per CF, a coordinate mapper class,
//! KernelMax with a decaying radius, CFPLF_Trace with a decaying rate) give
//! the same numbers on one process and under mpirun on 2 and 3 ranks.
//! Model: tests/data/library/per_cf_weights.ty (our own text).

use std::path::PathBuf;

use crate::run_mpi;

const BIN: &str = env!("CARGO_BIN_EXE_topo-hpc");

fn trace(ranks: usize) -> String {
    let model =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/library/per_cf_weights.ty");
    let o = run_mpi::command(BIN, ranks)
        .arg("trace")
        .arg(model)
        .args(["--sheet", "V1", "--sheet", "C", "--times", "1,3"])
        .output()
        .unwrap();
    let t = run_mpi::text(&o);
    assert!(o.status.success(), "{t}");
    String::from_utf8_lossy(&o.stdout).to_string()
}

#[test]
fn sullivan_constructs_are_bit_identical_on_1_2_and_3_ranks() {
    let one = trace(0);
    let json: serde_json::Value = serde_json::from_str(one.trim()).unwrap();
    for (s, t) in [("V1", "1"), ("C", "1"), ("C", "3")] {
        let a: Vec<Vec<f64>> = serde_json::from_value(json["sheets"][s][t].clone())
            .unwrap_or_else(|e| panic!("{s} at {t}: {e}"));
        assert_eq!((a.len(), a[0].len()), (8, 8), "{s} at {t}");
        assert!(a.iter().flatten().any(|&v| v > 0.0), "{s} at {t} is silent");
    }
    assert_eq!(one, trace(2), "2 ranks differ from 1");
    assert_eq!(one, trace(3), "3 ranks differ from 1");
}
