//! The test layout stays one integration-test binary per tier (and one per
//! library crate): cargo would build every other `tests/*.rs` or
//! `tests/<dir>/main.rs` as a binary of its own, which costs a link each
//! and, in this package, would put it in the fast tier whatever it starts.

use std::path::{Path, PathBuf};

/// Test targets cargo would discover in `tests` besides `allowed` (folder
/// names whose main.rs is a declared binary).
fn stray_targets(tests: &Path, allowed: &[&str]) -> Vec<PathBuf> {
    let mut stray = Vec::new();
    let Ok(entries) = std::fs::read_dir(tests) else {
        return stray;
    };
    for e in entries {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        let is_rs_file = p.is_file() && name.ends_with(".rs");
        let is_bin_dir = p.join("main.rs").is_file() && !allowed.contains(&name.as_str());
        if is_rs_file || is_bin_dir {
            stray.push(p);
        }
    }
    stray
}

#[test]
fn one_test_binary_per_tier_and_per_crate() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut stray = stray_targets(&root.join("tests"), &["fast", "full"]);
    for c in std::fs::read_dir(root.join("crates")).unwrap() {
        stray.extend(stray_targets(
            &c.unwrap().path().join("tests"),
            &["integration"],
        ));
    }
    assert!(
        stray.is_empty(),
        "test files outside the tiers' binaries: {stray:?}\n\
         make each a module of tests/fast/main.rs or tests/full/main.rs \
         (crates: tests/integration/main.rs); tests/README.md says which"
    );
}

#[test]
fn the_layout_check_sees_a_stray_file() {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir(d.path().join("fast")).unwrap();
    std::fs::write(d.path().join("fast/main.rs"), "").unwrap();
    std::fs::create_dir(d.path().join("other")).unwrap();
    std::fs::write(d.path().join("other/main.rs"), "").unwrap();
    std::fs::write(d.path().join("new_test.rs"), "").unwrap();
    std::fs::create_dir(d.path().join("data")).unwrap();
    let mut stray = stray_targets(d.path(), &["fast"]);
    stray.sort();
    assert_eq!(
        stray,
        vec![d.path().join("new_test.rs"), d.path().join("other")]
    );
}
