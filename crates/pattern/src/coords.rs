//! Sheet coordinates: bounding boxes, the sheet coordinate system and slices,
//! computed the way Topographica (holoviews `core/sheetcoords.py`,
//! `core/boundingregion.py`) computes them, operation for operation, so that
//! every derived number is bit-identical.

use std::fmt;

/// An axis-aligned rectangle in sheet coordinates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BoundingBox {
    /// Left edge (smallest x).
    pub l: f64,
    /// Bottom edge (smallest y).
    pub b: f64,
    /// Right edge (largest x).
    pub r: f64,
    /// Top edge (largest y).
    pub t: f64,
}

impl Default for BoundingBox {
    /// `BoundingBox()` with no arguments: radius 0.5.
    fn default() -> Self {
        BoundingBox::from_radius(0.5)
    }
}

impl BoundingBox {
    /// `BoundingBox(radius=r)`: the square `(-r, -r, r, r)`.
    pub fn from_radius(r: f64) -> BoundingBox {
        BoundingBox {
            l: -r,
            b: -r,
            r,
            t: r,
        }
    }

    /// `BoundingBox(points=((x0, y0), (x1, y1)))`: the smallest rectangle
    /// holding both points.
    pub fn from_points((x0, y0): (f64, f64), (x1, y1): (f64, f64)) -> BoundingBox {
        BoundingBox {
            l: x0.min(x1),
            b: y0.min(y1),
            r: x0.max(x1),
            t: y0.max(y1),
        }
    }

    /// From a `(left, bottom, right, top)` array (as `topo_spec::Value::BoundingBox`).
    pub fn from_lbrt([l, b, r, t]: [f64; 4]) -> BoundingBox {
        BoundingBox::from_points((l, b), (r, t))
    }

    /// `(left, bottom, right, top)`.
    pub fn lbrt(&self) -> [f64; 4] {
        [self.l, self.b, self.r, self.t]
    }

    /// Centre `((r + l) / 2, (t + b) / 2)`.
    pub fn centroid(&self) -> (f64, f64) {
        ((self.r + self.l) / 2.0, (self.t + self.b) / 2.0)
    }

    /// The box shifted by `(dx, dy)`.
    pub fn translate(&self, dx: f64, dy: f64) -> BoundingBox {
        BoundingBox {
            l: self.l + dx,
            b: self.b + dy,
            r: self.r + dx,
            t: self.t + dy,
        }
    }

    /// Whether `(x, y)` lies inside, all four edges inclusive.
    pub fn contains(&self, x: f64, y: f64) -> bool {
        self.l <= x && x <= self.r && self.b <= y && y <= self.t
    }

    /// Whether `other` lies inside this box, edges inclusive.
    pub fn contains_bb_inclusive(&self, other: &BoundingBox) -> bool {
        self.l <= other.l && self.b <= other.b && self.r >= other.r && self.t >= other.t
    }

    /// Whether `other` lies inside this box and is not identical to it.
    pub fn contains_bb_exclusive(&self, other: &BoundingBox) -> bool {
        self.contains_bb_inclusive(other) && self != other
    }
}

/// Why a sheet coordinate system could not be built.
#[derive(Clone, Debug, PartialEq)]
pub enum CoordsError {
    /// The bounds and density give fewer than one unit along an axis.
    TooFewUnits {
        /// The nominal (or exact) bounds.
        bounds: [f64; 4],
        /// The nominal x density.
        density: f64,
    },
    /// A density is not a positive finite number.
    BadDensity(f64),
    /// The bounds are not finite or have no extent.
    BadBounds([f64; 4]),
}

impl fmt::Display for CoordsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CoordsError::TooFewUnits { bounds, density } => write!(
                f,
                "bounds {bounds:?} at density {density} give less than one unit along an axis"
            ),
            CoordsError::BadDensity(d) => write!(f, "density must be positive and finite, got {d}"),
            CoordsError::BadBounds(b) => {
                write!(f, "bounds must be finite with l<r and b<t, got {b:?}")
            }
        }
    }
}

impl std::error::Error for CoordsError {}

/// Python 2's `round(x, 0)`: halves round away from zero.
pub fn py2_round(x: f64) -> f64 {
    x.round()
}

/// numpy's `around(x, 10)`: `rint(x * 1e10) / 1e10` with ties to even.
pub fn around10(x: f64) -> f64 {
    const F: f64 = 1e10;
    (x * F).round_ties_even() / F
}

/// A half-open block `rows r1..r2, cols c1..c2` of a matrix (Topographica's
/// `Slice`; the ends may lie outside the matrix until cropped).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Slice {
    /// First row.
    pub r1: i64,
    /// One past the last row.
    pub r2: i64,
    /// First column.
    pub c1: i64,
    /// One past the last column.
    pub c2: i64,
}

impl Slice {
    /// `(rows, cols)` of the block.
    pub fn shape(&self) -> (i64, i64) {
        (self.r2 - self.r1, self.c2 - self.c1)
    }

    /// The slice clipped to a `rows x cols` matrix (`crop_to_sheet`).
    pub fn crop_to(&self, rows: usize, cols: usize) -> Slice {
        Slice {
            r1: self.r1.max(0),
            r2: self.r2.min(rows as i64),
            c1: self.c1.max(0),
            c2: self.c2.min(cols as i64),
        }
    }

    /// The slice moved by `dr` rows and `dc` columns.
    pub fn translate(&self, dr: i64, dc: i64) -> Slice {
        Slice {
            r1: self.r1 + dr,
            r2: self.r2 + dr,
            c1: self.c1 + dc,
            c2: self.c2 + dc,
        }
    }

    /// `Slice.findinputslice`: the part of an odd `shape` template, centred
    /// on matrix index `(row, col)`, that lies on a `sheet_shape` matrix, as
    /// offsets inside the template.
    pub fn find_input_slice(
        (row, col): (i64, i64),
        (n_rows, n_cols): (i64, i64),
        (sheet_rows, sheet_cols): (i64, i64),
    ) -> Slice {
        // Python 2 integer division of non-negative sizes.
        let (hr, hc) = (n_rows.div_euclid(2), n_cols.div_euclid(2));
        Slice {
            r1: -(0.min(row - hr)),
            r2: -((-n_rows).max(row - sheet_rows - hr)),
            c1: -(0.min(col - hc)),
            c2: -((-n_cols).max(col - sheet_cols - hc)),
        }
    }
}

/// A sheet coordinate system: true bounds, densities and matrix shape.
#[derive(Clone, Debug, PartialEq)]
pub struct SheetCoords {
    bounds: BoundingBox,
    xdensity: f64,
    ydensity: f64,
    xstep: f64,
    ystep: f64,
    rows: usize,
    cols: usize,
}

impl SheetCoords {
    /// A sheet's coordinate system from its nominal bounds and density
    /// (`SheetCoordinateSystem(bounds, density)` without ydensity): the x
    /// density is truncated to a whole number of units across the width,
    /// and the top and bottom move symmetrically so that the y density
    /// equals it (Python-2 rounding of the row count). Errors when either
    /// axis would have no unit (`Sheet.__init__` checks only the columns; a
    /// sheet with no rows is refused here too).
    pub fn from_nominal(nominal: BoundingBox, density: f64) -> Result<SheetCoords, CoordsError> {
        check_bounds(&nominal)?;
        if !(density.is_finite() && density > 0.0) {
            return Err(CoordsError::BadDensity(density));
        }
        let [left, bottom, right, top] = nominal.lbrt();
        let width = right - left;
        let height = top - bottom;
        let center_y = bottom + height / 2.0;
        let true_density = (density * width).trunc() / width;
        let too_few = CoordsError::TooFewUnits {
            bounds: nominal.lbrt(),
            density,
        };
        if true_density == 0.0 {
            return Err(too_few);
        }
        let n_cells = py2_round(height * true_density);
        let half = n_cells / true_density / 2.0;
        let bounds = BoundingBox::from_points((left, center_y - half), (right, center_y + half));
        let scs = SheetCoords::build(bounds, true_density, true_density);
        if scs.rows < 1 || scs.cols < 1 || py2_round(width * true_density) < 1.0 {
            return Err(too_few);
        }
        Ok(scs)
    }

    /// A coordinate system used exactly as given (both densities given, as
    /// pattern generators and CF masks do): no adjustment of the bounds. The
    /// shape may be 0 along an axis.
    pub fn exact(
        bounds: BoundingBox,
        xdensity: f64,
        ydensity: f64,
    ) -> Result<SheetCoords, CoordsError> {
        check_bounds(&bounds)?;
        for d in [xdensity, ydensity] {
            if !(d.is_finite() && d > 0.0) {
                return Err(CoordsError::BadDensity(d));
            }
        }
        Ok(SheetCoords::build(bounds, xdensity, ydensity))
    }

    fn build(bounds: BoundingBox, xdensity: f64, ydensity: f64) -> SheetCoords {
        let mut scs = SheetCoords {
            bounds,
            xdensity,
            ydensity,
            xstep: 1.0 / xdensity,
            ystep: 1.0 / ydensity,
            rows: 0,
            cols: 0,
        };
        let s = scs.bounds2slice(&bounds);
        let (r, c) = s.shape();
        scs.rows = r.max(0) as usize;
        scs.cols = c.max(0) as usize;
        scs
    }

    /// The true bounds.
    pub fn bounds(&self) -> BoundingBox {
        self.bounds
    }

    /// Units per unit length along x.
    pub fn xdensity(&self) -> f64 {
        self.xdensity
    }

    /// Units per unit length along y.
    pub fn ydensity(&self) -> f64 {
        self.ydensity
    }

    /// Number of matrix rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of matrix columns.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// `(rows, cols)`.
    pub fn shape(&self) -> (usize, usize) {
        (self.rows, self.cols)
    }

    /// Continuous matrix coordinates `(row, col)` of the sheet point `(x, y)`
    /// (row 0 at the top).
    pub fn sheet2matrix(&self, x: f64, y: f64) -> (f64, f64) {
        let col = (x - self.bounds.l) * self.xdensity;
        let row = (self.bounds.t - y) * self.ydensity;
        (row, col)
    }

    /// Index `(row, col)` of the matrix cell holding `(x, y)` (floor; points
    /// on the right or bottom edge fall just outside).
    pub fn sheet2matrixidx(&self, x: f64, y: f64) -> (i64, i64) {
        let (r, c) = self.sheet2matrix(x, y);
        (r.floor() as i64, c.floor() as i64)
    }

    /// Sheet point `(x, y)` of continuous matrix coordinates.
    pub fn matrix2sheet(&self, row: f64, col: f64) -> (f64, f64) {
        let x = col * self.xstep + self.bounds.l;
        let y = self.bounds.t - row * self.ystep;
        (x, y)
    }

    /// Centre `(x, y)` of the matrix cell `(row, col)`, each rounded to 10
    /// decimals as numpy's `around` does.
    pub fn matrixidx2sheet(&self, row: i64, col: i64) -> (f64, f64) {
        let (x, y) = self.matrix2sheet(row as f64 + 0.5, col as f64 + 0.5);
        (around10(x), around10(y))
    }

    /// x of the centre of every column, left to right.
    pub fn x_centres(&self) -> Vec<f64> {
        (0..self.cols as i64)
            .map(|c| self.matrixidx2sheet(0, c).0)
            .collect()
    }

    /// y of the centre of every row, top to bottom (decreasing).
    pub fn y_centres(&self) -> Vec<f64> {
        (0..self.rows as i64)
            .map(|r| self.matrixidx2sheet(r, 0).1)
            .collect()
    }

    /// The slice of all units whose centres lie inside `bb`
    /// (`Slice._boundsspec2slicespec`), not cropped to the matrix.
    pub fn bounds2slice(&self, bb: &BoundingBox) -> Slice {
        let (t_m, l_m) = self.sheet2matrix(bb.l, bb.t);
        let (b_m, r_m) = self.sheet2matrix(bb.r, bb.b);
        Slice {
            r1: (t_m - 0.5).ceil() as i64,
            r2: (b_m + 0.5).floor() as i64,
            c1: (l_m - 0.5).ceil() as i64,
            c2: (r_m + 0.5).floor() as i64,
        }
    }

    /// The sheet bounds exactly covered by a slice (`_slicespec2boundsspec`).
    pub fn slice2bounds(&self, s: &Slice) -> BoundingBox {
        let (left, bottom) = self.matrix2sheet(s.r2 as f64, s.c1 as f64);
        let (right, top) = self.matrix2sheet(s.r1 as f64, s.c2 as f64);
        BoundingBox::from_points((left, bottom), (right, top))
    }

    /// `Slice(bounds, self, force_odd=True, min_matrix_radius)`: the odd-sized
    /// slice approximating `bounds` once centred on the centre unit
    /// `(rows/2, cols/2)`; its right and bottom extent is reflected so the
    /// slice is symmetric about that unit.
    pub fn odd_slice(&self, bounds: &BoundingBox, min_matrix_radius: i64) -> Slice {
        let (bx, by) = bounds.centroid();
        let center_row = (self.rows / 2) as i64;
        let center_col = (self.cols / 2) as i64;
        let (ux, uy) = self.matrixidx2sheet(center_row, center_col);
        let moved = bounds.translate(ux - bx, uy - by);
        let s = self.bounds2slice(&moved);
        let xrad = (s.c2 - center_col - 1).max(min_matrix_radius);
        let yrad = (s.r2 - center_row - 1).max(min_matrix_radius);
        Slice {
            r1: center_row - yrad,
            r2: center_row + yrad + 1,
            c1: center_col - xrad,
            c2: center_col + xrad + 1,
        }
    }
}

fn check_bounds(b: &BoundingBox) -> Result<(), CoordsError> {
    let ok = b.lbrt().iter().all(|v| v.is_finite()) && b.l < b.r && b.b < b.t;
    if ok {
        Ok(())
    } else {
        Err(CoordsError::BadBounds(b.lbrt()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_loses_a_unit() {
        let s = SheetCoords::from_nominal(BoundingBox::from_radius(1.27083), 24.0).unwrap();
        assert_eq!(s.shape(), (60, 60));
        assert_eq!(s.xdensity(), 60.0 / 2.54166);
    }

    #[test]
    fn too_small_is_an_error() {
        assert!(SheetCoords::from_nominal(BoundingBox::from_radius(0.01), 10.0).is_err());
        assert!(SheetCoords::from_nominal(BoundingBox::from_radius(0.5), 0.0).is_err());
    }

    #[test]
    fn slices_round_trip() {
        let s = SheetCoords::from_nominal(BoundingBox::from_radius(0.5), 8.0).unwrap();
        let sl = Slice {
            r1: 1,
            r2: 4,
            c1: 2,
            c2: 7,
        };
        assert_eq!(s.bounds2slice(&s.slice2bounds(&sl)), sl);
        assert_eq!(
            s.bounds2slice(&s.bounds()),
            Slice {
                r1: 0,
                r2: 8,
                c1: 0,
                c2: 8
            }
        );
    }

    #[test]
    fn around_rounds_to_ten_decimals() {
        assert_eq!(around10(0.123_456_789_012_3), 0.123_456_789);
        assert_eq!(around10(-0.4375), -0.4375);
        // 0.1 + 0.2 is not 0.3 in binary; 10-decimal rounding makes it so.
        assert_eq!(around10(0.1 + 0.2), 0.3);
    }
}
