//! `topo-hpc plan` counts exactly what the real exchange sends: a small
//! GCAL (examples/gcal.ty at cortex_density 10, LGN and retina 12) is run
//! under `mpirun` on 2, 3, 4 and 8 ranks for 2 iterations, and every
//! rank's exchange counters over training (`<simname>.timing.json`, from
//! `MpiExchange`'s `ExchangeStats`) must equal the plan's per-rank totals
//! for the same iterations: calls, values and messages, received and
//! sent. Integer counts: no tolerance. For three splits, each given to
//! both sides the same way: the grid (`TOPO_HPC_SPLIT=grid`), the default
//! (no `TOPO_HPC_SPLIT`: V1's rows dealt cyclically where there are 8 rows
//! per rank, `topo_hpc::balance`; at cortex_density 24 for that test)
//! and every sheet's rows dealt in stripes of two
//! (`TOPO_HPC_SPLIT=rows-cyclic:2`).

use crate::run_mpi;

use run_mpi::mpirun;
use serde_json::Value;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const TOPO_HPC: &str = env!("CARGO_BIN_EXE_topo-hpc");
/// The model's parameters at V1 density `cortex` (LGN and retina 12).
fn params(cortex: u32) -> Vec<String> {
    [
        format!("cortex_density={cortex}"),
        "lgn_density=12".into(),
        "retina_density=12".into(),
    ]
    .into_iter()
    .flat_map(|p| ["-p".to_string(), p])
    .collect()
}

fn gcal() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/gcal.ty")
        .to_string_lossy()
        .into_owned()
}

/// `Some(mode)`: `TOPO_HPC_SPLIT=mode`; `None`: the default split.
type Split = Option<&'static str>;

fn plan(n: usize, split: Split, cortex: u32) -> Value {
    let model = gcal();
    let mut cmd = Command::new(TOPO_HPC);
    cmd.env_remove("TOPO_HPC_SPLIT");
    if let Some(mode) = split {
        cmd.env("TOPO_HPC_SPLIT", mode);
    }
    let out = cmd
        .args(["plan", &model])
        .args(params(cortex))
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

/// The run's timing file and its log (stderr: a run under mpirun writes
/// its log there, src/console.rs).
fn measured(n: usize, split: Split, cortex: u32) -> (Value, String) {
    let dir = tempfile::tempdir().unwrap();
    let model = gcal();
    let root = dir.path().to_string_lossy().into_owned();
    // `env -u` so that a TOPO_HPC_SPLIT of the caller's shell cannot leak in.
    let set = split.map(|m| format!("TOPO_HPC_SPLIT={m}"));
    let mut args = vec!["-u", "TOPO_HPC_SPLIT"];
    args.extend(set.as_deref());
    args.extend([TOPO_HPC, "run", model.as_str()]);
    let ps = params(cortex);
    args.extend(ps.iter().map(String::as_str));
    args.extend([
        "--times",
        "0,2",
        "--analysis",
        "none",
        "--no-snapshot",
        "--no-progress",
        "--decomposition-report",
        "--output-path",
        root.as_str(),
    ]);
    let o = mpirun("env", n, &args, Duration::from_secs(300));
    assert_eq!(
        o.code,
        Some(0),
        "run on {n} ranks ({split:?}):\n{}\n{}",
        o.stdout,
        o.stderr
    );
    let run = run_mpi::only_dir(dir.path());
    let f = std::fs::read_dir(&run)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with(".timing.json"))
        .unwrap_or_else(|| panic!("no timing file in {}", run.display()));
    let timing: Value = serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
    (timing, o.stderr)
}

/// `want_split_line(n)`: the split both sides must name on `n` ranks.
fn check(split: Split, cortex: u32, want_split_line: impl Fn(usize) -> &'static str) {
    for n in [2, 3, 4, 8] {
        let want_split_line = want_split_line(n);
        let p = plan(n, split, cortex);
        let (m, log) = measured(n, split, cortex);
        // Both sides split the sheets as intended.
        let line = p["split"].as_str().expect("the plan names its split");
        assert!(line.contains(want_split_line), "plan: {line}");
        assert!(
            log.contains(line),
            "the run's split differs from the plan's ({line}):\n{log}"
        );
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
                    "{split:?}, {n} ranks, rank {q}: {k} planned {} measured {}",
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

#[test]
fn planned_traffic_equals_the_exchanged_traffic_on_2_to_8_ranks_on_the_grid() {
    check(Some("grid"), 10, |_| {
        "Retina=grid, LGNOn=grid, LGNOff=grid, V1=grid"
    });
}

#[test]
fn planned_traffic_equals_the_exchanged_traffic_with_the_default_split() {
    // V1 has 24 rows: the default deals them on 2 and 3 ranks (at least 8
    // rows per rank) and keeps the grid on 4 and 8.
    check(None, 24, |n| {
        if n <= 3 {
            "Retina=grid, LGNOn=grid, LGNOff=grid, V1=rows-cyclic (default"
        } else {
            "Retina=grid, LGNOn=grid, LGNOff=grid, V1=grid (default"
        }
    });
}

#[test]
fn planned_traffic_equals_the_exchanged_traffic_with_stripes_of_two_rows() {
    check(Some("rows-cyclic:2"), 10, |_| {
        "Retina=rows-cyclic:2, LGNOn=rows-cyclic:2, LGNOff=rows-cyclic:2, V1=rows-cyclic:2"
    });
}
