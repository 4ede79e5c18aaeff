//! The lane combine after the scatter of [`super::push_dot_product_by_planes`]:
//! `activity[u] = strength * (((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7)))`
//! where lane `l` of unit `u` is plane `(plane0[u] + l) mod 8`, the planes
//! stored plane-major (`planes[p * n + u]`).
//!
//! Three ways, the same bits (every unit's seven additions and one
//! multiplication are the same IEEE operations on the same operands in
//! the same order; only which unit's values share an instruction, and how
//! they are fetched, differ; never a fused multiply-add):
//!
//! - the reference loop ([`set_lane_combine_off`]): per unit eight
//!   bounds-checked loads at `((p0 + l) % 8) * n + u`;
//! - per unit with the eight plane offsets of its class looked up in a
//!   table of sixteen (`[0, n, .., 7n, 0, n, .., 7n]` from `p0`), without
//!   bounds checks (the length is checked once per chunk);
//! - eight units per instruction with AVX-512F where the CPU has it
//!   ([`set_combine_avx512_off`]): plane `(q + k) mod 8` of units
//!   `u..u + 8` is one load `W_k`, `q` the first unit's `plane0`; unit
//!   `j`'s lane `l` is `W_{(l + d_j) mod 8}[j]` with
//!   `d_j = (plane0[u + j] - q) mod 8`, so lane vector `L_l` is `W_l`
//!   with each element `j` rotated across the eight registers by `d_j`:
//!   three masked blends per register, rotating by 1, 2 and 4 the
//!   elements whose `d_j` has that bit. Then the tree on the eight lane
//!   vectors, element by element.

use rayon::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};

use super::PLANES;

/// Units per parallel task (a multiple of the eight units of the AVX-512
/// step, so only the sheet's last chunk has a scalar tail); the reference
/// loop's `with_min_len(256)` before.
const CHUNK: usize = 256;

/// Set by [`set_lane_combine_off`]: the reference loop.
static OFF: AtomicBool = AtomicBool::new(false);

/// Set by [`set_combine_avx512_off`]: the table-driven scalar loop even
/// where the CPU has AVX-512F.
static AVX512_OFF: AtomicBool = AtomicBool::new(false);

/// Makes the push by planes combine its lanes with the reference loop
/// (`true`, the engine before) or the faster ones (`false`, the default)
/// in this process: the same bits either way, for measuring one against
/// the other.
pub fn set_lane_combine_off(off: bool) {
    OFF.store(off, Ordering::Relaxed);
}

/// Makes the lane combine use its scalar table-driven loop even where the
/// CPU has AVX-512F (`true`), or AVX-512F where it has it (`false`, the
/// default): the same bits either way.
pub fn set_combine_avx512_off(off: bool) {
    AVX512_OFF.store(off, Ordering::Relaxed);
}

/// Which loop [`combine_lanes`] runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// The loop before (bounds-checked loads, `% PLANES` per lane).
    Reference,
    /// Per unit, the offsets from a table.
    Table,
    /// Eight units per step with AVX-512F (falls back to `Table` on a CPU
    /// without it).
    Avx512,
}

/// The loop the switches and the CPU choose.
pub(crate) fn kind() -> Kind {
    if OFF.load(Ordering::Relaxed) {
        Kind::Reference
    } else if !AVX512_OFF.load(Ordering::Relaxed) && avx512_detected() {
        Kind::Avx512
    } else {
        Kind::Table
    }
}

/// Whether this CPU has AVX-512F (std caches the CPUID answer).
fn avx512_detected() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx512f")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// `activity[u] = strength * tree(lanes of u)` for every unit, in
/// parallel over chunks of [`CHUNK`] units, with the loop of [`kind`].
/// `planes` holds `PLANES` planes of `activity.len()` units.
pub(super) fn combine_lanes(planes: &[f64], plane0: &[u8], strength: f64, activity: &mut [f64]) {
    combine_lanes_with(kind(), planes, plane0, strength, activity)
}

/// [`combine_lanes`] with the loop `kind`.
pub(crate) fn combine_lanes_with(
    kind: Kind,
    planes: &[f64],
    plane0: &[u8],
    strength: f64,
    activity: &mut [f64],
) {
    let n = activity.len();
    assert_eq!(planes.len(), PLANES * n, "planes of {n} units");
    assert_eq!(plane0.len(), n, "plane0 of {n} units");
    activity
        .par_chunks_mut(CHUNK)
        .enumerate()
        .for_each(|(k, out)| {
            let u0 = k * CHUNK;
            match kind {
                Kind::Reference => reference(planes, n, plane0, strength, u0, out),
                Kind::Table => table(planes, n, plane0, strength, u0, out),
                Kind::Avx512 => avx512(planes, n, plane0, strength, u0, out),
            }
        });
}

/// The reference loop over units `u0..u0 + out.len()`.
fn reference(planes: &[f64], n: usize, plane0: &[u8], strength: f64, u0: usize, out: &mut [f64]) {
    for (i, a) in out.iter_mut().enumerate() {
        let u = u0 + i;
        let p0 = plane0[u] as usize;
        let lane = |l: usize| planes[((p0 + l) % PLANES) * n + u];
        let sum = ((lane(0) + lane(1)) + (lane(2) + lane(3)))
            + ((lane(4) + lane(5)) + (lane(6) + lane(7)));
        *a = sum * strength;
    }
}

/// Plane offsets twice over: unit `u` with `plane0` `p` finds lane `l` at
/// `offsets[p + l] + u`.
fn plane_offsets(n: usize) -> [usize; 2 * PLANES] {
    std::array::from_fn(|i| (i % PLANES) * n)
}

/// The table-driven loop over units `u0..u0 + out.len()`.
fn table(planes: &[f64], n: usize, plane0: &[u8], strength: f64, u0: usize, out: &mut [f64]) {
    let offsets = plane_offsets(n);
    let plane0 = &plane0[u0..u0 + out.len()];
    // Every load below is at `(p mod 8) * n + u` with `u < n`, inside the
    // `PLANES * n` planes.
    assert!(planes.len() >= PLANES * n && u0 + out.len() <= n);
    for (i, (a, &p0)) in out.iter_mut().zip(plane0).enumerate() {
        let u = u0 + i;
        let o = &offsets[(p0 as usize) % PLANES..][..PLANES];
        // SAFETY: see the assertion above.
        let lane = |l: usize| unsafe { *planes.get_unchecked(o[l] + u) };
        let sum = ((lane(0) + lane(1)) + (lane(2) + lane(3)))
            + ((lane(4) + lane(5)) + (lane(6) + lane(7)));
        *a = sum * strength;
    }
}

/// The AVX-512F loop over units `u0..u0 + out.len()` (the table-driven
/// one for the last units short of eight, or without AVX-512F).
fn avx512(planes: &[f64], n: usize, plane0: &[u8], strength: f64, u0: usize, out: &mut [f64]) {
    #[cfg(target_arch = "x86_64")]
    if avx512_detected() {
        let whole = out.len() / 8 * 8;
        assert!(planes.len() >= PLANES * n && u0 + out.len() <= n && plane0.len() >= n);
        let (head, tail) = out.split_at_mut(whole);
        // SAFETY: the CPU has AVX-512F; the loads stay inside the planes
        // and `plane0` and the stores inside `head` (asserted above).
        unsafe { avx512_units(planes.as_ptr(), n, plane0.as_ptr(), strength, u0, head) };
        table(planes, n, plane0, strength, u0 + whole, tail);
        return;
    }
    table(planes, n, plane0, strength, u0, out)
}

/// Units `u0..u0 + out.len()` (a multiple of 8) eight at a time: see the
/// module docs.
///
/// # Safety
/// The CPU has AVX-512F; `planes` points to `PLANES * n` values,
/// `plane0` to `n`, and `u0 + out.len() <= n`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn avx512_units(
    planes: *const f64,
    n: usize,
    plane0: *const u8,
    strength: f64,
    u0: usize,
    out: &mut [f64],
) {
    use std::arch::x86_64::*;
    let s = _mm512_set1_pd(strength);
    let seven = _mm512_set1_epi64(7);
    let bit = |b: i64| _mm512_set1_epi64(b);
    // SAFETY: the caller's guarantees (AVX-512F; every load and store
    // inside `planes`, `plane0` and `out`).
    unsafe {
        for (g, dst) in out.chunks_exact_mut(8).enumerate() {
            let u = u0 + 8 * g;
            let p = plane0.add(u);
            let q = (*p as usize) % PLANES;
            // d_j = (plane0[u + j] - q) mod 8, one per 64-bit element.
            let p8 = _mm512_cvtepu8_epi64(_mm_loadl_epi64(p as *const __m128i));
            let d = _mm512_and_si512(_mm512_sub_epi64(p8, _mm512_set1_epi64(q as i64)), seven);
            let m1 = _mm512_test_epi64_mask(d, bit(1));
            let m2 = _mm512_test_epi64_mask(d, bit(2));
            let m4 = _mm512_test_epi64_mask(d, bit(4));
            let w: [__m512d; PLANES] =
                std::array::from_fn(|k| _mm512_loadu_pd(planes.add(((q + k) % PLANES) * n + u)));
            // Rotate element j of the registers by d_j, a bit at a time.
            let rot = |m: __mmask8, by: usize, v: [__m512d; PLANES]| -> [__m512d; PLANES] {
                std::array::from_fn(|l| _mm512_mask_blend_pd(m, v[l], v[(l + by) % PLANES]))
            };
            let l = rot(m4, 4, rot(m2, 2, rot(m1, 1, w)));
            let sum = _mm512_add_pd(
                _mm512_add_pd(_mm512_add_pd(l[0], l[1]), _mm512_add_pd(l[2], l[3])),
                _mm512_add_pd(_mm512_add_pd(l[4], l[5]), _mm512_add_pd(l[6], l[7])),
            );
            _mm512_storeu_pd(dst.as_mut_ptr(), _mm512_mul_pd(sum, s));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Edge values: signed zeros, infinities, NaN, subnormals, extremes.
    const EDGES: [f64; 14] = [
        0.0,
        -0.0,
        1.0,
        -1.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        f64::MIN_POSITIVE,
        -f64::MIN_POSITIVE / 3.0,
        5e-324,
        -5e-324,
        f64::MAX,
        -f64::MAX,
        1e-300,
    ];

    /// A deterministic generator (xorshift) of indices into `EDGES`
    /// and ordinary values.
    fn value(state: &mut u64) -> f64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        let k = (*state % 20) as usize;
        match EDGES.get(k) {
            Some(&x) => x,
            None => (*state >> 11) as f64 / (1u64 << 40) as f64 - 4096.0,
        }
    }

    #[test]
    fn every_kind_gives_the_reference_bits_on_edge_values() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for n in [0usize, 1, 7, 8, 9, 255, 256, 257, 777] {
            let planes: Vec<f64> = (0..PLANES * n).map(|_| value(&mut state)).collect();
            // Consecutive classes (as along a lateral projection's rows),
            // one class, any class, and the three mixed unit by unit.
            for pattern in 0..4 {
                let plane0: Vec<u8> = (0..n)
                    .map(|u| match if pattern == 3 { u % 3 } else { pattern } {
                        0 => ((u + 3) % PLANES) as u8,
                        1 => 5,
                        _ => (value(&mut state).to_bits() % PLANES as u64) as u8,
                    })
                    .collect();
                check(&planes, &plane0);
            }
        }
    }

    /// Every kind against the tree written out, by bits.
    fn check(planes: &[f64], plane0: &[u8]) {
        let n = plane0.len();
        for strength in [1.0, -0.5, 0.0, f64::INFINITY, 3e-310] {
            let mut want = vec![0.0; n];
            for (u, a) in want.iter_mut().enumerate() {
                let lane = |l: usize| planes[((plane0[u] as usize + l) % PLANES) * n + u];
                let sum = ((lane(0) + lane(1)) + (lane(2) + lane(3)))
                    + ((lane(4) + lane(5)) + (lane(6) + lane(7)));
                *a = sum * strength;
            }
            for kind in [Kind::Reference, Kind::Table, Kind::Avx512] {
                let mut got = vec![1.5; n];
                combine_lanes_with(kind, planes, plane0, strength, &mut got);
                for u in 0..n {
                    // A NaN's sign and payload are not specified by Rust
                    // (LLVM may swap an addition's operands, and x86
                    // keeps the first operand's NaN): NaN must give NaN.
                    // Every other value, bit for bit.
                    if want[u].is_nan() {
                        assert!(got[u].is_nan(), "{kind:?} n {n} unit {u}");
                        continue;
                    }
                    assert_eq!(
                        got[u].to_bits(),
                        want[u].to_bits(),
                        "{kind:?} n {n} unit {u} strength {strength}"
                    );
                }
            }
        }
    }
}
