//! PNG plots decode to the expected sizes and pixel values.

use std::f64::consts::PI;
use std::io::Cursor;
use topo_analysis::plot::{
    activity_image, cf_grid_image, grid_plot_coords, hsv_to_rgb, orientation_image, CfGridStyle,
    Normalization, RgbImage, SelectivityChannel,
};
use topo_analysis::Grid;

/// Decodes PNG bytes with the png crate: (width, height, RGB bytes).
fn decode(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(Cursor::new(bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(info.color_type, png::ColorType::Rgb);
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf)
}

fn pixel(rgb: &[u8], width: u32, x: u32, y: u32) -> [u8; 3] {
    let i = ((y * width + x) * 3) as usize;
    [rgb[i], rgb[i + 1], rgb[i + 2]]
}

fn roundtrip(img: &RgbImage) -> (u32, u32, Vec<u8>) {
    let (w, h, rgb) = decode(&img.to_png().unwrap());
    assert_eq!((w as usize, h as usize), (img.width(), img.height()));
    assert_eq!(rgb, img.pixels());
    (w, h, rgb)
}

#[test]
fn activity_plot_uses_topographica_gray_levels() {
    // 8x8 sheet, unit (r, c) = (r·8 + c)/63 · 1.2 (so the last units exceed 1).
    let act: Vec<f64> = (0..64).map(|i| i as f64 / 63.0 * 1.2).collect();
    let g = Grid::new(&act, 8, 8, "activity").unwrap();
    let img = activity_image(g, Normalization::Fixed { min: 0.0, max: 1.0 }, 10);
    let (w, h, rgb) = roundtrip(&img);
    assert_eq!((w, h), (80, 80));
    // Unit (2, 3) covers pixels x 30..40, y 20..30: floor(v·255).
    let v = (2 * 8 + 3) as f64 / 63.0 * 1.2;
    let level = (v * 255.0).floor() as u8;
    assert_eq!(pixel(&rgb, w, 35, 25), [level; 3]);
    assert_eq!(pixel(&rgb, w, 30, 20), [level; 3]);
    assert_eq!(pixel(&rgb, w, 0, 0), [0; 3]);
    // Values above 1 clip to white.
    assert_eq!(pixel(&rgb, w, 79, 79), [255; 3]);
    // Individually: the maximum is white, the minimum black.
    let img = activity_image(g, Normalization::Individually, 1);
    assert_eq!(img.get(7, 7), Some([255; 3]));
    assert_eq!(img.get(0, 0), Some([0; 3]));
    // ZeroToMax: 0 black, maximum white, mid value half.
    let img = activity_image(g, Normalization::ZeroToMax, 1);
    assert_eq!(img.get(7, 7), Some([255; 3]));
    let mid = ((2 * 8 + 3) as f64 / 63.0 * 255.0).floor() as u8;
    assert!(img.get(3, 2).unwrap()[0].abs_diff(mid) <= 1);
}

#[test]
fn orientation_plot_colours_follow_hue() {
    assert_eq!(hsv_to_rgb(0.0, 1.0, 1.0), (1.0, 0.0, 0.0));
    assert_eq!(hsv_to_rgb(0.5, 1.0, 1.0), (0.0, 1.0, 1.0));
    assert_eq!(hsv_to_rgb(0.25, 0.0, 0.4), (0.4, 0.4, 0.4));
    // 2x3 map: 0 (red), π/3 (hue 1/3: green), 2π/3 (hue 2/3: blue) on top;
    // π/2 (cyan) below.
    let pref = [0.0, PI / 3.0, 2.0 * PI / 3.0, PI / 2.0, PI / 2.0, PI / 2.0];
    let sel = [1.0, 1.0, 1.0, 0.0, 0.5, 3.0];
    let p = Grid::new(&pref, 2, 3, "pref").unwrap();
    let s = Grid::new(&sel, 2, 3, "sel").unwrap();
    let img = orientation_image(p, PI, None, 4).unwrap();
    let (w, h, rgb) = roundtrip(&img);
    assert_eq!((w, h), (12, 8));
    assert_eq!(pixel(&rgb, w, 1, 1), [255, 0, 0]);
    assert_eq!(pixel(&rgb, w, 5, 2), [0, 255, 0]);
    assert_eq!(pixel(&rgb, w, 9, 3), [0, 0, 255]);
    assert_eq!(pixel(&rgb, w, 2, 6), [0, 255, 255]);
    // Selectivity as saturation: 0 gives white, 0.5 half-saturated cyan,
    // values above 1 clip to full saturation.
    let img = orientation_image(p, PI, Some((s, SelectivityChannel::Saturation)), 1).unwrap();
    assert_eq!(img.get(0, 1), Some([255, 255, 255]));
    assert_eq!(img.get(1, 1), Some([127, 255, 255]));
    assert_eq!(img.get(2, 1), Some([0, 255, 255]));
    // Selectivity as value: 0 gives black.
    let img = orientation_image(p, PI, Some((s, SelectivityChannel::Value)), 1).unwrap();
    assert_eq!(img.get(0, 1), Some([0, 0, 0]));
    assert_eq!(img.get(1, 1), Some([0, 127, 127]));
    // Mismatched selectivity shape is an error.
    let small = Grid::new(&sel[..3], 1, 3, "sel").unwrap();
    assert!(orientation_image(p, PI, Some((small, SelectivityChannel::Value)), 1).is_err());
}

#[test]
fn cf_grid_tiles_individually_normalised_weights() {
    // 2x3 grid of 5x4 CFs; CF i has a single peak at (i % 5, i % 4) and
    // values scaled by i+1 (irrelevant after per-CF normalisation).
    let cfs: Vec<Vec<f64>> = (0..6)
        .map(|i| {
            let mut w = vec![0.1 * (i + 1) as f64; 20];
            w[(i % 5) * 4 + i % 4] = (i + 1) as f64;
            w
        })
        .collect();
    let grids: Vec<Grid> = cfs
        .iter()
        .map(|w| Grid::new(w, 5, 4, "cf").unwrap())
        .collect();
    let style = CfGridStyle {
        scale: 3,
        gap: 1,
        margin: 2,
        background: [255, 0, 255],
        normalization: Normalization::Individually,
    };
    let img = cf_grid_image(&grids, 2, 3, style).unwrap();
    let (w, h, rgb) = roundtrip(&img);
    // Width: 2·margin + 3 CFs · 4·3 + 2 gaps; height: 2·2 + 2 · 5·3 + 1.
    assert_eq!((w, h), (2 * 2 + 3 * 12 + 2, 2 * 2 + 2 * 15 + 1));
    for i in 0..6u32 {
        let (gr, gc) = (i / 3, i % 3);
        let (x0, y0) = (2 + gc * 13, 2 + gr * 16);
        let (pr, pc) = (i % 5, i % 4);
        // Peak white, the rest (the CF minimum) black.
        assert_eq!(
            pixel(&rgb, w, x0 + pc * 3 + 1, y0 + pr * 3 + 1),
            [255; 3],
            "CF {i}"
        );
        let (qr, qc) = ((pr + 1) % 5, (pc + 1) % 4);
        assert_eq!(
            pixel(&rgb, w, x0 + qc * 3 + 2, y0 + qr * 3),
            [0; 3],
            "CF {i}"
        );
    }
    // Gaps and margins show the background.
    assert_eq!(pixel(&rgb, w, 2 + 12, 10), [255, 0, 255]);
    assert_eq!(pixel(&rgb, w, 10, 2 + 15), [255, 0, 255]);
    assert_eq!(pixel(&rgb, w, 0, 0), [255, 0, 255]);
    assert!(cf_grid_image(&grids, 2, 2, style).is_err());
}

#[test]
fn projection_plot_positions_follow_topographica() {
    // Bounds ±0.5, density 10: 10x10 positions at steps of 1/11, top row first.
    let g = grid_plot_coords(-0.5, -0.5, 0.5, 0.5, 10.0);
    assert_eq!((g.rows, g.cols, g.coords.len()), (10, 10, 100));
    let step = 1.0 / 11.0;
    let (x, y) = g.coords[0];
    assert!((x - (-0.5 + step)).abs() < 1e-12 && (y - (-0.5 + 10.0 * step)).abs() < 1e-12);
    let (x, y) = g.coords[99];
    assert!((x - (-0.5 + 10.0 * step)).abs() < 1e-12 && (y - (-0.5 + step)).abs() < 1e-12);
}

#[test]
fn empty_images_are_not_encoded() {
    assert!(RgbImage::filled(0, 3, [0; 3]).to_png().is_err());
}

#[test]
fn marked_points_land_on_their_units() {
    use topo_analysis::plot::mark_points;
    use topo_analysis::Extent;
    let pref = vec![0.0; 25];
    let mut img = orientation_image(Grid::new(&pref, 5, 5, "pref").unwrap(), PI, None, 10).unwrap();
    // Sheet extent ±0.5: unit (row 2, col 3) is centred at x = 0.2, y = 0.
    let ext = Extent {
        left: -0.5,
        bottom: -0.5,
        right: 0.5,
        top: 0.5,
    };
    mark_points(&mut img, &[(0.2, 0.0)], 5, 5, ext, 10, [1, 2, 3]);
    // Pixel block of unit (2, 3): x 30..40, y 20..30; its centre is marked,
    // far pixels keep the map colour (red for preference 0).
    assert_eq!(img.get(35, 25), Some([1, 2, 3]));
    assert_eq!(img.get(5, 5), Some([255, 0, 0]));
}
