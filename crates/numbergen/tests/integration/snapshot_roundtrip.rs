//! `Streams` saved mid-stream (serde JSON, as a snapshot stores it) and
//! restored continues every stream exactly as the original does.

use crate::common;

use common::*;
use topo_numbergen::Streams;
use topo_spec::{Time, Value};

fn generators() -> Vec<Value> {
    let uniform = [
        ("lbound", Value::Float(-0.75)),
        ("ubound", Value::Float(0.75)),
    ];
    vec![
        random_dist("UniformRandom", 1, "seq", Some(12), false, &uniform),
        random_dist("UniformRandom", 2, "td", Some(13), true, &uniform),
        random_dist("NormalRandom", 3, "normal", Some(7), false, &[]),
        random_dist(
            "UniformRandomInt",
            4,
            "int",
            Some(99),
            false,
            &[("lbound", Value::Int(-3)), ("ubound", Value::Int(3))],
        ),
        binary(
            5,
            "mul",
            random_dist("UniformRandom", 6, "inner", None, false, &[]),
            Value::Float(2.5),
        ),
    ]
}

/// Draws from every generator at `t` (plus a forced redraw of the first)
/// and 1000 doubles of the shared numpy stream.
fn step(s: &mut Streams, gens: &[Value], t: Time) -> Vec<u64> {
    let mut out: Vec<u64> = gens
        .iter()
        .map(|g| s.value(g, t).unwrap().to_bits())
        .collect();
    out.push(s.force_new(&gens[0], t).unwrap().to_bits());
    let mut buf = vec![0.0; 1000];
    s.shared_numpy().fill_uniform(-1.0, 1.0, &mut buf);
    out.extend(buf.iter().map(|v| v.to_bits()));
    out
}

#[test]
fn streams_continue_identically_after_a_serde_round_trip() {
    let gens = generators();
    let mut original = Streams::new(Some(&[67, 89]));
    let mut t = Time::ZERO;
    for _ in 0..7 {
        t = t + Time::new(1, 20);
        step(&mut original, &gens, t);
    }
    // Mid-block: the shared MT index is not at a twist boundary now.
    let json = serde_json::to_string(&original).unwrap();
    // Cached values are stored as bits, not decimal text, so the restore is
    // exact whatever float parser reads the snapshot.
    assert!(
        !json.contains('.'),
        "decimal float in snapshot: {json:.200}"
    );
    let mut restored: Streams = serde_json::from_str(&json).unwrap();
    assert_eq!(restored, original);
    // The cached values survive too: same time, same values, no draws.
    for g in &gens {
        assert_eq!(restored.value(g, t).unwrap(), original.value(g, t).unwrap());
    }
    for k in 0..20 {
        t = t + Time::new(1, 1);
        assert_eq!(
            step(&mut restored, &gens, t),
            step(&mut original, &gens, t),
            "step {k}"
        );
    }
}

#[test]
fn a_damaged_snapshot_is_an_error_not_a_panic() {
    let s = Streams::new(None);
    let mut json: serde_json::Value = serde_json::to_value(&s).unwrap();
    json["shared"]["mt"]["words"].as_array_mut().unwrap().pop();
    let err = serde_json::from_value::<Streams>(json).unwrap_err();
    assert!(err.to_string().contains("624"), "{err}");
}
