//! Whole models under `mpirun` with N = 1, 2, 3, 4, 6, 8 ranks: the state
//! after training (every sheet's activity, every projection's activity,
//! every unit's weights as a digest of their bits, weight sums, homeostatic
//! thresholds) must be bit-identical to the one-rank run. The one-rank run
//! itself is checked against Topographica by the engine's own tests.
//!
//! par_model_check also verifies, on every rank, that each halo fetches
//! exactly the union of the local CF slices outside the rank's block.
//!
//! The models are the example files at the training-test densities
//! (cortex 8, LGN and retina 24), loaded by topo-lang.

use crate::run_mpi;

use run_mpi::{mpirun, support_bin};
use std::path::{Path, PathBuf};
use std::time::Duration;

const TOPO_HPC: &str = env!("CARGO_BIN_EXE_topo-hpc");

fn example(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// Run `model` with `-p param` on `n` ranks with `threads` threads each;
/// the dump's path.
fn dump(dir: &Path, model: &str, param: &str, n: usize, threads: usize, times: &str) -> PathBuf {
    dump_split(dir, model, param, n, threads, times, "grid")
}

/// [`dump`] with the sheets split as `split` says (`--split`).
fn dump_split(
    dir: &Path,
    model: &str,
    param: &str,
    n: usize,
    threads: usize,
    times: &str,
    split: &str,
) -> PathBuf {
    let out = dir.join(format!(
        "dump_{n}x{threads}_{}.txt",
        split.replace([':', '=', ','], "_")
    ));
    let t = threads.to_string();
    let args = [
        "--split".into(),
        split.into(),
        example(model),
        "-p".into(),
        param.into(),
        "--times".into(),
        times.into(),
        "--threads".into(),
        t,
        "--out".into(),
        out.to_string_lossy().into_owned(),
    ];
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = mpirun(
        &support_bin("par_model_check"),
        n,
        &args,
        Duration::from_secs(600),
    );
    assert_eq!(
        o.code,
        Some(0),
        "{model} on {n} ranks failed after {:.1} s\nstdout:\n{}\nstderr:\n{}",
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

fn assert_identical_on_all_rank_counts(spec: &str, param: &str, times: &str) {
    let dir = tempfile::tempdir().unwrap();
    let run = |n: usize, threads: usize| {
        std::fs::read_to_string(dump(dir.path(), spec, param, n, threads, times)).unwrap()
    };
    let reference = run(1, 1);
    // The dump covers every sheet and projection at every time.
    let n_times = times.split(',').count();
    assert_eq!(reference.matches("time ").count(), n_times);
    assert!(reference.contains("weight-digests "));
    // Thread count changes nothing either.
    let two = run(1, 2);
    assert!(
        two == reference,
        "{spec}: 2 threads differ at {}",
        first_difference(&reference, &two)
    );
    for n in [2, 3, 4, 6, 8] {
        let got = run(n, 1);
        assert!(
            got == reference,
            "{spec}: {n} ranks differ from 1 rank at {}",
            first_difference(&reference, &got)
        );
    }
}

/// Every split mode on 2..8 ranks gives the dump of one rank (the grid
/// split of one rank is the whole sheet).
fn assert_split_identical(spec: &str, param: &str, times: &str, splits: &[&str], ranks: &[usize]) {
    let dir = tempfile::tempdir().unwrap();
    let reference =
        std::fs::read_to_string(dump_split(dir.path(), spec, param, 1, 1, times, "grid")).unwrap();
    assert!(reference.contains("weight-digests "));
    for split in splits {
        for &n in ranks {
            let got =
                std::fs::read_to_string(dump_split(dir.path(), spec, param, n, 1, times, split))
                    .unwrap();
            assert!(
                got == reference,
                "{spec}: {split} on {n} ranks differs from 1 rank at {}",
                first_difference(&reference, &got)
            );
        }
    }
}

/// Rows dealt cyclically and block-cyclically (every sheet, or V1 only
/// with the others on the grid), and column blocks.
#[test]
fn gcal_is_bit_identical_for_every_split_mode() {
    assert_split_identical(
        "gcal_class.ty",
        "cortex_density=8",
        "1,20",
        &[
            "rows-cyclic",
            "rows-cyclic:4",
            "V1=rows-cyclic:2",
            "col-blocks",
        ],
        &[2, 3, 5, 8],
    );
}

/// SOM: KernelMax's winner and neighbourhood on dealt rows.
#[test]
fn som_is_bit_identical_with_rows_dealt_cyclically() {
    assert_split_identical(
        "som_retinotopy.ty",
        "cortex_density=10",
        "1,30",
        &["rows-cyclic", "rows-cyclic:3"],
        &[2, 4, 7],
    );
}

#[test]
fn gcal_is_bit_identical_on_1_to_8_ranks() {
    assert_identical_on_all_rank_counts("gcal_class.ty", "cortex_density=8", "1,100,250");
}

#[test]
fn lissom_is_bit_identical_on_1_to_8_ranks() {
    assert_identical_on_all_rank_counts("lissom_oo_or.ty", "cortex_density=8", "1,100,250");
}

#[test]
fn som_with_sheet_wide_max_and_argmax_is_bit_identical() {
    // Euclidean response and KernelMax use the max / argmax collectives.
    assert_identical_on_all_rank_counts("som_retinotopy.ty", "cortex_density=10", "1,50,200");
}

#[test]
fn tiny_is_bit_identical_on_1_to_8_ranks() {
    assert_identical_on_all_rank_counts("tiny.ty", "cortex_density=5", "1,10,100");
}

/// A sheet-wide DivisiveNormalizeL1 (V1 divided by the sum over every
/// rank's units, added in row-major order) on the grid and on dealt rows.
#[test]
fn a_sheet_wide_l1_normalisation_is_bit_identical_on_every_split() {
    let model = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/models/sheet_l1.ty");
    assert_split_identical(
        model,
        "cortex_density=8",
        "1,20",
        &["grid", "rows-cyclic", "rows-cyclic:2"],
        &[2, 3, 5],
    );
}

#[test]
fn ranks_without_units_of_a_sheet_still_work() {
    // V1 is 2x2: with 6 or 8 ranks some ranks own none of it.
    assert_identical_on_all_rank_counts("tiny.ty", "cortex_density=2", "1,50");
}

#[test]
fn trace_writes_the_same_file_on_any_rank_count() {
    let dir = tempfile::tempdir().unwrap();
    let trace = |n: usize| -> Vec<u8> {
        let out = dir.path().join(format!("trace_{n}.json"));
        let args = [
            "trace".to_string(),
            example("gcal_class.ty"),
            "-p".into(),
            "cortex_density=8".into(),
            "--sheet".into(),
            "V1".into(),
            "--sheet".into(),
            "LGNOn".into(),
            "--times".into(),
            "1,20".into(),
            "--threads".into(),
            "1".into(),
            "--out".into(),
            out.to_string_lossy().into_owned(),
        ];
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = mpirun(TOPO_HPC, n, &args, Duration::from_secs(600));
        assert_eq!(
            o.code,
            Some(0),
            "trace on {n} ranks:\n{}\n{}",
            o.stdout,
            o.stderr
        );
        std::fs::read(&out).unwrap()
    };
    let one = trace(1);
    assert!(!one.is_empty());
    for n in [3, 4] {
        assert!(trace(n) == one, "trace on {n} ranks differs from 1 rank");
    }
}
