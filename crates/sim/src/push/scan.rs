//! The scan of [`super::PushScratch::scan`]: the indices of the non-zero
//! inputs in increasing order, or none if an input is ±inf or NaN.
//!
//! Two ways, the same list: the reference loop (a branch per input, which
//! a sparse activity's scattered non-zero units mispredict), and sixteen
//! inputs per step with AVX-512F where the CPU has it
//! ([`set_scan_avx512_off`]): two compares give the non-zero mask (`x !=
//! 0.0` unordered, as Rust's `!=`: NaN counts, -0.0 does not) and the
//! non-finite mask (`|x|` not below infinity: ±inf and NaN), and the
//! indices of the set bits are compressed into place and stored whole
//! (the list keeps sixteen spare entries of capacity for that store).

use std::sync::atomic::{AtomicBool, Ordering};

/// Set by [`set_scan_avx512_off`]: the reference loop.
static AVX512_OFF: AtomicBool = AtomicBool::new(false);

/// Makes the push's scan of its input use the reference loop even where
/// the CPU has AVX-512F (`true`), or AVX-512F where it has it (`false`,
/// the default): the same list either way, for measuring one against the
/// other.
pub fn set_scan_avx512_off(off: bool) {
    AVX512_OFF.store(off, Ordering::Relaxed);
}

/// Lists in `nonzero` (cleared first) the indices of the non-zero
/// elements of `input`, in increasing order; `false` (and the list
/// empty) if an element is not finite. AVX-512F unless switched off.
pub(super) fn scan(input: &[f64], nonzero: &mut Vec<u32>) -> bool {
    scan_with(!AVX512_OFF.load(Ordering::Relaxed), input, nonzero)
}

/// [`scan`] with AVX-512F where the CPU has it if `avx512`, else the
/// reference loop.
pub(crate) fn scan_with(avx512: bool, input: &[f64], nonzero: &mut Vec<u32>) -> bool {
    nonzero.clear();
    #[cfg(target_arch = "x86_64")]
    if avx512 && std::arch::is_x86_feature_detected!("avx512f") {
        // Room for the whole last store (grown once per projection).
        nonzero.reserve(input.len() + 16);
        // SAFETY: the CPU has AVX-512F and `nonzero` has room for
        // `input.len() + 16` entries.
        let finite = unsafe { scan_avx512(input, nonzero) };
        if !finite {
            nonzero.clear();
        }
        return finite;
    }
    let _ = avx512;
    let finite = reference(input, 0, nonzero);
    if !finite {
        nonzero.clear();
    }
    finite
}

/// The reference loop over the inputs from `from`, appending to
/// `nonzero`; `false` at the first input that is not finite.
fn reference(input: &[f64], from: usize, nonzero: &mut Vec<u32>) -> bool {
    for (i, &x) in input.iter().enumerate().skip(from) {
        if x != 0.0 {
            if !x.is_finite() {
                return false;
            }
            nonzero.push(i as u32);
        }
    }
    true
}

/// Sixteen inputs per step (see the module docs), the last fewer than
/// sixteen by the reference loop; `false` if an input is not finite (the
/// list then holds whatever was found).
///
/// # Safety
/// The CPU has AVX-512F; `nonzero` is empty with capacity for at least
/// `input.len() + 16` entries.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn scan_avx512(input: &[f64], nonzero: &mut Vec<u32>) -> bool {
    use std::arch::x86_64::*;
    let whole = input.len() / 16 * 16;
    let out = nonzero.as_mut_ptr();
    let mut len = 0usize;
    let mut bad: __mmask16 = 0;
    let zero = _mm512_setzero_pd();
    let inf = _mm512_set1_pd(f64::INFINITY);
    let iota = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    // SAFETY: loads at `i..i + 16 <= whole <= input.len()`; stores of
    // sixteen entries at `len <= i`, inside the capacity.
    unsafe {
        for i in (0..whole).step_by(16) {
            let a = _mm512_loadu_pd(input.as_ptr().add(i));
            let b = _mm512_loadu_pd(input.as_ptr().add(i + 8));
            let nz = (_mm512_cmp_pd_mask::<_CMP_NEQ_UQ>(a, zero) as u16)
                | ((_mm512_cmp_pd_mask::<_CMP_NEQ_UQ>(b, zero) as u16) << 8);
            bad |= (_mm512_cmp_pd_mask::<_CMP_NLT_UQ>(_mm512_abs_pd(a), inf) as u16)
                | ((_mm512_cmp_pd_mask::<_CMP_NLT_UQ>(_mm512_abs_pd(b), inf) as u16) << 8);
            let idx = _mm512_add_epi32(_mm512_set1_epi32(i as i32), iota);
            _mm512_storeu_si512(
                out.add(len) as *mut __m512i,
                _mm512_maskz_compress_epi32(nz, idx),
            );
            len += nz.count_ones() as usize;
        }
        nonzero.set_len(len);
    }
    bad == 0 && reference(input, whole, nonzero)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn avx512_lists_what_the_reference_lists() {
        let edges = [
            0.0,
            -0.0,
            1.0,
            -1e-320,
            5e-324,
            f64::MAX,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
        ];
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for n in [0usize, 1, 15, 16, 17, 31, 32, 33, 100, 2304] {
            for density in [0u64, 1, 12, 50, 100] {
                // Non-finite inputs only in some inputs, at any place.
                for finite in [true, false] {
                    let input: Vec<f64> = (0..n)
                        .map(|_| {
                            let r = next();
                            if r % 100 >= density {
                                [0.0, -0.0][(r >> 8) as usize % 2]
                            } else {
                                let e = (r >> 16) as usize % edges.len();
                                match edges[e] {
                                    x if !x.is_finite() && (finite || next() % 8 != 0) => 0.5,
                                    x => x,
                                }
                            }
                        })
                        .collect();
                    let (mut want, mut got) = (Vec::new(), vec![7u32; 3]);
                    let a = scan_with(false, &input, &mut want);
                    let b = scan_with(true, &input, &mut got);
                    assert_eq!((a, &want), (b, &got), "n {n} density {density}");
                    if !a {
                        assert!(got.is_empty());
                    }
                }
            }
        }
    }
}
