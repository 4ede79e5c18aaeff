//! `topo-hpc plan` and `topo-hpc scaling-plot`: the command-line side of
//! [`crate::plan`].

use crate::plan::{self, machine::Machine, PlanOptions};
use anyhow::{anyhow, bail, Context as _, Result};
use std::path::{Path, PathBuf};

/// `topo-hpc plan` options.
#[derive(clap::Args, Debug, Clone)]
pub struct PlanArgs {
    /// The model file to plan and its `-p` parameters.
    #[command(flatten)]
    pub model: super::ModelArgs,
    /// Ranks to plan for (up to 65536); a comma list plans each.
    #[arg(long, default_value = "1")]
    pub ranks: String,
    /// Threads per rank.
    #[arg(long, default_value_t = 1)]
    pub threads: usize,
    /// Print JSON (one object, or an array for several rank counts).
    #[arg(long)]
    pub json: bool,
    /// Iterations whose traffic is counted (totals in JSON `per_rank`).
    #[arg(long, default_value_t = 1)]
    pub iterations: usize,
    /// Include every rank's traffic totals in the JSON (at most 4096 ranks).
    #[arg(long)]
    pub per_rank: bool,
    /// The machine file (default: $TOPO_HPC_MACHINE, else
    /// ./topo-hpc-machine.json if it exists, else built-in defaults).
    #[arg(long)]
    pub machine: Option<PathBuf>,
    /// Network latency per message in seconds (overrides the machine file).
    #[arg(long)]
    pub latency: Option<f64>,
    /// Network bandwidth per rank in bytes per second (overrides the
    /// machine file).
    #[arg(long)]
    pub bandwidth: Option<f64>,
    /// Measure this machine's compute rates by running the model on one
    /// rank and write the machine file (--machine or the default path).
    #[arg(long)]
    pub calibrate: bool,
}

/// The largest rank count planned.
pub const MAX_RANKS: usize = 65536;

fn rank_list(s: &str) -> Result<Vec<usize>> {
    s.split(',')
        .map(|v| {
            let n: usize = v
                .trim()
                .parse()
                .map_err(|_| anyhow!("--ranks: {v:?} is not a rank count"))?;
            if n == 0 || n > MAX_RANKS {
                bail!("--ranks: {n} is not between 1 and {MAX_RANKS}");
            }
            Ok(n)
        })
        .collect()
}

/// Runs `topo-hpc plan`.
pub fn plan_command(a: &PlanArgs) -> Result<()> {
    let ranks = rank_list(&a.ranks)?;
    if a.threads == 0 || a.threads > 1024 {
        bail!("--threads: {} is not between 1 and 1024", a.threads);
    }
    for (what, v) in [("--latency", a.latency), ("--bandwidth", a.bandwidth)] {
        if let Some(v) = v {
            if !(v.is_finite() && v >= 0.0) || (what == "--bandwidth" && v == 0.0) {
                bail!("{what}: {v} is not a usable value");
            }
        }
    }
    let spec = super::run_cmds::load(&a.model.model, &a.model.params)?;
    // Calibrating writes the machine file, which need not exist yet.
    let must_exist = a.machine.as_deref().filter(|p| !a.calibrate || p.exists());
    let mut machine = Machine::load(must_exist)?;
    if let Some(l) = a.latency {
        machine.latency_s = l;
    }
    if let Some(b) = a.bandwidth {
        machine.network_bytes_per_s = b;
    }
    if a.calibrate {
        crate::par::configure_threads(Some(a.threads)).map_err(|e| anyhow!("{e}"))?;
        let label = format!(
            "{}{}",
            a.model.model.display(),
            a.model
                .params
                .iter()
                .map(|p| format!(" -p {p}"))
                .collect::<String>()
        );
        let m =
            plan::calibrate::calibrate(&spec, a.iterations.max(3), a.threads, &machine, &label)?;
        let path = a
            .machine
            .clone()
            .unwrap_or_else(plan::machine::default_path);
        m.save(&path)?;
        println!("{}", serde_json::to_string_pretty(&m)?);
        eprintln!("machine file written: {}", path.display());
        return Ok(());
    }
    let mut plans = Vec::new();
    for &n in &ranks {
        let o = PlanOptions {
            ranks: n,
            threads: a.threads,
            iterations: a.iterations.max(1),
            machine: machine.clone(),
            per_rank: a.per_rank && n <= 4096,
        };
        let p = plan::plan(&spec, &o)?;
        if !a.json {
            print!("{}", plan::render(&p));
            if ranks.len() > 1 {
                println!();
            }
        }
        plans.push(p);
    }
    if a.json {
        let text = if plans.len() == 1 {
            serde_json::to_string_pretty(&plans[0])?
        } else {
            serde_json::to_string_pretty(&plans)?
        };
        println!("{text}");
    }
    Ok(())
}

/// Draws the scaling study's CSV (benches/scaling.sh) as a PNG: parallel
/// efficiency against ranks, measured and predicted, one line per mode
/// and label (density without a label column).
pub fn scaling_plot(csv: &Path, out: &Path, title: &str) -> Result<()> {
    let text =
        std::fs::read_to_string(csv).with_context(|| format!("cannot read {}", csv.display()))?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines
        .next()
        .ok_or_else(|| anyhow!("{}: empty", csv.display()))?
        .split(',')
        .collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .ok_or_else(|| anyhow!("{}: no column {name}", csv.display()))
    };
    let (mode, ranks, density, eff, peff) = (
        col("mode")?,
        col("ranks")?,
        col("density")?,
        col("efficiency")?,
        col("predicted_efficiency")?,
    );
    let label = col("label").ok();
    let mut series: Vec<crate::figures::Series> = Vec::new();
    let mut push = |name: String, x: f64, y: f64| match series.iter_mut().find(|s| s.0 == name) {
        Some(s) => s.1.push((x, y)),
        None => series.push((name, vec![(x, y)])),
    };
    for (i, line) in lines.enumerate() {
        let f: Vec<&str> = line.split(',').collect();
        if f.len() != header.len() {
            bail!(
                "{}:{}: {} fields, the header has {}",
                csv.display(),
                i + 2,
                f.len(),
                header.len()
            );
        }
        let num = |k: usize| f[k].trim().parse::<f64>().ok();
        let Some(x) = num(ranks) else { continue };
        // One series per mode and label (measured runs, or a planned
        // model variant); without a label column, per density.
        let key = match label {
            Some(l) => format!("{} {}", f[mode], f[l]),
            None => format!("{} d={}", f[mode], f[density]),
        };
        if let Some(y) = num(eff) {
            push(format!("{key} measured"), x, y);
        }
        if let Some(y) = num(peff) {
            push(format!("{key} predicted"), x, y);
        }
    }
    if series.is_empty() {
        bail!("{}: no efficiency to plot", csv.display());
    }
    for s in &mut series {
        s.1.sort_by(|a, b| a.0.total_cmp(&b.0));
    }
    crate::figures::line_png(
        &crate::figures::LineFigure {
            title,
            x_label: "ranks",
            y_label: "parallel efficiency",
            log_x: true,
        },
        &series,
        out,
    )
}

#[cfg(test)]
mod tests {
    use super::scaling_plot;

    const HEADER: &str = "mode,label,ranks,density,efficiency,predicted_efficiency";

    #[test]
    fn the_scaling_csv_becomes_an_efficiency_png() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("scaling.csv");
        // Measured and planned rows; a planned-only row has no measured
        // efficiency (empty field) and still plots its prediction.
        std::fs::write(
            &csv,
            format!(
                "{HEADER}\nstrong,d=48,1,48,1,1\nstrong,d=48,2,48,0.93,0.97\n\
                 strong,area=15,4096,98,,0.95\nstrong,area=15,1,98,,1\n"
            ),
        )
        .unwrap();
        let png = dir.path().join("eff.png");
        scaling_plot(&csv, &png, "GCAL").unwrap();
        let bytes = std::fs::read(&png).unwrap();
        assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
        assert!(
            bytes.len() > 1000,
            "an empty picture: {} bytes",
            bytes.len()
        );
    }

    #[test]
    fn a_damaged_scaling_csv_is_an_error_naming_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("scaling.csv");
        std::fs::write(&csv, format!("{HEADER}\nstrong,d=48,1,48\n")).unwrap();
        let e = scaling_plot(&csv, &dir.path().join("x.png"), "t").unwrap_err();
        assert!(e.to_string().contains("scaling.csv:2: 4 fields"), "{e}");
        std::fs::write(&csv, "mode,ranks\nstrong,1\n").unwrap();
        let e = scaling_plot(&csv, &dir.path().join("x.png"), "t").unwrap_err();
        assert!(e.to_string().contains("no column density"), "{e}");
        assert!(!dir.path().join("x.png").exists());
    }
}
