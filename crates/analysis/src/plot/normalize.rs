//! Mapping of plotted values to `[0, 1]` (Topographica
//! `TemplatePlot._normalize`).

/// How values are scaled before becoming gray levels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Normalization {
    /// `min` is black and `max` white; values outside are clipped.
    /// Topographica's `normalize='None'` is `Fixed { min: 0.0, max: 1.0 }`
    /// (its Activity plots).
    Fixed {
        /// Value drawn black.
        min: f64,
        /// Value drawn white.
        max: f64,
    },
    /// The array's own minimum is black and maximum white
    /// (`normalize='Individually'`, used for weight plots).
    Individually,
    /// 0 is black and the array's maximum white (negative values clip to black).
    ZeroToMax,
}

/// Scales `values` into `[0, 1]` (before clipping). Constant arrays become
/// all ones if their value is positive and all zeros otherwise, as in
/// Topographica.
pub fn normalize(values: &[f64], how: Normalization) -> Vec<f64> {
    let finite = || values.iter().cloned().filter(|v| v.is_finite());
    let (lo, hi) = match how {
        Normalization::Fixed { min, max } => (min, max),
        Normalization::Individually => (
            finite().fold(f64::INFINITY, f64::min),
            finite().fold(f64::NEG_INFINITY, f64::max),
        ),
        Normalization::ZeroToMax => (0.0, finite().fold(0.0, f64::max)),
    };
    if !(lo.is_finite() && hi.is_finite()) || hi <= lo {
        let level = if !lo.is_finite() || lo <= 0.0 {
            0.0
        } else {
            1.0
        };
        return vec![level; values.len()];
    }
    values.iter().map(|v| (v - lo) / (hi - lo)).collect()
}

/// A `[0, 1]` intensity as a byte: `floor(v·255)` clipped; NaN is black.
pub fn to_byte(v: f64) -> u8 {
    let b = (v * 255.0).floor();
    if b.is_nan() || b <= 0.0 {
        0
    } else if b >= 255.0 {
        255
    } else {
        b as u8
    }
}
