//! Lancet-style parameter sweeps: parameter spaces, launchers, manifests,
//! collation.
//!
//! `topo-hpc sweep MODEL.ty --param ...` expands the parameter space into
//! runs, creates (or finds again) the sweep folder with its manifest, lists
//! the runs for review, and launches the unfinished ones locally or as one
//! SLURM job array. `topo-hpc collate SWEEP_DIR` gathers the runs' scalar
//! results into a CSV and an HDF5 table, draws a figure, and archives.

pub mod archive;
pub mod collate;
pub mod folder;
pub mod local;
pub mod manifest;
pub mod plot;
pub mod report;
pub mod review;
pub mod runner;
pub mod slurm;
pub mod space;
pub mod table;

use anyhow::{bail, Context, Result};
use manifest::{LaunchConfig, Manifest, ManifestLock, RunRecord, RunState};
use std::path::{Path, PathBuf};

/// `topo-hpc sweep` arguments.
#[derive(clap::Args, Debug, Clone)]
pub struct SweepArgs {
    /// Model file (not needed with `--resume`).
    #[arg(required_unless_present = "resume")]
    pub model: Option<PathBuf>,
    /// Parameter space: `name=v1,v2,...` (one value: fixed),
    /// `name=start:stop:steps` (linear, ends included),
    /// `name=log:start:stop:steps` (geometric, ends included). Several
    /// `--param` form a Cartesian product, the first varying slowest; within
    /// one, ` * ` and ` + ` (with spaces) multiply and concatenate.
    #[arg(long = "param", value_name = "SPACE")]
    pub params: Vec<String>,
    /// Analysis times (as `run --times`).
    #[arg(long)]
    pub times: Option<String>,
    /// Tag for the sweep and its runs.
    #[arg(long)]
    pub tag: Option<String>,
    /// Launcher: `local` or `slurm`.
    #[arg(long, default_value = "local")]
    pub launcher: String,
    /// Runs at a time (local launcher); array throttle `%N` (SLURM).
    #[arg(short = 'j', default_value_t = 1)]
    pub jobs: usize,
    /// Skip the review step.
    #[arg(long)]
    pub yes: bool,
    /// Print what would be launched (SLURM: the job script) and stop.
    #[arg(long)]
    pub dry_run: bool,
    /// Output root (default: $TOPO_HPC_OUTPUT, else ./Output).
    #[arg(long)]
    pub output_path: Option<PathBuf>,
    /// Timestamp of the sweep and of every run folder (YYYYMMDDHHMM;
    /// default: now). Array tasks that create the sweep themselves must
    /// share one.
    #[arg(long)]
    pub timestamp: Option<String>,
    /// Continue the sweep in this folder (its manifest says what to run).
    #[arg(long, value_name = "SWEEP_DIR")]
    pub resume: Option<PathBuf>,
    /// Start a fresh sweep folder even if a matching one exists.
    #[arg(long, conflicts_with = "resume")]
    pub new: bool,
    /// Run only this run of the sweep, in the foreground (what each SLURM
    /// array task does). Creates the sweep folder if needed.
    #[arg(long, value_name = "INDEX")]
    pub run_index: Option<usize>,
    /// MPI ranks per run (wraps each run in the MPI launcher).
    #[arg(long, default_value_t = 1)]
    pub mpi_ranks: usize,
    /// MPI launcher command, `{ranks}` replaced (default: `mpirun -n
    /// {ranks}`, or `srun --mpi=pmix -n {ranks}` inside SLURM).
    #[arg(long)]
    pub mpi_command: Option<String>,
    /// Extra argument for every `topo-hpc run` (repeatable; use
    /// `--run-arg=--analysis` form for leading dashes).
    #[arg(long = "run-arg", allow_hyphen_values = true)]
    pub run_args: Vec<String>,
    /// `-p` names the model does not declare are warnings in each run's
    /// `.out` ("'x' is unused.", as Topographica), not errors.
    #[arg(long)]
    pub allow_unused_params: bool,
    /// Extra `#SBATCH` option for the array job, e.g. `--sbatch=--time=1:00:00`.
    #[arg(long = "sbatch", allow_hyphen_values = true)]
    pub sbatch: Vec<String>,
}

/// `topo-hpc collate` arguments.
#[derive(clap::Args, Debug, Clone)]
pub struct CollateArgs {
    /// The sweep folder.
    pub sweep_dir: PathBuf,
    /// CSV output file (default: `<sweep>/collated.csv`); the HDF5 table
    /// goes next to it with the `.h5` extension.
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// Result to plot (a column of the CSV, e.g. `V1/mean_activity`).
    #[arg(long)]
    pub plot: Option<String>,
    /// Parameter to plot it against.
    #[arg(long)]
    pub against: Option<String>,
    /// Only these results (repeatable; default: every scalar found).
    #[arg(long = "result")]
    pub results: Vec<String>,
    /// Plot only this analysis time (default: one line per time).
    #[arg(long)]
    pub at: Option<String>,
    /// Figure file (default: `<csv stem>_<result>_vs_<param>.png`; a name
    /// ending in `.svg` gets an SVG drawn with plotters).
    #[arg(long)]
    pub figure: Option<PathBuf>,
    /// Also pack the finished sweep (manifest, logs, run folders) as
    /// tar.gz, into FILE or `<sweep>.tar.gz`.
    #[arg(long, value_name = "FILE", num_args = 0..=1)]
    pub archive: Option<Option<PathBuf>>,
}

/// Which launcher.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Launcher {
    Local,
    Slurm,
}

fn launcher(name: &str) -> Result<Launcher> {
    match name {
        "local" => Ok(Launcher::Local),
        "slurm" => Ok(Launcher::Slurm),
        other => bail!("unknown launcher '{other}': use local or slurm"),
    }
}

/// Default output root, as `topo-hpc run` uses.
fn output_root(arg: &Option<PathBuf>) -> PathBuf {
    arg.as_deref()
        .map(crate::paths::expand_user)
        .unwrap_or_else(crate::batch::run::default_output_root)
}

/// The most runs one sweep may have (a SLURM array's usual MaxArraySize
/// is far lower; this only stops a typo from listing millions).
pub const MAX_RUNS: usize = 100_000;

/// Sweep parameter names must be identifiers the model knows: checked by
/// loading the model with the first run's values, before anything is
/// created or launched.
fn check_param_names(model: &Path, first: &[(String, space::ParamValue)]) -> Result<()> {
    for (n, _) in first {
        let ok = n
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !ok {
            bail!("sweep parameter name '{n}' is not a parameter name (letters, digits, _)");
        }
    }
    if std::env::var_os(runner::RUNNER_ENV).is_some() {
        // A stand-in runner performs the runs; the model is not ours to load.
        return Ok(());
    }
    let overrides: Vec<(String, String)> = first
        .iter()
        .map(|(n, v)| (n.clone(), v.to_string()))
        .collect();
    topo_lang::load_model(model, &overrides)
        .map_err(|e| anyhow::anyhow!("the sweep's first run does not load: {e}"))?;
    Ok(())
}

fn absolute(p: &Path) -> Result<PathBuf> {
    std::path::absolute(p).with_context(|| format!("bad path {}", p.display()))
}

/// The manifest a fresh sweep would get from the command line.
fn manifest_from_args(args: &SweepArgs, timestamp: &str) -> Result<Manifest> {
    let model = args
        .model
        .as_ref()
        .context("a model file is needed (or --resume SWEEP_DIR)")?;
    let model = &crate::paths::SearchPath::new([output_root(&args.output_path)])
        .resolve(model, "model file")?;
    if args.mpi_ranks == 0 {
        bail!("--mpi-ranks must be at least 1");
    }
    if let Some(t) = &args.times {
        crate::batch::times::parse_times(t).map_err(anyhow::Error::msg)?;
    }
    let space = space::parse_params(&args.params).map_err(anyhow::Error::msg)?;
    // Counted before listed: a space of millions of points is refused
    // without building it (also with --dry-run).
    let n = space.count();
    if n > MAX_RUNS {
        bail!(
            "the sweep has {n} runs; topo-hpc launches at most {MAX_RUNS} in one sweep: \
             use fewer values or split it"
        );
    }
    let points = space.points().map_err(anyhow::Error::msg)?;
    check_param_names(model, points.first().map(Vec::as_slice).unwrap_or(&[]))?;
    Ok(Manifest {
        format: manifest::FORMAT.into(),
        script: folder::script_name(model),
        timestamp: timestamp.to_string(),
        space: args.params.clone(),
        config: LaunchConfig {
            model: absolute(model)?,
            times: args.times.clone(),
            tag: args.tag.clone().filter(|t| !t.is_empty()),
            run_args: {
                let mut a = args.run_args.clone();
                if args.allow_unused_params {
                    a.push("--allow-unused-params".into());
                }
                a
            },
            mpi_ranks: args.mpi_ranks,
            mpi_command: args.mpi_command.clone(),
        },
        created: manifest::now(),
        runs: points
            .into_iter()
            .enumerate()
            .map(|(i, p)| RunRecord::new(i, p))
            .collect(),
    })
}

fn check_timestamp(ts: &str) -> Result<()> {
    if ts.len() != 12 || !ts.bytes().all(|b| b.is_ascii_digit()) {
        bail!("timestamp '{ts}' is not YYYYMMDDHHMM");
    }
    Ok(())
}

/// Create the sweep folder with `want` as its manifest, or check that the
/// manifest already there describes the same sweep (array tasks race to
/// create it; the lock makes one of them win).
fn create_or_join(dir: &Path, want: &Manifest) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let _lock = ManifestLock::acquire(dir)?;
    if Manifest::path(dir).exists() {
        let have = Manifest::load(dir)?;
        if !folder::same_sweep(&have, want) {
            bail!(
                "{} holds a different sweep (other model, times, tag or runs); \
                 use another --tag or --timestamp",
                dir.display()
            );
        }
        return Ok(());
    }
    want.save(dir)
}

/// Run a sweep.
pub fn sweep(args: &SweepArgs) -> Result<()> {
    let which = launcher(&args.launcher)?;
    let root = output_root(&args.output_path);

    // The sweep folder: named (--resume), matched (same sweep run before),
    // or new. A new one is only created once the runs have been reviewed.
    let (dir, new) = if let Some(d) = &args.resume {
        Manifest::load(d)?;
        if args.model.is_some() || !args.params.is_empty() {
            eprintln!("note: --resume uses the sweep's own model and parameters from its manifest");
        }
        (absolute(d)?, None)
    } else {
        let ts = match &args.timestamp {
            Some(t) => t.clone(),
            None if args.run_index.is_some() => bail!(
                "--run-index without --resume needs --timestamp, so that every array task \
                 joins the same sweep folder"
            ),
            None => chrono::Local::now().format("%Y%m%d%H%M").to_string(),
        };
        check_timestamp(&ts)?;
        let want = manifest_from_args(args, &ts)?;
        let fresh = absolute(&root.join(folder::sweep_dirname(
            &ts,
            &want.script,
            want.config.tag.as_deref(),
        )))?;
        let matched = if args.new || args.timestamp.is_some() {
            None
        } else {
            folder::find_matching_sweep(&root, &want)
        };
        match matched {
            Some(d) => {
                println!("continuing the sweep in {}", d.display());
                (absolute(&d)?, None)
            }
            None => (fresh, Some(want)),
        }
    };

    if let Some(i) = args.run_index {
        if let Some(want) = &new {
            create_or_join(&dir, want)?;
        }
        return run_one(&dir, i);
    }

    // The manifest as it is on disk, or as it will be for a new sweep.
    let m = match &new {
        Some(want) if !Manifest::path(&dir).exists() => want.clone(),
        Some(want) => {
            let have = Manifest::load(&dir)?;
            if !folder::same_sweep(&have, want) {
                bail!(
                    "{} holds a different sweep (other model, times, tag or runs); \
                     use another --tag or --timestamp",
                    dir.display()
                );
            }
            have
        }
        None => Manifest::load(&dir)?,
    };
    let todo = m.unfinished(&runner::is_live);
    review::list(&m, &dir, &todo);
    if todo.is_empty() {
        println!("nothing to launch: every run is done (or still running)");
        return Ok(());
    }
    let throttle = (args.jobs > 1).then_some(args.jobs);
    if args.dry_run {
        match which {
            Launcher::Local => {
                for &i in &todo {
                    println!(
                        "{}",
                        runner::shell_join(&runner::run_command(&m, &dir, &m.runs[i])?)
                    );
                }
            }
            Launcher::Slurm => print!(
                "{}",
                slurm::array_script(&m, &dir, &todo, throttle, &args.sbatch)?
            ),
        }
        return Ok(());
    }
    let what = match which {
        Launcher::Local => "launch locally",
        Launcher::Slurm => "submit as one SLURM array job",
    };
    review::confirm(args.yes, todo.len(), what)?;
    // One launcher per sweep folder at a time, local or SLURM: a second
    // would launch or submit the same unfinished runs again. The local
    // launcher holds the lock while its runs go; the SLURM launcher while it
    // submits and records the array job (array tasks join with
    // `--run-index`, which does not take it). The folder must exist to hold
    // the lock, so it is created first and the manifest written under it.
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let _lock = crate::io::folder_guard::FolderLock::acquire(
        &dir,
        crate::io::folder_guard::SWEEP_LOCK,
        "sweep folder",
    )
    .map_err(anyhow::Error::msg)?;
    if let Some(want) = &new {
        create_or_join(&dir, want)?;
    }
    // Another launcher may have launched or submitted some of these runs
    // between the review and the lock: only what is still unfinished now.
    let todo = still_unfinished(&dir, &todo)?;
    match which {
        Launcher::Local => {
            let describe = |i: usize| m.runs[i].describe();
            let t = local::launch(&dir, &todo, args.jobs, &describe)?;
            println!(
                "sweep {}: {} done, {} failed, {} checkpointed (manifest: {})",
                dir.display(),
                t.done,
                t.failed,
                t.pending,
                Manifest::path(&dir).display()
            );
            if t.failed > 0 {
                bail!(
                    "{} of {} runs failed (see {}/logs); the same command again relaunches \
                     only the unfinished runs",
                    t.failed,
                    todo.len(),
                    dir.display()
                );
            }
            Ok(())
        }
        Launcher::Slurm => {
            let script = slurm::array_script(&m, &dir, &todo, throttle, &args.sbatch)?;
            let job = slurm::submit(&dir, &script, &todo)?;
            println!(
                "submitted array job {job} ({} tasks); progress: {}",
                todo.len(),
                Manifest::path(&dir).display()
            );
            Ok(())
        }
    }
}

/// The runs of `todo` that the manifest on disk still lists as unfinished
/// (read under the sweep lock); an error when none are left.
fn still_unfinished(dir: &Path, todo: &[usize]) -> Result<Vec<usize>> {
    let now = Manifest::load(dir)?.unfinished(&runner::is_live);
    let left: Vec<usize> = todo.iter().copied().filter(|i| now.contains(i)).collect();
    if left.is_empty() {
        bail!(
            "another topo-hpc launcher launched or submitted these runs while this one was \
             reviewing them; nothing launched (manifest: {})",
            Manifest::path(dir).display()
        );
    }
    if left.len() < todo.len() {
        println!(
            "{} of the reviewed runs were launched by another launcher meanwhile; \
             launching the other {}",
            todo.len() - left.len(),
            left.len()
        );
    }
    Ok(left)
}

/// `--run-index`: one run in the foreground; a done run is not run again.
fn run_one(dir: &Path, index: usize) -> Result<()> {
    let m = Manifest::load(dir)?;
    let run = m.runs.get(index).with_context(|| {
        format!(
            "run index {index} is outside the sweep ({} runs: 0..{})",
            m.runs.len(),
            m.runs.len().saturating_sub(1)
        )
    })?;
    if run.state == RunState::Done {
        println!("run {index} is already done: {}", run.describe());
        return Ok(());
    }
    println!("run {index}: {}", run.describe());
    let out = runner::execute(dir, index)?;
    match out.state {
        RunState::Done => Ok(()),
        RunState::Pending => {
            // Checkpointed: pass the code on so a job script can requeue.
            std::process::exit(runner::EXIT_CHECKPOINTED)
        }
        _ => bail!(
            "run {index} failed (exit {}); log: {}/logs/run-{index}.log",
            out.exit_code.map_or("by signal".into(), |c| c.to_string()),
            dir.display()
        ),
    }
}

/// Collate a sweep.
pub fn collate(args: &CollateArgs) -> Result<()> {
    collate::collate_command(args)
}
