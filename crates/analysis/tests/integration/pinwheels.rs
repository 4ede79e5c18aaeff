//! Pinwheel counting on synthetic maps with known singularities, and the
//! contour/intersection primitives it rests on.

use crate::common;

use common::charge_map;
use std::f64::consts::PI;
use topo_analysis::{
    contour_segments, find_pinwheels, segment_intersection, Extent, Grid, Segment,
};

#[test]
fn contours_of_a_linear_field_lie_on_the_exact_line() {
    // z = x + 0.5·y − 4.3 in pixel-centre coordinates: linear interpolation
    // along edges is exact, so every vertex satisfies the line equation to
    // rounding (1e-12).
    let (rows, cols) = (7, 9);
    let ext = Extent::pixels(rows, cols);
    let z: Vec<f64> = (0..rows)
        .flat_map(|r| (0..cols).map(move |c| (r, c)))
        .map(|(r, c)| {
            let (x, y) = ext.centre(rows, cols, r as f64, c as f64);
            x + 0.5 * y - 4.3
        })
        .collect();
    let segs = contour_segments(Grid::new(&z, rows, cols, "z").unwrap(), 0.0, ext);
    // The line y = 2·(4.3 − x) crosses the 7 pixel-centre rows' band,
    // one segment per crossed cell, at least one per row of cells.
    assert!(segs.len() >= rows - 1, "{} segments", segs.len());
    for s in &segs {
        for (x, y) in [s.a, s.b] {
            assert!((x + 0.5 * y - 4.3).abs() < 1e-12);
        }
    }
}

#[test]
fn segment_crossings_use_half_open_boxes() {
    let s = |a, b| Segment { a, b, cell: (0, 0) };
    let p = segment_intersection(&s((0.0, 0.0), (1.0, 1.0)), &s((0.0, 1.0), (1.0, 0.2))).unwrap();
    // Lines y = x and y = 1 − 0.8x meet at x = 1/1.8.
    assert!((p.0 - 1.0 / 1.8).abs() < 1e-12 && (p.1 - 1.0 / 1.8).abs() < 1e-12);
    // Disjoint segments on crossing lines.
    assert!(segment_intersection(&s((0.0, 0.0), (0.4, 0.4)), &s((0.0, 1.0), (1.0, 0.2))).is_none());
    // featuremapper's slope formula never reports vertical or horizontal segments.
    assert!(segment_intersection(&s((0.5, 0.0), (0.5, 1.0)), &s((0.0, 0.2), (1.0, 0.8))).is_none());
    assert!(segment_intersection(&s((0.0, 0.5), (1.0, 0.5)), &s((0.0, 0.2), (1.0, 0.8))).is_none());
}

fn check_charges(rows: usize, cols: usize, charges: &[(f64, f64, i32)]) {
    let pref = charge_map(rows, cols, charges);
    let ext = Extent::pixels(rows, cols);
    let pw = find_pinwheels(Grid::new(&pref, rows, cols, "pref").unwrap(), PI, ext).unwrap();
    assert_eq!(pw.count(), charges.len(), "pinwheels at {:?}", pw.points);
    // Each pinwheel lies within one grid cell (diagonal √2 pixels) of a
    // charge, and each charge is matched.
    for &(r, c, _) in charges {
        let (x, y) = ext.centre(rows, cols, r, c);
        let near = pw
            .points
            .iter()
            .filter(|p| (p.0 - x).hypot(p.1 - y) < std::f64::consts::SQRT_2)
            .count();
        assert_eq!(near, 1, "charge at row {r} col {c}: points {:?}", pw.points);
    }
}

#[test]
fn single_pinwheels_of_either_sign_are_found() {
    check_charges(20, 20, &[(9.37, 10.21, 1)]);
    check_charges(20, 20, &[(9.37, 10.21, -1)]);
}

#[test]
fn known_numbers_of_pinwheels_are_counted() {
    let charges = [
        (8.3, 7.7, 1),
        (9.1, 22.4, -1),
        (20.6, 14.2, 1),
        (31.2, 6.9, -1),
        (29.7, 30.3, 1),
        (17.4, 33.8, -1),
        (5.6, 35.1, 1),
        (35.3, 19.45, -1),
    ];
    for n in [2, 5, 8] {
        check_charges(40, 42, &charges[..n]);
    }
}

#[test]
fn a_smooth_map_without_singularities_has_no_pinwheels() {
    // Orientation varying linearly across the map wraps around but never
    // has a singularity.
    let (rows, cols) = (16, 16);
    let pref: Vec<f64> = (0..rows * cols)
        .map(|i| ((i % cols) as f64 * 0.37 + (i / cols) as f64 * 0.11).rem_euclid(PI))
        .collect();
    let pw = find_pinwheels(
        Grid::new(&pref, rows, cols, "pref").unwrap(),
        PI,
        Extent::pixels(rows, cols),
    )
    .unwrap();
    assert_eq!(pw.count(), 0);
    assert!(!pw.real_contours.is_empty() && !pw.imag_contours.is_empty());
}

#[test]
fn bad_range_is_an_error() {
    let pref = vec![0.0; 4];
    let g = Grid::new(&pref, 2, 2, "pref").unwrap();
    assert!(find_pinwheels(g, 0.0, Extent::pixels(2, 2)).is_err());
    assert!(Grid::new(&pref, 3, 2, "pref").is_err());
}
