//! How often things happen in one iteration, from the engine's own event
//! loop run on empty blocks: every sheet of this process owns no unit, so
//! no weight is built and a step costs nothing, yet the events (pattern
//! generations, deliveries, activations, learning, exchanges,
//! collectives) are exactly those of every rank of a real run, which are
//! the same on all ranks because the exchanges are collective.
//!
//! Halo sharing is switched off here, so every projection whose source
//! activity crosses ranks counts its own exchanges; which of them are
//! really sent is decided by the planner from every rank's rectangles
//! (`Network::share_halos`' rule).

use anyhow::{anyhow, Result};
use std::sync::{Arc, Mutex};
use topo_sim::exchange::{Block, Decomposition, Exchange, HaloId};
use topo_sim::ownership::Ownership;
use topo_sim::{Network, Probe};
use topo_spec::{ModelSpec, Time};

/// Events of one iteration.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Per registered halo (registration order): exchanges.
    pub exchanges: Vec<u64>,
    /// Per connection (spec order): deliveries.
    pub deliveries: Vec<u64>,
    /// Per sheet (spec order): activations (generations for generators).
    pub activations: Vec<u64>,
    /// Per sheet: learning steps.
    pub learns: Vec<u64>,
    /// Small collectives (`max`, `argmax`).
    pub collectives: u64,
}

/// What a projection is, as far as exchanges go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnRole {
    /// Its registered halo, if its source crosses ranks.
    pub halo: Option<usize>,
    /// Its source port is `Activity` (only those share halos).
    pub activity_port: bool,
    /// Its destination port is afferent (held back during settling).
    pub afferent_port: bool,
    /// It learns.
    pub learns: bool,
}

/// The model's event structure.
#[derive(Clone, Debug)]
pub struct Skeleton {
    /// Per connection, in spec order.
    pub roles: Vec<ConnRole>,
    /// Per registered halo: its connection.
    pub halo_conn: Vec<usize>,
    /// Per iteration counted, in order.
    pub iterations: Vec<Counts>,
    /// Per registered halo: exchanges at the end of the run (resolving
    /// the units of sheets that owe those nothing reads during a run,
    /// `Network::resolve_exchanges`).
    pub at_end: Vec<u64>,
}

/// No unit anywhere.
struct EmptyBlocks;

impl Decomposition for EmptyBlocks {
    fn block(&self, _: &str, _: usize, _: usize, _: [f64; 4]) -> Block {
        Block::default()
    }
}

/// Counts calls; holds no data.
#[derive(Default)]
struct Counter {
    calls: Vec<u64>,
    collectives: u64,
}

impl Exchange for Counter {
    fn rank(&self) -> usize {
        0
    }
    fn size(&self) -> usize {
        1
    }
    fn register(&mut self, _: &str, _: usize, _: usize, _: &Ownership, _: Block) -> HaloId {
        self.calls.push(0);
        HaloId(self.calls.len() - 1)
    }
    fn exchange(&mut self, id: HaloId, _: &[f64], out: &mut [f64]) {
        out.fill(0.0);
        self.calls[id.0] += 1;
    }
    fn max(&mut self, v: f64) -> f64 {
        self.collectives += 1;
        v
    }
    fn argmax(&mut self, v: f64, index: usize) -> (f64, usize) {
        self.collectives += 1;
        (v, index)
    }
    fn allgather_sheet(&mut self, rows: usize, cols: usize, _: &Ownership, _: &[f64]) -> Vec<f64> {
        vec![0.0; rows * cols]
    }
}

/// Runs `iterations` iterations (of simulated time 1.0 each) of `spec` on
/// empty blocks and counts the events of each.
pub fn skeleton(spec: &ModelSpec, iterations: usize) -> Result<Skeleton> {
    let mut ex = Counter::default();
    let mut net = Network::build(spec, &EmptyBlocks, &mut ex)
        .map_err(|e| anyhow!("building the model's event structure: {e}"))?;
    net.set_halo_sharing(false, &mut ex);
    let mut roles = Vec::new();
    let mut halo_conn = vec![usize::MAX; ex.calls.len()];
    for (ci, u) in net.halo_use().iter().enumerate() {
        let c = &spec.connections[ci];
        let p = net
            .projection(&c.dest, &c.name)
            .map_err(|e| anyhow!("{e}"))?;
        let halo = u.halo.map(|h| h.0);
        if let Some(h) = halo {
            halo_conn[h] = ci;
        }
        roles.push(ConnRole {
            halo,
            activity_port: p.src_port == "Activity",
            afferent_port: p.afferent_port,
            learns: p.learning != topo_sim::projection::LearningKind::None,
        });
    }
    let (ns, nc) = (spec.sheets.len(), spec.connections.len());
    let tally = Arc::new(Mutex::new(Counts {
        deliveries: vec![0; nc],
        activations: vec![0; ns],
        learns: vec![0; ns],
        ..Counts::default()
    }));
    let seen = tally.clone();
    let names: Vec<(String, String)> = spec
        .connections
        .iter()
        .map(|c| (c.dest.clone(), c.name.clone()))
        .collect();
    let sheet_names: Vec<String> = spec.sheets.iter().map(|s| s.name.clone()).collect();
    net.set_recorder(Some(Box::new(move |p: &Probe<'_>| {
        let mut t = seen.lock().expect("counts");
        match p {
            Probe::Delivered { proj, dest, .. } => {
                if let Some(i) = names.iter().position(|(d, n)| d == dest && n == proj) {
                    t.deliveries[i] += 1;
                }
            }
            Probe::Activated { sheet, .. } => {
                if let Some(i) = sheet_names.iter().position(|n| n == sheet) {
                    t.activations[i] += 1;
                }
            }
            Probe::Learned { sheet, .. } => {
                if let Some(i) = sheet_names.iter().position(|n| n == sheet) {
                    t.learns[i] += 1;
                }
            }
        }
    })));
    let mut out = Vec::with_capacity(iterations);
    let one = Time::from_int(1);
    for _ in 0..iterations {
        ex.calls.iter_mut().for_each(|c| *c = 0);
        ex.collectives = 0;
        net.run(one, &mut ex)
            .map_err(|e| anyhow!("running the model's event structure: {e}"))?;
        let mut t = tally.lock().expect("counts");
        let mut c = std::mem::replace(
            &mut *t,
            Counts {
                deliveries: vec![0; nc],
                activations: vec![0; ns],
                learns: vec![0; ns],
                ..Counts::default()
            },
        );
        c.exchanges = ex.calls.clone();
        c.collectives = ex.collectives;
        out.push(c);
    }
    if ex.calls.len() != halo_conn.len() {
        return Err(anyhow!(
            "the model registers halos while it runs (change_bounds); plan the segments separately"
        ));
    }
    let mut at_end = vec![0; halo_conn.len()];
    for (h, k) in net.resolve_exchanges() {
        at_end[h.0] += k;
    }
    Ok(Skeleton {
        roles,
        halo_conn,
        iterations: out,
        at_end,
    })
}
