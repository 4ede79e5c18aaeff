//! Grids of connection-field weight plots for one projection
//! (Topographica's "Projection" plot group and its contact sheet).

use super::image::RgbImage;
use super::maps::activity_image;
use super::normalize::Normalization;
use crate::error::{AnalysisError, Result};
use crate::grid::Grid;

/// Layout of a CF grid image.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CfGridStyle {
    /// Each weight becomes a `scale x scale` block.
    pub scale: usize,
    /// Pixels between neighbouring CFs (Topographica uses 3).
    pub gap: usize,
    /// Pixels around the whole grid (Topographica uses 3).
    pub margin: usize,
    /// Colour of gaps and margins (Topographica: white).
    pub background: [u8; 3],
    /// Per-CF scaling (Topographica: `Individually`).
    pub normalization: Normalization,
}

impl Default for CfGridStyle {
    fn default() -> Self {
        CfGridStyle {
            scale: 4,
            gap: 1,
            margin: 0,
            background: [255, 255, 255],
            normalization: Normalization::Individually,
        }
    }
}

/// Tiles `cfs` (row-major over a `grid_rows x grid_cols` grid of units)
/// into one image; each CF is scaled on its own. CFs may differ in size
/// (cropped at sheet borders): each column is as wide as its widest CF,
/// each row as tall as its tallest, and a smaller CF sits top-left in its
/// slot, as Topographica's `make_contact_sheet` does.
pub fn cf_grid_image(
    cfs: &[Grid<'_>],
    grid_rows: usize,
    grid_cols: usize,
    style: CfGridStyle,
) -> Result<RgbImage> {
    if grid_rows == 0 || grid_cols == 0 || cfs.len() != grid_rows * grid_cols {
        return Err(AnalysisError::Shape {
            what: "connection fields of a CF grid".into(),
            expected: grid_rows * grid_cols,
            actual: cfs.len(),
        });
    }
    let tiles: Vec<RgbImage> = cfs
        .iter()
        .map(|cf| activity_image(*cf, style.normalization, style.scale))
        .collect();
    let col_widths: Vec<usize> = (0..grid_cols)
        .map(|c| {
            (0..grid_rows)
                .map(|r| tiles[r * grid_cols + c].width())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let row_heights: Vec<usize> = (0..grid_rows)
        .map(|r| {
            (0..grid_cols)
                .map(|c| tiles[r * grid_cols + c].height())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let width = 2 * style.margin + col_widths.iter().sum::<usize>() + (grid_cols - 1) * style.gap;
    let height = 2 * style.margin + row_heights.iter().sum::<usize>() + (grid_rows - 1) * style.gap;
    let mut img = RgbImage::filled(width, height, style.background);
    let mut y = style.margin;
    for (r, &h) in row_heights.iter().enumerate() {
        let mut x = style.margin;
        for (c, &w) in col_widths.iter().enumerate() {
            img.paste(&tiles[r * grid_cols + c], x, y);
            x += w + style.gap;
        }
        y += h + style.gap;
    }
    Ok(img)
}

/// Sheet positions of the units whose CFs a Topographica Projection plot
/// shows.
#[derive(Debug, Clone, PartialEq)]
pub struct GridPlotCoords {
    /// Rows of the plotted grid.
    pub rows: usize,
    /// Columns of the plotted grid.
    pub cols: usize,
    /// `(x, y)` sheet coordinates, left to right, top to bottom.
    pub coords: Vec<(f64, f64)>,
}

/// Topographica's `GridPlotGroup.generate_coords`: `int(width·density)`
/// evenly spaced positions across the sheet bounds (`density` 10 per unit
/// length by default), avoiding the borders, top row first. The caller
/// maps each position to its nearest unit.
pub fn grid_plot_coords(
    left: f64,
    bottom: f64,
    right: f64,
    top: f64,
    density: f64,
) -> GridPlotCoords {
    let (w, h) = (right - left, top - bottom);
    let cols = (w * density).max(0.0) as usize;
    let rows = (h * density).max(0.0) as usize;
    let x_step = w / (cols + 1) as f64;
    let y_step = h / (rows + 1) as f64;
    let (l, b) = (left + x_step, bottom + y_step);
    let mut coords = Vec::with_capacity(rows * cols);
    for j in (0..rows).rev() {
        for i in 0..cols {
            coords.push((x_step * i as f64 + l, y_step * j as f64 + b));
        }
    }
    GridPlotCoords { rows, cols, coords }
}
