//! How much memory a model needs per rank, from its spec alone, and how
//! much this rank may use: a model that cannot fit is refused before
//! anything is allocated or written (`cortex_density=100000` allocated
//! until the allocator aborted).
//!
//! The estimate is deliberately a *lower* bound of the engine's real use
//! (sheet arrays as f64, connection-field weights as f32 plus a mask byte,
//! nothing for halos, buffers and the allocator's slack), so a refusal
//! always means the model cannot fit. It lives in this one module so that
//! a finer estimate from the engine (topo-sim) can replace [`estimate`]
//! without touching its callers.

use crate::par::report::SheetGeometry;
use topo_spec::{ModelSpec, Value};

/// f64 arrays per sheet unit: activity and its previous value, the input
/// sum, the output function's state (threshold, average) and a spare.
const SHEET_ARRAYS: u64 = 6;
/// Bytes per connection-field weight: the f32 weight and its mask byte.
const WEIGHT_BYTES: u64 = 5;

/// A model's memory need.
#[derive(Clone, Debug, PartialEq)]
pub struct Estimate {
    /// Units over all sheets.
    pub units: u64,
    /// Connection-field weights over all projections.
    pub weights: u64,
    /// Bytes over the whole model.
    pub total_bytes: f64,
}

impl Estimate {
    /// Bytes one of `ranks` ranks holds (the model is split evenly).
    pub fn per_rank(&self, ranks: usize) -> f64 {
        self.total_bytes / ranks.max(1) as f64
    }
}

/// The estimate for `spec`, from the sheets' shapes (`geo`, in spec order)
/// and each projection's nominal template. Never allocates per unit.
pub fn estimate(spec: &ModelSpec, geo: &[SheetGeometry]) -> Estimate {
    let units_of = |name: &str| -> f64 {
        geo.iter()
            .find(|g| g.name == name)
            .map(|g| g.rows as f64 * g.cols as f64)
            .unwrap_or(0.0)
    };
    let density_of = |name: &str| -> f64 {
        geo.iter()
            .find(|g| g.name == name)
            .map(|g| {
                let w = g.lbrt[2] - g.lbrt[0];
                if w > 0.0 {
                    g.cols as f64 / w
                } else {
                    0.0
                }
            })
            .unwrap_or(0.0)
    };
    let units: f64 = geo.iter().map(|g| g.rows as f64 * g.cols as f64).sum();
    let mut weights = 0.0;
    for c in &spec.connections {
        let side = match c.component.get("nominal_bounds_template") {
            Some(Value::BoundingBox(b)) => {
                let d = density_of(&c.src);
                let w = ((b[2] - b[0]) * d).max(1.0);
                let h = ((b[3] - b[1]) * d).max(1.0);
                Some((w, h))
            }
            _ => None,
        };
        // Projections without a template (one-to-one, shared weights)
        // hold about one value per destination unit.
        let per_unit = side.map(|(w, h)| w * h).unwrap_or(1.0);
        weights += units_of(&c.dest) * per_unit;
    }
    Estimate {
        units: units as u64,
        weights: weights as u64,
        total_bytes: units * (SHEET_ARRAYS * 8) as f64 + weights * WEIGHT_BYTES as f64,
    }
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

/// Refuse a model whose estimate per rank exceeds what this rank may use.
pub fn check_fits(spec: &ModelSpec, geo: &[SheetGeometry], ranks: usize) -> Result<(), String> {
    let e = estimate(spec, geo);
    let need = e.per_rank(ranks);
    if let Some((have, source)) = available_per_rank() {
        if need > have {
            let min_ranks = (e.total_bytes / have.max(1.0)).ceil();
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
    fn bytes_grow_with_units_and_templates() {
        let spec = ModelSpec::default();
        let geo = vec![SheetGeometry {
            name: "V1".into(),
            rows: 1000,
            cols: 1000,
            lbrt: [-0.5, -0.5, 0.5, 0.5],
        }];
        let e = estimate(&spec, &geo);
        assert_eq!(e.units, 1_000_000);
        assert_eq!(e.total_bytes, 48e6);
        assert_eq!(e.per_rank(4), 12e6);
    }

    #[test]
    fn available_memory_is_read_here() {
        let (b, src) = available_per_rank().expect("Linux has /proc/meminfo");
        assert!(b > 0.0, "{src}");
    }
}
