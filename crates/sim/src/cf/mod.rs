//! Connection fields: for each unit of a destination sheet, the rectangle
//! of the source sheet it connects to, its mask and its float32 weights,
//! built exactly as Topographica's `CFProjection` /
//! `SharedWeightCFProjection` / `ResizableCFProjection` build them
//! (`topo/base/cf.py`, `topo/projection/__init__.py`).
//!
//! Construction works on any rectangular block of the destination sheet and
//! gives, for the units of the block, bit-for-bit the weights a whole-sheet
//! build gives: time-dependent models seed each CF's noise from its name;
//! non-time-dependent models draw every CF's noise from one shared numpy
//! stream in CF creation order (projections in spec order, then dest units
//! row-major), and a block build steps over the draws of the units it does
//! not own. Hence the caller must call [`build`] for every connection, in
//! `ModelSpec::connections` order, on every rank (also for empty blocks).

mod init;
pub mod name;
pub mod params;
mod per_cf_draws;
pub mod placement;
pub mod render;
mod resize;
pub mod template;

pub use init::{build, build_owned};
pub use params::{CfParams, ProjectionKind};
pub use resize::change_bounds;
pub use template::Template;

use crate::exchange::Block;
use ndarray::{ArrayView2, ShapeBuilder};
use std::fmt;

/// The shared kernel of a `SharedWeightCFProjection`.
#[derive(Clone, Debug, PartialEq)]
pub struct SharedKernel {
    /// Rows (the template's).
    pub rows: usize,
    /// Columns (the template's).
    pub cols: usize,
    /// Row-major float32 weights.
    pub weights: Vec<f32>,
}

/// The connection fields of one projection for the units of one dest block.
#[derive(Clone, Debug, PartialEq)]
pub struct ConnectionFields {
    /// Odd `(rows, cols)` of the slice template.
    pub template_shape: (usize, usize),
    /// Learning-rate divisor: non-zero entries of the uncropped mask
    /// template, capped at the source size (the same for every unit).
    pub n_units: usize,
    /// Dest units covered: the bounding rectangle of `dest_units` (the
    /// units themselves when they form one rectangle).
    pub dest_block: Block,
    /// Dest units covered, in local order.
    pub dest_units: crate::ownership::Ownership,
    /// Per local dest unit: `[r1, r2, c1, c2]` in source matrix
    /// coordinates, cropped to the source, half-open.
    pub slices: Vec<[usize; 4]>,
    /// Bounding rectangle of all slices: the source rectangle these units
    /// read (empty for an empty block).
    pub needed: Block,
    /// Per unit, start of its weights in `weights` (`units + 1` entries).
    /// All zero for shared-weight projections.
    pub offsets: Vec<usize>,
    /// Every unit's CF, row-major over its cropped slice, one after the
    /// other. Empty for shared-weight projections.
    pub weights: Vec<f32>,
    /// The cropped masks, laid out as `weights` (0/1 or the smoothed shape
    /// values at or above the threshold). Empty for shared-weight
    /// projections.
    pub masks: Vec<f32>,
    /// Per unit cached L1 total (Topographica's `_norm_total`).
    pub norm_total: Vec<f64>,
    /// Per unit, whether `norm_total` is valid (`_has_norm_total`).
    pub has_norm_total: Vec<bool>,
    /// The kernel of a shared-weight projection.
    pub shared: Option<SharedKernel>,
    /// For shared-weight projections: per unit `[wr1, wr2, wc1, wc2]`, the
    /// part of the kernel the unit uses; empty otherwise.
    pub kernel_views: Vec<[usize; 4]>,
    /// Per unit, the (10-decimal rounded) sheet coordinates of its centre.
    pub unit_xy: Vec<(f64, f64)>,
    /// The current template (changed by [`change_bounds`]).
    pub template: Template,
}

impl ConnectionFields {
    /// Number of local units.
    pub fn len(&self) -> usize {
        self.slices.len()
    }

    /// True if the block has no unit.
    pub fn is_empty(&self) -> bool {
        self.slices.is_empty()
    }

    /// Weights of local unit `u` (a kernel view's rows are not contiguous
    /// for shared-weight projections: use [`ConnectionFields::weight_at`]).
    pub fn unit_weights(&self, u: usize) -> &[f32] {
        &self.weights[self.offsets[u]..self.offsets[u + 1]]
    }

    /// Mask of local unit `u` (empty for shared-weight projections).
    pub fn unit_mask(&self, u: usize) -> &[f32] {
        &self.masks[self.offsets[u]..self.offsets[u + 1]]
    }

    /// `(rows, cols)` of unit `u`'s CF.
    pub fn unit_shape(&self, u: usize) -> (usize, usize) {
        let [r1, r2, c1, c2] = self.slices[u];
        (r2 - r1, c2 - c1)
    }

    /// Unit `u`'s weights as a `rows x cols` view of its cropped CF, for
    /// plain and shared-weight projections alike (a shared kernel's view is
    /// a strided window of the kernel, not a copy). The learning and
    /// response kernels keep working on the raw slices.
    pub fn weights_view(&self, u: usize) -> ArrayView2<'_, f32> {
        let (rows, cols) = self.unit_shape(u);
        let view = match &self.shared {
            Some(k) => {
                let [wr1, _, wc1, _] = self.kernel_views[u];
                ArrayView2::from_shape(
                    (rows, cols).strides((k.cols, 1)),
                    &k.weights[(wr1 * k.cols + wc1).min(k.weights.len())..],
                )
            }
            None => ArrayView2::from_shape((rows, cols), self.unit_weights(u)),
        };
        view.expect("a unit's CF lies inside its weight storage")
    }

    /// Weight `(i, j)` (row, column inside the unit's cropped CF), for both
    /// plain and shared-weight projections.
    pub fn weight_at(&self, u: usize, i: usize, j: usize) -> f32 {
        match &self.shared {
            Some(k) => {
                let [wr1, _, wc1, _] = self.kernel_views[u];
                k.weights[(wr1 + i) * k.cols + wc1 + j]
            }
            None => {
                let (_, cols) = self.unit_shape(u);
                self.weights[self.offsets[u] + i * cols + j]
            }
        }
    }

    /// Float64 sum of unit `u`'s weights in row-major order.
    pub fn unit_sum(&self, u: usize) -> f64 {
        let (rows, cols) = self.unit_shape(u);
        let mut s = 0.0;
        for i in 0..rows {
            for j in 0..cols {
                s += f64::from(self.weight_at(u, i, j));
            }
        }
        s
    }
}

/// Why connection fields could not be built.
#[derive(Clone, Debug, PartialEq)]
pub enum BuildError {
    /// A projection parameter is missing or malformed.
    Param {
        /// `Dest.Name` of the connection.
        connection: String,
        /// What is wrong.
        message: String,
    },
    /// A CF would have no weight after cropping (`NullCFError`).
    NullCf {
        /// Centre x.
        x: f64,
        /// Centre y.
        y: f64,
        /// Rows after cropping.
        rows: i64,
        /// Columns after cropping.
        cols: i64,
    },
    /// Inconsistent geometry (block outside the sheet, shape mismatch).
    Geometry(String),
    /// A pattern could not be rendered.
    Pattern(String),
    /// Valid Topographica input this port does not reproduce.
    Unsupported(String),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::Param {
                connection,
                message,
            } => write!(f, "projection {connection}: {message}"),
            BuildError::NullCf { x, y, rows, cols } => write!(
                f,
                "ConnectionField at ({x}, {y}) has a zero-sized weights matrix ({rows}, {cols}); \
                 a larger nominal_bounds_template or a denser sheet is needed"
            ),
            BuildError::Geometry(m) => write!(f, "CF geometry: {m}"),
            BuildError::Pattern(m) => write!(f, "CF pattern: {m}"),
            BuildError::Unsupported(m) => write!(f, "unsupported: {m}"),
        }
    }
}

impl std::error::Error for BuildError {}
