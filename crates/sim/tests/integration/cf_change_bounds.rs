//! `ResizableCFProjection.change_bounds` (LISSOM's shrinking lateral
//! excitatory radius): no change unless the new template lies strictly
//! inside the old one; otherwise each changed CF keeps the overlapping
//! part of its weights, times its new mask, L1-renormalised (numpy float32
//! arithmetic, checked here by recomputing it independently).

use crate::cf_support;

use cf_support::{load, local};
use topo_pattern::coords::{BoundingBox, SheetCoords};
use topo_sim::cf::{self, ConnectionFields};
use topo_sim::exchange::Block;
use topo_sim::normalize::numpy_f32_abs_sum;

fn lateral(density: f64, block: Option<Block>) -> (ConnectionFields, cf_support::Model) {
    let mut model = load("B_lissom_oo_or");
    let v1 = SheetCoords::from_nominal(BoundingBox::from_radius(0.5), density).unwrap();
    model.sheets.insert("V1".into(), v1.clone());
    let (_, conn) = model
        .conns
        .iter()
        .find(|(k, _)| k == "V1.LateralExcitatory")
        .unwrap();
    let b = block.unwrap_or(Block::full(v1.rows(), v1.cols()));
    let mut streams = model.streams();
    let cfs = cf::build(conn, &v1, &v1, b, &mut streams).unwrap();
    (cfs, model)
}

fn conn(model: &cf_support::Model) -> topo_spec::ConnectionSpec {
    model
        .conns
        .iter()
        .find(|(k, _)| k == "V1.LateralExcitatory")
        .unwrap()
        .1
        .clone()
}

#[test]
fn at_minimum_radius_nothing_changes() {
    // Density 8: the 0.10417 template is already the 3x3 minimum, so the
    // scheduled radii 0.0625 and 0.04375 give the same bounds (t=100, 250).
    let (mut cfs, model) = lateral(8.0, None);
    let before = cfs.clone();
    let v1 = model.sheets["V1"].clone();
    for r in [0.0625, 0.04375] {
        let changed = cf::change_bounds(
            &mut cfs,
            &conn(&model),
            BoundingBox::from_radius(r),
            &v1,
            &v1,
        )
        .unwrap();
        assert!(!changed, "radius {r}");
        assert_eq!(cfs, before);
    }
}

#[test]
fn growing_is_refused() {
    let (mut cfs, model) = lateral(24.0, None);
    let before = cfs.clone();
    let v1 = model.sheets["V1"].clone();
    let changed = cf::change_bounds(
        &mut cfs,
        &conn(&model),
        BoundingBox::from_radius(0.3),
        &v1,
        &v1,
    )
    .unwrap();
    assert!(!changed);
    assert_eq!(cfs, before);
}

#[test]
fn shrinking_crops_masks_and_renormalises() {
    let (mut cfs, model) = lateral(24.0, None);
    let old = cfs.clone();
    let v1 = model.sheets["V1"].clone();
    assert_eq!(old.template_shape, (5, 5));
    let changed = cf::change_bounds(
        &mut cfs,
        &conn(&model),
        BoundingBox::from_radius(0.0625),
        &v1,
        &v1,
    )
    .unwrap();
    assert!(changed);
    assert_eq!(cfs.template_shape, (3, 3));
    // Disk autosized to the 3x3 bounds covers all nine units.
    assert_eq!(cfs.n_units, 9);
    let mut n_changed = 0;
    for u in 0..cfs.len() {
        let (o, n) = (old.slices[u], cfs.slices[u]);
        if o == n {
            assert_eq!(old.unit_weights(u), cfs.unit_weights(u), "unit {u} kept");
            continue;
        }
        n_changed += 1;
        let oc = o[3] - o[2];
        let mut expect: Vec<f32> = Vec::new();
        for r in n[0]..n[1] {
            for c in n[2]..n[3] {
                expect.push(old.unit_weights(u)[(r - o[0]) * oc + (c - o[2])]);
            }
        }
        for (w, m) in expect.iter_mut().zip(cfs.unit_mask(u)) {
            *w *= *m;
        }
        let s = f64::from(numpy_f32_abs_sum(&expect));
        let f = (1.0 / s) as f32;
        for w in expect.iter_mut() {
            *w *= f;
        }
        assert_eq!(cfs.unit_weights(u), &expect[..], "unit {u}");
        assert!(!cfs.has_norm_total[u]);
    }
    // 24x24 units; only the outermost ring keeps its (cropped) slice.
    assert!(n_changed > 400, "{n_changed} CFs changed");
}

#[test]
fn block_change_bounds_equals_whole() {
    let (mut whole, model) = lateral(24.0, None);
    let b = Block {
        r0: 3,
        r1: 11,
        c0: 17,
        c1: 24,
    };
    let (mut part, _) = lateral(24.0, Some(b));
    let v1 = model.sheets["V1"].clone();
    let nb = BoundingBox::from_radius(0.0625);
    cf::change_bounds(&mut whole, &conn(&model), nb, &v1, &v1).unwrap();
    cf::change_bounds(&mut part, &conn(&model), nb, &v1, &v1).unwrap();
    for r in b.r0..b.r1 {
        for c in b.c0..b.c1 {
            let (w, p) = (local(&whole, r, c), local(&part, r, c));
            assert_eq!(whole.slices[w], part.slices[p]);
            assert_eq!(whole.unit_weights(w), part.unit_weights(p), "({r},{c})");
        }
    }
}
