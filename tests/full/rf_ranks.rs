//! featuremapper's `measure_rfs` on several ranks and threads, and that
//! measuring receptive fields leaves training as it was (the GCAL example
//! at density 12 draws nothing from imagen's shared stream after it is
//! built, so the stream that measure_rfs leaves advanced does not matter
//! there).

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::run_mpi;
use crate::snapshot_arrays;

const BIN: &str = env!("CARGO_BIN_EXE_topo-hpc");

/// `topo-hpc run gcal.ty` at density 12 on `ranks` ranks (0: one
/// process) with `extra` options.
fn run_gcal(dir: &Path, ranks: usize, out: &str, extra: &[&str]) -> Output {
    run_mpi::command(BIN, ranks)
        .current_dir(dir)
        .args(["run", "examples/gcal.ty"])
        .args(["-p", "cortex_density=12", "-p", "lgn_density=12"])
        .args(["-p", "retina_density=12", "--timestamp", "202601010000"])
        .args(["--no-progress", "--output-path", out])
        .args(extra)
        .output()
        .expect("cannot start topo-hpc")
}

/// The raw bits of a dataset.
fn bits(h5: &Path, path: &str) -> (Vec<usize>, Vec<u64>) {
    let f = hdf5::File::open(h5).unwrap_or_else(|e| panic!("{}: {e}", h5.display()));
    let d = f.dataset(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let v = d.read_raw::<f64>().unwrap();
    (d.shape(), v.iter().map(|x| x.to_bits()).collect())
}

fn h5(w: &Path, out: &str) -> PathBuf {
    run_mpi::only_dir(&w.join(out)).join("202601010000_gcal.h5")
}

#[test]
fn receptive_fields_are_bit_identical_on_ranks_and_threads() {
    let w = run_mpi::workdir_with_example("gcal.ty");
    let rf = "analysis/000002.00/V1/Retina_Reverse_Correlation";
    // The 'RF Projection' plot group (whole sheet, 100 presentations).
    let mut first = None;
    for (ranks, threads) in [(0, "1"), (0, "2"), (3, "2")] {
        let out = format!("g{ranks}_{threads}");
        let o = run_gcal(
            w.path(),
            ranks,
            &out,
            &[
                "--times",
                "[2]",
                "--analysis",
                "rf_map",
                "--threads",
                threads,
                "--no-snapshot",
            ],
        );
        assert!(o.status.success(), "{}", run_mpi::text(&o));
        let dir = run_mpi::only_dir(&w.path().join(&out));
        let png = dir.join("202601010000_gcal_000002.00_V1_Retina_RFs.png");
        assert!(png.is_file(), "no {}", png.display());
        let got = bits(&h5(w.path(), &out), rf);
        assert_eq!(got.0, [12, 12, 39, 39], "(V1, Retina) shapes");
        assert!(got.1.iter().any(|&b| b != 0), "all-zero fields");
        match &first {
            None => first = Some(got),
            Some(f) => assert!(*f == got, "{ranks} ranks, {threads} threads differ"),
        }
    }
    // A region of interest split between the ranks' rows.
    let def = "def f():\n    measure_rfs(presentations=7, roi=(-0.2, -0.3, 0.3, 0.1))\n";
    let mut first = None;
    for ranks in [0, 3] {
        let out = format!("roi{ranks}");
        let here = w.path().join(&out);
        std::fs::create_dir(&here).unwrap();
        let o = run_mpi::command(BIN, ranks)
            .current_dir(&here)
            .args(["-p", "cortex_density=12", "-p", "lgn_density=12"])
            .args(["-p", "retina_density=12", "-c", def, "-c"])
            .arg("run_batch('../examples/gcal.ty', times=[2], analysis_fn=f, timestamp='202601010000')")
            .output()
            .expect("cannot start topo-hpc");
        assert!(o.status.success(), "{}", run_mpi::text(&o));
        let got = bits(&h5(&here, "Output"), rf);
        // Rows floor((0.5-0.1)*12)=4 .. floor((0.5+0.3)*12)=9, columns
        // floor(0.3*12)=3 .. floor(0.8*12)=9.
        assert_eq!(got.0, [5, 6, 39, 39]);
        match &first {
            None => first = Some(got),
            Some(f) => assert!(*f == got, "{ranks} ranks differ"),
        }
    }
}

/// featuremapper restores the simulation around each presentation; a run
/// that measures receptive fields learns what a run without analysis
/// learns.
#[test]
fn measuring_receptive_fields_does_not_change_training() {
    let w = run_mpi::workdir_with_example("gcal.ty");
    for (plan, out) in [("rf_map", "a"), ("none", "b")] {
        let o = run_gcal(w.path(), 0, out, &["--times", "2,5", "--analysis", plan]);
        assert!(o.status.success(), "{}", run_mpi::text(&o));
    }
    let snap = "202601010000_gcal_000005.00.snapshot.h5";
    let a = snapshot_arrays::arrays(&run_mpi::only_dir(&w.path().join("a")).join(snap), &[]);
    let b = snapshot_arrays::arrays(&run_mpi::only_dir(&w.path().join("b")).join(snap), &[]);
    assert!(!a.is_empty());
    assert_eq!(a.len(), b.len());
    for ((pa, va), (pb, vb)) in a.iter().zip(&b) {
        assert_eq!(pa, pb);
        assert!(va == vb, "{pa} differs after measuring receptive fields");
    }
}
