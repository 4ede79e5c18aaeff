//! Orientation maps, pinwheels, weight plots and the 45° Gaussian
//! response at an analysis time (Topographica's default_analysis_function
//! after the Activity plots).

use super::present::{self, PresentSettings};
use super::AnalysisPlan;
use super::{cf_plot, feature_maps};
use crate::io::h5::H5File;
use crate::outlog::OutLog;
use crate::par::Context;
use crate::session::{sheet_coords, Session};
use anyhow::{anyhow, Result};
use std::f64::consts::PI;
use std::path::Path;
use topo_analysis::plot::{activity_image, orientation_image, Normalization, SelectivityChannel};
use topo_analysis::{map_quality, Grid, DEFAULT_SELECTIVITY_MULTIPLIER};
use topo_spec::Value;

/// Collective: the map-measuring parts of the plan.
#[allow(clippy::too_many_arguments)]
pub fn run(
    ctx: &Context,
    sess: &mut Session,
    plan: &AnalysisPlan,
    f: &H5File,
    group: &str,
    dir: &Path,
    base: &str,
    log: &OutLog,
) -> Result<()> {
    let measured = measured_sheets(sess);
    if measured.is_empty() {
        log.warning(
            "no sheet has measure_maps=True: no orientation maps, pinwheels or weight plots",
        );
    }
    if plan.or_map || plan.pinwheels {
        let maps = measure_or_pref(ctx, sess, &measured, None, f, group, log)?;
        for (sheet, pref, sel) in &maps {
            let png = dir.join(format!("{base}_{sheet}_Orientation_Preference.png"));
            save_or_png(ctx, sess, sheet, pref, sel, &png)?;
            if plan.pinwheels {
                let (rows, cols) = sess.net.sheet_shape(sheet).map_err(|e| anyhow!("{e}"))?;
                if rows == cols {
                    pinwheels(ctx, sess, sheet, pref, f, group, log)?;
                } else if ctx.is_root() {
                    // the hypercolumn estimate is a square map's FFT ring
                    log.warning(&format!(
                        "{sheet} is {rows}x{cols}: pinwheel density needs a square map; skipped"
                    ));
                }
            }
        }
    }
    if plan.weights {
        for sheet in &measured {
            for (dest, proj) in sess.net.projection_names() {
                if &dest == sheet {
                    let png = dir.join(format!("{base}_{sheet}_{proj}_Weights.png"));
                    cf_plot::save_weights_png(ctx, sess, sheet, &proj, &png)?;
                }
            }
        }
    }
    if plan.activity && plan.or_map {
        present_45d(ctx, sess, dir, base)?;
    }
    Ok(())
}

/// Projection sheets whose `measure_maps` parameter is True, in model order.
pub fn measured_sheets(sess: &Session) -> Vec<String> {
    sess.spec
        .sheets
        .iter()
        .filter(|s| sess.net.input_generator(&s.name).is_err())
        .filter(|s| matches!(s.component.get("measure_maps"), Some(Value::Bool(true))))
        .map(|s| s.name.clone())
        .collect()
}

/// `FeatureMaps.selectivity_multiplier` of the model (featuremapper's 17
/// unless the model sets it).
pub fn selectivity_multiplier(sess: &Session) -> Result<f64> {
    match sess.spec.analysis.get("FeatureMaps.selectivity_multiplier") {
        None => Ok(DEFAULT_SELECTIVITY_MULTIPLIER),
        Some(v) => v
            .as_f64()
            .ok_or_else(|| anyhow!("FeatureMaps.selectivity_multiplier must be a number")),
    }
}

/// A sheet's whole orientation preference and selectivity maps, as every
/// rank holds them after [`measure_or_pref`].
pub type OrMaps = Vec<(String, Vec<f64>, Vec<f64>)>;

/// Collective: featuremapper's `measure_or_pref` on `sheets` (keyword
/// arguments from `call`, else its defaults); writes every map it makes
/// (`OrientationPreference`, `OrientationSelectivity`, and the Frequency
/// and Phase ones, each rank its block) and returns the gathered
/// orientation maps.
pub fn measure_or_pref(
    ctx: &Context,
    sess: &mut Session,
    sheets: &[String],
    call: Option<&topo_spec::Call>,
    f: &H5File,
    group: &str,
    log: &OutLog,
) -> Result<OrMaps> {
    let m = measurement(sess, "measure_or_pref", call)?;
    let maps = feature_maps::measure(ctx, sess, &m, sheets, f, group, log)?;
    let prefix = &m.prefix;
    let mut out = Vec::with_capacity(maps.len());
    for (sheet, mut list) in maps {
        let mut take = |name: String| -> Result<Vec<f64>> {
            let i = list
                .iter()
                .position(|(n, _, _)| *n == name)
                .ok_or_else(|| anyhow!("measure_or_pref made no {name}"))?;
            Ok(list.swap_remove(i).1)
        };
        let pref = take(format!("{prefix}OrientationPreference"))?;
        let sel = take(format!("{prefix}OrientationSelectivity"))?;
        out.push((sheet, pref, sel));
    }
    Ok(out)
}

/// A map measurement with the model's presentation settings, class
/// defaults ([`super::class_defaults`]) and
/// selectivity multiplier.
pub fn measurement(
    sess: &Session,
    command: &str,
    call: Option<&topo_spec::Call>,
) -> Result<feature_maps::MapMeasurement> {
    let settings = PresentSettings::from_spec(&sess.spec.analysis)?;
    let multiplier = selectivity_multiplier(sess)?;
    feature_maps::MapMeasurement::from_model_call(
        command,
        call,
        Some(&sess.spec.analysis),
        &settings,
        multiplier,
    )
}

/// Enlargement so that a plot is about 256 pixels wide.
pub fn plot_scale(rows: usize, cols: usize) -> usize {
    (256 / rows.max(cols).max(1)).clamp(1, 16)
}

/// Rank 0 writes a sheet's orientation map plot (hue = preference,
/// saturation = selectivity).
pub fn save_or_png(
    ctx: &Context,
    sess: &Session,
    sheet: &str,
    pref: &[f64],
    sel: &[f64],
    png: &Path,
) -> Result<()> {
    if !ctx.is_root() {
        return Ok(());
    }
    let (rows, cols) = sess.net.sheet_shape(sheet).map_err(|e| anyhow!("{e}"))?;
    let p = Grid::new(pref, rows, cols, "preference").map_err(|e| anyhow!("{e}"))?;
    let s = Grid::new(sel, rows, cols, "selectivity").map_err(|e| anyhow!("{e}"))?;
    orientation_image(
        p,
        PI,
        Some((s, SelectivityChannel::Saturation)),
        plot_scale(rows, cols),
    )
    .and_then(|img| img.save_png(png))
    .map_err(|e| anyhow!("{}: {e}", png.display()))
}

/// Collective (scalar writes): pinwheel analysis of a gathered map.
fn pinwheels(
    ctx: &Context,
    sess: &Session,
    sheet: &str,
    pref: &[f64],
    f: &H5File,
    group: &str,
    log: &OutLog,
) -> Result<()> {
    let (rows, cols) = sess.net.sheet_shape(sheet).map_err(|e| anyhow!("{e}"))?;
    let spec = sess
        .spec
        .sheets
        .iter()
        .find(|s| s.name == sheet)
        .ok_or_else(|| anyhow!("no sheet {sheet}"))?;
    let density = sheet_coords(spec)?.xdensity();
    let grid = Grid::new(pref, rows, cols, "preference").map_err(|e| anyhow!("{e}"))?;
    // Every rank holds the same gathered map, so every rank gets the same
    // numbers; only rank 0's are written and logged.
    let q = map_quality(grid, PI, density).map_err(|e| anyhow!("{sheet}: pinwheels: {e}"))?;
    let scalars = [
        ("pinwheel_count", q.pinwheels.count() as f64),
        ("pinwheel_density", q.rho),
        ("kmax", q.hypercolumns.kmax),
        (
            "units_per_hypercolumn",
            q.hypercolumns.units_per_hypercolumn,
        ),
    ];
    for (name, v) in scalars {
        super::scalar(ctx, f, &format!("{group}/{sheet}/{name}"), v)?;
    }
    if ctx.is_root() {
        log.line(&q.summary(sheet));
    }
    Ok(())
}

/// Collective: every sheet's activity after a Gaussian at 45°, aspect
/// ratio 4.7 (`<base>_<sheet>_Activity_45d.png`).
fn present_45d(ctx: &Context, sess: &mut Session, dir: &Path, base: &str) -> Result<()> {
    let sheets = sess.net.sheet_names();
    // Topographica's pattern_present keeps the state the pattern leaves.
    let settings = PresentSettings {
        durations: vec![topo_spec::Time::from_int(1)],
        apply_output_fns: true,
        restore_state: false,
    };
    let pattern = present::gaussian(PI / 4.0, 4.7);
    present::present(sess, &pattern, &sheets, &settings)?;
    for s in &sheets {
        let png = dir.join(format!("{base}_{s}_Activity_45d.png"));
        save_activity_png(ctx, sess, s, &png)?;
    }
    Ok(())
}

/// Collective: rank 0 writes a plot of a sheet's current activity.
pub fn save_activity_png(ctx: &Context, sess: &mut Session, sheet: &str, png: &Path) -> Result<()> {
    let all = sess.gather_activity(sheet)?;
    let (rows, cols) = all.dim();
    if ctx.is_root() {
        let g = Grid::new(all.as_slice().unwrap_or_default(), rows, cols, "activity")
            .map_err(|e| anyhow!("{e}"))?;
        activity_image(
            g,
            Normalization::Fixed { min: 0.0, max: 1.0 },
            plot_scale(rows, cols),
        )
        .save_png(png)
        .map_err(|e| anyhow!("{}: {e}", png.display()))?;
    }
    Ok(())
}
