//! Per-unit L1 normalisation with cached totals, joint totals and the
//! active-units filter (topo/optimized/optimized.h: `divisive_normalize_l1`,
//! `compute_joint_norm_totals`; topo/sheet/__init__.py:
//! `JointNormalizingCFSheet._normalize_weights`), on the lissom_oo_or afferents.

use crate::cf_support;

use cf_support::load;
use topo_sim::cf::ConnectionFields;
use topo_sim::normalize::{divisive_l1, joint_norm_totals, numpy_f64_abs_sum, UnitFilter};

fn afferents() -> (ConnectionFields, ConnectionFields) {
    let model = load("B_lissom_oo_or");
    let mut built = model.build_whole();
    let on = built.remove(2);
    let off = built.remove(2);
    assert_eq!(on.0, "V1.LGNOnAfferent");
    assert_eq!(off.0, "V1.LGNOffAfferent");
    (on.1, off.1)
}

fn l1(cfs: &ConnectionFields, u: usize) -> f64 {
    numpy_f64_abs_sum(cfs.unit_weights(u))
}

#[test]
fn joint_normalisation_of_active_units_only() {
    let (mut on, mut off) = afferents();
    // Unbalance the two projections so that joint and individual
    // normalisation differ: double every On weight.
    for w in on.weights.iter_mut() {
        *w *= 2.0;
    }
    let (on0, off0) = (on.clone(), off.clone());
    let n = on.len();
    let activity: Vec<f64> = (0..n).map(|u| if u % 3 == 0 { 0.0 } else { 0.5 }).collect();
    let filter = UnitFilter {
        sheet_mask: None,
        active: Some(&activity),
    };
    joint_norm_totals(&mut [&mut on, &mut off], filter);
    for (u, a) in activity.iter().enumerate() {
        if *a == 0.0 {
            assert!(!on.has_norm_total[u] && !off.has_norm_total[u], "unit {u}");
        } else {
            let nt = l1(&on0, u) + l1(&off0, u);
            assert_eq!(on.norm_total[u], nt, "unit {u}");
            assert_eq!(off.norm_total[u], nt, "unit {u}");
            assert!(on.has_norm_total[u] && off.has_norm_total[u]);
        }
    }
    divisive_l1(&mut on, filter);
    divisive_l1(&mut off, filter);
    for (u, a) in activity.iter().enumerate() {
        if *a == 0.0 {
            assert_eq!(on.unit_weights(u), on0.unit_weights(u), "inactive unit {u}");
            assert_eq!(
                off.unit_weights(u),
                off0.unit_weights(u),
                "inactive unit {u}"
            );
            continue;
        }
        // The pair sums to 1 (float32 weights: to a few 1e-7) and keeps
        // the 2:1 ratio of the unbalanced input.
        let (a, b) = (l1(&on, u), l1(&off, u));
        assert!((a + b - 1.0).abs() < 1e-6, "unit {u}: {a} + {b}");
        let ratio = a / b;
        let ratio0 = l1(&on0, u) / l1(&off0, u);
        assert!((ratio - ratio0).abs() < 1e-6 * ratio0, "unit {u}");
        assert!(!on.has_norm_total[u] && !off.has_norm_total[u]);
    }
}

#[test]
fn cached_total_is_used_and_cleared() {
    let (mut on, _) = afferents();
    let before = on.clone();
    on.norm_total[0] = 4.0;
    on.has_norm_total[0] = true;
    divisive_l1(&mut on, UnitFilter::all());
    for (w, w0) in on.unit_weights(0).iter().zip(before.unit_weights(0)) {
        assert_eq!(*w, w0 * 0.25);
    }
    assert!(!on.has_norm_total[0]);
    // Unit 1 had no cached total: already normalised, it stays at L1 = 1.
    assert!((l1(&on, 1) - 1.0).abs() < 1e-6);
}

#[test]
fn sheet_mask_excludes_units() {
    let (mut on, _) = afferents();
    for w in on.weights.iter_mut() {
        *w *= 3.0;
    }
    let before = on.clone();
    let mask: Vec<f64> = (0..on.len()).map(|u| (u % 2) as f64).collect();
    divisive_l1(
        &mut on,
        UnitFilter {
            sheet_mask: Some(&mask),
            active: None,
        },
    );
    for u in 0..on.len() {
        if u % 2 == 0 {
            assert_eq!(on.unit_weights(u), before.unit_weights(u));
        } else {
            assert!((l1(&on, u) - 1.0).abs() < 1e-6);
        }
    }
}
