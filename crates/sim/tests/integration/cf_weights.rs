//! Initial weights against Topographica's (tests/data/cf_*.json, from
//! reference/stages/*/weights_t0.json), right after construction (each CF
//! normalised individually) and after `run(0)` (joint normalisation of the
//! afferent groups of JointNormalizing/Settling sheets).
//!
//! Tolerance: weights are float32 computed through exp/sums whose last bit
//! may differ from numpy's, so each weight must agree to 1e-6 of the
//! largest |weight| of its CF (or kernel); each unit's float64 weight sum
//! must agree to 1e-6 of the unit's L1 mass (the scale of the rounding
//! errors being summed; the DoG kernels sum to ~0, so a relative error on
//! the sum itself would be meaningless).

use crate::cf_support;

use cf_support::{flat, load, local, slice4, unit_rc, unit_weights, Model, MODELS};
use serde_json::Value as J;
use topo_sim::cf::ConnectionFields;

const TOL: f64 = 1e-6;

fn check_stage(model: &Model, built: &[(String, ConnectionFields)], stage: &str) {
    let m = &model.folder;
    // worst |ours - ref| / (tolerance scale), reported for the record
    let mut worst_w = 0.0f64;
    let mut worst_s = 0.0f64;
    for (key, cfs) in built {
        let mut e: &J = &model.proj(key)[stage];
        if e.as_str() == Some("same_as_after_construction") {
            e = &model.proj(key)["after_construction"];
        }
        if let Some(k) = e.get("shared_kernel") {
            let (want, rows, cols) = flat(k);
            let kernel = cfs.shared.as_ref().expect("shared kernel");
            assert_eq!(
                (kernel.rows, kernel.cols),
                (rows, cols),
                "{m} {key}: kernel shape"
            );
            let scale = want.iter().fold(0.0f64, |a, v| a.max(v.abs()));
            for (i, w) in want.iter().enumerate() {
                let ours = f64::from(kernel.weights[i]);
                worst_w = worst_w.max((ours - w).abs() / scale);
                assert!(
                    (ours - w).abs() <= TOL * scale,
                    "{m} {key} {stage}: kernel differs first at ({}, {}): ours {ours} ref {w}",
                    i / cols,
                    i % cols
                );
            }
        }
        if let Some(units) = e.get("units").and_then(J::as_object) {
            for (which, u) in units {
                let (r, c) = unit_rc(u);
                let i = local(cfs, r, c);
                assert_eq!(
                    cfs.slices[i],
                    slice4(&u["slice"]),
                    "{m} {key} {which}: slice"
                );
                let (want, _, cols) = flat(&u["weights"]);
                let ours = unit_weights(cfs, i);
                assert_eq!(ours.len(), want.len(), "{m} {key} {which}: CF size");
                let scale = want.iter().fold(0.0f64, |a, v| a.max(v.abs()));
                for (k, (o, w)) in ours.iter().zip(&want).enumerate() {
                    worst_w = worst_w.max((o - w).abs() / scale);
                    assert!(
                        (o - w).abs() <= TOL * scale,
                        "{m} {key} {stage} unit {which} ({r},{c}): weight ({}, {}) ours {o} ref {w}",
                        k / cols,
                        k % cols
                    );
                }
            }
        }
        let sums = e["sums"].as_array().unwrap();
        for (r, row) in sums.iter().enumerate() {
            for (c, want) in row.as_array().unwrap().iter().enumerate() {
                let want = want.as_f64().unwrap();
                let i = local(cfs, r, c);
                let ours = cfs.unit_sum(i);
                let mass: f64 = unit_weights(cfs, i).iter().map(|w| w.abs()).sum();
                worst_s = worst_s.max((ours - want).abs() / mass);
                assert!(
                    (ours - want).abs() <= TOL * mass,
                    "{m} {key} {stage}: sum of unit ({r},{c}) ours {ours} ref {want} (L1 {mass})"
                );
            }
        }
    }
    eprintln!("{m} {stage}: worst weight diff {worst_w:.2e} of CF max, worst sum diff {worst_s:.2e} of L1");
}

#[test]
fn weights_after_construction_match_reference() {
    for m in MODELS {
        let model = load(m);
        let built = model.build_whole();
        check_stage(&model, &built, "after_construction");
    }
}

#[test]
fn weights_after_start_match_reference() {
    for m in MODELS {
        let model = load(m);
        let mut built = model.build_whole();
        model.start(&mut built);
        check_stage(&model, &built, "after_start");
    }
}
