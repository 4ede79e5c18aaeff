//! Power spectrum, wavenumber spectrum, Kaschube fit and pinwheel density.

use crate::common;

use common::plane_wave_map;
use serde_json::Value;
use std::f64::consts::PI;
use topo_analysis::{
    fft_power, gamma_metric, hypercolumns, kaschube_fit, kaschube_fn, map_quality,
    wavenumber_spectrum, Grid,
};

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

#[test]
fn power_and_wavenumber_spectra_match_numpy() {
    let data: Value =
        serde_json::from_str(include_str!("../data/fft_power_reference.json")).unwrap();
    for case in data["cases"].as_array().unwrap() {
        let dim = case["dim"].as_u64().unwrap() as usize;
        let pref = floats(&case["preference"]);
        let power = fft_power(Grid::new(&pref, dim, dim, "pref").unwrap(), 0.0, PI, 1.0).unwrap();
        // Different FFT algorithms (pocketfft vs ours) agree to ~1e-15
        // relative on |X| ≤ n²; 1e-12 on the [0,1]-scaled power is ample.
        for (a, b) in power.iter().zip(floats(&case["power"])) {
            assert!((a - b).abs() < 1e-12, "dim {dim}: power {a} vs numpy {b}");
        }
        let amps = wavenumber_spectrum(&power, dim).unwrap();
        let expected = floats(&case["amplitudes"]);
        assert_eq!(amps.len(), expected.len(), "dim {dim}");
        for (a, b) in amps.iter().zip(&expected) {
            assert!(
                (a - b).abs() < 1e-12,
                "dim {dim}: amplitude {a} vs numpy {b}"
            );
        }
    }
}

#[test]
fn kaschube_fit_recovers_known_coefficients() {
    let truth = [0.4, 5.3, 1.2, 0.1, -0.003, 0.0001];
    let amps: Vec<f64> = (0..25).map(|k| kaschube_fn(k as f64, &truth)).collect();
    // featuremapper's start: [peak − mean, argmax_{k≥1}, 4, mean, 0, 0].
    let argmax = (1..amps.len()).fold(1, |b, k| if amps[k] > amps[b] { k } else { b });
    let mean = amps.iter().sum::<f64>() / amps.len() as f64;
    let fit = kaschube_fit(
        &amps,
        [amps[argmax] - mean, argmax as f64, 4.0, mean, 0.0, 0.0],
    )
    .unwrap();
    // Noise-free data: the optimum is the truth; the LM stopping
    // tolerance (1.5e-8 relative) leaves errors far below 1e-5.
    for (f, t) in fit.iter().zip(&truth) {
        assert!((f - t).abs() < 1e-5, "fit {fit:?} vs truth {truth:?}");
    }
}

#[test]
fn hypercolumn_size_of_a_periodic_map_is_recovered() {
    // Odd size avoids featuremapper's off-centre binning of even sizes.
    let dim = 65;
    for cycles in [6.0, 9.0, 12.0] {
        for seed in 1..=4 {
            let pref = plane_wave_map(dim, cycles, 24, seed);
            let hc = hypercolumns(
                Grid::new(&pref, dim, dim, "pref").unwrap(),
                0.0,
                PI,
                dim as f64,
            )
            .unwrap();
            // Wavenumber bin k averages distances [k, k+1) from DC, which
            // pulls the fitted peak below the ring radius by up to half a
            // bin; the ring of arg(z)/2 is also broadened. So kmax must lie
            // within half a bin below the true wavenumber (and not above
            // it by more than a quarter bin).
            assert!(hc.fit.is_some(), "{cycles} cycles, seed {seed}: fit failed");
            assert!(
                hc.kmax > cycles - 0.5 && hc.kmax < cycles + 0.25,
                "kmax {} for {cycles} cycles (seed {seed})",
                hc.kmax
            );
            assert!((hc.units_per_hypercolumn - dim as f64 / hc.kmax).abs() < 1e-12);
            // Density = dim units per unit length: the sheet is one unit wide,
            // so it holds kmax hypercolumns per unit length.
            assert!((hc.cycles - hc.kmax).abs() < 1e-9);
        }
    }
}

#[test]
fn plane_wave_maps_have_about_pi_pinwheels_per_hypercolumn() {
    // Random superpositions of plane waves on a ring have π pinwheels per
    // Λ² on average (Wolf & Geisel 1998). Averaged over 4 maps of 64
    // hypercolumns each the density lies within 15 % of π.
    let dim = 81;
    let mut rhos = Vec::new();
    for seed in 1..=4 {
        let pref = plane_wave_map(dim, 9.0, 32, seed);
        let q = map_quality(Grid::new(&pref, dim, dim, "pref").unwrap(), PI, dim as f64).unwrap();
        rhos.push(q.rho);
    }
    let mean = rhos.iter().sum::<f64>() / rhos.len() as f64;
    assert!((mean - PI).abs() < 0.15 * PI, "densities {rhos:?}");
}

#[test]
fn gamma_metric_peaks_at_pi() {
    assert!((gamma_metric(PI) - 1.0).abs() < 1e-15);
    assert!(gamma_metric(2.0) < 1.0 && gamma_metric(5.0) < 1.0);
    assert_eq!(gamma_metric(0.0), 0.0);
}

#[test]
fn non_square_maps_are_rejected() {
    let pref = vec![0.0; 12];
    assert!(hypercolumns(Grid::new(&pref, 3, 4, "pref").unwrap(), 0.0, PI, 1.0).is_err());
    assert!(wavenumber_spectrum(&pref, 4).is_err());
}

#[test]
fn summary_reports_the_numbers() {
    let dim = 65;
    let pref = plane_wave_map(dim, 9.0, 24, 1);
    let q = map_quality(Grid::new(&pref, dim, dim, "pref").unwrap(), PI, dim as f64).unwrap();
    let line = q.summary("V1");
    assert!(
        line.starts_with(&format!(
            "V1: {} pinwheels, kmax {:.3}",
            q.pinwheels.count(),
            q.hypercolumns.kmax
        )),
        "{line}"
    );
    assert!(line.contains(&format!("density {:.3}", q.rho)), "{line}");
    assert!((q.rho - q.pinwheels.count() as f64 / q.hypercolumns.kmax.powi(2)).abs() < 1e-12);
}
