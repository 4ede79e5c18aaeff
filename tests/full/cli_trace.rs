//! `topo-hpc trace` under mpirun: the file rank 0 writes equals the
//! one-process file. (The golden `--compare` checks run in one process, in
//! the fast tier: tests/fast/cli_trace.rs.)

use crate::run_mpi::{text, trace};

const D: [&str; 3] = ["cortex_density=8", "lgn_density=24", "retina_density=24"];

/// The file rank 0 writes under mpirun equals the one-process file byte for byte.
#[test]
fn trace_file_is_identical_on_three_ranks() {
    let dir = tempfile::tempdir().unwrap();
    let one = dir.path().join("one.json");
    let three = dir.path().join("three.json");
    let o = trace(0, "lissom_oo_or.ty", &D, &["--out", one.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let o = trace(
        3,
        "lissom_oo_or.ty",
        &D,
        &["--out", three.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(std::fs::read(one).unwrap(), std::fs::read(three).unwrap());
}
