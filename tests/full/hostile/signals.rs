//! Stop signals: SIGTERM, SIGINT and SIGUSR1 stop a run at the next step
//! boundary with a snapshot, a line in the `.out` and exit status 3; under
//! mpirun SIGUSR1 (what the job scripts send) reaches the ranks and the 3
//! comes back out of mpirun. A signal while the model is still loading
//! stops it cleanly too.

use super::common::*;
use std::time::Duration;

fn long_run(s: &Scratch, ranks: usize) -> std::process::Child {
    start(
        s.path(),
        ranks,
        &[
            "run",
            s.model().to_str().unwrap(),
            "--output-path",
            "out",
            "--times",
            "1,1000000",
            "--analysis",
            "none",
            "--no-progress",
        ],
    )
}

fn assert_checkpointed(s: &Scratch, r: &Ran) {
    assert_eq!(r.code, Some(3), "{}", r.all());
    let dir = s.run_dirs().pop().expect("run folder");
    let snap = file_ending(&dir, ".snapshot.h5");
    let out = std::fs::read_to_string(file_ending(&dir, ".out")).unwrap();
    assert!(out.contains("checkpointed at time"), "{out}");
    assert!(
        out.contains(&format!("--restore {}", snap.display())) || out.contains("--restore out/"),
        "{out}"
    );
    assert!(!out.contains("--resume"), "{out}");
    assert!(!std::fs::read_dir(&dir).unwrap().any(|e| e
        .unwrap()
        .path()
        .to_string_lossy()
        .ends_with(".tmp")));
}

#[test]
fn term_int_and_usr1_checkpoint_a_single_process() {
    for sig in ["TERM", "INT", "USR1"] {
        let s = Scratch::new();
        let child = long_run(&s, 0);
        std::thread::sleep(Duration::from_millis(1500));
        signal(child.id(), sig);
        let r = finish(child, Duration::from_secs(60));
        assert_checkpointed(&s, &r);
    }
}

#[test]
fn usr1_to_mpirun_reaches_the_ranks_and_exit_3_comes_back() {
    let s = Scratch::new();
    let child = long_run(&s, 3);
    std::thread::sleep(Duration::from_millis(2500));
    signal(child.id(), "USR1");
    let r = finish(child, Duration::from_secs(60));
    assert_checkpointed(&s, &r);
}

#[test]
fn term_to_mpirun_still_leaves_a_checkpoint() {
    // mpirun aborts the job on SIGTERM and returns 1 whatever the ranks
    // return (see jobscripts/checkpoint.sbatch); the ranks must still
    // write their snapshot before its kill timer.
    let s = Scratch::new();
    let mut c = std::process::Command::new("mpirun");
    env(&mut c).env("OMPI_MCA_odls_base_sigkill_timeout", "8");
    let child = c
        .args([
            "-n",
            "2",
            BIN,
            "run",
            s.model().to_str().unwrap(),
            "--output-path",
            "out",
            "--times",
            "1,1000000",
            "--analysis",
            "none",
            "--no-progress",
        ])
        .current_dir(s.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(2500));
    signal(child.id(), "TERM");
    let r = finish(child, Duration::from_secs(60));
    assert!(r.code.is_some(), "{}", r.all());
    let dir = s.run_dirs().pop().expect("run folder");
    file_ending(&dir, ".snapshot.h5");
    let out = std::fs::read_to_string(file_ending(&dir, ".out")).unwrap();
    assert!(out.contains("checkpointed at time"), "{out}");
}

#[test]
fn a_signal_while_loading_stops_cleanly() {
    for sig in ["TERM", "INT"] {
        let s = Scratch::new();
        let child = long_run(&s, 0);
        std::thread::sleep(Duration::from_millis(150));
        signal(child.id(), sig);
        let r = finish(child, Duration::from_secs(60));
        // Either before the folder (nothing written) or after (a checkpoint);
        // never a silent death.
        assert_eq!(r.code, Some(3), "{sig}: {}", r.all());
        match s.run_dirs().pop() {
            None => assert!(r.stderr.contains("stopped by a signal"), "{}", r.all()),
            Some(dir) => {
                let out = std::fs::read_to_string(file_ending(&dir, ".out")).unwrap();
                assert!(out.contains("checkpointed at time"), "{out}");
            }
        }
    }
}
