//! featuremapper's tuning curves (`FeatureCurves`, `featuremapper/
//! __init__.py`) as its curve commands define them
//! (`featuremapper/command.py`): `measure_or_tuning_fullfield`,
//! `measure_or_tuning`, `measure_size_response` and
//! `measure_contrast_response`. Every combination of the inner features
//! is presented at each value of the "outer" feature (the one made with
//! `preference_fn=None`, one curve per value); a unit's curve value at an
//! x-axis value is its peak response over the other inner features
//! (`DistributionMatrix` with `keep_peak`).
//!
//! The unit commands (`UnitCurveCommand`) centre a disk-masked grating on
//! the preferred position (and, for size and contrast, orientation) of the
//! unit at `coords`, looked up as Topographica's `get_feature_preference`
//! (`topo/analysis/featureresponses.py`) does: from the maps measured
//! earlier (here: earlier in the same analysis function), else a default
//! with a warning.

use super::feature_maps::{sine_grating, Kwargs, MapMeasurement, Meta, SheetMaps};
use super::present::{self, PresentSettings};
use crate::io::h5::H5File;
use crate::outlog::OutLog;
use crate::par::Context;
use crate::session::Session;
use anyhow::{anyhow, bail, Result};
use std::collections::BTreeMap;
use std::f64::consts::PI;
use topo_analysis::{feature_product, Axis, Feature, FeatureCollector};
use topo_spec::{Call, Component, Value};

/// The curve commands this module runs.
pub const COMMANDS: &[&str] = &[
    "measure_or_tuning_fullfield",
    "measure_or_tuning",
    "measure_size_response",
    "measure_contrast_response",
];

/// Maps measured so far in one analysis function, by sheet and map name:
/// what Topographica's `sheet.views.Maps` holds for
/// `get_feature_preference`.
#[derive(Default)]
pub struct MeasuredMaps {
    maps: BTreeMap<(String, String), Vec<f64>>,
}

impl MeasuredMaps {
    /// Remembers the whole-sheet maps of a measurement.
    pub fn record(&mut self, measured: &[(String, SheetMaps)]) {
        for (sheet, maps) in measured {
            for (name, data, _) in maps {
                self.maps
                    .insert((sheet.clone(), name.clone()), data.clone());
            }
        }
    }

    /// Remembers one map.
    pub fn record_one(&mut self, sheet: &str, name: &str, data: &[f64]) {
        self.maps
            .insert((sheet.to_string(), name.to_string()), data.to_vec());
    }

    /// `get_feature_preference(feature, sheet, coords, default)`: the
    /// `<Feature>Preference` of the unit under `coords` (holoviews'
    /// `Image[x, y]`: the unit whose area holds the point), else
    /// `default` with Topographica's warning.
    fn preference(
        &self,
        sess: &Session,
        feature: &str,
        sheet: &str,
        (x, y): (f64, f64),
        default: f64,
        log: &OutLog,
    ) -> Result<f64> {
        let mut name: String = feature[..1].to_uppercase();
        name.push_str(&feature[1..]);
        name.push_str("Preference");
        let spec = sess
            .spec
            .sheets
            .iter()
            .find(|s| s.name == sheet)
            .ok_or_else(|| anyhow!("no sheet {sheet}"))?;
        let coords = crate::session::sheet_coords(spec)?;
        let (r, c) = coords.sheet2matrixidx(x, y);
        let (rows, cols) = coords.shape();
        let found = self
            .maps
            .get(&(sheet.to_string(), name.clone()))
            .filter(|_| r >= 0 && c >= 0 && (r as usize) < rows && (c as usize) < cols)
            .map(|m| m[r as usize * cols + c as usize]);
        Ok(match found {
            Some(v) => v,
            None => {
                log.warning(&format!(
                    "{name} should be measured before plotting this tuning curve -- using default value of {default:?} for {sheet} unit ({},{}).",
                    x as i64, y as i64
                ));
                default
            }
        })
    }
}

/// One curve measurement, every parameter resolved except the looked-up
/// preferences.
#[derive(Clone, Debug)]
pub struct CurveMeasurement {
    /// Inner features (permuted), pattern, statics, metafeature functions,
    /// presentation settings and `measurement_prefix`.
    pub m: MapMeasurement,
    /// Index of the x-axis feature in `m.features`.
    pub x_axis: usize,
    /// The feature with one curve per value.
    pub outer: Feature,
    /// The unit whose preferences centre the pattern (`coords`), for the
    /// unit commands.
    pub unit: Option<(f64, f64)>,
    /// Statics looked up at `unit` (`x`, `y`, `orientation`).
    pub lookups: Vec<&'static str>,
}

/// `FeatureCurveCommand.durations` of the model, else its
/// `MeasureResponseCommand.durations` (the class it inherits from), else
/// 1; output functions applied: `FeatureMaps.cmd_overrides` do not
/// reach `FeatureCurves`, so topo's `pattern_response` keeps its default
/// `apply_output_fns=True` (`topo/analysis/featureresponses.py`).
pub fn curve_settings(analysis: &BTreeMap<String, Value>) -> Result<PresentSettings> {
    let mut analysis = analysis.clone();
    if let Some(d) = analysis.get("FeatureCurveCommand.durations").cloned() {
        analysis.insert("MeasureResponseCommand.durations".into(), d);
    }
    analysis.remove("FeatureMaps.cmd_overrides.apply_output_fns");
    PresentSettings::from_spec(&analysis)
}

fn feat(r: topo_analysis::Result<Feature>) -> Result<Feature> {
    r.map_err(|e| anyhow!("{e}"))
}

/// `UnitCurveCommand.pattern_generator`:
/// `SineGrating(mask_shape=Disk(smoothing=0.0, size=1.0))`.
fn masked_grating() -> Component {
    let mut disk = present::pattern_base("imagen.Disk", "Disk");
    disk.params.insert("smoothing".into(), Value::Float(0.0));
    disk.params.insert("aspect_ratio".into(), Value::Float(1.0));
    let mut g = sine_grating();
    g.params
        .insert("mask_shape".into(), Value::Object(Box::new(disk)));
    g
}

/// `coords`: a list of one `(x, y)` pair.
fn unit_coords(k: &mut Kwargs) -> Result<(f64, f64)> {
    let Some(v) = k.get("coords") else {
        return Ok((0.0, 0.0));
    };
    let pair = |v: &Value| -> Option<(f64, f64)> {
        match v.as_seq()? {
            [x, y] => Some((x.as_f64()?, y.as_f64()?)),
            _ => None,
        }
    };
    match v.as_seq() {
        Some([one]) => pair(one),
        _ => None,
    }
    .ok_or_else(|| {
        anyhow!(
            "{}: coords must be a list of one (x, y) pair (one unit per call; call again with another measurement_prefix for more)",
            k.where_()
        )
    })
}

impl CurveMeasurement {
    /// The curve measurement of `command` with the keyword arguments of
    /// `call` (none: featuremapper's defaults).
    pub fn from_call(
        command: &str,
        call: Option<&Call>,
        settings: &PresentSettings,
    ) -> Result<CurveMeasurement> {
        Self::from_model_call(command, call, None, settings)
    }

    /// [`CurveMeasurement::from_call`] where the parameters not given in
    /// `call` take the model's class defaults from `analysis`
    /// (`FeatureCurveCommand.contrasts = ...`;
    /// [`super::class_defaults`]).
    pub fn from_model_call(
        command: &str,
        call: Option<&Call>,
        analysis: Option<&BTreeMap<String, Value>>,
        settings: &PresentSettings,
    ) -> Result<CurveMeasurement> {
        let mut k = Kwargs::new(call, analysis.map(|a| (a, command)));
        let prefix = k.string("measurement_prefix")?;
        let num_phase = k.usize("num_phase", 18, 1)?;
        let frequencies = k.list("frequencies", &[2.4])?;
        let phase = feat(Feature::over_range("Phase", 0.0, 2.0 * PI, num_phase, true))?;
        let frequency = feat(Feature::with_values("Frequency", &frequencies))?;
        let curve_contrasts = |k: &mut Kwargs| -> Result<Feature> {
            feat(Feature::with_values(
                "Contrast",
                &k.list("contrasts", &[30.0, 60.0, 80.0, 90.0])?,
            ))
        };
        let orientations = |k: &mut Kwargs| -> Result<Feature> {
            let n = k.usize("num_orientation", 12, 1)?;
            feat(Feature::over_range("Orientation", 0.0, PI, n, true))
        };
        let unit = command != "measure_or_tuning_fullfield";
        let coords = if unit {
            Some(unit_coords(&mut k)?)
        } else {
            // measure_or_tuning_fullfield: "Ignored; here just to suppress warning."
            k.get("coords");
            None
        };
        let mut statics: Vec<(String, f64)> = Vec::new();
        let (features, x_axis, outer, lookups) = match command {
            "measure_or_tuning_fullfield" => {
                let or = orientations(&mut k)?;
                let c = curve_contrasts(&mut k)?;
                (vec![or, phase, frequency], 0, c, vec![])
            }
            "measure_or_tuning" => {
                let or = orientations(&mut k)?;
                let c = curve_contrasts(&mut k)?;
                statics.push(("size".into(), k.f64("size", 0.5)?));
                (vec![or, phase, frequency], 0, c, vec!["x", "y"])
            }
            "measure_size_response" => {
                let n = k.usize("num_sizes", 11, 1)?;
                let max = k.f64("max_size", 1.0)?;
                if max < 0.1 {
                    bail!("{}: max_size must be at least 0.1", k.where_());
                }
                let size = feat(Feature::over_range("Size", 0.0, max, n, false))?;
                let c = curve_contrasts(&mut k)?;
                (
                    vec![phase, frequency, size],
                    2,
                    c,
                    vec!["orientation", "x", "y"],
                )
            }
            "measure_contrast_response" => {
                let cs = k.list(
                    "contrasts",
                    &[10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0, 100.0],
                )?;
                let rel = k.list(
                    "relative_orientations",
                    &[0.0, PI / 6.0, PI / 4.0, PI / 2.0],
                )?;
                statics.push(("size".into(), k.f64("size", 0.5)?));
                let contrast = feat(Feature::with_values("Contrast", &cs))?;
                // The orientations are the unit's preference plus each
                // relative one, set once the preference is looked up.
                let or = feat(Feature::with_values_on(
                    "Orientation",
                    &rel,
                    Axis {
                        lower: 0.0,
                        upper: PI,
                        cyclic: true,
                    },
                ))?;
                (
                    vec![phase, frequency, contrast],
                    2,
                    or,
                    vec!["orientation", "x", "y"],
                )
            }
            other => bail!("{other} is not a tuning-curve command"),
        };
        k.finish()?;
        let mut m = MapMeasurement::from_call("measure_or_pref", None, settings, 17.0)?;
        m.command = command.into();
        m.features = features;
        m.computed.clear();
        m.pattern = if unit {
            masked_grating()
        } else {
            sine_grating()
        };
        m.statics = statics;
        // UnitCurveCommand's contrast2scale uses weber_contrast, the full
        // field one michelson_contrast: the same offset and scale for a
        // grating on its own mean (featuremapper/metaparams.py).
        m.metas = vec![Meta::Contrast2Scale];
        m.prefix = prefix;
        Ok(CurveMeasurement {
            m,
            x_axis,
            outer,
            unit: coords,
            lookups,
        })
    }

    /// featuremapper's name of the curves: `<prefix><XAxis>Tuning`.
    pub fn name(&self) -> String {
        format!(
            "{}{}Tuning",
            self.m.prefix,
            self.m.features[self.x_axis].map_name()
        )
    }

    /// Looks up the unit's preferences (`preference_lookup_fn` on the
    /// first measured sheet, as `p.outputs[0]`) and sets them as statics.
    fn resolve(
        &mut self,
        sess: &Session,
        sheet: &str,
        store: &MeasuredMaps,
        log: &OutLog,
    ) -> Result<()> {
        let Some((x, y)) = self.unit else {
            return Ok(());
        };
        for name in self.lookups.clone() {
            let default = match name {
                "x" => x,
                "y" => y,
                _ => 0.0,
            };
            let v = store.preference(sess, name, sheet, (x, y), default, log)?;
            if name == "orientation" && self.m.command == "measure_contrast_response" {
                let rel = self.outer.values.clone();
                let vals: Vec<f64> = rel.iter().map(|r| v + r).collect();
                self.outer = feat(Feature::with_values_on(
                    "Orientation",
                    &vals,
                    self.outer.axis,
                ))?;
            } else {
                self.m.statics.push((name.to_string(), v));
            }
        }
        Ok(())
    }
}

/// One sheet's measured curves, as this rank holds them.
pub struct SheetCurves {
    /// The sheet.
    pub sheet: String,
    /// `<prefix><XAxis>Tuning`.
    pub name: String,
    /// The feature with one curve per value.
    pub outer: Feature,
    /// The x-axis feature.
    pub x: Feature,
    /// Per (outer value, x value), this rank's units in ownership order.
    pub owned: Vec<f64>,
}

/// Collective: the curve command `c` (or its defaults) on `sheets`;
/// writes `<group>/<sheet>/<prefix><XAxis>Tuning` `[outer values, x
/// values, rows, cols]` (each rank its block) with the axes in
/// `..._<outer feature>` and `..._<x feature>` (lower-case names), and
/// returns the curves.
#[allow(clippy::too_many_arguments)]
pub fn measure_curves(
    ctx: &Context,
    sess: &mut Session,
    sheets: &[String],
    command: &str,
    call: Option<&Call>,
    store: &MeasuredMaps,
    f: &H5File,
    group: &str,
    log: &OutLog,
) -> Result<Vec<SheetCurves>> {
    if sheets.is_empty() {
        return Ok(vec![]);
    }
    let settings = curve_settings(&sess.spec.analysis)?;
    let mut cm =
        CurveMeasurement::from_model_call(command, call, Some(&sess.spec.analysis), &settings)?;
    cm.resolve(sess, &sheets[0], store, log)?;
    let inner = cm.m.features.clone();
    let outer = cm.outer.clone();
    let gens = present::generator_sheets(sess);
    // One collector per outer value and sheet, over the inner features.
    let mut collectors: Vec<Vec<FeatureCollector>> = Vec::new();
    for s in sheets {
        let n = sess.net.activity(s).len();
        let mut per = Vec::new();
        for _ in &outer.values {
            per.push(FeatureCollector::new(inner.clone(), n).map_err(|e| anyhow!("{e}"))?);
        }
        collectors.push(per);
    }
    // inputs() reads every feature's value, the outer one included.
    let mut m = cm.m.clone();
    m.features.push(outer.clone());
    let started = std::time::Instant::now();
    let saved = super::state::state_push(sess)?;
    let mut count = 0;
    // FeatureResponses._present_permutation: each inner permutation at
    // every outer value in turn.
    for values in feature_product(&inner) {
        for (oi, &o) in outer.values.iter().enumerate() {
            let mut all = values.clone();
            all.push(o);
            let inputs = m.inputs(&all, &gens);
            let responses = present::present_inputs(sess, &inputs, sheets, &m.settings)?;
            for (per, r) in collectors.iter_mut().zip(&responses) {
                per[oi].add(&values, r).map_err(|e| anyhow!("{e}"))?;
            }
            count += 1;
        }
    }
    super::state::state_pop(ctx, sess, saved)?;
    if ctx.is_root() {
        log.line(&format!(
            "{command}: {count} presentations in {:.2} s",
            started.elapsed().as_secs_f64()
        ));
    }
    let xs = &inner[cm.x_axis].values;
    let name = cm.name();
    let mut out = Vec::with_capacity(sheets.len());
    for (s, per) in sheets.iter().zip(&collectors) {
        let (rows, cols) = sess.net.sheet_shape(s).map_err(|e| anyhow!("{e}"))?;
        let own = sess.net.sheet_ownership(s).map_err(|e| anyhow!("{e}"))?;
        let (no, nx) = (outer.values.len(), xs.len());
        let mut data = Vec::with_capacity(no * nx * own.len());
        for c in per {
            for bin in 0..nx {
                data.extend_from_slice(
                    c.peaks(cm.x_axis, bin)
                        .ok_or_else(|| anyhow!("no bin {bin}"))?,
                );
            }
        }
        // Per (outer value, x value), the owned units in their order: the
        // row-major order of the union of the rank's stripes.
        f.write_owned(
            &format!("{group}/{s}/{name}"),
            &[no, nx],
            (rows, cols),
            &own,
            &data,
        )?;
        for (feature, axis) in [(&outer, &outer.values), (&inner[cm.x_axis], xs)] {
            let n = axis.len();
            let (count, vals) = if ctx.is_root() {
                (n, axis.clone())
            } else {
                (0, vec![])
            };
            f.write_block(
                &format!("{group}/{s}/{name}_{}", feature.name.to_lowercase()),
                &[n],
                &[0],
                &[count],
                &vals,
            )?;
        }
        out.push(SheetCurves {
            sheet: s.clone(),
            name: name.clone(),
            outer: outer.clone(),
            x: inner[cm.x_axis].clone(),
            owned: data,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use topo_spec::Time;

    fn settings() -> PresentSettings {
        PresentSettings {
            durations: vec![Time::from_int(1)],
            apply_output_fns: true,
            restore_state: true,
        }
    }

    #[test]
    fn curves_have_featuremappers_features() {
        let s = CurveMeasurement::from_call("measure_size_response", None, &settings()).unwrap();
        assert_eq!(s.name(), "SizeTuning");
        assert_eq!(s.m.features[2].values.len(), 11);
        assert_eq!(s.m.features[2].values[3], 0.30000000000000004);
        assert_eq!(s.outer.values, [30.0, 60.0, 80.0, 90.0]);
        assert_eq!(s.lookups, ["orientation", "x", "y"]);
        let c =
            CurveMeasurement::from_call("measure_contrast_response", None, &settings()).unwrap();
        assert_eq!(c.name(), "ContrastTuning");
        assert_eq!(c.outer.values.len(), 4);
        assert_eq!(c.m.statics, [("size".to_string(), 0.5)]);
        let o = CurveMeasurement::from_call("measure_or_tuning", None, &settings()).unwrap();
        assert_eq!(o.name(), "OrientationTuning");
        assert!(matches!(o.m.pattern.params["mask_shape"], Value::Object(_)));
        let full =
            CurveMeasurement::from_call("measure_or_tuning_fullfield", None, &settings()).unwrap();
        assert!(full.unit.is_none() && full.m.statics.is_empty());
    }

    #[test]
    fn feature_curve_contrasts_reach_the_curves_that_inherit_them() {
        let floats = |v: &[f64]| Value::List(v.iter().map(|x| Value::Float(*x)).collect());
        // topo/submodel/gcal.py ModelGCAL.analysis_setup's setting.
        let a: BTreeMap<String, Value> = [(
            "FeatureCurveCommand.contrasts".to_string(),
            floats(&[1.0, 10.0, 30.0, 50.0, 100.0]),
        )]
        .into();
        let curve = |c: &str, call: Option<&Call>| {
            CurveMeasurement::from_model_call(c, call, Some(&a), &settings()).unwrap()
        };
        for c in [
            "measure_or_tuning_fullfield",
            "measure_or_tuning",
            "measure_size_response",
        ] {
            assert_eq!(
                curve(c, None).outer.values,
                [1.0, 10.0, 30.0, 50.0, 100.0],
                "{c}"
            );
        }
        // measure_contrast_response re-declares contrasts
        // (featuremapper/command.py): its own ten stay.
        let cr = curve("measure_contrast_response", None);
        let contrast = cr.m.features.iter().find(|f| f.name == "Contrast").unwrap();
        assert_eq!(contrast.values.len(), 10);
        // A keyword argument wins.
        let kw = Call {
            name: "measure_or_tuning".into(),
            args: vec![],
            kwargs: vec![("contrasts".into(), floats(&[20.0]))],
            location: "x.ty:1:1".into(),
        };
        assert_eq!(curve("measure_or_tuning", Some(&kw)).outer.values, [20.0]);
    }
}
