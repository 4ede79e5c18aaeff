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

use super::{PushLayout, DROPPED};
use crate::cf::ConnectionFields;

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
    /// cheaper (benches/RESULTS.md, issue 14 sessions 7 and 8).
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
    for &[r1, u, r2] in &ctx.list[i0..i1] {
        let (r1, u, r2) = (r1 as usize, u as usize, r2 as usize);
        let [_, _, c1, c2] = cfs.slices[u];
        let w = c2 - c1;
        for r in r1.max(ra)..r2.min(rb + 1) {
            // Sources of this CF row: row_s..row_s + w.
            let row_s = (r - needed.r0) * ncols + c1 - needed.c0;
            let (a, e) = (row_s.max(s0), (row_s + w).min(s1));
            if a >= e {
                continue;
            }
            let k0 = cfs.offsets[u] + (r - r1) * w + (a - row_s);
            let n = e - a;
            for (&ad, &v) in ctx.addr[k0..k0 + n].iter().zip(&cfs.weights[k0..k0 + n]) {
                if ad == DROPPED {
                    if v != 0.0 {
                        return false;
                    }
                } else {
                    weights[(ad - base) as usize] = v;
                }
            }
        }
    }
    true
}
