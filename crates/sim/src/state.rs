//! Snapshot state in global coordinates, so a run can continue on any
//! number of ranks.

/// The elements of a state array.
#[derive(Clone, Debug, PartialEq)]
pub enum ArrayData {
    /// Doubles (activities, thresholds, norm totals).
    F64(Vec<f64>),
    /// Floats (weights, masks).
    F32(Vec<f32>),
    /// Integers (slices, flags).
    I32(Vec<i32>),
}

impl ArrayData {
    /// Number of elements.
    pub fn len(&self) -> usize {
        match self {
            ArrayData::F64(v) => v.len(),
            ArrayData::F32(v) => v.len(),
            ArrayData::I32(v) => v.len(),
        }
    }
    /// True if there are no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The part of a global array that this rank owns.
#[derive(Clone, Debug, PartialEq)]
pub struct LocalArray {
    /// Path inside the snapshot, e.g. `sheets/V1/activity`.
    pub path: String,
    /// Shape of the whole array.
    pub global_shape: Vec<usize>,
    /// Start of this rank's hyperslab.
    pub start: Vec<usize>,
    /// Extent of this rank's hyperslab (a zero extent: owns nothing).
    pub count: Vec<usize>,
    /// Row-major data of the hyperslab.
    pub data: ArrayData,
}
