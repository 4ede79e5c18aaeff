//! `Streams::prepare_draws` (issue 14 session 11: the time-dependent
//! draws a pattern is about to make, seeded together) changes no value and
//! no state: a pattern's parameters drawn after preparing equal those drawn
//! without, time after time, with direct and nested (operator) random
//! distributions, a sequential one, a cached value, a distribution shared
//! by two parameters and several seedless and NormalRandom ones.

use crate::common::{binary, component, random_dist};
use topo_numbergen::Streams;
use topo_spec::{Component, Time, Value};

fn f(v: f64) -> Value {
    Value::Float(v)
}

/// A pattern-like component whose parameters hold numbergen generators.
fn pattern() -> (Component, Vec<Value>) {
    let ur = |id, name: &str, seed, td| {
        random_dist(
            "UniformRandom",
            id,
            name,
            seed,
            td,
            &[("lbound", f(-1.0)), ("ubound", f(1.0))],
        )
    };
    let x = binary(1, "add", f(0.0), ur(2, "XCoordinator0", Some(12), true));
    let y = ur(3, "YCoordinator0", Some(35), true);
    let o = random_dist(
        "NormalRandom",
        4,
        "Orientation",
        None,
        true,
        &[("mu", f(0.0)), ("sigma", f(2.0))],
    );
    let seq = ur(5, "Sequential", Some(7), false);
    let shared = ur(6, "Shared", Some(8), true);
    let nested = binary(
        7,
        "mul",
        ur(8, "Inner1", Some(1), true),
        binary(9, "sub", ur(10, "Inner2", None, true), f(0.5)),
    );
    let params = vec![x, y, o, seq, shared.clone(), shared, nested];
    let list = Value::List(params.clone());
    let c = component(
        "imagen.Composite",
        100,
        &[("generators", list), ("size", f(1.0))],
    );
    let Value::Object(c) = c else { unreachable!() };
    (*c, params)
}

#[test]
fn prepared_draws_equal_unprepared_ones() {
    let (root, params) = pattern();
    let mut plain = Streams::new(None);
    let mut prepared = Streams::new(None);
    for step in 1..=40 {
        let t = Time::from_int(step / 2); // each time twice: the second is cached
        prepared.prepare_draws(&root, t);
        for (i, p) in params.iter().enumerate() {
            let a = plain.value(p, t).unwrap();
            let b = prepared.value(p, t).unwrap();
            assert_eq!(a.to_bits(), b.to_bits(), "parameter {i} at step {step}");
        }
        assert_eq!(plain, prepared, "streams at step {step}");
        let a = serde_json::to_string(&plain).unwrap();
        let b = serde_json::to_string(&prepared).unwrap();
        assert_eq!(a, b, "serialised streams at step {step}");
    }
}
