//! Output errors never kill a run: stdout closed early (`| head`), or
//! stdout and stderr both gone.

use super::common::*;
use std::process::{Command, Stdio};

#[test]
fn a_closed_stdout_does_not_stop_the_run() {
    closed_stdout(0);
}

/// Under mpirun the ranks' stdout passes through mpirun. With its stdout
/// closed, Open MPI 4.1's mpirun counts the SIGPIPEs of its forwarding
/// writes and aborts the job after more than ten ("SIGPIPE detected on fd
/// 13 - aborting"), and even one forwarded line sometimes ends mpirun by
/// SIGPIPE. So a run under a launcher writes its log to stderr and nothing
/// to stdout. 40 analysis times make 40+ log lines: before that rule,
/// mpirun killed this run mid-way every time (2026-12-04).
#[test]
fn a_closed_stdout_does_not_stop_a_run_under_mpirun() {
    closed_stdout(2);
}

/// One rank under mpirun is still under a launcher.
#[test]
fn a_closed_stdout_does_not_stop_one_rank_under_mpirun() {
    closed_stdout(1);
}

/// The log's terminal copy: stdout for one process (Topographica's batch
/// output), stderr under mpirun, whose stdout then stays empty.
#[test]
fn the_run_log_goes_to_stderr_under_mpirun_only() {
    for ranks in [0, 2] {
        let s = Scratch::new();
        let args = tiny_run_args(&s, "out", "1,2", &[]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let r = run(s.path(), ranks, &args);
        assert_eq!(r.code, Some(0), "ranks {ranks}: {}", r.stderr);
        let (log, other) = if ranks == 0 {
            (&r.stdout, &r.stderr)
        } else {
            (&r.stderr, &r.stdout)
        };
        assert!(
            log.contains("Batch run output will be in") && log.contains("There were 0 error(s)"),
            "ranks {ranks}: the log is missing from its stream:\n{log}"
        );
        assert!(
            !other.contains("There were 0 error(s)"),
            "ranks {ranks}: the log is on both streams:\n{other}"
        );
        if ranks > 0 {
            assert_eq!(r.stdout, "", "ranks {ranks}: stdout under mpirun");
        }
    }
}

fn closed_stdout(ranks: usize) {
    let times: Vec<String> = (1..=40).map(|t| t.to_string()).collect();
    let times = times.join(",");
    let s = Scratch::new();
    let mut c = if ranks == 0 {
        Command::new(BIN)
    } else {
        let mut c = Command::new("mpirun");
        c.args(["-n", &ranks.to_string(), BIN]);
        c
    };
    let mut child = env(&mut c)
        .args([
            "run",
            s.model().to_str().unwrap(),
            "--output-path",
            "out",
            "--times",
            &times,
            "--analysis",
            "activity",
            "--no-progress",
        ])
        .current_dir(s.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // `| head -0`: the reader goes away before the first line.
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "ranks {ranks}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let dir = s.run_dirs().pop().unwrap();
    let out = std::fs::read_to_string(file_ending(&dir, ".out")).unwrap();
    // One line per analysis time, then the end: the run went to the end.
    let per_time = out.matches("run_batch: Elapsed real time").count();
    assert_eq!(per_time, 40, "ranks {ranks}: {out}");
    assert!(out.contains("There were 0 error(s)"), "{out}");
    file_ending(&dir, "_000040.00.snapshot.h5");
}

#[test]
fn model_printing_to_a_closed_pipe_does_not_crash() {
    let s = Scratch::new();
    for extra in [&[][..], &["--json"][..], &["--geometry"][..]] {
        let mut c = Command::new(BIN);
        let mut child = env(&mut c)
            .arg("model")
            .arg(s.model())
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let o = child.wait_with_output().unwrap();
        assert_eq!(
            o.status.code(),
            Some(0),
            "{extra:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}
