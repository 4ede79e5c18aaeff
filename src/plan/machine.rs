//! The machine model of `topo-hpc plan`: how fast one rank computes each
//! kind of work and moves memory, and how fast the network is.
//!
//! Compute rates are per thread count `threads` (the threads they were
//! measured with); a plan for `T` threads scales them by `T / threads`
//! (perfect thread scaling: an optimistic bound). A term's time is the
//! larger of its work over its rate and its bytes over the memory
//! bandwidth (weights streamed from memory once per visit), so rates
//! measured on a small model (weights in cache) do not promise more than
//! the memory can deliver on a large one.
//!
//! The defaults are the rates `topo-hpc plan --calibrate` measured on the
//! project's 2-core development machine (Intel Xeon, 2026-12-04,
//! examples/gcal.ty at cortex_density 48, 1 thread, 20 iterations;
//! benches/results/machine.json), the network an InfiniBand HDR-class
//! interconnect: 1.5 µs latency, 12 GB/s per rank. The rates are
//! effective ones: GCAL's responses skip silent input rows and its
//! learning touches only active units, so they exceed what a dense pass
//! over the weights would reach.

use anyhow::{Context as _, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The machine model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Machine {
    /// Where the numbers come from.
    pub source: String,
    /// Threads per rank the compute rates were measured with.
    pub threads: usize,
    /// CF weights visited per second by responses (dot products).
    pub response_weights_per_s: f64,
    /// CF weights visited per second by learning and normalisation.
    pub learning_weights_per_s: f64,
    /// Sheet units per second of activation (summing projections, output
    /// functions, sending).
    pub activation_units_per_s: f64,
    /// Pattern units per second rendered by generator sheets.
    pub generation_units_per_s: f64,
    /// Memory bandwidth of one rank, bytes per second (a triad).
    pub memory_bytes_per_s: f64,
    /// Network latency per message, seconds.
    pub latency_s: f64,
    /// Network bandwidth per rank, bytes per second.
    pub network_bytes_per_s: f64,
}

impl Default for Machine {
    fn default() -> Machine {
        Machine {
            source: "defaults (topo-hpc plan --calibrate on the 2-core development machine, 2026-12-04 16:50 UTC, benches/results/machine.json; InfiniBand HDR-class network)".into(),
            threads: 1,
            response_weights_per_s: 3.23e9,
            learning_weights_per_s: 1.13e9,
            activation_units_per_s: 6.24e8,
            generation_units_per_s: 5.12e6,
            memory_bytes_per_s: 1.14e10,
            latency_s: 1.5e-6,
            network_bytes_per_s: 12.0e9,
        }
    }
}

/// Where the machine file is looked for and written by default:
/// `$TOPO_HPC_MACHINE`, else `topo-hpc-machine.json` in the working
/// directory.
pub fn default_path() -> PathBuf {
    std::env::var_os("TOPO_HPC_MACHINE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("topo-hpc-machine.json"))
}

impl Machine {
    /// The machine file at `path` if given (it must exist), else the
    /// default file if it exists, else the defaults.
    pub fn load(path: Option<&Path>) -> Result<Machine> {
        let (p, must) = match path {
            Some(p) => (p.to_path_buf(), true),
            None => (default_path(), false),
        };
        if !must && !p.exists() {
            return Ok(Machine::default());
        }
        let text = std::fs::read_to_string(&p)
            .with_context(|| format!("cannot read the machine file {}", p.display()))?;
        serde_json::from_str(&text).with_context(|| format!("{}: not a machine file", p.display()))
    }

    /// Writes the machine file.
    pub fn save(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_string_pretty(self)?;
        std::fs::write(path, text + "\n")
            .with_context(|| format!("cannot write {}", path.display()))
    }
}

/// Bytes a response streams per weight (the f32 weight).
pub const RESPONSE_BYTES_PER_WEIGHT: f64 = 4.0;
/// Bytes learning streams per weight (weight read and written, mask read).
pub const LEARNING_BYTES_PER_WEIGHT: f64 = 12.0;

/// Seconds for `work` items at `rate` per second (threads scaled), bounded
/// below by streaming `bytes` at the memory bandwidth.
pub fn term_seconds(work: f64, rate: f64, thread_scale: f64, bytes: f64, bandwidth: f64) -> f64 {
    let compute = if rate > 0.0 {
        work / (rate * thread_scale)
    } else {
        0.0
    };
    let memory = if bandwidth > 0.0 {
        bytes / bandwidth
    } else {
        0.0
    };
    compute.max(memory)
}

/// Measures the memory bandwidth of this thread: the best of a few
/// triads `a = b + s * c` over 3 x 32 MB.
pub fn measure_bandwidth() -> f64 {
    let n = 4 << 20;
    let b = vec![1.0f64; n];
    let c = vec![2.0f64; n];
    let mut a = vec![0.0f64; n];
    let mut best = f64::INFINITY;
    for k in 0..5 {
        let s = 0.5 + k as f64;
        let t = std::time::Instant::now();
        for ((x, y), z) in a.iter_mut().zip(&b).zip(&c) {
            *x = y + s * z;
        }
        std::hint::black_box(&a);
        best = best.min(t.elapsed().as_secs_f64());
    }
    (3 * 8 * n) as f64 / best
}
