//! Shared test support: components built the way topo-lang resolves them
//! (every imagen parameter with imagen's defaults), data loading and
//! array comparison that reports the first difference.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use topo_spec::{Component, Value};

/// Builds components with unique ids, in creation order.
#[derive(Default)]
pub struct Builder {
    next_id: u64,
}

fn f(v: f64) -> Value {
    Value::Float(v)
}

impl Builder {
    /// A component of `class` with imagen's defaults overridden by `given`.
    pub fn pattern(&mut self, class: &str, given: Vec<(&str, Value)>) -> Value {
        let short = class.rsplit('.').next().unwrap();
        let mut p: BTreeMap<String, Value> = BTreeMap::new();
        let mut set = |k: &str, v: Value| {
            p.insert(k.to_string(), v);
        };
        set("bounds", Value::BoundingBox([-0.5, -0.5, 0.5, 0.5]));
        set("xdensity", f(256.0));
        set("ydensity", f(256.0));
        set("x", f(0.0));
        set("y", f(0.0));
        set("orientation", f(0.0));
        set("size", f(1.0));
        set("scale", f(1.0));
        set("offset", f(0.0));
        set("mask", Value::None);
        set("mask_shape", Value::None);
        set("output_fns", Value::List(vec![]));
        set("name", Value::Str(format!("{short}{:05}", self.next_id)));
        match short {
            "Gaussian" => {
                set("size", f(0.155));
                set("aspect_ratio", f(1.0 / 0.31));
            }
            "Disk" => {
                set("size", f(0.5));
                set("aspect_ratio", f(1.0));
                set("smoothing", f(0.1));
            }
            "Line" => {
                set("thickness", f(0.006));
                set("smoothing", f(0.05));
                set("enforce_minimal_thickness", Value::Bool(false));
            }
            "SineGrating" => {
                set("frequency", f(2.4));
                set("phase", f(0.0));
            }
            "Composite" | "SeparatedComposite" => {
                set("operator", Value::Function("numpy.maximum".into()));
                set("generators", Value::List(vec![]));
                if short == "SeparatedComposite" {
                    set("min_separation", f(0.0));
                    set("max_trials", Value::Int(50));
                }
            }
            "GaussianCloud" => {
                set("operator", Value::Function("numpy.multiply".into()));
                set("generators", Value::List(vec![]));
                set("gaussian_size", f(1.0));
                set("aspect_ratio", f(1.0));
                set("time_dependent", Value::Bool(false));
            }
            "UniformRandom" => {
                set("time_dependent", Value::Bool(false));
            }
            _ => {}
        }
        for (k, v) in given {
            p.insert(k.to_string(), v);
        }
        self.object(class, p)
    }

    /// A `numbergen.UniformRandom`.
    pub fn uniform(&mut self, lb: f64, ub: f64, seed: i64, name: &str, td: bool) -> Value {
        let p = [
            ("lbound", f(lb)),
            ("ubound", f(ub)),
            ("seed", Value::Int(seed)),
            ("name", Value::Str(name.into())),
            ("time_dependent", Value::Bool(td)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        self.object("numbergen.UniformRandom", p)
    }

    /// `0.0 + gen` as numbergen stores it.
    pub fn zero_plus(&mut self, gen: Value) -> Value {
        let name = format!("BinaryOperator{:05}", self.next_id);
        let p = [
            ("lhs", f(0.0)),
            ("rhs", gen),
            ("operator", Value::Str("add".into())),
            ("name", Value::Str(name)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        self.object("numbergen.BinaryOperator", p)
    }

    /// `imagen.transferfn.DivisiveNormalizeL1()`.
    pub fn l1(&mut self) -> Value {
        let p = [("norm_value".to_string(), f(1.0))].into_iter().collect();
        self.object("imagen.transferfn.DivisiveNormalizeL1", p)
    }

    /// A component of `class` with exactly the parameters `given` (and a
    /// name).
    pub fn object_pub(&mut self, class: &str, given: Vec<(&str, Value)>) -> Value {
        let short = class.rsplit('.').next().unwrap();
        let mut p: BTreeMap<String, Value> =
            given.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        p.insert(
            "name".into(),
            Value::Str(format!("{short}{:05}", self.next_id)),
        );
        self.object(class, p)
    }

    fn object(&mut self, class: &str, params: BTreeMap<String, Value>) -> Value {
        self.next_id += 1;
        Value::Object(Box::new(Component {
            class: class.into(),
            id: self.next_id,
            params,
        }))
    }
}

/// The component inside a `Value::Object`.
pub fn comp(v: &Value) -> &Component {
    v.as_object().expect("an object")
}

/// A JSON file from `tests/data`.
pub fn load(name: &str) -> serde_json::Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_json::from_str(&text).unwrap()
}

/// A JSON 2-D array flattened row-major, with its shape.
pub fn matrix(v: &serde_json::Value) -> (Vec<f64>, usize, usize) {
    let rows = v.as_array().unwrap();
    let cols = rows[0].as_array().unwrap().len();
    let data = rows
        .iter()
        .flat_map(|r| r.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()))
        .collect();
    (data, rows.len(), cols)
}

/// A JSON array of numbers.
pub fn floats(v: &serde_json::Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

/// Largest absolute difference; panics naming the first element beyond
/// `tol` (row, col, both values).
pub fn assert_close(label: &str, got: &[f64], want: &[f64], cols: usize, tol: f64) -> f64 {
    assert_eq!(got.len(), want.len(), "{label}: length");
    let mut worst = 0.0f64;
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        let d = (g - w).abs();
        assert!(
            d <= tol,
            "{label}: first difference beyond {tol:e} at (row {}, col {}): got {g:e}, want {w:e} (|diff| {d:e})",
            i / cols,
            i % cols
        );
        worst = worst.max(d);
    }
    worst
}

/// A wave-2 excerpt (`tests/data/wave2/<name>.json`) and its arrays
/// (`<name>.f64.gz`, little-endian float64; see `make_excerpts.py`).
pub fn wave2(name: &str) -> (serde_json::Value, Vec<f64>) {
    use std::io::Read;
    let meta = load(&format!("wave2/{name}.json"));
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/wave2")
        .join(format!("{name}.f64.gz"));
    let file = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let mut bytes = Vec::new();
    flate2::read::GzDecoder::new(file)
        .read_to_end(&mut bytes)
        .unwrap();
    let values = bytes
        .chunks_exact(8)
        .map(|b| f64::from_le_bytes(b.try_into().unwrap()))
        .collect();
    (meta, values)
}

/// The array of a wave-2 record (its `array_offset` and `array_len`).
pub fn record_array<'a>(record: &serde_json::Value, values: &'a [f64]) -> &'a [f64] {
    let off = record["array_offset"].as_u64().unwrap() as usize;
    let len = record["array_len"].as_u64().unwrap() as usize;
    &values[off..off + len]
}
