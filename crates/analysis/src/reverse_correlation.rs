//! Receptive fields by reverse correlation (featuremapper
//! `ReverseCorrelation`, `featuremapper/__init__.py`): after each noise
//! presentation, every measured unit adds its response times the whole
//! input sheet's activity to its receptive field, summed (not averaged)
//! over the presentations.
//!
//! featuremapper builds its accumulator as one array per (column, row)
//! but indexes it by (row, column) (`_initialize_featureresponses` and
//! `_update`), so at the pinned commit only square sheets or regions of
//! interest work (any other shape raises an `IndexError`). Here the
//! accumulator is indexed by (row, column) as the code means, so every
//! shape gets the receptive field of each unit at its own row and column.

use crate::error::{AnalysisError, Result};

/// A region of interest in matrix indices: rows `r0..r1`, columns `c0..c1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RoiBlock {
    /// First row.
    pub r0: usize,
    /// One past the last row.
    pub r1: usize,
    /// First column.
    pub c0: usize,
    /// One past the last column.
    pub c1: usize,
}

impl RoiBlock {
    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.r1 - self.r0
    }

    /// Number of columns.
    pub fn cols(&self) -> usize {
        self.c1 - self.c0
    }
}

/// featuremapper's `ReverseCorrelation._compute_roi`: the whole
/// `rows x cols` sheet when `roi` is `(0, 0, 0, 0)`, else the rows
/// `r(t)..r(b)` and columns `c(l)..c(r)` where `to_idx(x, y)` is the
/// sheet's `sheet2matrixidx` (half-open: the unit whose cell holds the
/// right or bottom edge is left out). A region reaching outside the sheet
/// (numpy would wrap negative indices round) or holding no unit is an
/// error.
pub fn roi_block(
    roi: [f64; 4],
    rows: usize,
    cols: usize,
    to_idx: impl Fn(f64, f64) -> (i64, i64),
) -> Result<RoiBlock> {
    if roi == [0.0; 4] {
        return Ok(RoiBlock {
            r0: 0,
            r1: rows,
            c0: 0,
            c1: cols,
        });
    }
    let [l, b, r, t] = roi;
    let (rb, cl) = to_idx(l, b);
    let (rt, cr) = to_idx(r, t);
    let inside = |v: i64, n: usize| v >= 0 && v <= n as i64;
    if !(inside(rt, rows) && inside(rb, rows) && inside(cl, cols) && inside(cr, cols)) {
        return Err(AnalysisError::InvalidParameter(format!(
            "roi {roi:?} reaches outside the sheet (rows {rt}..{rb}, columns {cl}..{cr} of {rows}x{cols})"
        )));
    }
    if rt >= rb || cl >= cr {
        return Err(AnalysisError::InvalidParameter(format!(
            "roi {roi:?} holds no unit (rows {rt}..{rb}, columns {cl}..{cr})"
        )));
    }
    Ok(RoiBlock {
        r0: rt as usize,
        r1: rb as usize,
        c0: cl as usize,
        c1: cr as usize,
    })
}

/// The receptive fields of a set of units on one input sheet.
#[derive(Clone, Debug)]
pub struct ReverseCorrelation {
    input_len: usize,
    /// Unit-major: unit `k`'s field is `rf[k * input_len..][..input_len]`.
    rf: Vec<f64>,
}

impl ReverseCorrelation {
    /// Zero fields for `units` units on an input of `input_len` units.
    pub fn new(units: usize, input_len: usize) -> ReverseCorrelation {
        ReverseCorrelation {
            input_len,
            rf: vec![0.0; units * input_len],
        }
    }

    /// One presentation: unit `k` adds `responses[k] * input` to its field
    /// (featuremapper's `feature_responses[i, j] += out[ii, jj] * in`,
    /// the product rounded before the sum as numpy does).
    pub fn add(&mut self, responses: &[f64], input: &[f64]) -> Result<()> {
        if input.len() != self.input_len || responses.len() * self.input_len != self.rf.len() {
            return Err(AnalysisError::InvalidParameter(format!(
                "reverse correlation: {} responses and {} inputs for {} fields of {}",
                responses.len(),
                input.len(),
                self.rf.len() / self.input_len.max(1),
                self.input_len
            )));
        }
        for (field, &r) in self
            .rf
            .chunks_exact_mut(self.input_len.max(1))
            .zip(responses)
        {
            for (w, &x) in field.iter_mut().zip(input) {
                *w += r * x;
            }
        }
        Ok(())
    }

    /// The fields, unit-major.
    pub fn fields(&self) -> &[f64] {
        &self.rf
    }

    /// Unit `k`'s field.
    pub fn field(&self, k: usize) -> &[f64] {
        &self.rf[k * self.input_len..(k + 1) * self.input_len]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_sum_response_times_input() {
        let mut rc = ReverseCorrelation::new(2, 3);
        rc.add(&[1.0, 2.0], &[1.0, 0.0, 3.0]).unwrap();
        rc.add(&[0.5, 0.0], &[2.0, 4.0, 0.0]).unwrap();
        assert_eq!(rc.field(0), &[2.0, 2.0, 3.0]);
        assert_eq!(rc.field(1), &[2.0, 0.0, 6.0]);
        assert!(rc.add(&[1.0], &[1.0, 0.0, 3.0]).is_err());
    }

    #[test]
    fn roi_is_the_half_open_index_range() {
        // A 4x6 sheet of density 1 over [-3,3]x[-2,2].
        let idx = |x: f64, y: f64| ((2.0 - y).floor() as i64, (x + 3.0).floor() as i64);
        let all = roi_block([0.0; 4], 4, 6, idx).unwrap();
        assert_eq!((all.rows(), all.cols()), (4, 6));
        let b = roi_block([-1.5, -0.5, 1.5, 1.5], 4, 6, idx).unwrap();
        assert_eq!(
            b,
            RoiBlock {
                r0: 0,
                r1: 2,
                c0: 1,
                c1: 4
            }
        );
        assert!(roi_block([-4.0, -0.5, 1.5, 1.5], 4, 6, idx).is_err());
        assert!(roi_block([0.2, 0.2, 0.4, 0.4], 4, 6, idx).is_err());
    }
}
