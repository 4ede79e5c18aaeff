//! User analysis functions: `def my_analysis(): ...` in the model file,
//! passed as `run_batch(..., analysis_fn=my_analysis)`. The body is a list
//! of calls of built-in analysis commands, run in order at each analysis
//! time; anything else is an error naming the call's file:line:col.

use super::{cf_plot, or_map, present, write_activity};
use crate::batch::outlog::OutLog;
use crate::io::h5::H5File;
use crate::par::Context;
use crate::session::Session;
use anyhow::{anyhow, bail, Result};
use std::path::Path;
use topo_spec::{Call, Time, Value};

/// The commands a user analysis function may call.
pub const COMMANDS: &str = "measure_or_pref(), save_plotgroup('Activity' | 'Orientation Preference' | 'Projection', ...), pattern_present(inputs=PATTERN, duration=1.0, apply_output_fns=True), save_snapshot()";

/// Where a user function writes.
pub struct Target<'a> {
    /// The run's HDF5 file (open).
    pub file: &'a H5File,
    /// `analysis/<timestr>`.
    pub group: &'a str,
    /// Run folder.
    pub dir: &'a Path,
    /// `<simname>_<timestr>`, the plots' prefix.
    pub base: &'a str,
    /// `<simname>`, the snapshots' prefix.
    pub simname: &'a str,
}

/// Checks that `name` is a function of the model whose calls are all
/// known commands (so that a typo fails before training, not after).
pub fn check(spec: &topo_spec::ModelSpec, name: &str) -> Result<()> {
    let f = spec
        .functions
        .get(name)
        .ok_or_else(|| anyhow!("analysis_fn {name}: the model file defines no 'def {name}():'"))?;
    for c in &f.body {
        if !matches!(
            command(c),
            "measure_or_pref" | "save_plotgroup" | "pattern_present" | "save_snapshot"
        ) {
            bail!(
                "{}: '{}' is not an analysis command topo-hpc knows (supported: {COMMANDS})",
                c.location,
                c.name
            );
        }
    }
    Ok(())
}

/// The command's own name (`topo.command.analysis.measure_or_pref` ->
/// `measure_or_pref`).
fn command(c: &Call) -> &str {
    c.name.rsplit('.').next().unwrap_or(&c.name)
}

fn kwarg<'a>(c: &'a Call, name: &str) -> Option<&'a Value> {
    c.kwargs.iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

fn only_kwargs(c: &Call, allowed: &[&str], positional: usize) -> Result<()> {
    if c.args.len() > positional {
        bail!(
            "{}: {} takes at most {positional} positional argument(s)",
            c.location,
            c.name
        );
    }
    for (k, _) in &c.kwargs {
        if !allowed.contains(&k.as_str()) {
            bail!(
                "{}: {} has no argument '{k}' here (accepted: {})",
                c.location,
                c.name,
                allowed.join(", ")
            );
        }
    }
    Ok(())
}

/// Collective: runs the user function `name` at the current time.
pub fn run(
    ctx: &Context,
    sess: &mut Session,
    name: &str,
    t: &Target<'_>,
    log: &OutLog,
) -> Result<()> {
    check(&sess.spec, name)?;
    let body = sess.spec.functions[name].body.clone();
    let mut maps: Option<or_map::OrMaps> = None;
    for c in &body {
        call(ctx, sess, c, t, log, &mut maps).map_err(|e| {
            if e.to_string().starts_with(&c.location) {
                e
            } else {
                anyhow!("{}: {}: {e:#}", c.location, c.name)
            }
        })?;
    }
    Ok(())
}

fn call(
    ctx: &Context,
    sess: &mut Session,
    c: &Call,
    t: &Target<'_>,
    log: &OutLog,
    maps: &mut Option<or_map::OrMaps>,
) -> Result<()> {
    match command(c) {
        "measure_or_pref" => {
            only_kwargs(c, &[], 0)?;
            let sheets = or_map::measured_sheets(sess);
            *maps = Some(or_map::measure_or_pref(
                ctx, sess, &sheets, t.file, t.group, log,
            )?);
            Ok(())
        }
        "save_plotgroup" => save_plotgroup(ctx, sess, c, t, log, maps),
        "pattern_present" => {
            only_kwargs(c, &["inputs", "duration", "apply_output_fns", "plastic"], 0)?;
            let pattern = match kwarg(c, "inputs") {
                Some(Value::Object(p)) => (**p).clone(),
                _ => bail!(
                    "{}: pattern_present needs inputs=<a pattern, e.g. imagen.Gaussian(...)>",
                    c.location
                ),
            };
            if let Some(v) = kwarg(c, "plastic") {
                if v.as_bool() != Some(false) {
                    bail!(
                        "{}: pattern_present: only plastic=False is supported",
                        c.location
                    );
                }
            }
            let duration = match kwarg(c, "duration") {
                None => Time::from_int(1),
                Some(Value::Time(d)) => *d,
                Some(v) => Time::from_f64(
                    v.as_f64()
                        .ok_or_else(|| anyhow!("{}: duration must be a number", c.location))?,
                ),
            };
            let apply_output_fns = match kwarg(c, "apply_output_fns") {
                None => true,
                Some(v) => v.as_bool().ok_or_else(|| {
                    anyhow!("{}: apply_output_fns must be True or False", c.location)
                })?,
            };
            let settings = present::PresentSettings {
                durations: vec![duration],
                apply_output_fns,
            };
            let sheets = sess.net.sheet_names();
            // As Topographica's pattern_present (restore_state=False): the
            // responses stay in the sheets for the plots that follow.
            present::present(sess, &pattern, &sheets, &settings)?;
            Ok(())
        }
        "save_snapshot" => {
            only_kwargs(c, &[], 0)?;
            let p = crate::io::restore::save_snapshot(ctx, sess, t.dir, t.simname, None)?;
            if ctx.is_root() {
                log.line(&format!("Saved snapshot {}", p.display()));
            }
            Ok(())
        }
        other => bail!(
            "{}: '{other}' is not an analysis command topo-hpc knows (supported: {COMMANDS})",
            c.location
        ),
    }
}

fn save_plotgroup(
    ctx: &Context,
    sess: &mut Session,
    c: &Call,
    t: &Target<'_>,
    log: &OutLog,
    maps: &mut Option<or_map::OrMaps>,
) -> Result<()> {
    only_kwargs(c, &["filename_suffix", "projection", "sheet"], 1)?;
    let group = match c.args.first() {
        Some(Value::Str(s)) => s.as_str(),
        _ => bail!(
            "{}: save_plotgroup needs a plot group name ('Activity', 'Orientation Preference' or 'Projection')",
            c.location
        ),
    };
    let text = |k: &str| -> Result<Option<String>> {
        match kwarg(c, k) {
            None => Ok(None),
            Some(Value::Str(s)) => Ok(Some(s.clone())),
            Some(v) => bail!("{}: {k} must be a string, got {v:?}", c.location),
        }
    };
    let suffix = text("filename_suffix")?.unwrap_or_default();
    match group {
        "Activity" => {
            for sheet in sess.net.sheet_names() {
                let png = t
                    .dir
                    .join(format!("{}_{sheet}_Activity{suffix}.png", t.base));
                if suffix.is_empty() {
                    write_activity(ctx, sess, t.file, t.group, &sheet, &png)?;
                } else {
                    or_map::save_activity_png(ctx, sess, &sheet, &png)?;
                }
            }
            Ok(())
        }
        "Orientation Preference" => {
            if maps.is_none() {
                let sheets = or_map::measured_sheets(sess);
                *maps = Some(or_map::measure_or_pref(
                    ctx, sess, &sheets, t.file, t.group, log,
                )?);
            }
            for (sheet, pref, sel) in maps.as_ref().into_iter().flatten() {
                let png = t.dir.join(format!(
                    "{}_{sheet}_Orientation_Preference{suffix}.png",
                    t.base
                ));
                or_map::save_or_png(ctx, sess, sheet, pref, sel, &png)?;
            }
            Ok(())
        }
        "Projection" => {
            let only_proj = text("projection")?;
            let only_sheet = text("sheet")?;
            let sheets = match &only_sheet {
                Some(s) => vec![s.clone()],
                None => or_map::measured_sheets(sess),
            };
            let mut n = 0;
            for (dest, proj) in sess.net.projection_names() {
                if sheets.contains(&dest) && only_proj.as_ref().is_none_or(|p| *p == proj) {
                    let png = t
                        .dir
                        .join(format!("{}_{dest}_{proj}_Weights{suffix}.png", t.base));
                    cf_plot::save_weights_png(ctx, sess, &dest, &proj, &png)?;
                    n += 1;
                }
            }
            if n == 0 {
                bail!(
                    "{}: save_plotgroup('Projection'): no such projection",
                    c.location
                );
            }
            Ok(())
        }
        other => bail!(
            "{}: plot group '{other}' is not supported (use 'Activity', 'Orientation Preference' or 'Projection')",
            c.location
        ),
    }
}
