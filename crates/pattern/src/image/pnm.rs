//! Netpbm files (P1–P6) as Pillow 13's `PpmImagePlugin.py` opens them and
//! `convert('L')` converts them:
//!
//! - P1/P4 (bitmaps, mode `1`): a set bit is black (0), a clear one white
//!   (255).
//! - P2/P5 (graymaps): maxval 255 raw, or 65535 raw (mode `I`, values
//!   kept); any other maxval is rescaled to 255 (maxval ≤ 255, mode `L`)
//!   or to 65535 (mode `I`) with Python's `round(value / maxval * out_max)`;
//!   ASCII files always go through that rescaling. `I` → `L` clips to
//!   0..255.
//! - P3/P6 (pixmaps, mode `RGB`): samples rescaled to 255 the same way
//!   unless raw with maxval 255, then ITU-R 601-2 luma.

use super::{luma, Image};

struct Header {
    magic: u8,
    cols: usize,
    rows: usize,
    maxval: u32,
    /// Offset of the first data byte.
    data: usize,
}

/// Reads the next whitespace-separated token, skipping `#` comments.
fn token(bytes: &[u8], pos: &mut usize) -> Result<String, String> {
    loop {
        while *pos < bytes.len() && bytes[*pos].is_ascii_whitespace() {
            *pos += 1;
        }
        if *pos < bytes.len() && bytes[*pos] == b'#' {
            while *pos < bytes.len() && bytes[*pos] != b'\n' && bytes[*pos] != b'\r' {
                *pos += 1;
            }
            continue;
        }
        break;
    }
    let start = *pos;
    while *pos < bytes.len() && !bytes[*pos].is_ascii_whitespace() && bytes[*pos] != b'#' {
        *pos += 1;
    }
    if start == *pos {
        return Err("Netpbm: truncated header".into());
    }
    Ok(String::from_utf8_lossy(&bytes[start..*pos]).into_owned())
}

fn number(bytes: &[u8], pos: &mut usize, what: &str) -> Result<u32, String> {
    let t = token(bytes, pos)?;
    t.parse()
        .map_err(|_| format!("Netpbm: {what} '{t}' is not a non-negative integer"))
}

fn header(bytes: &[u8]) -> Result<Header, String> {
    let magic = bytes[1] - b'0';
    let mut pos = 2;
    let cols = number(bytes, &mut pos, "width")? as usize;
    let rows = number(bytes, &mut pos, "height")? as usize;
    let maxval = if magic == 1 || magic == 4 {
        1
    } else {
        let m = number(bytes, &mut pos, "maxval")?;
        if !(1..65536).contains(&m) {
            return Err("Netpbm: maxval must be greater than 0 and less than 65536".into());
        }
        m
    };
    // Exactly one whitespace byte separates the header from raw data.
    Ok(Header {
        magic,
        cols,
        rows,
        maxval,
        data: pos + 1,
    })
}

/// Python's `round(value / maxval * out_max)` (round half to even).
fn rescale(value: u32, maxval: u32, out_max: u32) -> u32 {
    (value as f64 / maxval as f64 * out_max as f64).round_ties_even() as u32
}

pub(super) fn decode(bytes: &[u8]) -> Result<Image, String> {
    let h = header(bytes)?;
    let n = h
        .rows
        .checked_mul(h.cols)
        .ok_or("Netpbm: image too large")?;
    let bands = if h.magic == 3 || h.magic == 6 { 3 } else { 1 };
    let samples = samples(bytes, &h, n * bands)?;
    let gray_mode_i = bands == 1 && h.maxval > 255;
    let out_max = if gray_mode_i { 65535 } else { 255 };
    let raw_exact =
        matches!(h.magic, 5 | 6) && (h.maxval == 255 || (gray_mode_i && h.maxval == 65535));
    let level = |v: u32| -> Result<u32, String> {
        if v > h.maxval {
            return Err(format!("Netpbm: sample {v} exceeds maxval {}", h.maxval));
        }
        Ok(if raw_exact {
            v
        } else {
            rescale(v, h.maxval, out_max).min(out_max)
        })
    };
    let mut gray = Vec::with_capacity(n);
    let mut rgb = Vec::new();
    match h.magic {
        1 | 4 => gray.extend(samples.iter().map(|&b| if b == 1 { 0.0 } else { 255.0 })),
        2 | 5 => {
            for &v in &samples {
                gray.push(level(v)?.min(255) as f64);
            }
        }
        _ => {
            for px in samples.chunks_exact(3) {
                let [r, g, b] = [level(px[0])?, level(px[1])?, level(px[2])?];
                gray.push(luma(r as u8, g as u8, b as u8) as f64);
                rgb.extend([r, g, b].map(|v| v as f64));
            }
        }
    }
    // PPM opens as mode RGB: three channels.
    let channels = super::normalized_channels(&rgb, 3);
    Ok(Image {
        rows: h.rows,
        cols: h.cols,
        gray,
        channels,
    })
}

/// The raw samples: bits for bitmaps, integers otherwise.
fn samples(bytes: &[u8], h: &Header, count: usize) -> Result<Vec<u32>, String> {
    let mut out = Vec::with_capacity(count);
    match h.magic {
        1..=3 => {
            let mut pos = h.data - 1;
            while out.len() < count {
                if h.magic == 1 {
                    // Plain bitmaps may run their digits together.
                    while pos < bytes.len() && !matches!(bytes[pos], b'0' | b'1') {
                        if bytes[pos] == b'#' {
                            while pos < bytes.len() && bytes[pos] != b'\n' {
                                pos += 1;
                            }
                        } else if !bytes[pos].is_ascii_whitespace() {
                            return Err("Netpbm: bad bitmap digit".into());
                        }
                        pos += 1;
                    }
                    if pos >= bytes.len() {
                        return Err("Netpbm: truncated data".into());
                    }
                    out.push((bytes[pos] - b'0') as u32);
                    pos += 1;
                } else {
                    out.push(number(bytes, &mut pos, "sample")?);
                }
            }
        }
        4 => {
            let stride = h.cols.div_ceil(8);
            let data = bytes.get(h.data..).unwrap_or(&[]);
            if data.len() < stride * h.rows {
                return Err("Netpbm: truncated data".into());
            }
            for r in 0..h.rows {
                for c in 0..h.cols {
                    out.push(((data[r * stride + c / 8] >> (7 - c % 8)) & 1) as u32);
                }
            }
        }
        _ => {
            let width = if h.maxval > 255 { 2 } else { 1 };
            let data = bytes.get(h.data..).unwrap_or(&[]);
            if data.len() < count * width {
                return Err("Netpbm: truncated data".into());
            }
            for i in 0..count {
                out.push(if width == 2 {
                    u16::from_be_bytes([data[2 * i], data[2 * i + 1]]) as u32
                } else {
                    data[i] as u32
                });
            }
        }
    }
    Ok(out)
}
