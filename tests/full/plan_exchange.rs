//! `topo-hpc plan` counts exactly what the real exchange sends: a small
//! GCAL (examples/gcal.ty at cortex_density 10, LGN and retina 12) is run
//! under `mpirun` on 2, 3, 4 and 8 ranks for 2 iterations, and every
//! rank's exchange counters over training (`<simname>.timing.json`, from
//! `MpiExchange`'s `ExchangeStats`) must equal the plan's per-rank totals
//! for the same iterations: calls, values and messages, received and
//! sent. Integer counts: no tolerance. Both sides use the grid split
//! (`TOPO_HPC_SPLIT=grid`): the dry run does not plan dealt rows yet.

use crate::run_mpi;

use run_mpi::mpirun;
use serde_json::Value;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const TOPO_HPC: &str = env!("CARGO_BIN_EXE_topo-hpc");
const PARAMS: [&str; 6] = [
    "-p",
    "cortex_density=10",
    "-p",
    "lgn_density=12",
    "-p",
    "retina_density=12",
];

fn gcal() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/gcal.ty")
        .to_string_lossy()
        .into_owned()
}

fn plan(n: usize) -> Value {
    let model = gcal();
    let out = Command::new(TOPO_HPC)
        .env("TOPO_HPC_SPLIT", "grid")
        .args(["plan", &model])
        .args(PARAMS)
        .args([
            "--ranks",
            &n.to_string(),
            "--iterations",
            "2",
            "--per-rank",
            "--json",
        ])
        .output()
        .expect("topo-hpc runs");
    assert!(
        out.status.success(),
        "plan failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("plan prints JSON")
}

fn measured(n: usize) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let model = gcal();
    let root = dir.path().to_string_lossy().into_owned();
    // The dry run plans the grid split only; the default deals V1's rows.
    let mut args = vec!["TOPO_HPC_SPLIT=grid", TOPO_HPC, "run", model.as_str()];
    args.extend(PARAMS);
    args.extend([
        "--times",
        "0,2",
        "--analysis",
        "none",
        "--no-snapshot",
        "--no-progress",
        "--output-path",
        root.as_str(),
    ]);
    let o = mpirun("env", n, &args, Duration::from_secs(300));
    assert_eq!(
        o.code,
        Some(0),
        "run on {n} ranks:\n{}\n{}",
        o.stdout,
        o.stderr
    );
    let run = run_mpi::only_dir(dir.path());
    let f = std::fs::read_dir(&run)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with(".timing.json"))
        .unwrap_or_else(|| panic!("no timing file in {}", run.display()));
    serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap()
}

#[test]
fn planned_traffic_equals_the_exchanged_traffic_on_2_to_8_ranks() {
    for n in [2, 3, 4, 8] {
        let p = plan(n);
        let m = measured(n);
        let planned = p["per_rank"].as_array().expect("per-rank totals");
        let got = m["per_rank"].as_array().expect("per-rank timings");
        assert_eq!(planned.len(), n);
        assert_eq!(got.len(), n);
        let mut sent = 0;
        for q in 0..n {
            for k in [
                "calls",
                "units_received",
                "units_sent",
                "messages_received",
                "messages_sent",
            ] {
                assert_eq!(
                    planned[q][k], got[q][k],
                    "{n} ranks, rank {q}: {k} planned {} measured {}",
                    planned[q][k], got[q][k]
                );
            }
            sent += got[q]["units_sent"].as_u64().unwrap();
        }
        assert!(
            sent > 0,
            "{n} ranks exchange nothing: the test would prove nothing"
        );
        assert_eq!(m["per_rank"][0]["iterations"].as_f64(), Some(2.0));
    }
}
