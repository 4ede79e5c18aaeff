//! The coordinate pieces CF construction is built from, checked against
//! every projection of the reference models (`tests/data/cf_templates.json`):
//! the odd slice template, its bounds, the autosized Disk (or Constant) mask
//! template, and each unit's cropped input slice. All exact.

use crate::common;

use common::{comp, floats, load, Builder};
use topo_numbergen::Streams;
use topo_pattern::{render_whole, BoundingBox, Overrides, SheetCoords, Slice};
use topo_spec::{Time, Value};

fn sheet(model: &str, name: &str) -> SheetCoords {
    let geo = load("geometry_sheets.json");
    let s = &geo["models"][model][name];
    let nb = floats(&s["nominal_bounds_lbrt"]);
    SheetCoords::from_nominal(
        BoundingBox::from_lbrt([nb[0], nb[1], nb[2], nb[3]]),
        s["nominal_density"].as_f64().unwrap(),
    )
    .unwrap()
}

fn slice(v: &serde_json::Value) -> Slice {
    let s: Vec<i64> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_i64().unwrap())
        .collect();
    Slice {
        r1: s[0],
        r2: s[1],
        c1: s[2],
        c2: s[3],
    }
}

#[test]
fn templates_masks_and_cf_slices() {
    let data = load("cf_templates.json");
    let mut checked_units = 0;
    for (key, p) in data["projections"].as_object().unwrap() {
        let model = key.split('/').next().unwrap();
        let src = sheet(model, p["src"].as_str().unwrap());
        let dest = sheet(model, p["dest"].as_str().unwrap());
        let nb = floats(&p["nominal_bounds_template_lbrt"]);
        let nominal = BoundingBox::from_lbrt([nb[0], nb[1], nb[2], nb[3]]);
        let min_radius = p["min_matrix_radius"].as_i64().unwrap();

        let template = src.odd_slice(&nominal, min_radius);
        assert_eq!(
            template,
            slice(&p["slice_template"]),
            "{key}: slice template"
        );
        let bt = src.slice2bounds(&template);
        assert_eq!(
            bt.lbrt().to_vec(),
            floats(&p["bounds_template_lbrt"]),
            "{key}: bounds template"
        );

        // _create_mask: autosize, centred on the src unit holding (0, 0),
        // rendered at t = 0, thresholded at 0.5.
        let mut b = Builder::default();
        let shape = &p["cf_shape"];
        let cf_shape = match shape["class"].as_str().unwrap() {
            "Disk" => b.pattern(
                "imagen.Disk",
                vec![(
                    "smoothing",
                    Value::Float(shape["smoothing"].as_f64().unwrap()),
                )],
            ),
            _ => b.pattern("imagen.Constant", vec![]),
        };
        let (cr, cc) = src.sheet2matrixidx(0.0, 0.0);
        let (cx, cy) = src.matrixidx2sheet(cr, cc);
        let size = bt.t - bt.b;
        let ov = Overrides {
            x: Some(cx),
            y: Some(cy),
            size: Some(size),
            aspect_ratio: Some((bt.r - bt.l) / size),
            ..Overrides::default()
        };
        let grid = SheetCoords::exact(bt, src.xdensity(), src.ydensity()).unwrap();
        let raw = render_whole(
            comp(&cf_shape),
            &ov,
            &grid,
            &mut Streams::new(None),
            Time::ZERO,
        )
        .unwrap();
        let mask: Vec<f64> = raw
            .iter()
            .map(|&m| if m >= 0.5 { m as f32 as f64 } else { 0.0 })
            .collect();
        let (want, rows, cols) = common::matrix(&p["mask_template"]);
        assert_eq!((rows, cols), grid.shape(), "{key}: mask shape");
        assert_eq!(mask, want, "{key}: mask template");

        // positionedcrop + crop_to_sheet for every unit, where recorded.
        if let Some(rows) = p.get("cf_slices") {
            let (tcx, tcy) = bt.centroid();
            let (b_row, b_col) = src.sheet2matrixidx(tcx, tcy);
            for (r, row) in rows.as_array().unwrap().iter().enumerate() {
                for (c, want) in row.as_array().unwrap().iter().enumerate() {
                    let (x, y) = dest.matrixidx2sheet(r as i64, c as i64);
                    let (cf_row, cf_col) = src.sheet2matrixidx(x, y);
                    let s = template
                        .translate(cf_row - b_row, cf_col - b_col)
                        .crop_to(src.rows(), src.cols());
                    assert_eq!(s, slice(want), "{key}: cf slice of unit ({r},{c})");
                    checked_units += 1;
                }
            }
        }
    }
    assert!(checked_units > 500, "only {checked_units} units checked");
}
