//! Features varied during map measurement and the stimulus list of
//! `measure_or_pref` (featuremapper `features.py`, `command.py`).

use crate::distribution::Axis;
use crate::error::{AnalysisError, Result};
use std::f64::consts::PI;

/// A stimulus feature and the values presented for it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Feature {
    /// Name as featuremapper spells it ("Frequency", "Orientation", "Phase").
    pub name: String,
    /// The presented values; each is one bin of the unit distributions.
    pub values: Vec<f64>,
    /// Value axis (bounds and cyclicity).
    pub axis: Axis,
}

/// numpy `linspace(start, stop, num, endpoint=False)`: `i·((stop−start)/num) + start`.
fn linspace_open(start: f64, stop: f64, num: usize) -> Vec<f64> {
    let step = (stop - start) / num as f64;
    (0..num).map(|i| i as f64 * step + start).collect()
}

impl Feature {
    /// A cyclic feature sampled at `steps` evenly spaced values over
    /// `[lower, upper)` (featuremapper `Feature(steps=...)` for a cyclic
    /// feature: open linspace, then modulo the range).
    pub fn cyclic_steps(name: &str, lower: f64, upper: f64, steps: usize) -> Result<Self> {
        if steps == 0 || upper <= lower {
            return Err(AnalysisError::InvalidParameter(format!(
                "feature {name}: need steps >= 1 and upper > lower (got {steps}, [{lower}, {upper}))"
            )));
        }
        let range = upper - lower;
        let values = linspace_open(lower, upper, steps)
            .into_iter()
            .map(|v| v.rem_euclid(range))
            .collect();
        Ok(Feature {
            name: name.to_string(),
            values,
            axis: Axis {
                lower,
                upper,
                cyclic: true,
            },
        })
    }

    /// A non-cyclic feature with explicit values; its axis spans their
    /// minimum to maximum (featuremapper's default range for given values).
    pub fn with_values(name: &str, values: &[f64]) -> Result<Self> {
        if values.is_empty() || values.iter().any(|v| !v.is_finite()) {
            return Err(AnalysisError::InvalidParameter(format!(
                "feature {name}: values must be non-empty and finite"
            )));
        }
        let lower = values.iter().cloned().fold(f64::INFINITY, f64::min);
        let upper = values.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        Ok(Feature {
            name: name.to_string(),
            values: values.to_vec(),
            axis: Axis {
                lower,
                upper,
                cyclic: false,
            },
        })
    }

    /// Index of the bin whose value equals `value` (to within 1e-9 relative,
    /// so values recomputed by the caller still match).
    pub fn bin_index(&self, value: f64) -> Result<usize> {
        self.values
            .iter()
            .position(|&b| b == value || (b - value).abs() <= 1e-9 * b.abs().max(1.0))
            .ok_or_else(|| AnalysisError::UnknownFeatureValue {
                feature: self.name.clone(),
                value,
            })
    }
}

/// Parameters of featuremapper's `measure_or_pref`
/// (`SinusoidalMeasureResponseCommand` defaults).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct OrPrefParams {
    /// Grating spatial frequencies (default `[2.4]`).
    pub frequencies: Vec<f64>,
    /// Number of orientations over `[0, π)` (default 4).
    pub num_orientation: usize,
    /// Number of phases over `[0, 2π)` (default 18).
    pub num_phase: usize,
    /// Grating scale (default 0.3).
    pub scale: f64,
    /// Grating offset (default 0.0).
    pub offset: f64,
}

impl Default for OrPrefParams {
    fn default() -> Self {
        OrPrefParams {
            frequencies: vec![2.4],
            num_orientation: 4,
            num_phase: 18,
            scale: 0.3,
            offset: 0.0,
        }
    }
}

/// One `imagen.SineGrating` presentation of the measurement.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SineGratingStimulus {
    /// Spatial frequency (cycles per unit sheet distance).
    pub frequency: f64,
    /// Orientation in radians, in `[0, π)`.
    pub orientation: f64,
    /// Phase in radians, in `[0, 2π)`.
    pub phase: f64,
    /// Pattern scale.
    pub scale: f64,
    /// Pattern offset.
    pub offset: f64,
}

impl SineGratingStimulus {
    /// The feature values in the order of [`or_pref_features`]:
    /// `[frequency, orientation, phase]`.
    pub fn feature_values(&self) -> [f64; 3] {
        [self.frequency, self.orientation, self.phase]
    }
}

/// The features of `measure_or_pref`, in featuremapper's order:
/// Frequency (non-cyclic), Orientation (cyclic, `[0, π)`), Phase (cyclic, `[0, 2π)`).
pub fn or_pref_features(params: &OrPrefParams) -> Result<Vec<Feature>> {
    Ok(vec![
        Feature::with_values("Frequency", &params.frequencies)?,
        Feature::cyclic_steps("Orientation", 0.0, PI, params.num_orientation)?,
        Feature::cyclic_steps("Phase", 0.0, 2.0 * PI, params.num_phase)?,
    ])
}

/// Every stimulus of `measure_or_pref` in presentation order: the
/// Cartesian product of frequencies × orientations × phases with the
/// phase varying fastest (featuremapper `itertools.product` over the
/// feature list `[Frequency, Orientation, Phase]`).
pub fn or_pref_presentations(params: &OrPrefParams) -> Result<Vec<SineGratingStimulus>> {
    let features = or_pref_features(params)?;
    let mut out = Vec::with_capacity(
        features[0].values.len() * features[1].values.len() * features[2].values.len(),
    );
    for &frequency in &features[0].values {
        for &orientation in &features[1].values {
            for &phase in &features[2].values {
                out.push(SineGratingStimulus {
                    frequency,
                    orientation,
                    phase,
                    scale: params.scale,
                    offset: params.offset,
                });
            }
        }
    }
    Ok(out)
}

/// numpy `linspace(start, stop, num, endpoint=True)`: `i·((stop−start)/(num−1)) + start`,
/// the last value exactly `stop`.
fn linspace_closed(start: f64, stop: f64, num: usize) -> Vec<f64> {
    if num == 1 {
        return vec![start];
    }
    let step = (stop - start) / (num - 1) as f64;
    let mut v: Vec<f64> = (0..num).map(|i| i as f64 * step + start).collect();
    v[num - 1] = stop;
    v
}

impl Feature {
    /// A feature sampled at `steps` values over `range` (featuremapper
    /// `Feature(range=..., steps=...)`, `features.py` `_init_values`):
    /// cyclic features take an open linspace modulo the range width,
    /// non-cyclic ones a closed linspace.
    pub fn over_range(
        name: &str,
        lower: f64,
        upper: f64,
        steps: usize,
        cyclic: bool,
    ) -> Result<Self> {
        if steps == 0
            || upper < lower
            || (cyclic && upper == lower)
            || !(lower.is_finite() && upper.is_finite())
        {
            return Err(AnalysisError::InvalidParameter(format!(
                "feature {name}: need steps >= 1 and a range lower < upper (got {steps}, ({lower}, {upper}))"
            )));
        }
        let values = if cyclic {
            let width = upper - lower;
            linspace_open(lower, upper, steps)
                .into_iter()
                .map(|v| v.rem_euclid(width))
                .collect()
        } else {
            linspace_closed(lower, upper, steps)
        };
        Ok(Feature {
            name: name.to_string(),
            values,
            axis: Axis {
                lower,
                upper,
                cyclic,
            },
        })
    }

    /// A feature with explicit values on a given axis (featuremapper
    /// `Feature(range=..., values=...)`, e.g. `Ocular(range=(0, 1), values=[0, 1])`
    /// or an Orientation computed from directions).
    pub fn with_values_on(name: &str, values: &[f64], axis: Axis) -> Result<Self> {
        let mut f = Feature::with_values(name, values)?;
        f.axis = axis;
        Ok(f)
    }

    /// featuremapper's name of this feature's maps: the lower-cased name
    /// capitalised (`PhaseDisparity` -> `Phasedisparity`, as
    /// `FeatureMaps._collate_results` spells `fname.capitalize()`).
    pub fn map_name(&self) -> String {
        let lower = self.name.to_lowercase();
        let mut c = lower.chars();
        match c.next() {
            Some(first) => first.to_uppercase().chain(c).collect(),
            None => String::new(),
        }
    }
}

/// Every combination of the features' values, the last feature varying
/// fastest (`itertools.product` in featuremapper's
/// `FeatureResponses._measure_responses`).
pub fn feature_product(features: &[Feature]) -> Vec<Vec<f64>> {
    let mut out: Vec<Vec<f64>> = vec![Vec::new()];
    for f in features {
        let mut next = Vec::with_capacity(out.len() * f.values.len());
        for prefix in &out {
            for &v in &f.values {
                let mut p = prefix.clone();
                p.push(v);
                next.push(p);
            }
        }
        out = next;
    }
    out
}

#[cfg(test)]
mod range_tests {
    use super::*;

    #[test]
    fn ranges_follow_featuremapper() {
        let x = Feature::over_range("X", -0.5, 0.5, 7, false).unwrap();
        assert_eq!(x.values.len(), 7);
        assert_eq!((x.values[0], x.values[6]), (-0.5, 0.5));
        assert!((x.values[3]).abs() < 1e-15);
        let o = Feature::over_range("Orientation", 0.0, 2.0 * PI, 4, true).unwrap();
        assert_eq!(o.values[1], PI / 2.0);
        assert_eq!(
            Feature::over_range("PhaseDisparity", 0.0, 1.0, 1, true)
                .unwrap()
                .map_name(),
            "Phasedisparity"
        );
        let p = feature_product(&[x.clone(), o.clone()]);
        assert_eq!(p.len(), 28);
        assert_eq!(p[1], vec![-0.5, PI / 2.0]);
        assert!(Feature::over_range("X", 1.0, -1.0, 3, false).is_err());
    }
}
