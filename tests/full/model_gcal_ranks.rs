//! What the `inputs_model_gcal_*` tests share: a small model text, e.g.
//! `topo.sim.model = ModelGCAL(dims=[...])` (topo/submodel/gcal.py), traced
//! with `topo-hpc trace` for a few steps in one process and on 3 ranks,
//! every listed sheet compared bit for bit at every time.

use serde_json::Value as Json;
use std::path::Path;

use crate::run_mpi;

const BIN: &str = env!("CARGO_BIN_EXE_topo-hpc");

/// Trace `ModelGCAL(dims=DIMS)` (e.g. `['xy', 'or', 'od']`) at cortex
/// density 8 with one input pattern, on 1 and 3 ranks; assert that each
/// of `sheets` is identical at each of `times`, and return the one-process
/// trace for the test's own checks.
pub fn trace_on_1_and_3_ranks(dims: &str, sheets: &[&str], times: &[&str]) -> Json {
    model_on_1_and_3_ranks(
        &format!(
            "import topo\nfrom topo.submodel.gcal import ModelGCAL\n\
             topo.sim.model = ModelGCAL(dims={dims})\n"
        ),
        sheets,
        times,
    )
}

/// [`trace_on_1_and_3_ranks`] for any model text (one line per statement).
pub fn model_on_1_and_3_ranks(model: &str, sheets: &[&str], times: &[&str]) -> Json {
    let one = trace_text(model, 0, sheets, times);
    let three = trace_text(model, 3, sheets, times);
    for s in sheets {
        for t in times {
            assert_eq!(
                rows(&one, s, t),
                rows(&three, s, t),
                "{model}: {s} at t={t}: 1 vs 3 ranks"
            );
        }
    }
    one
}

/// The trace of the model text `model` on `ranks` ranks (0: one process
/// without mpirun) at cortex density 8 with one input pattern.
pub fn trace_text(model: &str, ranks: usize, sheets: &[&str], times: &[&str]) -> Json {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("m.ty"), model).unwrap();
    trace(dir.path(), ranks, sheets, times)
}

/// The trace of `dir`/m.ty on `ranks` ranks (0: one process without mpirun)
/// at cortex density 8 with one input pattern.
pub fn trace(dir: &Path, ranks: usize, sheets: &[&str], times: &[&str]) -> Json {
    let out = dir.join(format!("trace{ranks}.json"));
    let mut c = run_mpi::command(BIN, ranks);
    c.arg("trace")
        .arg(dir.join("m.ty"))
        .args(["-p", "cortex_density=8", "-p", "num_inputs=1"])
        .args(["--times", &times.join(",")]);
    for s in sheets {
        c.args(["--sheet", s]);
    }
    let o = c.arg("--out").arg(&out).output().unwrap();
    assert!(o.status.success(), "{}", run_mpi::text(&o));
    serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap()
}

/// Sheet `sheet`'s activity at `time` in a trace, row by row.
pub fn rows(j: &Json, sheet: &str, time: &str) -> Vec<Vec<f64>> {
    j["sheets"][sheet][time]
        .as_array()
        .unwrap_or_else(|| panic!("no {sheet} at {time}"))
        .iter()
        .map(|r| {
            r.as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
                .collect()
        })
        .collect()
}

/// [`rows`], flattened.
pub fn values(j: &Json, sheet: &str, time: &str) -> Vec<f64> {
    rows(j, sheet, time).into_iter().flatten().collect()
}
