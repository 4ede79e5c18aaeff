//! `run_batch`: one batch run into its own folder.
//!
//! Rank 0 alone creates the folder and writes the text files; every rank
//! then takes part in the collective HDF5 writes of the results it owns.

use super::naming::NameOptions;
use super::outlog::OutLog;
use super::{rank_checks, rank_warnings};
use crate::analysis_fn::{self, AnalysisPlan};
use crate::io::folder_guard::{refuse_symlinks, FolderLock, RUN_LOCK};
use crate::io::h5::{Attr, H5File};
use crate::par::Context;
use crate::session::Session;
use anyhow::{anyhow, bail, Context as _, Result};
use std::path::{Path, PathBuf};
use std::time::Instant;
use topo_spec::{ModelSpec, Time, Value};

/// When to save a script_repr.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ScriptReprPolicy {
    /// Never.
    None,
    /// At the first analysis time.
    First,
    /// At the last analysis time.
    Last,
    /// At every analysis time.
    All,
}

impl std::str::FromStr for ScriptReprPolicy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "none" | "None" => Ok(Self::None),
            "first" => Ok(Self::First),
            "last" => Ok(Self::Last),
            "all" => Ok(Self::All),
            o => Err(format!(
                "bad save_script_repr '{o}': use first, last, all or none"
            )),
        }
    }
}

/// Everything run_batch needs.
#[derive(Clone, Debug)]
pub struct BatchOptions {
    /// Model file.
    pub script: PathBuf,
    /// Parameters given to run_batch, as values: in the folder name.
    pub params: Vec<(String, Value)>,
    /// Parameters set before run_batch (`-p` first): not in the folder name.
    pub preset: Vec<(String, Value)>,
    /// Analysis times.
    pub times: Vec<Time>,
    /// Output root.
    pub output_root: PathBuf,
    /// What to analyse at each time.
    pub analysis: AnalysisPlan,
    /// Naming.
    pub names: NameOptions,
    /// Final snapshot.
    pub snapshot: bool,
    /// Continue from a snapshot.
    pub restore: Option<PathBuf>,
    /// script_repr policy.
    pub save_script_repr: ScriptReprPolicy,
    /// Progress bar on a terminal.
    pub progress: bool,
    /// Print the decomposition report at start.
    pub decomposition_report: bool,
    /// `param.random_seed` as a `-c` before run_batch set it (42 when
    /// none did); the model file may still set its own.
    pub random_seed: i64,
    /// `-p` names the model does not declare are counted warnings
    /// (Topographica's check_for_unused_names), not errors.
    pub allow_unused_params: bool,
}

/// The documented default output root: `$TOPO_HPC_OUTPUT`, else `./Output`
/// (Topographica used an `Output` folder under its user folder).
pub fn default_output_root() -> PathBuf {
    std::env::var_os("TOPO_HPC_OUTPUT")
        .filter(|v| !v.is_empty())
        .map(crate::paths::expand_user)
        .unwrap_or_else(|| PathBuf::from("Output"))
}

/// The script's base name (file name without `.ty`).
pub fn script_base(script: &Path) -> String {
    let f = script
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_else(|| "model".into());
    f.strip_suffix(".ty").map(str::to_string).unwrap_or(f)
}

/// The timestamp in run_batch's default format (local time).
pub fn now_timestamp() -> String {
    chrono::Local::now().format("%Y%m%d%H%M").to_string()
}

/// The current local time in a strftime format (run_batch's
/// `name_time_format`); a format chrono cannot render is an error.
pub fn format_now(format: &str) -> Result<String> {
    use std::fmt::Write;
    let mut s = String::new();
    write!(s, "{}", chrono::Local::now().format(format))
        .map_err(|_| anyhow!("bad name_time_format '{format}': not a strftime format"))?;
    Ok(super::naming::safe_component(&s))
}

/// `NAME=ALIAS` pairs of a parameter-name map.
pub fn parse_name_map(items: &[String]) -> Result<Vec<(String, String)>> {
    items
        .iter()
        .map(|i| {
            let (n, a) = i
                .split_once('=')
                .ok_or_else(|| anyhow!("bad --name-map '{i}': expected NAME=ALIAS"))?;
            Ok((
                n.trim().to_string(),
                super::naming::safe_component(a.trim()),
            ))
        })
        .collect()
}

/// What a finished batch run produced.
pub struct BatchOutcome {
    /// The run's folder.
    pub dir: PathBuf,
    /// Base name of every file.
    pub simname: String,
    /// Errors counted.
    pub errors: usize,
    /// The simulation as run_batch left it (for commands after it).
    pub session: Option<Session>,
    /// The model file run_batch found and ran.
    pub script: PathBuf,
}

/// Rank 0 creates `dir` (never an existing one) and takes its lock; every
/// rank learns the outcome.
fn create_run_dir(ctx: &Context, root: &Path, dir: &Path) -> Result<Option<FolderLock>> {
    let mut err = String::new();
    let mut lock = None;
    if ctx.is_root() {
        if let Err(e) = std::fs::create_dir_all(root) {
            err = format!("cannot create output root {}: {e}", root.display());
        } else if dir.exists() {
            err = format!(
                "Batch run: Warning -- directory already exists!\nRun aborted; wait one minute before trying again, or else rename existing directory: \n{}",
                dir.display()
            );
        } else if let Err(e) = std::fs::create_dir(dir) {
            err = format!("cannot create run folder {}: {e}", dir.display());
        } else {
            match FolderLock::acquire(dir, RUN_LOCK, "run folder") {
                Ok(l) => lock = Some(l),
                Err(e) => err = e,
            }
        }
    }
    let err = ctx.broadcast_string(&err);
    if !err.is_empty() {
        bail!(err);
    }
    Ok(lock)
}

/// Rank 0 checks an existing run folder for a resume in place (no links
/// in it) and takes its lock; every rank learns the outcome. Nothing is
/// written when it fails.
fn lock_existing_run_dir(ctx: &Context, dir: &Path) -> Result<Option<FolderLock>> {
    let mut err = String::new();
    let mut lock = None;
    if ctx.is_root() {
        match refuse_symlinks(dir, "run folder")
            .and_then(|()| FolderLock::acquire(dir, RUN_LOCK, "run folder"))
        {
            Ok(l) => lock = Some(l),
            Err(e) => err = e,
        }
    }
    let err = ctx.broadcast_string(&err);
    if !err.is_empty() {
        bail!(err);
    }
    Ok(lock)
}

/// How to continue a checkpointed `run` into the same folder.
fn continue_hint(o: &BatchOptions, snapshot: &Path) -> String {
    format!(
        "to continue in the same folder, run the same command with --timestamp {} --restore {}",
        o.names.timestamp,
        snapshot.display()
    )
}

/// A model file's `print` output and load warnings into the log.
pub fn log_messages(log: &OutLog, messages: &[topo_lang::Message]) {
    for m in messages {
        match m {
            topo_lang::Message::Printed(t) => log.line(t),
            topo_lang::Message::Warning(t) => log.warning(t),
        }
    }
}

fn utc_now() -> String {
    chrono::Utc::now()
        .format("%a %d %b %Y %H:%M:%S +0000")
        .to_string()
}

/// `o` with its input files found: the model file in the working directory,
/// the output path and `$TOPO_HPC_PATH`; the snapshot also in the model
/// file's folder.
fn resolve_inputs(o: &BatchOptions) -> Result<BatchOptions> {
    let script =
        crate::paths::SearchPath::new([&o.output_root]).resolve(&o.script, "model file")?;
    let restore = match &o.restore {
        Some(snap) => Some(
            crate::paths::SearchPath::new([
                crate::paths::folder_of(&script),
                o.output_root.clone(),
            ])
            .resolve(snap, "snapshot")?,
        ),
        None => None,
    };
    Ok(BatchOptions {
        script,
        restore,
        ..o.clone()
    })
}

/// Run a batch job. Collective.
pub fn run_batch(
    ctx: &Context,
    argv: &[String],
    o: &BatchOptions,
    log: &OutLog,
) -> Result<BatchOutcome> {
    // From here a stop signal waits for a step boundary (or the check
    // before the folder is created) instead of ending the process.
    super::progress::install_signal_handlers();
    super::times::validate(&o.times).map_err(|e| anyhow!(e))?;
    // The model file and the snapshot to continue from are input files:
    // `~` expanded and looked up along the search path (crate::paths).
    let resolved = resolve_inputs(o)?;
    let o = &resolved;
    // Everything that can fail on bad input happens before the folder exists.
    let mut all = o.preset.clone();
    all.extend(o.params.iter().cloned());
    let load = topo_lang::LoadOptions {
        seed: o.random_seed,
        allow_unused_params: o.allow_unused_params,
    };
    let topo_lang::Loaded { spec, messages } =
        topo_lang::load_model_with(&o.script, &all, &load).map_err(|e| anyhow!("{e}"))?;
    // A bad class default of a measurement fails now, not after training.
    analysis_fn::user::check_model_settings(&spec)?;
    if let Some(name) = &o.analysis.function {
        // A typo in the analysis function fails now, not after training.
        analysis_fn::user::check(&spec, name)?;
    }
    // run_batch names the folder after the values it was given
    // (`param_formatter(p.extra_keywords())`), not the model's.
    let simname = o.names.simname();
    let dir = o.output_root.join(o.names.dirname(&o.params));
    super::preflight::check_names(&dir, &simname)?;
    super::preflight::check_object_names(&spec)?;
    // A spec the estimate cannot read fails to build below, with the
    // build's own message.
    let memory = crate::memory_estimate::estimate(&spec).ok();
    let fits = memory.as_ref().map_or(Ok(()), |m| {
        crate::memory_estimate::check_fits(m, ctx.size())
    });
    if !ctx.all_ok(fits.is_ok()) {
        bail!(fits
            .err()
            .unwrap_or_else(|| { "the model does not fit in the memory of another rank".into() }));
    }
    // The model is built (and restored) before the folder exists: a model
    // that cannot be built, or a snapshot that does not match it, leaves
    // nothing behind.
    let mut sess = Session::build(ctx, spec.clone())?;
    if let Some(snap) = &o.restore {
        crate::io::restore::restore(ctx, &mut sess, snap)?;
    }
    if super::progress::stop_requested(ctx) {
        return Err(super::progress::Stopped {
            stage: "while the model was being built, before its run folder was created".into(),
        }
        .into());
    }
    // Continuing from a snapshot inside this very run's folder (a requeued
    // job) carries on in place; anything else gets a new folder.
    let resume = o.restore.as_ref().is_some_and(|snap| {
        let parent = snap.parent().and_then(|p| std::fs::canonicalize(p).ok());
        parent.is_some() && parent == std::fs::canonicalize(&dir).ok()
    });
    let base = dir.join(&simname);
    let with_ext = |ext: &str| PathBuf::from(format!("{}{ext}", base.display()));
    let _lock = if resume {
        lock_existing_run_dir(ctx, &dir)?
    } else {
        create_run_dir(ctx, &o.output_root, &dir)?
    };
    if resume {
        if ctx.is_root() {
            log.append(&with_ext(".out"), argv)
                .with_context(|| format!("cannot append to {}", with_ext(".out").display()))?;
            log.line(&format!("Batch run resumed at {}.", utc_now()));
        }
    } else {
        log.line(&format!("Batch run output will be in {}", dir.display()));
    }
    if ctx.is_root() && !resume {
        log.open(&with_ext(".out"), argv)
            .with_context(|| format!("cannot write {}", with_ext(".out").display()))?;
        log.line("");
        log.line(&format!("Host: {}", host_info()));
        log.line(&format!(
            "topo-hpc: {} (version {})",
            std::env::current_exe()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            env!("CARGO_PKG_VERSION")
        ));
        log.line(&format!(
            "script: {}",
            std::fs::canonicalize(&o.script)
                .unwrap_or_else(|_| o.script.clone())
                .display()
        ));
        log.line(&format!("ranks: {}", ctx.size()));
        if let Some(m) = &memory {
            log.line(&format!("memory: {}", m.describe(ctx.size())));
        }
        log.line("");
        log.line(&format!("Batch run started at {}.", utc_now()));
        // what the model file printed while it was read, as Topographica's
        // .out holds the script's own output
        log_messages(log, &messages);
        std::fs::copy(&o.script, with_ext(".ty")).context("copying the model file")?;
        write_global_params(&with_ext(".global_params.json"), &spec, &o.params)?;
    }
    let mut report = super::report::RunReport::new(
        ctx.is_root(),
        &dir,
        &simname,
        argv,
        &o.script,
        ctx.size(),
        spec.global_params
            .iter()
            .map(|p| (p.name.clone(), plain_json(&p.value).to_string()))
            .collect(),
        o.times.iter().map(|t| t.to_f64()).collect(),
    );
    report_warn(log, report.write());
    // Each rank checks its own CPUs; the warnings reach the log at the
    // first collective point.
    rank_checks::check_threads();
    let started = Instant::now();
    let result = run_body(
        ctx,
        o,
        log,
        sess,
        &dir,
        &simname,
        started,
        resume,
        &mut report,
    );
    let result = result.map_err(|e| match e.downcast::<super::progress::Checkpointed>() {
        Ok(mut c) => {
            c.continue_with = continue_hint(o, &c.snapshot);
            c.into()
        }
        Err(e) => e,
    });
    let checkpointed = matches!(&result, Err(e) if super::progress::is_stop(e));
    // Warnings still pending anywhere go in before the error and the counts.
    match &result {
        Ok(_) => rank_warnings::collect(ctx, log),
        Err(_) => rank_warnings::collect_on_error(ctx, log),
    }
    let mut errors = 0;
    if let Err(e) = &result {
        errors += usize::from(!checkpointed);
        log.line(&format!("{e:#}"));
        if ctx.is_root() {
            crate::console::err_line("Warning -- Error detected: execution halted.");
        }
    }
    log.line("");
    log.line(&format!("Batch run completed at {}.", utc_now()));
    let (e2, warnings) = log.counts();
    log.line(&format!(
        "There were {} error(s) and {} warning(s).",
        errors + e2,
        warnings
    ));
    log.close();
    let status = match &result {
        Ok(_) => "finished".to_string(),
        Err(_) if checkpointed => "checkpointed".to_string(),
        Err(e) => format!("failed: {e:#}"),
    };
    if let Err(e) = report.finish(&status) {
        ctx.root_eprintln(format!("Warning: run report: {e:#}"));
    }
    let session = match result {
        Ok(s) => Some(s),
        Err(e) if checkpointed => return Err(e),
        // A rank-local failure: end the job rather than leave others waiting.
        Err(e) if ctx.size() > 1 => ctx.fail(format!("{e:#}")),
        Err(_) => None,
    };
    Ok(BatchOutcome {
        dir,
        simname,
        errors: errors + e2,
        session,
        script: o.script.clone(),
    })
}

/// The report is a convenience: failing to write it is a warning, never
/// the run's end.
fn report_warn(log: &OutLog, r: Result<()>) {
    if let Err(e) = r {
        log.warning(&format!("run report: {e:#}"));
    }
}

fn host_info() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    format!(
        "{} {} {}",
        std::env::consts::OS,
        host,
        std::env::consts::ARCH
    )
}

/// The `.global_params.json`: the parameters given to run_batch as the
/// model evaluated them (the given value where the model has no such
/// parameter), and every global parameter of the model.
fn write_global_params(path: &Path, spec: &ModelSpec, given: &[(String, Value)]) -> Result<()> {
    let specified: serde_json::Map<String, serde_json::Value> = given
        .iter()
        .map(|(n, v)| {
            let evaluated = spec.global_params.iter().find(|p| &p.name == n);
            (n.clone(), plain_json(evaluated.map_or(v, |p| &p.value)))
        })
        .collect();
    let all: serde_json::Map<String, serde_json::Value> = spec
        .global_params
        .iter()
        .map(|p| (p.name.clone(), plain_json(&p.value)))
        .collect();
    let doc = serde_json::json!({"global_params_specified": specified, "global_params_all": all});
    std::fs::write(path, serde_json::to_string_pretty(&doc)? + "\n")
        .with_context(|| format!("cannot write {}", path.display()))
}

/// A parameter value as plain JSON (numbers, strings, lists), the way a
/// Python reader expects it; other values as their Python text.
pub fn plain_json(v: &Value) -> serde_json::Value {
    use serde_json::json;
    match v {
        Value::None => serde_json::Value::Null,
        Value::Bool(b) => json!(b),
        Value::Int(i) => json!(i),
        Value::Float(f) => json!(f),
        Value::Time(t) => json!(t.to_f64()),
        Value::Str(s) => json!(s),
        Value::List(items) | Value::Tuple(items) => {
            serde_json::Value::Array(items.iter().map(plain_json).collect())
        }
        other => json!(super::naming::py2_str(other)),
    }
}

/// The run file's root attributes.
fn run_attrs(ctx: &Context, spec: &ModelSpec, o: &BatchOptions) -> Vec<(String, Attr)> {
    let params: serde_json::Map<String, serde_json::Value> = spec
        .global_params
        .iter()
        .map(|p| (p.name.clone(), plain_json(&p.value)))
        .collect();
    vec![
        ("model".into(), Attr::Str(o.script.display().to_string())),
        (
            "parameters".into(),
            Attr::Str(serde_json::Value::Object(params).to_string()),
        ),
        (
            "topo_hpc_version".into(),
            Attr::Str(env!("CARGO_PKG_VERSION").into()),
        ),
        ("ranks".into(), Attr::I64(ctx.size() as i64)),
        ("created".into(), Attr::Str(chrono::Utc::now().to_rfc3339())),
        (
            "layout".into(),
            Attr::Str(
                "arrays in global matrix coordinates, row 0 = top (largest y); see README".into(),
            ),
        ),
    ]
}

#[allow(clippy::too_many_arguments)]
fn run_body(
    ctx: &Context,
    o: &BatchOptions,
    log: &OutLog,
    mut sess: Session,
    dir: &Path,
    simname: &str,
    started: Instant,
    resume: bool,
    report: &mut super::report::RunReport,
) -> Result<Session> {
    let comm = ctx.h5_access();
    let h5path = dir.join(format!("{simname}.h5"));
    let attrs = run_attrs(ctx, &sess.spec, o);
    if !(resume && h5path.exists()) {
        let f = H5File::create_new(&h5path, comm)?;
        for (k, v) in &attrs {
            f.set_attr("/", k, v)?;
        }
        f.close()?;
    }
    if let Some(snap) = &o.restore {
        log.line(&format!(
            "Restored {} at time {}",
            snap.display(),
            sess.net.time().to_f64()
        ));
    }
    if o.decomposition_report {
        log.line(&sess.decomposition_report()?);
    }
    // Rank-local warnings gather at points where all ranks are in step:
    // here (before training), after each run segment, after each analysis.
    rank_warnings::collect(ctx, log);
    let mut watch = rank_checks::ActivityWatch::default();
    let last = *o.times.last().unwrap();
    let mut progress =
        super::progress::Progress::new(ctx.is_root() && o.progress, sess.net.time(), last);
    for (i, &t) in o.times.iter().enumerate() {
        if resume && t <= sess.net.time() {
            // Done before the checkpoint.
            continue;
        }
        if t < sess.net.time() {
            log.warning(&format!(
                "analysis time {} is before the current time {}; skipped",
                t.to_f64(),
                sess.net.time().to_f64()
            ));
            continue;
        }
        super::progress::run_to(ctx, &mut sess, t, &mut progress, dir, simname)?;
        watch.check(&sess.net, sess.net.time());
        rank_warnings::collect(ctx, log);
        analysis_fn::run(ctx, &mut sess, &o.analysis, &h5path, dir, simname, log)?;
        rank_warnings::collect(ctx, log);
        let r = report.analysed(ctx, &sess, &h5path);
        report_warn(log, r);
        let save = match o.save_script_repr {
            ScriptReprPolicy::None => false,
            ScriptReprPolicy::First => i == 0,
            ScriptReprPolicy::Last => i + 1 == o.times.len(),
            ScriptReprPolicy::All => true,
        };
        if save && ctx.is_root() {
            save_script_repr(&sess.spec, dir, simname, sess.net.time())?;
        }
        let el = started.elapsed().as_secs();
        log.line(&format!(
            "run_batch: Elapsed real time {:02}:{:02}.",
            el / 60,
            el % 60
        ));
    }
    progress.finish();
    crate::timing::write(ctx, &sess.training, dir, simname)?;
    if o.snapshot && sess.net.activity_in_flight() {
        // e.g. hierarchical.ty (delays 0.5, phase 0.25): a snapshot holds
        // no events in flight, so none is written rather than a wrong one
        if ctx.is_root() {
            log.warning(&format!(
                "no final snapshot: activity is in flight at t={} (snapshots are taken between iterations)",
                sess.net.time()
            ));
        }
    } else if o.snapshot {
        let p = crate::io::restore::save_snapshot(ctx, &mut sess, dir, simname, Some(&h5path))?;
        log.line(&format!("Saved snapshot {}", p.display()));
    }
    Ok(sess)
}

/// `<simname>_<timestr>_script_repr.ty`: a model file our interpreter loads
/// back to the same spec.
pub fn save_script_repr(spec: &ModelSpec, dir: &Path, simname: &str, t: Time) -> Result<PathBuf> {
    let p = dir.join(format!("{simname}_{}_script_repr.ty", t.timestr()));
    let text = format!(
        "# Generated by topo-hpc {} on {} at simulation time {}\n{}",
        env!("CARGO_PKG_VERSION"),
        utc_now(),
        t.timestr(),
        topo_lang::script_repr(spec)
    );
    std::fs::write(&p, text).with_context(|| format!("cannot write {}", p.display()))?;
    Ok(p)
}
