//! How much memory a model needs on one process, estimated from its spec
//! before anything is built (to print at start and to refuse models that
//! cannot fit).

use crate::cf::{CfParams, ProjectionKind};
use crate::error::SimError;
use crate::network::sheet_coords;
use topo_spec::ModelSpec;

/// Bytes per stored CF weight in the per-target layout: the f32 weight
/// and its f32 mask.
pub const PER_TARGET_BYTES_PER_SYNAPSE: f64 = 8.0;

/// Bytes per stored CF weight of the per-source copy of projections whose
/// sparse inputs are pushed ([`crate::push`]): the f32 weight copy, its
/// u32 address, and the runs of targets (12 bytes per run, about one run
/// per source and target row; counted here as 1 byte per synapse, an
/// upper bound for CFs at least 12 units wide).
pub const PER_SOURCE_BYTES_PER_SYNAPSE: f64 = 9.0;

/// The estimate (an upper bound: CFs cropped at the sheet edges are
/// counted whole).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct MemoryEstimate {
    /// CF weights of projections with their own weights.
    pub synapses: f64,
    /// Weights of shared kernels.
    pub shared_weights: f64,
    /// Units of all sheets.
    pub units: f64,
    /// Bytes of the per-target layout (weights and masks).
    pub per_target_bytes: f64,
    /// Bytes of the per-source copies (built when inputs are pushed).
    pub per_source_bytes: f64,
    /// Bytes of activities, inputs and in-flight buffers (f64 per unit
    /// and projection, a few copies each).
    pub activity_bytes: f64,
}

impl MemoryEstimate {
    /// Everything together.
    pub fn total_bytes(&self) -> f64 {
        self.per_target_bytes + self.per_source_bytes + self.activity_bytes
    }
}

/// Estimates the memory of `spec` on one process (divide the CF part by
/// the rank count for a decomposed run). Cheap: no CF is built, each
/// projection's template shape comes from its nominal bounds.
pub fn estimate(spec: &ModelSpec) -> Result<MemoryEstimate, SimError> {
    let mut est = MemoryEstimate::default();
    let mut shapes = std::collections::HashMap::new();
    for s in &spec.sheets {
        let c = sheet_coords(s)?;
        est.units += (c.rows() * c.cols()) as f64;
        shapes.insert(s.name.as_str(), c);
    }
    for conn in &spec.connections {
        let (Some(src), Some(dest)) = (
            shapes.get(conn.src.as_str()),
            shapes.get(conn.dest.as_str()),
        ) else {
            return Err(SimError::Build(format!(
                "connection {}.{}: unknown sheet",
                conn.dest, conn.name
            )));
        };
        let p = CfParams::from_spec(conn).map_err(|e| SimError::Build(e.to_string()))?;
        let slice = src.odd_slice(&p.nominal_bounds_template, p.min_matrix_radius);
        let (r, c) = slice.shape();
        let cf = (r.clamp(0, src.rows() as i64) * c.clamp(0, src.cols() as i64)) as f64;
        let n_dest = (dest.rows() * dest.cols()) as f64;
        if p.kind == ProjectionKind::SharedWeight {
            est.shared_weights += cf;
        } else {
            est.synapses += n_dest * cf;
        }
        // Activity, input, and up to two in-flight input buffers.
        est.activity_bytes += 8.0 * (n_dest + 3.0 * (src.rows() * src.cols()) as f64);
    }
    est.activity_bytes += 8.0 * 4.0 * est.units;
    est.per_target_bytes = PER_TARGET_BYTES_PER_SYNAPSE * est.synapses + 4.0 * est.shared_weights;
    est.per_source_bytes = PER_SOURCE_BYTES_PER_SYNAPSE * est.synapses;
    Ok(est)
}
