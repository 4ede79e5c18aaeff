//! The numbergen draws Topographica made while generating the first five
//! presentations of each reference model (excerpt of `stages/*/inputs.json`,
//! see tests/data/README.md), replayed call by call, bit for bit.
//!
//! Each recorded depth-0 call is a parameter read of a Dynamic value. The
//! first read of an object at a time is `Streams::value`; a further depth-0
//! call of the same object at the same time can only be SeparatedComposite's
//! forced redraw, so it is `Streams::force_new`. Depth-1 calls are the
//! operands of the next depth-0 `BinaryOperator` (`0.0 + gen`).

use crate::common;

use common::*;
use serde_json::Value as Json;
use std::collections::{BTreeMap, BTreeSet};
use topo_numbergen::Streams;
use topo_spec::Value;

fn replay(model: &str) {
    let d = data("inputs_numbergen.json");
    let m = &d["models"][model];
    let td = m["time_dependent"].as_object().unwrap();
    let mut streams = Streams::new(None);
    let mut ids: BTreeMap<String, u64> = BTreeMap::new();
    let mut id_of = |name: &str| {
        let next = ids.len() as u64 + 1;
        *ids.entry(name.to_string()).or_insert(next)
    };
    let leaf_of = |c: &Json, id: u64| {
        let name = c["name"].as_str().unwrap();
        random_dist(
            c["class"].as_str().unwrap(),
            id,
            name,
            c["seed"].as_i64(),
            td[name].as_bool().unwrap(),
            &[("lbound", num(&c["lbound"])), ("ubound", num(&c["ubound"]))],
        )
    };
    let mut n_checked = 0;
    for pres in m["presentations"].as_array().unwrap() {
        let t = parse_time(pres["time_str"].as_str().unwrap());
        let mut seen_now = BTreeSet::new();
        let mut pending: Option<Value> = None;
        for (k, c) in pres["calls"].as_array().unwrap().iter().enumerate() {
            let name = c["name"].as_str().unwrap();
            let want = c["value"].as_f64().unwrap();
            let what = format!("{model} t={t} call {k} ({name})");
            let depth = c["nesting_depth"].as_u64().unwrap();
            if depth > 0 {
                assert!(pending.is_none(), "{what}: two nested calls in a row");
                let leaf = leaf_of(c, id_of(name));
                // The nested value on its own (a copy of the state, so the
                // wrapper below draws from the same point).
                let got = streams.clone().force_new(&leaf, t).unwrap();
                assert_bits(got, want, &what);
                pending = Some(leaf);
                continue;
            }
            let gen = match c["class"].as_str().unwrap() {
                "BinaryOperator" => {
                    let rhs = pending.take().expect("BinaryOperator without its operand");
                    binary(id_of(name), "add", Value::Float(0.0), rhs)
                }
                _ => leaf_of(c, id_of(name)),
            };
            let got = if seen_now.insert(name.to_string()) {
                let v = streams.value(&gen, t).unwrap();
                // A second read at the same time is cached and consumes
                // nothing: later calls still match.
                assert_bits(
                    streams.value(&gen, t).unwrap(),
                    v,
                    &format!("cached {what}"),
                );
                v
            } else {
                streams.force_new(&gen, t).unwrap()
            };
            assert_bits(got, want, &what);
            assert_eq!(streams.inspect(&gen), Some(got), "{what}: inspect");
            n_checked += 1;
        }
        assert!(pending.is_none(), "{model} t={t}: dangling nested call");
    }
    assert!(n_checked >= 10, "{model}: only {n_checked} calls checked");
}

#[test]
fn gcal_time_dependent_coordinators() {
    replay("A_gcal");
}

#[test]
fn lissom_oo_or_sequential_with_separated_composite_redraws() {
    replay("B_lissom_oo_or");
}

#[test]
fn som_retinotopy_named_time_dependent_generators() {
    replay("C_som_retinotopy");
}

#[test]
fn tiny_sequential_generators() {
    replay("D_tiny");
}
