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
    /// An empty array of the same element type.
    pub fn empty_like(&self) -> ArrayData {
        match self {
            ArrayData::F64(_) => ArrayData::F64(Vec::new()),
            ArrayData::F32(_) => ArrayData::F32(Vec::new()),
            ArrayData::I32(_) => ArrayData::I32(Vec::new()),
        }
    }

    /// Append `other`'s elements; an error when the element types differ.
    pub fn append(&mut self, other: ArrayData) -> Result<(), String> {
        match (self, other) {
            (ArrayData::F64(a), ArrayData::F64(b)) => a.extend(b),
            (ArrayData::F32(a), ArrayData::F32(b)) => a.extend(b),
            (ArrayData::I32(a), ArrayData::I32(b)) => a.extend(b),
            _ => return Err("hyperslabs of one array read with different element types".into()),
        }
        Ok(())
    }

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

/// One rectangular part of a global array: `count` elements per dimension
/// from `start`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hyperslab {
    /// First index per dimension.
    pub start: Vec<usize>,
    /// Extent per dimension.
    pub count: Vec<usize>,
}

impl Hyperslab {
    /// Number of elements.
    pub fn len(&self) -> usize {
        self.count.iter().product()
    }

    /// Whether it holds no element.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The part of a global array that this rank owns: one hyperslab for a
/// rectangle of units, one per stripe when the rank owns rows dealt in
/// stripes ([`crate::ownership::Ownership`]).
#[derive(Clone, Debug, PartialEq)]
pub struct LocalArray {
    /// Path inside the snapshot, e.g. `sheets/V1/activity`.
    pub path: String,
    /// Shape of the whole array.
    pub global_shape: Vec<usize>,
    /// This rank's hyperslabs: disjoint, differing only in their range of
    /// the first dimension, in increasing order of it (none: the rank owns
    /// nothing). So the row-major order of their union, which is the order
    /// an HDF5 selection of all of them transfers, is their concatenation.
    pub slabs: Vec<Hyperslab>,
    /// Each hyperslab's elements row-major, concatenated in order.
    pub data: ArrayData,
}
