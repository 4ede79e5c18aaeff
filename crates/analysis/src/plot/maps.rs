//! Sheet-sized plots: activity (grayscale) and orientation maps (HSV).

use super::color::hsv_to_rgb;
use super::image::RgbImage;
use super::normalize::{normalize, to_byte, Normalization};
use crate::contour::Extent;
use crate::error::{AnalysisError, Result};
use crate::grid::Grid;

/// Where selectivity goes in an orientation plot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelectivityChannel {
    /// As saturation: unselective units fade to white. Topographica's
    /// "Orientation Preference&Selectivity" plot (Confidence channel).
    Saturation,
    /// As brightness: unselective units fade to black.
    Value,
}

/// Grayscale plot of an activity array, each unit a `scale x scale` block.
/// Topographica's Activity plot is `Normalization::Fixed { min: 0.0, max: 1.0 }`.
pub fn activity_image(activity: Grid<'_>, how: Normalization, scale: usize) -> RgbImage {
    let unit = normalize(activity.data(), how);
    let mut img = RgbImage::filled(activity.cols(), activity.rows(), [0, 0, 0]);
    for r in 0..activity.rows() {
        for c in 0..activity.cols() {
            let g = to_byte(unit[r * activity.cols() + c]);
            img.set(c, r, [g, g, g]);
        }
    }
    img.upscale(scale)
}

/// Colour plot of an orientation (or any cyclic) preference map: hue =
/// `preference / range` (red at 0, through yellow, green, cyan, blue,
/// magenta back to red at `range`). With `selectivity`, its values
/// (clipped to `[0, 1]`, unnormalised as in Topographica) drive the chosen
/// channel; without it, saturation and value are 1. (Topographica's
/// "Orientation Selectivity" plot is [`activity_image`] of the selectivity
/// with `Normalization::Fixed { min: 0.0, max: 1.0 }`.)
pub fn orientation_image(
    preference: Grid<'_>,
    range: f64,
    selectivity: Option<(Grid<'_>, SelectivityChannel)>,
    scale: usize,
) -> Result<RgbImage> {
    if !(range > 0.0 && range.is_finite()) {
        return Err(AnalysisError::InvalidParameter(format!(
            "orientation plot: cyclic range must be positive, got {range}"
        )));
    }
    if let Some((sel, _)) = selectivity {
        if sel.rows() != preference.rows() || sel.cols() != preference.cols() {
            return Err(AnalysisError::Shape {
                what: "selectivity map (same shape as the preference map)".into(),
                expected: preference.rows() * preference.cols(),
                actual: sel.rows() * sel.cols(),
            });
        }
    }
    let (rows, cols) = (preference.rows(), preference.cols());
    let mut img = RgbImage::filled(cols, rows, [0, 0, 0]);
    for r in 0..rows {
        for c in 0..cols {
            let h = (preference.at(r, c) / range).clamp(0.0, 1.0);
            let (s, v) = match selectivity {
                None => (1.0, 1.0),
                Some((sel, channel)) => {
                    let k = sel.at(r, c).clamp(0.0, 1.0);
                    match channel {
                        SelectivityChannel::Saturation => (k, 1.0),
                        SelectivityChannel::Value => (1.0, k),
                    }
                }
            };
            let (red, green, blue) = hsv_to_rgb(h, s, v);
            img.set(c, r, [to_byte(red), to_byte(green), to_byte(blue)]);
        }
    }
    Ok(img.upscale(scale))
}

/// Marks points (e.g. pinwheels from [`crate::find_pinwheels`]) on a plot of a
/// `rows x cols` map that was enlarged `scale` times: each point, given in
/// `extent` coordinates, becomes a small ring of `color` with a dark
/// outline so it shows on any hue.
pub fn mark_points(
    img: &mut RgbImage,
    points: &[(f64, f64)],
    rows: usize,
    cols: usize,
    extent: Extent,
    scale: usize,
    color: [u8; 3],
) {
    let scale = scale.max(1) as f64;
    let (dx, dy) = (
        (extent.right - extent.left) / cols as f64,
        (extent.top - extent.bottom) / rows as f64,
    );
    let radius = (scale * 0.6).max(2.0);
    for &(x, y) in points {
        let px = (x - extent.left) / dx * scale;
        let py = (extent.top - y) / dy * scale;
        let reach = (radius + 2.0).ceil() as i64;
        for oy in -reach..=reach {
            for ox in -reach..=reach {
                let (qx, qy) = (px.floor() as i64 + ox, py.floor() as i64 + oy);
                if qx < 0 || qy < 0 {
                    continue;
                }
                let d = ((qx as f64 + 0.5 - px).powi(2) + (qy as f64 + 0.5 - py).powi(2)).sqrt();
                if d <= radius {
                    img.set(qx as usize, qy as usize, color);
                } else if d <= radius + 1.0 {
                    img.set(qx as usize, qy as usize, [0, 0, 0]);
                }
            }
        }
    }
}
