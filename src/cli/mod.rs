//! The `topo-hpc` command line.
//!
//! Two forms are accepted:
//! * subcommands (`topo-hpc run MODEL.ty -p name=value ...`, `model`,
//!   `trace`, `sweep`, `collate`), parsed with clap;
//! * Topographica's own form, verbatim (`topo-hpc -a -c "run_batch(...)"
//!   -p name=value FILE.ty ...`), where the order of `-c`, `-p` and files
//!   matters and is kept.

pub mod completions;
pub mod inspect;
pub mod legacy;
pub mod plan_cmd;
pub mod run_cmds;
pub mod trace;
pub mod version;

use crate::sweep::{CollateArgs, SweepArgs};
use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// Topographica cortical-map models on supercomputers.
#[derive(Parser, Debug)]
#[command(
    name = "topo-hpc",
    version = version::SHORT,
    long_version = version::long(),
    about,
    long_about = None
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options shared by the commands that load a model.
#[derive(clap::Args, Debug, Clone)]
pub struct ModelArgs {
    /// The model file (.ty).
    pub model: PathBuf,
    /// Set a global parameter of the model: `-p name=value` (repeatable).
    #[arg(short = 'p', long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
}

/// Subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Load a model file and print its spec (or its geometry).
    Model {
        /// The model file and its `-p` parameters.
        #[command(flatten)]
        model: ModelArgs,
        /// Print JSON instead of a human summary.
        #[arg(long)]
        json: bool,
        /// Print each sheet's true bounds, density and shape and each
        /// projection's template size and divisor.
        #[arg(long)]
        geometry: bool,
    },
    /// Run a model and record sheet activity at given times (JSON in the
    /// shape of Topographica's training-test data).
    Trace {
        /// The model file and its `-p` parameters.
        #[command(flatten)]
        model: ModelArgs,
        /// Sheets to record (repeatable).
        #[arg(long = "sheet", required = true)]
        sheets: Vec<String>,
        /// Absolute times, comma separated, e.g. `1,100,250`.
        #[arg(long)]
        times: String,
        /// Write the JSON here instead of stdout.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Compare with a reference JSON; exit non-zero past decimal 6.
        #[arg(long)]
        compare: Option<PathBuf>,
        /// Rayon threads per rank (default: SLURM_CPUS_PER_TASK or all cores).
        #[arg(long)]
        threads: Option<usize>,
    },
    /// `run_batch(MODEL, name=value, ...)`: a batch run into its own folder.
    Run(Box<RunArgs>),
    /// Launch a parameter sweep of run_batch runs.
    Sweep(SweepArgs),
    /// Gather results of a sweep into CSV/HDF5 and plot them.
    Collate(CollateArgs),
    /// Print what a run file or snapshot holds: times, sheets, maps,
    /// snapshot links, parameters (no mpirun, no Python needed).
    Inspect {
        /// The run's `<simname>.h5` (or a `.snapshot.h5`).
        file: PathBuf,
    },
    /// Print a shell completion script (`topo-hpc completions bash >
    /// /etc/bash_completion.d/topo-hpc`).
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
    /// Plan a run on N ranks without running it: process grid, units,
    /// halo bytes and messages, memory per rank and predicted time per
    /// iteration (`--calibrate` measures this machine first).
    Plan(Box<plan_cmd::PlanArgs>),
    /// Draw the scaling study's CSV (benches/scaling.sh) as a PNG of
    /// parallel efficiency against ranks, measured and predicted.
    ScalingPlot {
        /// The CSV.
        csv: PathBuf,
        /// The PNG to write.
        #[arg(long)]
        out: PathBuf,
        /// The figure's title.
        #[arg(long, default_value = "GCAL parallel efficiency")]
        title: String,
    },
    /// Print the man page (roff), or write one per command into a folder.
    Man {
        /// Write `topo-hpc.1` and `topo-hpc-<command>.1` into this folder.
        #[arg(long)]
        out_dir: Option<PathBuf>,
    },
}

/// `topo-hpc run` options (run_batch's parameters).
#[derive(clap::Args, Debug, Clone)]
pub struct RunArgs {
    /// The model file and its `-p` parameters (run_batch's script and
    /// keyword arguments).
    #[command(flatten)]
    pub model: ModelArgs,
    /// Analysis times: a number scales Topographica's default list, a
    /// comma-separated list is used as given.
    #[arg(long)]
    pub times: Option<String>,
    /// Output root (default: $TOPO_HPC_OUTPUT, else ./Output).
    #[arg(long)]
    pub output_path: Option<PathBuf>,
    /// Analysis at each time: `default`, `none`, or a comma list of
    /// `activity,or_map,pinwheels,weights` and the map and curve plot
    /// groups (`sf_map`, `od_map`, `disparity_map`, `hue_map`, `dr_map`,
    /// `position_map`, `corner_map`, `cog`, `or_tuning_fullfield`,
    /// `or_tuning`, `size_tuning`, `contrast_response`, `rf_map`).
    #[arg(long)]
    pub analysis: Option<String>,
    /// Tag appended to the folder name.
    #[arg(long)]
    pub tag: Option<String>,
    /// Prefix of the folder name.
    #[arg(long)]
    pub dirname_prefix: Option<String>,
    /// Do not save a final snapshot.
    #[arg(long)]
    pub no_snapshot: bool,
    /// Continue from a snapshot file.
    #[arg(long)]
    pub restore: Option<PathBuf>,
    /// Rayon threads per rank (default: SLURM_CPUS_PER_TASK or all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Print the process grid, blocks and halo volumes at start.
    #[arg(long)]
    pub decomposition_report: bool,
    /// No progress bar.
    #[arg(long)]
    pub no_progress: bool,
    /// Timestamp for the folder name (YYYYMMDDHHMM), shared by a group of runs.
    #[arg(long)]
    pub timestamp: Option<String>,
    /// When to save script_repr: first, last, all, none.
    #[arg(long, default_value = "first")]
    pub save_script_repr: String,
    /// strftime format of the folder's time stamp (run_batch's
    /// name_time_format), e.g. `%Y%m%d%H%M%S`.
    #[arg(long, default_value = "%Y%m%d%H%M")]
    pub name_time_format: String,
    /// Shorter names for parameters in the folder name, listed first in
    /// this order (param_formatter's map): `--name-map cortex_density=cd`.
    #[arg(long = "name-map", value_name = "NAME=ALIAS")]
    pub name_map: Vec<String>,
    /// `-p` names the model does not declare are warnings in the `.out`
    /// ("'x' is unused.", as Topographica prints), not errors.
    #[arg(long)]
    pub allow_unused_params: bool,
}

/// Run the command line `argv` (with the program name first); returns the
/// exit code. Errors are printed with their context; with several ranks an
/// error ends the whole job (no rank is left waiting).
pub fn main(ctx: &crate::par::Context, argv: &[String]) -> i32 {
    let args = &argv[1..];
    let result = if legacy::is_legacy(args) {
        // Topographica's form has no --threads: the pool follows
        // SLURM_CPUS_PER_TASK (or all cores), as `run` does without it.
        threads(None)
            .and_then(|()| legacy::parse(args).map_err(anyhow::Error::msg))
            .and_then(|items| crate::shell::run(ctx, argv, &items))
    } else {
        match Cli::try_parse_from(argv) {
            Ok(cli) => dispatch(ctx, argv, cli),
            Err(e) => {
                if ctx.is_root() {
                    let _ = e.print();
                }
                return if e.use_stderr() { 2 } else { 0 };
            }
        }
    };
    match result {
        Ok(code) => code,
        Err(e) if crate::batch::progress::is_stop(&e) => {
            // A checkpoint (or a stop before anything was written) is not
            // a failure: the job script runs the command again.
            ctx.root_eprintln(format!("topo-hpc: {e:#}"));
            crate::batch::progress::CHECKPOINT_EXIT_CODE
        }
        Err(e) => {
            let msg = format!("{e:#}");
            if ctx.size() > 1 {
                ctx.fail(msg);
            }
            crate::console::err_line(&format!("topo-hpc: error: {msg}"));
            1
        }
    }
}

fn threads(t: Option<usize>) -> anyhow::Result<()> {
    crate::par::configure_threads(t).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(())
}

fn dispatch(ctx: &crate::par::Context, argv: &[String], cli: Cli) -> anyhow::Result<i32> {
    match cli.command {
        Command::Model {
            model,
            json,
            geometry,
        } => {
            run_cmds::model(ctx, &model.model, &model.params, json, geometry)?;
            Ok(0)
        }
        Command::Trace {
            model,
            sheets,
            times,
            out,
            compare,
            threads: t,
        } => {
            threads(t)?;
            run_cmds::trace(
                ctx,
                &run_cmds::TraceOptions {
                    model: &model.model,
                    params: &model.params,
                    sheets: &sheets,
                    times: &times,
                    out: out.as_deref(),
                    compare: compare.as_deref(),
                },
            )
        }
        Command::Run(r) => {
            threads(r.threads)?;
            run_cmds::run_command(ctx, argv, &r)
        }
        Command::Sweep(s) => {
            crate::sweep::sweep(&s)?;
            Ok(0)
        }
        Command::Collate(c) => {
            crate::sweep::collate(&c)?;
            Ok(0)
        }
        Command::Inspect { file } => {
            print!("{}", inspect::inspect(&file)?);
            Ok(0)
        }
        Command::Completions { shell } => {
            completions::completions(shell, &mut std::io::stdout());
            Ok(0)
        }
        Command::Plan(a) => {
            plan_cmd::plan_command(&a)?;
            Ok(0)
        }
        Command::ScalingPlot { csv, out, title } => {
            plan_cmd::scaling_plot(&csv, &out, &title)?;
            Ok(0)
        }
        Command::Man { out_dir } => {
            completions::man(out_dir.as_deref(), &mut std::io::stdout())?;
            Ok(0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// `run --help` names every `--analysis` item the parser accepts.
    #[test]
    fn run_help_lists_every_analysis_name() {
        let mut cli = Cli::command();
        let help = cli
            .find_subcommand_mut("run")
            .expect("the run subcommand")
            .render_long_help()
            .to_string();
        for (name, _) in crate::analysis_fn::ANALYSIS_NAMES {
            assert!(
                help.contains(&format!("`{name}`")),
                "{name} not in:\n{help}"
            );
        }
    }
}
