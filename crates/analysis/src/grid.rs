//! A borrowed row-major view of a 2-D array of `f64`.

use crate::error::{AnalysisError, Result};

/// A `rows x cols` row-major array of `f64`, borrowed from the caller.
///
/// Row 0 is the top row of a sheet (Topographica's matrix convention), so
/// images drawn from a `Grid` need no flipping.
#[derive(Debug, Clone, Copy)]
pub struct Grid<'a> {
    data: &'a [f64],
    rows: usize,
    cols: usize,
}

impl<'a> Grid<'a> {
    /// Wraps `data` as a `rows x cols` array; fails if the length differs
    /// from `rows * cols`. `what` names the array in the error message.
    pub fn new(data: &'a [f64], rows: usize, cols: usize, what: &str) -> Result<Self> {
        let expected = rows.checked_mul(cols).ok_or_else(|| {
            AnalysisError::InvalidParameter(format!("{what}: {rows}x{cols} overflows"))
        })?;
        if data.len() != expected {
            return Err(AnalysisError::Shape {
                what: what.to_string(),
                expected,
                actual: data.len(),
            });
        }
        Ok(Grid { data, rows, cols })
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// The row-major values.
    pub fn data(&self) -> &'a [f64] {
        self.data
    }

    /// The value at row `r`, column `c` (panics if out of range, like slice indexing).
    #[inline]
    pub fn at(&self, r: usize, c: usize) -> f64 {
        self.data[r * self.cols + c]
    }

    /// True if the array has no elements.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }
}
