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
//! Everything is this package's binary on examples/tiny.ty: `run` in
//! run.sbatch, checkpoint.sbatch and every sweep task, `sweep` and
//! `collate`. The checkpointed run is sized by a timed short run to take
//! ~150 s, so the signal 60-90 s into the 2-minute limit interrupts it at
//! least once; its results file and final snapshot are compared bit for bit
//! with an uninterrupted run.

use std::path::Path;
use std::process::Command;

#[test]
fn job_scripts_on_single_node_slurm() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let model = root.join("examples/tiny.ty");
    let out = Command::new("bash")
        .arg(root.join("tests/slurm/harness.sh"))
        .env("TOPO_HPC", env!("CARGO_BIN_EXE_topo-hpc"))
        .env("RUNNER", env!("CARGO_BIN_EXE_topo-hpc"))
        .env_remove("TOPO_HPC_SWEEP_RUNNER")
        .env("MODEL", &model)
        .env("A", "cortex_density")
        .env("A_VALUES", "3,4")
        .env("A_RUN", "4")
        .env("B", "retina_density")
        .env("B_VALUES", "20:24:2")
        .env("CKPT_TIMES", "auto")
        .env("CKPT_REQUEUES", "any")
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
