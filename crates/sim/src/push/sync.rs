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
//!
//! By default (issue 14 session 10) a band takes one piece per active
//! unit (all its CF rows inside the band, contiguous), copies it without
//! a branch or bounds check per entry (a dropped entry is written to a
//! scratch value whose bits are checked), and prefetches the line after
//! each written destination when the next unit follows this one (see
//! `copy_pieces_prefetch`): at cortex_density 142 that took GCAL's
//! lateral inhibitory sync from ~16 to ~11 ms of CPU on one or two
//! threads (benches/RESULTS.md, issue 14 session 10).

use super::{PushLayout, DROPPED};
use crate::cf::ConnectionFields;
use crate::push_simd::prefetch_lines;
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

/// The band boundaries of a layout whose sources are rows of `ncols`,
/// source `s`'s copy starting at `w_start[s]` (and the copy's end last):
/// `(sources, weights)`, each with one entry per band plus the end. A band
/// starts at the first row whose copy begins `bytes` ([`BAND_BYTES`]
/// unless a test or bench says) or more after the previous band's start.
pub(super) fn make_bands(w_start: &[u32], ncols: usize, bytes: usize) -> (Vec<u32>, Vec<u32>) {
    let nsrc = w_start.len() - 1;
    let words = (bytes / 4).clamp(1, u32::MAX as usize) as u32;
    let (mut src, mut w) = (vec![0u32], vec![w_start[0]]);
    for s in (ncols.max(1)..nsrc).step_by(ncols.max(1)) {
        if w_start[s] - w[w.len() - 1] >= words {
            src.push(s as u32);
            w.push(w_start[s]);
        }
    }
    src.push(nsrc as u32);
    w.push(w_start[nsrc]);
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

/// Bytes of per-source copy above which [`PushLayout::sync_units`] syncs
/// by bands: the L3 of this machine kind (32 MB), whose lines the bands
/// are made to reuse (see [`PushLayout::sync_units`]).
pub(super) const BANDS_MIN_BYTES: usize = 32 << 20;

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
        (self.band_src, self.band_w) = make_bands(&self.w_start, self.needed.cols(), bytes);
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
    /// By bands ([`PushLayout::sync_units_banded`], in parallel on the
    /// current pool) when the copy is larger than the 32 MB L3 and has
    /// more than one band, else in unit
    /// order ([`PushLayout::sync_units_unit_order`]); the same bits either
    /// way. Sessions 7-9 (Zen 4) used bands on more than one thread only.
    /// With the branch-free copy (session 10, Zen 5, idle) GCAL's lateral
    /// inhibitory copy at cortex_density 142 (267 MB) took 10.0 ms in
    /// bands on one thread against 15.2 in unit order, the excitatory one
    /// (61 MB) 2.3 against 2.5; copies inside the L3 are cheaper in unit
    /// order even against bands on two threads: V1's LGN afferent at 142
    /// (14 MB) 0.23 ms against 0.29, the inhibitory copy at 48 (~10 MB)
    /// 0.11 against 0.16 (benches/RESULTS.md, issue 14 session 10).
    pub fn sync_units(&mut self, cfs: &ConnectionFields, active: &[f64]) -> bool {
        if self.weights.len() * 4 > BANDS_MIN_BYTES && self.band_src.len() > 2 {
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
    if branch_free_on() {
        // Pieces of whole CF rows need bands of whole source rows (an
        // entry outside the band would go to the sink and, unless zero,
        // make the sync refuse).
        debug_assert!(s0 % ncols == 0 && (s1 % ncols == 0 || s1 == needed.len()));
        // Outside `Dst`, so that it can live in registers.
        let mut sink = 0.0f32;
        let dst = Dst::new(weights, base, &mut sink);
        let pieces = unit_pieces(ctx, ra, rb, i0, i1);
        let (addr, src) = (ctx.addr, &cfs.weights[..]);
        return if ctx.prefetch {
            copy_pieces_prefetch(addr, src, dst, pieces)
        } else {
            copy_pieces(addr, src, dst, pieces)
        };
    }
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

/// The entries of each active unit `ctx.list[i0..i1]` whose sources lie in
/// the band of source rows `ra..=rb` (absolute): `(k, n, follows)`, CF
/// entries `k..k + n`, where `follows` says the unit is the previous
/// piece's unit plus one with the same first CF row. A band is whole
/// source rows (see [`make_bands`]) and a CF row lies in one source row,
/// so a unit's CF rows inside the band are whole and consecutive in the
/// per-target arrays: one piece per unit (the segments of
/// [`copy_segments`] are its CF rows one by one, through a nested
/// iterator that cost ~3 % of a real run's CPU, issue 14 session 10).
fn unit_pieces<'a>(
    ctx: &'a Ctx,
    ra: usize,
    rb: usize,
    i0: usize,
    i1: usize,
) -> impl Iterator<Item = (usize, usize, bool)> + 'a {
    let cfs = ctx.cfs;
    let mut prev = (u32::MAX, u32::MAX);
    ctx.list[i0..i1].iter().filter_map(move |&[r1, u, r2]| {
        let follows = prev == (r1, u.wrapping_sub(1));
        prev = (r1, u);
        let (r1, u, r2) = (r1 as usize, u as usize, r2 as usize);
        let [_, _, c1, c2] = cfs.slices[u];
        let w = c2 - c1;
        let (lo, hi) = (r1.max(ra), r2.min(rb + 1));
        (lo < hi).then(|| (cfs.offsets[u] + (lo - r1) * w, (hi - lo) * w, follows))
    })
}

/// Set by [`set_sync_branch_free_off`].
static BRANCH_FREE_OFF: AtomicBool = AtomicBool::new(false);

/// Makes [`PushLayout::sync_units_banded`] copy as before issue 14
/// session 10 (`true`: CF row by CF row, a compare and branch per entry
/// for dropped entries and a bounds-checked store, the next segment's
/// destinations prefetched entry by entry), or (`false`, the default)
/// one piece per unit and band, branch-free (dropped entries written to
/// a scratch value whose bits are checked), and prefetching the line
/// after each written destination when the next piece's unit follows the
/// current one (see the `sync` module of [`crate::push`]).
/// The same bits either way (each destination has one entry; the order
/// of the writes and prefetches changes no value), for measuring one
/// against the other.
pub fn set_sync_branch_free_off(off: bool) {
    BRANCH_FREE_OFF.store(off, Ordering::Relaxed);
}

/// Whether the banded sync copies branch-free (see
/// [`set_sync_branch_free_off`]).
fn branch_free_on() -> bool {
    !BRANCH_FREE_OFF.load(Ordering::Relaxed)
}

/// A band's copy as a raw pointer, for a store without a bounds check
/// or a branch per entry: an entry whose destination lies outside the
/// band (a dropped one: [`DROPPED`] minus `base` exceeds any band, as
/// the copy holds fewer than [`DROPPED`] weights) is written to `sink`.
struct Dst<'a> {
    /// `weights[0]`.
    d: *mut f32,
    len: usize,
    /// Where in the whole copy `weights` starts.
    base: u32,
    /// A scratch `f32` outside `weights`, borrowed mutably for `'a`.
    sink: *mut f32,
    /// The bits, sign aside, of every value written to `sink` or-ed:
    /// non-zero if a dropped entry is not ±0 (or NaN, as `v != 0.0`).
    bad: u32,
    _weights: std::marker::PhantomData<&'a mut [f32]>,
}

impl<'a> Dst<'a> {
    fn new(weights: &'a mut [f32], base: u32, sink: &'a mut f32) -> Dst<'a> {
        Dst {
            d: weights.as_mut_ptr(),
            len: weights.len(),
            base,
            sink,
            bad: 0,
            _weights: std::marker::PhantomData,
        }
    }

    /// Where entry address `a` goes: its weight in the band, or `sink`.
    #[inline(always)]
    fn slot(&mut self, a: u32) -> *mut f32 {
        let i = a.wrapping_sub(self.base) as usize;
        if i < self.len {
            self.d.wrapping_add(i)
        } else {
            self.sink
        }
    }

    /// Writes `v` where address `a` says (see [`Dst::slot`]), recording a
    /// non-zero value sent to the sink; returns the slot written. Compiles
    /// to a select: a compare and branch per entry (~15 % of the entries
    /// dropped, at the ends of CF rows, so ~2 mispredictions per row)
    /// and a bounds-checked store made the copy ~30 % slower
    /// (benches/RESULTS.md, issue 14 session 10).
    #[inline(always)]
    fn put(&mut self, a: u32, v: f32) -> *mut f32 {
        let i = a.wrapping_sub(self.base) as usize;
        let inside = i < self.len;
        self.bad |= v.to_bits() & 0x7fff_ffff & (inside as u32).wrapping_sub(1);
        let p = if inside {
            self.d.wrapping_add(i)
        } else {
            self.sink
        };
        // SAFETY: `p` is `weights[i]` with `i < weights.len()`, or `sink`,
        // both borrowed mutably for `'a` and written through `d` and
        // `sink` only.
        unsafe { p.write(v) };
        p
    }

    /// Whether no dropped entry written was non-zero.
    fn ok(&self) -> bool {
        self.bad == 0
    }
}

/// Copies the entries `k..k + n` of each piece (see [`unit_pieces`]) to
/// `dst`, false if a dropped one is not zero: the copy of a band in L3.
fn copy_pieces(
    addr: &[u32],
    src: &[f32],
    mut dst: Dst,
    pieces: impl Iterator<Item = (usize, usize, bool)>,
) -> bool {
    for (k, n, _) in pieces {
        for (&a, &v) in addr[k..k + n].iter().zip(&src[k..k + n]) {
            dst.put(a, v);
        }
    }
    dst.ok()
}

/// [`copy_pieces`] with software prefetch, for copies above the L3. The
/// addresses and values of the piece after next are asked for while
/// copying a piece (as in [`copy_segments`]). For the destinations: a
/// source's consecutive targets are consecutive in its copy, so when the
/// next piece's unit follows the current one, its entries go mostly to
/// the lines this piece writes, each one slot further; the line after
/// each written one (16 slots on) is asked for instead, which is where
/// the following units cross into new lines, ahead by as many units as
/// the slot is from the line's end. Otherwise (a new unit row, or a gap)
/// the next piece's destinations are asked for entry by entry. At
/// cortex_density 142 (GCAL's lateral inhibitory projection, one thread)
/// the line after took the copy from ~11.5 to ~10.2 ms of CPU; asking
/// for the next slot (+1) 11.2, +4 10.8, +8 10.5, +32 11.4; no prefetch
/// in following pieces 13.8 (benches/RESULTS.md, issue 14 session 10).
fn copy_pieces_prefetch(
    addr: &[u32],
    src: &[f32],
    mut dst: Dst,
    mut pieces: impl Iterator<Item = (usize, usize, bool)>,
) -> bool {
    let mut cur = pieces.next();
    let mut next = pieces.next();
    if let Some((k, n, _)) = next {
        prefetch_lines(&addr[k..k + n]);
        prefetch_lines(&src[k..k + n]);
    }
    while let Some((k, n, _)) = cur {
        let after = pieces.next();
        if let Some((k2, n2, _)) = after {
            prefetch_lines(&addr[k2..k2 + n2]);
            prefetch_lines(&src[k2..k2 + n2]);
        }
        let (addr_k, src_k) = (&addr[k..k + n], &src[k..k + n]);
        match next {
            Some((_, _, true)) => {
                for (&a, &v) in addr_k.iter().zip(src_k) {
                    let p = dst.put(a, v);
                    prefetch_write(p.wrapping_add(LINE));
                }
            }
            _ => {
                let ahead = next.map_or(&[][..], |(k1, n1, _)| &addr[k1..k1 + n1]);
                let m = n.min(ahead.len());
                for ((&a, &v), &a1) in addr_k[..m].iter().zip(&src_k[..m]).zip(&ahead[..m]) {
                    prefetch_write(dst.slot(a1));
                    dst.put(a, v);
                }
                for (&a, &v) in addr_k[m..].iter().zip(&src_k[m..]) {
                    dst.put(a, v);
                }
                for &a1 in &ahead[m..] {
                    prefetch_write(dst.slot(a1));
                }
            }
        }
        cur = next;
        next = after;
    }
    dst.ok()
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

/// Asks for the line of `dst[i]` to write (an index past the end, as a
/// dropped entry gives, asks for the last element's line instead).
#[inline(always)]
fn prefetch_dst(dst: &[f32], i: u32) {
    let i = (i as usize).min(dst.len().saturating_sub(1));
    prefetch_write(dst.as_ptr().wrapping_add(i));
}

/// Asks for the line at `p` to write (any address: a prefetch never
/// faults).
#[inline(always)]
fn prefetch_write(p: *const f32) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch never faults and changes no memory (SSE, part
    // of baseline x86-64).
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_ET0};
        _mm_prefetch::<_MM_HINT_ET0>(p.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}
