//! Writes one PNG of each kind to a directory (default /tmp/analysis_pngs)
//! from synthetic data, and prints the map analysis of the synthetic map:
//!
//! `cargo run -p topo-analysis --example analysis_pngs [-- DIR]`

use std::f64::consts::PI;
use std::path::PathBuf;
use topo_analysis::plot::{
    activity_image, cf_grid_image, mark_points, orientation_image, CfGridStyle, Normalization,
    SelectivityChannel,
};
use topo_analysis::{
    map_quality, or_pref_features, or_pref_presentations, Extent, FeatureCollector, Grid,
    OrPrefParams,
};

/// Orientation map from plane waves of one wavelength (`cycles` across the map).
fn plane_wave_map(dim: usize, cycles: f64) -> Vec<f64> {
    let k = 2.0 * PI * cycles / dim as f64;
    let waves: Vec<(f64, f64, f64)> = (0..12)
        .map(|j| {
            let a = PI * (j as f64 + 0.37 * ((j * 7) % 5) as f64) / 12.0;
            let s = if j % 3 == 0 { -1.0 } else { 1.0 };
            (s * k * a.cos(), s * k * a.sin(), 1.7 * j as f64)
        })
        .collect();
    (0..dim * dim)
        .map(|i| {
            let (r, c) = ((i / dim) as f64, (i % dim) as f64);
            let (mut re, mut im) = (0.0, 0.0);
            for &(kx, ky, phi) in &waves {
                re += (kx * c + ky * r + phi).cos();
                im += (kx * c + ky * r + phi).sin();
            }
            (im.atan2(re) / 2.0).rem_euclid(PI)
        })
        .collect()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/tmp/analysis_pngs"));
    std::fs::create_dir_all(&dir)?;

    // A 49x49 "V1" whose units are wired to the orientations of a
    // plane-wave map, measured the measure_or_pref way.
    let dim = 49;
    let wired = plane_wave_map(dim, 6.0);
    let params = OrPrefParams::default();
    let mut collector = FeatureCollector::new(or_pref_features(&params)?, dim * dim)?;
    for s in or_pref_presentations(&params)? {
        let responses: Vec<f64> = wired
            .iter()
            .enumerate()
            .map(|(u, &t)| {
                // An untuned baseline that grows towards the left edge
                // makes selectivity vary across the sheet.
                let base = 0.8 * (1.0 - (u % dim) as f64 / dim as f64);
                let tuning = base + (2.0 * ((2.0 * (s.orientation - t)).cos() - 1.0)).exp();
                tuning * (0.6 + 0.4 * (s.phase - 0.3 * u as f64).cos())
            })
            .collect();
        collector.add(&s.feature_values(), &responses)?;
    }
    let or = collector.map(1, 2.0)?;
    let pref = Grid::new(&or.preference, dim, dim, "preference")?;
    // Selectivity scaled into [0, 1] for display of its spatial structure.
    let sel_max = or.selectivity.iter().cloned().fold(0.0, f64::max);
    let sel: Vec<f64> = or.selectivity.iter().map(|s| s / sel_max).collect();
    let sel = Grid::new(&sel, dim, dim, "selectivity")?;

    orientation_image(pref, PI, None, 6)?.save_png(&dir.join("or_preference.png"))?;
    orientation_image(pref, PI, Some((sel, SelectivityChannel::Saturation)), 6)?
        .save_png(&dir.join("or_preference_selectivity.png"))?;

    // Activity of an 8x8 sheet to an elongated Gaussian at 45°.
    let act: Vec<f64> = (0..64)
        .map(|i| {
            let (y, x) = (3.5 - (i / 8) as f64, (i % 8) as f64 - 3.5);
            let (u, v) = ((x + y) / 2f64.sqrt(), (y - x) / 2f64.sqrt());
            (-(u * u) / (2.0 * 3.0f64.powi(2)) - v * v / (2.0 * 0.8f64.powi(2))).exp()
        })
        .collect();
    activity_image(
        Grid::new(&act, 8, 8, "activity")?,
        Normalization::Fixed { min: 0.0, max: 1.0 },
        16,
    )
    .save_png(&dir.join("activity_45d.png"))?;

    // CFs of an 8x8 sheet: 13x13 Gabor-like weights at each unit's orientation.
    let cf_dim = 13;
    let cfs: Vec<Vec<f64>> = (0..64)
        .map(|u| {
            let theta = (u as f64 * PI / 64.0 * 7.0) % PI;
            (0..cf_dim * cf_dim)
                .map(|i| {
                    let y = (cf_dim / 2) as f64 - (i / cf_dim) as f64;
                    let x = (i % cf_dim) as f64 - (cf_dim / 2) as f64;
                    // Stripes along `theta`, Gaussian envelope.
                    let across = -x * theta.sin() + y * theta.cos();
                    let env = (-(x * x + y * y) / (2.0 * 3.5f64.powi(2))).exp();
                    (env * (0.5 + 0.5 * (2.0 * PI * across / 8.0).cos())).max(0.0)
                })
                .collect()
        })
        .collect();
    let grids: Vec<Grid> = cfs
        .iter()
        .map(|w| Grid::new(w, cf_dim, cf_dim, "cf"))
        .collect::<Result<_, _>>()?;
    cf_grid_image(&grids, 8, 8, CfGridStyle::default())?.save_png(&dir.join("cf_grid.png"))?;

    let q = map_quality(pref, PI, dim as f64)?;
    let mut marked = orientation_image(pref, PI, None, 6)?;
    let extent = Extent::pixels(dim, dim);
    mark_points(
        &mut marked,
        &q.pinwheels.points,
        dim,
        dim,
        extent,
        6,
        [255, 255, 255],
    );
    marked.save_png(&dir.join("or_pinwheels.png"))?;
    println!("{} (wired: 6 cycles per map)", q.summary("synthetic V1"));
    println!("PNGs written to {}", dir.display());
    Ok(())
}
