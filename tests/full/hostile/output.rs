//! Output errors never kill a run: stdout closed early (`| head`), or
//! stdout and stderr both gone.

use super::common::*;
use std::process::{Command, Stdio};

#[test]
fn a_closed_stdout_does_not_stop_the_run() {
    closed_stdout(0);
}

/// Under mpirun the ranks' output passes through mpirun, and mpirun itself
/// dies of SIGPIPE (or exits 1) when its stdout is closed, taking the ranks
/// with it — about 1 run in 5 here, with the binaries of this and of the
/// previous landing alike. The ranks cannot see mpirun's stdout, so this is
/// not yet fixed; README ("Failure and recovery") says to redirect mpirun's
/// output to a file instead of a pipe that may close.
#[test]
#[ignore = "known defect: mpirun dies of SIGPIPE when its stdout is closed (~1 run in 5); see the comment"]
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
