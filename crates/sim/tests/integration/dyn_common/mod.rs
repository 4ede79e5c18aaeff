//! Shared support of the dyn_/trace_ tests: reference data loading,
//! comparisons that report the first difference, and the models they run,
//! loaded from the project's `examples/` through topo-lang (one source of
//! each model: the example file).
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use topo_spec::{Component, ModelSpec, Time, Value};

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

/// `examples/tiny.ty` with the given densities.
pub fn tiny_spec(retina_density: f64, cortex_density: f64) -> ModelSpec {
    let r = retina_density.to_string();
    let c = cortex_density.to_string();
    example_model("tiny.ty", &[("retina_density", &r), ("cortex_density", &c)])
}

/// The densities of Topographica's training tests (`args` of
/// topo/tests/data_traintests/*_DATA): cortex 8, LGN and retina 24.
pub const TRAIN_ARGS: &[(&str, &str)] = &[
    ("cortex_density", "8"),
    ("lgn_density", "24"),
    ("retina_density", "24"),
];

/// The class-based GCAL, `examples/gcal_class.ty` (Topographica's
/// models/gcal.ty as a ModelGCAL class), at [`TRAIN_ARGS`].
pub fn gcal_spec() -> ModelSpec {
    example_model("gcal_class.ty", TRAIN_ARGS)
}

/// [`gcal_spec`] as the stage data (`tests/data/stages`) were made: on
/// Topographica's numpy path, without compiled kernels, where ModelGCAL's
/// `CFPOF_DivisiveNormalize_L1_cython` falls back to the Python class
/// `CFPOF_DivisiveNormalizeL1` (topo/transferfn/optimized.py,
/// `provide_unoptimized_equivalent`). The two round differently (float32
/// multiply vs double; docs/fidelity-notes.md), so stage-by-stage checks
/// use the Python class and the traintests (made with the kernels) use
/// [`gcal_spec`].
pub fn gcal_numpy_path_spec() -> ModelSpec {
    let text = serde_json::to_string(&gcal_spec()).unwrap();
    let kernel = "\"topo.optimized.CFPOF_DivisiveNormalize_L1_cython\"";
    assert!(
        text.contains(kernel),
        "gcal_class.ty no longer names the L1 kernel"
    );
    let python = "\"topo.transferfn.optimized.CFPOF_DivisiveNormalizeL1\"";
    serde_json::from_str(&text.replace(kernel, python)).unwrap()
}

/// `examples/lissom_oo_or.ty` (Topographica's models/lissom_oo_or.ty) at
/// [`TRAIN_ARGS`].
pub fn lissom_oo_or_spec() -> ModelSpec {
    example_model("lissom_oo_or.ty", TRAIN_ARGS)
}

/// `examples/lissom_or.ty` (Topographica's models/lissom_or.ty) at cortex
/// 8, retina 24.
pub fn lissom_or_spec() -> ModelSpec {
    example_model(
        "lissom_or.ty",
        &[("cortex_density", "8"), ("retina_density", "24")],
    )
}

/// `examples/som_retinotopy.ty` (Topographica's
/// examples/som_retinotopy.ty) at cortex 8, retina 24.
pub fn som_spec() -> ModelSpec {
    example_model(
        "som_retinotopy.ty",
        &[("cortex_density", "8"), ("retina_density", "24")],
    )
}

pub mod threads;

use std::sync::{Arc, Mutex};
use topo_sim::exchange::{LocalExchange, WholeSheets};
use topo_sim::{Network, Probe};

/// One observed entry of a run.
#[derive(Debug, Clone)]
pub struct Rec {
    /// Reference-style kind.
    pub kind: &'static str,
    /// Time.
    pub time: Time,
    /// Sheet (dest sheet for deliveries).
    pub sheet: String,
    /// Settle counter before the increment.
    pub count: Option<usize>,
    /// Activity.
    pub activity: Vec<f64>,
    /// Projection activities.
    pub projections: Vec<(String, Vec<f64>)>,
}

/// Install a recorder that logs every probe.
pub fn record(net: &mut Network) -> Arc<Mutex<Vec<Rec>>> {
    let log: Arc<Mutex<Vec<Rec>>> = Arc::default();
    let l2 = log.clone();
    net.set_recorder(Some(Box::new(move |p: &Probe<'_>| {
        let r = match p {
            Probe::Activated {
                time,
                sheet,
                activation_count,
                activity,
                projections,
            } => Rec {
                kind: "activate(send_output)",
                time: *time,
                sheet: sheet.to_string(),
                count: *activation_count,
                activity: activity.to_vec(),
                projections: projections
                    .iter()
                    .map(|(n, a)| (n.to_string(), a.to_vec()))
                    .collect(),
            },
            Probe::Learned {
                time,
                sheet,
                activation_count,
                activity,
            } => Rec {
                kind: "learn(after)",
                time: *time,
                sheet: sheet.to_string(),
                count: *activation_count,
                activity: activity.to_vec(),
                projections: vec![],
            },
            Probe::Delivered { time, dest, .. } => Rec {
                kind: "deliver EPConnectionEvent",
                time: *time,
                sheet: dest.to_string(),
                count: None,
                activity: vec![],
                projections: vec![],
            },
        };
        l2.lock().unwrap().push(r);
    })));
    log
}

/// Run the first `run(1)` of `spec` and compare it entry by entry with the
/// stage data. Returns the max |diff| over all compared arrays, or a
/// description of the first diverging stage (first entry whose difference
/// exceeds `tol`, or whose kind/time/sheet differ).
pub fn first_run(spec: &ModelSpec, data: &serde_json::Value, tol: f64) -> Result<f64, String> {
    let mut ex = LocalExchange::new();
    let mut net = Network::build(spec, &WholeSheets, &mut ex).map_err(|e| e.to_string())?;
    let log = record(&mut net);
    net.run(Time::from_int(1), &mut ex)
        .map_err(|e| e.to_string())?;
    let ours = log.lock().unwrap().clone();
    let refs = data["events"].as_array().unwrap();
    let mut worst = 0.0f64;
    for (i, r) in refs.iter().enumerate() {
        let Some(o) = ours.get(i) else {
            return Err(format!(
                "entry {i}: missing (ours has {} entries)",
                ours.len()
            ));
        };
        let rs = r.get("sheet").or(r.get("dest")).unwrap().as_str().unwrap();
        let rt = time_of(r["time"].as_str().unwrap());
        if o.kind != r["kind"].as_str().unwrap() || o.time != rt || o.sheet != rs {
            return Err(format!(
                "entry {i}: expected {} {rs} at {rt}, got {} {} at {}",
                r["kind"], o.kind, o.sheet, o.time
            ));
        }
        if let Some(c) = r.get("activation_count") {
            if c.as_u64().map(|c| c as usize) != o.count {
                return Err(format!("entry {i}: activation_count {c} vs {:?}", o.count));
            }
        }
        if let Some(pa) = r.get("projection_activity").and_then(|v| v.as_object()) {
            for (name, a) in pa {
                let ours_p = o.projections.iter().find(|(n, _)| n == name);
                let Some((_, op)) = ours_p else {
                    return Err(format!("entry {i}: no projection {name}"));
                };
                let d = diff(op, a);
                worst = worst.max(d);
                if d.is_nan() || d >= tol {
                    return Err(format!(
                        "entry {i} ({} {} at {}): projection {name} max diff {d:e}",
                        o.kind, o.sheet, o.time
                    ));
                }
            }
        }
        if let Some(a) = r.get("activity") {
            let d = diff(&o.activity, a);
            worst = worst.max(d);
            if d.is_nan() || d >= tol {
                return Err(format!(
                    "entry {i} ({} {} at {}): activity max diff {d:e}",
                    o.kind, o.sheet, o.time
                ));
            }
        }
    }
    if ours.len() != refs.len() {
        return Err(format!("{} entries, reference {}", ours.len(), refs.len()));
    }
    Ok(worst)
}

/// Run to each time of the stage trace and compare `sheets` there.
/// Returns per time the max |diff| over the sheets.
pub fn stage_trace(
    spec: &ModelSpec,
    data: &serde_json::Value,
    sheets: &[&str],
) -> Result<Vec<(i64, f64)>, String> {
    let mut ex = LocalExchange::new();
    let mut net = Network::build(spec, &WholeSheets, &mut ex).map_err(|e| e.to_string())?;
    let mut times: Vec<(i64, String)> = data["trace"]
        .as_object()
        .unwrap()
        .keys()
        .map(|k| (k.parse().unwrap(), k.clone()))
        .collect();
    times.sort();
    let mut out = Vec::new();
    for (t, key) in times {
        net.run(Time::from_int(t) - net.time(), &mut ex)
            .map_err(|e| e.to_string())?;
        let mut d = 0.0f64;
        for s in sheets {
            let ds = diff(net.activity(s), &data["trace"][&key]["activity"][*s]);
            eprintln!("stage trace t={t} {s}: max |diff| {ds:e}");
            d = d.max(ds);
        }
        out.push((t, d));
    }
    Ok(out)
}

/// Run to 1, 100, 250 and compare V1 with a traintests file. Returns the
/// max |diff| per time.
pub fn traintest(
    spec: &ModelSpec,
    reference: &serde_json::Value,
) -> Result<Vec<(i64, f64)>, String> {
    let mut ex = LocalExchange::new();
    let mut net = Network::build(spec, &WholeSheets, &mut ex).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    let acts = reference["activity"].as_object().unwrap();
    let mut keys: Vec<(f64, &String)> = acts
        .keys()
        .map(|k| (k.parse::<f64>().unwrap(), k))
        .collect();
    keys.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (t, k) in keys {
        let t = t as i64;
        net.run(Time::from_int(t) - net.time(), &mut ex)
            .map_err(|e| e.to_string())?;
        let ours = net.activity("V1");
        eprintln!(
            "t={t}: ours sum {} ref sum {}",
            ours.iter().sum::<f64>(),
            flat(&acts[k]).iter().sum::<f64>()
        );
        out.push((t, diff(ours, &acts[k])));
    }
    Ok(out)
}

/// A model from the project's `examples/` through topo-lang.
pub fn example_model(file: &str, overrides: &[(&str, &str)]) -> ModelSpec {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(file);
    let ov: Vec<(String, String)> = overrides
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    topo_lang::load_model(&path, &ov).unwrap_or_else(|e| panic!("{file}: {e}"))
}
