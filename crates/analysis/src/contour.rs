//! Marching-squares contour lines, placed as matplotlib's
//! `contour(Z, origin='upper', extent=[l, r, b, t])` places them: grid
//! points at pixel centres, row 0 at the top, vertices linearly
//! interpolated along cell edges, saddles resolved by the cell's mean.

use crate::grid::Grid;

/// Sheet-coordinate bounds of a map (left, bottom, right, top).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Extent {
    /// Left edge (x of the left border of column 0).
    pub left: f64,
    /// Bottom edge.
    pub bottom: f64,
    /// Right edge.
    pub right: f64,
    /// Top edge (y of the upper border of row 0).
    pub top: f64,
}

impl Extent {
    /// Pixel units: `x` from 0 to `cols`, `y` from 0 to `rows` (row 0 on top).
    pub fn pixels(rows: usize, cols: usize) -> Self {
        Extent {
            left: 0.0,
            bottom: 0.0,
            right: cols as f64,
            top: rows as f64,
        }
    }

    /// Sheet coordinates `(x, y)` of the centre of unit `(row, col)`.
    pub fn centre(&self, rows: usize, cols: usize, row: f64, col: f64) -> (f64, f64) {
        let dx = (self.right - self.left) / cols as f64;
        let dy = (self.top - self.bottom) / rows as f64;
        (self.left + (col + 0.5) * dx, self.top - (row + 0.5) * dy)
    }
}

/// A straight piece of contour line inside one grid cell.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Segment {
    /// First end point `(x, y)`.
    pub a: (f64, f64),
    /// Second end point `(x, y)`.
    pub b: (f64, f64),
    /// Grid cell `(row, col)` whose upper-left corner is unit `(row, col)`.
    pub cell: (usize, usize),
}

/// The contour segments of `z` at `level`, cell by cell in row-major
/// order (at most two per cell). A value equal to the level counts as
/// below it (matplotlib's convention).
pub fn contour_segments(z: Grid<'_>, level: f64, extent: Extent) -> Vec<Segment> {
    let (rows, cols) = (z.rows(), z.cols());
    let mut out = Vec::new();
    if rows < 2 || cols < 2 {
        return out;
    }
    let point = |r: usize, c: usize| extent.centre(rows, cols, r as f64, c as f64);
    // Interpolated crossing between grid points p1 and p2 (matplotlib's
    // form: frac of p1 = (z2 − level)/(z2 − z1)).
    let cross = |(r1, c1): (usize, usize), (r2, c2): (usize, usize)| {
        let (z1, z2) = (z.at(r1, c1), z.at(r2, c2));
        let frac = (z2 - level) / (z2 - z1);
        let (x1, y1) = point(r1, c1);
        let (x2, y2) = point(r2, c2);
        (x1 * frac + x2 * (1.0 - frac), y1 * frac + y2 * (1.0 - frac))
    };
    for r in 0..rows - 1 {
        for c in 0..cols - 1 {
            let tl = (r, c);
            let tr = (r, c + 1);
            let br = (r + 1, c + 1);
            let bl = (r + 1, c);
            let above = |p: (usize, usize)| z.at(p.0, p.1) > level;
            let (a_tl, a_tr, a_br, a_bl) = (above(tl), above(tr), above(br), above(bl));
            // Edges in order top, right, bottom, left.
            let edges = [(tl, tr), (tr, br), (bl, br), (tl, bl)];
            let mut crossed = [0usize; 4];
            let mut n_crossed = 0;
            for (i, (p, q)) in edges.iter().enumerate() {
                if above(*p) != above(*q) {
                    crossed[n_crossed] = i;
                    n_crossed += 1;
                }
            }
            let seg = |e1: usize, e2: usize| Segment {
                a: cross(edges[e1].0, edges[e1].1),
                b: cross(edges[e2].0, edges[e2].1),
                cell: (r, c),
            };
            match n_crossed {
                2 => out.push(seg(crossed[0], crossed[1])),
                4 => {
                    let mean =
                        (z.at(tl.0, tl.1) + z.at(tr.0, tr.1) + z.at(br.0, br.1) + z.at(bl.0, bl.1))
                            / 4.0;
                    let centre_above = mean > level;
                    // Cut off the corners whose side differs from the centre's.
                    if a_tl != centre_above || a_br != centre_above {
                        out.push(seg(0, 3)); // around top-left
                        out.push(seg(1, 2)); // around bottom-right
                    } else {
                        debug_assert!(a_tr != centre_above && a_bl != centre_above);
                        out.push(seg(0, 1)); // around top-right
                        out.push(seg(2, 3)); // around bottom-left
                    }
                }
                _ => {}
            }
        }
    }
    out
}
