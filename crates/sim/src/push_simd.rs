//! The inner loop of the pushed dot product (the `push` module): one run of
//! consecutive targets, `acc[i] += f64(w[i]) * x`, four targets per
//! instruction with AVX2 where the CPU has it (detected at run time; the
//! crate is compiled for baseline x86-64, SSE2, two f64 per instruction).
//!
//! Bit-identical to the scalar loop: every accumulator element still gets
//! exactly one addition per term, of the same product, in the same order
//! (the elements of a run are independent; the vector only does four of
//! them at once). `_mm256_cvtps_pd` widens f32 to f64 exactly as
//! `f64::from` does, `_mm256_mul_pd` and `_mm256_add_pd` round each result
//! to nearest as `mulsd`/`addsd` do, and the multiply and the add stay two
//! instructions: never a fused multiply-add, which would round once and
//! change bits. Both paths run under the same MXCSR (no flush-to-zero), so
//! subnormals are handled alike.
//!
//! Where the CPU also has AVX-512 (F and VL) the loop takes eight targets
//! per instruction and a run's last `len mod 8` in one masked
//! instruction (switch: [`set_avx512_off`]); the same argument holds per
//! element, and elements outside the mask are neither read nor written.
//! GCAL's runs are short (1-23 targets at cortex_density 48, where the
//! AVX2 loop spent much of its time in four-wide steps and scalar tails):
//! real 2-rank runs at 48 went from 0.99-1.02 to 0.94-0.97 ms per
//! iteration (benches/RESULTS.md, issue 14 session 12). Copies streamed
//! from memory keep the AVX2 loop (see [`avx512_for`]).
//!
//! [`avx2`] (with its switch [`set_avx2_off`]) also picks the AVX2
//! build of the pulled dot product's per-unit sum (`response.rs`).

use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Set by [`set_avx2_off`]: forces the scalar loop in this process.
static AVX2_OFF: AtomicBool = AtomicBool::new(false);

/// Makes [`avx2`] answer false in this process (`true`), or whether the
/// CPU has AVX2 again (`false`, the default): the same bits either way,
/// for measuring one path against the other.
pub fn set_avx2_off(off: bool) {
    AVX2_OFF.store(off, Ordering::Relaxed);
}

/// Whether the AVX2 loop runs: this CPU has AVX2 and [`set_avx2_off`] has
/// not turned it off. Callers ask once per response and pass the answer
/// to [`add_run`].
pub fn avx2() -> bool {
    if AVX2_OFF.load(Ordering::Relaxed) {
        return false;
    }
    avx2_detected()
}

/// Set by [`set_avx512_off`]: the AVX2 run loop even where the CPU has
/// AVX-512.
static AVX512_OFF: AtomicBool = AtomicBool::new(false);

/// Makes [`add_runs`] use the AVX2 loop even where the CPU has AVX-512
/// (`true`), or the AVX-512 one there again (`false`, the default): the
/// same bits either way, for measuring one against the other.
pub fn set_avx512_off(off: bool) {
    AVX512_OFF.store(off, Ordering::Relaxed);
}

/// Per-source copies of more bytes than this run [`add_runs`]'s AVX2 loop
/// even where the CPU has AVX-512: streamed from memory (GCAL's lateral
/// inhibitory copy at cortex_density 142, 267 MB, with its prefetch)
/// the AVX-512 loop was slower, 1.45 against 1.21 ms per call on one
/// thread and 0.79 against 0.62 on two, while the 61 MB excitatory copy
/// there gained (0.275 against 0.326 ms) as the copies inside the L3 do
/// (benches/RESULTS.md, issue 14 session 12).
const AVX512_MAX_BYTES: usize = 128 << 20;

/// Whether [`add_runs`] should take its AVX-512 loop for a per-source
/// copy of `bytes`: up to 128 MB, where it was measured faster (why not
/// above, in the module's source): the callers' answer for its `avx512`
/// argument.
pub fn avx512_for(bytes: usize) -> bool {
    bytes <= AVX512_MAX_BYTES && avx512_on()
}

/// Whether the AVX-512 loop may run: the CPU has AVX-512 F and VL and
/// [`set_avx512_off`] has not turned it off.
fn avx512_on() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        !AVX512_OFF.load(Ordering::Relaxed)
            && std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512vl")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Whether this CPU has AVX2 (std caches the CPUID answer).
fn avx2_detected() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// `acc[i] += f64(w[i]) * x` for every `i` of the shorter slice, with the
/// AVX2 loop if `avx2` (and the CPU has it: a `true` on a CPU without AVX2
/// runs the scalar loop; one with AVX-512 runs that loop unless
/// [`set_avx512_off`]), else the scalar one; the same bits either way
/// (see the module docs).
#[inline(always)]
pub fn add_run(avx2: bool, acc: &mut [f64], w: &[f32], x: f64) {
    #[cfg(target_arch = "x86_64")]
    if avx2 && avx2_detected() {
        if avx512_on() {
            // SAFETY: the CPU has AVX-512 F and VL (checked just above).
            unsafe { add_run_avx512(acc, w, x) };
            return;
        }
        // SAFETY: the CPU has AVX2 (checked just above).
        unsafe { add_run_avx2(acc, w, x) };
        return;
    }
    let _ = avx2;
    add_run_scalar(acc, w, x);
}

/// [`add_run`] for each run `(first, len, w)` of `runs`: the `len`
/// accumulators from `acc[first]` with the weights from `weights[w]`,
/// with the AVX-512 loop if `avx512` too (and the CPU has it; see
/// [`avx512_for`]). The CPU is asked once, and the chosen loop is inlined
/// into one function of its instruction set over all the runs (short
/// runs pay no call per run). After each run a few cache lines of
/// `prefetch` (the weights of the next source the caller will add, or an
/// empty range) are asked for (four lines per run; why, in the module's
/// source).
#[inline(always)]
pub fn add_runs<I: Iterator<Item = (usize, usize, usize)>>(
    avx2: bool,
    avx512: bool,
    acc: &mut [f64],
    weights: &[f32],
    x: f64,
    runs: I,
    prefetch: Range<usize>,
) {
    #[cfg(target_arch = "x86_64")]
    if avx2 && avx2_detected() {
        if avx512 && avx512_on() {
            // SAFETY: the CPU has AVX-512 F and VL (checked just above).
            unsafe { add_runs_avx512(acc, weights, x, runs, prefetch) };
            return;
        }
        // SAFETY: the CPU has AVX2 (checked just above).
        unsafe { add_runs_avx2(acc, weights, x, runs, prefetch) };
        return;
    }
    let _ = avx2;
    each_run(acc, weights, runs, prefetch, |a, w| add_run_scalar(a, w, x));
}

/// Calls `add(accumulators, weights)` for each run and steps the
/// prefetch of `prefetch` after it: the loop of [`add_runs`], inlined
/// into each instruction set's function.
#[inline(always)]
fn each_run<I: Iterator<Item = (usize, usize, usize)>>(
    acc: &mut [f64],
    weights: &[f32],
    runs: I,
    prefetch: Range<usize>,
    mut add: impl FnMut(&mut [f64], &[f32]),
) {
    let mut ahead = prefetcher(weights, prefetch);
    for (u, len, w) in runs {
        add(&mut acc[u..u + len], &weights[w..w + len]);
        ahead.step(PREFETCH_LINES_PER_RUN);
    }
}

/// [`add_runs`] with AVX2.
///
/// # Safety
/// The CPU must support AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn add_runs_avx2<I: Iterator<Item = (usize, usize, usize)>>(
    acc: &mut [f64],
    weights: &[f32],
    x: f64,
    runs: I,
    prefetch: Range<usize>,
) {
    // SAFETY (the closure's): the caller's AVX2 guarantee.
    each_run(acc, weights, runs, prefetch, |a, w| unsafe {
        add_run_avx2(a, w, x)
    });
}

/// [`add_runs`] with AVX-512 F and VL: eight targets per instruction,
/// and the last `len mod 8` of a run by one masked instruction instead of
/// the AVX2 loop's four-wide step and scalar tail (GCAL's runs are short:
/// 1-23 targets at cortex_density 48).
///
/// # Safety
/// The CPU must support AVX-512 F and VL.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512vl")]
unsafe fn add_runs_avx512<I: Iterator<Item = (usize, usize, usize)>>(
    acc: &mut [f64],
    weights: &[f32],
    x: f64,
    runs: I,
    prefetch: Range<usize>,
) {
    // SAFETY (the closure's): the caller's AVX-512 guarantee.
    each_run(acc, weights, runs, prefetch, |a, w| unsafe {
        add_run_avx512(a, w, x)
    });
}

/// Cache lines of the next source's weights asked for after each run.
/// A source's weights are contiguous, but the next non-zero source of a
/// task is usually elsewhere: the hardware prefetchers, which follow a
/// stream inside a page, wait for the first misses of every source.
/// Asking for the next source's lines while this one is added hides
/// that: GCAL's lateral inhibitory push at cortex_density 142 (runs of
/// ~52 targets, ~65 runs and ~200 lines per source) went from 3.4 to
/// 2.3-2.5 ms on one thread and from 1.7 to 1.1-1.2 ms on two; 2 lines
/// were slower, 6 no faster, 8 and 16 slower again (too many requests
/// in flight); cortex_density 48, whose weights sit in L3, did not
/// change (benches/RESULTS.md, issue 14 session 9).
const PREFETCH_LINES_PER_RUN: usize = 4;

/// Weight copies of at most this many bytes (default: the 32 MB L3 of
/// this machine kind) are not prefetched (`set_prefetch_min_bytes`).
static PREFETCH_MIN: AtomicUsize = AtomicUsize::new(32 << 20);

/// Whether weights of `bytes` are prefetched: only above the L3, from
/// which a missing line comes fast enough that the prefetch's own
/// instructions cost more (cortex_density 48: the run loop ~2 % slower
/// with it, real runs 5-10 %; benches/RESULTS.md, issue 14 session 9).
pub fn prefetches(bytes: usize) -> bool {
    bytes > PREFETCH_MIN.load(Ordering::Relaxed)
}

/// Sets the size above which weights are prefetched (32 MB by default):
/// the same bits at any value; for the tests, which set 0 to run the
/// prefetching paths on small models.
pub fn set_prefetch_min_bytes(bytes: usize) {
    PREFETCH_MIN.store(bytes, Ordering::Relaxed);
}

/// f32 weights per cache line.
const LINE_WEIGHTS: usize = 16;

/// Set by [`set_prefetch_off`]: no prefetching in [`add_runs`].
static PREFETCH_OFF: AtomicBool = AtomicBool::new(false);

/// Makes the push prefetch nothing in this process (`true`), or the next
/// source's weights in [`add_runs`] and the runs of the source after
/// (`false`, the default): the same bits either way (a prefetch reads
/// nothing into a register), for measuring one against the other.
pub fn set_prefetch_off(off: bool) {
    PREFETCH_OFF.store(off, Ordering::Relaxed);
}

/// Whether [`set_prefetch_off`] left the push's prefetching on.
pub(crate) fn prefetch_on() -> bool {
    !PREFETCH_OFF.load(Ordering::Relaxed)
}

/// Walks `len` f32 from `base` a few cache lines per step, asking the CPU
/// to bring them into L1 (the push's next source here; the learning
/// kernel's next CF in `learn_simd`). Addresses only: a prefetch is a
/// hint that reads nothing into a register and never faults.
pub(crate) struct LineWalker {
    base: *const f32,
    next: usize,
    len: usize,
}

impl LineWalker {
    /// Over nothing.
    pub(crate) const NONE: LineWalker = LineWalker {
        base: std::ptr::null(),
        next: 0,
        len: 0,
    };

    /// Over the `len` f32 from `base`.
    #[inline(always)]
    pub(crate) fn new(base: *const f32, len: usize) -> Self {
        LineWalker { base, next: 0, len }
    }

    /// Asks for the next `lines` cache lines, while any are left.
    #[inline(always)]
    pub(crate) fn step(&mut self, lines: usize) {
        for _ in 0..lines {
            if self.next >= self.len {
                return;
            }
            // `wrapping_add` makes the address without claiming it valid.
            prefetch_byte(self.base.wrapping_add(self.next).cast());
            self.next += LINE_WEIGHTS;
        }
    }
}

/// Asks for the cache lines of `v` (into L1): addresses only, see
/// [`LineWalker`].
#[inline(always)]
pub(crate) fn prefetch_lines<T>(v: &[T]) {
    let bytes = std::mem::size_of_val(v);
    let p = v.as_ptr().cast::<u8>();
    let mut off = 0;
    while off < bytes {
        prefetch_byte(p.wrapping_add(off));
        off += LINE_BYTES;
    }
    if bytes > 0 {
        // The line of the last byte (`v` need not start on a line).
        prefetch_byte(p.wrapping_add(bytes - 1));
    }
}

/// Asks for the cache line holding `p` (into L1).
#[inline(always)]
fn prefetch_byte(p: *const u8) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint that never faults and changes no
    // memory, whatever the address (SSE, baseline x86-64).
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        _mm_prefetch::<_MM_HINT_T0>(p.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// Bytes per cache line.
const LINE_BYTES: usize = 64;

/// The walker [`add_runs`] steps after each run: `range` of `weights`
/// (clamped to it), or nothing if [`set_prefetch_off`] said so.
#[inline(always)]
fn prefetcher(weights: &[f32], range: Range<usize>) -> LineWalker {
    let end = range.end.min(weights.len());
    if PREFETCH_OFF.load(Ordering::Relaxed) || range.start >= end {
        return LineWalker::NONE;
    }
    LineWalker::new(
        weights.as_ptr().wrapping_add(range.start),
        end - range.start,
    )
}

/// The scalar loop (the fallback, and the tails of the AVX2 one).
#[inline(always)]
fn add_run_scalar(acc: &mut [f64], w: &[f32], x: f64) {
    for (a, wv) in acc.iter_mut().zip(w) {
        *a += f64::from(*wv) * x;
    }
}

/// [`add_run_scalar`] four (then eight per iteration) elements at a time
/// with AVX2: widen, multiply, add, each element once.
///
/// # Safety
/// The CPU must support AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn add_run_avx2(acc: &mut [f64], w: &[f32], x: f64) {
    use std::arch::x86_64::{
        _mm256_add_pd, _mm256_cvtps_pd, _mm256_loadu_pd, _mm256_mul_pd, _mm256_set1_pd,
        _mm256_storeu_pd, _mm_loadu_ps,
    };
    let n = acc.len().min(w.len());
    let xv = _mm256_set1_pd(x);
    let (pa, pw) = (acc.as_mut_ptr(), w.as_ptr());
    let mut i = 0;
    // SAFETY (all loads and stores): `i + 8 <= n` or `i + 4 <= n`, and
    // both slices hold at least `n` elements; unaligned access is allowed.
    while i + 8 <= n {
        unsafe {
            let p0 = _mm256_mul_pd(_mm256_cvtps_pd(_mm_loadu_ps(pw.add(i))), xv);
            let p1 = _mm256_mul_pd(_mm256_cvtps_pd(_mm_loadu_ps(pw.add(i + 4))), xv);
            let a0 = _mm256_add_pd(_mm256_loadu_pd(pa.add(i)), p0);
            let a1 = _mm256_add_pd(_mm256_loadu_pd(pa.add(i + 4)), p1);
            _mm256_storeu_pd(pa.add(i), a0);
            _mm256_storeu_pd(pa.add(i + 4), a1);
        }
        i += 8;
    }
    if i + 4 <= n {
        unsafe {
            let p = _mm256_mul_pd(_mm256_cvtps_pd(_mm_loadu_ps(pw.add(i))), xv);
            _mm256_storeu_pd(pa.add(i), _mm256_add_pd(_mm256_loadu_pd(pa.add(i)), p));
        }
        i += 4;
    }
    add_run_scalar(&mut acc[i..n], &w[i..n], x);
}

/// [`add_run_scalar`] eight elements per instruction with AVX-512 F and VL, the
/// last `n mod 8` under a mask: widen, multiply, add, each element once.
/// Elements outside the mask are neither loaded (a masked load reads,
/// and may fault on, only its selected elements) nor stored; the
/// products computed in those lanes are of zeros and thrown away, so
/// every stored element went through exactly the scalar loop's two
/// roundings.
///
/// # Safety
/// The CPU must support AVX-512 F and VL.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512vl")]
#[inline]
unsafe fn add_run_avx512(acc: &mut [f64], w: &[f32], x: f64) {
    use std::arch::x86_64::{
        _mm256_loadu_ps, _mm256_maskz_loadu_ps, _mm512_add_pd, _mm512_cvtps_pd, _mm512_loadu_pd,
        _mm512_mask_storeu_pd, _mm512_maskz_loadu_pd, _mm512_mul_pd, _mm512_set1_pd,
        _mm512_storeu_pd,
    };
    let n = acc.len().min(w.len());
    let xv = _mm512_set1_pd(x);
    let (pa, pw) = (acc.as_mut_ptr(), w.as_ptr());
    let mut i = 0;
    // SAFETY (all loads and stores): `i + 8 <= n`, or the mask selects
    // only the elements below `n`; both slices hold at least `n`
    // elements; unaligned access is allowed.
    while i + 8 <= n {
        unsafe {
            let p = _mm512_mul_pd(_mm512_cvtps_pd(_mm256_loadu_ps(pw.add(i))), xv);
            _mm512_storeu_pd(pa.add(i), _mm512_add_pd(_mm512_loadu_pd(pa.add(i)), p));
        }
        i += 8;
    }
    if i < n {
        let m = (1u8 << (n - i)) - 1;
        unsafe {
            let p = _mm512_mul_pd(_mm512_cvtps_pd(_mm256_maskz_loadu_ps(m, pw.add(i))), xv);
            let a = _mm512_add_pd(_mm512_maskz_loadu_pd(m, pa.add(i)), p);
            _mm512_mask_storeu_pd(pa.add(i), m, a);
        }
    }
}
