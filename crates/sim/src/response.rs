//! Projection response functions over the connection fields of the local
//! units. Each unit's sum runs over its CF in row-major order with f64
//! accumulation, so the result does not depend on threads or blocks.

use crate::cf::ConnectionFields;
use crate::exchange::{Block, Exchange};
use rayon::prelude::*;

/// Minimum units per rayon task (tiny CFs are not worth splitting finer).
const MIN_UNITS_PER_TASK: usize = 16;

/// The weights of unit `u` and the width of one weight row.
#[inline]
pub fn unit_weights(cfs: &ConnectionFields, u: usize) -> (&[f32], usize) {
    match &cfs.shared {
        Some(k) => {
            let [wr1, _, wc1, _] = cfs.kernel_views[u];
            (&k.weights[wr1 * k.cols + wc1..], k.cols)
        }
        None => {
            let [_, _, c1, c2] = cfs.slices[u];
            (&cfs.weights[cfs.offsets[u]..cfs.offsets[u + 1]], c2 - c1)
        }
    }
}

/// Accumulator lanes of the dot product: a unit's sum is split over this
/// many f64 partial sums (column `j` of every CF row goes to lane `j % 8`),
/// combined in a fixed tree. The order depends only on the unit's own CF
/// shape, so results do not depend on blocks or threads, and the
/// independent lanes let the loop vectorise instead of waiting on one
/// add chain.
const LANES: usize = 8;

/// Sum of `w[j] * x[j]` over one unit's CF in the fixed lane order.
#[inline]
fn dot_unit(cfs: &ConnectionFields, u: usize, input: &[f64], needed: &Block, ncols: usize) -> f64 {
    let [r1, r2, c1, c2] = cfs.slices[u];
    let w = c2 - c1;
    let (weights, wstride) = unit_weights(cfs, u);
    let mut acc = [0.0f64; LANES];
    let full = w - w % LANES;
    for (k, i) in (r1..r2).enumerate() {
        let xs = (i - needed.r0) * ncols + (c1 - needed.c0);
        let xrow = &input[xs..xs + w];
        let wrow = &weights[k * wstride..k * wstride + w];
        for (wc, xc) in wrow[..full]
            .chunks_exact(LANES)
            .zip(xrow[..full].chunks_exact(LANES))
        {
            for l in 0..LANES {
                acc[l] += f64::from(wc[l]) * xc[l];
            }
        }
        for (l, (wv, xv)) in wrow[full..].iter().zip(&xrow[full..]).enumerate() {
            acc[l] += f64::from(*wv) * *xv;
        }
    }
    ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]))
}

/// `CFPRF_DotProduct`: `activity[u] = strength * Σ w·x` (digest §3.2),
/// accumulated in f64 in a fixed order per unit (see [`LANES`]).
/// `input` is row-major over `needed`.
pub fn dot_product(
    cfs: &ConnectionFields,
    input: &[f64],
    needed: &Block,
    strength: f64,
    activity: &mut [f64],
) {
    let ncols = needed.cols();
    activity
        .par_iter_mut()
        .with_min_len(MIN_UNITS_PER_TASK)
        .enumerate()
        .for_each(|(u, a)| {
            *a = dot_unit(cfs, u, input, needed, ncols) * strength;
        });
}

/// `CFPRF_EuclideanDistance`: `activity[u] = strength * (max_dist - d_u)`
/// with `d_u = sqrt(Σ (w - x)²)` and the maximum over the whole sheet
/// (an exact collective maximum).
pub fn euclidean(
    cfs: &ConnectionFields,
    input: &[f64],
    needed: &Block,
    strength: f64,
    activity: &mut [f64],
    ex: &mut dyn Exchange,
) {
    let ncols = needed.cols();
    activity
        .par_iter_mut()
        .with_min_len(MIN_UNITS_PER_TASK)
        .enumerate()
        .for_each(|(u, a)| {
            let [r1, r2, c1, c2] = cfs.slices[u];
            let w = c2 - c1;
            let (weights, wstride) = unit_weights(cfs, u);
            let mut tot = 0.0f64;
            for (k, i) in (r1..r2).enumerate() {
                let xs = (i - needed.r0) * ncols + (c1 - needed.c0);
                let xrow = &input[xs..xs + w];
                let wrow = &weights[k * wstride..k * wstride + w];
                for (wv, xv) in wrow.iter().zip(xrow) {
                    let d = xv - *wv as f64;
                    tot += d * d;
                }
            }
            *a = tot.sqrt();
        });
    let local_max = activity.iter().copied().fold(0.0f64, f64::max);
    let max_dist = ex.max(local_max);
    for a in activity.iter_mut() {
        *a = (max_dist - *a) * strength;
    }
}
