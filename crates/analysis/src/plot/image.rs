//! An 8-bit RGB raster and its PNG encoding.

use crate::error::{AnalysisError, Result};
use std::path::Path;

/// A `width x height` RGB image, rows top to bottom, 3 bytes per pixel.
#[derive(Debug, Clone, PartialEq)]
pub struct RgbImage {
    width: usize,
    height: usize,
    pixels: Vec<u8>,
}

impl RgbImage {
    /// An image filled with `color`.
    pub fn filled(width: usize, height: usize, color: [u8; 3]) -> Self {
        let mut pixels = Vec::with_capacity(width * height * 3);
        for _ in 0..width * height {
            pixels.extend_from_slice(&color);
        }
        RgbImage {
            width,
            height,
            pixels,
        }
    }

    /// Width in pixels.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> usize {
        self.height
    }

    /// The RGB bytes, row-major.
    pub fn pixels(&self) -> &[u8] {
        &self.pixels
    }

    /// Colour of pixel `(x, y)` (x to the right, y down), if inside.
    pub fn get(&self, x: usize, y: usize) -> Option<[u8; 3]> {
        (x < self.width && y < self.height).then(|| {
            let i = (y * self.width + x) * 3;
            [self.pixels[i], self.pixels[i + 1], self.pixels[i + 2]]
        })
    }

    /// Sets pixel `(x, y)`; ignored outside the image.
    pub fn set(&mut self, x: usize, y: usize, color: [u8; 3]) {
        if x < self.width && y < self.height {
            let i = (y * self.width + x) * 3;
            self.pixels[i..i + 3].copy_from_slice(&color);
        }
    }

    /// Copies `src` with its top-left corner at `(x, y)`, clipped to this image.
    pub fn paste(&mut self, src: &RgbImage, x: usize, y: usize) {
        for sy in 0..src.height {
            for sx in 0..src.width {
                if let Some(c) = src.get(sx, sy) {
                    self.set(x + sx, y + sy, c);
                }
            }
        }
    }

    /// Nearest-neighbour enlargement by an integer factor (Topographica's
    /// `Bitmap.zoom` for integer factors); factor 0 is treated as 1.
    pub fn upscale(&self, factor: usize) -> RgbImage {
        let f = factor.max(1);
        let mut out = RgbImage::filled(self.width * f, self.height * f, [0, 0, 0]);
        for y in 0..out.height {
            for x in 0..out.width {
                let i = ((y / f) * self.width + x / f) * 3;
                let o = (y * out.width + x) * 3;
                out.pixels[o..o + 3].copy_from_slice(&self.pixels[i..i + 3]);
            }
        }
        out
    }

    /// The image as PNG file contents (8-bit RGB).
    pub fn to_png(&self) -> Result<Vec<u8>> {
        let err = |e: png::EncodingError| AnalysisError::Image(e.to_string());
        let width = u32::try_from(self.width)
            .map_err(|_| AnalysisError::Image("image too wide for PNG".into()))?;
        let height = u32::try_from(self.height)
            .map_err(|_| AnalysisError::Image("image too tall for PNG".into()))?;
        if width == 0 || height == 0 {
            return Err(AnalysisError::Image("cannot encode an empty image".into()));
        }
        let mut out = Vec::new();
        {
            let mut encoder = png::Encoder::new(&mut out, width, height);
            encoder.set_color(png::ColorType::Rgb);
            encoder.set_depth(png::BitDepth::Eight);
            let mut writer = encoder.write_header().map_err(err)?;
            writer.write_image_data(&self.pixels).map_err(err)?;
            writer.finish().map_err(err)?;
        }
        Ok(out)
    }

    /// Writes the image as a PNG file.
    pub fn save_png(&self, path: &Path) -> Result<()> {
        let bytes = self.to_png()?;
        std::fs::write(path, bytes)
            .map_err(|e| AnalysisError::Image(format!("writing {}: {e}", path.display())))
    }
}
