//! `.npy` files as `FileImage._load_npy` (imagen/image.py) reads them:
//! the array is divided by its maximum and the grayscale image is the
//! channel sum divided by the channel count (`sum(2) / shape[2]`).
//!
//! imagen indexes `shape[2]` and so fails on 2-D arrays; topo-hpc reads a
//! 2-D array as one channel (the image is then the array divided by its
//! maximum), which is what the docstring of `FileImage.filename` promises.

use super::Image;

/// The header fields this reader needs.
struct Header {
    descr: String,
    fortran: bool,
    shape: Vec<usize>,
}

fn field<'a>(dict: &'a str, key: &str) -> Result<&'a str, String> {
    let k = format!("'{key}':");
    let i = dict
        .find(&k)
        .ok_or_else(|| format!(".npy: header has no '{key}'"))?;
    Ok(dict[i + k.len()..].trim_start())
}

fn parse_header(bytes: &[u8]) -> Result<(Header, usize), String> {
    if !bytes.starts_with(b"\x93NUMPY") || bytes.len() < 10 {
        return Err(".npy: missing NUMPY magic".into());
    }
    let (len, start) = match bytes[6] {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10),
        2 | 3 if bytes.len() >= 12 => (
            u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
            12,
        ),
        v => return Err(format!(".npy: unsupported format version {v}")),
    };
    let dict = std::str::from_utf8(
        bytes
            .get(start..start + len)
            .ok_or(".npy: truncated header")?,
    )
    .map_err(|_| ".npy: header is not text")?;
    let descr = field(dict, "descr")?;
    let descr = descr
        .strip_prefix('\'')
        .and_then(|d| d.split('\'').next())
        .ok_or(".npy: bad 'descr'")?
        .to_string();
    let fortran = field(dict, "fortran_order")?.starts_with("True");
    let shape_text = field(dict, "shape")?;
    let inner = shape_text
        .strip_prefix('(')
        .and_then(|s| s.split(')').next())
        .ok_or(".npy: bad 'shape'")?;
    let shape = inner
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<usize>()
                .map_err(|_| format!(".npy: bad dimension '{s}'"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((
        Header {
            descr,
            fortran,
            shape,
        },
        start + len,
    ))
}

/// The array's elements as f64, in file order.
fn elements(descr: &str, data: &[u8], n: usize) -> Result<Vec<f64>, String> {
    let (order, kind) = descr.split_at(1);
    let big = order == ">";
    if !matches!(order, "<" | ">" | "|" | "=") {
        return Err(format!(".npy: unsupported dtype '{descr}'"));
    }
    let width: usize = kind[1..]
        .parse()
        .map_err(|_| format!(".npy: unsupported dtype '{descr}'"))?;
    if data.len() < n * width {
        return Err(".npy: truncated data".into());
    }
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let mut b = data[i * width..(i + 1) * width].to_vec();
        if big {
            b.reverse();
        }
        let v = match (kind.as_bytes()[0], width) {
            (b'f', 8) => f64::from_le_bytes(b.try_into().unwrap_or([0; 8])),
            (b'f', 4) => f32::from_le_bytes(b.try_into().unwrap_or([0; 4])) as f64,
            (b'u', 1) => b[0] as f64,
            (b'u', 2) => u16::from_le_bytes([b[0], b[1]]) as f64,
            (b'u', 4) => u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f64,
            (b'i', 1) => b[0] as i8 as f64,
            (b'i', 2) => i16::from_le_bytes([b[0], b[1]]) as f64,
            (b'i', 4) => i32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f64,
            (b'i', 8) => i64::from_le_bytes(b.try_into().unwrap_or([0; 8])) as f64,
            _ => return Err(format!(".npy: unsupported dtype '{descr}'")),
        };
        out.push(v);
    }
    Ok(out)
}

pub(super) fn decode(bytes: &[u8]) -> Result<Image, String> {
    let (h, start) = parse_header(bytes)?;
    let (rows, cols, channels) = match h.shape.as_slice() {
        [r, c] => (*r, *c, 1),
        [r, c, k] if *k > 0 => (*r, *c, *k),
        s => {
            return Err(format!(
                ".npy: expected a 2-D or 3-D array, got shape {s:?}"
            ))
        }
    };
    let n = rows * cols * channels;
    let mut a = elements(&h.descr, &bytes[start..], n)?;
    if h.fortran {
        // Column-major on disk: element (r, c, k) is at r + rows*(c + cols*k).
        let f = a;
        a = vec![0.0; n];
        for r in 0..rows {
            for c in 0..cols {
                for k in 0..channels {
                    a[(r * cols + c) * channels + k] = f[r + rows * (c + cols * k)];
                }
            }
        }
    }
    // numpy's max (a NaN anywhere makes it NaN), then true division.
    let max = if a.iter().any(|v| v.is_nan()) {
        f64::NAN
    } else {
        a.iter().copied().fold(f64::NEG_INFINITY, f64::max)
    };
    let mut gray = Vec::with_capacity(rows * cols);
    let mut px = Vec::with_capacity(channels);
    for chunk in a.chunks_exact(channels) {
        px.clear();
        px.extend(chunk.iter().map(|v| v / max));
        gray.push(crate::summation::numpy_sum(&px) / channels as f64);
    }
    // `_load_npy` takes the channels of every 3-D array (even one channel).
    let channels = if h.shape.len() == 3 {
        (0..channels)
            .map(|k| {
                a.iter()
                    .skip(k)
                    .step_by(channels)
                    .map(|v| v / max)
                    .collect()
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(Image {
        rows,
        cols,
        gray,
        channels,
    })
}
