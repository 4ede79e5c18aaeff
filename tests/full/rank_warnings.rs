//! Rank-local warnings in a batch run's `.out`: a condition only some ranks
//! see (here a thread pool larger than the rank's CPUs, made rank-local
//! with mpirun's MPMD syntax giving some ranks `SLURM_CPUS_PER_TASK`) is
//! written once per distinct text, prefixed with the ranks that saw it, and
//! counted in the closing line.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::run_mpi;

const BIN: &str = env!("CARGO_BIN_EXE_topo-hpc");

/// The shared arguments of every run: a short tiny.ty run, no analysis, no
/// snapshot, into `out` under a fixed timestamp.
const RUN_ARGS: [&str; 13] = [
    "run",
    "examples/tiny.ty",
    "--times",
    "[2]",
    "--analysis",
    "none",
    "--no-snapshot",
    "--no-progress",
    "--save-script-repr",
    "none",
    "--timestamp",
    "202601010000",
    "--output-path=out",
];

/// A thread count surely above the CPUs any rank of this machine gets.
fn too_many_threads() -> usize {
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    (4 * cpus).max(64)
}

/// `mpirun` with one app context per `(ranks, oversubscribed)` entry, in
/// rank order; oversubscribed ranks get `SLURM_CPUS_PER_TASK` above their
/// CPUs through `env`, the others nothing that sizes their pool. `extra`
/// is appended to every rank's arguments.
fn mpmd(dir: &Path, contexts: &[(usize, bool)], extra: &[&str]) -> Output {
    let mut c = Command::new("mpirun");
    c.arg("--oversubscribe");
    for (i, &(n, over)) in contexts.iter().enumerate() {
        if i > 0 {
            c.arg(":");
        }
        c.args(["-n", &n.to_string()]);
        if over {
            c.args([
                "env",
                &format!("SLURM_CPUS_PER_TASK={}", too_many_threads()),
            ]);
        }
        c.arg(BIN).args(RUN_ARGS).args(extra);
    }
    run_mpi::mpi_env(&mut c)
        .env_remove("SLURM_CPUS_PER_TASK")
        .env_remove("RAYON_NUM_THREADS")
        .env_remove("TOPO_HPC_OUTPUT")
        .current_dir(dir)
        .output()
        .expect("cannot start mpirun")
}

/// The `.out` of the run in `dir/out`.
fn out_file(dir: &Path) -> String {
    let run: PathBuf = dir.join("out/202601010000_tiny");
    let p = run.join("202601010000_tiny.out");
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Lines that are warnings: `Warning: ...` or `[rank(s) ...] Warning: ...`.
fn warning_lines(out: &str) -> Vec<&str> {
    out.lines()
        .filter(|l| {
            l.starts_with("Warning: ")
                || (l.starts_with('[')
                    && l.split_once("] ")
                        .is_some_and(|(_, r)| r.starts_with("Warning: ")))
        })
        .collect()
}

/// The (errors, warnings) of the closing line.
fn closing_counts(out: &str) -> (usize, usize) {
    let line = out
        .lines()
        .rev()
        .find(|l| l.starts_with("There were "))
        .unwrap_or_else(|| panic!("no closing line in:\n{out}"));
    let nums: Vec<usize> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect();
    assert_eq!(nums.len(), 2, "{line}");
    (nums[0], nums[1])
}

fn oversubscribed(lines: &[&str]) -> Vec<String> {
    lines
        .iter()
        .filter(|l| l.contains("oversubscribed"))
        .map(|l| l.to_string())
        .collect()
}

#[test]
fn only_the_oversubscribed_rank_warns_with_its_rank() {
    let w = run_mpi::workdir_with_example("tiny.ty");
    let o = mpmd(w.path(), &[(3, false), (1, true)], &[]);
    assert!(o.status.success(), "{}", run_mpi::text(&o));
    let out = out_file(w.path());
    let warns = warning_lines(&out);
    let over = oversubscribed(&warns);
    let expected = format!("[rank 3] Warning: {} threads on ", too_many_threads());
    assert_eq!(over.len(), 1, "one oversubscription line expected:\n{out}");
    assert!(over[0].starts_with(&expected), "{}\n{out}", over[0]);
    assert!(over[0].contains("available CPU"), "{out}");
    for r in 0..3 {
        assert!(
            !out.contains(&format!("[rank {r}]")),
            "rank {r} warned:\n{out}"
        );
    }
    // Every warning line counts once in the closing line.
    assert_eq!(closing_counts(&out), (0, warns.len()), "{out}");
    assert!(!warns.is_empty());
    // Rank 0 echoes its log to the terminal: stderr under mpirun, whose
    // stdout stays empty (src/console.rs).
    assert!(
        String::from_utf8_lossy(&o.stderr).contains(&expected) && o.stdout.is_empty(),
        "{}",
        run_mpi::text(&o)
    );
}

#[test]
fn ranks_with_the_same_warning_share_one_line() {
    let w = run_mpi::workdir_with_example("tiny.ty");
    // Ranks 0, 2 and 3 are oversubscribed, rank 1 is not.
    let o = mpmd(w.path(), &[(1, true), (1, false), (2, true)], &[]);
    assert!(o.status.success(), "{}", run_mpi::text(&o));
    let out = out_file(w.path());
    let warns = warning_lines(&out);
    let over = oversubscribed(&warns);
    // One host: one text, one line.
    assert_eq!(over.len(), 1, "{out}");
    assert!(
        over[0].starts_with(&format!(
            "[ranks 0,2-3] Warning: {} threads on ",
            too_many_threads()
        )),
        "{}\n{out}",
        over[0]
    );
    assert_eq!(closing_counts(&out), (0, warns.len()), "{out}");
}

#[test]
fn warnings_reach_the_log_when_the_run_fails_on_every_rank() {
    let w = run_mpi::workdir_with_example("tiny.ty");
    // Bad input (a missing snapshot, say) now fails before the run folder
    // exists; an analysis function that names no projection fails on every
    // rank only when it runs, after the build and the thread check, with
    // the folder and its log open.
    let def = "def f(): save_plotgroup('Projection', projection='no_such_projection')";
    let batch = "run_batch('examples/tiny.ty',times=[1],analysis_fn=f,timestamp='202601010000')";
    let mut c = Command::new("mpirun");
    c.arg("--oversubscribe");
    for (i, over) in [false, true].into_iter().enumerate() {
        if i > 0 {
            c.arg(":");
        }
        c.args(["-n", "1"]);
        if over {
            c.args([
                "env",
                &format!("SLURM_CPUS_PER_TASK={}", too_many_threads()),
            ]);
        }
        c.arg(BIN).args(["-o", "out", "-c", def, "-c", batch]);
    }
    let o = run_mpi::mpi_env(&mut c)
        .env_remove("SLURM_CPUS_PER_TASK")
        .env_remove("RAYON_NUM_THREADS")
        .current_dir(w.path())
        .output()
        .expect("cannot start mpirun");
    assert!(!o.status.success(), "{}", run_mpi::text(&o));
    let out = out_file(w.path());
    let warns = warning_lines(&out);
    let over = oversubscribed(&warns);
    assert_eq!(over.len(), 1, "{out}");
    assert!(over[0].starts_with("[rank 1] Warning: "), "{out}");
    let (errors, warnings) = closing_counts(&out);
    assert_eq!(warnings, warns.len(), "{out}");
    assert!(errors >= 1, "{out}");
    // The warning comes before the error it may explain.
    let at_warning = out.find(&over[0]).unwrap();
    let at_error = out
        .rfind("no such projection")
        .expect("error not in the log");
    assert!(at_warning < at_error, "{out}");
}

#[test]
fn a_rank_with_enough_cpus_does_not_warn() {
    let w = run_mpi::workdir_with_example("tiny.ty");
    let o = mpmd(w.path(), &[(1, false)], &[]);
    assert!(o.status.success(), "{}", run_mpi::text(&o));
    let out = out_file(w.path());
    let warns = warning_lines(&out);
    assert!(oversubscribed(&warns).is_empty(), "{out}");
    assert!(!out.contains("[rank"), "{out}");
    assert_eq!(closing_counts(&out), (0, warns.len()), "{out}");
}

#[test]
fn a_single_rank_warns_unprefixed() {
    let w = run_mpi::workdir_with_example("tiny.ty");
    let o = mpmd(w.path(), &[(1, true)], &[]);
    assert!(o.status.success(), "{}", run_mpi::text(&o));
    let out = out_file(w.path());
    let warns = warning_lines(&out);
    let over = oversubscribed(&warns);
    assert_eq!(over.len(), 1, "{out}");
    assert!(
        over[0].starts_with(&format!("Warning: {} threads on ", too_many_threads())),
        "{out}"
    );
    assert_eq!(closing_counts(&out), (0, warns.len()), "{out}");
}

/// `examples/tiny.ty` with a stimulus that overflows to infinity near its
/// centre only: `offset + scale * gaussian` with both near `f64::MAX` is
/// infinite where the Gaussian is above ~0.8, finite elsewhere. Centred low
/// on the retina (row 0 is the top), it lies in the bottom rows only.
fn write_overflowing_model(dir: &Path) -> &'static str {
    let tiny = std::fs::read_to_string(dir.join("examples/tiny.ty")).unwrap();
    let start = tiny
        .find("stimulus = pattern.Gaussian(")
        .expect("tiny.ty defines its stimulus");
    let end = start
        + tiny[start..]
            .find("aspect_ratio=7.0/1.5)")
            .expect("tiny.ty's stimulus ends with its aspect ratio")
        + "aspect_ratio=7.0/1.5)".len();
    let model = format!(
        "{}stimulus = pattern.Gaussian(x=0.0, y=-0.4, size=0.2, aspect_ratio=1.0, scale=1e308, offset=1e308){}",
        &tiny[..start],
        &tiny[end..]
    );
    std::fs::write(dir.join("examples/overflow.ty"), model).unwrap();
    "examples/overflow.ty"
}

/// `mpirun -n ranks` of `model` to time 1, in `out_name`.
fn run_model(dir: &Path, ranks: usize, model: &str, out_name: &str) -> String {
    let o = run_mpi::command(BIN, ranks)
        .args(["run", model])
        .args(["--times", "[1]", "--analysis", "none", "--no-snapshot"])
        .args(["--no-progress", "--save-script-repr", "none"])
        .args(["--timestamp", "202601010000", "--output-path", out_name])
        .env_remove("SLURM_CPUS_PER_TASK")
        .env_remove("RAYON_NUM_THREADS")
        .current_dir(dir)
        .output()
        .expect("cannot start mpirun");
    assert!(o.status.success(), "{}", run_mpi::text(&o));
    let p = dir.join(format!(
        "{out_name}/202601010000_overflow/202601010000_overflow.out"
    ));
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn non_finite_activity_is_reported_by_the_rank_that_holds_it() {
    let w = run_mpi::workdir_with_example("tiny.ty");
    let model = write_overflowing_model(w.path());
    let retina = |out: &str| -> Vec<String> {
        warning_lines(out)
            .into_iter()
            .filter(|l| l.contains("sheet Retina:") && l.contains("non-finite"))
            .map(String::from)
            .collect()
    };
    let one = run_model(w.path(), 1, model, "one");
    let one_lines = retina(&one);
    assert_eq!(one_lines.len(), 1, "{one}");
    let detail = one_lines[0]
        .strip_prefix("Warning: ")
        .unwrap_or_else(|| panic!("unprefixed on one rank: {one}"));
    assert!(detail.contains("at time 1,"), "{detail}");
    assert_eq!(
        closing_counts(&one),
        (0, warning_lines(&one).len()),
        "{one}"
    );
    // Three ranks split the rows; the bottom rows are rank 2's. Its warning
    // names the same count and global unit as the one-rank run, and the
    // other ranks, whose blocks are finite, say nothing.
    let three = run_model(w.path(), 3, model, "three");
    let three_lines = retina(&three);
    assert_eq!(
        three_lines,
        vec![format!("[rank 2] {}", one_lines[0])],
        "{three}"
    );
    assert_eq!(
        closing_counts(&three),
        (0, warning_lines(&three).len()),
        "{three}"
    );
}

#[test]
fn topographicas_command_line_form_sizes_its_pool_from_slurm_too() {
    // `topo-hpc -c "run_batch(...)"` has no --threads: under SLURM the
    // pool must follow SLURM_CPUS_PER_TASK as `run` does, so an
    // oversubscribing value is noticed (and warned about) here as well.
    let w = run_mpi::workdir_with_example("tiny.ty");
    let o = run_mpi::command(BIN, 2)
        .args([
            "-a",
            "--output-path=out",
            "-c",
            "run_batch('examples/tiny.ty', times=[2], snapshot=False, save_script_repr='none')",
        ])
        .env("SLURM_CPUS_PER_TASK", too_many_threads().to_string())
        .env_remove("RAYON_NUM_THREADS")
        .current_dir(w.path())
        .output()
        .expect("cannot start mpirun");
    assert!(o.status.success(), "{}", run_mpi::text(&o));
    let runs: Vec<PathBuf> = std::fs::read_dir(w.path().join("out"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(runs.len(), 1, "{runs:?}");
    let name = runs[0].file_name().unwrap().to_str().unwrap().to_string();
    let out = std::fs::read_to_string(runs[0].join(format!("{name}.out"))).unwrap();
    let over = oversubscribed(&warning_lines(&out));
    // Both ranks see the same text: one line naming both.
    assert_eq!(over.len(), 1, "{out}");
    assert!(
        over[0].starts_with(&format!(
            "[ranks 0-1] Warning: {} threads on ",
            too_many_threads()
        )),
        "{out}"
    );
}
