//! The integration tests of topo-pattern, one test binary (each binary links
//! the whole dependency tree once); a file a module. See tests/README.md
//! at the repository root for which tier a test belongs in.

mod common;

mod cf_templates;
mod colour_channels;
mod errors;
mod file_image;
mod gaussian_max;
mod geometry;
mod image_cache;
mod image_formats;
mod motion;
mod patterns;
mod regions;
mod retina;
mod semantics;
