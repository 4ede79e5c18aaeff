//! Golden checks: every example's spec against Topographica's own
//! construction of the same model (excerpts in tests/data, see README).
//! All numbers compare exactly: both sides are the same Python literals
//! and the same IEEE operations on them (e.g. 0.5+0.27083+0.375+0.5), so
//! any difference is a real divergence.

use crate::common;
use common::*;
use serde_json::Value as J;
use std::collections::BTreeSet;
use topo_spec::{ModelSpec, Value};

const KEYS: &[&str] = &[
    "size",
    "gaussian_size",
    "aspect_ratio",
    "scale",
    "offset",
    "smoothing",
    "min_separation",
    "lower_bound",
    "upper_bound",
    "t_init",
    "target_activity",
    "learning_rate",
    "c",
    "starting_value",
    "time_constant",
    "seed",
    "lbound",
    "ubound",
];

fn data(name: &str) -> J {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn short(class: &str) -> &str {
    class.rsplit('.').next().unwrap()
}

/// Topographica names the cython/opt variants and AdaptiveThreshold
/// differently; the spec uses one canonical class each, except for the
/// L1 normalisation, whose C kernels round differently from the Python
/// class and keep their names. The stage data were recorded on
/// Topographica's numpy path, where a missing weave binds the `_opt` name
/// to the Python class (`provide_unoptimized_equivalent`), so their reprs
/// cannot tell the L1 variants apart: both sides are compared by family.
fn canonical_short(py: &str) -> &str {
    match py {
        "CFPRF_DotProduct_cython" | "CFPRF_DotProduct_opt" => "CFPRF_DotProduct",
        "CFPLF_Hebbian_cython" | "CFPLF_Hebbian_opt" => "CFPLF_Hebbian",
        "CFPOF_DivisiveNormalize_L1_cython" | "CFPOF_DivisiveNormalizeL1_opt" => {
            "CFPOF_DivisiveNormalizeL1"
        }
        "CFPRF_EuclideanDistance_opt" => "CFPRF_EuclideanDistance",
        other => other,
    }
}

/// For every key the reference repr shows, our tree must hold exactly the
/// same set of values for that key.
fn same_numbers(what: &str, ours: &Value, reference: &J) {
    let mut mine = Vec::new();
    numbers(ours, KEYS, &mut mine);
    let theirs: Vec<(String, f64)> = reference
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p[0].as_str().unwrap().to_string(), p[1].as_f64().unwrap()))
        .collect();
    let keys: BTreeSet<&str> = theirs.iter().map(|(k, _)| k.as_str()).collect();
    for k in keys {
        let set = |v: &[(String, f64)]| -> BTreeSet<u64> {
            v.iter()
                .filter(|(kk, _)| kk == k)
                .map(|(_, x)| x.to_bits())
                .collect()
        };
        assert_eq!(
            set(&mine),
            set(&theirs),
            "{what}: values of '{k}' differ: ours {:?} reference {:?}",
            mine,
            theirs
        );
    }
}

/// A port as Topographica's reference data writes it: Python's `repr`.
fn py_repr_port(v: &Value) -> String {
    assert!(
        matches!(v, Value::Str(_) | Value::Tuple(_)),
        "unexpected port {v:?}"
    );
    topo_spec::pyfmt::repr(v)
}

fn check(spec: &ModelSpec, reference: &J) {
    for rs in reference["sheets"].as_array().unwrap() {
        let name = rs["name"].as_str().unwrap();
        let c = sheet(spec, name);
        assert_eq!(
            short(&c.class),
            rs["class"].as_str().unwrap(),
            "{name} class"
        );
        let b: Vec<f64> = rs["nominal_bounds_lbrt"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect();
        assert_eq!(
            c.get("nominal_bounds"),
            Some(&Value::BoundingBox([b[0], b[1], b[2], b[3]])),
            "{name} bounds"
        );
        assert_eq!(
            c.f64("nominal_density"),
            rs["nominal_density"].as_f64(),
            "{name} density"
        );
        assert_eq!(
            c.f64("precedence"),
            rs["precedence"].as_f64(),
            "{name} precedence"
        );
        for k in ["period", "phase", "tsettle", "mask_init_time"] {
            if let Some(x) = rs.get(k) {
                assert_eq!(c.f64(k), x.as_f64(), "{name}.{k}");
            }
        }
        if let Some(Value::Time(t)) = c.get("phase") {
            assert_eq!(
                (t.numer(), t.denom()),
                (1, 20),
                "{name} phase is exactly 1/20"
            );
        }
        for k in ["plastic", "continuous_learning"] {
            if let Some(x) = rs.get(k) {
                assert_eq!(c.get(k).and_then(Value::as_bool), x.as_bool(), "{name}.{k}");
            }
        }
        if let Some(x) = rs.get("strict_tsettle") {
            match x.as_i64() {
                Some(i) => assert_eq!(c.get("strict_tsettle"), Some(&Value::Int(i))),
                None => assert_eq!(c.get("strict_tsettle"), Some(&Value::None)),
            }
        }
        let ofns = c.get("output_fns").and_then(Value::as_seq).unwrap();
        let rof = rs["output_fns_numbers"].as_array().unwrap();
        assert_eq!(ofns.len(), rof.len(), "{name} output_fns count");
        for (o, r) in ofns.iter().zip(rof) {
            same_numbers(&format!("{name} output fn"), o, r);
        }
        if let Some(r) = rs.get("input_generator_numbers") {
            same_numbers(
                &format!("{name} input_generator"),
                c.get("input_generator").unwrap(),
                r,
            );
        }
    }
    let order: Vec<String> = spec
        .connections
        .iter()
        .map(|c| format!("{}.{}", c.dest, c.name))
        .collect();
    let mut ref_keys: Vec<String> = reference["projections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["key"].as_str().unwrap().to_string())
        .collect();
    let mut ours_sorted = order.clone();
    ours_sorted.sort();
    ref_keys.sort();
    assert_eq!(ours_sorted, ref_keys, "same set of projections");
    for rp in reference["projections"].as_array().unwrap() {
        let key = rp["key"].as_str().unwrap();
        let c = conn(
            spec,
            rp["dest"].as_str().unwrap(),
            rp["name"].as_str().unwrap(),
        );
        let sc = spec
            .connections
            .iter()
            .find(|x| format!("{}.{}", x.dest, x.name) == key)
            .unwrap();
        assert_eq!(sc.src, rp["src"].as_str().unwrap(), "{key} src");
        assert_eq!(
            short(&c.class),
            rp["class"].as_str().unwrap(),
            "{key} class"
        );
        let Some(Value::Time(t)) = c.get("delay") else {
            panic!("{key} delay is not a Time")
        };
        assert_eq!(
            format!("{}/{}", t.numer(), t.denom()),
            rp["delay_time_type"].as_str().unwrap(),
            "{key} delay as exact rational"
        );
        assert_eq!(c.f64("strength"), rp["strength"].as_f64(), "{key} strength");
        assert_eq!(
            c.f64("precedence"),
            rp["precedence"].as_f64(),
            "{key} precedence"
        );
        let lr = match c.get("learning_rate").unwrap() {
            Value::Object(g) => g.f64("starting_value"),
            v => v.as_f64(),
        };
        assert_eq!(lr, rp["learning_rate"].as_f64(), "{key} learning_rate");
        let b: Vec<f64> = rp["nominal_bounds_template_lbrt"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect();
        assert_eq!(
            c.get("nominal_bounds_template"),
            Some(&Value::BoundingBox([b[0], b[1], b[2], b[3]])),
            "{key} radius"
        );
        assert_eq!(
            py_repr_port(c.get("dest_port").unwrap()),
            rp["dest_port"].as_str().unwrap(),
            "{key} dest_port"
        );
        let ag = c.get("activity_group").and_then(Value::as_seq).unwrap();
        let ref_ag = rp["activity_group"].as_str().unwrap();
        assert!(
            ref_ag.starts_with(&format!("({}, ", ag[0].as_f64().unwrap())),
            "{key} activity_group priority: {ref_ag}"
        );
        match &ag[1] {
            Value::Function(f) => assert!(
                ref_ag.contains(&format!("<ufunc '{}'>", f.trim_start_matches("numpy."))),
                "{key} {ref_ag}"
            ),
            Value::Object(o) => {
                assert!(
                    ref_ag.contains(&format!("{}(c={}", short(&o.class), o.f64("c").unwrap())),
                    "{key} {ref_ag}"
                );
            }
            other => panic!("{key} activity_group operator {other:?}"),
        }
        assert_eq!(
            c.get("min_matrix_radius"),
            Some(&Value::Int(rp["min_matrix_radius"].as_i64().unwrap()))
        );
        assert_eq!(c.f64("mask_threshold"), rp["mask_threshold"].as_f64());
        assert_eq!(
            c.get("autosize_mask").and_then(Value::as_bool),
            rp["autosize_mask"].as_bool()
        );
        let wg = obj(c, "weights_generator");
        assert_eq!(
            short(&wg.class),
            rp["weights_generator_class"].as_str().unwrap(),
            "{key} weights_generator class"
        );
        same_numbers(
            &format!("{key} weights_generator"),
            c.get("weights_generator").unwrap(),
            &rp["weights_generator_numbers"],
        );
        let cf = obj(c, "cf_shape");
        assert_eq!(
            short(&cf.class),
            rp["cf_shape_class"].as_str().unwrap(),
            "{key} cf_shape class"
        );
        if let Some(s) = rp["cf_shape_smoothing"].as_array().unwrap().first() {
            assert_eq!(cf.f64("smoothing"), s.as_f64(), "{key} cf_shape smoothing");
        }
        assert_eq!(
            short(&obj(c, "response_fn").class),
            canonical_short(rp["response_fn"].as_str().unwrap()),
            "{key} response_fn"
        );
        assert_eq!(
            short(&obj(c, "learning_fn").class),
            canonical_short(rp["learning_fn"].as_str().unwrap()),
            "{key} learning_fn"
        );
        let wof: Vec<&str> = c
            .get("weights_output_fns")
            .and_then(Value::as_seq)
            .unwrap()
            .iter()
            .map(|v| canonical_short(short(&v.as_object().unwrap().class)))
            .collect();
        let rwof: Vec<&str> = rp["weights_output_fns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| canonical_short(v.as_str().unwrap()))
            .collect();
        assert_eq!(wof, rwof, "{key} weights_output_fns");
    }
}

fn params_of(reference: &J) -> Vec<(String, String)> {
    reference["params"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.to_string()))
        .collect()
}

fn load_with(file: &str, reference: &J) -> ModelSpec {
    let p = params_of(reference);
    let p: Vec<(&str, &str)> = p.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    load(file, &p)
}

#[test]
fn gcal_class_matches_topographica() {
    let r = data("gcal_geometry.json");
    check(&load_with("gcal_class.ty", &r), &r);
}

#[test]
fn gcal_explicit_matches_topographica() {
    let r = data("gcal_geometry.json");
    check(&load_with("gcal.ty", &r), &r);
}

#[test]
fn lissom_oo_or_matches_topographica() {
    let r = data("lissom_oo_or_geometry.json");
    check(&load_with("lissom_oo_or.ty", &r), &r);
}

#[test]
fn som_retinotopy_matches_topographica() {
    let r = data("som_retinotopy_geometry.json");
    let mut p = params_of(&r);
    p.retain(|(k, _)| k != "lgn_density"); // som has no LGN; the harness passed it anyway
    let p: Vec<(&str, &str)> = p.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    check(&load("som_retinotopy.ty", &p), &r);
}

#[test]
fn tiny_matches_topographica() {
    let r = data("tiny_geometry.json");
    check(&load_with("tiny.ty", &r), &r);
}

#[test]
fn gcal_key_values() {
    let s = load("gcal.ty", &[]);
    let li = conn(&s, "V1", "LateralInhibitory");
    assert_eq!(
        li.get("nominal_bounds_template"),
        Some(&Value::BoundingBox([-0.22917, -0.22917, 0.22917, 0.22917]))
    );
    assert_eq!(li.f64("strength"), Some(-1.4));
    assert_eq!(li.f64("learning_rate"), Some(0.3));
    assert_eq!(sheet(&s, "V1").f64("nominal_density"), Some(47.0));
    // PatternCoordinator streams: x/y/orientation = 0.0 + UniformRandom(seed, name)
    let ig = obj(sheet(&s, "Retina"), "input_generator");
    assert_eq!(ig.class, "imagen.Composite");
    assert_eq!(
        ig.get("operator"),
        Some(&Value::Function("numpy.maximum".into()))
    );
    let gens = ig.get("generators").and_then(Value::as_seq).unwrap();
    assert_eq!(gens.len(), 2);
    for (i, g) in gens.iter().enumerate() {
        let g = g.as_object().unwrap();
        for (p, seed, name) in [
            ("x", 12, "XCoordinator"),
            ("y", 35, "YCoordinator"),
            ("orientation", 21, "OrientationCoordinator"),
        ] {
            let op = obj(g, p);
            assert_eq!(op.class, "numbergen.BinaryOperator");
            assert_eq!(op.get("lhs"), Some(&Value::Float(0.0)));
            assert_eq!(
                op.get("operator"),
                Some(&Value::Function("operator.add".into()))
            );
            let u = obj(op, "rhs");
            assert_eq!(u.get("seed"), Some(&Value::Int(seed + i as i64)));
            assert_eq!(u.get("name"), Some(&Value::Str(format!("{name}{i}"))));
            assert_eq!(u.get("time_dependent"), Some(&Value::Bool(true)));
        }
    }
}
