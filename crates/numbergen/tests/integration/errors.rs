//! Bad input gives an error value with a useful message, never a panic.

use crate::common;

use common::*;
use topo_numbergen::Streams;
use topo_spec::{Time, Value};

fn err(v: &Value) -> String {
    Streams::new(None)
        .value(v, Time::from_int(1))
        .expect_err("expected an error")
        .to_string()
}

#[test]
fn bad_generators_are_errors() {
    let choice = random_dist(
        "Choice",
        1,
        "c",
        Some(1),
        false,
        &[("choices", Value::List(vec![Value::Str("a".into())]))],
    );
    assert!(err(&choice).contains("not a number"), "{}", err(&choice));

    let empty = random_dist(
        "Choice",
        2,
        "e",
        Some(1),
        false,
        &[("choices", Value::List(vec![]))],
    );
    assert!(err(&empty).contains("empty"), "{}", err(&empty));

    let bad_range = random_dist(
        "UniformRandomInt",
        3,
        "r",
        Some(1),
        false,
        &[("lbound", Value::Int(5)), ("ubound", Value::Int(4))],
    );
    assert!(
        err(&bad_range).contains("empty range"),
        "{}",
        err(&bad_range)
    );

    let non_integral = random_dist(
        "UniformRandomInt",
        4,
        "r",
        Some(1),
        false,
        &[("lbound", Value::Float(0.5))],
    );
    assert!(
        err(&non_integral).contains("lbound"),
        "{}",
        err(&non_integral)
    );

    let unnamed = component("numbergen.UniformRandom", 5, &[("seed", Value::Int(1))]);
    assert!(err(&unnamed).contains("name"), "{}", err(&unnamed));

    let decay = component(
        "numbergen.ExponentialDecay",
        6,
        &[("time_constant", Value::Int(0))],
    );
    assert!(err(&decay).contains("time_constant"), "{}", err(&decay));

    let div0 = binary(7, "truediv", Value::Float(1.0), Value::Int(0));
    assert!(err(&div0).contains("division by zero"), "{}", err(&div0));

    let unknown_op = binary(8, "operator.lshift", Value::Int(1), Value::Int(2));
    assert!(err(&unknown_op).contains("lshift"), "{}", err(&unknown_op));

    let other_class = component("numbergen.TimeSampledFn", 9, &[]);
    assert!(
        err(&other_class).contains("unsupported"),
        "{}",
        err(&other_class)
    );

    let not_numbergen = component("imagen.Gaussian", 10, &[]);
    assert!(
        err(&not_numbergen).contains("numbergen"),
        "{}",
        err(&not_numbergen)
    );

    assert!(err(&Value::Str("x".into())).contains("expected a number"));
}

#[test]
fn function_valued_operators_are_accepted() {
    // topo-lang gives `operator` as a function reference.
    let mut s = Streams::new(None);
    let v = topo_spec::Value::Object(Box::new(topo_spec::Component {
        class: "numbergen.BinaryOperator".into(),
        id: 1,
        params: [
            ("name".to_string(), Value::Str("b".into())),
            ("lhs".to_string(), Value::Int(7)),
            ("rhs".to_string(), Value::Int(2)),
            (
                "operator".to_string(),
                Value::Function("operator.floordiv".into()),
            ),
        ]
        .into_iter()
        .collect(),
    }));
    assert_eq!(
        s.value_num(&v, Time::ZERO).unwrap(),
        topo_numbergen::pyops::Num::Int(3)
    );
}
