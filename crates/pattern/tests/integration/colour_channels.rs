//! The channels of colour `FileImage`s (and of a `Selector` of them)
//! against `tests/data/colour_channels.json`, written by the independent
//! numpy + Pillow model `tests/data/colour_channels_reference.py` of
//! imagen d451081's semantics (no run of the real imagen exists for
//! colour images: the reference is that script).

use crate::common;

use common::{assert_close, comp, load, Builder};
use std::path::PathBuf;
use topo_numbergen::Streams;
use topo_pattern::{
    num_channels, render_channels, render_whole, BoundingBox, Overrides, Region, SheetCoords,
};
use topo_spec::{Time, Value};

/// The criterion for image renders. Sampling picks pixels; the
/// rotation's sin/cos may differ from numpy's by an ulp, which can move
/// a coordinate but never across a pixel edge in these cases (checked:
/// every value matches to this tolerance).
const TOL: f64 = 1e-12;

fn image_path(file: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/images")
        .join(file)
        .display()
        .to_string()
}

fn sampler(b: &mut Builder, s: &serde_json::Value) -> Value {
    let wpofs = if s["linf"].as_bool().unwrap() {
        vec![b.object_pub(
            "imagen.transferfn.DivisiveNormalizeLinf",
            vec![("norm_value", Value::Float(1.0))],
        )]
    } else {
        vec![]
    };
    let bg = if s["edge_average"].as_bool().unwrap() {
        Value::Function("imagen.image.edge_average".into())
    } else {
        Value::None
    };
    b.object_pub(
        "imagen.image.PatternSampler",
        vec![
            (
                "size_normalization",
                Value::Str(s["size_normalization"].as_str().unwrap().into()),
            ),
            ("whole_pattern_output_fns", Value::List(wpofs)),
            ("background_value_fn", bg),
        ],
    )
}

fn file_image(b: &mut Builder, r: &serde_json::Value, file: &str) -> Value {
    let mut given = vec![
        ("filename", Value::Str(image_path(file))),
        ("cache_image", Value::Bool(false)),
        ("pattern_sampler", sampler(b, &r["sampler"])),
    ];
    for (k, v) in r["params"].as_object().unwrap() {
        given.push((k.as_str(), Value::Float(v.as_f64().unwrap())));
    }
    let transforms = match r["factors"].as_array() {
        None => vec![],
        Some(f) => vec![b.object_pub(
            "imagen.image.ScaleChannels",
            vec![(
                "channel_factors",
                Value::List(
                    f.iter()
                        .map(|v| Value::Float(v.as_f64().unwrap()))
                        .collect(),
                ),
            )],
        )],
    };
    given.push(("channel_transforms", Value::List(transforms)));
    b.pattern("imagen.image.FileImage", given)
}

fn floats(v: &serde_json::Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

#[test]
fn colour_channels_match_the_reference() {
    let data = load("colour_channels.json");
    let records = data["records"].as_array().unwrap();
    assert_eq!(
        records.len(),
        56,
        "3 images x 3 cases x 3 samplers x 2 grids + 2 selector"
    );
    let mut b = Builder::default();
    let mut worst = 0.0f64;
    for r in records {
        let file = r["image"].as_str().unwrap();
        let (radius, d) = (
            r["radius"].as_f64().unwrap(),
            r["density"].as_f64().unwrap(),
        );
        let grid = SheetCoords::exact(BoundingBox::from_radius(radius), d, d).unwrap();
        let label = format!("{file} {} r={radius} d={d}", r["params"]);
        let mut gen = file_image(&mut b, r, file);
        if let Some(sel) = r["selector"].as_object() {
            let other = file_image(&mut b, r, sel["other"].as_str().unwrap());
            let num = |k: &str| Value::Float(sel[k].as_f64().unwrap());
            gen = b.pattern(
                "imagen.Selector",
                vec![
                    ("generators", Value::List(vec![other, gen])),
                    ("index", num("index")),
                    ("x", num("x")),
                    ("y", num("y")),
                    ("orientation", num("orientation")),
                    ("size", num("size")),
                    ("scale", num("scale")),
                    ("offset", num("offset")),
                ],
            );
        }
        let want_channels = r["channels"].as_array().unwrap();
        let mut streams = Streams::new(None);
        let ov = Overrides::default();
        let default = render_whole(comp(&gen), &ov, &grid, &mut streams, Time::ZERO)
            .unwrap_or_else(|e| panic!("{label}: {e}"));
        worst = worst.max(assert_close(
            &format!("{label} default"),
            &default,
            &floats(&r["default"]),
            grid.cols(),
            TOL,
        ));
        let mut outs = vec![Vec::new(); want_channels.len()];
        let whole = Region::whole(&grid);
        render_channels(
            comp(&gen),
            &ov,
            &grid,
            whole,
            &mut streams,
            Time::ZERO,
            &mut outs,
        )
        .unwrap_or_else(|e| panic!("{label}: {e}"));
        for (k, (got, want)) in outs.iter().zip(want_channels).enumerate() {
            worst = worst.max(assert_close(
                &format!("{label} channel {k}"),
                got,
                &floats(want),
                grid.cols(),
                TOL,
            ));
        }
        // A block of the grid is the same block of the whole render.
        let block = Region {
            r0: 1,
            r1: grid.rows() - 1,
            c0: 2,
            c1: grid.cols(),
        };
        let mut parts = vec![Vec::new(); want_channels.len()];
        render_channels(
            comp(&gen),
            &ov,
            &grid,
            block,
            &mut streams,
            Time::ZERO,
            &mut parts,
        )
        .unwrap();
        for (part, got) in parts.iter().zip(&outs) {
            let cut: Vec<f64> = (block.r0..block.r1)
                .flat_map(|r| got[r * grid.cols() + block.c0..r * grid.cols() + block.c1].to_vec())
                .collect();
            assert_eq!(part, &cut, "{label}: block render");
        }
    }
    eprintln!(
        "colour channels: {} records, max |diff| {worst:e}",
        records.len()
    );
}

#[test]
fn channel_counts_follow_the_pil_mode() {
    let mut b = Builder::default();
    let mut count = |file: &str| {
        let g = b.pattern(
            "imagen.image.FileImage",
            vec![("filename", Value::Str(image_path(file)))],
        );
        num_channels(comp(&g)).unwrap()
    };
    assert_eq!(count("colour_rgb.png"), 3);
    assert_eq!(count("colour_rgba.png"), 4);
    assert_eq!(count("colour.ppm"), 3);
    assert_eq!(
        count("combined01.png"),
        0,
        "a grayscale image has no channels"
    );
}

#[test]
fn too_few_channels_is_an_error() {
    let mut b = Builder::default();
    let g = b.pattern(
        "imagen.image.FileImage",
        vec![("filename", Value::Str(image_path("colour_rgb.png")))],
    );
    let grid = SheetCoords::exact(BoundingBox::from_radius(0.5), 4.0, 4.0).unwrap();
    let mut outs = vec![Vec::new(); 4];
    let e = render_channels(
        comp(&g),
        &Overrides::default(),
        &grid,
        Region::whole(&grid),
        &mut Streams::new(None),
        Time::ZERO,
        &mut outs,
    )
    .unwrap_err();
    assert!(e.to_string().contains("has 3 channels"), "{e}");
}

/// `ComposeChannels(generators=[Constant(scale=0.6)]*3,
/// channel_transforms=[ScaleChannels([2.0, 0.5, 1.0])])`: channels
/// 0.6*2 clipped to 1, 0.3, 0.6; the pattern is their mean.
#[test]
fn compose_channels_scales_clips_and_averages() {
    let mut b = Builder::default();
    let c = b.pattern("imagen.Constant", vec![("scale", Value::Float(0.6))]);
    let sc = b.object_pub(
        "imagen.image.ScaleChannels",
        vec![(
            "channel_factors",
            Value::List(vec![
                Value::Float(2.0),
                Value::Float(0.5),
                Value::Float(1.0),
            ]),
        )],
    );
    let g = b.pattern(
        "imagen.ComposeChannels",
        vec![
            ("generators", Value::List(vec![c.clone(), c.clone(), c])),
            ("channel_transforms", Value::List(vec![sc])),
        ],
    );
    let grid = SheetCoords::exact(BoundingBox::from_radius(0.5), 4.0, 4.0).unwrap();
    assert_eq!(num_channels(comp(&g)).unwrap(), 3);
    let mut s = Streams::new(None);
    let d = render_whole(comp(&g), &Overrides::default(), &grid, &mut s, Time::ZERO).unwrap();
    let mut outs = vec![Vec::new(); 3];
    render_channels(
        comp(&g),
        &Overrides::default(),
        &grid,
        Region::whole(&grid),
        &mut s,
        Time::ZERO,
        &mut outs,
    )
    .unwrap();
    let want = [1.0, 0.6 * 0.5, 0.6 * 1.0];
    for (o, w) in outs.iter().zip(want) {
        assert!(o.iter().all(|v| *v == w), "{o:?} vs {w}");
    }
    let mean = (0.0 + 1.0 + 0.6 * 0.5 + 0.6) / 3.0;
    assert!(d.iter().all(|v| *v == mean), "{d:?} vs {mean}");
}
