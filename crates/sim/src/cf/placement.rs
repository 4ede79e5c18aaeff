//! Where one unit's CF lies on the source (`ConnectionField.
//! _create_input_sheet_slice`: `positionedcrop`, `crop_to_sheet`,
//! `positionlesscrop`).

use super::template::Template;
use super::BuildError;
use topo_pattern::coords::{SheetCoords, Slice};

/// A placed CF.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placement {
    /// The CF's rectangle of the source matrix, cropped to it.
    pub input: Slice,
    /// The same rectangle as offsets inside the template (which part of
    /// the mask template / shared kernel the CF uses).
    pub weights: Slice,
}

impl Placement {
    /// `(rows, cols)` of the cropped CF.
    pub fn shape(&self) -> (usize, usize) {
        let (r, c) = self.input.shape();
        (r as usize, c as usize)
    }

    /// Number of weights.
    pub fn len(&self) -> usize {
        let (r, c) = self.shape();
        r * c
    }

    /// True if the CF has no weight.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Places the template at the CF centre `(x, y)` (sheet coordinates of the
/// dest unit, already 10-decimal rounded). A CF that would be empty after
/// cropping is an error unless `allow_null`, in which case it is returned
/// with an empty `input` slice.
pub fn place(
    t: &Template,
    src: &SheetCoords,
    x: f64,
    y: f64,
    allow_null: bool,
) -> Result<Placement, BuildError> {
    let (cf_row, cf_col) = src.sheet2matrixidx(x, y);
    let input = t
        .slice
        .translate(cf_row - t.anchor.0, cf_col - t.anchor.1)
        .crop_to(src.rows(), src.cols());
    let (rows, cols) = input.shape();
    if rows < 1 || cols < 1 {
        if allow_null {
            let empty = Slice {
                r1: 0,
                r2: 0,
                c1: 0,
                c2: 0,
            };
            return Ok(Placement {
                input: empty,
                weights: empty,
            });
        }
        return Err(BuildError::NullCf { x, y, rows, cols });
    }
    let weights = Slice::find_input_slice(
        (cf_row, cf_col),
        (t.shape.0 as i64, t.shape.1 as i64),
        (src.rows() as i64, src.cols() as i64),
    );
    if weights.shape() != input.shape() {
        // Topographica would fail later with mismatched arrays; this can
        // only happen if the template's centre is not on a unit centre.
        return Err(BuildError::Geometry(format!(
            "CF at ({x}, {y}): slice {input:?} and template part {weights:?} differ in shape"
        )));
    }
    Ok(Placement { input, weights })
}

/// Copies the part `w` of a row-major `shape` matrix into `out`
/// (row-major over `w`).
pub fn crop_matrix<T: Copy>(m: &[T], shape: (usize, usize), w: &Slice, out: &mut Vec<T>) {
    let cols = shape.1;
    for r in w.r1 as usize..w.r2 as usize {
        out.extend_from_slice(&m[r * cols + w.c1 as usize..r * cols + w.c2 as usize]);
    }
}
