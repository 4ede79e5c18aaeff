//! The subcommands that load a model: `run`, `model`, `trace`.

use super::trace::{compare, Recording, DECIMAL6};
use super::RunArgs;
use crate::analysis_fn::AnalysisPlan;
use crate::batch::naming::NameOptions;
use crate::batch::outlog::OutLog;
use crate::batch::run::{
    default_output_root, format_now, parse_name_map, run_batch, script_base, BatchOptions,
};
use crate::batch::times::{parse_times, scaled_default};
use crate::par::Context;
use crate::session::{model_geometry, Session};
use anyhow::{anyhow, bail, Context as _, Result};
use std::path::Path;
use topo_spec::{ModelSpec, Time, Value};

/// Split `-p name=value` texts.
pub fn split_params(params: &[String]) -> Result<Vec<(String, String)>> {
    let pairs: Vec<(String, String)> = params
        .iter()
        .map(|p| {
            let (n, v) = p
                .split_once('=')
                .ok_or_else(|| anyhow!("bad -p '{p}': expected NAME=VALUE"))?;
            let n = n.trim();
            if n.is_empty() {
                bail!("bad -p '{p}': empty parameter name");
            }
            Ok((n.to_string(), v.trim().to_string()))
        })
        .collect::<Result<_>>()?;
    // A repeated name would appear twice in the folder name, and which
    // value the model sees would depend on order: refused.
    for (i, (n, v)) in pairs.iter().enumerate() {
        if let Some((_, w)) = pairs[..i].iter().find(|(m, _)| m == n) {
            bail!("-p {n} is given twice ({n}={w} and {n}={v}): give each parameter once");
        }
    }
    Ok(pairs)
}

/// `-p name=value` texts evaluated into the values the model will get
/// (`topo_lang::parse_param`), each name once.
pub fn eval_params(params: &[String]) -> Result<Vec<(String, Value)>> {
    split_params(params)?
        .into_iter()
        .map(|(n, v)| topo_lang::parse_param(&format!("{n}={v}")).map_err(|e| anyhow!("{e}")))
        .collect()
}

/// `topo-hpc run`.
pub fn run_command(ctx: &Context, argv: &[String], r: &RunArgs) -> Result<i32> {
    let params = eval_params(&r.model.params)?;
    let times = match &r.times {
        Some(t) => parse_times(t).map_err(|e| anyhow!(e))?,
        None => scaled_default(1.0).map_err(|e| anyhow!(e))?,
    };
    let timestamp = match &r.timestamp {
        Some(t) => {
            if t.is_empty() || !t.chars().all(|c| c.is_ascii_digit()) {
                bail!("bad --timestamp '{t}': expected digits such as 202611280215");
            }
            t.clone()
        }
        None => {
            // Rank 0's clock decides, so every rank names the same folder.
            let mine = if ctx.is_root() {
                format_now(&r.name_time_format)
            } else {
                Ok(String::new())
            };
            let (ok, text) = match mine {
                Ok(t) => (true, t),
                Err(e) => (false, e.to_string()),
            };
            let shared = ctx.broadcast_string(&text);
            if !ctx.all_ok(ok) && !ctx.is_root() {
                bail!("bad name_time_format '{}'", r.name_time_format);
            }
            if !ok {
                bail!(text);
            }
            shared
        }
    };
    let mut names = NameOptions::new(&script_base(&r.model.model), &timestamp);
    names.name_map = parse_name_map(&r.name_map)?;
    names.tag = r.tag.clone().unwrap_or_default();
    names.dirname_prefix = r.dirname_prefix.clone().unwrap_or_default();
    let opts = BatchOptions {
        script: r.model.model.clone(),
        params,
        preset: Vec::new(),
        times,
        output_root: r
            .output_path
            .as_deref()
            .map(crate::paths::expand_user)
            .unwrap_or_else(default_output_root),
        analysis: AnalysisPlan::parse(r.analysis.as_deref().unwrap_or("default"))
            .map_err(|e| anyhow!(e))?,
        names,
        snapshot: !r.no_snapshot,
        restore: r.restore.clone(),
        save_script_repr: r.save_script_repr.parse().map_err(|e: String| anyhow!(e))?,
        progress: !r.no_progress,
        decomposition_report: r.decomposition_report,
        random_seed: topo_spec::ParamRandomSeed::DEFAULT.0,
        allow_unused_params: r.allow_unused_params,
    };
    let log = OutLog::terminal(ctx.is_root());
    match run_batch(ctx, argv, &opts, &log) {
        Ok(out) => Ok(if out.errors > 0 { 1 } else { 0 }),
        Err(e) if crate::batch::progress::is_stop(&e) => {
            ctx.root_eprintln(format!("topo-hpc: {e:#}"));
            Ok(crate::batch::progress::CHECKPOINT_EXIT_CODE)
        }
        Err(e) => Err(e),
    }
}

/// Load a model file with `-p` overrides.
pub fn load(model: &Path, params: &[String]) -> Result<ModelSpec> {
    let overrides = split_params(params)?;
    let model = resolve_model(model)?;
    topo_lang::load_model(&model, &overrides).map_err(|e| anyhow!("{e}"))
}

/// A model file named on the command line: `~` expanded, a relative name
/// looked up in the working directory, the output path and `$TOPO_HPC_PATH`.
pub fn resolve_model(model: &Path) -> Result<std::path::PathBuf> {
    crate::paths::SearchPath::new([crate::batch::run::default_output_root()])
        .resolve(model, "model file")
}

/// The most units `model --geometry` lays out (about two seconds).
pub const GEOMETRY_UNIT_LIMIT: u64 = 20_000_000;

/// `topo-hpc model`.
pub fn model(
    ctx: &Context,
    model: &Path,
    params: &[String],
    json: bool,
    geometry: bool,
) -> Result<()> {
    let spec = load(model, params)?;
    if !ctx.is_root() {
        return Ok(());
    }
    if geometry {
        // Laying out the projections walks every unit: at absurd densities
        // answer at once with the sheets and the memory estimate instead.
        let geo = crate::session::model_geometry(&spec)?;
        // The engine's estimate; a spec it cannot read fails in the
        // geometry report below with that report's own message.
        let est = crate::memory_estimate::estimate(&spec).ok();
        let units: u64 = geo.iter().map(|g| (g.rows * g.cols) as u64).sum();
        if units > GEOMETRY_UNIT_LIMIT {
            let sheets: Vec<String> = geo
                .iter()
                .map(|g| format!("{} {} x {}", g.name, g.rows, g.cols))
                .collect();
            let memory = est.as_ref().map_or(String::new(), |e| {
                format!(
                    " and {} connection weights, {} in memory",
                    e.weights,
                    crate::memory_estimate::gb(e.total_bytes)
                )
            });
            bail!(
                "the model has {units} units ({}){memory}: too large to lay out its projections \
                 here (limit {GEOMETRY_UNIT_LIMIT} units)",
                sheets.join(", "),
            );
        }
        let g = crate::geometry::geometry_report(&spec)?;
        if json {
            crate::console::out_line(&serde_json::to_string_pretty(&g)?);
        } else {
            crate::console::out(&crate::geometry::geometry_text(&g));
            if let Some(e) = &est {
                crate::console::out_line(&format!("Memory: {}", e.describe(ctx.size())));
            }
        }
    } else if json {
        crate::console::out_line(&serde_json::to_string_pretty(&spec)?);
    } else {
        crate::console::out(&summary(&spec)?);
    }
    Ok(())
}

fn num(v: Option<&Value>) -> String {
    match v {
        Some(Value::Time(t)) => topo_spec::pyfmt::float_str(t.to_f64()),
        Some(Value::Object(c)) => c.short_class().to_string(),
        Some(Value::None) | None => "-".into(),
        Some(other) => topo_spec::pyfmt::str(other),
    }
}

/// A short human summary of a spec.
pub fn summary(spec: &ModelSpec) -> Result<String> {
    use std::fmt::Write;
    let mut s = String::new();
    let geo = model_geometry(spec)?;
    writeln!(s, "Model {}", spec.source)?;
    let given: Vec<String> = spec
        .global_params
        .iter()
        .map(|p| format!("{}={}", p.name, crate::batch::naming::py2_str(&p.value)))
        .collect();
    if !given.is_empty() {
        writeln!(s, "Parameters: {}", given.join(", "))?;
    }
    writeln!(s, "Sheets:")?;
    for (sh, g) in spec.sheets.iter().zip(&geo) {
        writeln!(
            s,
            "  {:<12} {:<28} {:>4} x {:<4} density {}",
            sh.name,
            sh.component.short_class(),
            g.rows,
            g.cols,
            num(sh.component.get("nominal_density"))
        )?;
    }
    writeln!(s, "Projections:")?;
    for c in &spec.connections {
        let radius = match c.component.get("nominal_bounds_template") {
            Some(Value::BoundingBox(b)) => topo_spec::pyfmt::float_str((b[2] - b[0]) / 2.0),
            _ => "-".into(),
        };
        writeln!(
            s,
            "  {:<28} {:>8} -> {:<8} {:<26} radius {:<8} strength {:<7} lr {:<8} delay {}",
            format!("{}.{}", c.dest, c.name),
            c.src,
            c.dest,
            c.component.short_class(),
            radius,
            num(c.component.get("strength")),
            num(c.component.get("learning_rate")),
            num(c.component.get("delay")),
        )?;
    }
    if !spec.scheduled.is_empty() {
        writeln!(s, "Scheduled commands: {}", spec.scheduled.len())?;
    }
    Ok(s)
}

/// Parse `--times 1,100,250` into absolute times (strictly increasing).
pub fn parse_abs_times(text: &str) -> Result<Vec<Time>> {
    let mut out: Vec<Time> = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let v: f64 = part
            .parse()
            .map_err(|_| anyhow!("bad --times: '{part}' is not a number"))?;
        if !v.is_finite() || v < 0.0 {
            bail!("bad --times: {part} is not a non-negative time");
        }
        let t = Time::from_f64(v);
        if let Some(last) = out.last() {
            if t <= *last {
                bail!("bad --times: {part} does not come after {}", last.to_f64());
            }
        }
        out.push(t);
    }
    if out.is_empty() {
        bail!("bad --times: no time given");
    }
    Ok(out)
}

/// Options of `topo-hpc trace`.
pub struct TraceOptions<'a> {
    /// Model file.
    pub model: &'a Path,
    /// `-p` texts.
    pub params: &'a [String],
    /// Sheets to record.
    pub sheets: &'a [String],
    /// `--times`.
    pub times: &'a str,
    /// `--out`.
    pub out: Option<&'a Path>,
    /// `--compare`.
    pub compare: Option<&'a Path>,
}

/// `topo-hpc trace`; returns the process exit code.
pub fn trace(ctx: &Context, o: &TraceOptions) -> Result<i32> {
    let times = parse_abs_times(o.times)?;
    let spec = load(o.model, o.params)?;
    for s in o.sheets {
        if !spec.sheets.iter().any(|x| &x.name == s) {
            let names: Vec<&str> = spec.sheets.iter().map(|x| x.name.as_str()).collect();
            bail!(
                "no sheet '{s}' in {} (sheets: {})",
                o.model.display(),
                names.join(", ")
            );
        }
    }
    let reference = match o.compare {
        Some(p) => Some(
            serde_json::from_str::<serde_json::Value>(
                &std::fs::read_to_string(p)
                    .with_context(|| format!("cannot read {}", p.display()))?,
            )
            .with_context(|| format!("{} is not JSON", p.display()))?,
        ),
        None => None,
    };
    let args = split_params(o.params)?
        .into_iter()
        .map(|(n, v)| {
            let j = serde_json::from_str(&v).unwrap_or(serde_json::Value::String(v));
            (n, j)
        })
        .collect();
    let mut sess = Session::build(ctx, spec)?;
    let mut data = vec![Vec::new(); o.sheets.len()];
    for &t in &times {
        sess.run_to(t)?;
        for (i, s) in o.sheets.iter().enumerate() {
            let a = sess.gather_activity(s)?;
            let (rows, cols) = a.dim();
            data[i].push((rows, cols, a.iter().copied().collect()));
        }
    }
    let rec = Recording {
        model: o
            .model
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default(),
        args,
        times: times.iter().map(|t| t.to_f64()).collect(),
        sheets: o.sheets.to_vec(),
        data,
    };
    let doc = rec.to_json();
    if !ctx.is_root() {
        return Ok(0);
    }
    let text = serde_json::to_string(&doc)?;
    match o.out {
        Some(p) => std::fs::write(p, text + "\n")
            .with_context(|| format!("cannot write {}", p.display()))?,
        None if reference.is_none() => println!("{text}"),
        None => {}
    }
    if let Some(r) = reference {
        let diffs = compare(&r, &doc).map_err(|e| anyhow!("comparison failed: {e}"))?;
        let mut worst: f64 = 0.0;
        for (k, d) in &diffs {
            println!("t={k}: max |diff| = {d:.3e}");
            worst = worst.max(*d);
        }
        if worst >= DECIMAL6 {
            println!("FAIL: differs past decimal 6 (|diff| >= {DECIMAL6:e})");
            return Ok(1);
        }
        println!("OK: equal to decimal 6");
    }
    Ok(0)
}
