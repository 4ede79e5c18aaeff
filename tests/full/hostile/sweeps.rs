//! Sweeps: spaces of millions of points are refused without being built
//! (also with --dry-run); bad parameter names fail before launch; a
//! manifest's launcher command is shown before it runs; "done" means the
//! run's results exist; one local launcher per sweep folder.

use super::common::*;
use std::process::Command;
use std::time::Duration;

fn sweep(s: &Scratch, runner: Option<&str>, args: &[&str]) -> Ran {
    let mut c = Command::new(BIN);
    env(&mut c).arg("sweep").args(args).current_dir(s.path());
    match runner {
        Some(r) => c.env("TOPO_HPC_SWEEP_RUNNER", r),
        None => c.env_remove("TOPO_HPC_SWEEP_RUNNER"),
    };
    let child = c
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    finish(child, Duration::from_secs(60))
}

#[test]
fn huge_spaces_are_refused_without_listing_them() {
    let s = Scratch::new();
    let m = s.model();
    let m = m.to_str().unwrap();
    for space in [
        vec!["--param", "cortex_density=1:10:100000000"],
        vec![
            "--param",
            "cortex_density=1:10:10000",
            "--param",
            "retina_density=1:10:10000",
        ],
        vec!["--param", "cortex_density=log:1:10:4000000000"],
    ] {
        let mut a = vec![m, "--output-path", "out", "--dry-run"];
        a.extend(space.iter().copied());
        let before = s.tree_outside_out();
        let r = sweep(&s, None, &a);
        assert_eq!(r.code, Some(1), "{}", r.all());
        assert!(r.stderr.contains("launches at most"), "{}", r.all());
        assert!(r.seconds < 10.0, "{}", r.all());
        assert!(!s.out().exists());
        assert_eq!(before, s.tree_outside_out());
    }
}

#[test]
fn bad_parameter_names_fail_before_launch() {
    let s = Scratch::new();
    let m = s.model();
    let m = m.to_str().unwrap();
    for (p, needle) in [
        ("no_such_param=1,2", "no_such_param"),
        ("cortex-density=1,2", "not a parameter name"),
        ("cortex_density=abc,2", "does not load"),
    ] {
        let r = sweep(
            &s,
            None,
            &[m, "--output-path", "out", "--param", p, "--yes"],
        );
        assert_eq!(r.code, Some(1), "{p}: {}", r.all());
        assert!(r.stderr.contains(needle), "{p}: {}", r.all());
        assert!(!s.out().exists(), "{p}: the sweep folder was created");
    }
}

/// A stand-in runner: a shell script.
fn runner(s: &Scratch, body: &str) -> String {
    let p = s.path().join("runner.sh");
    std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
    Command::new("chmod").arg("+x").arg(&p).status().unwrap();
    p.to_str().unwrap().to_string()
}

#[test]
fn exit_0_without_results_is_not_done() {
    let s = Scratch::new();
    let r = runner(&s, "exit 0");
    let m = s.model();
    let out = sweep(
        &s,
        Some(&r),
        &[
            m.to_str().unwrap(),
            "--output-path",
            "out",
            "--param",
            "cortex_density=3,4",
            "--yes",
        ],
    );
    assert_ne!(out.code, Some(0), "{}", out.all());
    let dir = std::fs::read_dir(s.out())
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let manifest = std::fs::read_to_string(dir.join("manifest.json")).unwrap();
    assert!(!manifest.contains("\"done\""), "{manifest}");
    assert!(manifest.contains("\"failed\""), "{manifest}");
}

#[test]
fn resume_shows_the_manifests_launcher_and_asks() {
    let s = Scratch::new();
    let r = runner(&s, "exit 1");
    let m = s.model();
    let first = sweep(
        &s,
        Some(&r),
        &[
            m.to_str().unwrap(),
            "--output-path",
            "out",
            "--param",
            "cortex_density=3",
            "--yes",
        ],
    );
    assert_ne!(first.code, Some(0));
    let dir = std::fs::read_dir(s.out())
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    // Someone edits the manifest's launcher.
    let mp = dir.join("manifest.json");
    let mut j: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&mp).unwrap()).unwrap();
    let marker = s.outside().join("pwned");
    j["config"]["mpi_command"] = serde_json::Value::String(format!("touch {}", marker.display()));
    std::fs::write(&mp, serde_json::to_string_pretty(&j).unwrap()).unwrap();
    let out = sweep(&s, Some(&r), &["--resume", dir.to_str().unwrap()]);
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(
        out.stdout
            .contains("mpi_command (from the manifest): touch"),
        "{}",
        out.all()
    );
    assert!(out.stderr.contains("without confirmation"), "{}", out.all());
    assert!(
        !marker.exists(),
        "the manifest's command ran without being confirmed"
    );
}

#[test]
fn one_local_launcher_per_sweep_folder() {
    let s = Scratch::new();
    let r = runner(&s, "sleep 4; exit 1");
    let m = s.model();
    let args = [
        m.to_str().unwrap(),
        "--output-path",
        "out",
        "--param",
        "cortex_density=3,4",
        "--yes",
        "--timestamp",
        "202601010000",
    ];
    let mut c = Command::new(BIN);
    env(&mut c)
        .arg("sweep")
        .args(args)
        .current_dir(s.path())
        .env("TOPO_HPC_SWEEP_RUNNER", &r)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let first = c.spawn().unwrap();
    let manifest = s.out().join("202601010000_tiny_sweep/manifest.json");
    wait_for_text(&manifest, "running", Duration::from_secs(20));
    let second = sweep(&s, Some(&r), &args);
    assert_eq!(second.code, Some(1), "{}", second.all());
    assert!(
        second.stderr.contains("in use by another topo-hpc process"),
        "{}",
        second.all()
    );
    let _ = finish(first, Duration::from_secs(60));
}

/// A folder of stand-ins for `sbatch` and `squeue`, first on PATH: `sbatch`
/// logs its call, says it started, waits (so the submission step lasts) and
/// prints a job id; `squeue` reports every job as pending.
fn fake_slurm(s: &Scratch) -> String {
    let bin = s.path().join("fake-slurm");
    std::fs::create_dir(&bin).unwrap();
    let log = s.path().join("sbatch-calls");
    std::fs::write(
        bin.join("sbatch"),
        format!(
            "#!/bin/sh\necho \"$@\" >> {}\nsleep 3\necho 4242\n",
            log.display(),
        ),
    )
    .unwrap();
    std::fs::write(bin.join("squeue"), "#!/bin/sh\necho PENDING\n").unwrap();
    for f in ["sbatch", "squeue"] {
        Command::new("chmod")
            .arg("+x")
            .arg(bin.join(f))
            .status()
            .unwrap();
    }
    format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

fn slurm_sweep(s: &Scratch, path: &str, args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    env(&mut c)
        .arg("sweep")
        .args(args)
        .current_dir(s.path())
        .env("PATH", path)
        .env_remove("TOPO_HPC_SWEEP_RUNNER")
        .env_remove("SLURM_JOB_ID")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    c
}

#[test]
fn one_slurm_submission_per_sweep_folder() {
    let s = Scratch::new();
    let path = fake_slurm(&s);
    let m = s.model();
    let args = [
        m.to_str().unwrap(),
        "--output-path",
        "out",
        "--param",
        "cortex_density=3,4",
        "--launcher",
        "slurm",
        "--yes",
        "--timestamp",
        "202601010000",
    ];
    let first = slurm_sweep(&s, &path, &args).spawn().unwrap();
    // The first is inside its submission (sbatch is running).
    wait_for_text(
        &s.path().join("sbatch-calls"),
        "sweep.sbatch",
        Duration::from_secs(20),
    );
    let dir = s.out().join("202601010000_tiny_sweep");
    let before = Tree::of(&dir, &[]);
    let second = finish(
        slurm_sweep(&s, &path, &args).spawn().unwrap(),
        Duration::from_secs(60),
    );
    assert_eq!(second.code, Some(1), "{}", second.all());
    assert!(
        second.stderr.contains("in use by another topo-hpc process"),
        "{}",
        second.all()
    );
    assert_eq!(
        before,
        Tree::of(&dir, &[]),
        "the refused launcher wrote into the sweep"
    );
    let first = finish(first, Duration::from_secs(60));
    assert_eq!(first.code, Some(0), "{}", first.all());
    assert!(
        first.stdout.contains("submitted array job 4242"),
        "{}",
        first.all()
    );

    // Once submitted, the runs are queued: a later launcher submits nothing.
    let third = finish(
        slurm_sweep(&s, &path, &args).spawn().unwrap(),
        Duration::from_secs(60),
    );
    assert_eq!(third.code, Some(0), "{}", third.all());
    assert!(
        third.stdout.contains("nothing to launch"),
        "{}",
        third.all()
    );
    let calls = std::fs::read_to_string(s.path().join("sbatch-calls")).unwrap();
    assert_eq!(
        calls.lines().count(),
        1,
        "sbatch ran more than once:\n{calls}"
    );
    let manifest = std::fs::read_to_string(dir.join("manifest.json")).unwrap();
    assert_eq!(manifest.matches("4242_").count(), 2, "{manifest}");
}
