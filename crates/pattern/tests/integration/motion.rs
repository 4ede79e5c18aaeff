//! imagen's `Sweeper` and `deprecated.OldSweeper` against
//! `wave2/motion.json` (renders by the real imagen d451081 at exact
//! rational simulation times): every record.

use crate::common;

use common::{assert_close, comp, record_array, wave2, Builder};
use topo_numbergen::Streams;
use topo_pattern::{render_whole, BoundingBox, Overrides, SheetCoords};
use topo_spec::{Time, Value};

/// The criterion; the patterns involve exp/sin/cos, where Rust's
/// libm and numpy's may differ by an ulp.
const TOL: f64 = 1e-12;

fn time(s: &str) -> Time {
    match s.split_once('/') {
        Some((n, d)) => Time::new(n.parse().unwrap(), d.parse().unwrap()),
        None => Time::from_int(s.parse().unwrap()),
    }
}

fn floats(obj: &serde_json::Value, skip: &[&str]) -> Vec<(String, Value)> {
    obj.as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| !skip.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), Value::Float(v.as_f64().unwrap())))
        .collect()
}

fn generator(b: &mut Builder, spec: &serde_json::Value) -> Value {
    let class = format!("imagen.{}", spec["class"].as_str().unwrap());
    let params = floats(spec, &["class"]);
    b.pattern(
        &class,
        params
            .iter()
            .map(|(k, v)| (k.as_str(), v.clone()))
            .collect(),
    )
}

fn sweeper(b: &mut Builder, r: &serde_json::Value) -> (Value, Time) {
    let gen = generator(b, &r["generator"]);
    let mut params = floats(&r["sweeper_params"], &[]);
    params.push(("generator".into(), gen));
    let (class, t) = if r["kind"] == "Sweeper" {
        ("imagen.Sweeper", time(r["time"].as_str().unwrap()))
    } else {
        assert_eq!(r["kind"], "OldSweeper");
        params.push(("step".into(), Value::Float(r["step"].as_f64().unwrap())));
        ("imagen.deprecated.OldSweeper", Time::ZERO)
    };
    let pattern = b.pattern(
        class,
        params
            .iter()
            .map(|(k, v)| (k.as_str(), v.clone()))
            .collect(),
    );
    (pattern, t)
}

#[test]
fn every_motion_render() {
    let (meta, values) = wave2("motion");
    let records = meta["records"].as_array().unwrap();
    assert_eq!(records.len(), 96);
    let mut b = Builder::default();
    let mut worst = 0.0f64;
    for r in records {
        let d = r["xdensity"].as_f64().unwrap();
        let radius = r["bounds_radius"].as_f64().unwrap();
        let (gen, t) = sweeper(&mut b, r);
        let label = format!(
            "{} {} t={t} step={} d={d} r={radius}",
            r["kind"].as_str().unwrap(),
            r["case"].as_str().unwrap(),
            r["step"]
        );
        let grid = SheetCoords::exact(BoundingBox::from_radius(radius), d, d).unwrap();
        let got = render_whole(
            comp(&gen),
            &Overrides::default(),
            &grid,
            &mut Streams::new(None),
            t,
        )
        .unwrap_or_else(|e| panic!("{label}: {e}"));
        worst = worst.max(assert_close(
            &label,
            &got,
            record_array(r, &values),
            grid.cols(),
            TOL,
        ));
    }
    eprintln!("motion: 96 renders, max |diff| {worst:e}");
}
