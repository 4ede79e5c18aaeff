//! Helpers shared by the integration tests: reading the copied reference
//! data and building numbergen components the way topo-lang does.

#![allow(dead_code)]

use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::path::PathBuf;
use topo_spec::{Component, Time, Value};

/// A JSON file from `tests/data/`.
pub fn data(name: &str) -> Json {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("bad JSON in {}: {e}", path.display()))
}

/// `"21/20"` -> 21/20.
pub fn parse_time(s: &str) -> Time {
    match s.split_once('/') {
        Some((n, d)) => Time::new(n.trim().parse().unwrap(), d.trim().parse().unwrap()),
        None => Time::from_int(s.trim().parse().unwrap()),
    }
}

/// A JSON number as a spec value (ints stay ints).
pub fn num(j: &Json) -> Value {
    match j {
        Json::Null => Value::None,
        Json::Number(n) if n.is_i64() => Value::Int(n.as_i64().unwrap()),
        Json::Number(n) => Value::Float(n.as_f64().unwrap()),
        Json::Bool(b) => Value::Bool(*b),
        other => panic!("not a number: {other}"),
    }
}

/// A component with the given class, id and parameters.
pub fn component(class: &str, id: u64, params: &[(&str, Value)]) -> Value {
    let params: BTreeMap<String, Value> = params
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    Value::Object(Box::new(Component {
        class: class.to_string(),
        id,
        params,
    }))
}

/// A random distribution as topo-lang resolves it.
pub fn random_dist(
    class: &str,
    id: u64,
    name: &str,
    seed: Option<i64>,
    time_dependent: bool,
    extra: &[(&str, Value)],
) -> Value {
    let mut params = vec![
        ("name", Value::Str(name.to_string())),
        ("seed", seed.map_or(Value::None, Value::Int)),
        ("time_dependent", Value::Bool(time_dependent)),
    ];
    params.extend(extra.iter().cloned());
    component(&format!("numbergen.{class}"), id, &params)
}

/// `lhs <op> rhs` as `BinaryOperator` stores it.
pub fn binary(id: u64, op: &str, lhs: Value, rhs: Value) -> Value {
    component(
        "numbergen.BinaryOperator",
        id,
        &[
            ("name", Value::Str(format!("BinaryOperator{id:05}"))),
            ("lhs", lhs),
            ("rhs", rhs),
            ("operator", Value::Str(op.to_string())),
        ],
    )
}

/// Asserts bit-for-bit equality of doubles, naming the case on failure.
#[track_caller]
pub fn assert_bits(got: f64, want: f64, what: &str) {
    assert!(
        got.to_bits() == want.to_bits(),
        "{what}: got {got:?} ({:#018x}), reference {want:?} ({:#018x})",
        got.to_bits(),
        want.to_bits()
    );
}
