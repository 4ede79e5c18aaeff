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
//!
//! Terms whose input is zero are skipped (the "zero skip", see
//! [`set_zero_skip_off`]): the input rows that are zero over a group's (or
//! a lone unit's) columns; a group whose input rows are all zero is
//! written without a loop (every lane +0.0), and a group whose rows'
//! non-zero spans all cover its columns runs the loop without the skip's
//! bookkeeping (dense inputs: the retina, LGNOff). The border units skip
//! the same way (`response::dot_unit_sparse`), and also the columns of a
//! row outside its non-zero span; narrowing the groups' rows to it too is
//! measured slower and off by default ([`set_narrow_off`]). The same
//! bits, provided every kernel weight is finite (checked on every call,
//! else the whole CF is read): a finite weight times +0.0 or -0.0 is ±0.0;
//! adding ±0.0 to a lane leaves it bit-unchanged unless the lane is -0.0
//! (a NaN lane stays the same quiet NaN, ±inf stays), and a lane starting
//! at +0.0 never becomes -0.0 when rounding to nearest (`x + y` is -0.0
//! only when both are -0.0; an exact cancellation gives +0.0). NaN inputs
//! are not zero, so they are never skipped. The narrowed column range
//! starts at a multiple of [`LANES`] from the CF's first column, so every
//! term kept stays in its lane `j % LANES`, in the same order. GCAL's
//! LGNOn activity, the input of its gain control, was 5 % non-zero at
//! density 48 (40 % of that call's time saved; benches/RESULTS.md, issue
//! 14 session 11).
//!
//! Which units form groups depends only on the CF geometry: a
//! [`GroupPlan`] records it once (see [`set_group_cache_off`]).

use crate::cf::{ConnectionFields, SharedKernel};
use crate::exchange::Block;
use crate::response::{dot_unit, dot_unit_sparse_on, nonzero_row_spans};
use rayon::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};

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

/// The units computed together from local unit `u` of a task ending at
/// `end`: [`GROUP`], 4 or 1 (unit by unit).
#[inline]
fn run_at(cfs: &ConnectionFields, u: usize, end: usize) -> usize {
    if u + GROUP <= end && is_group(cfs, u, GROUP) {
        GROUP
    } else if u + 4 <= end && is_group(cfs, u, 4) {
        4
    } else {
        1
    }
}

/// Set by [`set_zero_skip_off`].
static ZERO_SKIP_OFF: AtomicBool = AtomicBool::new(false);

/// Set by [`set_narrow_off`].
static NARROW_OFF: AtomicBool = AtomicBool::new(true);

/// Makes the zero skip skip only input rows that are zero over a group's
/// columns (`true`, the default), or also narrow the other rows to their
/// non-zero span (`false`): the same bits. Narrowing measured slower
/// (GCAL at density 48, one thread, per call: LGNOn.LateralGC 0.0445 ms
/// against 0.0400 ms, the afferents 0.127 against 0.118 ms: the varying
/// trip counts cost more than the few columns they save; benches/RESULTS.md,
/// issue 14 session 11), so it is off, kept for A/B.
pub fn set_narrow_off(off: bool) {
    NARROW_OFF.store(off, Ordering::Relaxed);
}

/// Set by [`set_group_cache_off`].
static GROUP_CACHE_OFF: AtomicBool = AtomicBool::new(false);

/// Makes [`dot_product`] read every term of every CF in this process
/// (`true`), or skip the terms whose input is zero (`false`, the default;
/// see the module doc): the same bits, for tests and A/B measurements.
pub fn set_zero_skip_off(off: bool) {
    ZERO_SKIP_OFF.store(off, Ordering::Relaxed);
}

/// Makes [`dot_product_planned`] find the groups on every call (`true`),
/// or use its cached [`GroupPlan`] (`false`, the default): the same
/// bits, for tests and A/B measurements.
pub fn set_group_cache_off(off: bool) {
    GROUP_CACHE_OFF.store(off, Ordering::Relaxed);
}

/// Which local units start a group of how many units ([`GROUP`], 4 or 1):
/// depends only on the CF geometry (`slices`, `kernel_views`, the dest
/// units), so it is found once instead of on every call. Whoever changes
/// that geometry drops the plan (`Projection::weights_changed`);
/// [`GroupPlan::fits`] also rejects a plan for another number of units.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GroupPlan {
    /// Per local unit: the units computed together from it if it starts
    /// a run ([`GROUP`], 4 or 1), 0 inside a run.
    runs: Vec<u8>,
    /// Units per parallel task when the plan was made.
    chunk: usize,
    /// `cfs.needed` when the plan was made.
    needed: Block,
}

impl GroupPlan {
    /// The plan of `cfs`'s current geometry.
    pub fn of(cfs: &ConnectionFields) -> GroupPlan {
        let chunk = task_units(cfs);
        let mut runs = vec![0u8; cfs.len()];
        for first in (0..cfs.len()).step_by(chunk.max(1)) {
            let end = (first + chunk).min(cfs.len());
            let mut u = first;
            while u < end {
                let n = run_at(cfs, u, end);
                runs[u] = n as u8;
                u += n;
            }
        }
        GroupPlan {
            runs,
            chunk,
            needed: cfs.needed,
        }
    }

    /// Whether the plan was made for as many units, the same task split
    /// and source rectangle as `cfs` has.
    pub fn fits(&self, cfs: &ConnectionFields) -> bool {
        self.runs.len() == cfs.len() && self.chunk == task_units(cfs) && self.needed == cfs.needed
    }

    /// Units computed in groups (of [`GROUP`] or 4).
    pub fn grouped(&self) -> usize {
        self.runs
            .iter()
            .map(|&n| n as usize)
            .filter(|&n| n > 1)
            .sum()
    }
}

/// The terms `[jlo, jhi)` of a CF row of `w` columns that `N` grouped
/// units must read when their input row is zero outside `[s, e)` and the
/// group's first unit starts at column `col`: unit `n`'s term `j` reads
/// column `col + j + n`, so every term outside is a zero for every unit.
/// Empty (`jlo >= jhi`) for a row of zeros (`[0, 0]`).
#[inline(always)]
fn nonzero_terms<const N: usize>([s, e]: [usize; 2], col: usize, w: usize) -> (usize, usize) {
    (
        (s + 1).saturating_sub(col + N),
        e.saturating_sub(col).min(w),
    )
}

/// The sums of `N` grouped units (see [`is_group`]) whose first unit's CF
/// starts at `x[xs]`: lane by lane, `P` lanes per pass (as many as keep
/// the accumulators in registers), each lane in row, then column order,
/// as every unit alone would add them.
///
/// With `SKIP`, only the columns `j` where some unit's input may be
/// non-zero are read, from a multiple of [`LANES`] (so every term keeps
/// its lane; see the module doc for why the same bits), by `zeros`: the
/// non-zero spans of the input rows from the group's first one (from
/// [`nonzero_row_spans`]) and the group's first column relative to them.
/// Without, `zeros` is not read and the loop is the one before the skip.
#[inline(always)]
fn group_sums<const N: usize, const P: usize, const SKIP: bool, const NARROW: bool>(
    k: &SharedKernel,
    view: [usize; 4],
    x: &[f64],
    xs: usize,
    xstride: usize,
    zeros: (&[[usize; 2]], usize),
) -> [f64; N] {
    let [wr1, wr2, wc1, wc2] = view;
    let w = wc2 - wc1;
    let mut acc = [[0.0f64; LANES]; N];
    for l0 in (0..LANES).step_by(P) {
        let mut a = [[0.0f64; N]; P];
        for i in 0..wr2 - wr1 {
            let (jlo, jhi) = if SKIP {
                nonzero_terms::<N>(zeros.0[i], zeros.1, w)
            } else {
                (0, w)
            };
            if jlo >= jhi {
                continue;
            }
            let wrow = &k.weights[(wr1 + i) * k.cols + wc1..][..w];
            // Unit `n`'s term `j` is `x[j + n]`: the row's slice covers
            // every unit of the group.
            let xrow = &x[xs + i * xstride..][..w + N - 1];
            let (jlo, w) = if NARROW { (jlo, jhi) } else { (0, w) };
            let mut j = jlo / LANES * LANES + l0;
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
unsafe fn group_sums_avx2<const N: usize, const SKIP: bool, const NARROW: bool>(
    k: &SharedKernel,
    view: [usize; 4],
    x: &[f64],
    xs: usize,
    xstride: usize,
    zeros: (&[[usize; 2]], usize),
) -> [f64; N] {
    group_sums::<N, 4, SKIP, NARROW>(k, view, x, xs, xstride, zeros)
}

/// [`group_sums`] for the detected instruction set.
#[inline]
fn group_sums_on<const N: usize, const SKIP: bool, const NARROW: bool>(
    isa: Isa,
    k: &SharedKernel,
    view: [usize; 4],
    x: &[f64],
    xs: usize,
    xstride: usize,
    zeros: (&[[usize; 2]], usize),
) -> [f64; N] {
    match isa {
        // SAFETY: `isa` is at most what `Isa::detect` found on this CPU
        // (see `dot_product_on`), so AVX2 is there.
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => unsafe { group_sums_avx2::<N, SKIP, NARROW>(k, view, x, xs, xstride, zeros) },
        _ => group_sums::<N, 2, SKIP, NARROW>(k, view, x, xs, xstride, zeros),
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
    let mut scratch = Scratch::default();
    respond(
        isa,
        cfs,
        None,
        input,
        needed,
        strength,
        activity,
        &mut scratch,
        None,
    );
}

/// [`dot_product`] with the groups from `plan` (made from `cfs` if it is
/// `None` or does not [`GroupPlan::fits`]; dropped by whoever changes the
/// geometry) and `scratch` for the input rows' non-zero spans: a
/// projection's per-call path.
///
/// # Panics
/// If `cfs` has no shared kernel.
pub fn dot_product_planned(
    cfs: &ConnectionFields,
    plan: &mut Option<GroupPlan>,
    input: &[f64],
    needed: &Block,
    strength: f64,
    activity: &mut [f64],
    scratch: &mut Scratch,
) {
    dot_product_planned_in(cfs, plan, input, needed, strength, activity, scratch, None);
}

/// [`dot_product_planned`] for the local units `only` marks (all if
/// `None`): a group of units is computed if any of its units is marked,
/// the others are left as they are. Every computed unit gets the bits it
/// gets over the whole sheet (a unit's sum does not depend on which
/// other units are computed).
///
/// # Panics
/// If `cfs` has no shared kernel, or `only` is shorter than `activity`.
#[allow(clippy::too_many_arguments)]
pub fn dot_product_planned_in(
    cfs: &ConnectionFields,
    plan: &mut Option<GroupPlan>,
    input: &[f64],
    needed: &Block,
    strength: f64,
    activity: &mut [f64],
    scratch: &mut Scratch,
    only: Option<&[bool]>,
) {
    if let Some(m) = only {
        assert!(
            m.len() >= activity.len(),
            "a unit mask shorter than the units"
        );
    }
    let plan = if GROUP_CACHE_OFF.load(Ordering::Relaxed) {
        None
    } else {
        if plan.as_ref().is_none_or(|p| !p.fits(cfs)) {
            *plan = Some(GroupPlan::of(cfs));
        }
        plan.as_ref()
    };
    respond(
        Isa::detect(),
        cfs,
        plan,
        input,
        needed,
        strength,
        activity,
        scratch,
        only,
    );
}

/// Per-call scratch of [`dot_product_planned`]: the input rows' non-zero
/// spans (allocates only when the input grows). The same buffer as the
/// pulled dot product's (`Projection::row_spans`, passed to
/// [`crate::response::dot_product`]): a projection takes one path or the
/// other.
pub type Scratch = Vec<[usize; 2]>;

/// The zero skip's view of one call's input: the non-zero span of every
/// input row (relative to `needed`).
#[derive(Clone, Copy)]
struct Zeros<'a> {
    spans: &'a [[usize; 2]],
}

/// Fills `spans` for `input` (row-major, `ncols` columns): `None` if
/// every row is non-zero at both ends (nothing to skip: the loop without
/// the skip's bookkeeping, as fast as before on dense inputs).
fn zeros<'a>(
    spans: &'a mut Scratch,
    input: &[f64],
    ncols: usize,
    rows: usize,
) -> Option<Zeros<'a>> {
    spans.resize(rows, [0, 0]);
    nonzero_row_spans(input, ncols, spans);
    let dense = spans.iter().all(|&[s, e]| s == 0 && e == ncols);
    (!dense).then_some(Zeros { spans })
}

/// The non-zero spans of the input rows `start..end` summed up: where
/// they all overlap (`[lo, hi)`, empty if not) and whether every row is
/// all zero. Adjacent CFs mostly read the same rows, so one summary
/// serves a whole dest row.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Rows {
    start: usize,
    end: usize,
    lo: usize,
    hi: usize,
    zero: bool,
}

impl Zeros<'_> {
    /// The summary of rows `start..end`.
    fn rows(&self, start: usize, end: usize) -> Rows {
        let (mut lo, mut hi, mut zero) = (0, usize::MAX, true);
        for &[s, e] in &self.spans[start..end] {
            lo = lo.max(s);
            hi = hi.min(e);
            zero &= e == 0;
        }
        Rows {
            start,
            end,
            lo,
            hi,
            zero,
        }
    }
}

impl Rows {
    /// How these rows meet the `width` columns from `col`.
    #[inline]
    fn cover(&self, col: usize, width: usize) -> Cover {
        if self.lo <= col && col + width <= self.hi {
            Cover::Full
        } else if self.zero {
            Cover::Empty
        } else {
            Cover::Part
        }
    }
}

/// Whether every weight of `k` is finite: the zero skip's condition
/// (`inf * 0` is NaN). O(kernel) per call, against O(units x kernel) for
/// the response.
fn finite(k: &SharedKernel) -> bool {
    k.weights.iter().all(|w| w.is_finite())
}

/// The response, the groups from `plan` (else found unit by unit), the
/// zero inputs skipped unless [`set_zero_skip_off`] or a kernel weight is
/// not finite; only the groups with a unit in `only`, if given.
#[allow(clippy::too_many_arguments)]
fn respond(
    isa: Isa,
    cfs: &ConnectionFields,
    plan: Option<&GroupPlan>,
    input: &[f64],
    needed: &Block,
    strength: f64,
    activity: &mut [f64],
    scratch: &mut Scratch,
    only: Option<&[bool]>,
) {
    let isa = isa.min(Isa::detect());
    let k = cfs
        .shared
        .as_ref()
        .expect("shared_weights::dot_product needs a shared kernel");
    let ncols = needed.cols();
    let zeros = if !ZERO_SKIP_OFF.load(Ordering::Relaxed) && finite(k) {
        zeros(scratch, input, ncols, needed.rows())
    } else {
        None
    };
    let avx2 = isa == Isa::Avx2 && crate::push_simd::avx2();
    let chunk = plan.map_or_else(|| task_units(cfs), |p| p.chunk);
    activity
        .par_chunks_mut(chunk)
        .enumerate()
        .for_each(|(t, acts)| {
            let first = t * chunk;
            let end = first + acts.len();
            if only.is_some_and(|m| !m[first..end].contains(&true)) {
                return;
            }
            let mut u = first;
            let mut rows: Option<Rows> = None;
            while u < end {
                let n = match plan {
                    Some(p) => p.runs[u] as usize,
                    None => run_at(cfs, u, end),
                };
                if only.is_some_and(|m| !m[u..u + n].contains(&true)) {
                    u += n;
                    continue;
                }
                let z = zeros.map(|z| {
                    let [r1, r2, _, _] = cfs.slices[u];
                    let (a, b) = (r1 - needed.r0, r2 - needed.r0);
                    match rows {
                        Some(r) if r.start == a && r.end == b => (z, r),
                        _ => (z, *rows.insert(z.rows(a, b))),
                    }
                });
                let out = &mut acts[u - first..u - first + n];
                match n {
                    GROUP => group::<GROUP>(isa, cfs, u, input, needed, z, strength, out),
                    4 => group::<4>(isa, cfs, u, input, needed, z, strength, out),
                    _ => out[0] = unit(avx2, cfs, u, input, needed, z) * strength,
                }
                u += n;
            }
        });
}

/// The sum of local unit `u` alone, skipping zero inputs with `zeros`
/// (the call's spans and the summary of the unit's input rows).
#[inline(always)]
fn unit(
    avx2: bool,
    cfs: &ConnectionFields,
    u: usize,
    input: &[f64],
    needed: &Block,
    zeros: Option<(Zeros<'_>, Rows)>,
) -> f64 {
    let ncols = needed.cols();
    let [_, _, c1, c2] = cfs.slices[u];
    let col = c1 - needed.c0;
    match zeros.map(|(z, r)| (z, r.cover(col, c2 - c1))) {
        None | Some((_, Cover::Full)) => dot_unit(cfs, u, input, needed, ncols),
        // All lanes +0.0.
        Some((_, Cover::Empty)) => 0.0,
        Some((z, Cover::Part)) => dot_unit_sparse_on(avx2, cfs, u, input, needed, ncols, z.spans),
    }
}

/// `out = strength * sums` of the `N` grouped units from local unit `u`.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn group<const N: usize>(
    isa: Isa,
    cfs: &ConnectionFields,
    u: usize,
    input: &[f64],
    needed: &Block,
    zeros: Option<(Zeros<'_>, Rows)>,
    strength: f64,
    out: &mut [f64],
) {
    let k = cfs.shared.as_ref().expect("a shared kernel");
    let ncols = needed.cols();
    let [r1, r2, c1, _] = cfs.slices[u];
    let (row, col) = (r1 - needed.r0, c1 - needed.c0);
    let view = cfs.kernel_views[u];
    let xs = row * ncols + col;
    // Where every input row of the group is non-zero from its first to
    // its last column, the loop without the skip's bookkeeping (measured
    // faster on dense inputs: 0.149 against 0.167 ms per call for GCAL's
    // LGN afferents at density 48; benches/RESULTS.md, issue 14 session 11).
    let rows = row..row + (r2 - r1);
    let s = match zeros.map(|(z, r)| (z, r.cover(col, view[3] - view[2] + N - 1))) {
        None | Some((_, Cover::Full)) => {
            group_sums_on::<N, false, false>(isa, k, view, input, xs, ncols, (&[], 0))
        }
        // Every lane of every unit stays +0.0, which `combine` keeps.
        Some((_, Cover::Empty)) => [0.0; N],
        Some((z, Cover::Part)) if NARROW_OFF.load(Ordering::Relaxed) => {
            group_sums_on::<N, true, false>(isa, k, view, input, xs, ncols, (&z.spans[rows], col))
        }
        Some((z, Cover::Part)) => {
            group_sums_on::<N, true, true>(isa, k, view, input, xs, ncols, (&z.spans[rows], col))
        }
    };
    for (a, v) in out.iter_mut().zip(s) {
        *a = v * strength;
    }
}

/// How the input rows of a CF (or a group's CFs) meet the columns it
/// reads.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Cover {
    /// Every row is non-zero over all the columns' span: no zero term at
    /// either end.
    Full,
    /// Every row is all zero: every term is a zero.
    Empty,
    /// In between.
    Part,
}

/// How many local units [`dot_product`] computes in groups (of
/// [`GROUP`] or 4), the rest being computed one by one: what the grouping
/// covers for a projection's geometry (tests and benches report it).
pub fn grouped_units(cfs: &ConnectionFields) -> usize {
    if cfs.shared.is_none() {
        return 0;
    }
    GroupPlan::of(cfs).grouped()
}
