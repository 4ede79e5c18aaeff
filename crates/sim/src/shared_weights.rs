//! The dot-product response of a shared-weight projection
//! (`SharedWeightCFProjection`, topo/projection/__init__.py) computed for
//! several adjacent units at once.
//!
//! Every unit of such a projection reads the same kernel, so units whose
//! CFs are the same kernel view shifted by one source column each (the
//! uncropped units of a dest row when source and dest densities are
//! equal, as in GCAL's retina -> LGN and LGN gain-control projections)
//! multiply one kernel weight with adjacent inputs: `w[i][j]` meets
//! `x[r1 + i][c1 + k + j]` for unit `k` of the group. One weight load and
//! conversion then serves the whole group, and the units' accumulators
//! sit side by side, so the loop vectorises over units.
//!
//! Bit-identical to [`crate::response::dot_product`] by construction:
//! each unit keeps its own [`LANES`] f64 accumulators, term `(i, j)` of its
//! CF goes to lane `j % LANES` as in `response::add_row`, every lane adds
//! its terms in increasing row, then column order starting from +0.0, and
//! the lanes are combined in the same fixed tree and multiplied by the
//! strength last. Lanes are independent, so computing them one pair at a
//! time (to keep the accumulators in registers) changes no operation of
//! any lane. Units that do not fit a group (CFs cropped at the left or
//! right border, or the last few of a row) use the unit-by-unit path.

use crate::cf::{ConnectionFields, SharedKernel};
use crate::exchange::Block;
use crate::response::dot_unit;
use rayon::prelude::*;

/// Accumulator lanes per unit: the same as `response`'s.
pub const LANES: usize = 8;

/// Units computed together: one SIMD-friendly group.
pub const GROUP: usize = 8;

/// Units per rayon task when the local units are not whole rows.
const UNITS_PER_TASK: usize = 64;

/// Units per parallel task: one dest row when the local units are whole
/// rows (groups never straddle rows then), else [`UNITS_PER_TASK`].
fn task_units(cfs: &ConnectionFields) -> usize {
    let row = cfs.dest_units.cols();
    if row > 0 && row * cfs.dest_units.rows.len() == cfs.len() {
        row
    } else {
        UNITS_PER_TASK
    }
}

/// The lanes combined in their fixed tree (as `response::combine`).
#[inline(always)]
fn combine(acc: &[f64; LANES]) -> f64 {
    ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]))
}

/// Whether local units `u .. u + n` form a group: the same source rows
/// and kernel view, first columns `c1(u) + k`. Then unit `u + k`'s term
/// `(i, j)` reads the input one column right of unit `u + k - 1`'s.
#[inline]
fn is_group(cfs: &ConnectionFields, u: usize, n: usize) -> bool {
    if u + n > cfs.slices.len() {
        return false;
    }
    let [r1, r2, c1, c2] = cfs.slices[u];
    let view = cfs.kernel_views[u];
    (1..n).all(|k| cfs.slices[u + k] == [r1, r2, c1 + k, c2 + k] && cfs.kernel_views[u + k] == view)
}

/// The sums of `N` grouped units (see [`is_group`]) whose first unit's CF
/// starts at `x[xs]`: lane by lane, `P` lanes per pass (as many as keep
/// the accumulators in registers), each lane in row, then column order,
/// as every unit alone would add them.
#[inline(always)]
fn group_sums<const N: usize, const P: usize>(
    k: &SharedKernel,
    view: [usize; 4],
    x: &[f64],
    xs: usize,
    xstride: usize,
) -> [f64; N] {
    let [wr1, wr2, wc1, wc2] = view;
    let w = wc2 - wc1;
    let mut acc = [[0.0f64; LANES]; N];
    for l0 in (0..LANES).step_by(P) {
        let mut a = [[0.0f64; N]; P];
        for i in 0..wr2 - wr1 {
            let wrow = &k.weights[(wr1 + i) * k.cols + wc1..][..w];
            // Unit `n`'s term `j` is `x[j + n]`: the row's slice covers
            // every unit of the group.
            let xrow = &x[xs + i * xstride..][..w + N - 1];
            let mut j = l0;
            while j + P <= w {
                for (p, ap) in a.iter_mut().enumerate() {
                    let wv = f64::from(wrow[j + p]);
                    for (an, xv) in ap.iter_mut().zip(&xrow[j + p..j + p + N]) {
                        *an += wv * *xv;
                    }
                }
                j += LANES;
            }
            // The row's last, partial pass.
            for (p, ap) in a.iter_mut().enumerate().take(w.saturating_sub(j)) {
                let wv = f64::from(wrow[j + p]);
                for (an, xv) in ap.iter_mut().zip(&xrow[j + p..j + p + N]) {
                    *an += wv * *xv;
                }
            }
        }
        for (n, accn) in acc.iter_mut().enumerate() {
            for (p, ap) in a.iter().enumerate() {
                accn[l0 + p] = ap[n];
            }
        }
    }
    let mut out = [0.0f64; N];
    for (o, accn) in out.iter_mut().zip(&acc) {
        *o = combine(accn);
    }
    out
}

/// Vector instruction sets the grouped kernel is compiled for: the same
/// additions and multiplications (never fused) in any width, so the same
/// bits; only the speed differs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Isa {
    /// What every target has (SSE2 on x86-64): two lanes per pass.
    Baseline,
    /// x86-64 AVX2: four lanes per pass. (AVX-512 with eight or four
    /// lanes per pass measured slower on this machine's CPU: 0.26 and
    /// 0.21 ms against 0.18 ms for GCAL's LGN afferent at density 24.)
    Avx2,
}

impl Isa {
    /// The widest set this CPU supports.
    pub fn detect() -> Isa {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2") {
                return Isa::Avx2;
            }
        }
        Isa::Baseline
    }
}

/// [`group_sums`] compiled for AVX2: four lanes per pass.
///
/// # Safety
/// The CPU must support AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn group_sums_avx2<const N: usize>(
    k: &SharedKernel,
    view: [usize; 4],
    x: &[f64],
    xs: usize,
    xstride: usize,
) -> [f64; N] {
    group_sums::<N, 4>(k, view, x, xs, xstride)
}

/// [`group_sums`] for the detected instruction set.
#[inline]
fn group_sums_on<const N: usize>(
    isa: Isa,
    k: &SharedKernel,
    view: [usize; 4],
    x: &[f64],
    xs: usize,
    xstride: usize,
) -> [f64; N] {
    match isa {
        // SAFETY: `isa` is at most what `Isa::detect` found on this CPU
        // (see `dot_product_on`), so AVX2 is there.
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => unsafe { group_sums_avx2::<N>(k, view, x, xs, xstride) },
        _ => group_sums::<N, 2>(k, view, x, xs, xstride),
    }
}

/// `activity[u] = strength * Σ w·x` over the CFs of a shared-weight
/// projection, `GROUP` (then 4) adjacent units at once where they form a
/// group, unit by unit elsewhere; the same bits as
/// [`crate::response::dot_product`]. `input` is row-major over `needed`.
///
/// # Panics
/// If `cfs` has no shared kernel.
pub fn dot_product(
    cfs: &ConnectionFields,
    input: &[f64],
    needed: &Block,
    strength: f64,
    activity: &mut [f64],
) {
    dot_product_on(Isa::detect(), cfs, input, needed, strength, activity);
}

/// [`dot_product`] compiled for `isa` (or the widest set this CPU has, if
/// narrower): lets tests compare every variant's bits.
///
/// # Panics
/// If `cfs` has no shared kernel.
pub fn dot_product_on(
    isa: Isa,
    cfs: &ConnectionFields,
    input: &[f64],
    needed: &Block,
    strength: f64,
    activity: &mut [f64],
) {
    let isa = isa.min(Isa::detect());
    let k = cfs
        .shared
        .as_ref()
        .expect("shared_weights::dot_product needs a shared kernel");
    let ncols = needed.cols();
    let chunk = task_units(cfs);
    activity
        .par_chunks_mut(chunk)
        .enumerate()
        .for_each(|(t, acts)| {
            let first = t * chunk;
            let end = first + acts.len();
            let mut u = first;
            while u < end {
                let [r1, _, c1, _] = cfs.slices[u];
                let xs = (r1 - needed.r0) * ncols + (c1 - needed.c0);
                let view = cfs.kernel_views[u];
                if u + GROUP <= end && is_group(cfs, u, GROUP) {
                    let s = group_sums_on::<GROUP>(isa, k, view, input, xs, ncols);
                    for (a, v) in acts[u - first..u - first + GROUP].iter_mut().zip(s) {
                        *a = v * strength;
                    }
                    u += GROUP;
                } else if u + 4 <= end && is_group(cfs, u, 4) {
                    let s = group_sums_on::<4>(isa, k, view, input, xs, ncols);
                    for (a, v) in acts[u - first..u - first + 4].iter_mut().zip(s) {
                        *a = v * strength;
                    }
                    u += 4;
                } else {
                    acts[u - first] = dot_unit(cfs, u, input, needed, ncols) * strength;
                    u += 1;
                }
            }
        });
}

/// How many local units [`dot_product`] computes in groups (of
/// [`GROUP`] or 4), the rest being computed one by one: what the grouping
/// covers for a projection's geometry (tests and benches report it).
pub fn grouped_units(cfs: &ConnectionFields) -> usize {
    if cfs.shared.is_none() {
        return 0;
    }
    let chunk = task_units(cfs);
    let mut grouped = 0;
    for first in (0..cfs.len()).step_by(chunk) {
        let end = (first + chunk).min(cfs.len());
        let mut u = first;
        while u < end {
            let n = if u + GROUP <= end && is_group(cfs, u, GROUP) {
                GROUP
            } else if u + 4 <= end && is_group(cfs, u, 4) {
                4
            } else {
                1
            };
            if n > 1 {
                grouped += n;
            }
            u += n;
        }
    }
    grouped
}
