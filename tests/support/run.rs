//! Running the binary (in one process, or under a real `mpirun` the way
//! the CI machine, 2 cores and root, needs it) from integration tests, with
//! the small helpers they all need; each uses a part. Shared by both tiers:
//! tests/fast/main.rs and tests/full/main.rs declare it as `run_mpi`.
#![allow(dead_code)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A scratch folder holding `examples/<file>` of this repository, as a
/// user's checkout would.
pub fn workdir_with_example(file: &str) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir(d.path().join("examples")).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples")
            .join(file),
        d.path().join("examples").join(file),
    )
    .unwrap();
    d
}

/// The path of test-support program `name` (a Cargo example of this
/// package, `tests/support/<name>.rs`), built first with the profile of
/// this test binary. Examples are not installed with the product; cargo
/// sets no `CARGO_BIN_EXE_` variable for them, hence the build here (a
/// no-op when `cargo test` has built them already).
pub fn support_bin(name: &str) -> String {
    let exe = std::env::current_exe().expect("the test binary's path");
    // target/<profile>/deps/<test binary>
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>");
    let release = profile_dir.file_name().is_some_and(|p| p == "release");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut c = Command::new(cargo);
    c.args(["build", "--quiet", "--example", name, "--manifest-path"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"));
    if release {
        c.arg("--release");
    }
    if let Some(target) = profile_dir.parent() {
        c.arg("--target-dir").arg(target);
    }
    let status = c
        .status()
        .expect("cannot run cargo to build a test program");
    assert!(status.success(), "cargo build --example {name} failed");
    let bin = profile_dir.join("examples").join(name);
    assert!(bin.exists(), "{} was not built", bin.display());
    bin.to_string_lossy().into_owned()
}

/// A finished process's status and output, for assertion messages.
pub fn text(o: &Output) -> String {
    format!(
        "status {:?}\n--- stdout\n{}\n--- stderr\n{}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The terminal copy of a run's log in `o`, started by [`command`] on
/// `ranks` ranks: stdout of one process (Topographica's batch output),
/// stderr under mpirun (a run under an MPI launcher keeps stdout empty, as
/// mpirun aborts the job when its own stdout is a closed pipe; see
/// src/console.rs).
pub fn log_text(o: &Output, ranks: usize) -> String {
    let stream = if ranks == 0 { &o.stdout } else { &o.stderr };
    String::from_utf8_lossy(stream).into_owned()
}

/// The only folder directly under `root` (a run's folder).
pub fn only_dir(root: &Path) -> PathBuf {
    let dirs: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    assert_eq!(
        dirs.len(),
        1,
        "expected one run folder in {}: {dirs:?}",
        root.display()
    );
    dirs[0].clone()
}

/// The environment OpenMPI needs on the CI machine: running as root, a
/// shared-memory transport on one host, more ranks than cores. The output
/// root of the caller's shell is not inherited.
pub fn mpi_env(c: &mut Command) -> &mut Command {
    c.env("OMPI_ALLOW_RUN_AS_ROOT", "1")
        .env("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
        .env("OMPI_MCA_pml", "ob1")
        .env("OMPI_MCA_btl", "self,vader")
        .env("OMPI_MCA_rmaps_base_oversubscribe", "1")
        .env_remove("TOPO_HPC_OUTPUT")
        // tests/full/sweep_local.rs sets a stand-in runner for its whole
        // (shared) test process; the real binary's runs must not inherit it.
        .env_remove("TOPO_HPC_SWEEP_RUNNER")
}

/// `bin` itself (`ranks == 0`: one process, MPI initialised as a singleton)
/// or `mpirun --oversubscribe -n RANKS bin`, with [`mpi_env`].
pub fn command(bin: &str, ranks: usize) -> Command {
    let mut c = if ranks == 0 {
        Command::new(bin)
    } else {
        let mut c = Command::new("mpirun");
        c.args(["--oversubscribe", "-n", &ranks.to_string(), bin]);
        c
    };
    mpi_env(&mut c);
    c
}

/// `topo-hpc trace examples/MODEL -p PARAMS... --sheet V1 --times 1,100,250
/// EXTRA...` on `ranks` ranks (0: one process), as [`command`] starts it.
pub fn trace(ranks: usize, model: &str, params: &[&str], extra: &[&str]) -> Output {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut c = command(env!("CARGO_BIN_EXE_topo-hpc"), ranks);
    c.arg("trace").arg(root.join("examples").join(model));
    for p in params {
        c.args(["-p", p]);
    }
    c.args(["--sheet", "V1", "--times", "1,100,250"])
        .args(extra)
        .output()
        .unwrap()
}

/// How an `mpirun` ended.
pub struct Outcome {
    /// Exit code (None: killed after the timeout, or by a signal).
    pub code: Option<i32>,
    /// Everything the ranks printed on stdout.
    pub stdout: String,
    /// Everything on stderr.
    pub stderr: String,
    /// Wall-clock seconds.
    pub seconds: f64,
}

/// `mpirun -n N BIN ARGS`, killed after `timeout`.
pub fn mpirun(bin: &str, n: usize, args: &[&str], timeout: Duration) -> Outcome {
    let start = Instant::now();
    let mut child = Command::new("mpirun")
        .args(["--oversubscribe", "-n", &n.to_string(), bin])
        .args(args)
        .env("OMPI_ALLOW_RUN_AS_ROOT", "1")
        .env("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
        .env("OMPI_MCA_pml", "ob1")
        .env("OMPI_MCA_btl", "self,vader")
        // Ranks oversubscribe the cores: yield instead of spinning.
        .env("OMPI_MCA_mpi_yield_when_idle", "1")
        .env("RAYON_NUM_THREADS", "2")
        .env_remove("TOPO_HPC_SWEEP_RUNNER")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cannot start mpirun (is OpenMPI installed? see scripts/setup.sh)");
    let mut out_pipe = child.stdout.take().unwrap();
    let mut err_pipe = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out_pipe.read_to_string(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err_pipe.read_to_string(&mut s);
        s
    });
    let code = loop {
        if let Some(status) = child.try_wait().expect("wait for mpirun") {
            break status.code();
        }
        if start.elapsed() > timeout {
            // SIGTERM lets mpirun take its ranks down; then make sure.
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
            std::thread::sleep(Duration::from_secs(2));
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Outcome {
        code,
        stdout: out_reader.join().unwrap(),
        stderr: err_reader.join().unwrap(),
        seconds: start.elapsed().as_secs_f64(),
    }
}
