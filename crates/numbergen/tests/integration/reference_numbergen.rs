//! Every draw of `stages/numbergen.json` (see tests/data/README.md),
//! reproduced bit for bit.

use crate::common;

use common::*;
use topo_numbergen::hash::PARAM_RANDOM_SEED;
use topo_numbergen::{time_hash, Streams};
use topo_spec::{Time, Value};

/// `numbergen.UniformRandom(lbound=-0.75, ubound=0.75, seed=12)` ->
/// (class, [(key, value)]) from the recorded constructor text.
fn parse_constructor(text: &str) -> (String, Vec<(String, String)>) {
    let text = text.split('#').next().unwrap().trim();
    let (class, rest) = text.split_once('(').expect("constructor has '('");
    let args = rest.trim_end().trim_end_matches(')');
    let pairs = args
        .split(',')
        .filter(|a| !a.trim().is_empty())
        .map(|a| {
            let (k, v) = a.split_once('=').expect("keyword argument");
            (k.trim().to_string(), v.trim().to_string())
        })
        .collect();
    (class.trim().to_string(), pairs)
}

fn literal(s: &str) -> Value {
    s.parse::<i64>()
        .map(Value::Int)
        .unwrap_or_else(|_| Value::Float(s.parse().expect("numeric literal")))
}

/// Each generator of `non_time_dependent`: a fresh object called ten times
/// in a row. Sequential streams ignore time; the draws are made both through
/// `value` at successive times and through `force_new` at one time, which
/// must agree with each other and with Python.
#[test]
fn sequential_generators_match_python() {
    let d = data("numbergen.json");
    let entries = d["non_time_dependent"].as_array().unwrap();
    assert!(!entries.is_empty());
    for (k, e) in entries.iter().enumerate() {
        let ctor = e["constructor"].as_str().unwrap();
        let (class, args) = parse_constructor(ctor);
        let short = class.rsplit('.').next().unwrap().to_string();
        let mut seed = None;
        let mut extra: Vec<(String, Value)> = Vec::new();
        for (key, v) in &args {
            if key == "seed" {
                seed = Some(v.parse::<i64>().unwrap());
            } else {
                extra.push((key.clone(), literal(v)));
            }
        }
        // Defaults the recorder spelled out next to the constructor.
        for key in ["lbound", "ubound", "mu", "sigma"] {
            if let Some(v) = e.get(key) {
                if !extra.iter().any(|(k2, _)| k2 == key) {
                    extra.push((key.to_string(), num(v)));
                }
            }
        }
        assert_eq!(e["time_dependent"], false);
        let extra_ref: Vec<(&str, Value)> = extra
            .iter()
            .map(|(k2, v)| (k2.as_str(), v.clone()))
            .collect();
        let gen = random_dist(
            &short,
            1,
            &format!("{short}{k:05}"),
            seed,
            false,
            &extra_ref,
        );

        let mut by_time = Streams::new(None);
        let mut forced = Streams::new(None);
        for (i, want) in e["values"].as_array().unwrap().iter().enumerate() {
            let what = format!("{ctor} call {i}");
            let a = by_time.value(&gen, Time::from_int(i as i64)).unwrap();
            let b = forced.force_new(&gen, Time::ZERO).unwrap();
            assert_bits(a, b, &format!("{what} (value vs force_new)"));
            if want.is_i64() {
                let n = by_time.value_num(&gen, Time::from_int(i as i64)).unwrap();
                assert_eq!(
                    n,
                    topo_numbergen::pyops::Num::Int(want.as_i64().unwrap()),
                    "{what}"
                );
            } else {
                assert_bits(a, want.as_f64().unwrap(), &what);
            }
        }
    }
}

/// The ModelGCAL training-pattern generators (`0.0 + UniformRandom(...)`,
/// time-dependent): hash names, hash values, leaf and wrapper values.
#[test]
fn time_dependent_generators_match_python() {
    let d = data("numbergen.json");
    assert_eq!(d["param.random_seed"], "42");
    assert_eq!(PARAM_RANDOM_SEED, 42);
    let presentations = d["time_dependent_ModelGCAL"].as_array().unwrap();
    assert!(!presentations.is_empty());

    // One Streams for the whole run, objects created in recorded order.
    let mut streams = Streams::new(None);
    let mut ids = std::collections::BTreeMap::new();
    // Walk the times backwards too: time-dependent values depend on the time
    // only, not on the order of evaluation.
    let forward: Vec<_> = presentations.iter().collect();
    let backward: Vec<_> = presentations.iter().rev().collect();
    for (pass, order) in [forward, backward].into_iter().enumerate() {
        for pres in order {
            let t = parse_time(pres["time_str"].as_str().unwrap());
            assert_eq!(t.to_f64(), pres["time_float"].as_f64().unwrap());
            for g in pres["generators"].as_array().unwrap() {
                let w = &g["wrapper"];
                assert_eq!(w["BinaryOperator"], "add");
                let leaf_ref = &g["leaf_generators"][0];
                let name = leaf_ref["name"].as_str().unwrap();
                let seed = leaf_ref["seed"].as_i64().unwrap();
                let hash_name = format!("{name}{seed}");
                assert_eq!(hash_name, leaf_ref["hash_name"].as_str().unwrap());
                let what = format!("{name} at t={t} (pass {pass})");
                assert_eq!(
                    u64::from(time_hash(&hash_name, t, PARAM_RANDOM_SEED)),
                    leaf_ref["hashval"].as_u64().unwrap(),
                    "hash of {what}"
                );
                let next = ids.len() as u64 * 2 + 1;
                let id = *ids.entry(name.to_string()).or_insert(next);
                let leaf = random_dist(
                    "UniformRandom",
                    id,
                    name,
                    Some(seed),
                    leaf_ref["time_dependent"].as_bool().unwrap(),
                    &[
                        ("lbound", num(&leaf_ref["lbound"])),
                        ("ubound", num(&leaf_ref["ubound"])),
                    ],
                );
                let wrapper = binary(id + 1, "add", num(&w["lhs"]), leaf.clone());
                let got = streams.value(&wrapper, t).unwrap();
                assert_bits(got, g["wrapper_value"].as_f64().unwrap(), &what);
                // Reading again at the same time returns the cached value.
                assert_bits(
                    streams.value(&wrapper, t).unwrap(),
                    got,
                    &format!("cached {what}"),
                );
                // The leaf alone, through a separate Streams.
                let leaf_val = Streams::new(None).value(&leaf, t).unwrap();
                assert_bits(
                    leaf_val,
                    leaf_ref["value"].as_f64().unwrap(),
                    &format!("leaf {what}"),
                );
            }
        }
    }
}
