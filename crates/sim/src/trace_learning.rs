//! `CFPLF_Trace` (topo/learningfn/projfn.py; Foldiak 1991): learning driven
//! by a per-unit trace of recent activity instead of the current activity.
//!
//! Every unit keeps `trace` (float64, zero before the first learning step);
//! at each learning step, for every unit (CFIter over all units, active or
//! not):
//!
//! ```text
//! trace ← s·y + (1 − s)·trace
//! w     ← f32(w + (r·trace)·(x − w)),  then  w ← w·mask
//! ```
//!
//! with `r = learning_rate / n_units` (`constant_sum_connection_rate`) and
//! `s = trace_strength`, in numpy's operation order (the product of two
//! Python floats first, then the float64 array; the float32 weights widen
//! to float64 before the subtraction). A unit's trace depends on its own
//! activity alone, so the update runs unit by unit in parallel and gives
//! the same numbers on any number of ranks and threads.

use crate::cf::ConnectionFields;
use crate::exchange::Block;
use crate::normalize::{for_each_unit, UnitMut};

/// The rule's parameter and the traces of the local units.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceLearning {
    /// `trace_strength`.
    pub strength: f64,
    /// One trace per local unit, in local order.
    pub traces: Vec<f64>,
}

impl TraceLearning {
    /// Zero traces for `units` local units.
    pub fn new(strength: f64, units: usize) -> TraceLearning {
        TraceLearning {
            strength,
            traces: vec![0.0; units],
        }
    }
}

/// One learning step (`CFPLF_Trace.__call__`) with the per-connection rate
/// `rate` (already divided by `n_units`).
pub fn apply(
    t: &mut TraceLearning,
    cfs: &mut ConnectionFields,
    input: &[f64],
    needed: &Block,
    dest_activity: &[f64],
    rate: f64,
) {
    if cfs.shared.is_some() {
        return;
    }
    let s = t.strength;
    // The traces first (each depends only on its unit), then the weights.
    for (tr, &y) in t.traces.iter_mut().zip(dest_activity) {
        *tr = s * y + (1.0 - s) * *tr;
    }
    let traces = &t.traces;
    let ncols = needed.cols();
    let slices = std::mem::take(&mut cfs.slices);
    for_each_unit(cfs, &|um: UnitMut<'_>| {
        let [r1, r2, c1, c2] = slices[um.unit];
        let load = rate * traces[um.unit];
        let w = c2 - c1;
        for (k, i) in (r1..r2).enumerate() {
            let xs = (i - needed.r0) * ncols + (c1 - needed.c0);
            let xrow = &input[xs..xs + w];
            let wrow = &mut um.weights[k * w..(k + 1) * w];
            let mrow = &um.mask[k * w..(k + 1) * w];
            for j in 0..w {
                let wj = f64::from(wrow[j]);
                let nv = (wj + load * (xrow[j] - wj)) as f32;
                wrow[j] = nv * mrow[j];
            }
        }
        *um.has_norm_total = false;
    });
    cfs.slices = slices;
}
