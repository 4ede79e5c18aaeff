//! Feature-map collation: measure_or_pref stimulus list and
//! DSF_WeightedAverage on hand-wired units.

use std::f64::consts::PI;
use topo_analysis::{
    or_pref_features, or_pref_presentations, AnalysisError, FeatureCollector, OrPrefParams,
    DEFAULT_SELECTIVITY_MULTIPLIER,
};

fn cyclic_distance(a: f64, b: f64, range: f64) -> f64 {
    let d = (a - b).rem_euclid(range);
    d.min(range - d)
}

#[test]
fn or_pref_presentations_follow_featuremapper_order() {
    let p = or_pref_presentations(&OrPrefParams::default()).unwrap();
    assert_eq!(p.len(), 4 * 18);
    // itertools.product over [Frequency, Orientation, Phase]: phase fastest.
    for (i, s) in p.iter().enumerate() {
        let (o, ph) = (i / 18, i % 18);
        assert_eq!(s.frequency, 2.4);
        assert_eq!(s.orientation, o as f64 * (PI / 4.0));
        assert_eq!(s.phase, ph as f64 * (2.0 * PI / 18.0));
        assert_eq!(s.scale, 0.3);
        assert_eq!(s.offset, 0.0);
    }
    let f = or_pref_features(&OrPrefParams::default()).unwrap();
    let names: Vec<&str> = f.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["Frequency", "Orientation", "Phase"]);
    assert!(f[1].axis.cyclic && f[2].axis.cyclic && !f[0].axis.cyclic);
}

/// Response of a unit tuned to `theta_u` and phase `phi_u`: a first-harmonic
/// orientation tuning times a phase tuning. With 4 evenly spaced
/// orientations the vector average of a pure first harmonic is exact.
fn tuned_response(theta: f64, phase: f64, theta_u: f64, phi_u: f64, gain: f64) -> f64 {
    gain * (0.5 + 0.5 * (2.0 * (theta - theta_u)).cos()) * (0.6 + 0.4 * (phase - phi_u).cos())
}

fn collect(units: &[(f64, f64, f64)], params: &OrPrefParams) -> FeatureCollector {
    let mut col = FeatureCollector::new(or_pref_features(params).unwrap(), units.len()).unwrap();
    for s in or_pref_presentations(params).unwrap() {
        let r: Vec<f64> = units
            .iter()
            .map(|&(t, p, g)| tuned_response(s.orientation, s.phase, t, p, g))
            .collect();
        col.add(&s.feature_values(), &r).unwrap();
    }
    col
}

#[test]
fn hand_wired_orientations_are_recovered() {
    // 64 units with preferences spread over [0, π), arbitrary phases and gains.
    let units: Vec<(f64, f64, f64)> = (0..64)
        .map(|u| {
            (
                u as f64 * PI / 64.0 + 0.013,
                (u * 7 % 18) as f64 * 0.37,
                0.5 + (u % 5) as f64 * 0.2,
            )
        })
        .collect();
    let col = collect(&units, &OrPrefParams::default());
    let or = col
        .map(col.feature_index("orientation").unwrap(), 2.0)
        .unwrap();
    for (u, &(t, _, _)) in units.iter().enumerate() {
        let p = or.preference[u];
        assert!((0.0..PI).contains(&p), "preference {p} outside [0, π)");
        // Exact in exact arithmetic; 1e-9 rad allows for rounding only.
        assert!(
            cyclic_distance(p, t, PI) < 1e-9,
            "unit {u}: got {p}, wired {t}"
        );
        // The peak over phases is the same for every orientation, so the
        // tuning 0.5+0.5cos(2Δ) sampled at 4 orientations has selectivity
        // |Σ (0.5+0.5cos)e^{2iθ}| / Σ = (4·0.25) / 2 = 0.5, times the multiplier 2.
        assert!(
            (or.selectivity[u] - 1.0).abs() < 1e-9,
            "selectivity {}",
            or.selectivity[u]
        );
    }
}

#[test]
fn sharply_tuned_units_are_recovered_within_aliasing_error() {
    // Sharper tuning (von Mises with κ = 2 in 2θ) has higher harmonics
    // that 4 orientations alias onto the first: harmonic 3 (and 5) fold
    // back with relative weight (I3(2)+I5(2))/I1(2) = (0.2129+0.0098)/1.5906
    // = 0.140, so the doubled angle is off by at most asin(0.140) and the
    // orientation by half that: 0.0703 rad (4.0°).
    let kappa = 2.0;
    let params = OrPrefParams::default();
    let units: Vec<f64> = (0..90).map(|u| u as f64 * PI / 90.0).collect();
    let mut col = FeatureCollector::new(or_pref_features(&params).unwrap(), units.len()).unwrap();
    for s in or_pref_presentations(&params).unwrap() {
        let r: Vec<f64> = units
            .iter()
            .map(|&t| {
                (kappa * ((2.0 * (s.orientation - t)).cos() - 1.0)).exp() * (1.0 + s.phase.sin())
            })
            .collect();
        col.add(&s.feature_values(), &r).unwrap();
    }
    let or = col.map(1, 1.0).unwrap();
    let worst = units
        .iter()
        .zip(&or.preference)
        .map(|(&t, &p)| cyclic_distance(p, t, PI))
        .fold(0.0, f64::max);
    assert!(worst < 0.0705, "worst orientation error {worst} rad");
    // Units wired exactly at a presented orientation are recovered exactly
    // (the aliasing bias vanishes by symmetry there).
    for u in [0, 45] {
        assert!(cyclic_distance(or.preference[u], units[u], PI) < 1e-9);
    }
}

#[test]
fn any_block_gives_the_same_numbers_as_the_whole_sheet() {
    let units: Vec<(f64, f64, f64)> = (0..30)
        .map(|u| {
            (
                (u as f64 * 0.31) % PI,
                u as f64 * 0.5,
                1.0 + u as f64 * 0.01,
            )
        })
        .collect();
    let params = OrPrefParams::default();
    let whole = collect(&units, &params)
        .maps(DEFAULT_SELECTIVITY_MULTIPLIER)
        .unwrap();
    let a = collect(&units[..13], &params)
        .maps(DEFAULT_SELECTIVITY_MULTIPLIER)
        .unwrap();
    let b = collect(&units[13..], &params)
        .maps(DEFAULT_SELECTIVITY_MULTIPLIER)
        .unwrap();
    for f in 0..3 {
        let pref: Vec<f64> = a[f]
            .preference
            .iter()
            .chain(&b[f].preference)
            .cloned()
            .collect();
        let sel: Vec<f64> = a[f]
            .selectivity
            .iter()
            .chain(&b[f].selectivity)
            .cloned()
            .collect();
        // Bit-identical: each unit's statistic uses only its own values.
        assert_eq!(pref, whole[f].preference);
        assert_eq!(sel, whole[f].selectivity);
    }
}

#[test]
fn peaks_start_at_zero_and_keep_the_maximum() {
    let params = OrPrefParams::default();
    let mut col = FeatureCollector::new(or_pref_features(&params).unwrap(), 3).unwrap();
    let pres = or_pref_presentations(&params).unwrap();
    for (i, s) in pres.iter().enumerate() {
        // Unit 0 always negative; unit 1 responds only to orientation π/2
        // (peak 0.8 at one phase); unit 2 constant.
        let r1 = match (s.orientation == PI / 2.0, i % 18 == 5) {
            (true, true) => 0.8,
            (true, false) => 0.1,
            _ => 0.0,
        };
        col.add(&s.feature_values(), &[-1.0, r1, 0.25]).unwrap();
    }
    assert_eq!(col.peaks(1, 2).unwrap(), &[0.0, 0.8, 0.25]);
    assert_eq!(col.peaks(1, 0).unwrap(), &[0.0, 0.0, 0.25]);
    let or = col.map(1, 17.0).unwrap();
    // All-zero distribution: undefined direction reads as 0, selectivity 0.
    assert_eq!((or.preference[0], or.selectivity[0]), (0.0, 0.0));
    // Single active bin: preference is that bin, selectivity 1·17.
    assert!((or.preference[1] - PI / 2.0).abs() < 1e-12);
    assert!((or.selectivity[1] - 17.0).abs() < 1e-12);
    // Flat distribution: selectivity 0 (up to rounding of the vector sum).
    assert!(or.selectivity[2].abs() < 1e-12);
    // Frequency: one bin, weighted average is that bin, selectivity 1 (unless no response).
    let fr = col.map(0, 17.0).unwrap();
    assert_eq!(fr.preference, vec![0.0, 2.4, 2.4]);
    assert_eq!(fr.selectivity, vec![17.0, 17.0, 17.0]);
    // Phase of unit 1: only phase index 5 carries 0.8, the rest 0.1.
    let ph = col.map(2, 1.0).unwrap();
    assert!((ph.preference[1] - 5.0 * 2.0 * PI / 18.0).abs() < 1e-12);
}

#[test]
fn bad_presentations_are_rejected_without_side_effects() {
    let params = OrPrefParams::default();
    let mut col = FeatureCollector::new(or_pref_features(&params).unwrap(), 2).unwrap();
    let err = col.add(&[2.4, 0.3, 0.0], &[1.0, 1.0]).unwrap_err();
    assert!(
        matches!(err, AnalysisError::UnknownFeatureValue { ref feature, .. } if feature == "Orientation")
    );
    assert!(col.add(&[2.4, 0.0], &[1.0, 1.0]).is_err());
    assert!(col.add(&[2.4, 0.0, 0.0], &[1.0]).is_err());
    assert_eq!(col.peaks(0, 0).unwrap(), &[0.0, 0.0]);
    assert!(col.map(7, 1.0).is_err());
    assert!(FeatureCollector::new(Vec::new(), 4).is_err());
}

#[test]
fn maps_match_featuremapper_distribution_code() {
    // tests/data/collation_reference.json: featuremapper's own Distribution
    // and DSF_WeightedAverage run on random responses (see README there).
    let data: serde_json::Value =
        serde_json::from_str(include_str!("../data/collation_reference.json")).unwrap();
    let responses: Vec<Vec<f64>> = data["responses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r.as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
                .collect()
        })
        .collect();
    let params = OrPrefParams::default();
    let mut col =
        FeatureCollector::new(or_pref_features(&params).unwrap(), responses[0].len()).unwrap();
    for (s, r) in or_pref_presentations(&params)
        .unwrap()
        .iter()
        .zip(&responses)
    {
        col.add(&s.feature_values(), r).unwrap();
    }
    for (fi, name) in ["Frequency", "Orientation", "Phase"].iter().enumerate() {
        let ours = col.map(fi, 2.0).unwrap();
        let want = &data["maps"][name];
        let floats = |k: &str| -> Vec<f64> {
            want[k]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
                .collect()
        };
        let (pref, sel) = (floats("preference"), floats("selectivity"));
        for u in 0..pref.len() {
            // Same formulas; only the order of a few additions may differ
            // (numpy's complex inner product), so 1e-12 is ample.
            assert!(
                (ours.selectivity[u] - sel[u]).abs() < 1e-12,
                "{name} unit {u}: selectivity {} vs {}",
                ours.selectivity[u],
                sel[u]
            );
            // The direction of a zero-length vector sum (an untuned unit)
            // is rounding noise in both; compare only defined preferences.
            if sel[u] > 1e-12 {
                assert!(
                    (ours.preference[u] - pref[u]).abs() < 1e-12,
                    "{name} unit {u}: preference {} vs {}",
                    ours.preference[u],
                    pref[u]
                );
            }
        }
    }
}

/// Sine grating as imagen draws it (`0.5 + 0.5·sin(2π·f·y' + phase)` with
/// `y' = cos θ·y − sin θ·x`), times `scale`, at sheet point (x, y).
fn grating(x: f64, y: f64, s: &topo_analysis::SineGratingStimulus) -> f64 {
    let yp = s.orientation.cos() * y - s.orientation.sin() * x;
    s.scale * (0.5 + 0.5 * (2.0 * PI * s.frequency * yp + s.phase).sin())
}

#[test]
fn units_with_oriented_receptive_fields_are_recovered() {
    // A 24x24 retina over [-0.5, 0.5]²; each unit's weights are a
    // Gaussian-windowed (σ = 0.15) zero-mean sinusoid of frequency 2.4 at
    // its wired orientation and an arbitrary phase; response = rectified
    // dot product with the presented grating (a linear-nonlinear V1 cell).
    let n = 24;
    let coords: Vec<(f64, f64)> = (0..n * n)
        .map(|i| {
            (
                -0.5 + ((i % n) as f64 + 0.5) / n as f64,
                0.5 - ((i / n) as f64 + 0.5) / n as f64,
            )
        })
        .collect();
    let wired: Vec<f64> = (0..36).map(|u| u as f64 * PI / 36.0).collect();
    let weights: Vec<Vec<f64>> = wired
        .iter()
        .enumerate()
        .map(|(u, &t)| {
            let w: Vec<f64> = coords
                .iter()
                .map(|&(x, y)| {
                    let yp = t.cos() * y - t.sin() * x;
                    let env = (-(x * x + y * y) / (2.0 * 0.15f64.powi(2))).exp();
                    env * (2.0 * PI * 2.4 * yp + u as f64 * 0.7).sin()
                })
                .collect();
            let mean = w.iter().sum::<f64>() / w.len() as f64;
            w.iter().map(|v| v - mean).collect()
        })
        .collect();
    let params = OrPrefParams::default();
    let mut col = FeatureCollector::new(or_pref_features(&params).unwrap(), wired.len()).unwrap();
    for s in or_pref_presentations(&params).unwrap() {
        let image: Vec<f64> = coords.iter().map(|&(x, y)| grating(x, y, &s)).collect();
        let r: Vec<f64> = weights
            .iter()
            .map(|w| {
                w.iter()
                    .zip(&image)
                    .map(|(a, b)| a * b)
                    .sum::<f64>()
                    .max(0.0)
            })
            .collect();
        col.add(&s.feature_values(), &r).unwrap();
    }
    let or = col.map(1, 2.0).unwrap();
    let errors: Vec<f64> = wired
        .iter()
        .zip(&or.preference)
        .map(|(&t, &p)| cyclic_distance(p, t, PI))
        .collect();
    let worst = errors.iter().cloned().fold(0.0, f64::max);
    // The only error is the aliasing of the tuning curve's higher
    // harmonics by 4 orientations; for this broadly tuned RF it stays under
    // π/64 (2.8°, measured 1.3°), an eighth of the π/8 resolution of
    // picking the best presented orientation.
    assert!(worst < PI / 64.0, "worst error {worst} rad: {errors:?}");
    // At the presented orientations the aliasing cancels by symmetry.
    for u in [0, 9, 18, 27] {
        assert!(errors[u] < 1e-9, "unit {u}: {}", errors[u]);
    }
}
