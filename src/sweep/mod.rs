//! Lancet-style parameter sweeps: parameter spaces, launchers, manifests,
//! collation.

use std::path::PathBuf;

/// `topo-hpc sweep` arguments.
#[derive(clap::Args, Debug, Clone)]
pub struct SweepArgs {
    /// Model file.
    pub model: PathBuf,
    /// Parameter space: `name=v1,v2,...`, `name=start:stop:steps`,
    /// `name=log:start:stop:steps`. Several `--param` form a Cartesian product.
    #[arg(long = "param", value_name = "SPACE")]
    pub params: Vec<String>,
    /// Analysis times (as `run --times`).
    #[arg(long)]
    pub times: Option<String>,
    /// Tag for the sweep and its runs.
    #[arg(long)]
    pub tag: Option<String>,
    /// Launcher.
    #[arg(long, default_value = "local")]
    pub launcher: String,
    /// Runs at a time (local launcher).
    #[arg(short = 'j', default_value_t = 1)]
    pub jobs: usize,
    /// Skip the review step.
    #[arg(long)]
    pub yes: bool,
    /// Print what would be launched (SLURM: the job script) and stop.
    #[arg(long)]
    pub dry_run: bool,
    /// Output root.
    #[arg(long)]
    pub output_path: Option<PathBuf>,
}

/// `topo-hpc collate` arguments.
#[derive(clap::Args, Debug, Clone)]
pub struct CollateArgs {
    /// The sweep folder.
    pub sweep_dir: PathBuf,
    /// CSV output file.
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// Result to plot.
    #[arg(long)]
    pub plot: Option<String>,
    /// Parameter to plot it against.
    #[arg(long)]
    pub against: Option<String>,
}

/// Run a sweep.
pub fn sweep(_args: &SweepArgs) -> anyhow::Result<()> {
    anyhow::bail!("topo-hpc sweep is not implemented yet")
}

/// Collate a sweep.
pub fn collate(_args: &CollateArgs) -> anyhow::Result<()> {
    anyhow::bail!("topo-hpc collate is not implemented yet")
}
