//! Where a run's time goes, per rank: `<simname>.timing.json` in the run
//! folder, written by rank 0 after the last analysis time.
//!
//! Setup is the network's construction (and restore); training is the
//! time inside the engine's iterations (analysis, output and the
//! checkpoint agreement between iterations excluded). Training splits
//! into exchange (inside `MpiExchange::exchange`: packing, copying,
//! unpacking), wait (inside `MPI_Waitall` and the small collectives:
//! the wire and the slower neighbours) and compute (the rest). The
//! exchange counters are those of [`crate::par::ExchangeStats`] over
//! training only, so `topo-hpc plan --per-rank` can be compared with them.

use crate::par::{Context, ExchangeStats};
use anyhow::{Context as _, Result};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// One rank's timing.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RankTiming {
    /// Rank.
    pub rank: usize,
    /// Seconds building the network.
    pub setup_s: f64,
    /// Seconds in training iterations.
    pub train_s: f64,
    /// Simulated time trained.
    pub iterations: f64,
    /// Of `train_s`: in exchanges, less `exchange_wait_s`.
    pub exchange_s: f64,
    /// Of `train_s`: waiting in exchanges and collectives.
    pub wait_s: f64,
    /// Of `train_s`: the rest.
    pub compute_s: f64,
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
    /// Small collectives.
    pub collectives: u64,
}

/// What the training loop accumulates on this rank.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Training {
    /// Seconds building.
    pub setup_s: f64,
    /// Seconds training.
    pub train_s: f64,
    /// Simulated time trained.
    pub iterations: f64,
    /// Exchange counters over training.
    pub stats: ExchangeStats,
}

impl Training {
    /// Adds one training segment: `seconds` long, `time` simulated, with
    /// the exchange counters `before` and `after` it.
    pub fn add(&mut self, seconds: f64, time: f64, before: &ExchangeStats, after: &ExchangeStats) {
        self.train_s += seconds;
        self.iterations += time;
        let s = &mut self.stats;
        s.calls += after.calls - before.calls;
        s.units_received += after.units_received - before.units_received;
        s.units_sent += after.units_sent - before.units_sent;
        s.seconds += after.seconds - before.seconds;
        s.messages_received += after.messages_received - before.messages_received;
        s.messages_sent += after.messages_sent - before.messages_sent;
        s.wait_seconds += after.wait_seconds - before.wait_seconds;
        s.collective_seconds += after.collective_seconds - before.collective_seconds;
        s.collectives += after.collectives - before.collectives;
    }

    /// This rank's record.
    pub fn record(&self, rank: usize) -> RankTiming {
        let s = &self.stats;
        let wait = s.wait_seconds + s.collective_seconds;
        let exchange = (s.seconds - s.wait_seconds).max(0.0);
        RankTiming {
            rank,
            setup_s: self.setup_s,
            train_s: self.train_s,
            iterations: self.iterations,
            exchange_s: exchange,
            wait_s: wait,
            compute_s: (self.train_s - exchange - wait).max(0.0),
            calls: s.calls,
            units_received: s.units_received,
            units_sent: s.units_sent,
            messages_received: s.messages_received,
            messages_sent: s.messages_sent,
            collectives: s.collectives,
        }
    }
}

/// The file's content.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TimingFile {
    /// Ranks.
    pub ranks: usize,
    /// Threads per rank.
    pub threads: usize,
    /// Every rank, in rank order.
    pub per_rank: Vec<RankTiming>,
}

/// Collective: gathers every rank's timing and writes
/// `<dir>/<simname>.timing.json` on rank 0.
pub fn write(ctx: &Context, t: &Training, dir: &Path, simname: &str) -> Result<()> {
    let mine = serde_json::to_vec(&t.record(ctx.rank()))?;
    let Some(all) = ctx.gather(&mine) else {
        return Ok(());
    };
    let per_rank = all
        .iter()
        .map(|b| serde_json::from_slice(b))
        .collect::<std::result::Result<Vec<RankTiming>, _>>()
        .context("gathering the ranks' timings")?;
    let file = TimingFile {
        ranks: ctx.size(),
        threads: rayon::current_num_threads(),
        per_rank,
    };
    let path = dir.join(format!("{simname}.timing.json"));
    std::fs::write(&path, serde_json::to_string_pretty(&file)? + "\n")
        .with_context(|| format!("cannot write {}", path.display()))
}
