//! PNG plots in Topographica's style: grayscale activity, HSV orientation
//! maps, and grids of connection-field weights.
//!
//! Values become bytes as Topographica's `Bitmap._arrayToImage` does:
//! `floor(v·255)` clipped to `[0, 255]`.

mod cf_grid;
mod color;
mod image;
mod maps;
mod normalize;

pub use cf_grid::{cf_grid_image, grid_plot_coords, CfGridStyle, GridPlotCoords};
pub use color::hsv_to_rgb;
pub use image::RgbImage;
pub use maps::{activity_image, mark_points, orientation_image, SelectivityChannel};
pub use normalize::{normalize, to_byte, Normalization};
