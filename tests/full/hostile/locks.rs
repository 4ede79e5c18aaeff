//! One writer per run folder: a second run into a folder another run
//! holds (two in-place resumes of one checkpoint) refuses and touches
//! nothing; the lock goes with the holder, however it ends.

use super::common::*;
use std::time::Duration;

/// A checkpointed run: (scratch, run folder, snapshot).
fn checkpointed() -> (Scratch, std::path::PathBuf, std::path::PathBuf) {
    let s = Scratch::new();
    let r = run_tiny(
        &s,
        "out",
        "1,3",
        &["--timestamp", "202601010000", "--no-snapshot"],
    );
    assert_eq!(r.code, Some(0), "{}", r.all());
    let dir = s.run_dirs().pop().unwrap();
    // A snapshot to continue from, from a second short run of the same
    // model into a scratch root.
    let snap = fresh_snapshot(&s, "1");
    let inside = dir.join("202601010000_tiny_000001.00.snapshot.h5");
    std::fs::copy(&snap, &inside).unwrap();
    (s, dir, inside)
}

fn resume_args(s: &Scratch, snap: &std::path::Path, times: &str) -> Vec<String> {
    let snap = snap.to_str().unwrap();
    tiny_run_args(
        s,
        "out",
        times,
        &["--timestamp", "202601010000", "--restore", snap],
    )
}

#[test]
fn a_second_resume_of_a_held_folder_refuses_and_touches_nothing() {
    let (s, dir, snap) = checkpointed();
    let args = resume_args(&s, &snap, "1,100000");
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    // The holder: two ranks under mpirun, resuming in place.
    let first = start(s.path(), 2, &a);
    let out = file_ending(&dir, ".out");
    wait_for_text(&out, "Restored", Duration::from_secs(60));
    // The holder is stopped while the others try, so every byte that
    // changes in the tree would be theirs (the holder keeps rewriting its
    // .out, report and figures while it runs). Its lock stays held.
    let frozen = Frozen::new(first.id());
    let before = Tree::of(s.path(), &[]);
    for ranks in [0, 2] {
        let r = run(s.path(), ranks, &a);
        assert_eq!(r.code, Some(1), "{}", r.all());
        assert!(
            r.stderr.contains("is in use by another topo-hpc process"),
            "{}",
            r.all()
        );
    }
    // Nothing changed anywhere under the scratch root.
    assert_eq!(before, Tree::of(s.path(), &[]));
    drop(frozen);
    assert_eq!(
        std::fs::read_to_string(&out)
            .unwrap()
            .matches("# resumed:")
            .count(),
        1,
        "the refused runs wrote into the .out"
    );
    signal(first.id(), "USR1");
    let r = finish(first, Duration::from_secs(60));
    assert_eq!(r.code, Some(3), "{}", r.all());
    // The lock went with the holder: a new resume may take the folder.
    let args = resume_args(&s, &snap, "1,4");
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = run(s.path(), 0, &a);
    assert_eq!(r.code, Some(0), "{}", r.all());
}

#[test]
fn a_killed_holder_releases_the_lock() {
    let (s, dir, snap) = checkpointed();
    let args = resume_args(&s, &snap, "1,100000");
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut first = start(s.path(), 0, &a);
    wait_for_text(
        &file_ending(&dir, ".out"),
        "Restored",
        Duration::from_secs(60),
    );
    first.kill().unwrap();
    first.wait().unwrap();
    let args = resume_args(&s, &snap, "1,3");
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = run(s.path(), 0, &a);
    assert_eq!(r.code, Some(0), "{}", r.all());
}
