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
            (
                "nominal_bounds_template",
                Value::BoundingBox([-0.2, -0.2, 0.2, 0.2]),
            ),
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

pub mod threads;

#[path = "../cf_support/mod.rs"]
pub mod cf_support;

fn with(c: &ConnectionSpec, extra: Vec<(&str, Value)>) -> ConnectionSpec {
    let mut c = c.clone();
    for (k, v) in extra {
        c.component.params.insert(k.to_string(), v);
    }
    c
}

fn sheet_lbrt(data: &serde_json::Value, name: &str) -> Value {
    let v = flat(&data["sheets"][name]["nominal_bounds_lbrt"]);
    Value::BoundingBox([v[0], v[1], v[2], v[3]])
}

/// The class-based GCAL (`examples/gcal.ty`, ModelGCAL, digest §0.1) at
/// cortex density 8, LGN and retina density 24, as topo-lang resolves
/// it. The projections' CF parameters come from the cf tests' support
/// (D1's excerpt of the reference geometry); dynamics are added here.
pub fn gcal_spec() -> ModelSpec {
    use std::f64::consts::PI;
    let m = cf_support::load("A_gcal");
    let mut b = Builder { next_id: 1_000_000 };
    let mut gens = Vec::new();
    for i in 0..2i64 {
        let coord = |lb: f64, ub: f64, seed: i64, name: String, b: &mut Builder| {
            let u = b.obj(
                "numbergen.UniformRandom",
                vec![
                    ("lbound", f(lb)),
                    ("ubound", f(ub)),
                    ("seed", Value::Int(seed)),
                    ("name", Value::Str(name)),
                    ("time_dependent", Value::Bool(true)),
                ],
            );
            b.obj(
                "numbergen.BinaryOperator",
                vec![
                    ("lhs", f(0.0)),
                    ("rhs", u),
                    ("operator", Value::Str("add".into())),
                ],
            )
        };
        let x = coord(-0.75, 0.75, 12 + i, format!("XCoordinator{i}"), &mut b);
        let y = coord(-0.75, 0.75, 35 + i, format!("YCoordinator{i}"), &mut b);
        let o = coord(
            -PI,
            PI,
            21 + i,
            format!("OrientationCoordinator{i}"),
            &mut b,
        );
        gens.push(b.pattern(
            "imagen.Gaussian",
            vec![
                ("size", f(0.088388)),
                ("aspect_ratio", f(4.66667)),
                ("scale", f(0.7)),
                ("x", x),
                ("y", y),
                ("orientation", o),
            ],
        ));
    }
    let composite = b.pattern(
        "imagen.Composite",
        vec![
            ("generators", Value::List(gens)),
            ("operator", Value::Function("numpy.maximum".into())),
        ],
    );
    let retina = b.obj(
        "topo.sheet.GeneratorSheet",
        vec![
            ("nominal_bounds", sheet_lbrt(&m.data, "Retina")),
            ("nominal_density", f(24.0)),
            ("period", f(1.0)),
            ("phase", Value::Time(Time::new(1, 20))),
            ("input_generator", composite),
            ("output_fns", Value::List(vec![])),
        ],
    );
    let lgn = |b: &mut Builder, name: &str| {
        let hr = b.obj(
            "topo.transferfn.misc.HalfRectify",
            vec![
                ("t_init", f(0.0)),
                ("gain", f(1.0)),
                ("randomized_init", Value::Bool(false)),
            ],
        );
        b.obj(
            "topo.sheet.SettlingCFSheet",
            vec![
                ("nominal_bounds", sheet_lbrt(&m.data, name)),
                ("nominal_density", f(24.0)),
                ("output_fns", Value::List(vec![hr])),
                ("tsettle", Value::Int(2)),
                ("strict_tsettle", Value::Int(1)),
                ("mask_init_time", Value::Int(5)),
                ("continuous_learning", Value::Bool(false)),
                ("plastic", Value::Bool(true)),
            ],
        )
    };
    let lgn_on = lgn(&mut b, "LGNOn");
    let lgn_off = lgn(&mut b, "LGNOff");
    let hs = b.obj(
        "topo.transferfn.misc.HomeostaticResponse",
        vec![
            ("t_init", f(0.15)),
            ("target_activity", f(0.024)),
            ("learning_rate", f(0.01)),
            ("smoothing", f(0.991)),
            ("linear_slope", f(1.0)),
            ("period", f(1.0)),
            ("randomized_init", Value::Bool(false)),
        ],
    );
    let v1 = b.obj(
        "topo.sheet.SettlingCFSheet",
        vec![
            ("nominal_bounds", sheet_lbrt(&m.data, "V1")),
            ("nominal_density", f(8.0)),
            ("output_fns", Value::List(vec![hs])),
            ("tsettle", Value::Int(16)),
            ("strict_tsettle", Value::None),
            ("mask_init_time", Value::Int(5)),
            ("continuous_learning", Value::Bool(false)),
            ("plastic", Value::Bool(true)),
        ],
    );
    let conn = |key: &str| m.conns.iter().find(|(k, _)| k == key).unwrap().1.clone();
    let dp = b.obj("topo.responsefn.CFPRF_DotProduct", vec![]);
    let hebb = b.obj("topo.learningfn.CFPLF_Hebbian", vec![]);
    let ident = b.obj("topo.learningfn.CFPLF_Identity", vec![]);
    let add = |p: f64| Value::Tuple(vec![f(p), Value::Function("numpy.add".into())]);
    let dwc = b.obj(
        "topo.base.arrayutil.DivideWithConstant",
        vec![("c", f(0.11))],
    );
    let gc_group = Value::Tuple(vec![f(0.6), dwc]);
    let joint = Value::Tuple(vec![
        Value::Str("Activity".into()),
        Value::Str("JointNormalize".into()),
        Value::Str("Afferent".into()),
    ]);
    let act = Value::Str("Activity".into());
    let d = Value::Time(Time::new(1, 20));
    let dyn_params = |strength: f64, lr: f64, learn: &Value, port: &Value, group: &Value| {
        vec![
            ("delay", d.clone()),
            ("strength", f(strength)),
            ("learning_rate", f(lr)),
            ("response_fn", dp.clone()),
            ("learning_fn", learn.clone()),
            ("dest_port", port.clone()),
            ("src_port", act.clone()),
            ("activity_group", group.clone()),
        ]
    };
    let connections = vec![
        with(
            &conn("LGNOn.Afferent"),
            dyn_params(2.33, 0.0, &ident, &act, &add(0.5)),
        ),
        with(
            &conn("LGNOff.Afferent"),
            dyn_params(2.33, 0.0, &ident, &act, &add(0.5)),
        ),
        with(
            &conn("LGNOn.LateralGC"),
            dyn_params(0.6, 0.0, &ident, &act, &gc_group),
        ),
        with(
            &conn("V1.LGNOnAfferent"),
            dyn_params(1.5, 0.1, &hebb, &joint, &add(0.5)),
        ),
        with(
            &conn("LGNOff.LateralGC"),
            dyn_params(0.6, 0.0, &ident, &act, &gc_group),
        ),
        with(
            &conn("V1.LGNOffAfferent"),
            dyn_params(1.5, 0.1, &hebb, &joint, &add(0.5)),
        ),
        with(
            &conn("V1.LateralExcitatory"),
            dyn_params(1.7, 0.0, &hebb, &act, &add(0.5)),
        ),
        with(
            &conn("V1.LateralInhibitory"),
            dyn_params(-1.4, 0.3, &hebb, &act, &add(0.5)),
        ),
    ];
    ModelSpec {
        source: "gcal (built in dyn_common)".into(),
        sheets: vec![
            sheet("Retina", retina),
            sheet("LGNOn", lgn_on),
            sheet("LGNOff", lgn_off),
            sheet("V1", v1),
        ],
        connections,
        ..Default::default()
    }
}

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

use topo_spec::{ScheduledCommand, SimCommand};

/// `topo.sheet.lissom.schedule_events("topo.sim['V1']", st)` for a V1
/// whose first output function starts at `(lbi, ubi)` and whose
/// afferent projections are `aff` (ids = ars = 1, no inhibition increase).
pub fn lissom_schedule(st: f64, lbi: f64, ubi: f64, aff: &[&str]) -> Vec<ScheduledCommand> {
    let mut out = Vec::new();
    let at = |k: f64| Time::from_f64(k * st);
    let mut push = |t: Time, text: String, command: SimCommand| {
        out.push(ScheduledCommand {
            time: t,
            text,
            command,
        })
    };
    let radii = [
        (200.0, 0.0625),
        (500.0, 0.04375),
        (1000.0, 0.035),
        (2000.0, 0.028),
        (3000.0, 0.0224),
        (4000.0, 0.01344),
        (5000.0, 0.00806),
        (6500.0, 0.00484),
        (8000.0, 0.0029),
        (20000.0, 0.00174),
    ];
    for (k, r) in radii {
        push(
            at(k),
            format!("LE.change_bounds(radius={r})"),
            SimCommand::ChangeBounds {
                sheet: "V1".into(),
                projection: "LateralExcitatory".into(),
                bounds: [-r, -r, r, r],
            },
        );
    }
    for (i, (k, _)) in radii.iter().enumerate() {
        let v = if i == 0 { 0.12168 } else { 0.06084 };
        push(
            at(*k),
            format!("LE.learning_rate={v}*LE.n_units"),
            SimCommand::SetLearningRatePerUnit {
                sheet: "V1".into(),
                projection: "LateralExcitatory".into(),
                per_unit: v,
            },
        );
    }
    let n = aff.len() as f64;
    for p in aff {
        for (k, v) in [
            (500.0, 0.6850),
            (2000.0, 0.5480),
            (4000.0, 0.4110),
            (20000.0, 0.2055),
        ] {
            let lr = if aff.len() == 1 { v } else { v / n };
            push(
                at(k),
                format!("{p}.learning_rate={lr}"),
                SimCommand::SetProjectionParam {
                    sheet: "V1".into(),
                    projection: p.to_string(),
                    param: "learning_rate".into(),
                    value: Value::Float(lr),
                },
            );
        }
    }
    let bounds = [
        (200.0, 0.01, 0.01),
        (500.0, 0.02, 0.02),
        (1000.0, 0.05, 0.03),
        (2000.0, 0.08, 0.05),
        (3000.0, 0.10, 0.08),
        (4000.0, 0.10, 0.11),
        (5000.0, 0.11, 0.14),
        (6500.0, 0.12, 0.17),
        (8000.0, 0.13, 0.20),
        (20000.0, 0.14, 0.23),
    ];
    for (k, dl, du) in bounds {
        // The command text formats the values with "%5.3f".
        let lo: f64 = format!("{:5.3}", lbi + dl).trim().parse().unwrap();
        let hi: f64 = format!("{:5.3}", ubi + du).trim().parse().unwrap();
        for (param, v) in [("lower_bound", lo), ("upper_bound", hi)] {
            push(
                at(k),
                format!("V1.output_fns[0].{param}={v}"),
                SimCommand::SetOutputFnParam {
                    sheet: "V1".into(),
                    index: 0,
                    param: param.into(),
                    value: Value::Float(v),
                },
            );
        }
    }
    for k in [12000.0, 16000.0] {
        push(at(k), "pass".into(), SimCommand::Pass);
    }
    for (k, ts) in [(2000.0, 10), (5000.0, 11), (6500.0, 12), (8000.0, 13)] {
        push(
            at(k),
            format!("V1.tsettle={ts}"),
            SimCommand::SetSheetParam {
                sheet: "V1".into(),
                param: "tsettle".into(),
                value: Value::Int(ts),
            },
        );
    }
    out
}

fn lissom_inputs(b: &mut Builder, bounds: Value) -> Value {
    use std::f64::consts::PI;
    let mut gens = Vec::new();
    for i in 0..2i64 {
        let x = b.uniform(-0.75, 0.75, 12 + i);
        let y = b.uniform(-0.75, 0.75, 34 + i);
        let o = b.uniform(-PI, PI, 56 + i);
        gens.push(b.pattern(
            "imagen.Gaussian",
            vec![
                ("size", f(0.088388)),
                ("aspect_ratio", f(4.66667)),
                ("scale", f(1.0)),
                ("x", x),
                ("y", y),
                ("orientation", o),
            ],
        ));
    }
    let sep = b.pattern(
        "imagen.SeparatedComposite",
        vec![
            ("generators", Value::List(gens)),
            ("min_separation", f(2.2 * 0.27083)),
            ("max_trials", Value::Int(50)),
            ("operator", Value::Function("numpy.maximum".into())),
        ],
    );
    b.obj(
        "topo.sheet.GeneratorSheet",
        vec![
            ("nominal_bounds", bounds),
            ("nominal_density", f(24.0)),
            ("period", f(1.0)),
            ("phase", Value::Time(Time::new(1, 20))),
            ("input_generator", sep),
            ("output_fns", Value::List(vec![])),
        ],
    )
}

fn lissom_v1(b: &mut Builder, lower: f64, upper: f64) -> Value {
    let pl = b.obj(
        "topo.transferfn.PiecewiseLinear",
        vec![("lower_bound", f(lower)), ("upper_bound", f(upper))],
    );
    b.obj(
        "topo.sheet.SettlingCFSheet",
        vec![
            ("nominal_bounds", Value::BoundingBox([-0.5, -0.5, 0.5, 0.5])),
            ("nominal_density", f(8.0)),
            ("output_fns", Value::List(vec![pl])),
            ("tsettle", Value::Int(9)),
            ("strict_tsettle", Value::None),
            ("mask_init_time", Value::Int(5)),
            ("continuous_learning", Value::Bool(false)),
            ("plastic", Value::Bool(true)),
        ],
    )
}

fn dyn_params(
    b: &mut Builder,
    delay: Time,
    strength: f64,
    lr: f64,
    learns: bool,
    joint: bool,
) -> Vec<(&'static str, Value)> {
    let dp = b.obj("topo.responsefn.optimized.CFPRF_DotProduct_opt", vec![]);
    let lf = if learns {
        b.obj("topo.learningfn.optimized.CFPLF_Hebbian_opt", vec![])
    } else {
        b.obj("topo.learningfn.CFPLF_Identity", vec![])
    };
    let port = if joint {
        Value::Tuple(vec![
            Value::Str("Activity".into()),
            Value::Str("JointNormalize".into()),
            Value::Str("Afferent".into()),
        ])
    } else {
        Value::Str("Activity".into())
    };
    vec![
        ("delay", Value::Time(delay)),
        ("strength", f(strength)),
        ("learning_rate", f(lr)),
        ("response_fn", dp),
        ("learning_fn", lf),
        ("dest_port", port),
        ("src_port", Value::Str("Activity".into())),
        (
            "activity_group",
            Value::Tuple(vec![f(0.5), Value::Function("numpy.add".into())]),
        ),
    ]
}

/// `models/lissom_oo_or.ty` at cortex 8, LGN/retina 24 (digest §0.3).
pub fn lissom_oo_or_spec() -> ModelSpec {
    let m = cf_support::load("B_lissom_oo_or");
    let mut b = Builder { next_id: 2_000_000 };
    let retina = lissom_inputs(&mut b, sheet_lbrt(&m.data, "Retina"));
    let lgn = |b: &mut Builder, name: &str| {
        let pl = b.obj(
            "topo.transferfn.PiecewiseLinear",
            vec![("lower_bound", f(0.0)), ("upper_bound", f(1.0))],
        );
        b.obj(
            "topo.sheet.CFSheet",
            vec![
                ("nominal_bounds", sheet_lbrt(&m.data, name)),
                ("nominal_density", f(24.0)),
                ("output_fns", Value::List(vec![pl])),
            ],
        )
    };
    let on = lgn(&mut b, "LGNOn");
    let off = lgn(&mut b, "LGNOff");
    let v1 = lissom_v1(&mut b, 0.083, 0.633);
    let conn = |key: &str| m.conns.iter().find(|(k, _)| k == key).unwrap().1.clone();
    let d = Time::new(1, 20);
    let connections = vec![
        with(
            &conn("LGNOn.Afferent"),
            dyn_params(&mut b, d, 2.33, 0.0, false, false),
        ),
        with(
            &conn("LGNOff.Afferent"),
            dyn_params(&mut b, d, 2.33, 0.0, false, false),
        ),
        with(
            &conn("V1.LGNOnAfferent"),
            dyn_params(&mut b, d, 1.0, 0.9590 / 2.0, true, true),
        ),
        with(
            &conn("V1.LGNOffAfferent"),
            dyn_params(&mut b, d, 1.0, 0.9590 / 2.0, true, true),
        ),
        with(
            &conn("V1.LateralExcitatory"),
            dyn_params(&mut b, d, 0.9, 2.55528, true, false),
        ),
        with(
            &conn("V1.LateralInhibitory"),
            dyn_params(&mut b, d, -0.9, 1.80873, true, false),
        ),
    ];
    ModelSpec {
        source: "lissom_oo_or (built in dyn_common)".into(),
        sheets: vec![
            sheet("Retina", retina),
            sheet("LGNOn", on),
            sheet("LGNOff", off),
            sheet("V1", v1),
        ],
        connections,
        scheduled: lissom_schedule(0.5, 0.083, 0.633, &["LGNOnAfferent", "LGNOffAfferent"]),
        ..Default::default()
    }
}

/// `models/lissom_or.ty` at cortex 8, retina 24 (digest §12): the same
/// V1 as lissom_oo_or fed directly by the retina (delay 0.10).
pub fn lissom_or_spec() -> ModelSpec {
    let m = cf_support::load("B_lissom_oo_or");
    let mut b = Builder { next_id: 3_000_000 };
    let retina = lissom_inputs(&mut b, Value::BoundingBox([-0.75, -0.75, 0.75, 0.75]));
    let v1 = lissom_v1(&mut b, 0.1, 0.65);
    let conn = |key: &str| m.conns.iter().find(|(k, _)| k == key).unwrap().1.clone();
    let mut aff = conn("V1.LGNOnAfferent");
    aff.src = "Retina".into();
    aff.name = "Afferent".into();
    aff.component
        .params
        .insert("name".into(), Value::Str("Afferent".into()));
    let d = Time::new(1, 20);
    let connections = vec![
        with(
            &aff,
            dyn_params(&mut b, Time::new(1, 10), 1.0, 0.9590, true, false),
        ),
        with(
            &conn("V1.LateralExcitatory"),
            dyn_params(&mut b, d, 0.9, 2.55528, true, false),
        ),
        with(
            &conn("V1.LateralInhibitory"),
            dyn_params(&mut b, d, -0.9, 1.80873, true, false),
        ),
    ];
    ModelSpec {
        source: "lissom_or (built in dyn_common)".into(),
        sheets: vec![sheet("Retina", retina), sheet("V1", v1)],
        connections,
        scheduled: lissom_schedule(0.5, 0.1, 0.65, &["Afferent"]),
        ..Default::default()
    }
}

/// `examples/som_retinotopy.ty` at cortex 8, retina 24 (digest §12):
/// a Kohonen map with Euclidean response, KernelMax and EuclideanHebbian.
pub fn som_spec() -> ModelSpec {
    let mut b = Builder { next_id: 4_000_000 };
    let coord = |b: &mut Builder, seed: i64, name: &str| {
        b.obj(
            "numbergen.UniformRandom",
            vec![
                ("lbound", f(-0.5)),
                ("ubound", f(0.5)),
                ("seed", Value::Int(seed)),
                ("name", Value::Str(name.into())),
                ("time_dependent", Value::Bool(true)),
            ],
        )
    };
    let x = coord(&mut b, 12, "xgen");
    let y = coord(&mut b, 56, "ygen");
    let g = b.pattern(
        "imagen.Gaussian",
        vec![
            ("size", f(2.0 * (2.0f64 * 0.1 * 24.0).sqrt() / 24.0)),
            ("aspect_ratio", f(1.0)),
            ("orientation", Value::Int(0)),
            ("x", x),
            ("y", y),
        ],
    );
    let retina = b.obj(
        "topo.sheet.GeneratorSheet",
        vec![
            ("nominal_bounds", Value::BoundingBox([-0.5, -0.5, 0.5, 0.5])),
            ("nominal_density", f(24.0)),
            ("period", f(1.0)),
            ("phase", Value::Time(Time::new(1, 20))),
            ("input_generator", g),
            ("output_fns", Value::List(vec![])),
        ],
    );
    let decay = |b: &mut Builder, start: f64, tc: f64| {
        b.obj(
            "numbergen.ExponentialDecay",
            vec![
                ("starting_value", f(start)),
                ("ending_value", f(0.0)),
                ("time_constant", f(tc)),
                ("base", f(std::f64::consts::E)),
                ("time_dependent", Value::Bool(true)),
            ],
        )
    };
    let kr_decay = decay(&mut b, 1.0, 8000.0);
    let kr = b.obj(
        "numbergen.BoundedNumber",
        vec![
            ("bounds", Value::Tuple(vec![f(0.5 / 40.0), Value::None])),
            ("generator", kr_decay),
        ],
    );
    let km = b.obj(
        "topo.transferfn.misc.KernelMax",
        vec![
            ("crop_radius_multiplier", f(3.0)),
            ("density", f(8.0)),
            ("kernel_radius", kr),
        ],
    );
    let v1 = b.obj(
        "topo.sheet.CFSheet",
        vec![
            ("nominal_bounds", Value::BoundingBox([-0.5, -0.5, 0.5, 0.5])),
            ("nominal_density", f(8.0)),
            ("output_fns", Value::List(vec![km])),
        ],
    );
    let m = cf_support::load("C_som_retinotopy");
    let conn = m.conns[0].1.clone();
    let rf = b.obj("topo.responsefn.CFPRF_EuclideanDistance", vec![]);
    let lf = b.obj("topo.learningfn.CFPLF_EuclideanHebbian", vec![]);
    let lr = decay(&mut b, 0.42, 40000.0 / 6.0);
    let conn = with(
        &conn,
        vec![
            ("delay", Value::Time(Time::new(1, 20))),
            ("strength", f(1.0)),
            ("learning_rate", lr),
            ("response_fn", rf),
            ("learning_fn", lf),
            ("dest_port", Value::Str("Activity".into())),
            ("src_port", Value::Str("Activity".into())),
            (
                "activity_group",
                Value::Tuple(vec![f(0.5), Value::Function("numpy.add".into())]),
            ),
        ],
    );
    ModelSpec {
        source: "som_retinotopy (built in dyn_common)".into(),
        sheets: vec![sheet("Retina", retina), sheet("V1", v1)],
        connections: vec![conn],
        shared_random_seed: Some(vec![67, 89]),
        ..Default::default()
    }
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
