//! User analysis functions: `def my_analysis(): ...` in the model file or
//! in `-c` text, passed as `run_batch(..., analysis_fn=my_analysis)`. The
//! body is a list of calls of built-in analysis commands, run in order at
//! each analysis time; anything else is an error naming the call's
//! file:line:col (`<-c>:line:col` for `-c` text), found before training.

use super::{
    cf_plot, cog, curve_png, feature_maps, map_png, or_map, present, receptive_fields, tuning,
    write_activity,
};
use crate::io::h5::H5File;
use crate::outlog::OutLog;
use crate::par::Context;
use crate::session::Session;
use anyhow::{anyhow, bail, Result};
use std::path::Path;
use topo_spec::{Call, Component, FunctionSpec, ModelSpec, Time, Value};

/// The commands a user analysis function may call.
pub const COMMANDS: &str = "measure_or_pref(...), measure_sine_pref(...), measure_od_pref(...), measure_phasedisparity(...), measure_hue_pref(...), measure_dr_pref(...), measure_position_pref(...), measure_corner_or_pref(...), measure_cog(proj_name=''), measure_rfs(...), measure_or_tuning_fullfield(...), measure_or_tuning(...), measure_size_response(...), measure_contrast_response(...), save_plotgroup(GROUP, filename_suffix='', projection=..., sheet=...), pattern_present(inputs=PATTERN, duration=1.0, apply_output_fns=True), save_snapshot()";

/// `save_plotgroup` groups: Topographica's plot-group name and the
/// command that measures it (`topo/plotting/plotgroup.py`), "" for the
/// groups that measure nothing.
pub const PLOT_GROUPS: &[(&str, &str)] = &[
    ("Activity", ""),
    ("Projection", ""),
    ("Orientation Preference", "measure_or_pref"),
    ("Spatial Frequency Preference", "measure_sine_pref"),
    ("Ocular Preference", "measure_od_pref"),
    ("PhaseDisparity Preference", "measure_phasedisparity"),
    ("Hue Preference", "measure_hue_pref"),
    ("Direction Preference", "measure_dr_pref"),
    ("Position Preference", "measure_position_pref"),
    ("Corner OR Preference", "measure_corner_or_pref"),
    ("Center of Gravity", "measure_cog"),
    (
        "Orientation Tuning Fullfield",
        "measure_or_tuning_fullfield",
    ),
    ("Orientation Tuning", "measure_or_tuning"),
    ("Size Tuning", "measure_size_response"),
    ("Contrast Response", "measure_contrast_response"),
    ("RF Projection", "measure_rfs"),
];

fn plot_group_names() -> String {
    PLOT_GROUPS
        .iter()
        .map(|(g, _)| format!("'{g}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

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
/// known commands with valid arguments (so that a typo fails before
/// training, not after).
pub fn check(spec: &ModelSpec, name: &str) -> Result<()> {
    let f = spec.functions.get(name).ok_or_else(|| {
        anyhow!("analysis_fn {name}: the model file defines no 'def {name}():' (and no -c before the run_batch does)")
    })?;
    check_function(f)
}

/// Checks the class defaults the model set on featuremapper commands
/// (`measure_sine_pref.frequencies = ...`) for every command, so that a
/// bad value fails before training rather than at the first analysis
/// time (param rejects it where the model sets it).
pub fn check_model_settings(spec: &ModelSpec) -> Result<()> {
    let settings = present::PresentSettings {
        durations: vec![Time::from_int(1)],
        apply_output_fns: true,
        restore_state: true,
    };
    for name in feature_maps::COMMANDS {
        feature_maps::MapMeasurement::from_model_call(
            name,
            None,
            Some(&spec.analysis),
            &settings,
            17.0,
        )?;
    }
    for name in tuning::COMMANDS {
        tuning::CurveMeasurement::from_model_call(name, None, Some(&spec.analysis), &settings)?;
    }
    Ok(())
}

/// Checks every call of a user function: a known command with arguments
/// it accepts; errors name the call's file:line:col.
pub fn check_function(f: &FunctionSpec) -> Result<()> {
    for c in &f.body {
        parse(c)?;
    }
    Ok(())
}

/// A user-function call, its arguments checked.
enum Command {
    /// A featuremapper map measurement (its keyword arguments are read
    /// from the call again when it runs).
    Map(String),
    /// `measure_cog(proj_name=...)`.
    Cog(String),
    /// `measure_rfs(...)` (its keyword arguments are read from the call
    /// again when it runs).
    Rfs,
    /// A featuremapper tuning-curve command (`measure_or_tuning`, ...).
    Curve(String),
    SavePlotgroup(PlotGroup),
    PatternPresent {
        pattern: Component,
        settings: present::PresentSettings,
    },
    SaveSnapshot,
}

/// `save_plotgroup`'s group and options.
struct PlotGroup {
    group: String,
    suffix: String,
    projection: Option<String>,
    sheet: Option<String>,
}

/// The command's own name (`topo.command.analysis.measure_or_pref` ->
/// `measure_or_pref`).
fn command(c: &Call) -> &str {
    c.name.rsplit('.').next().unwrap_or(&c.name)
}

fn kwarg<'a>(c: &'a Call, name: &str) -> Option<&'a Value> {
    c.kwargs.iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

/// A True/False keyword argument, `default` when absent.
fn bool_kwarg(c: &Call, name: &str, default: bool) -> Result<bool> {
    match kwarg(c, name) {
        None => Ok(default),
        Some(v) => v
            .as_bool()
            .ok_or_else(|| anyhow!("{}: {name} must be True or False", c.location)),
    }
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
                if allowed.is_empty() {
                    "none".to_string()
                } else {
                    allowed.join(", ")
                }
            );
        }
    }
    Ok(())
}

fn parse(c: &Call) -> Result<Command> {
    match command(c) {
        name if feature_maps::COMMANDS.contains(&name) => {
            // Checks every keyword argument before training.
            let settings = present::PresentSettings {
                durations: vec![Time::from_int(1)],
                apply_output_fns: true,
                restore_state: true,
            };
            feature_maps::MapMeasurement::from_call(name, Some(c), &settings, 17.0)?;
            Ok(Command::Map(name.to_string()))
        }
        name if tuning::COMMANDS.contains(&name) => {
            let settings = present::PresentSettings {
                durations: vec![Time::from_int(1)],
                apply_output_fns: true,
                restore_state: true,
            };
            tuning::CurveMeasurement::from_call(name, Some(c), &settings)?;
            Ok(Command::Curve(name.to_string()))
        }
        "measure_rfs" => {
            let settings = present::PresentSettings {
                durations: vec![Time::from_int(1)],
                apply_output_fns: true,
                restore_state: true,
            };
            receptive_fields::RfMeasurement::from_call(Some(c), &settings)?;
            Ok(Command::Rfs)
        }
        "measure_cog" => {
            only_kwargs(c, &["proj_name"], 0)?;
            match kwarg(c, "proj_name") {
                None => Ok(Command::Cog(String::new())),
                Some(Value::Str(s)) => Ok(Command::Cog(s.clone())),
                Some(v) => bail!("{}: proj_name must be a string, got {v:?}", c.location),
            }
        }
        "save_plotgroup" => {
            only_kwargs(c, &["filename_suffix", "projection", "sheet"], 1)?;
            let group = match c.args.first() {
                Some(Value::Str(s)) if PLOT_GROUPS.iter().any(|(g, _)| g == s) => s.clone(),
                Some(Value::Str(s)) => bail!(
                    "{}: plot group '{s}' is not supported (use {})",
                    c.location,
                    plot_group_names()
                ),
                _ => bail!(
                    "{}: save_plotgroup needs a plot group name ({})",
                    c.location,
                    plot_group_names()
                ),
            };
            let text = |k: &str| -> Result<Option<String>> {
                match kwarg(c, k) {
                    None => Ok(None),
                    Some(Value::Str(s)) => Ok(Some(s.clone())),
                    Some(v) => bail!("{}: {k} must be a string, got {v:?}", c.location),
                }
            };
            Ok(Command::SavePlotgroup(PlotGroup {
                group,
                // It becomes part of a file name: no separators or links.
                suffix: crate::paths::safe_component(&text("filename_suffix")?.unwrap_or_default()),
                projection: text("projection")?,
                sheet: text("sheet")?,
            }))
        }
        "pattern_present" => {
            only_kwargs(
                c,
                &[
                    "inputs",
                    "duration",
                    "apply_output_fns",
                    "plastic",
                    "restore_state",
                ],
                0,
            )?;
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
            let apply_output_fns = bool_kwarg(c, "apply_output_fns", true)?;
            // pattern_present's default: the network keeps the state the
            // pattern left (featuremapper's measurements restore it).
            let restore_state = bool_kwarg(c, "restore_state", false)?;
            Ok(Command::PatternPresent {
                pattern,
                settings: present::PresentSettings {
                    durations: vec![duration],
                    apply_output_fns,
                    restore_state,
                },
            })
        }
        "save_snapshot" => {
            only_kwargs(c, &[], 0)?;
            Ok(Command::SaveSnapshot)
        }
        _ => bail!(
            "{}: '{}' is not an analysis command topo-hpc knows (supported: {COMMANDS})",
            c.location,
            c.name
        ),
    }
}

/// Collective: runs the model file's user function `name` at the current
/// time.
pub fn run(
    ctx: &Context,
    sess: &mut Session,
    name: &str,
    t: &Target<'_>,
    log: &OutLog,
) -> Result<()> {
    check(&sess.spec, name)?;
    let f = sess.spec.functions[name].clone();
    run_calls(ctx, sess, &f, t, log)
}

/// Collective: runs a function defined in `-c` text at the current time.
///
/// It is not part of the model, so it is not in the run's snapshots or
/// script_repr files (Topographica's script_repr has no functions either).
pub fn run_command_line(
    ctx: &Context,
    sess: &mut Session,
    f: &FunctionSpec,
    t: &Target<'_>,
    log: &OutLog,
) -> Result<()> {
    check_function(f)?;
    let f = above_model_ids(f, &sess.spec);
    run_calls(ctx, sess, &f, t, log)
}

/// The -c interpreter numbered the function's objects from 0, but ids
/// identify objects (numbergen keeps per-object state by id), so they are
/// moved past every id of the model, where a `def` at the end of the model
/// file would have put them.
fn above_model_ids(f: &FunctionSpec, spec: &ModelSpec) -> FunctionSpec {
    /// One past the largest component id in `v`.
    fn end_of(v: &Value) -> u64 {
        match v {
            Value::Object(c) => end_of_component(c),
            Value::List(items) | Value::Tuple(items) => items.iter().map(end_of).max().unwrap_or(0),
            Value::Dict(items) => items.iter().map(|(_, x)| end_of(x)).max().unwrap_or(0),
            _ => 0,
        }
    }
    fn end_of_component(c: &Component) -> u64 {
        c.params.values().map(end_of).fold(c.id + 1, u64::max)
    }
    fn end_of_call(c: &Call) -> u64 {
        let args = c.args.iter().map(end_of);
        args.chain(c.kwargs.iter().map(|(_, v)| end_of(v)))
            .max()
            .unwrap_or(0)
    }
    fn shift(v: &mut Value, by: u64) {
        match v {
            Value::Object(c) => {
                c.id += by;
                c.params.values_mut().for_each(|x| shift(x, by));
            }
            Value::List(items) | Value::Tuple(items) => items.iter_mut().for_each(|x| shift(x, by)),
            Value::Dict(items) => items.iter_mut().for_each(|(_, x)| shift(x, by)),
            _ => {}
        }
    }
    let by = spec
        .sheets
        .iter()
        .map(|s| end_of_component(&s.component))
        .chain(
            spec.connections
                .iter()
                .map(|c| end_of_component(&c.component)),
        )
        .chain(
            spec.global_params
                .iter()
                .map(|g| end_of(&g.default).max(end_of(&g.value))),
        )
        .chain(spec.analysis.values().map(end_of))
        .chain(
            spec.functions
                .values()
                .flat_map(|f| f.body.iter().map(end_of_call)),
        )
        .max()
        .unwrap_or(0);
    let mut f = f.clone();
    for c in &mut f.body {
        c.args.iter_mut().for_each(|v| shift(v, by));
        c.kwargs.iter_mut().for_each(|(_, v)| shift(v, by));
    }
    f
}

fn run_calls(
    ctx: &Context,
    sess: &mut Session,
    f: &FunctionSpec,
    t: &Target<'_>,
    log: &OutLog,
) -> Result<()> {
    let mut maps: Option<or_map::OrMaps> = None;
    let mut measured = tuning::MeasuredMaps::default();
    for c in &f.body {
        call(ctx, sess, c, t, log, &mut maps, &mut measured).map_err(|e| {
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
    measured: &mut tuning::MeasuredMaps,
) -> Result<()> {
    match parse(c)? {
        Command::Map(name) => {
            let sheets = or_map::measured_sheets(sess);
            if name == "measure_or_pref" {
                let or =
                    or_map::measure_or_pref(ctx, sess, &sheets, Some(c), t.file, t.group, log)?;
                if kwarg(c, "measurement_prefix").is_none() {
                    for (sheet, pref, _) in &or {
                        measured.record_one(sheet, "OrientationPreference", pref);
                    }
                }
                *maps = Some(or);
            } else {
                let m = or_map::measurement(sess, &name, Some(c))?;
                let got = feature_maps::measure(ctx, sess, &m, &sheets, t.file, t.group, log)?;
                measured.record(&got);
            }
            Ok(())
        }
        Command::Curve(name) => {
            let sheets = or_map::measured_sheets(sess);
            tuning::measure_curves(
                ctx,
                sess,
                &sheets,
                &name,
                Some(c),
                measured,
                t.file,
                t.group,
                log,
            )?;
            Ok(())
        }
        Command::Cog(proj) => {
            let sheets = or_map::measured_sheets(sess);
            cog::measure_cog(sess, &sheets, &proj, t.file, t.group)?;
            Ok(())
        }
        Command::Rfs => {
            let m = rf_measurement(sess, Some(c))?;
            receptive_fields::measure(ctx, sess, &m, t.file, t.group, log)?;
            Ok(())
        }
        Command::SavePlotgroup(g) => save_plotgroup(ctx, sess, c, &g, t, log, maps, measured),
        Command::PatternPresent { pattern, settings } => {
            let sheets = sess.net.sheet_names();
            // As Topographica's pattern_present (restore_state=False): the
            // responses stay in the sheets for the plots that follow.
            present::present(sess, &pattern, &sheets, &settings)?;
            Ok(())
        }
        Command::SaveSnapshot => {
            let p = crate::io::restore::save_snapshot(ctx, sess, t.dir, t.simname, None)?;
            if ctx.is_root() {
                log.line(&format!("Saved snapshot {}", p.display()));
            }
            Ok(())
        }
    }
}

/// The map command a plot group runs, if any.
fn measures(group: &str) -> Option<&'static str> {
    PLOT_GROUPS
        .iter()
        .find(|(g, m)| *g == group && m.starts_with("measure_"))
        .map(|(_, m)| *m)
}

/// Collective: measures a map or curve plot group other than
/// 'Orientation Preference' (featuremapper defaults), saves a PNG per map
/// (per measured sheet for curves: the unit at (0, 0)) and records the
/// maps in `measured` (where the unit curves look up their preferences).
pub fn measure_plot_group(
    ctx: &Context,
    sess: &mut Session,
    group: &str,
    t: &Target<'_>,
    suffix: &str,
    log: &OutLog,
    measured: &mut tuning::MeasuredMaps,
) -> Result<()> {
    let sheets = or_map::measured_sheets(sess);
    match measures(group) {
        Some(command) if tuning::COMMANDS.contains(&command) => {
            let curves = tuning::measure_curves(
                ctx, sess, &sheets, command, None, measured, t.file, t.group, log,
            )?;
            for c in &curves {
                let png = t
                    .dir
                    .join(format!("{}_{}_{}{suffix}.png", t.base, c.sheet, c.name));
                curve_png::save_unit_curves(ctx, sess, c, curve_png::DEFAULT_COORDS, &png)?;
            }
            Ok(())
        }
        Some("measure_cog") => {
            for m in cog::measure_cog(sess, &sheets, "", t.file, t.group)? {
                let list = [
                    (format!("XCoG.{}", m.label), m.x, None),
                    (format!("YCoG.{}", m.label), m.y, None),
                ];
                map_png::save_maps(ctx, sess, &m.sheet, &list, t.dir, t.base, suffix)?;
            }
            Ok(())
        }
        Some("measure_rfs") => {
            // The plot group's input_sheet: the first GeneratorSheet
            // (plotgroup.py `default_input_sheet`).
            let mut m = rf_measurement(sess, None)?;
            m.inputs = present::generator_sheets(sess)
                .into_iter()
                .take(1)
                .collect();
            for r in receptive_fields::measure(ctx, sess, &m, t.file, t.group, log)? {
                let png = t.dir.join(format!(
                    "{}_{}_{}_RFs{suffix}.png",
                    t.base, r.sheet, r.input
                ));
                receptive_fields::save_rfs_png(ctx, sess, &r, &png)?;
            }
            Ok(())
        }
        Some(command) => {
            let m = or_map::measurement(sess, command, None)?;
            let maps = feature_maps::measure(ctx, sess, &m, &sheets, t.file, t.group, log)?;
            for (sheet, list) in &maps {
                map_png::save_maps(ctx, sess, sheet, list, t.dir, t.base, suffix)?;
            }
            measured.record(&maps);
            Ok(())
        }
        None => bail!("plot group '{group}' measures no map"),
    }
}

/// `measure_rfs` with `call`'s arguments and the model's presentation
/// settings.
fn rf_measurement(sess: &Session, call: Option<&Call>) -> Result<receptive_fields::RfMeasurement> {
    let settings = present::PresentSettings::from_spec(&sess.spec.analysis)?;
    receptive_fields::RfMeasurement::from_call(call, &settings)
}

// The OR maps and the other measured maps are kept apart: the first feed
// the 'Orientation Preference' plots, the second the curve commands.
#[allow(clippy::too_many_arguments)]
fn save_plotgroup(
    ctx: &Context,
    sess: &mut Session,
    c: &Call,
    g: &PlotGroup,
    t: &Target<'_>,
    log: &OutLog,
    maps: &mut Option<or_map::OrMaps>,
    measured: &mut tuning::MeasuredMaps,
) -> Result<()> {
    let suffix = &g.suffix;
    match g.group.as_str() {
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
                let or = or_map::measure_or_pref(ctx, sess, &sheets, None, t.file, t.group, log)?;
                for (sheet, pref, _) in &or {
                    measured.record_one(sheet, "OrientationPreference", pref);
                }
                *maps = Some(or);
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
        group if group == "Center of Gravity" || measures(group).is_some() => {
            measure_plot_group(ctx, sess, group, t, suffix, log, measured)
        }
        "Projection" => {
            let only_proj = &g.projection;
            let sheets = match &g.sheet {
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
            "{}: plot group '{other}' is not supported (use {})",
            c.location,
            plot_group_names()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use topo_spec::SheetSpec;

    fn comp(class: &str, id: u64, params: Vec<(&str, Value)>) -> Component {
        Component {
            class: class.into(),
            id,
            params: params
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect::<BTreeMap<_, _>>(),
        }
    }

    fn call(name: &str, kwargs: Vec<(&str, Value)>) -> Call {
        Call {
            name: name.into(),
            args: Vec::new(),
            kwargs: kwargs
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
            location: "<-c>:1:10".into(),
        }
    }

    #[test]
    fn command_line_objects_are_numbered_past_the_model() {
        let mut spec = ModelSpec::default();
        let gen = comp("numbergen.UniformRandom", 7, vec![]);
        spec.sheets.push(SheetSpec {
            name: "Retina".into(),
            component: comp(
                "topo.sheet.GeneratorSheet",
                2,
                vec![("x", Value::Object(Box::new(gen)))],
            ),
        });
        let inner = comp("numbergen.UniformRandom", 1, vec![]);
        let pattern = comp(
            "imagen.Gaussian",
            0,
            vec![("orientation", Value::Object(Box::new(inner)))],
        );
        let f = FunctionSpec {
            name: "f".into(),
            body: vec![call(
                "pattern_present",
                vec![("inputs", Value::Object(Box::new(pattern)))],
            )],
        };
        let moved = above_model_ids(&f, &spec);
        let Value::Object(p) = &moved.body[0].kwargs[0].1 else {
            panic!()
        };
        let Some(Value::Object(o)) = p.params.get("orientation") else {
            panic!()
        };
        assert_eq!((p.id, o.id), (8, 9));
    }

    #[test]
    fn arguments_are_checked_without_a_simulation() {
        let ok = FunctionSpec {
            name: "f".into(),
            body: vec![
                call("measure_or_pref", vec![]),
                call(
                    "save_plotgroup",
                    vec![("filename_suffix", Value::Str("_x".into()))],
                ),
            ],
        };
        // save_plotgroup without its group name.
        let e = check_function(&ok).unwrap_err().to_string();
        assert!(e.starts_with("<-c>:1:10: save_plotgroup needs"), "{e}");
        let mut good = ok.clone();
        good.body[1].args.push(Value::Str("Activity".into()));
        check_function(&good).unwrap();
        let mut bad = good.clone();
        bad.body[0]
            .kwargs
            .push(("num_phases".into(), Value::Int(8)));
        let e = check_function(&bad).unwrap_err().to_string();
        assert!(e.contains("no argument 'num_phases'"), "{e}");
        let mut good_kw = good.clone();
        good_kw.body[0]
            .kwargs
            .push(("num_phase".into(), Value::Int(8)));
        check_function(&good_kw).unwrap();
        let present = FunctionSpec {
            name: "f".into(),
            body: vec![call("pattern_present", vec![])],
        };
        let e = check_function(&present).unwrap_err().to_string();
        assert!(e.contains("needs inputs="), "{e}");
    }
}
