//! Pinwheel detection in a cyclic preference map (featuremapper
//! `analysis/pinwheels.py`: `PinwheelAnalysis`).
//!
//! The map is turned into unit vectors `z = exp(i·2π·pref/range)`; the
//! zero contours of Re z and Im z are extracted and every crossing of a
//! real with an imaginary contour segment is a pinwheel.

use crate::contour::{contour_segments, Extent, Segment};
use crate::error::{AnalysisError, Result};
use crate::grid::Grid;
use std::f64::consts::PI;

/// Pinwheels of one map and the contours they were found from.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Pinwheels {
    /// Pinwheel positions `(x, y)` in the extent's coordinates.
    pub points: Vec<(f64, f64)>,
    /// Zero contour of the real part.
    pub real_contours: Vec<Segment>,
    /// Zero contour of the imaginary part.
    pub imag_contours: Vec<Segment>,
}

impl Pinwheels {
    /// Number of pinwheels.
    pub fn count(&self) -> usize {
        self.points.len()
    }
}

/// Crossing of segment `s1` (real contour) with `s2` (imaginary contour)
/// by featuremapper's slope formula and half-open bounding-box tests
/// (`min < x <= max` on both segments, in x and in y). As there,
/// exactly vertical or horizontal segments never report a crossing.
pub fn segment_intersection(s1: &Segment, s2: &Segment) -> Option<(f64, f64)> {
    let ((x11, y11), (x12, y12)) = (s1.a, s1.b);
    let ((x21, y21), (x22, y22)) = (s2.a, s2.b);
    let m1 = (y12 - y11) / (x12 - x11);
    let m2 = (y22 - y21) / (x22 - x21);
    let m2inv = 1.0 / m2;
    let yi = (m1 * (x21 - x11 - m2inv * y21) + y11) / (1.0 - m1 * m2inv);
    let xi = (yi - y21) * m2inv + x21;
    let within = |v: f64, a: f64, b: f64| a.min(b) < v && v <= a.max(b);
    let inside = within(xi, x11, x12)
        && within(xi, x21, x22)
        && within(yi, y11, y12)
        && within(yi, y21, y22);
    inside.then_some((xi, yi))
}

/// Finds the pinwheels of a preference map whose values cover the cyclic
/// range `[0, range)` (π for orientation). Positions are reported in
/// `extent` coordinates (pixel centres, row 0 at the top).
pub fn find_pinwheels(preference: Grid<'_>, range: f64, extent: Extent) -> Result<Pinwheels> {
    if !(range > 0.0 && range.is_finite()) {
        return Err(AnalysisError::InvalidParameter(format!(
            "pinwheels: cyclic range must be positive, got {range}"
        )));
    }
    let n = preference.data().len();
    let (mut re, mut im) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for &p in preference.data() {
        let angle = (p / range) * 2.0 * PI;
        re.push(angle.cos());
        im.push(angle.sin());
    }
    // featuremapper divides by the mean modulus (1 up to rounding) before
    // contouring; kept so the interpolated vertices match.
    let mean_modulus = if n == 0 {
        1.0
    } else {
        re.iter().zip(&im).map(|(a, b)| a.hypot(*b)).sum::<f64>() / n as f64
    };
    for v in re.iter_mut().chain(im.iter_mut()) {
        *v /= mean_modulus;
    }
    let (rows, cols) = (preference.rows(), preference.cols());
    let real_contours = contour_segments(Grid::new(&re, rows, cols, "real part")?, 0.0, extent);
    let imag_contours =
        contour_segments(Grid::new(&im, rows, cols, "imaginary part")?, 0.0, extent);
    // Segments lie inside their grid cell and the bounding-box tests are
    // half-open, so only segments of the same cell can cross.
    let mut points = Vec::new();
    let mut j0 = 0;
    for s1 in &real_contours {
        while j0 < imag_contours.len() && imag_contours[j0].cell < s1.cell {
            j0 += 1;
        }
        for s2 in imag_contours[j0..].iter().take_while(|s| s.cell == s1.cell) {
            if let Some(p) = segment_intersection(s1, s2) {
                points.push(p);
            }
        }
    }
    Ok(Pinwheels {
        points,
        real_contours,
        imag_contours,
    })
}
