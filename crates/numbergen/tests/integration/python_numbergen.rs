//! numbergen classes the Topographica reference data do not exercise,
//! against param a35c2a3's own `numbergen` module run under Python 3.11 with
//! Python 2's `randint`/`choice`/tuple seeding patched in
//! (`tests/data/gen_extra.py` made `tests/data/extra_numbergen.json`).
//! Also md5 hashes of awkward times and numpy `RandomState` draws.

use crate::common;

use common::*;
use serde_json::Value as Json;
use std::collections::BTreeMap;
use topo_numbergen::hash::PARAM_RANDOM_SEED;
use topo_numbergen::pyops::Num;
use topo_numbergen::{time_hash, NumpyRandomState, Streams};
use topo_spec::{Component, Value};

/// The recorded spec as topo-lang would give it; every JSON object is a
/// distinct component (fresh ids), as every Python construction was.
fn to_value(j: &Json, next_id: &mut u64) -> Value {
    match j {
        Json::Object(o) if o.contains_key("class") => {
            *next_id += 1;
            let id = *next_id;
            let params: BTreeMap<String, Value> = o["params"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| {
                    let v = match (k.as_str(), v) {
                        ("bounds", Json::Array(a)) => {
                            Value::Tuple(a.iter().map(|x| to_value(x, next_id)).collect())
                        }
                        _ => to_value(v, next_id),
                    };
                    (k.clone(), v)
                })
                .collect();
            Value::Object(Box::new(Component {
                class: o["class"].as_str().unwrap().to_string(),
                id,
                params,
            }))
        }
        Json::Array(a) => Value::List(a.iter().map(|x| to_value(x, next_id)).collect()),
        Json::String(s) => Value::Str(s.clone()),
        other => num(other),
    }
}

#[test]
fn other_numbergen_classes_match_param() {
    let d = data("extra_numbergen.json");
    let cases = d["cases"].as_array().unwrap();
    assert!(cases.len() > 20);
    for case in cases {
        let desc = case["desc"].as_str().unwrap();
        let mut next_id = 0;
        let gen = to_value(&case["spec"], &mut next_id);
        let mut streams = Streams::new(None);
        for (k, pair) in case["values"].as_array().unwrap().iter().enumerate() {
            let t = parse_time(pair[0].as_str().unwrap());
            let what = format!("{desc}, call {k} at t={t}");
            let got = streams
                .value_num(&gen, t)
                .unwrap_or_else(|e| panic!("{what}: {e}"));
            match &pair[1] {
                Json::Number(n) if n.is_i64() => {
                    assert_eq!(got, Num::Int(n.as_i64().unwrap()), "{what}")
                }
                want => {
                    assert!(
                        matches!(got, Num::Float(_)),
                        "{what}: {got:?} is not a float"
                    );
                    assert_bits(got.to_f64(), want.as_f64().unwrap(), &what);
                }
            }
        }
    }
}

#[test]
fn hashes_of_negative_large_and_unicode_inputs() {
    let d = data("extra_numbergen.json");
    for h in d["hashes"].as_array().unwrap() {
        let name = h["name"].as_str().unwrap();
        let t = parse_time(h["time"].as_str().unwrap());
        assert_eq!(
            u64::from(time_hash(name, t, PARAM_RANDOM_SEED)),
            h["hash"].as_u64().unwrap(),
            "Hash({name:?})({t}, 42)"
        );
    }
}

fn floats(j: &Json) -> Vec<f64> {
    j.as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect()
}

#[test]
fn numpy_random_state_matches_numpy() {
    let d = &data("extra_numbergen.json")["numpy"];
    let check = |got: &[f64], key: &str| {
        let want = floats(&d[key]);
        assert_eq!(got.len(), want.len());
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            assert_bits(*g, *w, &format!("{key}[{i}]"));
        }
    };
    let mut s = Streams::new(None);
    let got: Vec<f64> = (0..6).map(|_| s.shared_numpy().random_sample()).collect();
    check(&got, "tuple_500_500_random_sample");

    let mut got = vec![0.0; 6];
    Streams::new(Some(&[67, 89]))
        .shared_numpy()
        .fill_uniform(-1.0, 1.0, &mut got);
    check(&got, "tuple_67_89_uniform_m1_1");

    let mut r = NumpyRandomState::from_seed_u32(261_907_358);
    let got: Vec<f64> = (0..6).map(|_| r.uniform(0.0, 1.0)).collect();
    check(&got, "int_261907358_uniform_0_1");

    let mut got = vec![0.0; 6];
    NumpyRandomState::from_seed_u32(0).fill_uniform(0.1, 1.3, &mut got);
    check(&got, "int_0_uniform_0p1_1p3");
}

#[test]
fn hashed_numpy_is_init_genrand_of_the_time_hash() {
    // XCoordinator012 at t = 1/20 hashes to 261907358 (numbergen.json).
    let t = topo_spec::Time::new(1, 20);
    let mut a = Streams::new(None).hashed_numpy("XCoordinator012", t);
    let mut b = NumpyRandomState::from_seed_u32(time_hash("XCoordinator012", t, 42));
    let mut c = NumpyRandomState::from_seed_u32(261_907_358);
    for _ in 0..5 {
        let x = a.random_sample();
        assert_eq!(x, b.random_sample());
        assert_eq!(x, c.random_sample());
    }
}

#[test]
fn gauss_pairs_survive_a_snapshot_between_the_two_values() {
    let want = floats(&data("extra_numbergen.json")["gauss_seed3_mu1_sigma2"]);
    let mut r = topo_numbergen::PyRandom::from_seed_i128(3);
    for (i, w) in want.iter().enumerate() {
        assert_bits(r.gauss(1.0, 2.0), *w, &format!("gauss {i}"));
        // Save and restore after every value (odd ones hold gauss_next).
        r = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
    }
}
