//! Bitmap images for imagen's `FileImage`: decoding, PIL's grayscale
//! conversion, path resolution and a per-process cache.
//!
//! imagen (`imagen/image.py`, `FileImage._load_pil_image`) opens a file
//! with PIL and keeps `ImageOps.grayscale(im)`, i.e. `im.convert('L')`,
//! which `PatternSampler._set_image` turns into a float array of 0..255
//! values. [`Image::gray`] is that array, computed the way Pillow (13.0,
//! the version that produced the reference data) decodes and converts each
//! format: see the private modules `png` and `pnm`. `.npy` files follow
//! `FileImage._load_npy` (module `npy`).
//!
//! [`load`] reads each file once per process and hands out an [`Arc`](std::sync::Arc), so
//! every thread of a rank and every pattern naming the same file share one
//! copy; [`resolve_path`] finds a relative file name the way
//! `param.resolve_path` does, in a list of search directories.

mod cache;
mod npy;
mod png;
mod pnm;

pub use cache::{load, resolve_path};

use std::fmt;
use std::path::Path;

/// A decoded image: imagen's grayscale array.
#[derive(Clone, Debug, PartialEq)]
pub struct Image {
    /// Rows (image height).
    pub rows: usize,
    /// Columns (image width).
    pub cols: usize,
    /// Row-major grayscale values, row 0 = top: PIL's `convert('L')`
    /// values (0..255) for bitmap files, the channel mean of the
    /// max-normalized array for `.npy` files.
    pub gray: Vec<f64>,
    /// imagen's `_original_channel_data`: for a file whose array has a
    /// third dimension (PIL modes `LA`, `RGB`, `RGBA`; 3-D `.npy` arrays),
    /// each channel row-major, divided by the maximum over all channels
    /// (`file_data / file_data.max()`, `FileImage._load_pil_image` and
    /// `_load_npy`); empty for single-band images.
    pub channels: Vec<Vec<f64>>,
}

/// Split interleaved samples (`k` per pixel) into channels divided by
/// numpy's maximum over all of them (NaN if any sample is NaN).
pub(crate) fn normalized_channels(samples: &[f64], k: usize) -> Vec<Vec<f64>> {
    if k < 2 {
        return Vec::new();
    }
    let max = if samples.iter().any(|v| v.is_nan()) {
        f64::NAN
    } else {
        samples.iter().copied().fold(f64::NEG_INFINITY, f64::max)
    };
    (0..k)
        .map(|c| samples.iter().skip(c).step_by(k).map(|v| v / max).collect())
        .collect()
}

/// Why an image could not be read.
#[derive(Clone, Debug, PartialEq)]
pub struct ImageError {
    /// The file.
    pub path: String,
    /// What went wrong.
    pub reason: String,
}

impl ImageError {
    pub(crate) fn new(path: &Path, reason: impl Into<String>) -> ImageError {
        ImageError {
            path: path.display().to_string(),
            reason: reason.into(),
        }
    }
}

impl fmt::Display for ImageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot read image {}: {}", self.path, self.reason)
    }
}

impl std::error::Error for ImageError {}

/// Pillow's RGB → L conversion (`Convert.c`, `L24`): ITU-R 601-2 luma in
/// 16-bit fixed point, rounded.
pub(crate) fn luma(r: u8, g: u8, b: u8) -> u8 {
    ((r as u32 * 19595 + g as u32 * 38470 + b as u32 * 7471 + 0x8000) >> 16) as u8
}

/// Decode a file's bytes by its content (PNG and Netpbm signatures) or,
/// for `.npy`, by its extension as imagen does (`splitext` → `.npy`).
pub fn decode(path: &Path, bytes: &[u8]) -> Result<Image, ImageError> {
    let is_npy = path
        .extension()
        .map(|e| e.eq_ignore_ascii_case("npy"))
        .unwrap_or(false);
    if is_npy {
        return npy::decode(bytes).map_err(|e| ImageError::new(path, e));
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return png::decode(bytes).map_err(|e| ImageError::new(path, e));
    }
    if bytes.len() >= 2 && bytes[0] == b'P' && (b'1'..=b'6').contains(&bytes[1]) {
        return pnm::decode(bytes).map_err(|e| ImageError::new(path, e));
    }
    Err(ImageError::new(
        path,
        "not a PNG, PGM/PPM/PBM or .npy file (the formats topo-hpc reads)",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values Pillow 13.0.0 gives for `Image.fromarray(rgb).convert('L')`.
    #[test]
    fn luma_matches_pillow() {
        let cases = [
            ((1, 2, 3), 2),
            ((255, 0, 0), 76),
            ((0, 255, 0), 150),
            ((0, 0, 255), 29),
            ((128, 128, 128), 128),
            ((200, 100, 50), 124),
            ((255, 255, 255), 255),
        ];
        for ((r, g, b), l) in cases {
            assert_eq!(luma(r, g, b), l, "rgb {r},{g},{b}");
        }
    }
}
