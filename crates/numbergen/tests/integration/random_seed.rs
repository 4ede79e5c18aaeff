//! `param.random_seed` other than 42: every time-dependent stream follows
//! param's own numbergen (`tests/data/random_seed.json`, made by
//! `gen_random_seed.py`), bit for bit, and a snapshot keeps the seed.

use crate::common;

use common::*;
use topo_numbergen::{Streams, PARAM_RANDOM_SEED};
use topo_spec::Value;

fn cases() -> Vec<serde_json::Value> {
    data("random_seed.json")["cases"]
        .as_array()
        .unwrap()
        .clone()
}

fn distribution(d: &serde_json::Value, id: u64) -> Value {
    let class = d["class"].as_str().unwrap();
    let extra: Vec<(&str, Value)> = d["params"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.as_str(), num(v)))
        .collect();
    random_dist(
        class.trim_start_matches("numbergen."),
        id,
        d["name"].as_str().unwrap(),
        d["seed"].as_i64(),
        true,
        &extra,
    )
}

#[test]
fn time_dependent_distributions_follow_param_random_seed() {
    let cases = cases();
    assert!(cases.len() >= 3, "need several global seeds");
    for case in &cases {
        let rs = case["random_seed"].as_i64().unwrap();
        let mut streams = Streams::new(None).with_random_seed(rs);
        assert_eq!(streams.random_seed(), rs);
        for (k, d) in case["distributions"].as_array().unwrap().iter().enumerate() {
            let g = distribution(d, k as u64);
            for v in d["values"].as_array().unwrap() {
                let t = parse_time(v[0].as_str().unwrap());
                let got = streams.value(&g, t).unwrap();
                let what = format!("random_seed {rs}, {} at t={t}", d["name"]);
                assert_bits(got, v[1].as_f64().unwrap(), &what);
            }
        }
    }
}

#[test]
fn hashed_numpy_streams_follow_param_random_seed() {
    for case in &cases() {
        let rs = case["random_seed"].as_i64().unwrap();
        let streams = Streams::new(None).with_random_seed(rs);
        for h in case["hashed_numpy"].as_array().unwrap() {
            let name = h["name"].as_str().unwrap();
            let t = parse_time(h["time"].as_str().unwrap());
            let mut a = streams.hashed_numpy(name, t);
            let mut b = Streams::hashed_numpy_with_seed(name, t, rs);
            for (i, want) in h["uniform"].as_array().unwrap().iter().enumerate() {
                let what = format!("random_seed {rs}, {name} at t={t}, draw {i}");
                assert_bits(a.random_sample(), want.as_f64().unwrap(), &what);
                assert_bits(b.random_sample(), want.as_f64().unwrap(), &what);
            }
        }
    }
}

/// Guards the test data itself: if two seeds gave the same values, the
/// tests above could not notice an ignored seed.
#[test]
fn different_seeds_give_different_values() {
    let cases = cases();
    let first = |c: &serde_json::Value| c["distributions"][0]["values"][1][1].as_f64().unwrap();
    for a in 0..cases.len() {
        for b in a + 1..cases.len() {
            assert_ne!(first(&cases[a]), first(&cases[b]));
        }
    }
    let default = cases
        .iter()
        .find(|c| c["random_seed"].as_i64() == Some(PARAM_RANDOM_SEED))
        .expect("the data include param's default");
    let g = distribution(&default["distributions"][0], 0);
    let t = parse_time(
        default["distributions"][0]["values"][1][0]
            .as_str()
            .unwrap(),
    );
    assert_bits(
        Streams::new(None).value(&g, t).unwrap(),
        first(default),
        "Streams::new uses param's default seed",
    );
}

#[test]
fn a_snapshot_keeps_the_seed_and_an_old_one_means_42() {
    let s = Streams::new(Some(&[1, 2])).with_random_seed(7);
    let json = serde_json::to_value(&s).unwrap();
    let back: Streams = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(back.random_seed(), 7);
    assert_eq!(back, s);
    // A snapshot written before the seed was stored.
    let mut old = json;
    old.as_object_mut().unwrap().remove("random_seed").unwrap();
    let back: Streams = serde_json::from_value(old).unwrap();
    assert_eq!(back.random_seed(), PARAM_RANDOM_SEED);
}
