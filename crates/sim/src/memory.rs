//! How much memory a model needs on one process, estimated from its spec
//! before anything is built (to print at start and to refuse models that
//! cannot fit).

use crate::cf::{CfParams, ProjectionKind};
use crate::error::SimError;
use crate::network::sheet_coords;
use topo_pattern::coords::SheetCoords;
use topo_spec::ModelSpec;

/// Bytes per stored CF weight in the per-target layout: the f32 weight
/// and its f32 mask.
pub const PER_TARGET_BYTES_PER_SYNAPSE: f64 = 8.0;

/// Bytes per stored CF weight of the per-source copy of projections whose
/// sparse inputs are pushed ([`crate::push`]): the f32 weight copy, its
/// u32 address, and the runs of targets (12 bytes per run, about one run
/// per source and target row; counted here as 1 byte per synapse, an
/// upper bound when a source feeds runs of at least 12 targets, as in
/// GCAL from cortex_density 48 on; small models need more per synapse).
pub const PER_SOURCE_BYTES_PER_SYNAPSE: f64 = 9.0;

/// The estimate. CF weights are counted as placed, cropped at the sheet
/// edges; the per-source copy is counted for every projection with its
/// own weights (an upper bound: it is built only for projections whose
/// inputs are pushed, and drops entries outside the mask).
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

/// Estimates the memory of `spec` on one process (divide by the rank
/// count for a decomposed run). Cheap: no CF is built, each projection's
/// template shape comes from its nominal bounds, and its cropped CFs are
/// counted row by row and column by column (O(rows + cols)).
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
        let n_dest = (dest.rows() * dest.cols()) as f64;
        if p.kind == ProjectionKind::SharedWeight {
            let cf = (r.clamp(0, src.rows() as i64) * c.clamp(0, src.cols() as i64)) as f64;
            est.shared_weights += cf;
        } else {
            est.synapses += cropped_synapses(src, dest, r, c);
        }
        // Activity, input, and up to two in-flight input buffers.
        est.activity_bytes += 8.0 * (n_dest + 3.0 * (src.rows() * src.cols()) as f64);
    }
    est.activity_bytes += 8.0 * 4.0 * est.units;
    est.per_target_bytes = PER_TARGET_BYTES_PER_SYNAPSE * est.synapses + 4.0 * est.shared_weights;
    est.per_source_bytes = PER_SOURCE_BYTES_PER_SYNAPSE * est.synapses;
    Ok(est)
}

/// CF weights of a projection from `src` to every unit of `dest` with a
/// `rows x cols` template (odd sides, centred on the unit as
/// `cf::placement::place` centres it), each CF cropped to the source: the
/// cropped area is (rows kept) x (columns kept), so the total is the
/// product of the sums over dest rows and over dest columns.
fn cropped_synapses(src: &SheetCoords, dest: &SheetCoords, rows: i64, cols: i64) -> f64 {
    let (yr, xr) = ((rows - 1) / 2, (cols - 1) / 2);
    let kept = |centre: i64, rad: i64, n: usize| -> f64 {
        let n = n as i64;
        ((centre + rad + 1).clamp(0, n) - (centre - rad).clamp(0, n)) as f64
    };
    let row_sum: f64 = (0..dest.rows() as i64)
        .map(|i| {
            let (x, y) = dest.matrixidx2sheet(i, 0);
            kept(src.sheet2matrixidx(x, y).0, yr, src.rows())
        })
        .sum();
    let col_sum: f64 = (0..dest.cols() as i64)
        .map(|j| {
            let (x, y) = dest.matrixidx2sheet(0, j);
            kept(src.sheet2matrixidx(x, y).1, xr, src.cols())
        })
        .sum();
    row_sum * col_sum
}
