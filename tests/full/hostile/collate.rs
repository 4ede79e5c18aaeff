//! Collate on damaged results: a truncated run file, a file named like one
//! that is not HDF5, a run file without its `/analysis` group. Each makes
//! `topo-hpc collate` exit non-zero naming the file (and the object), and
//! write no CSV or HDF5 table.
//!
//! The sweep is made by the stand-in runner `tests/slurm/fake-topo-hpc.py`
//! (it writes the run_batch folder and a real HDF5 results file), so the
//! cases need no training.

use super::common::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// A finished two-run sweep; returns its folder and run 1's results file.
fn sweep(s: &Scratch) -> (PathBuf, PathBuf) {
    let runner = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/slurm/fake-topo-hpc.py");
    let m = s.model();
    let mut c = Command::new(BIN);
    env(&mut c)
        .arg("sweep")
        .arg(&m)
        .args([
            "--output-path",
            "out",
            "--param",
            "cortex_density=3,4",
            "--times",
            "1",
            "--yes",
            "--timestamp",
            "202601010000",
        ])
        .current_dir(s.path())
        .env("TOPO_HPC_SWEEP_RUNNER", &runner)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let r = finish(c.spawn().unwrap(), Duration::from_secs(60));
    assert_eq!(r.code, Some(0), "{}", r.all());
    let dir = s.out().join("202601010000_tiny_sweep");
    let run = dir.join("202601010000_tiny,cortex_density=4");
    // The run file: the one `.h5` that is not a snapshot.
    let files: Vec<PathBuf> = std::fs::read_dir(&run)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let n = p.to_string_lossy();
            n.ends_with(".h5") && !n.ends_with(".snapshot.h5")
        })
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let file = files[0].clone();
    // The sweep collates cleanly before it is damaged.
    let ok = collate(&dir);
    assert_eq!(ok.code, Some(0), "{}", ok.all());
    for f in ["collated.csv", "collated.h5"] {
        std::fs::remove_file(dir.join(f)).unwrap();
    }
    (dir, file)
}

fn collate(dir: &Path) -> Ran {
    let mut c = Command::new(BIN);
    env(&mut c)
        .arg("collate")
        .arg(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    finish(c.spawn().unwrap(), Duration::from_secs(60))
}

/// Collate fails naming `needles`, and leaves the sweep folder as it was.
fn assert_refused(dir: &Path, needles: &[&str]) {
    let before = Tree::of(dir, &[]);
    let r = collate(dir);
    assert_eq!(r.code, Some(1), "{}", r.all());
    for n in needles {
        assert!(r.stderr.contains(n), "no {n:?} in:\n{}", r.all());
    }
    assert!(!dir.join("collated.csv").exists(), "a CSV was written");
    assert!(!dir.join("collated.h5").exists(), "a table was written");
    assert_eq!(
        before,
        Tree::of(dir, &[]),
        "collate changed the sweep folder"
    );
}

#[test]
fn truncated_run_file_is_refused() {
    let s = Scratch::new();
    let (dir, file) = sweep(&s);
    let len = std::fs::metadata(&file).unwrap().len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&file)
        .unwrap()
        .set_len(len / 2)
        .unwrap();
    assert_refused(&dir, &[&file.display().to_string()]);
}

#[test]
fn non_hdf5_run_file_is_refused() {
    let s = Scratch::new();
    let (dir, file) = sweep(&s);
    std::fs::write(&file, "not an hdf5 file\n").unwrap();
    assert_refused(&dir, &[&file.display().to_string()]);

    // Under another name than the run's own, it is not skipped either.
    let other = file.with_file_name("results.h5");
    std::fs::rename(&file, &other).unwrap();
    assert_refused(
        &dir,
        &[&other.display().to_string(), "not a readable HDF5 file"],
    );
}

#[test]
fn run_file_without_analysis_group_is_refused() {
    let s = Scratch::new();
    let (dir, file) = sweep(&s);
    hdf5::File::open_rw(&file)
        .unwrap()
        .unlink("analysis")
        .unwrap();
    assert_refused(&dir, &[&file.display().to_string(), "no /analysis group"]);
}
