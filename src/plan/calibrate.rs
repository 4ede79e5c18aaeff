//! `topo-hpc plan --calibrate`: measure the machine model's compute rates
//! on this machine by running the model itself on one rank.
//!
//! Each probe of the engine's recorder (`topo_sim::Probe`) marks a moment
//! of the event loop; the time since the previous probe is charged to what
//! happened in between: after a delivery, that projection's response;
//! before a `Learned`, the sheet's learning and normalisation; before a
//! generator's `Activated`, the pattern's rendering; after or before any
//! other activation, the activation (summing, output functions, sending).
//! Each term's rate is the work the planner counts for one rank over the
//! measured iterations divided by its seconds. The memory bandwidth is a
//! triad measured here ([`super::machine::measure_bandwidth`]).

use super::machine::{measure_bandwidth, Machine};
use super::{Layout, Work};
use anyhow::{anyhow, Result};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use topo_sim::exchange::{LocalExchange, WholeSheets};
use topo_sim::{Network, Probe};
use topo_spec::{ModelSpec, Time};

#[derive(Clone, Copy, PartialEq)]
enum Mark {
    Delivered,
    Activated,
    Generated,
    Learned,
    Start,
}

struct Clock {
    last: Instant,
    mark: Mark,
    /// response, learning, activation, generation
    secs: [f64; 4],
}

/// Measures the rates with `threads` threads over `iterations` iterations
/// (after one to warm up) of `spec`; `base` gives the network parameters.
pub fn calibrate(
    spec: &ModelSpec,
    iterations: usize,
    threads: usize,
    base: &Machine,
    label: &str,
) -> Result<Machine> {
    let iterations = iterations.max(1);
    let lay = Layout::new(spec, 1, iterations + 1)?;
    let mut ex = LocalExchange::new();
    let mut net = Network::build(spec, &WholeSheets, &mut ex).map_err(|e| anyhow!("{e}"))?;
    let one = Time::from_int(1);
    net.run(one, &mut ex).map_err(|e| anyhow!("{e}"))?;
    let generators: Vec<String> = spec
        .sheets
        .iter()
        .enumerate()
        .filter(|(s, _)| lay.generator[*s])
        .map(|(_, s)| s.name.clone())
        .collect();
    let clock = Arc::new(Mutex::new(Clock {
        last: Instant::now(),
        mark: Mark::Start,
        secs: [0.0; 4],
    }));
    let c2 = clock.clone();
    net.set_recorder(Some(Box::new(move |p: &Probe<'_>| {
        let mut c = c2.lock().expect("clock");
        let now = Instant::now();
        let dt = now.duration_since(c.last).as_secs_f64();
        let this = match p {
            Probe::Delivered { .. } => Mark::Delivered,
            Probe::Learned { .. } => Mark::Learned,
            Probe::Activated { sheet, .. } if generators.iter().any(|g| g == sheet) => {
                Mark::Generated
            }
            Probe::Activated { .. } => Mark::Activated,
        };
        let term = match (c.mark, this) {
            (_, Mark::Learned) => 1,
            (_, Mark::Generated) => 3,
            (Mark::Delivered, Mark::Delivered) => 0,
            (Mark::Delivered, _) => 0,
            _ => 2,
        };
        c.secs[term] += dt;
        c.mark = this;
        c.last = Instant::now();
    })));
    {
        let mut c = clock.lock().expect("clock");
        c.last = Instant::now();
        c.mark = Mark::Start;
    }
    let start = Instant::now();
    for _ in 0..iterations {
        net.run(one, &mut ex).map_err(|e| anyhow!("{e}"))?;
    }
    let total = start.elapsed().as_secs_f64();
    net.set_recorder(None);
    let secs = clock.lock().expect("clock").secs;
    let mut work = Work::default();
    for it in &lay.skeleton.iterations[1..] {
        let w = lay.work(0, it);
        work.response_weights += w.response_weights;
        work.learning_weights += w.learning_weights;
        work.activation_units += w.activation_units;
        work.generation_units += w.generation_units;
    }
    let rate = |w: f64, s: f64, default: f64| if w > 0.0 && s > 0.0 { w / s } else { default };
    let bandwidth = measure_bandwidth();
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_default();
    Ok(Machine {
        source: format!(
            "calibrated on {host} with {label}, {threads} thread(s), {iterations} iteration(s) of {total:.3} s ({} UTC)",
            chrono_like_now()
        ),
        threads,
        response_weights_per_s: rate(work.response_weights, secs[0], base.response_weights_per_s),
        learning_weights_per_s: rate(work.learning_weights, secs[1], base.learning_weights_per_s),
        activation_units_per_s: rate(work.activation_units, secs[2], base.activation_units_per_s),
        generation_units_per_s: rate(work.generation_units, secs[3], base.generation_units_per_s),
        memory_bytes_per_s: bandwidth,
        latency_s: base.latency_s,
        network_bytes_per_s: base.network_bytes_per_s,
    })
}

fn chrono_like_now() -> String {
    chrono::Utc::now().format("%Y-%m-%d %H:%M").to_string()
}
