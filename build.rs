//! Build script: the git revision for `topo-hpc --version`.
//!
//! A clean clone gets `git rev-parse`'s answer; a tree without `.git` (a
//! source tarball) or without git gets `TOPO_HPC_GIT_REV` if set, else
//! "unknown". Never fails the build.

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let o = Command::new("git").args(args).output().ok()?;
    if !o.status.success() {
        return None;
    }
    let s = String::from_utf8(o.stdout).ok()?.trim().to_string();
    (!s.is_empty()).then_some(s)
}

fn main() {
    println!("cargo:rerun-if-env-changed=TOPO_HPC_GIT_REV");
    let rev = std::env::var("TOPO_HPC_GIT_REV")
        .ok()
        .filter(|s| !s.is_empty())
        .or_else(|| {
            let rev = git(&["rev-parse", "--short=12", "HEAD"])?;
            // Rebuild when HEAD moves: HEAD itself, the branch it names,
            // and packed refs (paths valid in worktrees too).
            for p in ["HEAD", "packed-refs"] {
                if let Some(path) = git(&["rev-parse", "--git-path", p]) {
                    println!("cargo:rerun-if-changed={path}");
                }
            }
            if let Some(r) = git(&["symbolic-ref", "-q", "HEAD"]) {
                if let Some(path) = git(&["rev-parse", "--git-path", &r]) {
                    println!("cargo:rerun-if-changed={path}");
                }
            }
            Some(rev)
        })
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=TOPO_HPC_GIT_REV={rev}");
}
