//! Output errors never kill a run: stdout closed early (`| head`), or
//! stdout and stderr both gone.

use super::common::*;
use std::process::{Command, Stdio};

#[test]
fn a_closed_stdout_does_not_stop_the_run() {
    closed_stdout(0);
}

/// Under mpirun the ranks' output passes through mpirun. With its stdout
/// closed, OpenMPI 4.1's mpirun counts the SIGPIPEs of its forwarding
/// writes and aborts the job after more than ten ("SIGPIPE detected on fd
/// 13 - aborting"): this short run usually finishes first and mpirun only
/// exits 1 (about 1 run in 5 here); with one line per analysis time for 40
/// times, mpirun killed the ranks mid-run every time (measured 2026-12-04).
/// The ranks cannot see mpirun's stdout, so this is not fixed in topo-hpc;
/// README ("Failure and recovery") says to send mpirun's output to a file.
#[test]
#[ignore = "known defect: mpirun aborts after more than ten SIGPIPEs when its stdout is closed; see the comment"]
fn a_closed_stdout_does_not_stop_a_run_under_mpirun() {
    closed_stdout(2);
}

fn closed_stdout(ranks: usize) {
    {
        let s = Scratch::new();
        let mut c = if ranks == 0 {
            Command::new(BIN)
        } else {
            let mut c = Command::new("mpirun");
            c.args(["-n", "2", BIN]);
            c
        };
        let mut child = env(&mut c)
            .args([
                "run",
                s.model().to_str().unwrap(),
                "--output-path",
                "out",
                "--times",
                "1,2",
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
        assert!(out.contains("There were 0 error(s)"), "{out}");
        file_ending(&dir, ".snapshot.h5");
    }
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
