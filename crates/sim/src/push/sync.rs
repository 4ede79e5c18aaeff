//! Syncing the per-source copy after learning by bands of sources.
//!
//! A CF row of a unit holds consecutive sources, whose copies lie a whole
//! run apart (~13 KB in GCAL's lateral inhibitory projection at
//! cortex_density 142): copying an active unit's CF in unit order touches
//! a new cache line and page per entry, and the lines of one unit row's
//! CFs do not stay in cache until the next unit row writes beside them.
//! Here the source rows are cut into bands whose copies are contiguous and
//! small enough to stay in cache ([`BAND_BYTES`]); each band takes from
//! every active unit only its CF rows inside the band (contiguous reads),
//! so each line of the copy is fetched from memory once per sync. Bands own
//! disjoint slices of the copy and run in parallel. Every copied entry is
//! written exactly once, by the band of its source, with the same value
//! as in unit order: the result does not depend on the bands or threads.
//! Each band's pieces of CF rows are scattered in the per-target arrays
//! and each entry goes to its own line of the copy, so the band asks
//! for both a piece ahead (software prefetch, see `copy_segments`).

use super::{PushLayout, DROPPED};
use crate::cf::ConnectionFields;
use std::sync::atomic::{AtomicBool, Ordering};

/// Bytes of per-source weights per band: whole source rows (at least
/// one: 1.9 MB in GCAL's lateral inhibitory projection at cortex_density
/// 142), so that every active unit whose CF reaches a band has whole CF
/// rows in it (bands of 128 KB cutting rows scanned units with nothing in
/// them and were 3x slower than 512 KB ones); 4 MB, two rows there, so a
/// band per thread stays well inside the 32 MB L3 (at 142 on 2 threads,
/// 4 MB bands took 11.5 ms and 1 MB ones 13.0; benches/RESULTS.md,
/// session 7).
pub(super) const BAND_BYTES: usize = 4 << 20;

/// The band boundaries of a layout whose sources are rows of `ncols`:
/// `(sources, weights)`, each with one entry per band plus the end. A band
/// starts at the first row whose copy begins `bytes` ([`BAND_BYTES`]
/// unless a test or bench says) or more after the previous band's start.
pub(super) fn make_bands(
    run_off: &[u32],
    ncols: usize,
    first_w: impl Fn(usize) -> u32,
    total: u32,
    bytes: usize,
) -> (Vec<u32>, Vec<u32>) {
    let nsrc = run_off.len() - 1;
    let words = (bytes / 4).clamp(1, u32::MAX as usize) as u32;
    // Where each source's copy starts (a source without runs starts where
    // the next one does).
    let mut start = vec![total; nsrc + 1];
    for s in (0..nsrc).rev() {
        start[s] = if run_off[s] < run_off[s + 1] {
            first_w(run_off[s] as usize)
        } else {
            start[s + 1]
        };
    }
    let (mut src, mut w) = (vec![0u32], vec![start[0]]);
    for s in (ncols.max(1)..nsrc).step_by(ncols.max(1)) {
        if start[s] - w[w.len() - 1] >= words {
            src.push(s as u32);
            w.push(start[s]);
        }
    }
    src.push(nsrc as u32);
    w.push(total);
    (src, w)
}

/// Bytes of per-source copy above which the banded sync prefetches: the
/// L3 of this machine kind (32 MB). Below, the copy's lines come from L3
/// and the prefetches only cost: at cortex_density 142 V1's LGN afferent
/// copy (14 MB) synced in 0.86 ms of CPU with them against 0.66 without,
/// while the lateral excitatory (61 MB) went from 5.0 to 4.6 ms and the
/// inhibitory (267 MB) from 26.5 to 19.0 (benches/RESULTS.md, issue 14
/// session 9).
pub(super) const PREFETCH_MIN_BYTES: usize = 32 << 20;

/// What every band reads.
struct Ctx<'a> {
    cfs: &'a ConnectionFields,
    addr: &'a [u32],
    band_src: &'a [u32],
    band_w: &'a [u32],
    /// Active units as `[r1, unit, r2]` (their CF's rows), sorted.
    list: &'a [[u32; 3]],
    /// The most rows of an active unit's CF.
    rows_max: u32,
    /// Whether to prefetch (see [`copy_segments`]).
    prefetch: bool,
}

impl PushLayout {
    /// Cuts the source rows into bands of about `bytes` of copy each (at
    /// least one row) for the sync; the default is 4 MB. Changes no
    /// result: for the tests (many bands) and the bench.
    pub fn set_sync_band_bytes(&mut self, bytes: usize) {
        let runs = &self.runs;
        (self.band_src, self.band_w) = make_bands(
            &self.run_off,
            self.needed.cols(),
            |r| runs[r].w,
            self.weights.len() as u32,
            bytes,
        );
    }

    /// Makes the banded sync prefetch when the copy holds more than
    /// `bytes` (the default is 32 MB, see the `sync` module). Changes no
    /// result: for the tests (which force the prefetch on small layouts).
    pub fn set_sync_prefetch_min_bytes(&mut self, bytes: usize) {
        self.sync_prefetch_min = bytes;
    }

    /// Copies the CFs of the units with `active[u] != 0` (those learning
    /// and active-unit normalisation may have changed) into the per-source
    /// copy. Returns false, leaving the copy stale, if a dropped entry is
    /// no longer zero: the caller must then stop using the layout.
    ///
    /// By bands in parallel ([`PushLayout::sync_units_banded`]) when the
    /// pool has more than one thread and the copy more than one band,
    /// else in unit order ([`PushLayout::sync_units_unit_order`]); the
    /// same bits either way. On the idle machine the bands on two threads
    /// took 12.7 ms against 23.3 in unit order (GCAL's lateral inhibitory
    /// projection at cortex_density 142, 2628 active units; whole
    /// iteration 50.4 against 61.7 ms wall), while on one thread, or with
    /// one band (the copy in L3, cortex_density 48), unit order is the
    /// cheaper (benches/RESULTS.md, issue 14 sessions 7 and 8). Since the
    /// banded sync prefetches (session 9) it takes ~19-20 ms of CPU there
    /// on two threads against ~26-28 before; on one thread it beat unit
    /// order on the inhibitory projection (~19 against 20-24 ms, loaded
    /// machine) but not on the excitatory one (~4.0 against ~3.4 ms), so
    /// one thread stays in unit order.
    pub fn sync_units(&mut self, cfs: &ConnectionFields, active: &[f64]) -> bool {
        if rayon::current_num_threads() > 1 && self.band_src.len() > 2 {
            self.sync_units_banded(cfs, active)
        } else {
            self.sync_units_unit_order(cfs, active)
        }
    }

    /// [`PushLayout::sync_units`] by bands of source rows (see the
    /// `sync` module of [`crate::push`]), in parallel on the current rayon
    /// pool; the same result as [`PushLayout::sync_units_unit_order`]
    /// whatever the bands and the number of threads. Allocates only when
    /// the active list outgrows its capacity (at most once per layout).
    pub fn sync_units_banded(&mut self, cfs: &ConnectionFields, active: &[f64]) -> bool {
        let mut list = std::mem::take(&mut self.sync_list);
        list.clear();
        let mut rows_max = 0;
        for (u, &y) in active.iter().enumerate() {
            if y != 0.0 {
                let [r1, r2, _, _] = cfs.slices[u];
                list.push([r1 as u32, u as u32, r2 as u32]);
                rows_max = rows_max.max((r2 - r1) as u32);
            }
        }
        // In place, and near free when units come in row order already.
        list.sort_unstable();
        let ok = list.is_empty() || {
            let ctx = Ctx {
                cfs,
                addr: &self.addr,
                band_src: &self.band_src,
                band_w: &self.band_w,
                list: &list,
                rows_max,
                prefetch: prefetch_on() && self.weights.len() * 4 > self.sync_prefetch_min,
            };
            let nbands = self.band_src.len() - 1;
            sync_bands(&ctx, &mut self.weights, 0, nbands)
        };
        self.sync_list = list;
        ok
    }
}

/// Bands `b0..b1`, whose copies are `weights`: halved over the pool while
/// more than one band and more than one thread.
fn sync_bands(ctx: &Ctx, weights: &mut [f32], b0: usize, b1: usize) -> bool {
    if b1 - b0 > 1 && rayon::current_num_threads() > 1 {
        let mid = (b0 + b1) / 2;
        let (lo, hi) = weights.split_at_mut((ctx.band_w[mid] - ctx.band_w[b0]) as usize);
        let (a, b) = rayon::join(
            || sync_bands(ctx, lo, b0, mid),
            || sync_bands(ctx, hi, mid, b1),
        );
        return a && b;
    }
    let mut rest = weights;
    for b in b0..b1 {
        let (w, r) = rest.split_at_mut((ctx.band_w[b + 1] - ctx.band_w[b]) as usize);
        if !sync_band(ctx, w, b) {
            return false;
        }
        rest = r;
    }
    true
}

/// Band `b`, whose copy is `weights`: every active unit's entries whose
/// source lies in the band.
fn sync_band(ctx: &Ctx, weights: &mut [f32], b: usize) -> bool {
    let cfs = ctx.cfs;
    let needed = cfs.needed;
    let ncols = needed.cols();
    let (s0, s1) = (ctx.band_src[b] as usize, ctx.band_src[b + 1] as usize);
    if s0 >= s1 {
        // No sources at all (an empty `needed` block).
        return true;
    }
    let base = ctx.band_w[b];
    // The band's rows, absolute, inclusive.
    let (ra, rb) = (needed.r0 + s0 / ncols, needed.r0 + (s1 - 1) / ncols);
    // Units reaching row `ra` start after `ra - rows_max`.
    let lo = (ra + 1).saturating_sub(ctx.rows_max as usize) as u32;
    let i0 = ctx.list.partition_point(|e| e[0] < lo);
    let i1 = ctx.list.partition_point(|e| e[0] as usize <= rb);
    let segments = ctx.list[i0..i1].iter().flat_map(|&[r1, u, r2]| {
        let (r1, u, r2) = (r1 as usize, u as usize, r2 as usize);
        let [_, _, c1, c2] = cfs.slices[u];
        let w = c2 - c1;
        (r1.max(ra)..r2.min(rb + 1)).filter_map(move |r| {
            // Sources of this CF row: row_s..row_s + w.
            let row_s = (r - needed.r0) * ncols + c1 - needed.c0;
            let (a, e) = (row_s.max(s0), (row_s + w).min(s1));
            (a < e).then(|| (cfs.offsets[u] + (r - r1) * w + (a - row_s), e - a))
        })
    });
    copy_segments(
        ctx.addr,
        &cfs.weights,
        weights,
        base,
        segments,
        ctx.prefetch,
    )
}

/// Set by [`set_sync_prefetch_off`].
static PREFETCH_OFF: AtomicBool = AtomicBool::new(false);

/// Makes [`PushLayout::sync_units_banded`] prefetch nothing in this
/// process (`true`), or prefetch a CF row segment ahead when the copy
/// exceeds the L3 (`false`, the default): the same bits either way (a
/// prefetch changes no memory), for measuring one against the other. The sync in unit
/// order does not prefetch: its reads are one stream per unit, and
/// asking for its destinations a CF row ahead measured no faster
/// (benches/RESULTS.md, issue 14 session 9).
pub fn set_sync_prefetch_off(off: bool) {
    PREFETCH_OFF.store(off, Ordering::Relaxed);
}

/// Whether the banded sync prefetches (see [`set_sync_prefetch_off`]).
fn prefetch_on() -> bool {
    !PREFETCH_OFF.load(Ordering::Relaxed)
}

/// f32 (or u32) values per cache line.
const LINE: usize = 16;

/// Copies the CF entries `k..k + n` of each segment `(k, n)` (a piece of
/// one CF row: contiguous in `addr` and `src`) to `dst[addr[k] - base]`
/// (the order of the writes changes no result: each destination has
/// one entry); false at the first dropped entry that is not zero. With
/// `prefetch` (see [`PREFETCH_MIN_BYTES`] and [`set_sync_prefetch_off`]),
/// while copying a segment it asks
/// for the destination lines of the next segment (whose addresses were
/// asked for one segment before) and for the addresses and values of the
/// segment after: a CF row's entries go to as many sources, each in its
/// own line of the copy, and rows of successive segments lie apart, so
/// neither stream is one the hardware prefetchers follow. At
/// cortex_density 142 (GCAL's lateral inhibitory projection, segments of
/// up to ~57 entries, two source rows per band) that took the banded
/// sync from ~25 to ~18.5 ms of CPU on one thread; prefetching the
/// sources 2, 3 or 5 segments ahead was no faster (benches/RESULTS.md,
/// issue 14 session 9).
fn copy_segments(
    addr: &[u32],
    src: &[f32],
    dst: &mut [f32],
    base: u32,
    mut segments: impl Iterator<Item = (usize, usize)>,
    prefetch: bool,
) -> bool {
    if !prefetch {
        for (k, n) in segments {
            if !copy(&addr[k..k + n], &src[k..k + n], dst, base) {
                return false;
            }
        }
        return true;
    }
    let mut cur = segments.next();
    let mut next = segments.next();
    if let Some((k, n)) = next {
        prefetch_lines(&addr[k..k + n]);
        prefetch_lines(&src[k..k + n]);
    }
    while let Some((k, n)) = cur {
        let after = segments.next();
        if let Some((k2, n2)) = after {
            prefetch_lines(&addr[k2..k2 + n2]);
            prefetch_lines(&src[k2..k2 + n2]);
        }
        let (addr_k, src_k) = (&addr[k..k + n], &src[k..k + n]);
        let ahead = next.map_or(&[][..], |(k1, n1)| &addr[k1..k1 + n1]);
        // Entry j of this segment, and the destination of entry j of
        // the next one.
        let m = n.min(ahead.len());
        for ((&a, &v), &a1) in addr_k[..m].iter().zip(&src_k[..m]).zip(&ahead[..m]) {
            prefetch_dst(dst, a1.wrapping_sub(base));
            if a == DROPPED {
                if v != 0.0 {
                    return false;
                }
            } else {
                dst[(a - base) as usize] = v;
            }
        }
        if !copy(&addr_k[m..], &src_k[m..], dst, base) {
            return false;
        }
        for &a in &ahead[m..] {
            prefetch_dst(dst, a.wrapping_sub(base));
        }
        cur = next;
        next = after;
    }
    true
}

/// `dst[a - base] = v` for each address `a` and value `v`, false at the
/// first dropped entry (address [`DROPPED`]) that is not zero.
#[inline(always)]
fn copy(addr: &[u32], src: &[f32], dst: &mut [f32], base: u32) -> bool {
    for (&a, &v) in addr.iter().zip(src) {
        if a == DROPPED {
            if v != 0.0 {
                return false;
            }
        } else {
            dst[(a - base) as usize] = v;
        }
    }
    true
}

/// Asks for the cache lines of `v` (into L1).
#[inline(always)]
fn prefetch_lines<T>(v: &[T]) {
    let bytes = std::mem::size_of_val(v);
    let p = v.as_ptr().cast::<u8>();
    let mut off = 0;
    while off < bytes {
        // SAFETY: `off < bytes`, inside `v`.
        prefetch_read(unsafe { p.add(off) });
        off += LINE * 4;
    }
    if bytes > 0 {
        // The line of the last byte (`v` need not start on a line).
        // SAFETY: inside `v`.
        prefetch_read(unsafe { p.add(bytes - 1) });
    }
}

/// Asks for the line of `dst[i]` to write (an index past the end, as a
/// dropped entry gives, asks for the last element's line instead).
#[inline(always)]
fn prefetch_dst(dst: &[f32], i: u32) {
    let i = (i as usize).min(dst.len().saturating_sub(1));
    #[cfg(target_arch = "x86_64")]
    // SAFETY: `i` is inside `dst` (or `dst` is empty and the pointer is
    // its dangling start, which a prefetch may name: it never faults
    // and changes no memory; SSE, part of baseline x86-64).
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_ET0};
        _mm_prefetch::<_MM_HINT_ET0>(dst.as_ptr().add(i).cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (dst, i);
}

/// Asks for the line at `p` to read.
#[inline(always)]
fn prefetch_read(p: *const u8) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch never faults and changes no memory (SSE, part
    // of baseline x86-64).
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        _mm_prefetch::<_MM_HINT_T0>(p.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}
