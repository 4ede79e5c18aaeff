//! A full disk: the snapshot error names ENOSPC and leaves no `.tmp`.
//! Needs a small tmpfs (root in a container, as on the CI machine); where
//! mounting is not allowed the case says so and checks nothing.

use super::common::*;
use std::process::Command;

#[test]
fn a_full_disk_is_named_and_leaves_no_tmp() {
    let s = Scratch::new();
    let mnt = s.path().join("small");
    std::fs::create_dir(&mnt).unwrap();
    let ok = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=600k", "tmpfs"])
        .arg(&mnt)
        .status()
        .is_ok_and(|st| st.success());
    if !ok {
        eprintln!("disk_full: cannot mount a tmpfs here; case not run");
        return;
    }
    let r = run(
        s.path(),
        0,
        &[
            "run",
            s.model().to_str().unwrap(),
            "-p",
            "cortex_density=40",
            "--times",
            "1,2",
            "--analysis",
            "none",
            "--no-progress",
            "--output-path",
            mnt.to_str().unwrap(),
        ],
    );
    let dir = std::fs::read_dir(&mnt)
        .unwrap()
        .next()
        .map(|e| e.unwrap().path());
    let listing: Vec<String> = dir
        .iter()
        .flat_map(|d| std::fs::read_dir(d).unwrap())
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let out = dir
        .as_ref()
        .map(|d| std::fs::read_to_string(file_ending(d, ".out")).unwrap())
        .unwrap_or_default();
    let _ = Command::new("umount").arg(&mnt).status();
    assert_eq!(r.code, Some(1), "{}", r.all());
    assert!(out.contains("ENOSPC"), "{out}\n{}", r.all());
    assert!(!listing.iter().any(|n| n.ends_with(".tmp")), "{listing:?}");
}
