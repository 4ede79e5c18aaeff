//! The image formats FileImage reads, converted to gray as Pillow 13.0.0
//! converts them (`Image.open(f).convert('L')`). The expected values were
//! produced by Pillow 13.0.0 from the same bytes (PNGs written by the same
//! IHDR/IDAT layout, Netpbm headers as below).

use std::path::Path;
use topo_pattern::image::decode;

fn png(
    width: u32,
    height: u32,
    depth: png::BitDepth,
    color: png::ColorType,
    data: &[u8],
    palette: Option<&[u8]>,
) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut e = png::Encoder::new(&mut out, width, height);
        e.set_depth(depth);
        e.set_color(color);
        if let Some(p) = palette {
            e.set_palette(p.to_vec());
        }
        let mut w = e.write_header().unwrap();
        w.write_image_data(data).unwrap();
    }
    out
}

fn gray(name: &str, bytes: &[u8]) -> Vec<f64> {
    decode(Path::new(name), bytes)
        .unwrap_or_else(|e| panic!("{e}"))
        .gray
}

fn be16(v: &[u16]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_be_bytes()).collect()
}

#[test]
fn png_gray_16_bit_is_clipped_like_mode_i16() {
    let b = png(
        6,
        1,
        png::BitDepth::Sixteen,
        png::ColorType::Grayscale,
        &be16(&[0, 100, 255, 256, 1000, 65535]),
        None,
    );
    assert_eq!(gray("a.png", &b), [0.0, 100.0, 255.0, 255.0, 255.0, 255.0]);
}

#[test]
fn png_rgb_16_bit_uses_high_bytes_then_luma() {
    let b = png(
        2,
        1,
        png::BitDepth::Sixteen,
        png::ColorType::Rgb,
        &be16(&[0x1234, 0x80ff, 0xff00, 65535, 0, 256]),
        None,
    );
    assert_eq!(gray("a.png", &b), [110.0, 76.0]);
}

#[test]
fn png_gray_alpha_16_bit_keeps_the_gray_high_byte() {
    let b = png(
        1,
        1,
        png::BitDepth::Sixteen,
        png::ColorType::GrayscaleAlpha,
        &be16(&[0x1280, 0x80ff]),
        None,
    );
    assert_eq!(gray("a.png", &b), [18.0]);
}

#[test]
fn png_low_depth_gray_is_scaled() {
    let b = png(
        4,
        1,
        png::BitDepth::Two,
        png::ColorType::Grayscale,
        &[0b0001_1011],
        None,
    );
    assert_eq!(gray("a.png", &b), [0.0, 85.0, 170.0, 255.0]);
    let b = png(
        2,
        1,
        png::BitDepth::One,
        png::ColorType::Grayscale,
        &[0b1000_0000],
        None,
    );
    assert_eq!(gray("a.png", &b), [255.0, 0.0]);
}

#[test]
fn png_palette_uses_luma_of_the_colours() {
    let b = png(
        2,
        1,
        png::BitDepth::Four,
        png::ColorType::Indexed,
        &[0x01],
        Some(&[10, 20, 30, 200, 100, 50]),
    );
    assert_eq!(gray("a.png", &b), [18.0, 124.0]);
}

#[test]
fn netpbm_variants() {
    let mut p5 = b"P5\n2 1\n1000\n".to_vec();
    p5.extend(be16(&[100, 900]));
    assert_eq!(gray("a.pgm", &p5), [255.0, 255.0]);
    let mut p5 = b"P5\n2 1\n65535\n".to_vec();
    p5.extend(be16(&[100, 900]));
    assert_eq!(gray("a.pgm", &p5), [100.0, 255.0]);
    assert_eq!(
        gray("a.pgm", b"P5\n3 1\n7\n\x00\x03\x07"),
        [0.0, 109.0, 255.0]
    );
    assert_eq!(
        gray("a.pgm", b"P2\n# c\n3 1\n300\n0 150 300\n"),
        [0.0, 255.0, 255.0]
    );
    assert_eq!(
        gray("a.ppm", b"P3\n2 1\n255\n10 20 30 255 255 0\n"),
        [18.0, 226.0]
    );
    let mut p6 = b"P6\n1 1\n65535\n".to_vec();
    p6.extend(be16(&[0x1234, 0x80ff, 0xff00]));
    assert_eq!(gray("a.ppm", &p6), [109.0]);
    let mut p6 = b"P6\n1 1\n1000\n".to_vec();
    p6.extend(be16(&[100, 500, 999]));
    assert_eq!(gray("a.ppm", &p6), [112.0]);
    assert_eq!(gray("a.pbm", b"P1\n3 1\n1 0 1\n"), [0.0, 255.0, 0.0]);
    assert_eq!(gray("a.pbm", b"P4\n3 1\n\xa0"), [0.0, 255.0, 0.0]);
}

/// `FileImage._load_npy`: divided by the maximum, then the channel mean.
#[test]
fn npy_channel_mean_of_max_normalized() {
    let header = "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2, 3), }";
    let mut h = header.to_string();
    while !(10 + h.len() + 1).is_multiple_of(64) {
        h.push(' ');
    }
    h.push('\n');
    let mut b = b"\x93NUMPY\x01\x00".to_vec();
    b.extend((h.len() as u16).to_le_bytes());
    b.extend(h.as_bytes());
    for v in [1.0f64, 2.0, 3.0, 4.0, 5.0, 6.0] {
        b.extend(v.to_le_bytes());
    }
    let g = gray("a.npy", &b);
    let want = [
        (1.0 / 6.0 + 2.0 / 6.0 + 3.0 / 6.0) / 3.0,
        (4.0 / 6.0 + 5.0 / 6.0 + 6.0 / 6.0) / 3.0,
    ];
    assert_eq!(g, want);
}

#[test]
fn unknown_and_broken_files_are_errors() {
    assert!(decode(Path::new("a.gif"), b"GIF89a").is_err());
    assert!(decode(Path::new("a.png"), b"\x89PNG\r\n\x1a\nxx").is_err());
    assert!(decode(Path::new("a.pgm"), b"P5\n2 2\n255\n\x00").is_err());
    assert!(decode(Path::new("a.npy"), b"\x93NUMPY").is_err());
}
