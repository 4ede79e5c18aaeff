//! What every hostile case needs: a scratch tree with an "outside" that
//! must never change, the binary run with a timeout, and tree snapshots.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_topo-hpc");

/// A scratch tree: `examples/tiny.ty`, an `outside/` folder with files a
/// hostile input might try to reach, and the output root `out/` (not
/// created).
pub struct Scratch {
    pub dir: tempfile::TempDir,
}

impl Scratch {
    pub fn new() -> Scratch {
        let dir = tempfile::tempdir().unwrap();
        let ex = dir.path().join("examples");
        std::fs::create_dir(&ex).unwrap();
        std::fs::copy(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/tiny.ty"),
            ex.join("tiny.ty"),
        )
        .unwrap();
        let outside = dir.path().join("outside");
        std::fs::create_dir_all(outside.join("deep")).unwrap();
        std::fs::write(outside.join("secret.txt"), "do not overwrite\n").unwrap();
        std::fs::write(outside.join("deep/data.h5"), "not an hdf5 file\n").unwrap();
        Scratch { dir }
    }
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
    pub fn model(&self) -> PathBuf {
        self.path().join("examples/tiny.ty")
    }
    pub fn out(&self) -> PathBuf {
        self.path().join("out")
    }
    pub fn outside(&self) -> PathBuf {
        self.path().join("outside")
    }
    /// Everything but the output root.
    pub fn tree_outside_out(&self) -> Tree {
        Tree::of(self.path(), &[self.out()])
    }
    /// Run folders under the output root.
    pub fn run_dirs(&self) -> Vec<PathBuf> {
        match std::fs::read_dir(self.out()) {
            Ok(r) => r
                .map(|e| e.unwrap().path())
                .filter(|p| p.is_dir())
                .collect(),
            Err(_) => Vec::new(),
        }
    }
}

/// A tree's entries: path -> (kind, size, mtime, link target).
#[derive(Debug, PartialEq, Eq)]
pub struct Tree(BTreeMap<PathBuf, String>);

impl Tree {
    /// Walk `root` without following links, skipping `except`.
    pub fn of(root: &Path, except: &[PathBuf]) -> Tree {
        let mut m = BTreeMap::new();
        fn walk(p: &Path, except: &[PathBuf], m: &mut BTreeMap<PathBuf, String>) {
            for e in std::fs::read_dir(p).unwrap() {
                let e = e.unwrap();
                let path = e.path();
                if except.contains(&path) {
                    continue;
                }
                let md = std::fs::symlink_metadata(&path).unwrap();
                let link = std::fs::read_link(&path)
                    .map(|t| t.display().to_string())
                    .unwrap_or_default();
                let content = if md.is_file() && md.len() < 4096 {
                    std::fs::read(&path).unwrap()
                } else {
                    Vec::new()
                };
                m.insert(
                    path.clone(),
                    format!(
                        "{:?} {} {:?} {link} {content:?}",
                        md.file_type(),
                        md.len(),
                        md.modified().ok()
                    ),
                );
                if md.is_dir() {
                    walk(&path, except, m);
                }
            }
        }
        walk(root, except, &mut m);
        Tree(m)
    }
}

/// A finished run.
#[derive(Debug)]
pub struct Ran {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub seconds: f64,
}

impl Ran {
    pub fn all(&self) -> String {
        format!(
            "exit {:?} after {:.1} s\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.seconds, self.stdout, self.stderr
        )
    }
}

/// The environment OpenMPI needs on the CI machine (root, one host, more
/// ranks than cores); the caller's output root is not inherited.
pub fn env(c: &mut Command) -> &mut Command {
    c.env("OMPI_ALLOW_RUN_AS_ROOT", "1")
        .env("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
        .env("OMPI_MCA_pml", "ob1")
        .env("OMPI_MCA_btl", "self,vader")
        .env("OMPI_MCA_rmaps_base_oversubscribe", "1")
        .env("OMPI_MCA_mpi_yield_when_idle", "1")
        .env("RAYON_NUM_THREADS", "1")
        .env_remove("TOPO_HPC_OUTPUT")
        .env_remove("OMPI_MCA_sharedfp")
        // The stand-in runner tests/full/sweep_local.rs sets for the whole
        // (shared) test process; tests/full/hostile/sweeps.rs sets its own.
        .env_remove("TOPO_HPC_SWEEP_RUNNER")
}

/// `topo-hpc ARGS` (ranks 0: one process) or `mpirun -n RANKS topo-hpc ARGS`,
/// started in `cwd`.
pub fn start(cwd: &Path, ranks: usize, args: &[&str]) -> Child {
    let mut c = if ranks == 0 {
        Command::new(BIN)
    } else {
        let mut c = Command::new("mpirun");
        c.args(["-n", &ranks.to_string(), BIN]);
        c
    };
    env(&mut c)
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cannot start topo-hpc / mpirun")
}

/// Wait for a started run, killing it after `timeout`.
pub fn finish(mut child: Child, timeout: Duration) -> Ran {
    let start = Instant::now();
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let o = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let e = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let code = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st.code();
        }
        if start.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Ran {
        code,
        stdout: o.join().unwrap(),
        stderr: e.join().unwrap(),
        seconds: start.elapsed().as_secs_f64(),
    }
}

/// Run to the end (60 s at most).
pub fn run(cwd: &Path, ranks: usize, args: &[&str]) -> Ran {
    finish(start(cwd, ranks, args), Duration::from_secs(60))
}

/// `run MODEL --output-path OUT --times TIMES --analysis none
/// --no-progress EXTRA...`: the short run of the tiny model most cases
/// start from or resume (`--timestamp` and `--restore` go in `extra`).
pub fn tiny_run_args(s: &Scratch, out: &str, times: &str, extra: &[&str]) -> Vec<String> {
    let model = s.model();
    let head = [
        "run",
        model.to_str().unwrap(),
        "--output-path",
        out,
        "--times",
        times,
        "--analysis",
        "none",
        "--no-progress",
    ];
    head.iter().chain(extra).map(|a| a.to_string()).collect()
}

/// [`tiny_run_args`] run to the end in one process.
pub fn run_tiny(s: &Scratch, out: &str, times: &str, extra: &[&str]) -> Ran {
    let args = tiny_run_args(s, out, times, extra);
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    run(s.path(), 0, &a)
}

/// The final snapshot of a fresh one-process run to `times` into the
/// scratch root `snaps` (a checkpoint to restore from).
pub fn fresh_snapshot(s: &Scratch, times: &str) -> PathBuf {
    let r = run_tiny(s, "snaps", times, &[]);
    assert_eq!(r.code, Some(0), "{}", r.all());
    let d = std::fs::read_dir(s.path().join("snaps"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    file_ending(&d, ".snapshot.h5")
}

/// Send `sig` (a `kill -s` name) to a process.
pub fn signal(pid: u32, sig: &str) {
    let ok = Command::new("kill")
        .args(["-s", sig, &pid.to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill -s {sig} {pid} failed");
}

/// `pid` and every process below it (from /proc), children after parents.
pub fn process_tree(pid: u32) -> Vec<u32> {
    let parent_of = |p: u32| -> Option<u32> {
        let stat = std::fs::read_to_string(format!("/proc/{p}/stat")).ok()?;
        // The command name may hold spaces or parentheses: the fields
        // after it start behind the last ')'.
        let rest = &stat[stat.rfind(')')? + 1..];
        rest.split_whitespace().nth(1)?.parse().ok()
    };
    let all: Vec<u32> = std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .collect();
    let mut tree = vec![pid];
    let mut i = 0;
    while i < tree.len() {
        let p = tree[i];
        tree.extend(all.iter().filter(|&&c| parent_of(c) == Some(p)));
        i += 1;
    }
    tree
}

/// Stops a process tree (SIGSTOP) until dropped (SIGCONT), so a test can
/// compare files while a holder of a lock cannot write.
pub struct Frozen(Vec<u32>);

impl Frozen {
    /// Stop `pid` and its descendants, parents first so none starts a
    /// new child after being looked at.
    pub fn new(pid: u32) -> Frozen {
        let tree = process_tree(pid);
        for p in &tree {
            signal(*p, "STOP");
        }
        // Anything forked between the listing and the stop is stopped too.
        let again = process_tree(pid);
        for p in again.iter().filter(|p| !tree.contains(p)) {
            signal(*p, "STOP");
        }
        Frozen(again)
    }
}

impl Drop for Frozen {
    fn drop(&mut self) {
        for p in self.0.iter().rev() {
            let _ = Command::new("kill")
                .args(["-s", "CONT", &p.to_string()])
                .status();
        }
    }
}

/// Wait until `path` exists and contains `text` (or panic after `timeout`).
pub fn wait_for_text(path: &Path, text: &str, timeout: Duration) {
    let start = Instant::now();
    loop {
        if std::fs::read_to_string(path).is_ok_and(|s| s.contains(text)) {
            return;
        }
        assert!(
            start.elapsed() < timeout,
            "{} never contained {text:?}",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The one file in `dir` whose name ends with `suffix`.
pub fn file_ending(dir: &Path, suffix: &str) -> PathBuf {
    let v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(suffix))
        .collect();
    assert_eq!(
        v.len(),
        1,
        "files ending {suffix} in {}: {v:?}",
        dir.display()
    );
    v[0].clone()
}

/// Assert a refusal: a non-zero exit other than a crash, `needle` in
/// stderr, no run folder, and nothing outside the output root changed.
pub fn assert_refused_before_folder(s: &Scratch, args: &[&str], needle: &str) {
    let before = s.tree_outside_out();
    let r = run(s.path(), 0, args);
    assert_eq!(r.code, Some(1), "{args:?}\n{}", r.all());
    assert!(
        r.stderr.contains(needle),
        "{args:?}: no {needle:?}\n{}",
        r.all()
    );
    assert!(!r.stderr.contains("panicked"), "{}", r.all());
    assert!(s.run_dirs().is_empty(), "{args:?} left {:?}", s.run_dirs());
    assert_eq!(
        before,
        s.tree_outside_out(),
        "{args:?} changed files outside the output root"
    );
}
