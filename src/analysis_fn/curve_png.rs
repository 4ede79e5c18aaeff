//! PNGs of tuning curves, as Topographica's curve plot groups draw them
//! (`topo/plotting/plotgroup.py`'s 'Orientation Tuning', 'Size Tuning',
//! ... with `topo/command/pylabplot.py`'s `tuning_curve`): for the unit
//! at `coords` (its default `[(0, 0)]`) of a measured sheet, the response
//! against the x-axis feature, one line per value of the feature the
//! curves are grouped by (`Contrast = 30%`, ...).

use super::tuning::SheetCurves;
use crate::figures::{line_png, LineFigure, Series};
use crate::par::Context;
use crate::session::Session;
use anyhow::{anyhow, bail, Result};
use std::path::Path;
use topo_sim::exchange::Exchange;

/// `tuning_curve`'s default unit.
pub const DEFAULT_COORDS: (f64, f64) = (0.0, 0.0);

/// A curve's legend, as holoviews labels Topographica's curves
/// (`Contrast = 30%`, `Orientation = 0.7854 rad`).
fn label(name: &str, value: f64) -> String {
    match name {
        "Contrast" => format!("{name} = {value}%"),
        "Orientation" => format!("{name} = {value:.4} rad"),
        _ => format!("{name} = {value}"),
    }
}

/// Collective (each curve point is gathered from the rank that owns the
/// unit): rank 0 writes `png` with the curves of the unit under `(x, y)`.
pub fn save_unit_curves(
    ctx: &Context,
    sess: &mut Session,
    c: &SheetCurves,
    (x, y): (f64, f64),
    png: &Path,
) -> Result<()> {
    let (rows, cols) = sess.net.sheet_shape(&c.sheet).map_err(|e| anyhow!("{e}"))?;
    let own = sess
        .net
        .sheet_ownership(&c.sheet)
        .map_err(|e| anyhow!("{e}"))?;
    let spec = sess
        .spec
        .sheets
        .iter()
        .find(|s| s.name == c.sheet)
        .ok_or_else(|| anyhow!("no sheet {}", c.sheet))?;
    let (r, col) = crate::session::sheet_coords(spec)?.sheet2matrixidx(x, y);
    if r < 0 || col < 0 || r as usize >= rows || col as usize >= cols {
        bail!(
            "{}: no unit of {} at ({x}, {y}) to plot the tuning curve of",
            c.name,
            c.sheet
        );
    }
    let unit = r as usize * cols + col as usize;
    let n = own.len();
    let nx = c.x.values.len();
    let mut series: Vec<Series> = Vec::with_capacity(c.outer.values.len());
    for (oi, &o) in c.outer.values.iter().enumerate() {
        let mut points = Vec::with_capacity(nx);
        for (xi, &xv) in c.x.values.iter().enumerate() {
            let k = oi * nx + xi;
            let whole = sess
                .ex
                .allgather_sheet(rows, cols, &own, &c.owned[k * n..(k + 1) * n]);
            points.push((xv, whole[unit]));
        }
        series.push((label(&c.outer.name, o), points));
    }
    if ctx.is_root() {
        let title = format!("{} {}: unit ({x}, {y})", c.sheet, c.name);
        let fig = LineFigure {
            title: &title,
            x_label: &c.x.name,
            y_label: "Response",
            log_x: false,
        };
        line_png(&fig, &series, png)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_follow_topographicas_curves() {
        assert_eq!(label("Contrast", 30.0), "Contrast = 30%");
        assert_eq!(
            label("Orientation", std::f64::consts::FRAC_PI_4),
            "Orientation = 0.7854 rad"
        );
    }
}
