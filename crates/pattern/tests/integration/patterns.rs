//! Every pattern of `tests/data/patterns.json` (imagen run by Topographica)
//! reproduced by `render`.

use crate::common;

use common::{assert_close, comp, load, matrix, Builder};
use topo_numbergen::Streams;
use topo_pattern::{render_whole, BoundingBox, Overrides, SheetCoords};
use topo_spec::{Time, Value};

/// Tolerance for the reference arrays. The operations are the same as
/// numpy's, in the same order; only `exp`/`sin` may differ from the libm
/// numpy used by an ulp or so, so 1e-15 absolute on values of order 1 (the
/// L1-normalised ones are far smaller).
const TOL: f64 = 1e-15;

fn reference(label: &str) -> (Vec<f64>, usize, usize) {
    let data = load("patterns.json");
    let entry = data["patterns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["label"] == label)
        .unwrap_or_else(|| panic!("no pattern {label}"));
    matrix(&entry["array"])
}

fn grid(radius: f64) -> SheetCoords {
    SheetCoords::exact(BoundingBox::from_radius(radius), 24.0, 24.0).unwrap()
}

fn check(label: &str, gen: &Value, ov: &Overrides, radius: f64, streams: &mut Streams, t: Time) {
    let g = grid(radius);
    let (want, rows, cols) = reference(label);
    assert_eq!((g.rows(), g.cols()), (rows, cols), "{label}: shape");
    let got = render_whole(comp(gen), ov, &g, streams, t).unwrap();
    let worst = assert_close(label, &got, &want, cols, TOL);
    eprintln!("{label}: max |diff| {worst:e}");
}

fn plain(label: &str, gen: &Value, radius: f64) {
    check(
        label,
        gen,
        &Overrides::default(),
        radius,
        &mut Streams::new(None),
        Time::ZERO,
    );
}

fn f(v: f64) -> Value {
    Value::Float(v)
}

#[test]
fn gaussian_oriented() {
    let mut b = Builder::default();
    let g = b.pattern(
        "imagen.Gaussian",
        vec![
            ("size", f(0.088388)),
            ("aspect_ratio", f(4.66667)),
            ("x", f(0.1)),
            ("y", f(-0.2)),
            ("orientation", f(0.7)),
        ],
    );
    plain("gaussian_oriented", &g, 0.5);
}

#[test]
fn gaussian_l1_normalised() {
    let mut b = Builder::default();
    let l1 = b.l1();
    let g = b.pattern(
        "imagen.Gaussian",
        vec![
            ("size", f(0.07385)),
            ("aspect_ratio", f(1.0)),
            ("output_fns", Value::List(vec![l1])),
        ],
    );
    plain("gaussian_centre_L1", &g, 0.5);
}

#[test]
fn disks() {
    let mut b = Builder::default();
    let smooth = b.pattern("imagen.Disk", vec![("size", f(0.5)), ("smoothing", f(0.1))]);
    plain("disk_smooth", &smooth, 0.5);
    // The reference's comment says size 1.0, but imagen's Disk default is
    // 0.5 (its sum, 113 = a radius-6-unit disk, confirms it).
    let hard = b.pattern("imagen.Disk", vec![("smoothing", f(0.0))]);
    plain("disk_hard_13x13_default_size", &hard, 13.0 / 24.0 / 2.0);
}

#[test]
fn disk_as_cf_mask() {
    let mut b = Builder::default();
    let d = b.pattern(
        "imagen.Disk",
        vec![
            ("smoothing", f(0.0)),
            ("size", f(13.0 / 24.0)),
            ("aspect_ratio", f(1.0)),
        ],
    );
    let g = grid(0.2708333333333333);
    let ov = Overrides {
        x: Some(0.0),
        y: Some(0.0),
        ..Overrides::default()
    };
    let raw = render_whole(comp(&d), &ov, &g, &mut Streams::new(None), Time::ZERO).unwrap();
    let got: Vec<f64> = raw
        .iter()
        .map(|&m| if m >= 0.5 { m } else { 0.0 })
        .collect();
    let (want, _, cols) = reference("disk_hard_13x13_as_CF_mask");
    assert_close("disk_hard_13x13_as_CF_mask", &got, &want, cols, 0.0);
}

fn dog(b: &mut Builder, first: f64, second: f64) -> Value {
    let gauss = |b: &mut Builder, size| {
        let l1 = b.l1();
        b.pattern(
            "imagen.Gaussian",
            vec![
                ("size", f(size)),
                ("aspect_ratio", f(1.0)),
                ("output_fns", Value::List(vec![l1])),
            ],
        )
    };
    let g1 = gauss(b, first);
    let g2 = gauss(b, second);
    b.pattern(
        "imagen.Composite",
        vec![
            ("generators", Value::List(vec![g1, g2])),
            ("operator", Value::Function("numpy.subtract".into())),
        ],
    )
}

#[test]
fn difference_of_gaussians() {
    let mut b = Builder::default();
    let on = dog(&mut b, 0.07385, 0.29540);
    let off = dog(&mut b, 0.29540, 0.07385);
    plain("dog_on_24x24", &on, 0.5);
    plain("dog_off_24x24", &off, 0.5);
    plain("dog_on_19x19_LGN_kernel_grid", &on, 19.0 / 24.0 / 2.0);
}

#[test]
fn sine_grating() {
    let mut b = Builder::default();
    let g = b.pattern(
        "imagen.SineGrating",
        vec![
            ("frequency", f(2.4)),
            ("phase", f(0.5)),
            ("orientation", f(0.3)),
        ],
    );
    plain("sine_grating", &g, 0.5);
}

#[test]
fn line() {
    let mut b = Builder::default();
    let g = b.pattern(
        "imagen.Line",
        vec![
            ("thickness", f(0.02)),
            ("smoothing", f(0.05)),
            ("orientation", f(1.0)),
        ],
    );
    plain("line", &g, 0.5);
}

#[test]
fn constant() {
    let mut b = Builder::default();
    let g = b.pattern("imagen.Constant", vec![]);
    plain("constant", &g, 0.5);
}

#[test]
fn gaussian_cloud_shared_stream() {
    let mut b = Builder::default();
    let g = b.pattern(
        "imagen.random.GaussianCloud",
        vec![("gaussian_size", f(0.54166))],
    );
    plain("gaussian_cloud_non_time_dependent", &g, 0.5);
}

#[test]
fn gaussian_cloud_time_dependent() {
    let mut b = Builder::default();
    let g = b.pattern(
        "imagen.random.GaussianCloud",
        vec![
            ("gaussian_size", f(0.54166)),
            ("time_dependent", Value::Bool(true)),
        ],
    );
    let ov = Overrides {
        name: Some("GaussianCloudRef".into()),
        ..Overrides::default()
    };
    // The shared stream must not matter: start it anywhere.
    let mut streams = Streams::new(Some(&[1, 2, 3]));
    check(
        "gaussian_cloud_time_dependent",
        &g,
        &ov,
        0.5,
        &mut streams,
        Time::ZERO,
    );
    assert_eq!(
        streams,
        Streams::new(Some(&[1, 2, 3])),
        "shared stream used"
    );
}
