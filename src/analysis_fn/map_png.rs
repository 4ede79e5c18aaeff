//! PNGs of measured maps in Topographica's plot conventions
//! (`topo/plotting/plotgroup.py`): a cyclic preference as 'Hue'
//! (full saturation and value), everything else as 'Strength' (gray,
//! normalised individually, as the map plot groups set).

use super::or_map::plot_scale;
use crate::par::Context;
use crate::session::Session;
use anyhow::{anyhow, Result};
use std::path::Path;
use topo_analysis::plot::{activity_image, orientation_image, Normalization};
use topo_analysis::Grid;

/// Rank 0 writes `<dir>/<base>_<sheet>_<name><suffix>.png` for each map
/// `(name, whole-sheet values, cyclic range)`.
pub fn save_maps(
    ctx: &Context,
    sess: &Session,
    sheet: &str,
    maps: &[(String, Vec<f64>, Option<f64>)],
    dir: &Path,
    base: &str,
    suffix: &str,
) -> Result<()> {
    if !ctx.is_root() {
        return Ok(());
    }
    let (rows, cols) = sess.net.sheet_shape(sheet).map_err(|e| anyhow!("{e}"))?;
    for (name, data, cyclic) in maps {
        let png = dir.join(format!("{base}_{sheet}_{name}{suffix}.png"));
        let g = Grid::new(data, rows, cols, "map").map_err(|e| anyhow!("{e}"))?;
        let img = match cyclic {
            Some(range) => orientation_image(g, *range, None, plot_scale(rows, cols))
                .map_err(|e| anyhow!("{}: {e}", png.display()))?,
            None => activity_image(g, Normalization::Individually, plot_scale(rows, cols)),
        };
        img.save_png(&png)
            .map_err(|e| anyhow!("{}: {e}", png.display()))?;
    }
    Ok(())
}
