//! Learning rules over the connection fields of the local units, in
//! parallel over units (D1's [`crate::normalize::for_each_unit`]).

use crate::cf::ConnectionFields;
use crate::exchange::Block;
use crate::normalize::{for_each_unit, UnitMut, MASK_THRESHOLD};

/// Runs `f(unit view, slice)` on every unit, lending the slices out of
/// `cfs` for the duration (no copy, no allocation).
fn with_slices<F>(cfs: &mut ConnectionFields, f: F)
where
    F: Fn(UnitMut<'_>, [usize; 4]) + Sync,
{
    let slices = std::mem::take(&mut cfs.slices);
    for_each_unit(cfs, &|u: UnitMut<'_>| {
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
    with_slices(cfs, |um, [r1, r2, c1, c2]| {
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
                crate::learn_simd::hebbian_cf(um.weights, um.mask, input, x0, ncols, w, load)
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
    with_slices(cfs, |um, [r1, r2, c1, c2]| {
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
