//! One run of a sweep: its command line, and running it with the manifest
//! kept up to date before and after.

use super::folder::find_run_folder;
use super::manifest::{self, Manifest, RunRecord, RunState};
use crate::host::hostname;
use anyhow::{Context, Result};
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// Environment variable naming the program run instead of this
/// `topo-hpc` (given the same `run ...` arguments). For tests and for
/// wrapping runs (e.g. in a container); unset in normal use.
pub const RUNNER_ENV: &str = "TOPO_HPC_SWEEP_RUNNER";

/// Exit code with which `topo-hpc run` says "checkpointed on a signal,
/// continue me": the run goes back to pending rather than failed.
pub const EXIT_CHECKPOINTED: i32 = 3;

/// The program that performs a run.
pub fn runner_program() -> Result<PathBuf> {
    match std::env::var_os(RUNNER_ENV) {
        Some(p) if !p.is_empty() => Ok(PathBuf::from(p)),
        _ => std::env::current_exe().context("cannot find the topo-hpc executable"),
    }
}

/// The MPI launcher for `ranks` ranks: the sweep's own command, else
/// `srun --mpi=pmix` inside a SLURM job (Debian's OpenMPI speaks PMIx, not
/// PMI-2), else `mpirun`.
pub fn mpi_prefix(m: &Manifest) -> Vec<String> {
    let ranks = m.config.mpi_ranks;
    if ranks <= 1 && m.config.mpi_command.is_none() {
        return Vec::new();
    }
    let template = match &m.config.mpi_command {
        Some(c) => c.clone(),
        None if std::env::var_os("SLURM_JOB_ID").is_some() => "srun --mpi=pmix -n {ranks}".into(),
        None => "mpirun -n {ranks}".into(),
    };
    template
        .replace("{ranks}", &ranks.to_string())
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

/// The full command of one run: `[mpi...] topo-hpc run MODEL -p ... `.
pub fn run_command(m: &Manifest, sweep_dir: &Path, run: &RunRecord) -> Result<Vec<String>> {
    let mut cmd = mpi_prefix(m);
    cmd.push(runner_program()?.to_string_lossy().into_owned());
    cmd.push("run".into());
    cmd.push(m.config.model.to_string_lossy().into_owned());
    for p in run.param_args() {
        cmd.push("-p".into());
        cmd.push(p);
    }
    if let Some(t) = &m.config.times {
        cmd.push("--times".into());
        cmd.push(t.clone());
    }
    if let Some(t) = m.config.tag.as_ref().filter(|t| !t.is_empty()) {
        cmd.push("--tag".into());
        cmd.push(t.clone());
    }
    cmd.push("--output-path".into());
    cmd.push(sweep_dir.to_string_lossy().into_owned());
    cmd.push("--timestamp".into());
    cmd.push(m.timestamp.clone());
    cmd.push("--no-progress".into());
    cmd.extend(m.config.run_args.iter().cloned());
    // A run that checkpointed continues from its newest snapshot, in its
    // own folder, rather than starting again.
    if run.state == RunState::Pending && run.exit_code == Some(EXIT_CHECKPOINTED) {
        if let Some(snap) = run
            .folder
            .as_ref()
            .and_then(|f| newest_snapshot(&sweep_dir.join(f)))
        {
            cmd.push("--restore".into());
            cmd.push(snap.to_string_lossy().into_owned());
        }
    }
    Ok(cmd)
}

/// The snapshot of the latest simulation time in a run folder
/// (`<simname>_<time>.snapshot.h5`; files still being written, `.tmp`,
/// never count).
pub fn newest_snapshot(dir: &Path) -> Option<PathBuf> {
    let time_of = |p: &Path| -> Option<f64> {
        let name = p.file_name()?.to_str()?;
        let stem = name.strip_suffix(".snapshot.h5")?;
        stem.rsplit('_').next()?.parse().ok()
    };
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter_map(|p| time_of(&p).map(|t| (t, p)))
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, p)| p)
}

/// Is the owner of a running (or queued) run still there? A process on
/// this host is checked in /proc; a SLURM job with `squeue`. A run on
/// another host without a SLURM job cannot be checked and counts as live,
/// so two launchers never run it twice.
pub fn is_live(run: &RunRecord) -> bool {
    if let Some(job) = &run.slurm_job {
        return match Command::new("squeue")
            .args(["-h", "-o", "%T", "-j", job])
            .stderr(Stdio::null())
            .output()
        {
            Ok(out) => out.status.success() && !out.stdout.trim_ascii().is_empty(),
            // No squeue here: cannot tell, so do not launch it twice.
            Err(_) => true,
        };
    }
    match (&run.host, run.pid) {
        (Some(h), Some(pid)) if *h == hostname() => Path::new(&format!("/proc/{pid}")).exists(),
        (Some(_), Some(_)) => true,
        _ => false,
    }
}

/// What happened to one run.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// New state.
    pub state: RunState,
    /// Exit code (None: killed by a signal or not started).
    pub exit_code: Option<i32>,
    /// Wall time, seconds.
    pub seconds: f64,
}

/// Run `index` of the sweep in `dir` in the foreground, recording its start
/// and end in the manifest. Output goes to `logs/run-<index>.log` (appended
/// per attempt). A run that cannot even be started is recorded as failed.
pub fn execute(dir: &Path, index: usize) -> Result<Outcome> {
    let m = Manifest::load(dir)?;
    let run = m
        .runs
        .get(index)
        .with_context(|| format!("run {index} is not in the sweep ({} runs)", m.runs.len()))?
        .clone();
    let cmd = run_command(&m, dir, &run)?;
    let logs = dir.join("logs");
    fs::create_dir_all(&logs).with_context(|| format!("cannot create {}", logs.display()))?;
    let log_rel = format!("logs/run-{index}.log");
    let mut log = OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join(&log_rel))
        .with_context(|| format!("cannot open {log_rel}"))?;
    writeln!(
        log,
        "=== attempt at {} on {}: {}",
        manifest::now(),
        hostname(),
        shell_join(&cmd)
    )?;
    let slurm_job = slurm_task_id();
    let clock = Instant::now();
    let child = Command::new(&cmd[0])
        .args(&cmd[1..])
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log.try_clone()?)
        .spawn();
    let started = manifest::now();
    let pid = child.as_ref().ok().map(|c| c.id());
    manifest::update(dir, |m| {
        let r = &mut m.runs[index];
        r.state = RunState::Running;
        r.attempts += 1;
        r.start = Some(started.clone());
        r.end = None;
        r.seconds = None;
        r.exit_code = None;
        r.host = Some(hostname());
        r.pid = pid;
        r.log = Some(log_rel.clone());
        r.slurm_job = slurm_job.clone();
        Ok(())
    })?;
    let status = match child {
        Ok(mut c) => c.wait().map_err(|e| e.to_string()),
        Err(e) => Err(format!("cannot start {}: {e}", cmd[0])),
    };
    let seconds = clock.elapsed().as_secs_f64();
    let exit_code = match &status {
        Ok(s) => s.code(),
        Err(msg) => {
            writeln!(log, "{msg}")?;
            None
        }
    };
    let mut state = match exit_code {
        Some(0) => RunState::Done,
        Some(EXIT_CHECKPOINTED) => RunState::Pending,
        _ => RunState::Failed,
    };
    let mut no_results = false;
    manifest::update(dir, |m| {
        let folder = find_run_folder(dir, m, &m.runs[index]);
        // "done" means the run's results exist, not only that it exited 0.
        if state == RunState::Done && !folder.as_ref().is_some_and(|f| has_results(&dir.join(f))) {
            state = RunState::Failed;
            no_results = true;
        }
        let r = &mut m.runs[index];
        r.state = state;
        r.exit_code = exit_code;
        r.end = Some(manifest::now());
        r.seconds = Some(seconds);
        r.pid = None;
        if folder.is_some() {
            r.folder = folder;
        }
        Ok(())
    })?;
    if no_results {
        writeln!(
            log,
            "=== exit 0, but the run folder holds no results file: counted as failed"
        )?;
    }
    writeln!(
        log,
        "=== ended at {}: exit {} after {seconds:.2} s -> {state:?}",
        manifest::now(),
        exit_code.map_or("by signal".to_string(), |c| c.to_string()),
    )?;
    Ok(Outcome {
        state,
        exit_code,
        seconds,
    })
}

/// Whether a run folder holds its results: the run file `<simname>.h5`
/// (any `.h5` that is not a snapshot).
pub fn has_results(run_dir: &Path) -> bool {
    std::fs::read_dir(run_dir).is_ok_and(|rd| {
        rd.filter_map(|e| e.ok()).any(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            n.ends_with(".h5") && !n.ends_with(".snapshot.h5") && e.path().is_file()
        })
    })
}

/// `<array job>_<task>` inside a SLURM array task.
pub fn slurm_task_id() -> Option<String> {
    let job = std::env::var("SLURM_ARRAY_JOB_ID").ok()?;
    let task = std::env::var("SLURM_ARRAY_TASK_ID").ok()?;
    Some(format!("{job}_{task}"))
}

/// Quote words for a shell (for logs and printed commands).
pub fn shell_join(words: &[String]) -> String {
    words
        .iter()
        .map(|w| {
            if !w.is_empty()
                && w.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c))
            {
                w.clone()
            } else {
                format!("'{}'", w.replace('\'', "'\\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::manifest::{LaunchConfig, FORMAT};
    use crate::sweep::space::ParamValue;

    #[test]
    fn newest_snapshot_is_by_time_not_name() {
        let d = tempfile::tempdir().unwrap();
        for n in [
            "s_000900.00.snapshot.h5",
            "s_1000.00.snapshot.h5",
            "s_5000.00.snapshot.h5.tmp",
            "s.h5",
        ] {
            std::fs::write(d.path().join(n), b"").unwrap();
        }
        let got = newest_snapshot(d.path()).unwrap();
        assert!(got.ends_with("s_1000.00.snapshot.h5"), "{got:?}");
    }

    #[test]
    fn quoting() {
        assert_eq!(
            shell_join(&["a=1".into(), "it's".into(), "".into()]),
            "a=1 'it'\\''s' ''"
        );
    }

    #[test]
    fn command_line_shape() {
        let m = Manifest {
            format: FORMAT.into(),
            script: "tiny".into(),
            timestamp: "202601010000".into(),
            space: vec![],
            config: LaunchConfig {
                model: "/m/tiny.ty".into(),
                times: Some("1,5".into()),
                tag: Some("t".into()),
                run_args: vec!["--analysis".into(), "none".into()],
                mpi_ranks: 4,
                mpi_command: Some("mpiexec -np {ranks}".into()),
            },
            created: String::new(),
            runs: vec![RunRecord::new(
                0,
                vec![("a".into(), ParamValue::Float(0.5))],
            )],
        };
        let c = run_command(&m, Path::new("/out/s"), &m.runs[0]).unwrap();
        assert_eq!(&c[..3], &["mpiexec", "-np", "4"]);
        let rest = c[4..].join(" ");
        assert_eq!(
            rest,
            "run /m/tiny.ty -p a=0.5 --times 1,5 --tag t --output-path /out/s \
             --timestamp 202601010000 --no-progress --analysis none"
        );
    }
}
