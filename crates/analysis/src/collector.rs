//! Collation of responses into preference and selectivity maps
//! (featuremapper `DistributionMatrix` with `keep_peak=True` and
//! `FeatureMaps._collate_results` with `DSF_WeightedAverage`).
//!
//! Every unit is treated on its own, so a collector fed with any block of
//! a sheet produces exactly the values of that block in the whole-sheet
//! result.

use crate::distribution::weighted_average_statistic;
use crate::error::{AnalysisError, Result};
use crate::features::Feature;

/// Selectivity multiplier of featuremapper's `FeatureMaps` (17.0);
/// GCAL models set 2.0.
pub const DEFAULT_SELECTIVITY_MULTIPLIER: f64 = 17.0;

/// Preference and selectivity of every unit for one feature (row-major,
/// same unit order as the responses given to the collector).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FeatureMap {
    /// Feature name ("Orientation", ...).
    pub name: String,
    /// Preferred value per unit (for cyclic features in `[lower, upper)`).
    pub preference: Vec<f64>,
    /// Selectivity per unit, already multiplied by the selectivity multiplier.
    pub selectivity: Vec<f64>,
}

/// Keeps, per unit and per bin of every feature, the peak response seen
/// over all presentations having that feature value.
#[derive(Debug, Clone)]
pub struct FeatureCollector {
    features: Vec<Feature>,
    n_units: usize,
    /// Per feature: `bins x n_units` peaks, bin-major.
    peaks: Vec<Vec<f64>>,
    /// Per feature: bins in the order they were first presented; only
    /// populated bins take part in the statistics, as in featuremapper.
    populated: Vec<Vec<usize>>,
}

impl FeatureCollector {
    /// A collector for `n_units` units (e.g. the units of one rank's block)
    /// over the given features.
    pub fn new(features: Vec<Feature>, n_units: usize) -> Result<Self> {
        if features.is_empty() {
            return Err(AnalysisError::InvalidParameter(
                "a feature collector needs at least one feature".into(),
            ));
        }
        let peaks = features
            .iter()
            .map(|f| vec![0.0; f.values.len() * n_units])
            .collect();
        let populated = vec![Vec::new(); features.len()];
        Ok(FeatureCollector {
            features,
            n_units,
            peaks,
            populated,
        })
    }

    /// The features, in the order `add` expects their values.
    pub fn features(&self) -> &[Feature] {
        &self.features
    }

    /// Number of units collected.
    pub fn n_units(&self) -> usize {
        self.n_units
    }

    /// Records one presentation: `values[i]` is the value of feature `i`,
    /// `responses` the response of every unit. A bin starts at 0 and keeps
    /// the maximum, so negative responses never raise it (as featuremapper).
    pub fn add(&mut self, values: &[f64], responses: &[f64]) -> Result<()> {
        if values.len() != self.features.len() {
            return Err(AnalysisError::Shape {
                what: "feature values of a presentation".into(),
                expected: self.features.len(),
                actual: values.len(),
            });
        }
        if responses.len() != self.n_units {
            return Err(AnalysisError::Shape {
                what: "responses of a presentation".into(),
                expected: self.n_units,
                actual: responses.len(),
            });
        }
        // Resolve every bin first so a bad value leaves the collector untouched.
        let bins = self
            .features
            .iter()
            .zip(values)
            .map(|(f, &v)| f.bin_index(v))
            .collect::<Result<Vec<_>>>()?;
        let n = self.n_units;
        for (fi, &bin) in bins.iter().enumerate() {
            if !self.populated[fi].contains(&bin) {
                self.populated[fi].push(bin);
            }
            let row = &mut self.peaks[fi][bin * n..(bin + 1) * n];
            for (peak, &r) in row.iter_mut().zip(responses) {
                if r > *peak {
                    *peak = r;
                }
            }
        }
        Ok(())
    }

    /// The kept peak of every unit in bin `bin` of feature `feature`.
    pub fn peaks(&self, feature: usize, bin: usize) -> Option<&[f64]> {
        let n = self.n_units;
        self.peaks
            .get(feature)
            .and_then(|p| p.get(bin * n..(bin + 1) * n))
    }

    /// Index of the feature called `name` (case-insensitive).
    pub fn feature_index(&self, name: &str) -> Option<usize> {
        self.features
            .iter()
            .position(|f| f.name.eq_ignore_ascii_case(name))
    }

    /// Preference and selectivity maps of feature `feature` by
    /// `DSF_WeightedAverage`; selectivity is multiplied by
    /// `selectivity_multiplier` (featuremapper default 17, GCAL 2).
    pub fn map(&self, feature: usize, selectivity_multiplier: f64) -> Result<FeatureMap> {
        let f = self.features.get(feature).ok_or_else(|| {
            AnalysisError::InvalidParameter(format!("no feature with index {feature}"))
        })?;
        let order = &self.populated[feature];
        let bins: Vec<f64> = order.iter().map(|&b| f.values[b]).collect();
        let mut values = vec![0.0; order.len()];
        let n = self.n_units;
        let mut preference = Vec::with_capacity(n);
        let mut selectivity = Vec::with_capacity(n);
        for unit in 0..n {
            for (v, &b) in values.iter_mut().zip(order) {
                *v = self.peaks[feature][b * n + unit];
            }
            let (p, s) = weighted_average_statistic(&bins, &values, f.axis);
            preference.push(p);
            selectivity.push(selectivity_multiplier * s);
        }
        Ok(FeatureMap {
            name: f.name.clone(),
            preference,
            selectivity,
        })
    }

    /// Maps of every feature, in feature order.
    pub fn maps(&self, selectivity_multiplier: f64) -> Result<Vec<FeatureMap>> {
        (0..self.features.len())
            .map(|i| self.map(i, selectivity_multiplier))
            .collect()
    }
}
