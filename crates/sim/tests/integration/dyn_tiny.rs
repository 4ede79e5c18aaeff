//! The tiny model against Topographica's stage data (D_tiny): every
//! activation of the first run(1), the state after it, and the trace to
//! t = 100.

use crate::dyn_common;

use dyn_common::*;
use std::sync::{Arc, Mutex};
use topo_sim::exchange::{LocalExchange, WholeSheets};
use topo_sim::{Network, Probe};
use topo_spec::Time;

/// Activities of a float64 pipeline from identical float32 weights:
/// differences come only from summation order (numpy's BLAS dot vs our
/// row-major loop) and float32 rounding of weights after learning, far
/// below Topographica's own decimal-6 criterion.
const STAGE_TOL: f64 = 1e-9;

#[derive(Debug, Clone)]
struct Rec {
    kind: &'static str,
    time: Time,
    sheet: String,
    activity: Vec<f64>,
}

#[test]
fn tiny_first_run_event_by_event() {
    let data = load("dyn_stage_tiny.json");
    let spec = tiny_spec(24.0, 5.0);
    let mut ex = LocalExchange::new();
    let mut net = Network::build(&spec, &WholeSheets, &mut ex).expect("build");
    let log: Arc<Mutex<Vec<Rec>>> = Arc::default();
    let l2 = log.clone();
    net.set_recorder(Some(Box::new(move |p: &Probe<'_>| {
        let r = match p {
            Probe::Activated {
                time,
                sheet,
                activity,
                ..
            } => Rec {
                kind: "activate(send_output)",
                time: *time,
                sheet: sheet.to_string(),
                activity: activity.to_vec(),
            },
            Probe::Learned {
                time,
                sheet,
                activity,
                ..
            } => Rec {
                kind: "learn(after)",
                time: *time,
                sheet: sheet.to_string(),
                activity: activity.to_vec(),
            },
            Probe::Delivered { time, dest, .. } => Rec {
                kind: "deliver EPConnectionEvent",
                time: *time,
                sheet: dest.to_string(),
                activity: vec![],
            },
        };
        l2.lock().unwrap().push(r);
    })));
    net.run(Time::from_int(1), &mut ex).expect("run");
    let ours = log.lock().unwrap().clone();
    let refs = data["events"].as_array().unwrap();
    assert_eq!(ours.len(), refs.len(), "number of entries: ours {ours:#?}");
    for (i, (o, r)) in ours.iter().zip(refs).enumerate() {
        assert_eq!(o.kind, r["kind"].as_str().unwrap(), "entry {i} kind");
        assert_eq!(
            o.time,
            time_of(r["time"].as_str().unwrap()),
            "entry {i} time"
        );
        let rs = r.get("sheet").or(r.get("dest")).unwrap().as_str().unwrap();
        assert_eq!(o.sheet, rs, "entry {i} sheet");
        if let Some(a) = r.get("activity") {
            let d = diff(&o.activity, a);
            assert!(
                d < STAGE_TOL,
                "entry {i} ({} {} at {}): max diff {d}",
                o.kind,
                o.sheet,
                o.time
            );
        }
    }
    assert_eq!(net.time(), Time::from_int(1));
    let after = &data["after_t1"];
    let d = diff(net.activity("V1"), &after["activity"]["V1"]);
    assert!(d < STAGE_TOL, "V1 after run(1): {d}");
    let sums = net.weight_sums("V1", "Afferent").unwrap();
    let d = diff(&sums, &after["weights"]["V1.Afferent"]["sums"]);
    assert!(d < 1e-6, "weight sums after run(1): {d}");
    for (_, u) in after["weights"]["V1.Afferent"]["units"]
        .as_object()
        .unwrap()
    {
        let (r, c) = (
            u["row"].as_u64().unwrap() as usize,
            u["col"].as_u64().unwrap() as usize,
        );
        let p = net.projection("V1", "Afferent").unwrap();
        let idx = r * 5 + c;
        let w: Vec<f64> = p.cfs.unit_weights(idx).iter().map(|&v| v as f64).collect();
        let d = diff(&w, &u["weights"]);
        // float32 weights: one ulp of 0.02 is ~2e-9.
        assert!(d < 1e-8, "unit ({r},{c}) weights after run(1): {d}");
    }
}

#[test]
fn tiny_trace_to_100() {
    let data = load("dyn_stage_tiny.json");
    let diffs = stage_trace(&tiny_spec(24.0, 5.0), &data, &["V1", "Retina"]).unwrap();
    for (t, d) in diffs {
        assert!(d < DECIMAL6, "t={t}: max |diff| {d:e}");
    }
    let mut ex = topo_sim::exchange::LocalExchange::new();
    let mut net = Network::build(&tiny_spec(24.0, 5.0), &WholeSheets, &mut ex).unwrap();
    net.run(Time::from_int(100), &mut ex).unwrap();
    let sums = net.weight_sums("V1", "Afferent").unwrap();
    let d = diff(&sums, &data["weight_sums"]["100"]["V1.Afferent"]);
    assert!(d < 1e-6, "weight sums at 100: {d}");
}
