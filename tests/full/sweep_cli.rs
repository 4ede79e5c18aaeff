//! The `sweep` and `collate` subcommands through the real binary: the
//! review step refuses without a terminal and without --yes (creating
//! nothing), and `--dry-run --launcher slurm` prints the array script.

use std::path::Path;
use std::process::{Command, Stdio};

fn topo() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_topo-hpc"));
    c.env(
        "TOPO_HPC_SWEEP_RUNNER",
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/slurm/fake-topo-hpc.py"),
    )
    .stdin(Stdio::null());
    c
}

#[test]
fn review_refuses_without_tty_or_yes() {
    let tmp = tempfile::tempdir().unwrap();
    let model = tmp.path().join("tiny.ty");
    std::fs::write(&model, "#\n").unwrap();
    let out_dir = tmp.path().join("out");
    let out = topo()
        .args(["sweep"])
        .arg(&model)
        .args(["--param", "a=1,2,3", "--output-path"])
        .arg(&out_dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{stdout}{stderr}");
    assert!(stderr.contains("pass --yes"), "{stdout}{stderr}");
    // The runs were listed for review, and nothing was created.
    assert!(stdout.contains("a=3"), "{stdout}");
    assert!(!out_dir.exists());
}

#[test]
fn slurm_dry_run_prints_the_array_script() {
    let tmp = tempfile::tempdir().unwrap();
    let model = tmp.path().join("tiny.ty");
    std::fs::write(&model, "#\n").unwrap();
    let out_dir = tmp.path().join("out");
    let out = topo()
        .args(["sweep"])
        .arg(&model)
        .args([
            "--param",
            "a=1,2",
            "--param",
            "b=log:1:100:3",
            "--launcher",
            "slurm",
            "-j",
            "2",
        ])
        .args(["--dry-run", "--sbatch=--time=00:10:00", "--output-path"])
        .arg(&out_dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("#SBATCH --array=0-5%2"), "{stdout}");
    assert!(stdout.contains("#SBATCH --time=00:10:00"), "{stdout}");
    assert!(
        stdout.contains("--run-index \"$SLURM_ARRAY_TASK_ID\""),
        "{stdout}"
    );
    assert!(stdout.contains("b=10.0"), "{stdout}");
    assert!(!out_dir.exists(), "a dry run creates nothing");
}
