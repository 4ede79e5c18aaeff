//! Topographica's sheet coordinates and imagen's pattern generators,
//! computed exactly as Topographica computes them and evaluated over any
//! rectangular block of a grid with results bit-identical to the whole grid.
//!
//! - [`coords`]: bounding boxes, sheet coordinate systems (true bounds and
//!   densities from nominal ones), sheet↔matrix conversions, slices.
//! - [`image`]: bitmap and `.npy` images for `FileImage`, read once per
//!   process and shared.
//! - [`pattern`]: imagen pattern generators rendered from
//!   [`topo_spec::Component`]s over a block of a grid.

#![warn(missing_docs)]

pub mod coords;
pub mod image;
pub mod pattern;
mod summation;

pub use coords::{BoundingBox, CoordsError, SheetCoords, Slice};
pub use pattern::{
    num_channels, render, render_channels, render_whole, Mask, Overrides, PatternError, Randomness,
    Region, UniformSource,
};
