//! Learning rules over the connection fields of the local units, in
//! parallel over units (D1's [`crate::normalize::for_each_unit`]).

use crate::cf::ConnectionFields;
use crate::exchange::Block;
use crate::normalize::{for_each_unit_where, UnitMut, MASK_THRESHOLD};

/// Runs `f(unit view, slice)` on every unit (or, with `active`, every
/// unit whose value there is not zero: see
/// [`crate::normalize::for_each_unit_where`]), lending the slices out of
/// `cfs` for the duration (no copy, no allocation).
fn with_slices<F>(cfs: &mut ConnectionFields, active: Option<&[f64]>, f: F)
where
    F: Fn(UnitMut<'_>, [usize; 4]) + Sync,
{
    let slices = std::mem::take(&mut cfs.slices);
    for_each_unit_where(cfs, active, &|u: UnitMut<'_>| {
        let s = slices[u.unit];
        f(u, s)
    });
    cfs.slices = slices;
}

/// `CFPLF_Hebbian` (the C kernel `hebbian` in topo/optimized/optimized.h
/// behind `CFPLF_Hebbian_cython`; topo/learningfn/optimized.py:
/// `CFPLF_Hebbian_opt` is the same rule): for units with non-zero activity,
/// `w ← f32(w + α·y·x)` over entries whose mask is ≥ 0.5, then the
/// unit's L1 total (f64, row-major) is cached for the normalisation.
/// Shared-weight projections never learn.
pub fn hebbian(
    cfs: &mut ConnectionFields,
    input: &[f64],
    needed: &Block,
    dest_activity: &[f64],
    alpha: f64,
) {
    if alpha == 0.0 || cfs.shared.is_some() {
        return;
    }
    let ncols = needed.cols();
    let simd = crate::learn_simd::on();
    // Units with `y == 0` learn nothing; with the AVX2 loops (the engine
    // after the scalar one) they are not even walked.
    let walk = if simd { Some(dest_activity) } else { None };
    with_slices(cfs, walk, |um, [r1, r2, c1, c2]| {
        let y = dest_activity[um.unit];
        if y == 0.0 {
            return;
        }
        let load = y * alpha;
        let w = c2 - c1;
        #[cfg(target_arch = "x86_64")]
        if simd {
            let x0 = (r1 - needed.r0) * ncols + (c1 - needed.c0);
            // SAFETY: `learn_simd::on()` answered true only on a CPU with
            // AVX2; the kernel checks that `input` holds every row.
            *um.norm_total = unsafe {
                crate::learn_simd::hebbian_cf(
                    um.weights, um.mask, input, x0, ncols, w, load, um.next,
                )
            };
            *um.has_norm_total = true;
            return;
        }
        let _ = simd;
        let mut total = 0.0f64;
        for (k, i) in (r1..r2).enumerate() {
            let xs = (i - needed.r0) * ncols + (c1 - needed.c0);
            let xrow = &input[xs..xs + w];
            let wrow = &mut um.weights[k * w..(k + 1) * w];
            let mrow = &um.mask[k * w..(k + 1) * w];
            for j in 0..w {
                if mrow[j] >= MASK_THRESHOLD {
                    let nv = (f64::from(wrow[j]) + load * xrow[j]) as f32;
                    wrow[j] = nv;
                    total += f64::from(nv).abs();
                }
            }
        }
        *um.norm_total = total;
        *um.has_norm_total = true;
    });
}

/// Whether [`hebbian_l1_kernel`] can stand for [`hebbian`] followed by
/// the projection's `weights_output_fns` on the active units: the AVX2
/// loops are on, the rule learns (`alpha != 0`, own weights) and the one
/// output function is the C kernels' L1 normalisation, applied to this
/// projection alone (not a joint group).
pub fn fuses_l1_kernel(
    cfs: &ConnectionFields,
    wofs: &[crate::normalize::WeightsOutputFn],
    alpha: f64,
) -> bool {
    crate::learn_simd::on()
        && alpha != 0.0
        && cfs.shared.is_none()
        && matches!(wofs, [crate::normalize::WeightsOutputFn::DivisiveL1Kernel])
}

/// [`hebbian`] then `CFPOF_DivisiveNormalizeL1_opt` (the C kernel,
/// [`crate::normalize::divisive_l1_kernel`]) of each active unit, in one
/// visit of its CF while it is in cache, instead of two passes over all
/// the active CFs: the same operations on the same values in the same
/// order per unit (units are independent), so the same bits. Only where
/// [`fuses_l1_kernel`] holds.
pub fn hebbian_l1_kernel(
    cfs: &mut ConnectionFields,
    input: &[f64],
    needed: &Block,
    dest_activity: &[f64],
    alpha: f64,
) {
    debug_assert!(alpha != 0.0 && cfs.shared.is_none() && crate::learn_simd::on());
    let ncols = needed.cols();
    with_slices(cfs, Some(dest_activity), |um, [r1, _, c1, c2]| {
        let y = dest_activity[um.unit];
        if y == 0.0 {
            return;
        }
        #[cfg(target_arch = "x86_64")]
        {
            let x0 = (r1 - needed.r0) * ncols + (c1 - needed.c0);
            // SAFETY: callers check `fuses_l1_kernel`, so the CPU has AVX2;
            // the kernel checks that `input` holds every row.
            let total = unsafe {
                crate::learn_simd::hebbian_cf(
                    um.weights,
                    um.mask,
                    input,
                    x0,
                    ncols,
                    c2 - c1,
                    y * alpha,
                    um.next,
                )
            };
            // `divisive_l1_kernel` with the total just cached.
            *um.norm_total = total;
            let factor = 1.0 / total;
            if factor != 1.0 {
                // SAFETY: as above.
                unsafe { crate::learn_simd::scale(um.weights, factor) };
            }
            *um.has_norm_total = false;
            // (Learning at a non-zero rate counts as a change anyway.)
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = (um, r1, c1, c2, ncols, alpha);
    });
}

/// `CFPLF_EuclideanHebbian` (topo/learningfn/projfn.py): for units with non-zero
/// activity `y`, `w ← f32(w + lr·y·(x − w))`, then `w *= mask`.
pub fn euclidean_hebbian(
    cfs: &mut ConnectionFields,
    input: &[f64],
    needed: &Block,
    dest_activity: &[f64],
    learning_rate: f64,
) {
    if cfs.shared.is_some() {
        return;
    }
    let ncols = needed.cols();
    with_slices(cfs, None, |um, [r1, r2, c1, c2]| {
        let y = dest_activity[um.unit];
        if y == 0.0 {
            return;
        }
        let rate = learning_rate * y;
        let w = c2 - c1;
        for (k, i) in (r1..r2).enumerate() {
            let xs = (i - needed.r0) * ncols + (c1 - needed.c0);
            let xrow = &input[xs..xs + w];
            let wrow = &mut um.weights[k * w..(k + 1) * w];
            let mrow = &um.mask[k * w..(k + 1) * w];
            for j in 0..w {
                let nv = (f64::from(wrow[j]) + rate * (xrow[j] - f64::from(wrow[j]))) as f32;
                wrow[j] = nv * mrow[j];
            }
        }
        *um.has_norm_total = false;
    });
}
