//! featuremapper's tuning curves (`FeatureCurves`), here
//! `measure_or_tuning_fullfield` (`featuremapper/command.py`): full-field
//! sine gratings at every orientation, phase and frequency, repeated at
//! each contrast (the "outer" feature, one curve per value); a unit's
//! curve value at an orientation is its peak response over the other
//! features (`DistributionMatrix` with `keep_peak`).

use super::feature_maps::{MapMeasurement, Meta};
use super::present::{self, PresentSettings};
use crate::io::h5::H5File;
use crate::outlog::OutLog;
use crate::par::Context;
use crate::session::Session;
use anyhow::{anyhow, bail, Result};
use std::f64::consts::PI;
use topo_analysis::{feature_product, Feature, FeatureCollector};
use topo_spec::{Call, Value};

/// `FeatureCurveCommand.durations` of the model, else its
/// `MeasureResponseCommand.durations` (the class it inherits from), else
/// 1; output functions applied: `FeatureMaps.cmd_overrides` do not
/// reach `FeatureCurves`, so topo's `pattern_response` keeps its default
/// `apply_output_fns=True` (`topo/analysis/featureresponses.py`).
fn curve_settings(sess: &Session) -> Result<PresentSettings> {
    let mut analysis = sess.spec.analysis.clone();
    if let Some(d) = analysis.get("FeatureCurveCommand.durations").cloned() {
        analysis.insert("MeasureResponseCommand.durations".into(), d);
    }
    analysis.remove("FeatureMaps.cmd_overrides.apply_output_fns");
    PresentSettings::from_spec(&analysis)
}

/// `measure_or_tuning_fullfield` with the call's keyword arguments
/// (`num_orientation` 12, `num_phase` 18, `frequencies` [2.4],
/// `contrasts` [30, 60, 80, 90]).
fn fullfield(sess: &Session, call: Option<&Call>) -> Result<(MapMeasurement, Feature)> {
    let kw =
        |name: &str| call.and_then(|c| c.kwargs.iter().find(|(k, _)| k == name).map(|(_, v)| v));
    if let Some(c) = call {
        for (k, _) in &c.kwargs {
            if !["num_orientation", "num_phase", "frequencies", "contrasts"].contains(&k.as_str()) {
                bail!(
                    "{}: {} has no argument '{k}' here (accepted: num_orientation, num_phase, frequencies, contrasts)",
                    c.location,
                    c.name
                );
            }
        }
    }
    let int = |name: &str, d: usize| -> Result<usize> {
        match kw(name) {
            None => Ok(d),
            Some(Value::Int(i)) if *i >= 1 => Ok(*i as usize),
            Some(v) => bail!("{name} must be an integer >= 1, got {v:?}"),
        }
    };
    let list = |name: &str, d: &[f64]| -> Result<Vec<f64>> {
        match kw(name) {
            None => Ok(d.to_vec()),
            Some(v) => v
                .as_seq()
                .and_then(|s| s.iter().map(Value::as_f64).collect::<Option<Vec<f64>>>())
                .filter(|v| !v.is_empty())
                .ok_or_else(|| anyhow!("{name} must be a non-empty list of numbers")),
        }
    };
    let f = |r: topo_analysis::Result<Feature>| r.map_err(|e| anyhow!("{e}"));
    let features = vec![
        f(Feature::over_range(
            "Orientation",
            0.0,
            PI,
            int("num_orientation", 12)?,
            true,
        ))?,
        f(Feature::over_range(
            "Phase",
            0.0,
            2.0 * PI,
            int("num_phase", 18)?,
            true,
        ))?,
        f(Feature::with_values(
            "Frequency",
            &list("frequencies", &[2.4])?,
        ))?,
    ];
    let contrast = f(Feature::with_values(
        "Contrast",
        &list("contrasts", &[30.0, 60.0, 80.0, 90.0])?,
    ))?;
    let mut m = MapMeasurement::from_call(
        "measure_or_pref",
        None,
        &curve_settings(sess)?,
        super::or_map::selectivity_multiplier(sess)?,
    )?;
    m.command = "measure_or_tuning_fullfield".into();
    m.features = features;
    m.computed.clear();
    // static_parameters is empty for FeatureCurveCommand.
    m.statics.clear();
    m.metas = vec![Meta::Contrast2Scale];
    Ok((m, contrast))
}

/// Collective: `measure_or_tuning_fullfield` on `sheets`; writes
/// `<group>/<sheet>/OrientationTuning` `[contrasts, orientations, rows,
/// cols]` (each rank its block) with the axes in
/// `OrientationTuning_contrast` and `OrientationTuning_orientation`.
pub fn measure_or_tuning_fullfield(
    ctx: &Context,
    sess: &mut Session,
    sheets: &[String],
    call: Option<&Call>,
    f: &H5File,
    group: &str,
    log: &OutLog,
) -> Result<()> {
    if sheets.is_empty() {
        return Ok(());
    }
    let (mut m, contrast) = fullfield(sess, call)?;
    let inner = m.features.clone();
    let gens = present::generator_sheets(sess);
    // One collector per contrast and sheet, over the inner features.
    let mut collectors: Vec<Vec<FeatureCollector>> = Vec::new();
    for s in sheets {
        let n = sess.net.activity(s).len();
        let mut per = Vec::new();
        for _ in &contrast.values {
            per.push(FeatureCollector::new(inner.clone(), n).map_err(|e| anyhow!("{e}"))?);
        }
        collectors.push(per);
    }
    // inputs() reads every feature's value, contrast included.
    m.features.push(contrast.clone());
    let started = std::time::Instant::now();
    let saved = super::state::state_push(sess)?;
    let mut count = 0;
    // FeatureResponses._present_permutation: each inner permutation at
    // every outer (contrast) value in turn.
    for values in feature_product(&inner) {
        for (ci, &c) in contrast.values.iter().enumerate() {
            let mut all = values.clone();
            all.push(c);
            let inputs = m.inputs(&all, &gens);
            let responses = present::present_inputs(sess, &inputs, sheets, &m.settings)?;
            for (per, r) in collectors.iter_mut().zip(&responses) {
                per[ci].add(&values, r).map_err(|e| anyhow!("{e}"))?;
            }
            count += 1;
        }
    }
    super::state::state_pop(ctx, sess, saved)?;
    if ctx.is_root() {
        log.line(&format!(
            "measure_or_tuning_fullfield: {count} presentations in {:.2} s",
            started.elapsed().as_secs_f64()
        ));
    }
    let ors = &inner[0].values;
    for (s, per) in sheets.iter().zip(&collectors) {
        let (rows, cols) = sess.net.sheet_shape(s).map_err(|e| anyhow!("{e}"))?;
        let own = sess.net.sheet_ownership(s).map_err(|e| anyhow!("{e}"))?;
        let mut data = Vec::with_capacity(contrast.values.len() * ors.len() * own.len());
        for c in per {
            for bin in 0..ors.len() {
                data.extend_from_slice(c.peaks(0, bin).ok_or_else(|| anyhow!("no bin {bin}"))?);
            }
        }
        let (nc, nx) = (contrast.values.len(), ors.len());
        // Per (contrast, orientation), the owned units in their order: the
        // row-major order of the union of the rank's stripes.
        f.write_owned(
            &format!("{group}/{s}/OrientationTuning"),
            &[nc, nx],
            (rows, cols),
            &own,
            &data,
        )?;
        for (name, axis) in [("contrast", &contrast.values), ("orientation", ors)] {
            let n = axis.len();
            let (count, vals) = if ctx.is_root() {
                (n, axis.clone())
            } else {
                (0, vec![])
            };
            f.write_block(
                &format!("{group}/{s}/OrientationTuning_{name}"),
                &[n],
                &[0],
                &[count],
                &vals,
            )?;
        }
    }
    Ok(())
}
