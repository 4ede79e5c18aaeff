//! The "Projection" plot: a grid of one projection's connection fields,
//! gathering to rank 0 only the CFs the plot shows.

use crate::par::Context;
use crate::session::{sheet_coords, Session};
use anyhow::{anyhow, Result};
use std::path::Path;
use topo_analysis::plot::{cf_grid_image, grid_plot_coords, CfGridStyle, GridPlotCoords};
use topo_analysis::Grid;
use topo_sim::exchange::{Block, Exchange};

/// Topographica's Projection plot density: CFs per unit sheet length.
const PLOT_DENSITY: f64 = 10.0;

/// Collective: rank 0 writes `png`, the CF grid of `dest`'s projection `proj`.
pub fn save_weights_png(
    ctx: &Context,
    sess: &mut Session,
    dest: &str,
    proj: &str,
    png: &Path,
) -> Result<()> {
    let (grid, units) = plot_grid_units(sess, dest)?;
    if grid.coords.is_empty() {
        return Ok(());
    }
    let cfs = gather_cfs(sess, dest, proj, &units)?;
    if !ctx.is_root() {
        return Ok(());
    }
    let views: Vec<Grid> = cfs
        .iter()
        .map(|(h, w, d)| Grid::new(d, *h, *w, "connection field"))
        .collect::<std::result::Result<_, _>>()
        .map_err(|e| anyhow!("{e}"))?;
    let style = CfGridStyle {
        scale: 4,
        ..CfGridStyle::default()
    };
    cf_grid_image(&views, grid.rows, grid.cols, style)
        .and_then(|img| img.save_png(png))
        .map_err(|e| anyhow!("{}: {e}", png.display()))
}

/// Topographica's grid of `sheet`'s plotted units (`PLOT_DENSITY` per
/// unit length, avoiding the borders, top row first) and each grid
/// position's nearest unit `(row, col)`, clamped to the sheet.
pub fn plot_grid_units(
    sess: &Session,
    sheet: &str,
) -> Result<(GridPlotCoords, Vec<(usize, usize)>)> {
    let spec = sess
        .spec
        .sheets
        .iter()
        .find(|s| s.name == sheet)
        .ok_or_else(|| anyhow!("no sheet {sheet}"))?;
    let coords = sheet_coords(spec)?;
    let [l, b, r, t] = coords.bounds().lbrt();
    let grid = grid_plot_coords(l, b, r, t, PLOT_DENSITY);
    let (rows, cols) = coords.shape();
    let units = grid
        .coords
        .iter()
        .map(|&(x, y)| {
            let (rr, cc) = coords.sheet2matrixidx(x, y);
            (
                rr.clamp(0, rows as i64 - 1) as usize,
                cc.clamp(0, cols as i64 - 1) as usize,
            )
        })
        .collect();
    Ok((grid, units))
}

/// Collective: every rank's `pack` (a count, then its records), padded
/// to the longest and gathered as the rows of a `ranks x width` matrix;
/// returns the matrix and `width`.
pub fn allgather_packs(sess: &mut Session, mut pack: Vec<f64>) -> (Vec<f64>, usize) {
    let ranks = sess.ex.size();
    let me = sess.ex.rank();
    let width = sess.ex.max(pack.len() as f64) as usize;
    pack.resize(width, 0.0);
    let block = Block {
        r0: me,
        r1: me + 1,
        c0: 0,
        c1: width,
    };
    (
        sess.ex.allgather_sheet(ranks, width, &block.into(), &pack),
        width,
    )
}

/// Collective: `(rows, cols, weights)` of the CFs of the given units
/// (`(row, col)` in the destination sheet), in the order given, on every
/// rank. Each rank packs the CFs it owns as `[index, rows, cols,
/// weights...]` behind a count; the packs are gathered as the rows of a
/// `ranks x longest` matrix, one row per rank.
pub fn gather_cfs(
    sess: &mut Session,
    dest: &str,
    proj: &str,
    units: &[(usize, usize)],
) -> Result<Vec<(usize, usize, Vec<f64>)>> {
    let own = sess.net.sheet_ownership(dest).map_err(|e| anyhow!("{e}"))?;
    let p = sess
        .net
        .projection(dest, proj)
        .map_err(|e| anyhow!("{e}"))?;
    let mut pack = vec![0.0];
    for (k, &(r, c)) in units.iter().enumerate() {
        let Some(u) = own.local_index(r, c) else {
            continue;
        };
        let (h, w) = p.cfs.unit_shape(u);
        pack[0] += 1.0;
        pack.extend([k as f64, h as f64, w as f64]);
        for i in 0..h {
            for j in 0..w {
                pack.push(p.cfs.weight_at(u, i, j) as f64);
            }
        }
    }
    let (all, width) = allgather_packs(sess, pack);
    let mut out: Vec<Option<(usize, usize, Vec<f64>)>> = vec![None; units.len()];
    for row in all.chunks(width) {
        let mut at = 1;
        for _ in 0..row[0] as usize {
            let (k, h, w) = (row[at] as usize, row[at + 1] as usize, row[at + 2] as usize);
            at += 3;
            out[k] = Some((h, w, row[at..at + h * w].to_vec()));
            at += h * w;
        }
    }
    out.into_iter()
        .enumerate()
        .map(|(k, cf)| cf.ok_or_else(|| anyhow!("{dest}.{proj}: no rank holds plotted unit {k}")))
        .collect()
}
