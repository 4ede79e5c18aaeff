//! Shared helpers of the cf_* tests: the four reference models' projections
//! written out as `ConnectionSpec`s (as topo-lang resolves them), the
//! reference excerpts in `tests/data/cf_*.json`, and comparisons that
//! report the first difference.
#![allow(dead_code)]

use serde_json::Value as J;
use std::collections::BTreeMap;
use topo_numbergen::Streams;
use topo_pattern::coords::{BoundingBox, SheetCoords};
use topo_sim::cf::{self, ConnectionFields};
use topo_sim::exchange::Block;
use topo_sim::normalize::{joint_norm_totals, UnitFilter, WeightsOutputFn};
use topo_spec::{Component, ConnectionSpec, Value};

/// The reference folders, in `tests/data/cf_<folder>.json`.
pub const MODELS: &[&str] = &["A_gcal", "B_lissom_oo_or", "C_som_retinotopy", "D_tiny"];

/// One reference model: parsed excerpt, sheets and connection specs.
pub struct Model {
    pub folder: String,
    pub data: J,
    pub sheets: BTreeMap<String, SheetCoords>,
    pub sheet_class: BTreeMap<String, String>,
    /// `(key "Dest.Name", spec)` in the reference's projection order
    /// (the order the model creates them).
    pub conns: Vec<(String, ConnectionSpec)>,
    /// Seed words of imagen's shared numpy stream.
    pub shared_seed: Option<Vec<u32>>,
}

impl Model {
    /// Fresh streams for a build of the whole model.
    pub fn streams(&self) -> Streams {
        Streams::new(self.shared_seed.as_deref())
    }

    /// The reference entry of projection `key`.
    pub fn proj(&self, key: &str) -> &J {
        &self.data["projections"][key]
    }

    pub fn src(&self, c: &ConnectionSpec) -> &SheetCoords {
        &self.sheets[&c.src]
    }

    pub fn dest(&self, c: &ConnectionSpec) -> &SheetCoords {
        &self.sheets[&c.dest]
    }

    /// Builds every projection in order for one block per dest sheet
    /// (`block_of(dest name, rows, cols)`), with one `Streams`.
    pub fn build_all(
        &self,
        block_of: &dyn Fn(&str, usize, usize) -> Block,
    ) -> Vec<(String, ConnectionFields)> {
        let mut streams = self.streams();
        self.conns
            .iter()
            .map(|(k, c)| {
                let dest = self.dest(c);
                let block = block_of(&c.dest, dest.rows(), dest.cols());
                let cfs = cf::build(c, self.src(c), dest, block, &mut streams)
                    .unwrap_or_else(|e| panic!("{}: build {k}: {e}", self.folder));
                (k.clone(), cfs)
            })
            .collect()
    }

    /// Whole-sheet build of every projection.
    pub fn build_whole(&self) -> Vec<(String, ConnectionFields)> {
        self.build_all(&|_, r, c| Block::full(r, c))
    }

    /// What `run(0)` does to the weights: every JointNormalizingCFSheet
    /// (and SettlingCFSheet) normalises its projections grouped by
    /// `dest_port` (topo/sheet/__init__.py: `JointNormalizingCFSheet.start`,
    /// `_normalize_weights`): joint totals for a JointNormalize group,
    /// then each projection's weights_output_fns, all units. Plain CFSheets
    /// do nothing.
    pub fn start(&self, built: &mut [(String, ConnectionFields)]) {
        let mut dests: Vec<String> = Vec::new();
        for (_, c) in &self.conns {
            if !dests.contains(&c.dest) {
                dests.push(c.dest.clone());
            }
        }
        for dest in dests {
            let class = &self.sheet_class[&dest];
            if class != "SettlingCFSheet" && class != "JointNormalizingCFSheet" {
                continue;
            }
            // group key -> indices into `built`, first-seen order
            let mut groups: Vec<(Option<String>, Vec<usize>)> = Vec::new();
            for (i, (k, c)) in self.conns.iter().enumerate() {
                if c.dest != dest {
                    continue;
                }
                let key = joint_group(self.proj(k));
                match groups.iter_mut().find(|(g, _)| *g == key) {
                    Some((_, v)) => v.push(i),
                    None => groups.push((key, vec![i])),
                }
            }
            for (key, members) in groups {
                if key.is_some() {
                    let mut refs: Vec<&mut ConnectionFields> = Vec::new();
                    for (i, (_, cfs)) in built.iter_mut().enumerate() {
                        if members.contains(&i) {
                            refs.push(cfs);
                        }
                    }
                    joint_norm_totals(&mut refs, UnitFilter::all());
                }
                for i in members {
                    let fns = WeightsOutputFn::list_from_value(
                        self.conns[i].1.component.get("weights_output_fns"),
                    )
                    .unwrap();
                    for f in &fns {
                        f.apply(&mut built[i].1, UnitFilter::all());
                    }
                }
            }
        }
    }
}

/// The JointNormalize group of a projection, from its recorded dest_port
/// repr, e.g. `('Activity', 'JointNormalize', 'Afferent')`.
fn joint_group(p: &J) -> Option<String> {
    let port = p["dest_port"].as_str().unwrap();
    let parts: Vec<&str> = port
        .trim_matches(|c| c == '(' || c == ')')
        .split(',')
        .map(|s| s.trim().trim_matches('\''))
        .collect();
    if parts.len() > 2 && parts[1] == "JointNormalize" {
        Some(parts[2].to_string())
    } else {
        None
    }
}

static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// A component with the given params.
pub fn comp(class: &str, params: Vec<(&str, Value)>) -> Component {
    Component {
        class: class.to_string(),
        id: NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        params: params
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    }
}

fn f(v: f64) -> Value {
    Value::Float(v)
}

fn obj(c: Component) -> Value {
    Value::Object(Box::new(c))
}

/// An imagen pattern with PatternGenerator's defaults plus `extra`.
pub fn pattern(class: &str, name: &str, extra: Vec<(&str, Value)>) -> Component {
    let mut params: BTreeMap<String, Value> = [
        ("x", f(0.0)),
        ("y", f(0.0)),
        ("orientation", f(0.0)),
        ("size", f(1.0)),
        ("aspect_ratio", f(1.0)),
        ("scale", f(1.0)),
        ("offset", f(0.0)),
        ("output_fns", Value::List(vec![])),
        ("mask", Value::None),
        ("bounds", Value::BoundingBox([-0.5, -0.5, 0.5, 0.5])),
        ("xdensity", f(256.0)),
        ("ydensity", f(256.0)),
        ("name", Value::Str(name.to_string())),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    for (k, v) in extra {
        params.insert(k.to_string(), v);
    }
    let mut c = comp(class, vec![]);
    c.params = params;
    c
}

fn l1() -> Value {
    Value::List(vec![obj(comp(
        "imagen.transferfn.DivisiveNormalizeL1",
        vec![("norm_value", f(1.0))],
    ))])
}

fn gaussian(size: f64, normalised: bool) -> Component {
    let mut extra = vec![("size", f(size)), ("aspect_ratio", f(1.0))];
    if normalised {
        extra.push(("output_fns", l1()));
    }
    pattern("imagen.Gaussian", "Gaussian", extra)
}

fn dog(first: f64, second: f64) -> Component {
    pattern(
        "imagen.Composite",
        "Composite",
        vec![
            (
                "generators",
                Value::List(vec![
                    obj(gaussian(first, true)),
                    obj(gaussian(second, true)),
                ]),
            ),
            ("operator", Value::Function("numpy.subtract".into())),
        ],
    )
}

fn cloud(size: f64, time_dependent: bool) -> Component {
    pattern(
        "imagen.random.GaussianCloud",
        "GaussianCloud",
        vec![
            ("gaussian_size", f(size)),
            ("operator", Value::Function("numpy.multiply".into())),
            ("time_dependent", Value::Bool(time_dependent)),
        ],
    )
}

fn uniform_random() -> Component {
    pattern(
        "imagen.random.UniformRandom",
        "UniformRandom",
        vec![("time_dependent", Value::Bool(false))],
    )
}

fn disk() -> Component {
    pattern(
        "imagen.Disk",
        "Disk",
        vec![("size", f(0.375)), ("smoothing", f(0.0))],
    )
}

fn constant() -> Component {
    pattern("imagen.Constant", "Constant", vec![])
}

fn wof(class: &str, single: Option<&str>) -> Value {
    let single = match single {
        Some("DivisiveNormalizeL1") => comp(
            "imagen.transferfn.DivisiveNormalizeL1",
            vec![("norm_value", f(1.0))],
        ),
        _ => comp("topo.transferfn.IdentityTF", vec![]),
    };
    Value::List(vec![obj(comp(class, vec![("single_cf_fn", obj(single))]))])
}

/// The `(weights_generator, cf_shape, weights_output_fns)` of a reference
/// projection, as the model files define them.
fn patterns_of(folder: &str, key: &str) -> (Component, Component, Value) {
    let shared = || wof("topo.projection.CFPOF_SharedWeight", None);
    match (folder, key) {
        ("A_gcal" | "B_lissom_oo_or", "LGNOn.Afferent") => (dog(0.07385, 0.2954), disk(), shared()),
        ("A_gcal" | "B_lissom_oo_or", "LGNOff.Afferent") => {
            (dog(0.2954, 0.07385), disk(), shared())
        }
        ("A_gcal", "LGNOn.LateralGC" | "LGNOff.LateralGC") => {
            (gaussian(0.25, true), disk(), shared())
        }
        ("A_gcal", k) => {
            let l1 = wof("topo.transferfn.optimized.CFPOF_DivisiveNormalizeL1", None);
            let g = match k {
                "V1.LGNOnAfferent" | "V1.LGNOffAfferent" => cloud(0.54166, true),
                "V1.LateralExcitatory" => gaussian(0.05, false),
                "V1.LateralInhibitory" => cloud(0.15, true),
                _ => panic!("unknown projection {k}"),
            };
            (g, disk(), l1)
        }
        ("B_lissom_oo_or", k) => {
            let l1 = wof("topo.transferfn.optimized.CFPOF_DivisiveNormalizeL1", None);
            let size = match k {
                "V1.LGNOnAfferent" | "V1.LGNOffAfferent" => 0.54166,
                "V1.LateralExcitatory" => 0.20834,
                "V1.LateralInhibitory" => 0.45834,
                _ => panic!("unknown projection {k}"),
            };
            (cloud(size, false), disk(), l1)
        }
        ("C_som_retinotopy", _) => (
            uniform_random(),
            constant(),
            wof("topo.transferfn.CFPOF_Plugin", None),
        ),
        ("D_tiny", _) => (
            uniform_random(),
            constant(),
            wof("topo.transferfn.CFPOF_Plugin", Some("DivisiveNormalizeL1")),
        ),
        _ => panic!("unknown model {folder}"),
    }
}

fn lbrt(v: &J) -> [f64; 4] {
    let a: Vec<f64> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    [a[0], a[1], a[2], a[3]]
}

/// Loads a reference model.
pub fn load(folder: &str) -> Model {
    let path = format!("{}/tests/data/cf_{folder}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let data: J = serde_json::from_str(&text).unwrap();
    let mut sheets = BTreeMap::new();
    let mut sheet_class = BTreeMap::new();
    for (name, s) in data["sheets"].as_object().unwrap() {
        let nominal = BoundingBox::from_lbrt(lbrt(&s["nominal_bounds_lbrt"]));
        let density = s["nominal_density"].as_f64().unwrap();
        let scs = SheetCoords::from_nominal(nominal, density).unwrap();
        sheets.insert(name.clone(), scs);
        sheet_class.insert(name.clone(), s["class"].as_str().unwrap().to_string());
    }
    let mut conns = Vec::new();
    for key in data["projection_order"].as_array().unwrap() {
        let key = key.as_str().unwrap();
        let p = &data["projections"][key];
        let (wg, shape, wofs) = patterns_of(folder, key);
        let class = match p["class"].as_str().unwrap() {
            "SharedWeightCFProjection" => "topo.projection.SharedWeightCFProjection",
            "ResizableCFProjection" => "topo.projection.ResizableCFProjection",
            _ => "topo.projection.CFProjection",
        };
        let component = comp(
            class,
            vec![
                (
                    "nominal_bounds_template",
                    Value::BoundingBox(lbrt(&p["nominal_bounds_template_lbrt"])),
                ),
                ("weights_generator", obj(wg)),
                ("cf_shape", obj(shape)),
                ("weights_output_fns", wofs),
                ("min_matrix_radius", Value::Int(1)),
                ("autosize_mask", Value::Bool(true)),
                ("mask_threshold", f(0.5)),
                ("same_cf_shape_for_all_cfs", Value::Bool(true)),
                ("apply_output_fns_init", Value::Bool(true)),
                ("allow_null_cfs", Value::Bool(false)),
                ("hash_format", Value::Str("{name}-{src}-{dest}".into())),
                ("seed", Value::None),
                ("name", Value::Str(p["name"].as_str().unwrap().into())),
            ],
        );
        conns.push((
            key.to_string(),
            ConnectionSpec {
                src: p["src"].as_str().unwrap().into(),
                dest: p["dest"].as_str().unwrap().into(),
                name: p["name"].as_str().unwrap().into(),
                component,
            },
        ));
    }
    let shared_seed = match folder {
        // som_retinotopy.ty: imagen.random.seed((weight_seed+67, weight_seed+89))
        "C_som_retinotopy" => Some(vec![67, 89]),
        _ => None,
    };
    Model {
        folder: folder.to_string(),
        data,
        sheets,
        sheet_class,
        conns,
        shared_seed,
    }
}

/// `(row, col)` of a recorded unit.
pub fn unit_rc(u: &J) -> (usize, usize) {
    (
        u["row"].as_u64().unwrap() as usize,
        u["col"].as_u64().unwrap() as usize,
    )
}

/// A JSON matrix flattened row-major.
pub fn flat(m: &J) -> (Vec<f64>, usize, usize) {
    let rows = m.as_array().unwrap();
    let cols = rows.first().map_or(0, |r| r.as_array().unwrap().len());
    let v = rows
        .iter()
        .flat_map(|r| r.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()))
        .collect();
    (v, rows.len(), cols)
}

/// A slice `[r1, r2, c1, c2]` from JSON.
pub fn slice4(v: &J) -> [usize; 4] {
    let a: Vec<usize> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as usize)
        .collect();
    [a[0], a[1], a[2], a[3]]
}

/// Local index of dest unit `(r, c)` in a block build.
pub fn local(cfs: &ConnectionFields, r: usize, c: usize) -> usize {
    let b = cfs.dest_block;
    assert!(b.contains(r, c), "unit ({r},{c}) not in {b:?}");
    (r - b.r0) * b.cols() + (c - b.c0)
}

/// Unit `u`'s weights as f64, row-major (plain or shared).
pub fn unit_weights(cfs: &ConnectionFields, u: usize) -> Vec<f64> {
    let (rows, cols) = cfs.unit_shape(u);
    let mut v = Vec::with_capacity(rows * cols);
    for i in 0..rows {
        for j in 0..cols {
            v.push(f64::from(cfs.weight_at(u, i, j)));
        }
    }
    v
}
