//! A user pattern generator with instance state (`class X(PatternGenerator)`
//! whose `function` moves a line from presentation to presentation, the
//! construct of Topographica's models/sullivan_neurocomputing04.ty), through
//! the real binary: the Retina patterns equal an independent computation
//! (tests/data/library/oriented_line_reference.py), 1, 2 and 3 ranks give the
//! same bits, and a run continued from a snapshot equals the uninterrupted
//! one bit for bit (the generator's state travels in the snapshot). Model:
//! tests/data/library/oriented_line.ty (our own text).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::run_mpi;

const BIN: &str = env!("CARGO_BIN_EXE_topo-hpc");
const TIMES: &str = "1,2,3,4,5,6,7,8,9,10,11,12";

fn library(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/library")
        .join(file)
}

/// The trace JSON of Retina and V1 at [`TIMES`] on `ranks` ranks.
fn trace(ranks: usize) -> String {
    let o = run_mpi::command(BIN, ranks)
        .arg("trace")
        .arg(library("oriented_line.ty"))
        .args(["--sheet", "Retina", "--sheet", "V1", "--times", TIMES])
        .output()
        .unwrap();
    let t = run_mpi::text(&o);
    assert!(o.status.success(), "{t}");
    String::from_utf8_lossy(&o.stdout).to_string()
}

fn python(args: &[&std::ffi::OsStr]) {
    let o = Command::new("python3").args(args).output().unwrap();
    assert!(o.status.success(), "{}", run_mpi::text(&o));
}

#[test]
fn stateful_user_pattern_matches_an_independent_model_on_1_2_3_ranks() {
    let one = trace(0);
    let w = tempfile::tempdir().unwrap();
    let f = w.path().join("trace.json");
    std::fs::write(&f, &one).unwrap();
    // Tolerance 1e-12 absolute: the reference uses numpy's exp, sin and
    // cos, which may differ from Rust's libm in the last bit (measured:
    // 1.1e-16); a wrong position, heading or step shifts the line by a
    // pixel and changes values by more than 1e-3.
    python(&[
        library("oriented_line_reference.py").as_os_str(),
        f.as_os_str(),
        "0.15".as_ref(),
        TIMES.as_ref(),
    ]);
    assert_eq!(one, trace(2), "2 ranks differ from 1");
    assert_eq!(one, trace(3), "3 ranks differ from 1");
}

fn batch(dir: &Path, ranks: usize, out: &str, times: &str, restore: Option<&Path>) -> PathBuf {
    let mut c = run_mpi::command(BIN, ranks);
    c.current_dir(dir)
        .arg("run")
        .arg(library("oriented_line.ty"))
        .args(["--times", times, "--timestamp", "202601010000"])
        .args(["--analysis", "activity", "--no-progress"])
        .args(["--output-path", out]);
    if let Some(r) = restore {
        c.arg("--restore").arg(r);
    }
    let o = c.output().unwrap();
    assert!(o.status.success(), "{}", run_mpi::text(&o));
    run_mpi::only_dir(&dir.join(out))
}

#[test]
fn stateful_user_pattern_continues_from_a_snapshot_bit_for_bit() {
    let w = tempfile::tempdir().unwrap();
    let whole = batch(w.path(), 0, "whole", "4,9", None);
    // stopped at t=4, in the middle of a sweep (the reference model shows
    // the first heading is drawn at t=1 and the bar still moving at t=5)
    let first = batch(w.path(), 0, "first", "[4]", None);
    let snap = first.join("202601010000_oriented_line_000004.00.snapshot.h5");
    let cont = batch(w.path(), 2, "cont", "[9]", Some(&snap));
    let script = r#"
import h5py, sys, numpy as np
def arrays(path, prefix):
    out = {}
    with h5py.File(path, 'r') as f:
        def visit(n, o):
            if isinstance(o, h5py.Dataset) and not n.startswith('meta/'):
                out[n] = o[...]
        f[prefix].visititems(visit)
    return out
a = arrays(sys.argv[1], 'analysis/000009.00'); b = arrays(sys.argv[2], 'analysis/000009.00')
assert set(a) == set(b) and len(a) >= 2, (sorted(a), sorted(b))
for k in a:
    assert np.array_equal(a[k], b[k]), k
print(sorted(a))
"#;
    let runf = |d: &Path| d.join("202601010000_oriented_line.h5");
    python(&[
        "-c".as_ref(),
        script.as_ref(),
        runf(&whole).as_os_str(),
        runf(&cont).as_os_str(),
    ]);
}
