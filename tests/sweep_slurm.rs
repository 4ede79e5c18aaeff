//! The job scripts on a real single-node SLURM: `tests/slurm/harness.sh`
//! starts munged, slurmctld and slurmd on localhost, runs run.sbatch, a
//! 4-task sweep.sbatch (then `topo-hpc collate`), and checkpoint.sbatch
//! with a 2-minute limit that forces exactly one requeue, compares the
//! requeued run with an uninterrupted one, and stops the daemons by PID.
//!
//! Not skipped when SLURM is missing: the harness then fails saying what to
//! install (CI installs slurm-wlm and munge with scripts/setup.sh). It must
//! run as root.
//!
//! The `run` steps use the stand-in runner `tests/slurm/fake-topo-hpc.py`
//! (one simulated time unit per second, so the checkpointed run really
//! takes ~105 s and really gets the signal); `sweep` and `collate` are this
//! package's binary.

use std::path::Path;
use std::process::Command;

#[test]
fn job_scripts_on_single_node_slurm() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let fake = root.join("tests/slurm/fake-topo-hpc.py");
    let tmp = tempfile::tempdir().unwrap();
    let model = tmp.path().join("tiny.ty");
    std::fs::write(&model, "# stand-in model\n").unwrap();
    let out = Command::new("bash")
        .arg(root.join("tests/slurm/harness.sh"))
        .env("TOPO_HPC", env!("CARGO_BIN_EXE_topo-hpc"))
        .env("RUNNER", &fake)
        .env("TOPO_HPC_SWEEP_RUNNER", &fake)
        .env("MODEL", &model)
        .env("FAKE_STEP_SECONDS", "1")
        .env("CKPT_TIMES", "105")
        .output()
        .expect("cannot run bash");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    println!("{text}");
    assert!(out.status.success(), "SLURM harness failed:\n{text}");
    assert!(text.contains("harness: all SLURM checks passed"), "{text}");
}
