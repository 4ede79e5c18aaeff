//! `topo-hpc plan`: what a run on N ranks will hold, send and take, from
//! the model's geometry alone, for N up to 65536, in seconds.
//!
//! The plan uses the decomposition a run would use (the
//! [`crate::par::Assignment`] of [`crate::balance::split_choice`]: the
//! default split, or `TOPO_HPC_SPLIT`), every rank's connection-field
//! footprints ([`crate::footprint`]), the engine's
//! own event loop run on empty blocks for the events of an iteration
//! ([`skeleton`]), and registers every halo in a
//! [`crate::par::DryRunExchange`] as rank 0 of N, which makes rank 0's
//! plans with the real exchange's code and counts every rank's volumes.
//! Byte and message counts are exact (tested against the MPI exchange's
//! counters); the predicted time comes from the [`machine`] model and
//! assumes that a unit's cost follows its weights (the activity-dependent
//! imbalance of sparse inputs is not predicted).

pub mod calibrate;
pub mod machine;
pub mod skeleton;

use crate::footprint::ModelFootprints;
use crate::par::HaloSummary;
use crate::par::{Assignment, DryRunExchange, PeerRects, RankOracle, SplitChoice};
use anyhow::{anyhow, Result};
use machine::Machine;
use serde::Serialize;
use skeleton::{Counts, Skeleton};
use std::fmt::Write as _;
use topo_sim::exchange::{Block, Exchange};
use topo_sim::ownership::Ownership;
use topo_spec::ModelSpec;

/// Bytes of one activity value on the wire.
const VALUE_BYTES: f64 = 8.0;
/// f64 arrays per sheet unit (activity, previous activity, input sum,
/// output-function state), as `memory_estimate` counts them.
const SHEET_ARRAYS: f64 = 6.0;
/// Bytes per local destination unit of a projection besides its weights:
/// activity and norm total (f64), the valid flag, the slice (4 usize),
/// the weight offset and the unit's centre (2 f64).
const PROJ_BYTES_PER_UNIT: f64 = 8.0 + 8.0 + 1.0 + 32.0 + 8.0 + 16.0;
/// Copies of a projection's needed input: the delivered input and two
/// in-flight event buffers.
const INPUT_COPIES: f64 = 3.0;

/// What to plan.
#[derive(Clone, Debug)]
pub struct PlanOptions {
    /// Ranks.
    pub ranks: usize,
    /// Threads per rank.
    pub threads: usize,
    /// Iterations whose traffic is counted (the last one is reported per
    /// iteration).
    pub iterations: usize,
    /// The machine model.
    pub machine: Machine,
    /// Keep every rank's traffic totals (for comparison with a run).
    pub per_rank: bool,
}

/// Minimum, mean and maximum over the ranks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Stat {
    /// Smallest.
    pub min: f64,
    /// Mean.
    pub mean: f64,
    /// Largest.
    pub max: f64,
}

impl Stat {
    fn of(v: &[f64]) -> Stat {
        if v.is_empty() {
            return Stat::default();
        }
        let min = v.iter().copied().fold(f64::INFINITY, f64::min);
        let max = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        Stat {
            min,
            mean: v.iter().sum::<f64>() / v.len() as f64,
            max,
        }
    }
}

/// Received and sent, per rank.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Both {
    /// Received from other ranks.
    pub received: Stat,
    /// Sent to other ranks.
    pub sent: Stat,
}

/// One sheet's split.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SheetLine {
    /// Name.
    pub name: String,
    /// Matrix rows.
    pub rows: usize,
    /// Matrix columns.
    pub cols: usize,
    /// Units per rank.
    pub units_per_rank: Stat,
    /// Ranks owning none of it.
    pub empty_ranks: usize,
}

/// One projection's halo.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HaloLine {
    /// `Dest.Name`.
    pub projection: String,
    /// Source sheet.
    pub source: String,
    /// The projection whose exchanged halo it cuts its input from (then
    /// it sends nothing itself).
    pub shared_from: Option<String>,
    /// Exchanges per iteration.
    pub exchanges_per_iteration: u64,
    /// Bytes received per exchange, per rank.
    pub received_bytes_per_exchange: Stat,
}

/// One rank's exchange traffic over the counted iterations and the run's
/// end, in the units of [`crate::par::ExchangeStats`].
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct RankTraffic {
    /// Rank.
    pub rank: usize,
    /// `exchange` calls.
    pub calls: u64,
    /// Values received.
    pub units_received: u64,
    /// Values sent.
    pub units_sent: u64,
    /// Messages received.
    pub messages_received: u64,
    /// Messages sent.
    pub messages_sent: u64,
}

/// Memory per rank, bytes. The one estimate of the project: exact counts
/// of what the engine allocates from the geometry (weights and masks as
/// f32 per cropped CF weight, shared kernels, sheet and projection arrays,
/// halo buffers, generator canvases), plus the staging of one analysis or
/// snapshot gather of the largest sheet (every rank receives the whole
/// sheet twice: packed and placed). Not counted: the allocator's slack
/// and the code. `with_push` adds the per-source weight copies the engine
/// builds for projections whose inputs turn out sparse (at most every
/// projection; `topo_sim::memory::PER_SOURCE_BYTES_PER_SYNAPSE`), so
/// `total` is what a run needs and `with_push` what it may reach.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Memory {
    /// CF weights and masks, shared kernels.
    pub weights: Stat,
    /// Sheet and projection arrays, generator canvases.
    pub arrays: Stat,
    /// Halo send and receive buffers.
    pub halo_buffers: Stat,
    /// Analysis / snapshot staging.
    pub staging: Stat,
    /// The sum of the above.
    pub total: Stat,
    /// `total` plus per-source copies of every projection.
    pub with_push: Stat,
}

/// The predicted time per iteration on the slowest rank.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Prediction {
    /// Seconds per iteration (compute plus exchange of the slowest rank).
    pub seconds_per_iteration: f64,
    /// The slowest rank.
    pub slowest_rank: usize,
    /// Its compute seconds.
    pub compute_s: f64,
    /// Its exchange seconds (messages, bytes, collectives).
    pub exchange_s: f64,
    /// Of compute: responses.
    pub response_s: f64,
    /// Of compute: learning.
    pub learning_s: f64,
    /// Of compute: activation.
    pub activation_s: f64,
    /// Of compute: pattern generation.
    pub generation_s: f64,
}

/// Work of one rank per iteration.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Work {
    /// Weights visited by responses.
    pub response_weights: f64,
    /// Weights visited by learning.
    pub learning_weights: f64,
    /// Units activated.
    pub activation_units: f64,
    /// Units rendered by generators.
    pub generation_units: f64,
}

/// The plan.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Plan {
    /// Ranks.
    pub ranks: usize,
    /// Threads per rank.
    pub threads: usize,
    /// Process grid (rows, cols).
    pub grid: [usize; 2],
    /// How a run splits each sheet (`topo_hpc::balance`: the default
    /// chosen from the spec, or `TOPO_HPC_SPLIT`); everything below is
    /// planned for this split.
    pub split: String,
    /// The box whose grid lines cut every sheet (l, b, r, t).
    pub cut_box: [f64; 4],
    /// Iterations counted (traffic totals cover them all).
    pub iterations_counted: usize,
    /// Units of all sheets per rank.
    pub units_per_rank: Stat,
    /// Per sheet.
    pub sheets: Vec<SheetLine>,
    /// Per projection whose source crosses ranks.
    pub halos: Vec<HaloLine>,
    /// `exchange` calls per iteration (halos really sent).
    pub exchanges_per_iteration: u64,
    /// Small collectives per iteration.
    pub collectives_per_iteration: u64,
    /// Bytes per step: one exchange of every halo really sent.
    pub bytes_per_step: Both,
    /// Bytes per iteration.
    pub bytes_per_iteration: Both,
    /// Bytes once at the end of a run: sheets that owe the units nothing
    /// reads replay their last iteration's lateral exchanges
    /// (`topo_sim::Network::resolve_exchanges`).
    pub bytes_at_end: Both,
    /// Messages per step.
    pub messages_per_step: Both,
    /// Messages per iteration.
    pub messages_per_iteration: Both,
    /// Memory per rank.
    pub memory_per_rank: Memory,
    /// Predicted time.
    pub predicted: Prediction,
    /// The machine model used.
    pub machine: Machine,
    /// Every rank's traffic over the counted iterations and the run's end
    /// (where sheets that owe their unread units replay their last
    /// iteration's lateral exchanges), as a run of that many iterations
    /// counts it (with `per_rank`).
    pub per_rank: Option<Vec<RankTraffic>>,
    /// Seconds the plan took.
    pub plan_seconds: f64,
}

/// Every rank's rectangles from the planner's geometry.
struct GeometryOracle {
    /// Per registered halo: source sheet and every rank's rectangles.
    halos: Vec<(String, PeerRects)>,
}

impl RankOracle for GeometryOracle {
    fn rects(
        &mut self,
        index: usize,
        sheet: &str,
        _rows: usize,
        _cols: usize,
    ) -> Result<PeerRects, String> {
        match self.halos.get(index) {
            Some((s, r)) if s == sheet => Ok(r.clone()),
            Some((s, _)) => Err(format!("the plan has halo {index} on sheet {s}")),
            None => Err(format!("the plan has only {} halos", self.halos.len())),
        }
    }
}

/// Whether `outer` contains `inner` (an empty rectangle is inside anything).
fn contains(outer: &Block, inner: &Block) -> bool {
    inner.is_empty() || outer.intersect(inner) == *inner
}

/// Every rank's units, rectangles, weights and the model's events.
pub struct Layout {
    /// Ranks.
    pub ranks: usize,
    /// Process grid.
    pub grid: [usize; 2],
    /// Cut box.
    pub cut_box: [f64; 4],
    /// The split of every sheet (as a run chooses it).
    pub choice: SplitChoice,
    /// Every sheet's true bounds, in spec order.
    pub lbrts: Vec<[f64; 4]>,
    /// Geometry.
    pub model: ModelFootprints,
    /// Per sheet, every rank's units.
    pub owns: Vec<Vec<Ownership>>,
    /// Per connection, every rank's needed rectangle.
    pub needs: Vec<Vec<Block>>,
    /// Per connection, every rank's weights.
    pub weights: Vec<Vec<u64>>,
    /// Event structure.
    pub skeleton: Skeleton,
    /// Per connection: the connection whose halo it reads (None: its own).
    pub leader: Vec<Option<usize>>,
    /// Whether each sheet is a pattern generator.
    pub generator: Vec<bool>,
}

impl Layout {
    /// Lays `spec` out on `ranks` ranks split as a run would split them
    /// ([`crate::balance::split_choice`]), counting `iterations` iterations.
    pub fn new(spec: &ModelSpec, ranks: usize, iterations: usize) -> Result<Layout> {
        let choice = crate::balance::split_choice(spec, ranks)?;
        Layout::with_split(spec, ranks, iterations, choice)
    }

    /// Lays `spec` out on `ranks` ranks split as `choice` says.
    pub fn with_split(
        spec: &ModelSpec,
        ranks: usize,
        iterations: usize,
        choice: SplitChoice,
    ) -> Result<Layout> {
        if ranks == 0 {
            return Err(anyhow!("--ranks must be at least 1"));
        }
        let model = ModelFootprints::new(spec)?;
        let lbrts: Vec<[f64; 4]> = crate::par::model_geometry(spec)
            .map_err(|e| anyhow!("{e}"))?
            .iter()
            .map(|g| g.lbrt)
            .collect();
        let decomp = Assignment::new(ranks, 0, &lbrts, choice.clone())
            .map_err(|e| anyhow!("cannot decompose the sheets: {e}"))?;
        let g = decomp.grid().grid();
        let owns: Vec<Vec<Ownership>> = model
            .sheets
            .iter()
            .map(|(name, c)| decomp.all_owners(name, c.rows(), c.cols(), c.bounds().lbrt()))
            .collect();
        let mut needs = Vec::with_capacity(model.conns.len());
        let mut weights = Vec::with_capacity(model.conns.len());
        for c in &model.conns {
            let mut n = Vec::with_capacity(ranks);
            let mut w = Vec::with_capacity(ranks);
            for o in &owns[c.dest_index] {
                let f = c.footprint_owned(o)?;
                n.push(f.needed);
                w.push(f.weights);
            }
            needs.push(n);
            weights.push(w);
        }
        let skeleton = skeleton::skeleton(spec, iterations.max(1))?;
        let generator: Vec<bool> = (0..model.sheets.len())
            .map(|s| {
                spec.sheets[s].component.class.ends_with("GeneratorSheet")
                    || model
                        .conns
                        .iter()
                        .zip(&skeleton.roles)
                        .any(|(c, r)| c.src_index == s && r.halo.is_none())
            })
            .collect();
        let mut layout = Layout {
            ranks,
            grid: [g.rows, g.cols],
            cut_box: decomp.grid().cut_box(),
            choice,
            lbrts,
            model,
            owns,
            needs,
            weights,
            skeleton,
            leader: Vec::new(),
            generator,
        };
        layout.leader = layout.shared_halos();
        Ok(layout)
    }

    /// `Network::share_halos`' rule ([`topo_sim::network::halo_leaders`])
    /// over every rank's rectangles: a projection reads the halo of
    /// another from the same source sheet (`Activity` port, same afferent
    /// hold-back) whose rectangle contains its own on every rank; among
    /// equal ones the earlier leads.
    fn shared_halos(&self) -> Vec<Option<usize>> {
        let roles = &self.skeleton.roles;
        let n = self.model.conns.len();
        let mut leader: Vec<Option<usize>> = vec![None; n];
        for s in 0..self.model.sheets.len() {
            let outs: Vec<usize> = (0..n)
                .filter(|&j| {
                    self.model.conns[j].src_index == s
                        && roles[j].halo.is_some()
                        && roles[j].activity_port
                })
                .collect();
            let pairs = topo_sim::network::halo_leaders(
                &outs,
                &|j, k| roles[j].afferent_port == roles[k].afferent_port,
                &mut |outer, inner| {
                    self.needs[outer]
                        .iter()
                        .zip(&self.needs[inner])
                        .all(|(o, i)| contains(o, i))
                },
            );
            for (k, j) in pairs {
                leader[k] = Some(j);
            }
        }
        leader
    }

    /// Every registered halo's rectangles, in the engine's registration
    /// order.
    fn oracle(&self) -> GeometryOracle {
        let halos = self
            .skeleton
            .halo_conn
            .iter()
            .map(|&j| {
                let c = &self.model.conns[j];
                (
                    c.src.clone(),
                    PeerRects {
                        owns: self.owns[c.src_index].clone(),
                        needs: self.needs[j].clone(),
                    },
                )
            })
            .collect();
        GeometryOracle { halos }
    }

    /// A dry-run exchange for rank `rank` that knows every rank's
    /// rectangles (to build the real network in a dry run).
    pub fn dry_run(&self, rank: usize) -> DryRunExchange {
        DryRunExchange::new(rank, self.ranks, Box::new(self.oracle()))
    }

    /// Registers every halo as rank 0 would and returns every rank's
    /// volumes per halo, in registration order.
    pub fn summaries(&self) -> Vec<HaloSummary> {
        let mut ex = self.dry_run(0);
        for &j in &self.skeleton.halo_conn {
            let c = &self.model.conns[j];
            let (rows, cols) = (
                self.model.sheets[c.src_index].1.rows(),
                self.model.sheets[c.src_index].1.cols(),
            );
            ex.register(
                &c.src,
                rows,
                cols,
                &self.owns[c.src_index][0],
                self.needs[j][0],
            );
        }
        ex.halo_summaries()
    }

    /// Rank `q`'s work in an iteration with the events `it`.
    pub fn work(&self, q: usize, it: &Counts) -> Work {
        let mut w = Work::default();
        for (j, c) in self.model.conns.iter().enumerate() {
            let weights = self.weights[j][q] as f64;
            w.response_weights += it.deliveries[j] as f64 * weights;
            if self.skeleton.roles[j].learns {
                w.learning_weights += it.learns[c.dest_index] as f64 * weights;
            }
        }
        for s in 0..self.model.sheets.len() {
            let n = it.activations[s] as f64;
            if self.generator[s] {
                w.generation_units += n * self.canvas(s, q).len() as f64;
            } else {
                w.activation_units += n * self.owns[s][q].len() as f64;
            }
        }
        w
    }

    /// A generator's canvas on rank `q`: its block and what its outgoing
    /// projections read.
    fn canvas(&self, s: usize, q: usize) -> Block {
        let mut cb = self.owns[s][q].bounds();
        for (j, c) in self.model.conns.iter().enumerate() {
            if c.src_index == s {
                cb = cb.union_bounds(&self.needs[j][q]);
            }
        }
        cb
    }
}

/// Seconds of `w` on one rank of `m` with `threads` threads.
pub fn compute_seconds(w: &Work, m: &Machine, threads: usize) -> [f64; 4] {
    let scale = threads.max(1) as f64 / m.threads.max(1) as f64;
    let bw = m.memory_bytes_per_s;
    [
        machine::term_seconds(
            w.response_weights,
            m.response_weights_per_s,
            scale,
            w.response_weights * machine::RESPONSE_BYTES_PER_WEIGHT,
            bw,
        ),
        machine::term_seconds(
            w.learning_weights,
            m.learning_weights_per_s,
            scale,
            w.learning_weights * machine::LEARNING_BYTES_PER_WEIGHT,
            bw,
        ),
        machine::term_seconds(w.activation_units, m.activation_units_per_s, scale, 0.0, bw),
        machine::term_seconds(w.generation_units, m.generation_units_per_s, scale, 0.0, bw),
    ]
}

/// Makes the plan for the split a run would use
/// ([`crate::balance::split_choice`]).
pub fn plan(spec: &ModelSpec, o: &PlanOptions) -> Result<Plan> {
    let started = std::time::Instant::now();
    let choice = crate::balance::split_choice(spec, o.ranks)?;
    plan_split(spec, o, choice, started)
}

/// Makes the plan for the split `choice`.
pub fn plan_with_split(spec: &ModelSpec, o: &PlanOptions, choice: SplitChoice) -> Result<Plan> {
    plan_split(spec, o, choice, std::time::Instant::now())
}

fn plan_split(
    spec: &ModelSpec,
    o: &PlanOptions,
    choice: SplitChoice,
    started: std::time::Instant,
) -> Result<Plan> {
    let lay = Layout::with_split(spec, o.ranks, o.iterations, choice)?;
    let n = o.ranks;
    let sums = lay.summaries();
    let sk = &lay.skeleton;
    let last = sk.iterations.last().expect("at least one iteration");
    // Halos really exchanged: those not cut from a leader's.
    let sent: Vec<usize> = (0..sums.len())
        .filter(|&h| lay.leader[sk.halo_conn[h]].is_none())
        .collect();
    let per_rank_f = |f: &dyn Fn(usize) -> f64| -> Stat {
        let v: Vec<f64> = (0..n).map(f).collect();
        Stat::of(&v)
    };
    let step = |field: fn(&HaloSummary) -> &Vec<usize>| {
        per_rank_f(&|q| sent.iter().map(|&h| field(&sums[h])[q] as f64).sum())
    };
    let iter = |field: fn(&HaloSummary) -> &Vec<usize>, scale: f64| {
        per_rank_f(&|q| {
            sent.iter()
                .map(|&h| last.exchanges[h] as f64 * field(&sums[h])[q] as f64 * scale)
                .sum()
        })
    };
    let bytes_per_step = Both {
        received: scale_stat(step(|s| &s.recv_units), VALUE_BYTES),
        sent: scale_stat(step(|s| &s.send_units), VALUE_BYTES),
    };
    let bytes_per_iteration = Both {
        received: iter(|s| &s.recv_units, VALUE_BYTES),
        sent: iter(|s| &s.send_units, VALUE_BYTES),
    };
    let at_end = |field: fn(&HaloSummary) -> &Vec<usize>| {
        per_rank_f(&|q| {
            sent.iter()
                .map(|&h| sk.at_end[h] as f64 * field(&sums[h])[q] as f64 * VALUE_BYTES)
                .sum()
        })
    };
    let bytes_at_end = Both {
        received: at_end(|s| &s.recv_units),
        sent: at_end(|s| &s.send_units),
    };
    let messages_per_step = Both {
        received: step(|s| &s.recv_messages),
        sent: step(|s| &s.send_messages),
    };
    let messages_per_iteration = Both {
        received: iter(|s| &s.recv_messages, 1.0),
        sent: iter(|s| &s.send_messages, 1.0),
    };
    let halos = (0..sums.len())
        .map(|h| {
            let j = sk.halo_conn[h];
            let c = &lay.model.conns[j];
            HaloLine {
                projection: c.label(),
                source: c.src.clone(),
                shared_from: lay.leader[j].map(|l| lay.model.conns[l].label()),
                exchanges_per_iteration: if lay.leader[j].is_none() {
                    last.exchanges[h]
                } else {
                    0
                },
                received_bytes_per_exchange: per_rank_f(&|q| {
                    sums[h].recv_units[q] as f64 * VALUE_BYTES
                }),
            }
        })
        .collect();
    let units = |q: usize| lay.owns.iter().map(|o| o[q].len() as f64).sum::<f64>();
    let sheets = lay
        .model
        .sheets
        .iter()
        .enumerate()
        .map(|(s, (name, c))| SheetLine {
            name: name.clone(),
            rows: c.rows(),
            cols: c.cols(),
            units_per_rank: per_rank_f(&|q| lay.owns[s][q].len() as f64),
            empty_ranks: lay.owns[s].iter().filter(|b| b.is_empty()).count(),
        })
        .collect();

    // Time per rank.
    let m = &o.machine;
    let hops = (n as f64).log2().ceil().max(1.0);
    let mut best = Prediction::default();
    for q in 0..n {
        let t = compute_seconds(&lay.work(q, last), m, o.threads);
        let mut comm = last.collectives as f64 * m.latency_s * if n > 1 { hops } else { 0.0 };
        for &h in &sent {
            let s = &sums[h];
            let bytes = s.recv_units[q].max(s.send_units[q]) as f64 * VALUE_BYTES;
            let msgs = s.recv_messages[q].max(s.send_messages[q]) as f64;
            comm += last.exchanges[h] as f64 * (msgs * m.latency_s + bytes / m.network_bytes_per_s);
        }
        let compute: f64 = t.iter().sum();
        if q == 0 || compute + comm > best.seconds_per_iteration {
            best = Prediction {
                seconds_per_iteration: compute + comm,
                slowest_rank: q,
                compute_s: compute,
                exchange_s: comm,
                response_s: t[0],
                learning_s: t[1],
                activation_s: t[2],
                generation_s: t[3],
            };
        }
    }

    // Memory per rank.
    let largest = lay
        .model
        .sheets
        .iter()
        .map(|(_, c)| (c.rows() * c.cols()) as f64)
        .fold(0.0, f64::max);
    let mem_weights = |q: usize| -> f64 {
        lay.model
            .conns
            .iter()
            .enumerate()
            .map(|(j, c)| {
                if c.shared {
                    4.0 * c.template_len as f64
                } else {
                    topo_sim::memory::PER_TARGET_BYTES_PER_SYNAPSE * lay.weights[j][q] as f64
                }
            })
            .sum()
    };
    let mem_arrays = |q: usize| -> f64 {
        let mut b = SHEET_ARRAYS * VALUE_BYTES * units(q);
        for (j, c) in lay.model.conns.iter().enumerate() {
            b += PROJ_BYTES_PER_UNIT * lay.owns[c.dest_index][q].len() as f64;
            b += INPUT_COPIES * VALUE_BYTES * lay.needs[j][q].len() as f64;
        }
        for s in (0..lay.model.sheets.len()).filter(|&s| lay.generator[s]) {
            b += VALUE_BYTES * lay.canvas(s, q).len() as f64;
        }
        b
    };
    let mem_halo = |q: usize| -> f64 {
        sums.iter()
            .map(|s| (s.recv_units[q] + s.send_units[q]) as f64 * VALUE_BYTES)
            .sum()
    };
    let staging = 2.0 * VALUE_BYTES * largest;
    let mem_push = |q: usize| -> f64 {
        lay.model
            .conns
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.shared)
            .map(|(j, _)| topo_sim::memory::PER_SOURCE_BYTES_PER_SYNAPSE * lay.weights[j][q] as f64)
            .sum()
    };
    let total = |q: usize| mem_weights(q) + mem_arrays(q) + mem_halo(q) + staging;
    let memory_per_rank = Memory {
        weights: per_rank_f(&mem_weights),
        arrays: per_rank_f(&mem_arrays),
        halo_buffers: per_rank_f(&mem_halo),
        staging: per_rank_f(&|_| staging),
        total: per_rank_f(&total),
        with_push: per_rank_f(&|q| total(q) + mem_push(q)),
    };

    let per_rank = o.per_rank.then(|| {
        (0..n)
            .map(|q| {
                let mut t = RankTraffic {
                    rank: q,
                    calls: 0,
                    units_received: 0,
                    units_sent: 0,
                    messages_received: 0,
                    messages_sent: 0,
                };
                for it in sk
                    .iterations
                    .iter()
                    .map(|c| &c.exchanges)
                    .chain([&sk.at_end])
                {
                    for &h in &sent {
                        let k = it[h];
                        let s = &sums[h];
                        t.calls += k;
                        t.units_received += k * s.recv_units[q] as u64;
                        t.units_sent += k * s.send_units[q] as u64;
                        t.messages_received += k * s.recv_messages[q] as u64;
                        t.messages_sent += k * s.send_messages[q] as u64;
                    }
                }
                t
            })
            .collect()
    });

    Ok(Plan {
        ranks: n,
        threads: o.threads,
        grid: lay.grid,
        split: crate::balance::describe(spec, &lay.choice),
        cut_box: lay.cut_box,
        iterations_counted: sk.iterations.len(),
        units_per_rank: per_rank_f(&units),
        sheets,
        halos,
        exchanges_per_iteration: sent.iter().map(|&h| last.exchanges[h]).sum(),
        collectives_per_iteration: last.collectives,
        bytes_per_step,
        bytes_per_iteration,
        bytes_at_end,
        messages_per_step,
        messages_per_iteration,
        memory_per_rank,
        predicted: best,
        machine: o.machine.clone(),
        per_rank,
        plan_seconds: started.elapsed().as_secs_f64(),
    })
}

fn scale_stat(s: Stat, k: f64) -> Stat {
    Stat {
        min: s.min * k,
        mean: s.mean * k,
        max: s.max * k,
    }
}

/// Bytes for people.
pub fn human_bytes(b: f64) -> String {
    const UNITS: [&str; 6] = ["B", "kB", "MB", "GB", "TB", "PB"];
    let mut v = b;
    let mut u = 0;
    while v >= 1000.0 && u + 1 < UNITS.len() {
        v /= 1000.0;
        u += 1;
    }
    if u == 0 {
        format!("{v:.0} B")
    } else {
        format!("{v:.3} {}", UNITS[u])
    }
}

fn stat_line(s: &Stat, f: &dyn Fn(f64) -> String) -> String {
    format!("min {}  mean {}  max {}", f(s.min), f(s.mean), f(s.max))
}

/// The plan as text.
pub fn render(p: &Plan) -> String {
    let mut s = String::new();
    let num = |v: f64| format!("{v:.1}");
    let int = |v: f64| format!("{v:.0}");
    let bytes = |v: f64| human_bytes(v);
    let [l, b, r, t] = p.cut_box;
    let _ = writeln!(
        s,
        "{} rank(s) x {} thread(s): process grid {} x {} (rows x cols) over the cut box l,b,r,t = {l}, {b}, {r}, {t}",
        p.ranks, p.threads, p.grid[0], p.grid[1]
    );
    let _ = writeln!(s, "{}", p.split);
    let _ = writeln!(
        s,
        "units per rank:          {}",
        stat_line(&p.units_per_rank, &num)
    );
    for sh in &p.sheets {
        let _ = writeln!(
            s,
            "  {:<14} {:>6} x {:<6} {}{}",
            sh.name,
            sh.rows,
            sh.cols,
            stat_line(&sh.units_per_rank, &num),
            if sh.empty_ranks > 0 {
                format!(" ({} rank(s) own none)", sh.empty_ranks)
            } else {
                String::new()
            }
        );
    }
    let _ = writeln!(
        s,
        "halos ({} exchange(s) and {} collective(s) per iteration):",
        p.exchanges_per_iteration, p.collectives_per_iteration
    );
    for h in &p.halos {
        match &h.shared_from {
            Some(l) => {
                let _ = writeln!(
                    s,
                    "  {:<28} from {:<10} reads {l}'s halo",
                    h.projection, h.source
                );
            }
            None => {
                let _ = writeln!(
                    s,
                    "  {:<28} from {:<10} {:>3} x per iteration, received per exchange {}",
                    h.projection,
                    h.source,
                    h.exchanges_per_iteration,
                    stat_line(&h.received_bytes_per_exchange, &bytes)
                );
            }
        }
    }
    let both = |s: &mut String, what: &str, v: &Both, f: &dyn Fn(f64) -> String| {
        let _ = writeln!(s, "{what:<24} received {}", stat_line(&v.received, f));
        let _ = writeln!(s, "{:<24} sent     {}", "", stat_line(&v.sent, f));
    };
    both(&mut s, "bytes per step:", &p.bytes_per_step, &bytes);
    both(
        &mut s,
        "bytes per iteration:",
        &p.bytes_per_iteration,
        &bytes,
    );
    both(&mut s, "messages per step:", &p.messages_per_step, &int);
    both(
        &mut s,
        "messages per iteration:",
        &p.messages_per_iteration,
        &int,
    );
    let m = &p.memory_per_rank;
    let _ = writeln!(s, "memory per rank:");
    for (what, v) in [
        ("weights", &m.weights),
        ("arrays", &m.arrays),
        ("halo buffers", &m.halo_buffers),
        ("HDF5 staging", &m.staging),
        ("total", &m.total),
        ("with push copies", &m.with_push),
    ] {
        let _ = writeln!(s, "  {what:<18} {}", stat_line(v, &bytes));
    }
    let e = &p.predicted;
    let _ = writeln!(
        s,
        "predicted time per iteration: {:.4} s on rank {} (compute {:.4} s: response {:.4}, learning {:.4}, activation {:.4}, generation {:.4}; exchange {:.4} s)",
        e.seconds_per_iteration,
        e.slowest_rank,
        e.compute_s,
        e.response_s,
        e.learning_s,
        e.activation_s,
        e.generation_s,
        e.exchange_s
    );
    let _ = writeln!(
        s,
        "machine: {}; network {} s latency, {}/s",
        p.machine.source,
        p.machine.latency_s,
        human_bytes(p.machine.network_bytes_per_s)
    );
    let _ = writeln!(s, "planned in {:.2} s", p.plan_seconds);
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use topo_sim::Network;

    fn example(file: &str, params: &[(&str, &str)]) -> ModelSpec {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples")
            .join(file);
        let o: Vec<(String, String)> = params
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        topo_lang::load_model(&path, &o).unwrap()
    }

    fn small_gcal() -> ModelSpec {
        example(
            "gcal.ty",
            &[
                ("cortex_density", "10"),
                ("lgn_density", "12"),
                ("retina_density", "12"),
            ],
        )
    }

    /// Building the real network of every rank in a dry run: the engine
    /// registers each halo with its own units and `needed` rectangle,
    /// which the dry run compares with the planner's (a difference
    /// panics), and each projection's built weights must number what the
    /// planner counts. For the grid and for rows dealt in stripes.
    fn check_dry_builds(spec: &ModelSpec, ranks: &[usize]) {
        for split in ["grid", "V1=rows-cyclic", "rows-cyclic:2"] {
            let choice = SplitChoice::parse(split).unwrap();
            check_dry_builds_split(spec, ranks, choice);
        }
    }

    fn check_dry_builds_split(spec: &ModelSpec, ranks: &[usize], choice: SplitChoice) {
        for &n in ranks {
            let lay = Layout::with_split(spec, n, 1, choice.clone()).unwrap();
            for q in 0..n {
                let decomp = Assignment::new(n, q, &lay.lbrts, choice.clone()).unwrap();
                let mut ex = lay.dry_run(q);
                let net = Network::build(spec, &decomp, &mut ex).unwrap();
                assert_eq!(ex.halo_summaries().len(), lay.skeleton.halo_conn.len());
                for (j, c) in lay.model.conns.iter().enumerate() {
                    let p = net.projection(&c.dest, &c.name).unwrap();
                    assert_eq!(
                        p.cfs.needed,
                        lay.needs[j][q],
                        "{choice:?}, {n} ranks, rank {q}, {}",
                        c.label()
                    );
                    let built: u64 = (0..p.cfs.len())
                        .map(|u| {
                            let (r, k) = p.cfs.unit_shape(u);
                            (r * k) as u64
                        })
                        .sum();
                    assert_eq!(
                        built,
                        lay.weights[j][q],
                        "{choice:?}, {n} ranks, rank {q}, {}",
                        c.label()
                    );
                }
            }
        }
    }

    #[test]
    fn dry_run_builds_register_exactly_the_planned_rectangles() {
        check_dry_builds(&small_gcal(), &[1, 2, 3, 4, 7, 8, 12]);
    }

    #[test]
    fn dry_run_builds_of_lissom_and_shared_weights_match_too() {
        let lissom = example(
            "lissom_oo_or.ty",
            &[
                ("cortex_density", "8"),
                ("retina_density", "12"),
                ("lgn_density", "12"),
            ],
        );
        check_dry_builds(&lissom, &[2, 5]);
    }

    #[test]
    fn the_plan_counts_what_the_summaries_of_every_rank_say() {
        let spec = small_gcal();
        let o = PlanOptions {
            ranks: 6,
            threads: 1,
            iterations: 2,
            machine: Machine::default(),
            per_rank: true,
        };
        let p = plan(&spec, &o).unwrap();
        assert_eq!(p.grid[0] * p.grid[1], 6);
        let per = p.per_rank.as_ref().unwrap();
        // Everything sent is received somewhere.
        let recv: u64 = per.iter().map(|t| t.units_received).sum();
        let sent: u64 = per.iter().map(|t| t.units_sent).sum();
        assert_eq!(recv, sent);
        assert!(recv > 0);
        let mr: u64 = per.iter().map(|t| t.messages_received).sum();
        let ms: u64 = per.iter().map(|t| t.messages_sent).sum();
        assert_eq!(mr, ms);
        // Two iterations of the same structure: twice one iteration's
        // bytes, and the run end's replay of the LGN's gain control.
        let one = p.bytes_per_iteration.received.mean * 6.0 / VALUE_BYTES;
        let end = p.bytes_at_end.received.mean * 6.0 / VALUE_BYTES;
        assert!(end > 0.0, "the LGN owes units: its replay exchanges");
        assert_eq!(recv as f64, 2.0 * one + end);
        // The V1 lateral projections share one halo.
        let shared: Vec<_> = p.halos.iter().filter(|h| h.shared_from.is_some()).collect();
        assert_eq!(shared.len(), 1, "{:?}", p.halos);
        assert!(p.predicted.seconds_per_iteration > 0.0);
        assert!(p.memory_per_rank.total.min > 0.0);
        assert!(p.memory_per_rank.with_push.max >= p.memory_per_rank.total.max);
    }

    #[test]
    fn a_large_plan_takes_seconds_and_splits_the_cortex() {
        // GCAL at cortex density 1000 on 4096 ranks: no weight is built.
        let spec = example("gcal.ty", &[("cortex_density", "1000")]);
        let o = PlanOptions {
            ranks: 4096,
            threads: 1,
            iterations: 1,
            machine: Machine::default(),
            per_rank: false,
        };
        let timed = |choice: SplitChoice| {
            let t = std::time::Instant::now();
            let p = plan_with_split(&spec, &o, choice.clone()).unwrap();
            let el = t.elapsed().as_secs_f64();
            eprintln!("plan of d=1000 on 4096 ranks, {choice:?}: {el:.2} s");
            // Generous bound for a debug build on a loaded machine; the
            // release build takes about 1 s.
            assert!(el < 120.0, "{el} s");
            assert_eq!((p.grid[0], p.grid[1]), (64, 64));
            let v1 = p.sheets.iter().find(|s| s.name == "V1").unwrap().clone();
            assert_eq!((v1.rows, v1.cols), (1000, 1000));
            assert_eq!(v1.units_per_rank.mean * 4096.0, 1e6);
            (p, v1)
        };
        let (_, v1) = timed(SplitChoice::parse("grid").unwrap());
        // 1000 rows over 64 grid rows: blocks of 15 or 16 rows and columns.
        assert_eq!(v1.units_per_rank.min, 225.0);
        assert_eq!(v1.units_per_rank.max, 256.0);
        // Dealt rows on 4096 ranks: one row (of 1000 units) each for 1000
        // of them, none for the rest, which is why the default keeps the
        // grid when there are fewer than 8 rows per rank.
        let dealt = SplitChoice::parse("V1=rows-cyclic").unwrap();
        let (p, v1) = timed(dealt);
        assert_eq!(v1.units_per_rank.min, 0.0);
        assert_eq!(v1.units_per_rank.max, 1000.0);
        assert_eq!(v1.empty_ranks, 4096 - 1000);
        assert_eq!(
            crate::balance::default_split(&spec, 4096).unwrap(),
            SplitChoice::default()
        );
        assert_eq!(
            crate::balance::default_split(&spec, 125).unwrap(),
            SplitChoice::parse("V1=rows-cyclic").unwrap()
        );
        assert!(p.bytes_per_step.received.max > 0.0);
    }
}
