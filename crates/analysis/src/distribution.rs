//! Statistics of one unit's response distribution over the bins of a
//! feature (featuremapper `distribution.py`: `Distribution`,
//! `DescriptiveStatisticFn`, `DSF_WeightedAverage`).
//!
//! Each function takes the populated bins (feature values) and the value
//! kept in each bin, in the same order.

use std::f64::consts::PI;

/// The value axis of a feature: its bounds and whether it wraps around.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Axis {
    /// Lower bound of the axis (0 for every feature measured here).
    pub lower: f64,
    /// Upper bound of the axis (π for orientation, 2π for phase).
    pub upper: f64,
    /// Whether values wrap around (orientation, phase) or not (frequency).
    pub cyclic: bool,
}

impl Axis {
    /// `upper - lower`.
    pub fn range(&self) -> f64 {
        self.upper - self.lower
    }
}

/// Aliases `x` circularly into `[lower, upper)`, with featuremapper's
/// formula (`distribution.wrap`) so results agree to the last bit.
pub fn wrap(lower: f64, upper: f64, x: f64) -> f64 {
    let range = upper - lower;
    // Rust's `%` on floats is C fmod, as numpy's fmod.
    lower + (x - lower + 2.0 * range * (1.0 - (x / (2.0 * range)).floor())) % range
}

/// Vector sum of the distribution: each bin is a vector of length equal to
/// its value at angle `2π·bin/range`. Returns `(magnitude, direction)` with
/// the direction mapped back to bin units and wrapped into the axis bounds.
/// A zero sum has direction `wrap(lower, upper, 0)`.
pub fn vector_sum(bins: &[f64], values: &[f64], axis: Axis) -> (f64, f64) {
    let range = axis.range();
    let (mut re, mut im) = (0.0f64, 0.0f64);
    for (&b, &v) in bins.iter().zip(values) {
        let theta = (2.0 * PI) * b / range;
        re += v * theta.cos();
        im += v * theta.sin();
    }
    let magnitude = re.hypot(im);
    let direction = im.atan2(re);
    let direction_bins = direction * range / (2.0 * PI);
    (magnitude, wrap(axis.lower, axis.upper, direction_bins))
}

/// `numerator / denominator`, or 0 when the denominator is 0
/// (featuremapper's `_safe_divide`: an undefined statistic reads as 0).
fn safe_divide(numerator: f64, denominator: f64) -> f64 {
    if denominator == 0.0 {
        0.0
    } else {
        numerator / denominator
    }
}

/// Σ bin·value / Σ value (0 if the values sum to 0).
pub fn weighted_average(bins: &[f64], values: &[f64]) -> f64 {
    let weighted: f64 = bins.iter().zip(values).map(|(b, v)| b * v).sum();
    safe_divide(weighted, values.iter().sum())
}

/// |vector sum| / Σ value: 1 for a single active bin, 0 for a flat
/// distribution, 0 when every value is 0.
pub fn vector_selectivity(bins: &[f64], values: &[f64], axis: Axis) -> f64 {
    safe_divide(vector_sum(bins, values, axis).0, values.iter().sum())
}

/// Peakedness of a non-cyclic distribution: the largest value as a
/// proportion of the total, rescaled so that a flat distribution gives 0
/// and a single active bin gives 1, clipped at 0. One bin counts as fully
/// selective.
pub fn relative_selectivity(values: &[f64]) -> f64 {
    let n = values.len();
    if n <= 1 {
        return 1.0;
    }
    let max = values.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let proportion = safe_divide(max, values.iter().sum());
    let offset = 1.0 / n as f64;
    let scaled = (proportion - offset) / (1.0 - offset);
    if scaled >= 0.0 {
        scaled
    } else {
        0.0
    }
}

/// `DSF_WeightedAverage` before output scaling: `(preference, selectivity)`.
/// Cyclic axes use the vector-sum direction and vector selectivity;
/// non-cyclic axes the weighted average and relative selectivity.
pub fn weighted_average_statistic(bins: &[f64], values: &[f64], axis: Axis) -> (f64, f64) {
    if axis.cyclic {
        let (_, direction) = vector_sum(bins, values, axis);
        (direction, vector_selectivity(bins, values, axis))
    } else {
        (weighted_average(bins, values), relative_selectivity(values))
    }
}
