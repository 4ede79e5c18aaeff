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

/// Adds `w[j] * x[j]` of one CF row (or a piece of one starting at a
/// multiple of [`LANES`] from the CF's first column) to the lanes:
/// element `j` of the slices goes to lane `j % LANES`, each lane in
/// increasing `j`.
#[inline(always)]
fn add_row(acc: &mut [f64; LANES], wrow: &[f32], xrow: &[f64]) {
    let n = wrow.len();
    let full = n - n % LANES;
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

/// The lanes combined in their fixed tree.
#[inline(always)]
fn combine(acc: &[f64; LANES]) -> f64 {
    ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]))
}

/// Sum of `w[j] * x[j]` over one unit's CF in the fixed lane order.
#[inline]
pub(crate) fn dot_unit(
    cfs: &ConnectionFields,
    u: usize,
    input: &[f64],
    needed: &Block,
    ncols: usize,
) -> f64 {
    let [r1, r2, c1, c2] = cfs.slices[u];
    let w = c2 - c1;
    let (weights, wstride) = unit_weights(cfs, u);
    let mut acc = [0.0f64; LANES];
    for (k, i) in (r1..r2).enumerate() {
        let xs = (i - needed.r0) * ncols + (c1 - needed.c0);
        add_row(
            &mut acc,
            &weights[k * wstride..k * wstride + w],
            &input[xs..xs + w],
        );
    }
    combine(&acc)
}

/// Writes into `spans[r]` the columns `[first, last + 1)` of the first and
/// last non-zero element of input row `r` (relative to `needed.c0`), or
/// `[0, 0]` for a row of zeros. NaN counts as non-zero.
pub fn nonzero_row_spans(input: &[f64], ncols: usize, spans: &mut [[usize; 2]]) {
    for (span, row) in spans.iter_mut().zip(input.chunks_exact(ncols.max(1))) {
        *span = match row.iter().position(|&x| x != 0.0) {
            None => [0, 0],
            Some(first) => {
                let last = row.iter().rposition(|&x| x != 0.0).unwrap_or(first);
                [first, last + 1]
            }
        };
    }
}

/// [`dot_unit`] for a unit with its own weights, reading only the part of
/// each CF row inside its input row's non-zero span (`spans`, from
/// [`nonzero_row_spans`]). Bit-identical to [`dot_unit`]: the terms left
/// out have `x == 0`, so `w * x` is ±0 (weights are finite), and adding
/// ±0 never changes a lane (a lane starts at +0.0 and can never become
/// -0.0, since +0 + -0 = +0 and an exact cancellation gives +0 when
/// rounding to nearest). The clipped piece starts at the CF's first
/// column plus a multiple of [`LANES`], so every element read keeps its
/// lane, each lane still adds in increasing row, then column order, and
/// the lanes are combined in the same tree.
#[inline(always)]
fn dot_unit_sparse(
    cfs: &ConnectionFields,
    u: usize,
    input: &[f64],
    needed: &Block,
    ncols: usize,
    spans: &[[usize; 2]],
) -> f64 {
    let [r1, r2, c1, c2] = cfs.slices[u];
    let (a, b) = (c1 - needed.c0, c2 - needed.c0);
    let (weights, wstride) = unit_weights(cfs, u);
    let mut acc = [0.0f64; LANES];
    for (k, i) in (r1..r2).enumerate() {
        let row = i - needed.r0;
        let [s, e] = spans[row];
        let (lo, hi) = (s.max(a), e.min(b));
        if lo >= hi {
            continue;
        }
        let start = a + (lo - a) / LANES * LANES;
        // Rounding the end up keeps whole chunks for the vector loop; the
        // extra elements are zeros of the input.
        let end = (start + (hi - start).div_ceil(LANES) * LANES).min(b);
        let xs = row * ncols + start;
        let ws = k * wstride + (start - a);
        add_row(
            &mut acc,
            &weights[ws..ws + (end - start)],
            &input[xs..xs + (end - start)],
        );
    }
    combine(&acc)
}

/// [`dot_unit_sparse`] compiled with AVX2: its eight lanes per unit
/// become two 4-wide vectors. The same bits: each lane still gets one
/// rounded multiply and one rounded add per term, in the same order (the
/// compiler never fuses them into a multiply-add, and the lanes are
/// independent until the same fixed tree combines them).
///
/// # Safety
/// The CPU must support AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn dot_unit_sparse_avx2(
    cfs: &ConnectionFields,
    u: usize,
    input: &[f64],
    needed: &Block,
    ncols: usize,
    spans: &[[usize; 2]],
) -> f64 {
    dot_unit_sparse(cfs, u, input, needed, ncols, spans)
}

/// [`dot_unit_sparse`], with AVX2 if `avx2` (from
/// [`crate::push_simd::avx2`], which checks the CPU).
#[inline(always)]
pub(crate) fn dot_unit_sparse_on(
    avx2: bool,
    cfs: &ConnectionFields,
    u: usize,
    input: &[f64],
    needed: &Block,
    ncols: usize,
    spans: &[[usize; 2]],
) -> f64 {
    #[cfg(target_arch = "x86_64")]
    if avx2 {
        // SAFETY: `push_simd::avx2()` answered true only on a CPU with AVX2.
        return unsafe { dot_unit_sparse_avx2(cfs, u, input, needed, ncols, spans) };
    }
    let _ = avx2;
    dot_unit_sparse(cfs, u, input, needed, ncols, spans)
}

/// `CFPRF_DotProduct`: `activity[u] = strength * Σ w·x` (the C kernel
/// `dot_product` in topo/optimized/optimized.h behind
/// `CFPRF_DotProduct_cython`; topo/responsefn/optimized.py:
/// `CFPRF_DotProduct_opt`). Topographica sums each CF in row-major order;
/// here each unit's sum is accumulated in f64 in a fixed order of
/// `LANES` interleaved partial sums, the same whatever the ranks and
/// threads (so rounding may differ from Topographica's in the last bits).
/// `input` is row-major over `needed`. `spans` is scratch space for the
/// non-zero span of every input row (resized to `needed.rows()`, which
/// allocates only if it grows): units with their own weights skip the
/// zero inputs, with bit-identical results (`dot_unit_sparse`);
/// shared-weight units read their whole CF, several adjacent units at
/// once where they can ([`crate::shared_weights`]). With AVX2 where the
/// CPU has it ([`crate::push_simd::avx2`]; the same bits).
pub fn dot_product(
    cfs: &ConnectionFields,
    input: &[f64],
    needed: &Block,
    strength: f64,
    activity: &mut [f64],
    spans: &mut Vec<[usize; 2]>,
) {
    if cfs.shared.is_some() {
        crate::shared_weights::dot_product(cfs, input, needed, strength, activity);
        return;
    }
    let ncols = needed.cols();
    spans.resize(needed.rows(), [0, 0]);
    nonzero_row_spans(input, ncols, spans);
    let spans = &spans[..];
    let avx2 = crate::push_simd::avx2();
    activity
        .par_iter_mut()
        .with_min_len(MIN_UNITS_PER_TASK)
        .enumerate()
        .for_each(|(u, a)| {
            *a = dot_unit_sparse_on(avx2, cfs, u, input, needed, ncols, spans) * strength;
        });
}

/// [`dot_product`] of a shared-weight projection one unit at a time: the
/// path [`crate::shared_weights`] replaced, kept as its reference (tests
/// and benches compare the two bit for bit).
pub fn shared_dot_product_per_unit(
    cfs: &ConnectionFields,
    input: &[f64],
    needed: &Block,
    strength: f64,
    activity: &mut [f64],
) {
    assert!(cfs.shared.is_some(), "a shared-weight projection");
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
