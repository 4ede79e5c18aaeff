//! The command-line habits of HPC tools: `--version` with the git revision
//! and the linked libraries, shell completions, the man page, `inspect`
//! without mpirun, and progress output fit for a SLURM log.

use std::path::Path;
use std::process::{Command, Output};

use crate::run_mpi;

const BIN: &str = env!("CARGO_BIN_EXE_topo-hpc");

/// `topo-hpc ARGS` in `dir` as one process, without mpirun.
fn topo(dir: &Path, args: &[&str]) -> Output {
    let mut c = Command::new(BIN);
    run_mpi::mpi_env(&mut c);
    c.current_dir(dir).args(args).output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn version_names_git_revision_mpi_and_hdf5() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let short = topo(here, &["-V"]);
    assert!(short.status.success(), "{}", run_mpi::text(&short));
    let git = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(here)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| stdout(&o).trim().to_string());
    let expected = match (std::env::var("TOPO_HPC_GIT_REV"), git) {
        (Ok(v), _) if !v.is_empty() => v,
        (_, Some(rev)) => rev,
        _ => "unknown".to_string(),
    };
    assert_eq!(
        stdout(&short).trim(),
        format!("topo-hpc {} (git {expected})", env!("CARGO_PKG_VERSION"))
    );
    let long = topo(here, &["--version"]);
    let text = stdout(&long);
    assert!(long.status.success(), "{}", run_mpi::text(&long));
    let mpi = text.lines().find(|l| l.starts_with("MPI: ")).unwrap_or("");
    assert!(
        mpi.contains("MPI") && mpi.contains("MPI standard 3."),
        "{text}"
    );
    let hdf5 = text.lines().find(|l| l.starts_with("HDF5: ")).unwrap_or("");
    let parts: Vec<&str> = hdf5["HDF5: ".len().min(hdf5.len())..].split('.').collect();
    assert!(
        parts.len() == 3 && parts.iter().all(|p| p.parse::<u32>().is_ok()),
        "{text}"
    );
}

#[test]
fn completions_and_man_page_cover_every_command() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    for shell in ["bash", "zsh", "fish"] {
        let o = topo(here, &["completions", shell]);
        assert!(o.status.success(), "{}", run_mpi::text(&o));
        let s = stdout(&o);
        for cmd in ["run", "sweep", "collate", "inspect", "completions"] {
            assert!(s.contains(cmd), "{shell} completion lacks {cmd}");
        }
    }
    let bad = topo(here, &["completions", "cmd.exe"]);
    assert!(!bad.status.success());
    let man = topo(here, &["man"]);
    assert!(man.status.success(), "{}", run_mpi::text(&man));
    let page = stdout(&man);
    assert!(
        page.starts_with(".ie") || page.contains(".TH topo-hpc"),
        "{page}"
    );
    assert!(page.contains("inspect"), "{page}");
    let d = tempfile::tempdir().unwrap();
    let o = topo(here, &["man", "--out-dir", &d.path().display().to_string()]);
    assert!(o.status.success(), "{}", run_mpi::text(&o));
    for f in ["topo-hpc.1", "topo-hpc-run.1", "topo-hpc-inspect.1"] {
        assert!(d.path().join(f).is_file(), "no {f}");
    }
}

/// A tiny run in `w`/`out` (one process), with stderr not a terminal.
fn tiny_run(w: &Path, extra_env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(BIN);
    run_mpi::mpi_env(&mut c);
    for (k, v) in extra_env {
        c.env(k, v);
    }
    c.current_dir(w)
        .args([
            "run",
            "examples/tiny.ty",
            "-p",
            "cortex_density=4",
            "-p",
            "retina_density=8",
            "--times",
            "1,3",
            "--timestamp",
            "202601010000",
            "--analysis",
            "activity",
            "--output-path",
            "out",
        ])
        .output()
        .unwrap()
}

#[test]
fn inspect_lists_times_sheets_results_snapshots_and_parameters() {
    let w = run_mpi::workdir_with_example("tiny.ty");
    let o = tiny_run(w.path(), &[]);
    assert!(o.status.success(), "{}", run_mpi::text(&o));
    let dir = run_mpi::only_dir(&w.path().join("out"));
    let h5 = dir.join("202601010000_tiny.h5");
    let i = topo(w.path(), &["inspect", &h5.display().to_string()]);
    assert!(i.status.success(), "{}", run_mpi::text(&i));
    let text = stdout(&i);
    for want in [
        "analysis times (2): 000001.00 000003.00",
        "    V1: activity[4x4], mean_activity=",
        "    Retina: activity[",
        "snapshots (1):",
        "000003.00 -> 202601010000_tiny_000003.00.snapshot.h5 (present)",
        "  cortex_density = 4",
        "  ranks: 1",
    ] {
        assert!(text.contains(want), "no '{want}' in:\n{text}");
    }
    // The coordinate scales are not listed as results.
    assert!(!text.contains(" y[") && !text.contains("time="), "{text}");
    // A snapshot itself: sheets and projections.
    let snap = dir.join("202601010000_tiny_000003.00.snapshot.h5");
    let s = stdout(&topo(w.path(), &["inspect", &snap.display().to_string()]));
    assert!(
        s.contains("V1.Afferent: ") && s.contains("weights[4x4x"),
        "{s}"
    );
    // A missing snapshot is reported as such.
    std::fs::remove_file(&snap).unwrap();
    let text = stdout(&topo(w.path(), &["inspect", &h5.display().to_string()]));
    assert!(text.contains("(MISSING)"), "{text}");
    // Not an HDF5 file: a clear error, non-zero exit.
    let bad = topo(w.path(), &["inspect", "examples/tiny.ty"]);
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr)
            .contains("cannot open examples/tiny.ty as an HDF5 file"),
        "{}",
        run_mpi::text(&bad)
    );
}

#[test]
fn progress_in_a_log_is_plain_lines() {
    let w = run_mpi::workdir_with_example("tiny.ty");
    let o = tiny_run(w.path(), &[("TOPO_HPC_PROGRESS_SECONDS", "0")]);
    assert!(o.status.success(), "{}", run_mpi::text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    let lines: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("progress: "))
        .collect();
    // One line per iteration with a zero interval: t=1, 2, 3.
    assert_eq!(lines.len(), 3, "{err}");
    assert!(
        lines[2].starts_with("progress: t=3.00 of 3.00 (100%)"),
        "{err}"
    );
    for (i, c) in err.chars().enumerate() {
        assert!(
            c == '\n' || !c.is_control(),
            "control character {c:?} at {i} in stderr:\n{err:?}"
        );
    }
}

/// On a terminal (a pseudo-terminal from `script`) the bar redraws itself;
/// with NO_COLOR set the same terminal gets plain lines.
#[test]
fn no_color_turns_the_terminal_bar_into_lines() {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("SKIPPED: no `script` to make a terminal");
        return;
    }
    let w = run_mpi::workdir_with_example("tiny.ty");
    let cmd = format!(
        "{BIN} run examples/tiny.ty -p cortex_density=4 -p retina_density=8 --times 1,3 --analysis none --no-snapshot --output-path out{{}}"
    );
    let on_tty = |env: &str, n: usize| {
        let mut c = Command::new("script");
        run_mpi::mpi_env(&mut c);
        c.current_dir(w.path())
            .env_remove("NO_COLOR")
            .env("TERM", "xterm")
            .env("TOPO_HPC_PROGRESS_SECONDS", "0")
            .args([
                "-qec",
                &format!("{env} {}", cmd.replace("{}", &n.to_string())),
                "/dev/null",
            ]);
        let o = c.output().unwrap();
        assert!(o.status.success(), "{}", run_mpi::text(&o));
        stdout(&o)
    };
    let plain = on_tty("NO_COLOR=1", 1);
    assert!(
        plain.contains("progress: t=3.00 of 3.00 (100%)"),
        "{plain:?}"
    );
    assert!(!plain.contains('\u{1b}'), "{plain:?}");
    let bar = on_tty("", 2);
    assert!(!bar.contains("progress: t="), "{bar:?}");
}
