//! Whole models under `mpirun` with N = 1, 2, 3, 4, 6, 8 ranks: the state
//! after training (every sheet's activity, every projection's activity,
//! every unit's weights as a digest of their bits, weight sums, homeostatic
//! thresholds) must be bit-identical to the one-rank run. The one-rank run
//! itself is checked against Topographica by the engine's own tests.
//!
//! The models are serialised `ModelSpec`s (tests/data/par/README.md).

#[path = "mpi/run.rs"]
mod run_mpi;

use run_mpi::mpirun;
use std::path::{Path, PathBuf};
use std::time::Duration;

const CHECK: &str = env!("CARGO_BIN_EXE_par_model_check");

fn data(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/par")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// Run `spec` on `n` ranks with `threads` threads each; the dump's path.
fn dump(dir: &Path, spec: &str, n: usize, threads: usize, times: &str) -> PathBuf {
    let out = dir.join(format!("dump_{n}x{threads}.txt"));
    let t = threads.to_string();
    let args = [
        data(spec),
        "--times".into(),
        times.into(),
        "--threads".into(),
        t,
        "--out".into(),
        out.to_string_lossy().into_owned(),
    ];
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = mpirun(CHECK, n, &args, Duration::from_secs(600));
    assert_eq!(
        o.code,
        Some(0),
        "{spec} on {n} ranks failed after {:.1} s\nstdout:\n{}\nstderr:\n{}",
        o.seconds,
        o.stdout,
        o.stderr
    );
    out
}

/// The first differing line's label, for a readable failure.
fn first_difference(a: &str, b: &str) -> String {
    for (la, lb) in a.lines().zip(b.lines()) {
        if la != lb {
            return la.split(' ').take(2).collect::<Vec<_>>().join(" ");
        }
    }
    format!("lengths {} vs {}", a.len(), b.len())
}

fn assert_identical_on_all_rank_counts(spec: &str, times: &str) {
    let dir = tempfile::tempdir().unwrap();
    let reference = std::fs::read_to_string(dump(dir.path(), spec, 1, 1, times)).unwrap();
    // The dump covers every sheet and projection at every time.
    let n_times = times.split(',').count();
    assert_eq!(reference.matches("time ").count(), n_times);
    assert!(reference.contains("weight-digests "));
    // Thread count changes nothing either.
    let two = std::fs::read_to_string(dump(dir.path(), spec, 1, 2, times)).unwrap();
    assert!(
        two == reference,
        "{spec}: 2 threads differ at {}",
        first_difference(&reference, &two)
    );
    for n in [2, 3, 4, 6, 8] {
        let got = std::fs::read_to_string(dump(dir.path(), spec, n, 1, times)).unwrap();
        assert!(
            got == reference,
            "{spec}: {n} ranks differ from 1 rank at {}",
            first_difference(&reference, &got)
        );
    }
}

#[test]
fn gcal_is_bit_identical_on_1_to_8_ranks() {
    assert_identical_on_all_rank_counts("gcal_spec.json", "1,100,250");
}

#[test]
fn tiny_is_bit_identical_on_1_to_8_ranks() {
    assert_identical_on_all_rank_counts("tiny_spec.json", "1,10,100");
}

#[test]
fn ranks_without_units_of_a_sheet_still_work() {
    // V1 is 2x2: with 6 or 8 ranks some ranks own none of it.
    assert_identical_on_all_rank_counts("tiny_small_spec.json", "1,50");
}
