//! Weight normalisation of connection fields (Topographica's
//! `weights_output_fns`), always per unit: a unit's weights, mask and cached
//! norm total are all that one unit's normalisation reads, so it never
//! needs another rank and runs in parallel over units.
//!
//! Topographica has two arithmetics for the same L1 normalisation, and
//! which one runs depends on the class name a model file uses:
//! - the C kernels, `CFPOF_DivisiveNormalizeL1_opt` (weave, in
//!   `topo/transferfn/optimized.py`) and `CFPOF_DivisiveNormalize_L1_cython`
//!   (`divisive_normalize_l1` in `topo/optimized/optimized.h`): the total is
//!   the cached `_norm_total` or else `SUM_NORM_TOTAL` (`topo/misc/inlinec.py`:
//!   |w| of the entries whose mask is >= `MASK_THRESHOLD`, summed in double
//!   in row-major order); `factor = 1.0/total` in double and
//!   `*weights *= factor` on a `float*`, i.e. each weight is multiplied in
//!   double and rounded once to float32. No guard for a zero total.
//! - the Python class `CFPOF_DivisiveNormalizeL1` (the same file; what the
//!   `_opt` name falls back to without weave, and what the reference stage
//!   data of the class-based GCAL were made with): the total is the cached
//!   `norm_total` or `numpy.sum(abs(w), dtype=float64)` (numpy's pairwise
//!   order); totals <= 1e-13 are skipped; `cf.weights *= factor` on a
//!   float32 array casts the factor to float32 first and multiplies in
//!   float32 (numpy 1.x value-based casting).
//!
//! The two differ by one float32 ulp in a few weights, and by a factor
//! common to a whole CF; settling amplifies that to relative differences
//! of ~1e-6 in GCAL's V1 (models/gcal_od.ty, stevens.jn13/gcal.ty), so each
//! name gets its own arithmetic. Other pieces:
//! - `CFPOF_Plugin(single_cf_fn=DivisiveNormalizeL1)`: float32 pairwise sum
//!   of |w|, float32 multiply; the cached total is ignored and cleared.
//! - joint norm totals (`compute_joint_norm_totals`): the per-unit sum of
//!   the totals of a group of projections, stored in every member, so that
//!   the following `CFPOF_DivisiveNormalizeL1` makes the group sum to 1.

use crate::cf::ConnectionFields;
use std::sync::atomic::{AtomicBool, Ordering};
use topo_spec::{Component, Value};

pub use crate::learn_simd::masked_abs_sum_serial as masked_abs_sum;
pub use crate::learn_simd::{NextCf, MASK_THRESHOLD};

/// Units below this many are normalised on one thread (splitting further
/// costs more than it saves).
const SEQUENTIAL_UNITS: usize = 64;

/// Which units an output function processes: a unit is skipped when the
/// sheet mask is zero there, or when an active-units mask is given and the
/// unit's activity is zero (`CFIter` with `active_units_mask=True`).
/// Both slices are per local unit, row-major over the dest block.
#[derive(Clone, Copy, Debug, Default)]
pub struct UnitFilter<'a> {
    /// The dest sheet's mask (`None`: every unit).
    pub sheet_mask: Option<&'a [f64]>,
    /// The dest sheet's activity when only active units are processed
    /// (after learning); `None` at construction and start.
    pub active: Option<&'a [f64]>,
}

impl UnitFilter<'_> {
    /// Every unit (construction, `start()`).
    pub fn all() -> UnitFilter<'static> {
        UnitFilter::default()
    }

    /// Whether unit `u` is processed.
    #[inline]
    pub fn passes(&self, u: usize) -> bool {
        self.sheet_mask.is_none_or(|m| m[u] != 0.0) && self.active.is_none_or(|a| a[u] != 0.0)
    }
}

/// One of a projection's `weights_output_fns`, as the engine applies it.
#[derive(Clone, Debug, PartialEq)]
pub enum WeightsOutputFn {
    /// `CFPOF_DivisiveNormalizeL1`, the Python class (numpy arithmetic).
    DivisiveL1,
    /// `CFPOF_DivisiveNormalizeL1_opt` and `CFPOF_DivisiveNormalize_L1_cython`
    /// (C arithmetic: double multiply, masked sequential total).
    DivisiveL1Kernel,
    /// `CFPOF_Plugin(single_cf_fn=DivisiveNormalizeL1(norm_value))`.
    PluginL1 {
        /// Target L1 norm.
        norm_value: f64,
    },
    /// No effect: `CFPOF_Identity`, `CFPOF_Plugin(IdentityTF)`, and
    /// `CFPOF_SharedWeight` (shared-weight projections never normalise
    /// after construction).
    Identity,
    /// `CFPOF_SharedWeight(single_cf_fn=DivisiveNormalizeL1(norm_value))`:
    /// applied once to the shared kernel when it is created.
    SharedKernelL1 {
        /// Target L1 norm.
        norm_value: f64,
    },
}

impl WeightsOutputFn {
    /// Interprets one element of a projection's `weights_output_fns`.
    pub fn from_component(c: &Component) -> Result<WeightsOutputFn, String> {
        let single = || single_cf_fn(c);
        match c.short_class() {
            "CFPOF_DivisiveNormalizeL1" | "CFPOF_DivisiveNormalize_L1" => {
                Ok(WeightsOutputFn::DivisiveL1)
            }
            "CFPOF_DivisiveNormalizeL1_opt"
            | "CFPOF_DivisiveNormalize_L1_cython"
            | "CFPOF_DivisiveNormalizeL1_cython" => Ok(WeightsOutputFn::DivisiveL1Kernel),
            "CFPOF_Identity" => Ok(WeightsOutputFn::Identity),
            "CFPOF_Plugin" => Ok(match single()? {
                None => WeightsOutputFn::Identity,
                Some(norm_value) => WeightsOutputFn::PluginL1 { norm_value },
            }),
            "CFPOF_SharedWeight" => Ok(match single()? {
                None => WeightsOutputFn::Identity,
                Some(norm_value) => WeightsOutputFn::SharedKernelL1 { norm_value },
            }),
            other => Err(format!(
                "weights output function {other} ({}) is not supported",
                c.class
            )),
        }
    }

    /// Interprets a projection's whole `weights_output_fns` list.
    pub fn list_from_value(v: Option<&Value>) -> Result<Vec<WeightsOutputFn>, String> {
        let Some(v) = v else { return Ok(Vec::new()) };
        if matches!(v, Value::None) {
            return Ok(Vec::new());
        }
        let items = v
            .as_seq()
            .ok_or_else(|| format!("weights_output_fns must be a list, got {v:?}"))?;
        items
            .iter()
            .map(|i| {
                i.as_object()
                    .ok_or_else(|| format!("weights_output_fns item is not an object: {i:?}"))
                    .and_then(WeightsOutputFn::from_component)
            })
            .collect()
    }

    /// Applies the function to every unit of `cfs` that passes `filter`
    /// (`apply_learn_output_fns`). Shared-weight projections are left alone,
    /// as in Topographica.
    ///
    /// Returns whether it may have changed a weight: false only where it
    /// surely did not (an identity, a shared kernel, or the C kernels'
    /// normalisation leaving every weight's bits as they were, as it does
    /// for GCAL's lateral excitatory CFs, which never learn), so that the caller
    /// may skip work that depends on the weights (the per-source copy's
    /// sync after learning).
    pub fn apply(&self, cfs: &mut ConnectionFields, filter: UnitFilter<'_>) -> bool {
        if cfs.shared.is_some() {
            return false;
        }
        match self {
            WeightsOutputFn::DivisiveL1 => {
                divisive_l1(cfs, filter);
                true
            }
            WeightsOutputFn::DivisiveL1Kernel => divisive_l1_kernel(cfs, filter),
            WeightsOutputFn::PluginL1 { norm_value } => {
                plugin_l1(cfs, *norm_value, filter);
                true
            }
            WeightsOutputFn::Identity | WeightsOutputFn::SharedKernelL1 { .. } => false,
        }
    }

    /// The single-CF function Topographica applies to one CF's weights
    /// outside the projection-wide pass (the shared kernel at creation,
    /// a resized CF in `change_bounds`): `single_cf_fn` of the output fn.
    pub fn apply_single(&self, weights: &mut [f32]) {
        match self {
            WeightsOutputFn::DivisiveL1 | WeightsOutputFn::DivisiveL1Kernel => {
                numpy_l1_normalize(weights, 1.0)
            }
            WeightsOutputFn::PluginL1 { norm_value }
            | WeightsOutputFn::SharedKernelL1 { norm_value } => {
                numpy_l1_normalize(weights, *norm_value)
            }
            WeightsOutputFn::Identity => {}
        }
    }
}

/// `Some(norm_value)` if the component's `single_cf_fn` is a
/// `DivisiveNormalizeL1`, `None` if it is an identity.
fn single_cf_fn(c: &Component) -> Result<Option<f64>, String> {
    let Some(f) = c.get("single_cf_fn").and_then(Value::as_object) else {
        return Ok(None);
    };
    match f.short_class() {
        "IdentityTF" => Ok(None),
        "DivisiveNormalizeL1" => Ok(Some(f.f64("norm_value").unwrap_or(1.0))),
        other => Err(format!(
            "single_cf_fn {other} of {} is not supported",
            c.short_class()
        )),
    }
}

/// numpy's `sum(abs(w), dtype=float64)` of a float32 array: the values
/// are cast in buffers of 8192, each buffer summed pairwise (eight
/// accumulators, blocks of 128) and added to the running total, which
/// starts at 0. The cast of `|w|` to f64 is exact, so it is done where
/// each value is added instead of into a buffer (same sums, no 64 KB
/// buffer to clear per call).
pub fn numpy_f64_abs_sum(w: &[f32]) -> f64 {
    const BUFFER: usize = 8192;
    let mut total = 0.0f64;
    for chunk in w.chunks(BUFFER) {
        total += pairwise_f64_abs(chunk);
    }
    total
}

/// numpy's pairwise f64 sum of `f64::from(|a[i]|)`.
fn pairwise_f64_abs(a: &[f32]) -> f64 {
    const BLOCK: usize = 128;
    let v = |x: f32| f64::from(x.abs());
    let n = a.len();
    if n < 8 {
        let mut res = 0.0f64;
        for x in a {
            res += v(*x);
        }
        res
    } else if n <= BLOCK {
        let mut r = [0.0f64; 8];
        for (rj, x) in r.iter_mut().zip(&a[..8]) {
            *rj = v(*x);
        }
        let whole = n - n % 8;
        for c in a[8..whole].chunks_exact(8) {
            for (rj, x) in r.iter_mut().zip(c) {
                *rj += v(*x);
            }
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for x in &a[whole..] {
            res += v(*x);
        }
        res
    } else {
        let mut n2 = n / 2;
        n2 -= n2 % 8;
        pairwise_f64_abs(&a[..n2]) + pairwise_f64_abs(&a[n2..])
    }
}

#[cfg(test)]
fn pairwise_f64(a: &[f64]) -> f64 {
    const BLOCK: usize = 128;
    let n = a.len();
    if n < 8 {
        let mut res = 0.0f64;
        for x in a {
            res += x;
        }
        res
    } else if n <= BLOCK {
        let mut r = [0.0f64; 8];
        r.copy_from_slice(&a[..8]);
        let whole = n - n % 8;
        let mut i = 8;
        while i < whole {
            for (j, rj) in r.iter_mut().enumerate() {
                *rj += a[i + j];
            }
            i += 8;
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for x in &a[whole..] {
            res += x;
        }
        res
    } else {
        let mut n2 = n / 2;
        n2 -= n2 % 8;
        pairwise_f64(&a[..n2]) + pairwise_f64(&a[n2..])
    }
}

/// numpy's float32 sum of `|w|` (pairwise summation with eight
/// accumulators, as `numpy.sum` does on a contiguous float32 array).
pub fn numpy_f32_abs_sum(w: &[f32]) -> f32 {
    const BLOCK: usize = 128;
    fn pairwise(a: &[f32]) -> f32 {
        let n = a.len();
        if n < 8 {
            let mut res = 0.0f32;
            for x in a {
                res += x.abs();
            }
            res
        } else if n <= BLOCK {
            let mut r = [0.0f32; 8];
            for (j, rj) in r.iter_mut().enumerate() {
                *rj = a[j].abs();
            }
            let whole = n - n % 8;
            let mut i = 8;
            while i < whole {
                for (j, rj) in r.iter_mut().enumerate() {
                    *rj += a[i + j].abs();
                }
                i += 8;
            }
            let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
            for x in &a[whole..] {
                res += x.abs();
            }
            res
        } else {
            let mut n2 = n / 2;
            n2 -= n2 % 8;
            pairwise(&a[..n2]) + pairwise(&a[n2..])
        }
    }
    pairwise(w)
}

/// imagen's `DivisiveNormalizeL1` on a float32 array with numpy 1.x
/// semantics: `s = float(sum(|w|))` in float32; if `s != 0`,
/// `w *= norm_value / s` where the factor is cast to float32 first.
pub fn numpy_l1_normalize(weights: &mut [f32], norm_value: f64) {
    let s = f64::from(numpy_f32_abs_sum(weights));
    if s != 0.0 {
        let factor = (norm_value / s) as f32;
        for w in weights.iter_mut() {
            *w *= factor;
        }
    }
}

/// Mutable per-unit view handed to [`for_each_unit`].
pub struct UnitMut<'a> {
    /// Local unit index.
    pub unit: usize,
    /// The unit's weights (row-major over its cropped slice).
    pub weights: &'a mut [f32],
    /// The unit's cropped mask.
    pub mask: &'a [f32],
    /// Cached L1 total.
    pub norm_total: &'a mut f64,
    /// Whether `norm_total` is valid.
    pub has_norm_total: &'a mut bool,
    /// Where the next unit this task will visit keeps its weights and
    /// mask, for prefetching them while this one is worked on.
    pub next: NextCf,
}

/// Runs `f` on every local unit of a (non-shared) projection, in parallel
/// over contiguous groups of units (no allocation).
pub fn for_each_unit<F>(cfs: &mut ConnectionFields, f: &F)
where
    F: Fn(UnitMut<'_>) + Sync,
{
    for_each_unit_where(cfs, None, f);
}

/// [`for_each_unit`], but units whose `active` value is zero (±0) are
/// not visited, and a group of units that are all zero is not even
/// walked: for rules that do nothing to such units (Hebbian with
/// `y == 0`, output functions on active units only), the same result
/// in less time when activity is sparse. `None`: every unit.
pub fn for_each_unit_where<F>(cfs: &mut ConnectionFields, active: Option<&[f64]>, f: &F)
where
    F: Fn(UnitMut<'_>) + Sync,
{
    let n = cfs.offsets.len().saturating_sub(1);
    if n == 0 || cfs.shared.is_some() {
        return;
    }
    let base = cfs.offsets[0];
    // Only CFs beyond the L3 are worth prefetching (see
    // `push_simd::prefetches`).
    let ahead = crate::push_simd::prefetches(cfs.weights.len() * 4);
    split(
        0,
        &cfs.offsets,
        base,
        &mut cfs.weights[base..],
        &cfs.masks[base..],
        &mut cfs.norm_total[..n],
        &mut cfs.has_norm_total[..n],
        active,
        ahead,
        f,
    );
}

#[allow(clippy::too_many_arguments)]
fn split<F>(
    first: usize,
    offsets: &[usize],
    base: usize,
    weights: &mut [f32],
    masks: &[f32],
    nt: &mut [f64],
    has: &mut [bool],
    active: Option<&[f64]>,
    ahead: bool,
    f: &F,
) where
    F: Fn(UnitMut<'_>) + Sync,
{
    let n = nt.len();
    if active.is_some_and(|a| a[first..first + n].iter().all(|y| *y == 0.0)) {
        return;
    }
    if n <= SEQUENTIAL_UNITS {
        let mut w_rest = weights;
        let mut m_rest = masks;
        let visits = |u: usize| active.is_none_or(|a| a[u] != 0.0);
        for (i, (t, h)) in nt.iter_mut().zip(has.iter_mut()).enumerate() {
            let u = first + i;
            let len = offsets[u + 1] - offsets[u];
            let (w, wr) = std::mem::take(&mut w_rest).split_at_mut(len);
            let (m, mr) = m_rest.split_at(len);
            w_rest = wr;
            m_rest = mr;
            if !visits(u) {
                continue;
            }
            // The next unit of this group that will be visited.
            let next = if ahead {
                (u + 1..first + n)
                    .find(|&v| visits(v))
                    .map_or(NextCf::NONE, |v| {
                        let skip = offsets[v] - offsets[u + 1];
                        NextCf {
                            weights: w_rest.as_ptr().wrapping_add(skip),
                            mask: m_rest.as_ptr().wrapping_add(skip),
                            len: offsets[v + 1] - offsets[v],
                        }
                    })
            } else {
                NextCf::NONE
            };
            f(UnitMut {
                unit: u,
                weights: w,
                mask: m,
                norm_total: t,
                has_norm_total: h,
                next,
            });
        }
        return;
    }
    let half = n / 2;
    let cut = offsets[first + half] - base;
    let (w1, w2) = weights.split_at_mut(cut);
    let (m1, m2) = masks.split_at(cut);
    let (nt1, nt2) = nt.split_at_mut(half);
    let (h1, h2) = has.split_at_mut(half);
    let base2 = offsets[first + half];
    rayon::join(
        || split(first, offsets, base, w1, m1, nt1, h1, active, ahead, f),
        || {
            split(
                first + half,
                offsets,
                base2,
                w2,
                m2,
                nt2,
                h2,
                active,
                ahead,
                f,
            )
        },
    );
}

/// `CFPOF_DivisiveNormalizeL1` (the Python class in
/// `topo/transferfn/optimized.py`): for each unit that passes `filter`,
/// use the cached total if there is one, else numpy's L1 norm of its
/// weights; if the total exceeds 1e-13, multiply every weight by
/// `1/total` cast to float32, in float32; mark the cached total stale.
pub fn divisive_l1(cfs: &mut ConnectionFields, filter: UnitFilter<'_>) {
    for_each_unit(cfs, &|u: UnitMut<'_>| {
        if !filter.passes(u.unit) {
            return;
        }
        if !*u.has_norm_total {
            *u.norm_total = numpy_f64_abs_sum(u.weights);
        }
        *u.has_norm_total = false;
        if *u.norm_total <= NUMPY_MIN_TOTAL {
            return;
        }
        numpy_scale(u.weights, *u.norm_total);
    });
}

/// `w *= norm_value/total` on a float32 array under numpy 1.x: the
/// factor is cast to float32 and the product taken in float32.
fn numpy_scale(weights: &mut [f32], total: f64) {
    let factor = (1.0 / total) as f32;
    // `w * 1.0 == w` bit for bit (quiet NaNs included): an already
    // normalised CF (e.g. a projection whose learning rate is 0) is
    // left untouched instead of rewritten.
    if factor != 1.0 {
        for w in weights.iter_mut() {
            *w *= factor;
        }
    }
}

/// `*(weights++) *= factor` on a `float*` with a double factor (the C
/// kernels): each product in double, rounded once to float32.
fn kernel_scale(weights: &mut [f32], total: f64) -> bool {
    let factor = 1.0 / total;
    // As in `numpy_scale`: a factor of exactly 1 leaves every weight as
    // it is (the product is exact), so the CF is not rewritten.
    let mut changed = false;
    if factor != 1.0 {
        for w in weights.iter_mut() {
            let new = (f64::from(*w) * factor) as f32;
            changed |= new.to_bits() != w.to_bits();
            *w = new;
        }
    }
    changed
}

/// [`masked_abs_sum`], with the AVX2 loop if `simd` (which
/// `learn_simd::on()` must have answered): the same bits.
fn kernel_total(simd: bool, weights: &[f32], mask: &[f32]) -> f64 {
    #[cfg(target_arch = "x86_64")]
    if simd {
        // SAFETY: `learn_simd::on()` answered true only on a CPU with AVX2.
        return unsafe { crate::learn_simd::masked_abs_sum(weights, mask) };
    }
    let _ = simd;
    masked_abs_sum(weights, mask)
}

/// Totals at or below this are left alone by the Python
/// `CFPOF_DivisiveNormalizeL1` (`if current_sum > 0.0000000000001`).
const NUMPY_MIN_TOTAL: f64 = 1e-13;

/// `CFPOF_DivisiveNormalizeL1_opt` / `CFPOF_DivisiveNormalize_L1_cython`
/// (the C kernels, see the module doc): for each unit that passes
/// `filter`, the cached total or else [`masked_abs_sum`]; every weight of
/// the CF becomes `float32(double(w) * (1.0/total))`; the cached total is
/// marked stale. A zero total is not guarded, as in the C code.
///
/// Returns whether any weight's bits changed (a unit whose total is
/// exactly 1, or within an f32 rounding of it, keeps every weight).
pub fn divisive_l1_kernel(cfs: &mut ConnectionFields, filter: UnitFilter<'_>) -> bool {
    let simd = crate::learn_simd::on();
    // Units that do not pass are skipped either way; with the AVX2 loops
    // (the engine after the scalar one) they are not even walked.
    let walk = if simd { filter.active } else { None };
    let changed_any = AtomicBool::new(false);
    for_each_unit_where(cfs, walk, &|u: UnitMut<'_>| {
        if !filter.passes(u.unit) {
            return;
        }
        if !*u.has_norm_total {
            *u.norm_total = kernel_total(simd, u.weights, u.mask);
        }
        *u.has_norm_total = false;
        let factor = 1.0 / *u.norm_total;
        // As in `kernel_scale`.
        if factor == 1.0 {
            return;
        }
        #[cfg(target_arch = "x86_64")]
        let changed = if simd {
            // SAFETY: as above.
            unsafe { crate::learn_simd::scale(u.weights, factor) }
        } else {
            kernel_scale(u.weights, *u.norm_total)
        };
        #[cfg(not(target_arch = "x86_64"))]
        let changed = kernel_scale(u.weights, *u.norm_total);
        if changed {
            changed_any.store(true, Ordering::Relaxed);
        }
    });
    changed_any.into_inner()
}

/// `CFPOF_Plugin(single_cf_fn=DivisiveNormalizeL1(norm_value))`: numpy L1
/// normalisation of each passing unit's whole CF, then the cached total is
/// deleted.
pub fn plugin_l1(cfs: &mut ConnectionFields, norm_value: f64, filter: UnitFilter<'_>) {
    for_each_unit(cfs, &|u: UnitMut<'_>| {
        if !filter.passes(u.unit) {
            return;
        }
        numpy_l1_normalize(u.weights, norm_value);
        *u.has_norm_total = false;
    });
}

/// `compute_joint_norm_totals`: for every unit passing `filter`, make sure
/// each projection of the group has its total (L1 norm if not cached),
/// then store the sum over the group (in group order) in every member.
/// All members must cover the same dest block.
pub fn joint_norm_totals(group: &mut [&mut ConnectionFields], filter: UnitFilter<'_>) {
    let Some(first) = group.first() else { return };
    let n = first.offsets.len().saturating_sub(1);
    debug_assert!(group
        .iter()
        .all(|p| p.offsets.len().saturating_sub(1) == n || p.shared.is_some()));
    for p in group.iter_mut() {
        for_each_unit(p, &|u: UnitMut<'_>| {
            if filter.passes(u.unit) && !*u.has_norm_total {
                *u.norm_total = numpy_f64_abs_sum(u.weights);
                *u.has_norm_total = true;
            }
        });
    }
    for u in 0..n {
        if !filter.passes(u) {
            continue;
        }
        let mut nt = 0.0f64;
        for p in group.iter() {
            if p.shared.is_none() {
                nt += p.norm_total[u];
            }
        }
        for p in group.iter_mut() {
            if p.shared.is_none() {
                p.norm_total[u] = nt;
                p.has_norm_total[u] = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairwise_sum_matches_sequential_for_short_arrays() {
        let w = [1.0f32, -2.0, 3.5];
        assert_eq!(numpy_f32_abs_sum(&w), 6.5);
    }

    #[test]
    fn pairwise_sum_uses_eight_accumulators() {
        // 1e8 followed by sixteen 1.0s: lane 0 loses its 1.0 against 1e8,
        // lanes 1..7 keep theirs; the 17th element is added at the end.
        let mut w = vec![1.0f32; 17];
        w[0] = 1.0e8;
        let pw = numpy_f32_abs_sum(&w);
        // lanes 1..7 accumulate 2.0 each, lane 0 loses its 1.0
        let expected = ((1.0e8f32 + 2.0) + (2.0 + 2.0)) + ((2.0 + 2.0) + (2.0 + 2.0)) + 1.0;
        assert_eq!(pw, expected);
    }

    #[test]
    fn f64_abs_sum_equals_the_buffered_cast() {
        // Values of mixed sign and magnitude over lengths that exercise
        // every branch (short, one block, split blocks, several buffers):
        // summing |w| cast on the fly must give numpy's buffered sum.
        for n in [0usize, 3, 8, 127, 128, 129, 1000, 8192, 8192 * 2 + 77] {
            let w: Vec<f32> = (0..n)
                .map(|i| ((i as f32) * 0.37).sin() * 10f32.powi((i % 7) as i32 - 3))
                .collect();
            let mut total = 0.0f64;
            for c in w.chunks(8192) {
                let b: Vec<f64> = c.iter().map(|x| f64::from(x.abs())).collect();
                total += pairwise_f64(&b);
            }
            assert_eq!(numpy_f64_abs_sum(&w).to_bits(), total.to_bits(), "n = {n}");
        }
    }

    #[test]
    fn kernel_and_numpy_factors_round_differently() {
        // 5/3: numpy casts 1/3 to float32 (0.33333334) and multiplies in
        // float32; the C kernel multiplies by the double 1/3 and rounds
        // once. One float32 ulp apart.
        let mut np = [5.0f32, 3.0];
        let mut c = np;
        numpy_scale(&mut np, 3.0);
        kernel_scale(&mut c, 3.0);
        assert_eq!(np, [1.666_666_7, 1.0]);
        assert_eq!(c, [1.666_666_6, 1.0]);
        assert_eq!(np[0].to_bits() - c[0].to_bits(), 1);
    }

    #[test]
    fn masked_total_skips_entries_below_the_threshold() {
        let w = [1.0f32, -2.0, 4.0, 8.0];
        let m = [1.0f32, 0.5, 0.49, 0.0];
        assert_eq!(masked_abs_sum(&w, &m), 3.0);
    }

    #[test]
    fn f64_sum_is_chunked_pairwise() {
        // 9 values: lanes 0..7 then the 9th added last.
        let w: Vec<f32> = (1..=9).map(|v| -(v as f32)).collect();
        assert_eq!(numpy_f64_abs_sum(&w), 45.0);
        // More than one 8192 buffer: the buffers' sums are added in order.
        let w = vec![0.1f32; 8192 + 5];
        let one = f64::from(0.1f32);
        let expected = pairwise_f64(&vec![one; 8192]) + pairwise_f64(&[one; 5]);
        assert_eq!(numpy_f64_abs_sum(&w), expected);
    }
}
