//! The analysis run_batch calls at each of its `times`.
//!
//! Results go into the run's HDF5 file under `/analysis/<timestr>/<sheet>/`
//! (arrays written collectively, each rank its own block; scalars as
//! one-element datasets so that sweeps can collate them) and PNG plots are
//! drawn by rank 0 from gathered data.

use crate::io::h5::{Attr, H5File};
use crate::outlog::OutLog;
use crate::par::Context;
use crate::session::Session;
use anyhow::{anyhow, Result};
use std::path::Path;
use topo_analysis::plot::{activity_image, Normalization};
use topo_analysis::Grid;

/// `--analysis` names of the map plot groups (Topographica's plot-group
/// names, measured by featuremapper's commands with their defaults).
pub const ANALYSIS_NAMES: &[(&str, &str)] = &[
    ("sf_map", "Spatial Frequency Preference"),
    ("od_map", "Ocular Preference"),
    ("disparity_map", "PhaseDisparity Preference"),
    ("hue_map", "Hue Preference"),
    ("dr_map", "Direction Preference"),
    ("position_map", "Position Preference"),
    ("corner_map", "Corner OR Preference"),
    ("cog", "Center of Gravity"),
    ("or_tuning_fullfield", "Orientation Tuning Fullfield"),
    ("or_tuning", "Orientation Tuning"),
    ("size_tuning", "Size Tuning"),
    ("contrast_response", "Contrast Response"),
    ("rf_map", "RF Projection"),
];

/// What to do at each analysis time.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct AnalysisPlan {
    /// Each sheet's activity (HDF5 + PNG).
    pub activity: bool,
    /// Orientation preference/selectivity maps of the sheets that measure maps.
    pub or_map: bool,
    /// Pinwheel count and density of each orientation map.
    pub pinwheels: bool,
    /// CF weight plots of measured sheets' projections.
    pub weights: bool,
    /// Further map plot groups to measure and plot, in order
    /// (`Ocular Preference`, `Position Preference`, ...).
    pub plotgroups: Vec<String>,
    /// Whether the model's `default_analysis_plotgroups`, when it sets
    /// them, choose the activity, map and plot-group items.
    pub model_default: bool,
    /// A user analysis function of the model (`def name(): ...`), run
    /// instead of the items above.
    pub function: Option<String>,
    /// A user analysis function defined in `-c` text before the run_batch,
    /// run instead of the items above and of `function`.
    pub command_line_function: Option<topo_spec::FunctionSpec>,
}

impl AnalysisPlan {
    /// `default`, `none`, or a comma list of the names in
    /// [`ANALYSIS_NAMES`].
    pub fn parse(text: &str) -> Result<AnalysisPlan, String> {
        let mut p = AnalysisPlan::default();
        match text.trim() {
            "none" => return Ok(p),
            "default" => return Ok(AnalysisPlan::topographica_default()),
            _ => {}
        }
        for item in text.split(',').map(str::trim) {
            match item {
                "activity" => p.activity = true,
                "or_map" => p.or_map = true,
                "pinwheels" => {
                    p.or_map = true;
                    p.pinwheels = true
                }
                "weights" => p.weights = true,
                other => match ANALYSIS_NAMES.iter().find(|(n, _)| *n == other) {
                    Some((_, group)) => p.plotgroups.push(group.to_string()),
                    None => {
                        let names: Vec<&str> = ANALYSIS_NAMES.iter().map(|(n, _)| *n).collect();
                        return Err(format!(
                            "bad --analysis item '{other}': use default, none, or a comma list of activity, or_map, pinwheels, weights, {}",
                            names.join(", ")
                        ));
                    }
                },
            }
        }
        Ok(p)
    }

    /// Topographica's default_analysis_function (the model's
    /// `default_analysis_plotgroups` when it sets them).
    pub fn topographica_default() -> AnalysisPlan {
        AnalysisPlan {
            activity: true,
            or_map: true,
            pinwheels: true,
            weights: true,
            model_default: true,
            ..AnalysisPlan::default()
        }
    }

    /// The plan for a model's `default_analysis_plotgroups`: 'Activity'
    /// and 'Orientation Preference' (with pinwheels) as in the
    /// built-in default, the other groups measured in order; weight plots
    /// and the 45° response as Topographica's default_analysis_function.
    /// Unknown groups are returned apart.
    pub fn from_plotgroups(groups: &[String]) -> (AnalysisPlan, Vec<String>) {
        let mut p = AnalysisPlan {
            weights: true,
            ..AnalysisPlan::default()
        };
        let mut unknown = Vec::new();
        for g in groups {
            match g.as_str() {
                "Activity" => p.activity = true,
                "Orientation Preference" => {
                    p.or_map = true;
                    p.pinwheels = true;
                }
                other if ANALYSIS_NAMES.iter().any(|(_, n)| *n == other) => {
                    if !p.plotgroups.iter().any(|x| x == other) {
                        p.plotgroups.push(other.to_string())
                    }
                }
                other => unknown.push(other.to_string()),
            }
        }
        (p, unknown)
    }

    /// A function defined in `-c` text (run_batch's `analysis_fn=name` after
    /// a `-c` defined `def name():`).
    pub fn command_line_function(f: &topo_spec::FunctionSpec) -> AnalysisPlan {
        AnalysisPlan {
            command_line_function: Some(f.clone()),
            ..AnalysisPlan::default()
        }
    }

    /// The model's user analysis function `name` (run_batch's `analysis_fn=name`).
    pub fn user_function(name: &str) -> AnalysisPlan {
        AnalysisPlan {
            function: Some(name.to_string()),
            ..AnalysisPlan::default()
        }
    }
}

/// Collective: run the plan at the current time.
pub fn run(
    ctx: &Context,
    sess: &mut Session,
    plan: &AnalysisPlan,
    h5path: &Path,
    dir: &Path,
    simname: &str,
    log: &OutLog,
) -> Result<()> {
    if *plan == AnalysisPlan::default() {
        return Ok(());
    }
    let model_plan;
    let plan = match (&sess.spec.default_analysis_plotgroups, plan.model_default) {
        (Some(groups), true) => {
            let (p, unknown) = AnalysisPlan::from_plotgroups(groups);
            for g in unknown {
                log.warning(&format!(
                    "default_analysis_plotgroups: plot group '{g}' is not one topo-hpc measures; skipped"
                ));
            }
            model_plan = p;
            &model_plan
        }
        _ => plan,
    };
    let comm = ctx.h5_access();
    let t = sess.net.time();
    let group = format!("analysis/{}", t.timestr());
    let f = H5File::open_rw(h5path, comm)?;
    f.ensure_group(&group)?;
    f.set_attr(&group, "time", &Attr::F64(t.to_f64()))?;
    let base = format!("{simname}_{}", t.timestr());
    let target = user::Target {
        file: &f,
        group: &group,
        dir,
        base: &base,
        simname,
    };
    if let Some(def) = &plan.command_line_function {
        user::run_command_line(ctx, sess, def, &target, log)?;
        return close_labelled(ctx, sess, f, &group);
    }
    if let Some(name) = &plan.function {
        user::run(ctx, sess, name, &target, log)?;
        return close_labelled(ctx, sess, f, &group);
    }
    if plan.activity {
        for sheet in sess.net.sheet_names() {
            write_activity(
                ctx,
                sess,
                &f,
                &group,
                &sheet,
                &dir.join(format!("{base}_{sheet}_Activity.png")),
            )?;
        }
    }
    // The maps measured so far, where the unit curves of later groups
    // look up their preferences (as in a user function).
    let mut measured = tuning::MeasuredMaps::default();
    for g in &plan.plotgroups {
        user::measure_plot_group(ctx, sess, g, &target, "", log, &mut measured)?;
    }
    if plan.or_map || plan.pinwheels || plan.weights {
        or_map::run(ctx, sess, plan, &f, &group, dir, &base, log)?;
    }
    close_labelled(ctx, sess, f, &group)
}

/// Collective: give every array of this time's group its coordinates
/// (sheet `y`/`x`, `time`; see `io::coords`), then close the file.
fn close_labelled(ctx: &Context, sess: &Session, f: H5File, group: &str) -> Result<()> {
    let t = sess.net.time().to_f64();
    crate::io::coords::label_analysis(&f, ctx.is_root(), group, &sess.spec, t)?;
    f.close()
}

/// Collective: a sheet's activity into the file (each rank its block), its
/// mean as a scalar, and rank 0's PNG.
fn write_activity(
    ctx: &Context,
    sess: &mut Session,
    f: &H5File,
    group: &str,
    sheet: &str,
    png: &Path,
) -> Result<()> {
    let (rows, cols) = sess.net.sheet_shape(sheet).map_err(|e| anyhow!("{e}"))?;
    let own = sess
        .net
        .sheet_ownership(sheet)
        .map_err(|e| anyhow!("{e}"))?;
    f.write_owned2(
        &format!("{group}/{sheet}/activity"),
        (rows, cols),
        &own,
        sess.net.activity(sheet),
    )?;
    // The plot and the mean need the whole sheet; analysis is off the step
    // loop, so a gather is fine here.
    let all = sess.gather_activity(sheet)?;
    let mean = all.iter().sum::<f64>() / all.len().max(1) as f64;
    let all = all.as_slice().unwrap_or_default();
    scalar(ctx, f, &format!("{group}/{sheet}/mean_activity"), mean)?;
    if ctx.is_root() {
        let g = Grid::new(all, rows, cols, "activity").map_err(|e| anyhow!("{e}"))?;
        let scale = (256 / rows.max(cols).max(1)).clamp(1, 16);
        activity_image(g, Normalization::Fixed { min: 0.0, max: 1.0 }, scale)
            .save_png(png)
            .map_err(|e| anyhow!("{e}"))?;
    }
    Ok(())
}

/// Collective: a scalar result as a one-element dataset written by rank 0.
pub fn scalar(ctx: &Context, f: &H5File, path: &str, v: f64) -> Result<()> {
    let (count, data): (usize, Vec<f64>) = if ctx.is_root() {
        (1, vec![v])
    } else {
        (0, vec![])
    };
    f.write_block(path, &[1], &[0], &[count], &data)
}

pub mod cf_plot;
pub mod channel_metas;
pub mod class_defaults;
pub mod cog;
pub mod curve_png;
pub mod feature_maps;
pub mod map_png;
pub mod or_map;
pub mod present;
pub mod receptive_fields;
pub mod state;
pub mod tuning;
pub mod user;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_parse() {
        assert_eq!(
            AnalysisPlan::parse("none").unwrap(),
            AnalysisPlan::default()
        );
        let p = AnalysisPlan::parse("activity,weights").unwrap();
        assert!(p.activity && p.weights && !p.or_map);
        assert!(AnalysisPlan::parse("pinwheels").unwrap().or_map);
        assert!(AnalysisPlan::parse("activty")
            .unwrap_err()
            .contains("activty"));
        let p = AnalysisPlan::parse("od_map,cog").unwrap();
        assert_eq!(p.plotgroups, ["Ocular Preference", "Center of Gravity"]);
        let (p, unknown) = AnalysisPlan::from_plotgroups(&[
            "Ocular Preference".into(),
            "Orientation Preference".into(),
            "Retinotopy".into(),
            "Activity".into(),
        ]);
        assert!(p.activity && p.or_map && p.pinwheels && p.weights);
        assert_eq!(p.plotgroups, ["Ocular Preference"]);
        assert_eq!(unknown, ["Retinotopy"]);
    }
}
