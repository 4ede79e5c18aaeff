//! CF geometry against Topographica's own (tests/data/cf_*.json, from
//! reference/stages/*/geometry.json): the odd slice template and its
//! bounds, the mask template, the learning-rate divisor, every unit's
//! cropped slice and the cropped masks of the sample units. All exact:
//! these are integer slices and 0/1 masks computed by the same float
//! operations as Topographica's.

use crate::cf_support;

use cf_support::{flat, load, local, slice4, unit_rc, MODELS};

#[test]
fn sheets_match_reference() {
    for m in MODELS {
        let model = load(m);
        for (name, scs) in &model.sheets {
            let s = &model.data["sheets"][name];
            let shape: Vec<usize> = s["shape"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap() as usize)
                .collect();
            assert_eq!(
                [scs.rows(), scs.cols()],
                [shape[0], shape[1]],
                "{m} {name} shape"
            );
            assert_eq!(
                scs.xdensity(),
                s["xdensity"].as_f64().unwrap(),
                "{m} {name} xdensity"
            );
        }
    }
}

#[test]
fn templates_masks_and_divisors_match_reference() {
    for m in MODELS {
        let model = load(m);
        let built = model.build_whole();
        for (key, cfs) in &built {
            let p = model.proj(key);
            let t = &cfs.template;
            // The template may reach past the source (som_retinotopy).
            let want: Vec<i64> = p["slice_template"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_i64().unwrap())
                .collect();
            let got = vec![t.slice.r1, t.slice.r2, t.slice.c1, t.slice.c2];
            assert_eq!(got, want, "{m} {key}: slice template");
            let bt: Vec<f64> = p["bounds_template_lbrt"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
                .collect();
            assert_eq!(t.bounds.lbrt().to_vec(), bt, "{m} {key}: bounds template");
            let (mask, rows, cols) = flat(&p["mask_template"]);
            assert_eq!(
                cfs.template_shape,
                (rows, cols),
                "{m} {key}: template shape"
            );
            let ours: Vec<f64> = t.mask.iter().map(|v| f64::from(*v)).collect();
            if let Some(i) = (0..mask.len()).find(|&i| ours[i] != mask[i]) {
                panic!(
                    "{m} {key}: mask template differs first at ({}, {}): ours {} ref {}",
                    i / cols,
                    i % cols,
                    ours[i],
                    mask[i]
                );
            }
            assert_eq!(
                cfs.n_units as u64,
                p["n_units"].as_u64().unwrap(),
                "{m} {key}: n_units"
            );
        }
    }
}

#[test]
fn every_cf_slice_matches_reference() {
    for m in MODELS {
        let model = load(m);
        let built = model.build_whole();
        for (key, cfs) in &built {
            let p = model.proj(key);
            let rows: Vec<[usize; 2]> = p["cf_row_ranges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| {
                    [
                        v[0].as_u64().unwrap() as usize,
                        v[1].as_u64().unwrap() as usize,
                    ]
                })
                .collect();
            let cols: Vec<[usize; 2]> = p["cf_col_ranges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| {
                    [
                        v[0].as_u64().unwrap() as usize,
                        v[1].as_u64().unwrap() as usize,
                    ]
                })
                .collect();
            assert_eq!(cfs.len(), rows.len() * cols.len(), "{m} {key}: unit count");
            for (r, rr) in rows.iter().enumerate() {
                for (c, cc) in cols.iter().enumerate() {
                    let want = [rr[0], rr[1], cc[0], cc[1]];
                    let got = cfs.slices[local(cfs, r, c)];
                    assert_eq!(got, want, "{m} {key}: slice of unit ({r}, {c})");
                }
            }
        }
    }
}

#[test]
fn sample_unit_masks_match_reference() {
    for m in MODELS {
        let model = load(m);
        let built = model.build_whole();
        for (key, cfs) in &built {
            let p = model.proj(key);
            for (which, u) in p["units"].as_object().unwrap() {
                let (r, c) = unit_rc(u);
                let i = local(cfs, r, c);
                assert_eq!(
                    cfs.slices[i],
                    slice4(&u["slice"]),
                    "{m} {key} {which}: slice"
                );
                let (mask, _, _) = flat(&u["mask"]);
                // A shared-weight CF keeps the whole template as its mask.
                let ours: Vec<f64> = if cfs.shared.is_some() {
                    cfs.template.mask.iter().map(|v| f64::from(*v)).collect()
                } else {
                    cfs.unit_mask(i).iter().map(|v| f64::from(*v)).collect()
                };
                assert_eq!(ours.len(), mask.len(), "{m} {key} {which}: mask size");
                if let Some(k) = (0..mask.len()).find(|&k| ours[k] != mask[k]) {
                    panic!(
                        "{m} {key} {which}: mask differs first at element {k}: ours {} ref {}",
                        ours[k], mask[k]
                    );
                }
            }
        }
    }
}
