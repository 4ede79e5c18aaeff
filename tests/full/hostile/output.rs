//! Output errors never kill a run: stdout closed early (`| head`), or
//! stdout and stderr both gone.

use super::common::*;
use std::process::{Command, Stdio};

#[test]
fn a_closed_stdout_does_not_stop_the_run() {
    for ranks in [0, 2] {
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
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(0), "ranks {ranks}");
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
