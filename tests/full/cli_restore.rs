//! Continuing from a snapshot, also on a different number of ranks, gives
//! bit for bit the run that was never interrupted.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::run_mpi;

const BIN: &str = env!("CARGO_BIN_EXE_topo-hpc");

fn run(dir: &Path, ranks: usize, split: Option<&str>, args: &[&str]) {
    let mut c = run_mpi::command(BIN, ranks);
    if let Some(s) = split {
        c.env("TOPO_HPC_SPLIT", s);
    }
    let o = c.current_dir(dir).args(args).output().unwrap();
    assert!(
        o.status.success(),
        "{args:?} on {ranks} ranks (split {split:?}) failed:\n{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

fn model() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("examples/gcal_class.ty")
        .display()
        .to_string()
}

const P: [&str; 6] = [
    "-p",
    "cortex_density=8",
    "-p",
    "lgn_density=12",
    "-p",
    "retina_density=12",
];

fn batch(dir: &Path, ranks: usize, out: &str, times: &str, restore: Option<&Path>) -> PathBuf {
    batch_split(dir, ranks, None, out, times, restore)
}

/// [`batch`] with `TOPO_HPC_SPLIT` set to `split`.
fn batch_split(
    dir: &Path,
    ranks: usize,
    split: Option<&str>,
    out: &str,
    times: &str,
    restore: Option<&Path>,
) -> PathBuf {
    let m = model();
    let mut args: Vec<String> = vec!["run".into(), m];
    args.extend(P.iter().map(|s| s.to_string()));
    args.extend(
        [
            "--times",
            times,
            "--timestamp",
            "202601010000",
            "--analysis",
            "activity",
            "--output-path",
            out,
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    if let Some(r) = restore {
        args.push("--restore".into());
        args.push(r.display().to_string());
    }
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    run(dir, ranks, split, &a);
    let d = dir.join(out);
    std::fs::read_dir(&d)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path()
}

fn compare(a: &Path, b: &Path) {
    let script = r#"
import h5py, sys, numpy as np
def arrays(path, prefix):
    out = {}
    with h5py.File(path, 'r') as f:
        def visit(n, o):
            if isinstance(o, h5py.Dataset) and not n.startswith('meta/'):
                out[n] = o[...]
        f[prefix].visititems(visit) if prefix else f.visititems(visit)
    return out
a = arrays(sys.argv[1], None); b = arrays(sys.argv[2], None)
assert set(a) == set(b), sorted(set(a) ^ set(b))
assert len(a) > 10, len(a)
for k in a:
    assert a[k].dtype == b[k].dtype and np.array_equal(a[k], b[k]), k
ra = arrays(sys.argv[3], 'analysis/000012.00'); rb = arrays(sys.argv[4], 'analysis/000012.00')
for k in ra:
    assert np.array_equal(ra[k], rb[k]), k
print(len(a), 'arrays equal')
"#;
    let snap = |d: &Path| d.join("202601010000_gcal_class_000012.00.snapshot.h5");
    let runf = |d: &Path| d.join("202601010000_gcal_class.h5");
    let o = Command::new("python3")
        .arg("-c")
        .arg(script)
        .args([snap(a), snap(b), runf(a), runf(b)])
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn restore_on_other_rank_counts_is_bit_identical() {
    let w = tempfile::tempdir().unwrap();
    let whole = batch(w.path(), 0, "whole", "5,12", None);
    // 1 rank to t=5, then 3 ranks from the snapshot to t=12.
    let first = batch(w.path(), 0, "first1", "[5]", None);
    let snap = first.join("202601010000_gcal_class_000005.00.snapshot.h5");
    let cont = batch(w.path(), 3, "cont3", "[12]", Some(&snap));
    compare(&whole, &cont);
    // 4 ranks to t=5, then 2 ranks.
    let first = batch(w.path(), 4, "first4", "[5]", None);
    let snap = first.join("202601010000_gcal_class_000005.00.snapshot.h5");
    let cont = batch(w.path(), 2, "cont2", "[12]", Some(&snap));
    compare(&whole, &cont);
}

/// Rows dealt in stripes are written as several hyperslabs per rank: the
/// snapshot and the run file hold the same arrays, bit for bit, as the
/// grid's, and a snapshot continues on any split.
#[test]
fn striped_splits_write_the_grid_files_and_restore_across_modes() {
    let w = tempfile::tempdir().unwrap();
    let grid = Some("grid");
    let whole = batch_split(w.path(), 0, grid, "whole", "5,12", None);
    for (ranks, split) in [(2, "rows-cyclic"), (4, "rows-cyclic:2,V1=rows-cyclic")] {
        let out = format!("striped{ranks}");
        let striped = batch_split(w.path(), ranks, Some(split), &out, "5,12", None);
        compare(&whole, &striped);
    }
    // Striped to t=5, then the grid on another rank count, and back.
    let snap5 = |d: &Path| d.join("202601010000_gcal_class_000005.00.snapshot.h5");
    let first = batch_split(w.path(), 3, Some("rows-cyclic"), "first3", "[5]", None);
    let cont = batch_split(w.path(), 2, grid, "cont2", "[12]", Some(&snap5(&first)));
    compare(&whole, &cont);
    let first = batch_split(w.path(), 2, grid, "first2", "[5]", None);
    let cont = batch_split(
        w.path(),
        3,
        Some("V1=rows-cyclic:2"),
        "cont3",
        "[12]",
        Some(&snap5(&first)),
    );
    compare(&whole, &cont);
}
