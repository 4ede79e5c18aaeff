//! How much memory a model needs per rank, from its spec alone, and how
//! much this rank may use: a model that cannot fit is refused before
//! anything is allocated or written (`cortex_density=100000` allocated
//! until the allocator aborted).
//!
//! The figures are the engine's own estimate, `topo_sim::memory::estimate`
//! (the one the iteration bench prints): CF weights and masks counted as
//! placed (cropped at the sheet edges), activities and input buffers, and
//! the per-source copies of pushed projections (an upper bound: built
//! lazily, and only for projections whose inputs are sparse). A refusal
//! compares what is allocated at build (everything but the per-source
//! copies) with the memory available.

use topo_sim::memory::MemoryEstimate;
use topo_spec::ModelSpec;

/// A model's memory need.
#[derive(Clone, Debug, PartialEq)]
pub struct Estimate {
    /// Units over all sheets.
    pub units: u64,
    /// Connection-field weights over all projections.
    pub weights: u64,
    /// Bytes over the whole model, per-source copies included.
    pub total_bytes: f64,
    /// Bytes allocated when the model is built (no per-source copies).
    pub build_bytes: f64,
    /// The engine's estimate these figures come from.
    pub engine: MemoryEstimate,
}

impl Estimate {
    /// Bytes one of `ranks` ranks holds (the model is split evenly).
    pub fn per_rank(&self, ranks: usize) -> f64 {
        self.total_bytes / ranks.max(1) as f64
    }

    /// One line for logs and `model --geometry`.
    pub fn describe(&self, ranks: usize) -> String {
        let e = &self.engine;
        let per = |b: f64| gb(b / ranks.max(1) as f64);
        format!(
            "{} per rank on {ranks} rank(s): CF weights and masks {}, per-source copies {} \
             (built when inputs are sparse), activities and buffers {}; {} units, {} weights",
            per(self.total_bytes),
            per(e.per_target_bytes),
            per(e.per_source_bytes),
            per(e.activity_bytes),
            self.units,
            self.weights
        )
    }
}

/// The estimate for `spec` (cheap: no CF is built; O(rows + cols) per
/// projection), or what in the spec it cannot read.
pub fn estimate(spec: &ModelSpec) -> Result<Estimate, String> {
    let e = topo_sim::memory::estimate(spec).map_err(|e| format!("memory estimate: {e}"))?;
    Ok(Estimate {
        units: e.units as u64,
        weights: (e.synapses + e.shared_weights) as u64,
        total_bytes: e.total_bytes(),
        build_bytes: e.per_target_bytes + e.activity_bytes,
        engine: e,
    })
}

/// The memory this rank may use, in bytes, and where the figure comes
/// from: the smallest of `MemAvailable` (shared by the ranks on this node),
/// the cgroup's `memory.max` less its use (shared likewise), and SLURM's
/// `SLURM_MEM_PER_CPU` × CPUs per task or `SLURM_MEM_PER_NODE` / tasks per
/// node (MB). None when nothing can be read.
pub fn available_per_rank() -> Option<(f64, String)> {
    let local_ranks = local_rank_count() as f64;
    let mut best: Option<(f64, String)> = None;
    let mut offer = |bytes: f64, what: String| {
        if bytes.is_finite() && bytes >= 0.0 && best.as_ref().is_none_or(|(b, _)| bytes < *b) {
            best = Some((bytes, what));
        }
    };
    if let Some(kb) = meminfo_kb("MemAvailable") {
        offer(kb * 1024.0 / local_ranks, "MemAvailable".into());
    }
    if let Some(b) = cgroup_room() {
        offer(b / local_ranks, "cgroup memory.max".into());
    }
    let env_mb = |k: &str| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.trim().parse::<f64>().ok())
    };
    if let Some(mb) = env_mb("SLURM_MEM_PER_CPU") {
        let cpus = env_mb("SLURM_CPUS_PER_TASK").unwrap_or(1.0);
        offer(mb * cpus * 1048576.0, "SLURM_MEM_PER_CPU".into());
    } else if let Some(mb) = env_mb("SLURM_MEM_PER_NODE") {
        if mb > 0.0 {
            offer(mb * 1048576.0 / local_ranks, "SLURM_MEM_PER_NODE".into());
        }
    }
    best
}

/// Ranks sharing this node (OpenMPI's and SLURM's local counts; 1 if
/// neither says).
fn local_rank_count() -> usize {
    [
        "OMPI_COMM_WORLD_LOCAL_SIZE",
        "SLURM_NTASKS_PER_NODE",
        "MPI_LOCALNRANKS",
    ]
    .iter()
    .filter_map(|k| std::env::var(k).ok())
    .filter_map(|v| v.split(['(', ',']).next()?.trim().parse::<usize>().ok())
    .find(|&n| n > 0)
    .unwrap_or(1)
}

fn meminfo_kb(key: &str) -> Option<f64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
}

/// cgroup v2 limit less current use, for this process's cgroup.
fn cgroup_room() -> Option<f64> {
    let cg = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    let rel = cg.lines().find_map(|l| l.strip_prefix("0::"))?;
    let dir = std::path::Path::new("/sys/fs/cgroup").join(rel.trim_start_matches('/'));
    let max = std::fs::read_to_string(dir.join("memory.max")).ok()?;
    let max: f64 = max.trim().parse().ok()?; // "max" (no limit) fails here
    let cur: f64 = std::fs::read_to_string(dir.join("memory.current"))
        .ok()
        .and_then(|c| c.trim().parse().ok())
        .unwrap_or(0.0);
    Some((max - cur).max(0.0))
}

/// Gigabytes, for messages.
pub fn gb(bytes: f64) -> String {
    let g = bytes / 1e9;
    if g >= 10.0 {
        format!("{g:.0} GB")
    } else {
        format!("{g:.2} GB")
    }
}

/// Refuse a model whose build need per rank exceeds what this rank may use.
pub fn check_fits(e: &Estimate, ranks: usize) -> Result<(), String> {
    let need = e.build_bytes / ranks.max(1) as f64;
    if let Some((have, source)) = available_per_rank() {
        if need > have {
            let min_ranks = (e.build_bytes / have.max(1.0)).ceil();
            return Err(format!(
                "the model needs at least {} per rank on {ranks} rank(s) ({} units, {} weights), {} available ({source}); use more ranks (at least {min_ranks:.0} at this memory per rank) or a smaller density",
                gb(need),
                e.units,
                e.weights,
                gb(have)
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_model_that_cannot_fit_is_refused() {
        let spec = topo_lang::load_model(
            std::path::Path::new(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/examples/gcal_class.ty"
            )),
            &[("cortex_density".to_string(), "48".to_string())],
        )
        .expect("gcal_class.ty");
        let e = estimate(&spec).expect("estimate");
        assert!(e.build_bytes < e.total_bytes);
        assert_eq!(e.per_rank(4), e.total_bytes / 4.0);
        assert!(check_fits(&e, 1).is_ok(), "d48 fits: {}", e.describe(1));
        let huge = Estimate {
            build_bytes: 1e18,
            ..e
        };
        let err = check_fits(&huge, 1).expect_err("1 EB does not fit");
        assert!(err.contains("per rank on 1 rank(s)"), "{err}");
    }

    /// The need `topo-hpc run` prints at start (the `memory:` line of the
    /// run log, `Estimate::describe`) leads with the total that includes
    /// the per-source copies, and names them.
    #[test]
    fn the_printed_need_includes_the_per_source_copies() {
        let spec = topo_lang::load_model(
            std::path::Path::new(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/examples/gcal_class.ty"
            )),
            &[("cortex_density".to_string(), "48".to_string())],
        )
        .expect("gcal_class.ty");
        let e = estimate(&spec).expect("estimate");
        let g = &e.engine;
        assert!(g.per_source_bytes > 0.0, "GCAL's V1 projections push");
        assert_eq!(
            e.total_bytes,
            g.per_target_bytes + g.per_source_bytes + g.activity_bytes
        );
        for ranks in [1, 3] {
            let line = e.describe(ranks);
            let per = |b: f64| gb(b / ranks as f64);
            assert!(
                line.starts_with(&format!("{} per rank", per(e.total_bytes))),
                "{line}"
            );
            assert!(
                line.contains(&format!("per-source copies {}", per(g.per_source_bytes))),
                "{line}"
            );
        }
    }

    #[test]
    fn available_memory_is_read_here() {
        let (b, src) = available_per_rank().expect("Linux has /proc/meminfo");
        assert!(b > 0.0, "{src}");
    }
}
