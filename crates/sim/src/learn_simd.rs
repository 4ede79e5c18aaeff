//! The inner loops of learning and normalisation ([`crate::learning`],
//! [`crate::normalize`]) with AVX2 where the CPU has it (detected at run
//! time), bit-identical to the scalar loops they replace.
//!
//! The element-wise parts are independent per weight: `f32(f64(w) +
//! load·x)` (`_mm256_cvtps_pd`, `_mm256_mul_pd`, `_mm256_add_pd`,
//! `_mm256_cvtpd_ps` round exactly as `f64::from`, `*`, `+`, `as f32` do,
//! never fused), and `f32(f64(w)·factor)` likewise.
//!
//! The hard part is the unit's L1 total, which Topographica's C kernels
//! (`hebbian` and `SUM_NORM_TOTAL` in topo/optimized/optimized.h,
//! topo/misc/inlinec.py) sum in double in row-major order: one long chain
//! of dependent additions, ~4 cycles per weight. Its order cannot change,
//! but when no addition of the chain rounds, every order gives the same
//! exact sum. That is decided from the terms themselves: each is a
//! non-negative f32, so a multiple of `2^(e-23)` where `2^e` is the
//! binade of the smallest non-zero term (subnormals included: their step
//! `2^-149` is a multiple of it); every partial sum is then a multiple of
//! `2^(e-23)` no larger than the total, and is exact in f64 while the
//! total is below `2^(e+30)`. The vector loop sums the terms in four
//! lanes (any order) and finds the smallest non-zero term `m`; if that
//! sum `s` is below `m·2^28` (`≤ 2^(e+29)`, with room for `s`'s own
//! rounding error), the exact total is below `2^(e+30)`, so `s` *is* the
//! serial sum; otherwise (a tiny weight beside large ones, a NaN or an
//! infinity) the serial chain is run over the new weights. Either way the
//! result is the serial sum's bits.
//!
//! [`set_off`] selects the scalar loops (the engine before this module)
//! in this process, for measuring one against the other and for the tests
//! that compare their bits.

use crate::push_simd::LineWalker;
use std::sync::atomic::{AtomicBool, Ordering};

/// Set by [`set_off`]: the scalar loops run in this process.
static OFF: AtomicBool = AtomicBool::new(false);

/// Runs the scalar loops in this process (`true`), or the AVX2 ones where
/// the CPU has AVX2 (`false`, the default): the same bits either way.
pub fn set_off(off: bool) {
    OFF.store(off, Ordering::Relaxed);
}

/// Whether the AVX2 loops run: the CPU has AVX2 and [`set_off`] has not
/// turned them off.
pub fn on() -> bool {
    if OFF.load(Ordering::Relaxed) {
        return false;
    }
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// The weights and mask of the next unit a task will visit, as
/// addresses only: for prefetching (a hint that reads nothing into a
/// register and never faults), never for access.
#[derive(Clone, Copy, Debug)]
pub struct NextCf {
    /// First weight.
    pub weights: *const f32,
    /// First mask value.
    pub mask: *const f32,
    /// Entries (0: no next unit).
    pub len: usize,
}

impl NextCf {
    /// No next unit.
    pub const NONE: NextCf = NextCf {
        weights: std::ptr::null(),
        mask: std::ptr::null(),
        len: 0,
    };
}

/// Cache lines of the next unit's weights, and as many of its mask,
/// asked for per CF row of [`hebbian_cf`]. The active units' CFs are
/// contiguous but the next active unit is often elsewhere; the hardware
/// prefetchers wait for its first misses.
const PREFETCH_LINES_PER_ROW: usize = 4;

/// Set by [`set_prefetch_off`]: [`hebbian_cf`] prefetches nothing.
static PREFETCH_OFF: AtomicBool = AtomicBool::new(false);

/// Makes [`hebbian_cf`] prefetch nothing in this process (`true`), or the
/// next unit's weights and mask again (`false`, the default): the same
/// bits either way (a prefetch changes no value), for measuring one
/// against the other.
pub fn set_prefetch_off(off: bool) {
    PREFETCH_OFF.store(off, Ordering::Relaxed);
}

/// Walks the next unit's weights and mask a few lines per step.
struct Ahead {
    weights: LineWalker,
    mask: LineWalker,
}

impl Ahead {
    fn new(next: NextCf) -> Ahead {
        if PREFETCH_OFF.load(Ordering::Relaxed) {
            return Ahead {
                weights: LineWalker::NONE,
                mask: LineWalker::NONE,
            };
        }
        Ahead {
            weights: LineWalker::new(next.weights, next.len),
            mask: LineWalker::new(next.mask, next.len),
        }
    }

    /// Asks for the next [`PREFETCH_LINES_PER_ROW`] lines of each.
    #[inline(always)]
    fn step(&mut self) {
        self.weights.step(PREFETCH_LINES_PER_ROW);
        self.mask.step(PREFETCH_LINES_PER_ROW);
    }
}

/// Weights with a mask value at or above this are connections
/// (Topographica's `MASK_THRESHOLD`, used by learning).
pub const MASK_THRESHOLD: f32 = 0.5;

/// `SUM_NORM_TOTAL` of `topo/misc/inlinec.py` (and `optimized.h`): the
/// sum in double, row-major, of `|w|` over the entries whose mask is at
/// least [`MASK_THRESHOLD`]. The serial loop (kept here so that this
/// module needs nothing of `normalize`, which re-exports both items).
pub fn masked_abs_sum_serial(weights: &[f32], mask: &[f32]) -> f64 {
    let mut total = 0.0f64;
    for (w, m) in weights.iter().zip(mask) {
        if *m >= MASK_THRESHOLD {
            total += f64::from(w.abs());
        }
    }
    total
}

/// `2^28`: an any-order sum of non-negative f32 terms below
/// `2^28 ×` its smallest non-zero term is the exact sum (module docs).
const EXACT_BELOW: f64 = 268_435_456.0;

/// Whether `sum`, taken in any order over non-negative f32 terms whose
/// smallest non-zero one is `min_nonzero`, is exact (hence equal to the
/// serial sum). False for a NaN or infinite sum.
#[inline]
fn exact(sum: f64, min_nonzero: f32) -> bool {
    sum < f64::from(min_nonzero) * EXACT_BELOW
}

/// The smallest non-zero non-negative f32 from the running minimum of
/// `bits - 1` (a zero's `0 - 1` wraps to the largest value and never
/// wins; none at all gives infinity).
#[inline]
fn min_from_bits(m: u32) -> f32 {
    if m == u32::MAX {
        f32::INFINITY
    } else {
        f32::from_bits(m + 1)
    }
}

/// One unit's Hebbian update (`CFPLF_Hebbian`, see
/// [`crate::learning::hebbian`]) with AVX2: over the CF's rows of
/// `width` weights (row `k` reads `input[x0 + k·stride ..][..width]`),
/// `w ← f32(f64(w) + load·x)` where the mask is ≥ `MASK_THRESHOLD`; returns
/// the row-major f64 sum of `|w|` over those entries, the serial sum's
/// bits (module docs). `next` (the CF of the unit the caller will visit
/// next, or [`NextCf::NONE`]) is prefetched a few lines per row.
///
/// # Safety
/// The CPU must support AVX2; `input` must hold every row read.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[allow(clippy::too_many_arguments)]
pub unsafe fn hebbian_cf(
    weights: &mut [f32],
    mask: &[f32],
    input: &[f64],
    x0: usize,
    stride: usize,
    width: usize,
    load: f64,
    next: NextCf,
) -> f64 {
    // SAFETY: the caller's guarantees (AVX2; the pointers' ranges).
    unsafe {
        use std::arch::x86_64::*;
        if width == 0 {
            return 0.0;
        }
        assert_eq!(weights.len(), mask.len());
        let rows = weights.len() / width;
        assert!(rows == 0 || x0 + (rows - 1) * stride + width <= input.len());
        let loadv = _mm256_set1_pd(load);
        let mut acc = [_mm256_setzero_pd(); 2];
        let mut minb = _mm_set1_epi32(-1);
        let mut tail = 0.0f64;
        let mut tail_min = u32::MAX;
        let mut ahead = Ahead::new(next);
        for k in 0..rows {
            ahead.step();
            let wp = weights.as_mut_ptr().add(k * width);
            let mp = mask.as_ptr().add(k * width);
            let xp = input.as_ptr().add(x0 + k * stride);
            let mut j = 0;
            while j + 8 <= width {
                let a0 = hebb4(wp.add(j), mp.add(j), xp.add(j), loadv, &mut minb);
                let a1 = hebb4(
                    wp.add(j + 4),
                    mp.add(j + 4),
                    xp.add(j + 4),
                    loadv,
                    &mut minb,
                );
                acc[0] = _mm256_add_pd(acc[0], a0);
                acc[1] = _mm256_add_pd(acc[1], a1);
                j += 8;
            }
            if j + 4 <= width {
                let a0 = hebb4(wp.add(j), mp.add(j), xp.add(j), loadv, &mut minb);
                acc[0] = _mm256_add_pd(acc[0], a0);
                j += 4;
            }
            while j < width {
                if *mp.add(j) >= MASK_THRESHOLD {
                    let nv = (f64::from(*wp.add(j)) + load * *xp.add(j)) as f32;
                    *wp.add(j) = nv;
                    let a = nv.abs();
                    tail += f64::from(a);
                    tail_min = tail_min.min(a.to_bits().wrapping_sub(1));
                }
                j += 1;
            }
        }
        let (sum, m) = reduce(acc, minb, tail, tail_min);
        if exact(sum, m) {
            sum
        } else {
            masked_abs_sum_serial(weights, mask)
        }
    }
}

/// Four weights of [`hebbian_cf`]: the new weights stored where the mask
/// is at least `MASK_THRESHOLD`, their masked `|w|` returned widened to
/// f64, and `minb` (the running minimum of `bits - 1`) updated.
///
/// # Safety
/// The CPU must support AVX2; four values must be readable (and the
/// weights writable) at each pointer.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn hebb4(
    wp: *mut f32,
    mp: *const f32,
    xp: *const f64,
    loadv: std::arch::x86_64::__m256d,
    minb: &mut std::arch::x86_64::__m128i,
) -> std::arch::x86_64::__m256d {
    // SAFETY: the caller's guarantees (AVX2; the pointers' ranges).
    unsafe {
        use std::arch::x86_64::*;
        let wv = _mm_loadu_ps(wp);
        let nd = _mm256_add_pd(
            _mm256_cvtps_pd(wv),
            _mm256_mul_pd(loadv, _mm256_loadu_pd(xp)),
        );
        let nf = _mm256_cvtpd_ps(nd);
        let sel = _mm_cmp_ps::<_CMP_GE_OQ>(_mm_loadu_ps(mp), _mm_set1_ps(MASK_THRESHOLD));
        _mm_storeu_ps(wp, _mm_blendv_ps(wv, nf, sel));
        abs_term(nf, sel, minb)
    }
}

/// The masked `|w|` of four f32 (zero where `sel` is clear) widened to
/// f64, with `minb` (the running minimum of `bits - 1`) updated.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
fn abs_term(
    w: std::arch::x86_64::__m128,
    sel: std::arch::x86_64::__m128,
    minb: &mut std::arch::x86_64::__m128i,
) -> std::arch::x86_64::__m256d {
    use std::arch::x86_64::*;
    let abs = _mm_castsi128_ps(_mm_set1_epi32(0x7fff_ffff));
    let a = _mm_and_ps(_mm_and_ps(w, abs), sel);
    *minb = _mm_min_epu32(*minb, _mm_sub_epi32(_mm_castps_si128(a), _mm_set1_epi32(1)));
    _mm256_cvtps_pd(a)
}

/// [`masked_abs_sum_serial`] (`SUM_NORM_TOTAL`) with AVX2: the
/// serial sum's bits (module docs).
///
/// # Safety
/// The CPU must support AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
pub unsafe fn masked_abs_sum(weights: &[f32], mask: &[f32]) -> f64 {
    // SAFETY: the caller's guarantees (AVX2; the pointers' ranges).
    unsafe {
        use std::arch::x86_64::*;
        let n = weights.len().min(mask.len());
        let half = _mm_set1_ps(MASK_THRESHOLD);
        let mut acc = [_mm256_setzero_pd(); 2];
        let mut minb = _mm_set1_epi32(-1);
        let body = n - n % 4;
        let (wp, mp) = (weights.as_ptr(), mask.as_ptr());
        let mut j = 0;
        while j + 8 <= body {
            let a0 = abs_term(
                _mm_loadu_ps(wp.add(j)),
                _mm_cmp_ps::<_CMP_GE_OQ>(_mm_loadu_ps(mp.add(j)), half),
                &mut minb,
            );
            let a1 = abs_term(
                _mm_loadu_ps(wp.add(j + 4)),
                _mm_cmp_ps::<_CMP_GE_OQ>(_mm_loadu_ps(mp.add(j + 4)), half),
                &mut minb,
            );
            acc[0] = _mm256_add_pd(acc[0], a0);
            acc[1] = _mm256_add_pd(acc[1], a1);
            j += 8;
        }
        if j < body {
            let a0 = abs_term(
                _mm_loadu_ps(wp.add(j)),
                _mm_cmp_ps::<_CMP_GE_OQ>(_mm_loadu_ps(mp.add(j)), half),
                &mut minb,
            );
            acc[0] = _mm256_add_pd(acc[0], a0);
        }
        let mut tail = 0.0f64;
        let mut tail_min = u32::MAX;
        for (w, m) in weights[body..n].iter().zip(&mask[body..n]) {
            if *m >= MASK_THRESHOLD {
                let a = w.abs();
                tail += f64::from(a);
                tail_min = tail_min.min(a.to_bits().wrapping_sub(1));
            }
        }
        let (sum, m) = reduce(acc, minb, tail, tail_min);
        if exact(sum, m) {
            sum
        } else {
            masked_abs_sum_serial(weights, mask)
        }
    }
}

/// `w ← f32(f64(w)·factor)` for every weight (the C kernels' `*weights
/// *= factor` on a `float*`), with AVX2: one rounded multiply and one
/// rounding to f32 per weight, as the scalar loop. Returns whether any
/// weight's bits changed (a factor within an f32 rounding of 1 may leave
/// every weight as it was).
///
/// # Safety
/// The CPU must support AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
pub unsafe fn scale(weights: &mut [f32], factor: f64) -> bool {
    // SAFETY: the caller's guarantees (AVX2; the pointers' ranges).
    unsafe {
        use std::arch::x86_64::*;
        let n = weights.len();
        let f = _mm256_set1_pd(factor);
        let body = n - n % 4;
        let wp = weights.as_mut_ptr();
        // Lanes whose new bits differ from the old (all ones where so).
        let mut diff = _mm_setzero_si128();
        let mut j = 0;
        while j < body {
            let old = _mm_loadu_ps(wp.add(j));
            let new = _mm256_cvtpd_ps(_mm256_mul_pd(_mm256_cvtps_pd(old), f));
            let same = _mm_cmpeq_epi32(_mm_castps_si128(old), _mm_castps_si128(new));
            diff = _mm_or_si128(diff, _mm_xor_si128(same, _mm_set1_epi32(-1)));
            _mm_storeu_ps(wp.add(j), new);
            j += 4;
        }
        let mut changed = _mm_movemask_epi8(diff) != 0;
        for w in &mut weights[body..] {
            let new = (f64::from(*w) * factor) as f32;
            changed |= new.to_bits() != w.to_bits();
            *w = new;
        }
        changed
    }
}

/// The lanes' sum (in any order: only used when exact) and the smallest
/// non-zero term.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn reduce(
    acc: [std::arch::x86_64::__m256d; 2],
    minb: std::arch::x86_64::__m128i,
    tail: f64,
    tail_min: u32,
) -> (f64, f32) {
    // SAFETY: the caller's guarantees (AVX2; the pointers' ranges).
    unsafe {
        use std::arch::x86_64::*;
        let mut lanes = [0.0f64; 4];
        _mm256_storeu_pd(lanes.as_mut_ptr(), _mm256_add_pd(acc[0], acc[1]));
        let mut mins = [0u32; 4];
        _mm_storeu_si128(mins.as_mut_ptr().cast(), minb);
        let m = mins.iter().fold(tail_min, |a, b| a.min(*b));
        (
            (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]) + tail,
            min_from_bits(m),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serial(w: &[f32], m: &[f32]) -> f64 {
        masked_abs_sum_serial(w, m)
    }

    #[test]
    fn the_exactness_test_accepts_only_sums_without_rounding() {
        // 1 + 2^-52 is exact in f64; 2^-29 beside 1 (as an f32 term) is a
        // multiple of 2^-52 but the total 1+2^-29 ≥ 2^-29·2^28 = 0.5.
        assert!(exact(3.0, 1.0));
        assert!(!exact(1.0 + 2f64.powi(-29), 2f32.powi(-29)));
        assert!(!exact(f64::NAN, 1.0));
        assert!(!exact(f64::INFINITY, 1.0));
        assert!(exact(0.0, f32::INFINITY));
        assert_eq!(min_from_bits(u32::MAX), f32::INFINITY);
        assert_eq!(min_from_bits(0), f32::from_bits(1));
    }

    #[test]
    fn sums_equal_the_serial_chain_bit_for_bit() {
        if !on() {
            return;
        }
        // Terms that round in the serial chain (1e-12 beside 1), subnormals,
        // zeros, masked-out NaN and infinity, a NaN and an infinity inside
        // the mask, over lengths covering the vector body and the tails.
        let specials = [0.0f32, -0.0, 1e-12, 1.0, -3.5, 1e-40, 7e-3, 2.0e-30];
        for n in [0usize, 1, 3, 4, 5, 8, 9, 31, 64, 257] {
            for variant in 0..7 {
                let w: Vec<f32> = (0..n)
                    .map(|i| match variant {
                        0 => ((i as f32) * 0.37).sin() * 1e-3,
                        1 => specials[i % specials.len()],
                        2 => 1.0 / (1.0 + i as f32),
                        3 if i == n / 2 => f32::NAN,
                        4 if i == n / 3 => f32::INFINITY,
                        // 2^-53 beside 1: lost one by one in the serial chain,
                        // not when summed apart.
                        5 if i == 0 => 1.0,
                        5 => 2f32.powi(-53),
                        _ => ((i * 7919 % 1000) as f32) * 1e-6,
                    })
                    .collect();
                let m: Vec<f32> = (0..n)
                    .map(|i| [1.0f32, 0.5, 0.49, 0.0, f32::NAN][(i * 3) % 5])
                    .collect();
                let got = unsafe { masked_abs_sum(&w, &m) };
                let want = serial(&w, &m);
                assert_eq!(got.to_bits(), want.to_bits(), "n {n} variant {variant}");
            }
        }
    }

    #[test]
    fn hebbian_cf_equals_the_scalar_update() {
        if !on() {
            return;
        }
        for width in [1usize, 3, 4, 7, 8, 13] {
            let rows = 5;
            let stride = width + 3;
            let x: Vec<f64> = (0..rows * stride + 2)
                .map(|i| match i % 6 {
                    0 => 0.0,
                    1 => 1e-300,
                    _ => ((i as f64) * 0.71).cos().abs(),
                })
                .collect();
            for (load, small) in [
                (0.0, false),
                (1e-3, false),
                (0.25, false),
                (1e30, false),
                (0.0, true),
            ] {
                let w0: Vec<f32> = (0..rows * width)
                    .map(|i| match (small, i) {
                        (true, 0) => 1.0,
                        // Lost one by one against 1 in the serial chain.
                        (true, _) => 2f32.powi(-53),
                        _ => [0.01f32, 1e-20, 0.0, -0.2, 3e-39][i % 5],
                    })
                    .collect();
                let m: Vec<f32> = (0..rows * width)
                    .map(|i| [1.0f32, 0.6, 0.1][i % 3])
                    .collect();
                let mut want = w0.clone();
                let mut total = 0.0f64;
                for k in 0..rows {
                    for j in 0..width {
                        let i = k * width + j;
                        if m[i] >= MASK_THRESHOLD {
                            let nv = (f64::from(want[i]) + load * x[2 + k * stride + j]) as f32;
                            want[i] = nv;
                            total += f64::from(nv).abs();
                        }
                    }
                }
                let mut got = w0.clone();
                let t =
                    unsafe { hebbian_cf(&mut got, &m, &x, 2, stride, width, load, NextCf::NONE) };
                let gb: Vec<u32> = got.iter().map(|v| v.to_bits()).collect();
                let wb: Vec<u32> = want.iter().map(|v| v.to_bits()).collect();
                assert_eq!(gb, wb, "width {width} load {load}");
                assert_eq!(t.to_bits(), total.to_bits(), "width {width} load {load}");
            }
        }
    }

    #[test]
    fn scale_equals_the_scalar_product() {
        if !on() {
            return;
        }
        let w0: Vec<f32> = (0..37)
            .map(|i| ((i as f32) * 1.3).sin() * 10f32.powi(i % 9 - 4))
            .collect();
        for factor in [1.0 / 3.0, 0.999_999_9, 1e-300, 3.0e38] {
            let mut got = w0.clone();
            unsafe { scale(&mut got, factor) };
            for (g, w) in got.iter().zip(&w0) {
                assert_eq!(g.to_bits(), ((f64::from(*w) * factor) as f32).to_bits());
            }
        }
    }
}
