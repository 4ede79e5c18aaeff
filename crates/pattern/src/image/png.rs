//! PNG files as Pillow 13 opens them and `convert('L')` converts them
//! (`PngImagePlugin.py` modes, `Convert.c`):
//!
//! | PNG | Pillow mode | L value |
//! |---|---|---|
//! | gray 1/2/4/8 bit | `1` / `L` (low depths scaled to 0..255) | the sample |
//! | gray 16 bit | `I;16` | the sample clipped to 255 |
//! | gray+alpha 8 / 16 bit | `LA` / `RGBA` (high byte) | the gray sample (high byte) |
//! | RGB(A) 8 / 16 bit | `RGB(A)` (high byte) | ITU-R 601-2 luma |
//! | palette | `P` | luma of the palette colour |
//!
//! Transparency is ignored, as `convert('L')` ignores it. The channels
//! (`numpy.asarray` of the opened image) are those of the Pillow mode:
//! `LA` (2), `RGB` (3), `RGBA` (4, for 16-bit gray+alpha the gray high
//! byte three times); gray and palette images have none.

use super::{luma, Image};
use ::png::{BitDepth, ColorType, Decoder, Transformations};
use std::io::Cursor;

pub(super) fn decode(bytes: &[u8]) -> Result<Image, String> {
    let mut decoder = Decoder::new(Cursor::new(bytes));
    // EXPAND: palette → RGB(A), gray below 8 bits → 8 bits scaled like
    // Pillow's `L;2`/`L;4` unpackers (1-bit: 0/255 as mode `1` → `L`).
    decoder.set_transformations(Transformations::EXPAND);
    let mut reader = decoder.read_info().map_err(|e| format!("PNG: {e}"))?;
    let orig_type = reader.info().color_type;
    let size = reader.output_buffer_size().ok_or("PNG: image too large")?;
    let mut buf = vec![0u8; size];
    let out = reader
        .next_frame(&mut buf)
        .map_err(|e| format!("PNG: {e}"))?;
    let (rows, cols) = (out.height as usize, out.width as usize);
    let channels = out.color_type.samples();
    let wide = out.bit_depth == BitDepth::Sixteen;
    let bytes_per_sample = if wide { 2 } else { 1 };
    // One sample as Pillow keeps it: 16-bit samples as their high byte,
    // except 16-bit gray (mode I;16), kept whole and clipped by convert.
    let sample = |row: &[u8], c: usize, k: usize| -> u32 {
        let i = (c * channels + k) * bytes_per_sample;
        if wide {
            u16::from_be_bytes([row[i], row[i + 1]]) as u32
        } else {
            row[i] as u32
        }
    };
    let mut gray = Vec::with_capacity(rows * cols);
    let bands = match orig_type {
        ColorType::Grayscale | ColorType::Indexed => 1,
        ColorType::GrayscaleAlpha if wide => 4,
        ColorType::GrayscaleAlpha => 2,
        ColorType::Rgb => 3,
        ColorType::Rgba => 4,
    };
    let mut samples = Vec::with_capacity(if bands > 1 { rows * cols * bands } else { 0 });
    for r in 0..rows {
        let row = &buf[r * out.line_size..(r + 1) * out.line_size];
        for c in 0..cols {
            let v = match orig_type {
                ColorType::Grayscale if wide => sample(row, c, 0).min(255),
                ColorType::Grayscale | ColorType::GrayscaleAlpha => high(sample(row, c, 0), wide),
                ColorType::Rgb | ColorType::Rgba | ColorType::Indexed => {
                    let [r8, g8, b8] = [0, 1, 2].map(|k| high(sample(row, c, k), wide) as u8);
                    luma(r8, g8, b8) as u32
                }
            };
            gray.push(v as f64);
            match orig_type {
                ColorType::Grayscale | ColorType::Indexed => {}
                ColorType::GrayscaleAlpha if wide => {
                    let (l, a) = (high(sample(row, c, 0), wide), high(sample(row, c, 1), wide));
                    samples.extend([l, l, l, a].map(|v| v as f64));
                }
                _ => samples.extend((0..bands).map(|k| high(sample(row, c, k), wide) as f64)),
            }
        }
    }
    let channels = super::normalized_channels(&samples, bands);
    Ok(Image {
        rows,
        cols,
        gray,
        channels,
    })
}

/// Pillow's `;16B` unpackers keep the most significant byte.
fn high(v: u32, wide: bool) -> u32 {
    if wide {
        v >> 8
    } else {
        v
    }
}
