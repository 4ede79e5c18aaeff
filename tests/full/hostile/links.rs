//! Symbolic links planted in a run folder are never written through: a
//! resume into a folder holding one refuses, naming it, and nothing
//! outside the output root changes.

use super::common::*;

const STAMP: [&str; 2] = ["--timestamp", "202601010000"];

fn make_run(s: &Scratch) -> (std::path::PathBuf, std::path::PathBuf) {
    let r = run_tiny(s, "out", "1,2", &STAMP);
    assert_eq!(r.code, Some(0), "{}", r.all());
    let dir = s.run_dirs().pop().unwrap();
    let snap = file_ending(&dir, ".snapshot.h5");
    (dir, snap)
}

fn resume(s: &Scratch, snap: &std::path::Path) -> Ran {
    let restore = ["--restore", snap.to_str().unwrap()];
    run_tiny(s, "out", "1,2,3", &[&STAMP[..], &restore[..]].concat())
}

#[test]
fn links_planted_in_a_run_folder_are_refused() {
    // Each plant: a name the resumed run would write, pointing outside.
    let plants: [(&str, &str); 4] = [
        (
            "202601010000_tiny_000003.00.snapshot.h5",
            "outside/deep/data.h5",
        ),
        (
            "202601010000_tiny_000003.00.snapshot.h5.tmp",
            "outside/secret.txt",
        ),
        (".topo-hpc.lock", "outside/secret.txt"),
        (
            "202601010000_tiny_000003.00_script_repr.ty",
            "outside/new-file",
        ),
    ];
    for (name, target) in plants {
        let s = Scratch::new();
        let (dir, snap) = make_run(&s);
        let _ = std::fs::remove_file(dir.join(name));
        std::os::unix::fs::symlink(s.path().join(target), dir.join(name)).unwrap();
        let before = Tree::of(s.path(), &[]);
        let r = resume(&s, &snap);
        assert_eq!(r.code, Some(1), "{name}: {}", r.all());
        assert!(r.stderr.contains("symbolic link"), "{name}: {}", r.all());
        assert_eq!(before, Tree::of(s.path(), &[]), "{name}: something changed");
    }
}

#[test]
fn the_out_file_replaced_by_a_link_is_refused() {
    let s = Scratch::new();
    let (dir, snap) = make_run(&s);
    let out = file_ending(&dir, ".out");
    std::fs::remove_file(&out).unwrap();
    std::os::unix::fs::symlink(s.outside().join("secret.txt"), &out).unwrap();
    let before = s.tree_outside_out();
    let r = resume(&s, &snap);
    assert_eq!(r.code, Some(1), "{}", r.all());
    assert!(r.stderr.contains("symbolic link"), "{}", r.all());
    assert_eq!(before, s.tree_outside_out());
}

#[test]
fn a_run_folder_that_is_itself_a_link_is_refused() {
    let s = Scratch::new();
    let (dir, snap) = make_run(&s);
    // Move the real folder outside and leave a link in its place.
    let moved = s.outside().join("moved");
    std::fs::rename(&dir, &moved).unwrap();
    std::os::unix::fs::symlink(&moved, &dir).unwrap();
    let snap = dir.join(snap.file_name().unwrap());
    let before = s.tree_outside_out();
    let r = resume(&s, &snap);
    assert_ne!(r.code, Some(0), "{}", r.all());
    assert_eq!(before, s.tree_outside_out(), "{}", r.all());
}
