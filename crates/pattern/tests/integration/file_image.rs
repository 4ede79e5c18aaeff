//! imagen's `FileImage` against `wave2/fileimage.json` (renders by the real
//! imagen d451081 with Pillow 13.0.0): every parameter set, both densities
//! and both bounds.

use crate::common;

use common::{assert_close, comp, record_array, wave2, Builder};
use std::path::PathBuf;
use topo_numbergen::Streams;
use topo_pattern::{render_whole, BoundingBox, Overrides, SheetCoords};
use topo_spec::{Time, Value};

/// The criterion. The sampler only scales coordinates and picks
/// pixels; the one transcendental step is the rotation's sin/cos (and the
/// Disk mask's exp), which may differ from numpy's by an ulp.
const TOL: f64 = 1e-12;

fn image_path(reference_path: &str) -> String {
    let file = reference_path.rsplit('/').next().unwrap();
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/images")
        .join(file)
        .display()
        .to_string()
}

fn sampler(b: &mut Builder, spec: &serde_json::Value) -> Value {
    let wpofs: Vec<Value> = spec["whole_pattern_output_fns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            assert_eq!(n, "DivisiveNormalizeLinf");
            b.object_pub(
                "imagen.transferfn.DivisiveNormalizeLinf",
                vec![("norm_value", Value::Float(1.0))],
            )
        })
        .collect();
    let bg = match spec["background_value_fn"].as_str() {
        Some("edge_average") => Value::Function("imagen.image.edge_average".into()),
        None => Value::None,
        Some(other) => panic!("background_value_fn {other}"),
    };
    b.object_pub(
        "imagen.image.PatternSampler",
        vec![
            (
                "size_normalization",
                Value::Str(spec["size_normalization"].as_str().unwrap().into()),
            ),
            ("whole_pattern_output_fns", Value::List(wpofs)),
            ("background_value_fn", bg),
        ],
    )
}

fn file_image(b: &mut Builder, record: &serde_json::Value) -> Value {
    let mut given = vec![
        (
            "filename",
            Value::Str(image_path(record["image"].as_str().unwrap())),
        ),
        ("size", Value::Float(1.0)),
        ("aspect_ratio", Value::Float(1.0)),
        ("cache_image", Value::Bool(false)),
        ("pattern_sampler", sampler(b, &record["pattern_sampler"])),
    ];
    for (k, v) in record["params"].as_object().unwrap() {
        let v = match v {
            serde_json::Value::Bool(x) => Value::Bool(*x),
            other => Value::Float(other.as_f64().unwrap()),
        };
        given.retain(|(name, _)| name != k);
        given.push((k.as_str(), v));
    }
    if !record["mask_shape"].is_null() {
        // The reference's mask: Disk(size=0.8, smoothing=0.05), else defaults.
        let text = record["mask_shape"].as_str().unwrap();
        assert!(
            text.starts_with("Disk(")
                && text.contains("size=0.8,")
                && text.contains("smoothing=0.05,")
        );
        let disk = b.pattern(
            "imagen.Disk",
            vec![
                ("size", Value::Float(0.8)),
                ("smoothing", Value::Float(0.05)),
            ],
        );
        given.push(("mask_shape", disk));
    }
    b.pattern("imagen.image.FileImage", given)
}

#[test]
fn every_fileimage_render() {
    let (meta, values) = wave2("fileimage");
    let records = meta["records"].as_array().unwrap();
    assert_eq!(
        records.len(),
        96,
        "2 images x 12 parameter sets x 2 densities x 2 bounds"
    );
    let mut b = Builder::default();
    let mut worst = 0.0f64;
    for r in records {
        let d = r["xdensity"].as_f64().unwrap();
        assert_eq!(r["ydensity"].as_f64().unwrap(), d);
        let radius = r["bounds_radius"].as_f64().unwrap();
        let label = format!(
            "{} {} d={d} r={radius}",
            r["image"].as_str().unwrap(),
            r["case"].as_str().unwrap()
        );
        let grid = SheetCoords::exact(BoundingBox::from_radius(radius), d, d).unwrap();
        let gen = file_image(&mut b, r);
        let got = render_whole(
            comp(&gen),
            &Overrides::default(),
            &grid,
            &mut Streams::new(None),
            Time::ZERO,
        )
        .unwrap_or_else(|e| panic!("{label}: {e}"));
        let want = record_array(r, &values);
        worst = worst.max(assert_close(&label, &got, want, grid.cols(), TOL));
    }
    eprintln!("fileimage: 96 renders, max |diff| {worst:e}");
}
