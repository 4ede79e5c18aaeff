//! Shared support of the dyn_/trace_ tests: reference data loading,
//! comparisons that report the first difference, and the tiny model
//! built as topo-lang resolves `examples/tiny.ty` (every parameter the
//! engine reads given explicitly).
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use topo_spec::{Component, ConnectionSpec, ModelSpec, SheetSpec, Time, Value};

/// A JSON file from `tests/data`.
pub fn load(name: &str) -> serde_json::Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

/// An exact time from a reference string such as "3/20" or "1".
pub fn time_of(s: &str) -> Time {
    match s.split_once('/') {
        Some((n, d)) => Time::new(n.parse().unwrap(), d.parse().unwrap()),
        None => Time::from_int(s.parse().unwrap()),
    }
}

/// Flatten nested JSON lists of numbers.
pub fn flat(v: &serde_json::Value) -> Vec<f64> {
    let mut out = Vec::new();
    fn rec(v: &serde_json::Value, out: &mut Vec<f64>) {
        match v {
            serde_json::Value::Array(a) => a.iter().for_each(|x| rec(x, out)),
            serde_json::Value::Number(n) => out.push(n.as_f64().unwrap()),
            serde_json::Value::Null => out.push(f64::NAN),
            _ => panic!("not a number: {v}"),
        }
    }
    rec(v, &mut out);
    out
}

/// Compare `ours` with a reference array (full, or the summary the
/// extraction script writes for big arrays). Returns the max |diff| found
/// (for a summary: of the sum, the abs sum and the first values).
pub fn diff(ours: &[f64], reference: &serde_json::Value) -> f64 {
    if let Some(obj) = reference.as_object() {
        let n = obj["n"].as_u64().unwrap() as usize;
        if n != ours.len() {
            return f64::INFINITY;
        }
        let sum: f64 = ours.iter().sum();
        let abssum: f64 = ours.iter().map(|v| v.abs()).sum();
        let mut d = (sum - obj["sum"].as_f64().unwrap()).abs();
        d = d.max((abssum - obj["abssum"].as_f64().unwrap()).abs());
        for (a, b) in ours.iter().zip(flat(&obj["first"])) {
            d = d.max((a - b).abs());
        }
        return d;
    }
    let r = flat(reference);
    if r.len() != ours.len() {
        return f64::INFINITY;
    }
    ours.iter()
        .zip(&r)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max)
}

/// Topographica's training-test criterion: numpy
/// `assert_array_almost_equal(decimal=6)`, i.e. |diff| < 1.5e-6.
pub const DECIMAL6: f64 = 1.5e-6;

fn f(v: f64) -> Value {
    Value::Float(v)
}

/// Builds components with unique ids, in creation order.
#[derive(Default)]
pub struct Builder {
    next_id: u64,
}

impl Builder {
    /// A component with the given parameters.
    pub fn obj(&mut self, class: &str, params: Vec<(&str, Value)>) -> Value {
        self.next_id += 1;
        let short = class.rsplit('.').next().unwrap();
        let mut p: BTreeMap<String, Value> = params
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        p.entry("name".into())
            .or_insert_with(|| Value::Str(format!("{short}{:05}", self.next_id)));
        Value::Object(Box::new(Component {
            class: class.into(),
            id: self.next_id,
            params: p,
        }))
    }

    /// An imagen pattern with imagen's defaults overridden by `given`.
    pub fn pattern(&mut self, class: &str, given: Vec<(&str, Value)>) -> Value {
        let short = class.rsplit('.').next().unwrap();
        let mut p: Vec<(&str, Value)> = vec![
            ("bounds", Value::BoundingBox([-0.5, -0.5, 0.5, 0.5])),
            ("xdensity", f(256.0)),
            ("ydensity", f(256.0)),
            ("x", f(0.0)),
            ("y", f(0.0)),
            ("orientation", f(0.0)),
            ("size", f(1.0)),
            ("scale", f(1.0)),
            ("offset", f(0.0)),
            ("mask", Value::None),
            ("mask_shape", Value::None),
            ("output_fns", Value::List(vec![])),
        ];
        match short {
            "Gaussian" => {
                p.push(("size", f(0.155)));
                p.push(("aspect_ratio", f(1.0 / 0.31)));
            }
            "UniformRandom" => p.push(("time_dependent", Value::Bool(false))),
            _ => {}
        }
        let mut m: BTreeMap<&str, Value> = p.into_iter().collect();
        for (k, v) in given {
            m.insert(k, v);
        }
        self.obj(class, m.into_iter().collect())
    }

    /// A `numbergen.UniformRandom`.
    pub fn uniform(&mut self, lb: f64, ub: f64, seed: i64) -> Value {
        self.obj(
            "numbergen.UniformRandom",
            vec![
                ("lbound", f(lb)),
                ("ubound", f(ub)),
                ("seed", Value::Int(seed)),
                ("time_dependent", Value::Bool(false)),
            ],
        )
    }
}

fn sheet(name: &str, c: Value) -> SheetSpec {
    SheetSpec {
        name: name.into(),
        component: *match c {
            Value::Object(b) => b,
            _ => unreachable!(),
        },
    }
}

/// `examples/tiny.ty` (digest §0.4) with the given densities.
pub fn tiny_spec(retina_density: f64, cortex_density: f64) -> ModelSpec {
    let mut b = Builder::default();
    let pi = std::f64::consts::PI;
    let x = b.uniform(-0.8, 0.8, 12);
    let y = b.uniform(-0.8, 0.8, 34);
    let or = b.uniform(-pi, pi, 56);
    let gauss = b.pattern(
        "imagen.Gaussian",
        vec![
            ("x", x),
            ("y", y),
            ("orientation", or),
            ("size", f(2.0 * 0.3 * 1.5 / 7.0)),
            ("aspect_ratio", f(7.0 / 1.5)),
        ],
    );
    let retina = b.obj(
        "topo.sheet.GeneratorSheet",
        vec![
            ("nominal_bounds", Value::BoundingBox([-0.6, -0.6, 0.6, 0.6])),
            ("nominal_density", f(retina_density)),
            ("period", f(1.0)),
            ("phase", Value::Time(Time::new(1, 20))),
            ("input_generator", gauss),
            ("output_fns", Value::List(vec![])),
        ],
    );
    let pl = b.obj(
        "topo.transferfn.PiecewiseLinear",
        vec![("lower_bound", f(0.0)), ("upper_bound", f(1.0))],
    );
    let v1 = b.obj(
        "topo.sheet.CFSheet",
        vec![
            ("nominal_bounds", Value::BoundingBox([-0.5, -0.5, 0.5, 0.5])),
            ("nominal_density", f(cortex_density)),
            ("output_fns", Value::List(vec![pl])),
        ],
    );
    let weights = b.pattern("imagen.random.UniformRandom", vec![]);
    let cf_shape = b.pattern("imagen.Constant", vec![]);
    let dp = b.obj("topo.responsefn.CFPRF_DotProduct", vec![]);
    let sh = b.obj("topo.learningfn.SampleHebbian", vec![]);
    let lf = b.obj("topo.learningfn.CFPLF_Plugin", vec![("single_cf_fn", sh)]);
    let l1 = b.obj(
        "imagen.transferfn.DivisiveNormalizeL1",
        vec![("norm_value", f(1.0))],
    );
    let wof = b.obj("topo.transferfn.CFPOF_Plugin", vec![("single_cf_fn", l1)]);
    let proj = b.obj(
        "topo.projection.CFProjection",
        vec![
            ("delay", Value::Time(Time::new(1, 20))),
            ("strength", f(1.0)),
            ("nominal_bounds_template", Value::BoundingBox([-0.2, -0.2, 0.2, 0.2])),
            ("weights_generator", weights),
            ("cf_shape", cf_shape),
            ("response_fn", dp),
            ("learning_fn", lf),
            ("weights_output_fns", Value::List(vec![wof])),
            ("learning_rate", f(200.0)),
            ("dest_port", Value::Str("Activity".into())),
            ("src_port", Value::Str("Activity".into())),
            (
                "activity_group",
                Value::Tuple(vec![f(0.5), Value::Function("numpy.add".into())]),
            ),
        ],
    );
    ModelSpec {
        source: "tiny (built in dyn_common)".into(),
        sheets: vec![sheet("Retina", retina), sheet("V1", v1)],
        connections: vec![ConnectionSpec {
            src: "Retina".into(),
            dest: "V1".into(),
            name: "Afferent".into(),
            component: *match proj {
                Value::Object(b) => b,
                _ => unreachable!(),
            },
        }],
        ..Default::default()
    }
}
