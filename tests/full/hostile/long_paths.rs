//! The longest paths the OS allows, under mpirun with several ranks:
//! OpenMPI's sharedfp components aborted inside MPI_File_open (`buffer
//! overflow detected`) past ~240 characters. Paths too long for the run's
//! files are refused before the folder exists.

use super::common::*;
use std::path::{Path, PathBuf};

/// A folder under `base` nested with 250-character components until the
/// whole path is about `total` bytes.
fn deep(base: &Path, total: usize, c: char) -> PathBuf {
    let mut p = base.to_path_buf();
    while p.as_os_str().len() + 251 <= total {
        p.push(c.to_string().repeat(250));
    }
    std::fs::create_dir_all(&p).unwrap();
    p
}

fn run_in(s: &Scratch, root: &Path, ranks: usize) -> Ran {
    run(
        s.path(),
        ranks,
        &[
            "run",
            s.model().to_str().unwrap(),
            "--output-path",
            root.to_str().unwrap(),
            "--times",
            "1,2",
            "--analysis",
            "activity",
            "--no-progress",
        ],
    )
}

#[test]
fn run_file_and_snapshots_at_the_longest_paths_on_three_ranks() {
    let s = Scratch::new();
    // Room left for the folder (~20 bytes) and the longest file name
    // (~100 bytes) within PATH_MAX (4095).
    for total in [300, 1000, 3900] {
        let root = deep(&s.out(), total, 'p');
        let before = s.tree_outside_out();
        let r = run_in(&s, &root, 3);
        assert_eq!(r.code, Some(0), "path of {total} bytes\n{}", r.all());
        assert!(!r.stderr.contains("overflow"), "{}", r.all());
        let dir = std::fs::read_dir(&root)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.is_dir() && !p.ends_with("p".repeat(250)))
            .expect("run folder");
        file_ending(&dir, ".snapshot.h5");
        file_ending(&dir, "_tiny.h5");
        assert!(std::fs::read_to_string(file_ending(&dir, ".out"))
            .unwrap()
            .contains("There were 0 error(s)"));
        assert_eq!(before, s.tree_outside_out());
        std::fs::remove_dir_all(s.out()).unwrap();
    }
}

#[test]
fn paths_past_path_max_are_refused_before_the_folder() {
    let s = Scratch::new();
    let root = deep(&s.out(), 4050, 'q');
    let before = s.tree_outside_out();
    let r = run_in(&s, &root, 2);
    assert_eq!(r.code, Some(1), "{}", r.all());
    assert!(r.stderr.contains("shorter output path"), "{}", r.all());
    assert_eq!(
        std::fs::read_dir(&root).unwrap().count(),
        0,
        "a folder was left"
    );
    assert_eq!(before, s.tree_outside_out());
}
