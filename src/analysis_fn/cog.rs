//! Topographica's `measure_cog` (`topo/analysis/command.py`): the centre
//! of gravity of every unit's connection field, in the source sheet's
//! coordinates. Computed from the weights, so each rank does its own
//! units and the result does not depend on the decomposition.

use crate::io::h5::H5File;
use crate::session::{sheet_coords, Session};
use anyhow::{anyhow, Result};
use topo_sim::exchange::Exchange;

/// One projection's CoG maps (whole sheet, row-major, as gathered).
pub struct CogMaps {
    /// Destination sheet.
    pub sheet: String,
    /// Projection name, first letter upper-cased as Topographica labels it.
    pub label: String,
    /// X centre of gravity per unit.
    pub x: Vec<f64>,
    /// Y centre of gravity per unit.
    pub y: Vec<f64>,
}

/// `topo.base.arrayutil.centroid` of a `rows x cols` CF: mass-weighted
/// mean row and column (NaN for an all-zero CF, as numpy's 0/0).
fn centroid(rows: usize, cols: usize, w: impl Fn(usize, usize) -> f64) -> (f64, f64) {
    let (mut rsum, mut rmass) = (0.0, 0.0);
    for r in 0..rows {
        let row: f64 = (0..cols).map(|c| w(r, c)).sum();
        rsum += r as f64 * row;
        rmass += row;
    }
    let (mut csum, mut cmass) = (0.0, 0.0);
    for c in 0..cols {
        let col: f64 = (0..rows).map(|r| w(r, c)).sum();
        csum += c as f64 * col;
        cmass += col;
    }
    (rsum / rmass, csum / cmass)
}

/// Collective: CoG of the projections into `sheets` named `proj_name`, or
/// when it is empty every projection from another sheet; writes
/// `<group>/<sheet>/XCoG.<Proj>` and `YCoG.<Proj>`.
pub fn measure_cog(
    sess: &mut Session,
    sheets: &[String],
    proj_name: &str,
    f: &H5File,
    group: &str,
) -> Result<Vec<CogMaps>> {
    let names = sess.net.sheet_names();
    let mut out = Vec::new();
    for sheet in sheets {
        for (dest, proj) in sess.net.projection_names() {
            if &dest != sheet {
                continue;
            }
            let p = sess
                .net
                .projection(&dest, &proj)
                .map_err(|e| anyhow!("{e}"))?;
            let src = names[p.src].clone();
            if !(proj == proj_name || (proj_name.is_empty() && src != dest)) {
                continue;
            }
            let src_spec = sess
                .spec
                .sheets
                .iter()
                .find(|s| s.name == src)
                .ok_or_else(|| anyhow!("no sheet {src}"))?;
            let coords = sheet_coords(src_spec)?;
            let n = p.cfs.len();
            let (mut xs, mut ys) = (Vec::with_capacity(n), Vec::with_capacity(n));
            for u in 0..n {
                let (h, w) = p.cfs.unit_shape(u);
                let [r1, _, c1, _] = p.cfs.slices[u];
                let (rc, cc) = centroid(h, w, |i, j| p.cfs.weight_at(u, i, j) as f64);
                let (x, y) = coords.matrix2sheet(r1 as f64 + rc + 0.5, c1 as f64 + cc + 0.5);
                xs.push(x);
                ys.push(y);
            }
            let (rows, cols) = sess.net.sheet_shape(sheet).map_err(|e| anyhow!("{e}"))?;
            let own = sess
                .net
                .sheet_ownership(sheet)
                .map_err(|e| anyhow!("{e}"))?;
            let mut label = proj.clone();
            if let Some(first) = label.get(0..1) {
                label = first.to_uppercase() + &label[1..];
            }
            for (name, data) in [("XCoG", &xs), ("YCoG", &ys)] {
                f.write_owned2(
                    &format!("{group}/{sheet}/{name}.{label}"),
                    (rows, cols),
                    &own,
                    &data[..],
                )?;
            }
            out.push(CogMaps {
                sheet: sheet.clone(),
                label,
                x: sess.ex.allgather_sheet(rows, cols, &own, &xs),
                y: sess.ex.allgather_sheet(rows, cols, &own, &ys),
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::centroid;

    #[test]
    fn centroid_is_the_weighted_mean_index() {
        // Mass 1 at (0,0) and 3 at (1,2): rows (0*1+1*3)/4, cols (0*1+2*3)/4.
        let w = [[1.0, 0.0, 0.0], [0.0, 0.0, 3.0]];
        assert_eq!(centroid(2, 3, |r, c| w[r][c]), (0.75, 1.5));
    }
}
