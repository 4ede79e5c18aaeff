//! The dot-product response pushed (scattered) from the non-zero inputs,
//! bit for bit equal to the pulled one of [`crate::response::dot_product`].
//!
//! The pulled sum of unit `u` splits its CF's terms over eight lanes by
//! column: the term of source column `c` goes to lane `(c - c1(u)) mod 8`,
//! each lane adding its terms in row-major order, and the lanes are
//! combined in a fixed tree. Hence the term of a source in column `c`
//! always lands in accumulator *plane* `c mod 8`, whatever the target: unit
//! `u` finds its lane `l` in plane `(c1(u) + l) mod 8`. Visiting the
//! non-zero sources in row-major order and adding `f64(w) * x` into plane
//! `c mod 8` of each of their targets gives every lane exactly the terms of
//! the pulled sum with non-zero input, in the same order; the skipped terms
//! are `w * 0 = ±0` (or `0 * x` for weights dropped below), and adding ±0
//! never changes a lane (a lane starts at +0.0 and cannot become -0.0 when
//! rounding to nearest). The same tree then gives the same bits.
//!
//! Weights are stored a second time, per source (the per-target layout of
//! [`ConnectionFields`] stays authoritative): for each source, runs of
//! consecutive target units with their weights. Entries whose mask and
//! weight are both zero are dropped (learning never touches them, see
//! [`crate::learning`], and normalisation scales 0 to 0); [`PushLayout::sync_units`]
//! verifies that on every update and disables the layout otherwise. An
//! input that is ±inf or NaN falls back to the pulled sum (`0 * inf` is
//! NaN, so dropped entries would matter).

use crate::cf::ConnectionFields;
use crate::exchange::Block;
use crate::push_simd::{self, add_run, add_runs};
use rayon::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};

mod combine;
mod scan;
mod sync;

pub use combine::{set_combine_avx512_off, set_lane_combine_off};
pub use scan::set_scan_avx512_off;
pub use sync::{set_sync_branch_free_off, set_sync_prefetch_off};

/// Accumulator planes (the lanes of the pulled dot product).
pub const PLANES: usize = 8;

/// Source rows per task of the parallel build: small enough for a few
/// tasks per thread at cortex_density 48, large enough that a task's scan
/// of all units' slices stays negligible.
const BAND_ROWS: usize = 4;

/// Target units per task of the parallel address pass.
const UNIT_CHUNK: usize = 1024;

/// A run of consecutive target units fed by one source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Run {
    /// First target unit (local index).
    unit: u32,
    /// Number of consecutive targets.
    len: u32,
    /// Index of the first target's weight in [`PushLayout::weights`].
    w: u32,
}

/// The weights of one projection stored per source (see the module docs).
/// Two layouts are equal when every field is, weights bit for bit (the
/// bands of the sync, which change no bit, and its scratch aside).
#[derive(Debug)]
pub struct PushLayout {
    /// Per source (row-major over the projection's `needed` block), the
    /// range of its runs: `run_off[s]..run_off[s + 1]`.
    run_off: Vec<u32>,
    runs: Vec<Run>,
    /// Weights in run order.
    weights: Vec<f32>,
    /// Per source, where its weights start in `weights` (a source's
    /// weights are contiguous and follow the previous source's), and the
    /// end: one lookup in a small array where the first and last runs of
    /// the source lie far apart in `runs`.
    w_start: Vec<u32>,
    /// Per CF entry (parallel to `ConnectionFields::weights`), where its
    /// copy lives in `weights`, or `u32::MAX` if dropped.
    addr: Vec<u32>,
    /// Per local unit, `c1 mod 8` of its CF: its lane `l` is plane
    /// `(c1 + l) mod 8`.
    plane0: Vec<u8>,
    /// The block `run_off` is laid over.
    needed: Block,
    /// First source of each band of the sync after learning, and the end
    /// (see the `sync` module).
    band_src: Vec<u32>,
    /// Where each band's copy starts in `weights`, and the end.
    band_w: Vec<u32>,
    /// Scratch of the sync: the active units (not part of the layout).
    sync_list: Vec<[u32; 3]>,
    /// Bytes of copy above which the banded sync prefetches (see the
    /// `sync` module).
    sync_prefetch_min: usize,
}

const DROPPED: u32 = u32::MAX;

impl PartialEq for PushLayout {
    fn eq(&self, o: &PushLayout) -> bool {
        self.run_off == o.run_off
            && self.runs == o.runs
            && self.addr == o.addr
            && self.plane0 == o.plane0
            && self.needed == o.needed
            && self.weights.len() == o.weights.len()
            && self
                .weights
                .iter()
                .zip(&o.weights)
                .all(|(a, b)| a.to_bits() == b.to_bits())
    }
}

impl PushLayout {
    /// Builds the per-source copy of `cfs`'s weights; `None` for
    /// shared-weight projections or more than `u32::MAX - 1` entries.
    ///
    /// In parallel on the current rayon pool: one task per band of a few
    /// source rows counts and fills its sources' runs and
    /// weights (a band's sources are contiguous, so are their runs and
    /// weights), visiting the units in increasing order as the serial
    /// [`PushLayout::build_serial`] does; then one task per chunk of units
    /// finds each CF entry's copy in its source's sorted runs. The result
    /// is the same whatever the number of threads (each output element is
    /// written by one task, from data that does not depend on the split).
    ///
    /// On a pool of one thread it is [`PushLayout::build_serial`]: the
    /// three passes cost ~1.3x its CPU time (benches/RESULTS.md, session 6).
    pub fn build(cfs: &ConnectionFields) -> Option<PushLayout> {
        if rayon::current_num_threads() == 1 {
            return Self::build_serial(cfs);
        }
        if cfs.shared.is_some() || cfs.weights.len() >= DROPPED as usize {
            return None;
        }
        let needed = cfs.needed;
        let ncols = needed.cols();
        let nsrc = needed.len();
        let band_len = BAND_ROWS * ncols.max(1);
        // Pass 1: entries and runs per source, per band.
        let mut n_w = vec![0u32; nsrc];
        let mut n_runs = vec![0u32; nsrc];
        n_w.par_chunks_mut(band_len)
            .zip(n_runs.par_chunks_mut(band_len))
            .enumerate()
            .for_each(|(b, (n_w, n_runs))| {
                let mut last = vec![0u32; n_w.len()];
                band_entries(cfs, b * BAND_ROWS, n_w.len() / ncols, |s, u| {
                    n_w[s] += 1;
                    if last[s] == 0 || last[s] != u as u32 {
                        n_runs[s] += 1;
                    }
                    last[s] = u as u32 + 1;
                });
            });
        let mut run_off = Vec::with_capacity(nsrc + 1);
        let mut w_off = Vec::with_capacity(nsrc + 1);
        let (mut tr, mut tw) = (0u32, 0u32);
        for s in 0..nsrc {
            run_off.push(tr);
            w_off.push(tw);
            tr += n_runs[s];
            tw += n_w[s];
        }
        run_off.push(tr);
        w_off.push(tw);
        drop((n_w, n_runs));
        // Pass 2: fill each band's runs and weights.
        let mut runs = vec![
            Run {
                unit: 0,
                len: 0,
                w: 0
            };
            tr as usize
        ];
        let mut weights = vec![0.0f32; tw as usize];
        let nbands = nsrc.div_ceil(band_len);
        let mut parts = Vec::with_capacity(nbands);
        let (mut runs_rest, mut weights_rest) = (&mut runs[..], &mut weights[..]);
        for b in 0..nbands {
            let (s0, s1) = (b * band_len, ((b + 1) * band_len).min(nsrc));
            let (r, rr) = runs_rest.split_at_mut((run_off[s1] - run_off[s0]) as usize);
            let (w, wr) = weights_rest.split_at_mut((w_off[s1] - w_off[s0]) as usize);
            parts.push((b, r, w));
            (runs_rest, weights_rest) = (rr, wr);
        }
        parts.into_par_iter().for_each(|(b, runs, weights)| {
            let s0 = b * band_len;
            let (base_r, base_w) = (run_off[s0], w_off[s0]);
            let nb = runs_in_band(nsrc, s0, band_len);
            let mut next_run: Vec<u32> = (0..nb).map(|i| run_off[s0 + i] - base_r).collect();
            let mut next_w: Vec<u32> = (0..nb).map(|i| w_off[s0 + i] - base_w).collect();
            let mut last = vec![0u32; nb];
            band_entries_k(cfs, b * BAND_ROWS, nb / ncols, |s, u, k| {
                let a = next_w[s];
                next_w[s] += 1;
                if last[s] == 0 || last[s] != u as u32 {
                    runs[next_run[s] as usize] = Run {
                        unit: u as u32,
                        len: 0,
                        w: base_w + a,
                    };
                    next_run[s] += 1;
                }
                runs[next_run[s] as usize - 1].len += 1;
                last[s] = u as u32 + 1;
                weights[a as usize] = cfs.weights[k];
            });
        });
        // Pass 3: each CF entry's address, per chunk of units.
        let mut addr = vec![DROPPED; cfs.weights.len()];
        let nunits = cfs.slices.len();
        let mut chunks = Vec::with_capacity(nunits.div_ceil(UNIT_CHUNK));
        let mut addr_rest = &mut addr[..];
        for u0 in (0..nunits).step_by(UNIT_CHUNK) {
            let u1 = (u0 + UNIT_CHUNK).min(nunits);
            let (a, rest) = addr_rest.split_at_mut(cfs.offsets[u1] - cfs.offsets[u0]);
            chunks.push((u0, u1, a));
            addr_rest = rest;
        }
        chunks.into_par_iter().for_each(|(u0, u1, addr)| {
            chunk_addresses(cfs, &run_off, &runs, u0, u1, addr);
        });
        Some(Self::assemble(cfs, run_off, runs, weights, addr))
    }

    /// The single-threaded build, the reference [`PushLayout::build`] must
    /// equal (kept for the tests and the bench).
    pub fn build_serial(cfs: &ConnectionFields) -> Option<PushLayout> {
        if cfs.shared.is_some() || cfs.weights.len() >= DROPPED as usize {
            return None;
        }
        let needed = cfs.needed;
        let ncols = needed.cols();
        let nsrc = needed.len();
        let keep = |k: usize| cfs.masks[k] != 0.0 || cfs.weights[k] != 0.0;
        // Pass 1: entries and runs per source.
        let mut n_w = vec![0u32; nsrc];
        let mut n_runs = vec![0u32; nsrc];
        // Per source, the last target seen plus one (0: none yet).
        let mut last = vec![0u32; nsrc];
        for (u, &[r1, r2, c1, c2]) in cfs.slices.iter().enumerate() {
            let mut k = cfs.offsets[u];
            for r in r1..r2 {
                let row = (r - needed.r0) * ncols;
                for c in c1..c2 {
                    if keep(k) {
                        let s = row + c - needed.c0;
                        n_w[s] += 1;
                        if last[s] == 0 || last[s] != u as u32 {
                            n_runs[s] += 1;
                        }
                        last[s] = u as u32 + 1;
                    }
                    k += 1;
                }
            }
        }
        let mut run_off = Vec::with_capacity(nsrc + 1);
        let mut w_off = Vec::with_capacity(nsrc);
        let (mut tr, mut tw) = (0u32, 0u32);
        for s in 0..nsrc {
            run_off.push(tr);
            w_off.push(tw);
            tr += n_runs[s];
            tw += n_w[s];
        }
        run_off.push(tr);
        // Pass 2: fill, units in increasing order so each source's targets
        // come sorted.
        let mut runs = vec![
            Run {
                unit: 0,
                len: 0,
                w: 0
            };
            tr as usize
        ];
        let mut weights = vec![0.0f32; tw as usize];
        let mut addr = vec![DROPPED; cfs.weights.len()];
        let mut next_run = run_off[..nsrc].to_vec();
        last.fill(0);
        for (u, &[r1, r2, c1, c2]) in cfs.slices.iter().enumerate() {
            let mut k = cfs.offsets[u];
            for r in r1..r2 {
                let row = (r - needed.r0) * ncols;
                for c in c1..c2 {
                    if keep(k) {
                        let s = row + c - needed.c0;
                        let a = w_off[s];
                        w_off[s] += 1;
                        if last[s] == 0 || last[s] != u as u32 {
                            runs[next_run[s] as usize] = Run {
                                unit: u as u32,
                                len: 0,
                                w: a,
                            };
                            next_run[s] += 1;
                        }
                        runs[next_run[s] as usize - 1].len += 1;
                        last[s] = u as u32 + 1;
                        weights[a as usize] = cfs.weights[k];
                        addr[k] = a;
                    }
                    k += 1;
                }
            }
        }
        Some(Self::assemble(cfs, run_off, runs, weights, addr))
    }

    /// The layout of the given parts, with the per-unit planes and the
    /// bands of the sync.
    fn assemble(
        cfs: &ConnectionFields,
        run_off: Vec<u32>,
        runs: Vec<Run>,
        weights: Vec<f32>,
        addr: Vec<u32>,
    ) -> PushLayout {
        let plane0 = cfs.slices.iter().map(|s| (s[2] % PLANES) as u8).collect();
        let nsrc = run_off.len() - 1;
        let mut w_start = vec![weights.len() as u32; nsrc + 1];
        for s in (0..nsrc).rev() {
            let (r0, r1) = (run_off[s] as usize, run_off[s + 1] as usize);
            w_start[s] = if r0 < r1 {
                let last = runs[r1 - 1];
                assert_eq!(last.w + last.len, w_start[s + 1], "source {s}'s weights");
                runs[r0].w
            } else {
                w_start[s + 1]
            };
        }
        let (band_src, band_w) = sync::make_bands(&w_start, cfs.needed.cols(), sync::BAND_BYTES);
        PushLayout {
            run_off,
            runs,
            weights,
            w_start,
            addr,
            plane0,
            needed: cfs.needed,
            band_src,
            band_w,
            sync_list: Vec::new(),
            sync_prefetch_min: sync::PREFETCH_MIN_BYTES,
        }
    }

    /// Bytes this layout adds per stored CF weight (the weight copy, its
    /// address, the runs).
    pub fn bytes_per_synapse(&self) -> f64 {
        let bytes = self.weights.len() * 4
            + self.addr.len() * 4
            + self.runs.len() * std::mem::size_of::<Run>()
            + (self.run_off.len() + self.w_start.len()) * 4
            + self.plane0.len()
            + (self.band_src.len() + self.band_w.len()) * 4;
        bytes as f64 / self.addr.len().max(1) as f64
    }

    /// [`PushLayout::sync_units`] in unit order on one thread, each entry
    /// written where its address says: the reference the banded sync must
    /// equal.
    pub fn sync_units_unit_order(&mut self, cfs: &ConnectionFields, active: &[f64]) -> bool {
        for (u, &y) in active.iter().enumerate() {
            if y == 0.0 {
                continue;
            }
            let (o0, o1) = (cfs.offsets[u], cfs.offsets[u + 1]);
            for (&a, &w) in self.addr[o0..o1].iter().zip(&cfs.weights[o0..o1]) {
                if a == DROPPED {
                    if w != 0.0 {
                        return false;
                    }
                } else {
                    self.weights[a as usize] = w;
                }
            }
        }
        true
    }

    /// Entries stored for source `s` (row-major over the projection's
    /// `needed` block): the terms a push of that source adds. O(1): a
    /// source's weights are contiguous, from its first run's to the end of
    /// its last (for [`crate::push_choice`]).
    pub fn source_terms(&self, s: usize) -> usize {
        self.source_weights(s).len()
    }

    /// Where source `s`'s weights lie in the copy (contiguous, see
    /// [`PushLayout::source_terms`]); empty if it has none.
    pub fn source_weights(&self, s: usize) -> std::ops::Range<usize> {
        self.w_start[s] as usize..self.w_start[s + 1] as usize
    }

    /// The runs of source `s`.
    fn source_runs(&self, s: usize) -> &[Run] {
        &self.runs[self.run_off[s] as usize..self.run_off[s + 1] as usize]
    }

    /// Whether this layout still matches the geometry of `cfs`.
    pub fn fits(&self, cfs: &ConnectionFields) -> bool {
        self.needed == cfs.needed
            && self.addr.len() == cfs.weights.len()
            && self.plane0.len() == cfs.slices.len()
    }
}

/// Sources in the band starting at source `s0` (the last band may be short).
fn runs_in_band(nsrc: usize, s0: usize, band_len: usize) -> usize {
    band_len.min(nsrc - s0)
}

/// Calls `f(s, u)` for every kept CF entry (mask or weight non-zero)
/// whose source lies in the `nrows` source rows from `row0` (relative to
/// `needed`), `s` counted from the band's first source, units in
/// increasing order and each unit's entries row-major.
fn band_entries(
    cfs: &ConnectionFields,
    row0: usize,
    nrows: usize,
    mut f: impl FnMut(usize, usize),
) {
    band_entries_k(cfs, row0, nrows, |s, u, _| f(s, u));
}

/// [`band_entries`] also passing the entry's index `k` in the CF arrays.
fn band_entries_k(
    cfs: &ConnectionFields,
    row0: usize,
    nrows: usize,
    mut f: impl FnMut(usize, usize, usize),
) {
    let needed = cfs.needed;
    let ncols = needed.cols();
    let (ra, rb) = (needed.r0 + row0, needed.r0 + row0 + nrows);
    for (u, &[r1, r2, c1, c2]) in cfs.slices.iter().enumerate() {
        let (lo, hi) = (r1.max(ra), r2.min(rb));
        let w = c2 - c1;
        for r in lo..hi {
            let k0 = cfs.offsets[u] + (r - r1) * w;
            let row = (r - ra) * ncols + c1 - needed.c0;
            let m = &cfs.masks[k0..k0 + w];
            let v = &cfs.weights[k0..k0 + w];
            for (i, (&m, &v)) in m.iter().zip(v).enumerate() {
                if m != 0.0 || v != 0.0 {
                    f(row + i, u, k0 + i);
                }
            }
        }
    }
}

/// Fills `addr` (the entries of units `u0..u1`) with each entry's place
/// in the per-source weights: the run of its source holding the unit, found
/// by a cursor per source that only moves forward as the units increase.
fn chunk_addresses(
    cfs: &ConnectionFields,
    run_off: &[u32],
    runs: &[Run],
    u0: usize,
    u1: usize,
    addr: &mut [u32],
) {
    let needed = cfs.needed;
    let ncols = needed.cols();
    let nsrc = run_off.len() - 1;
    let mut cur: Vec<u32> = (0..nsrc)
        .map(|s| {
            let (a, b) = (run_off[s] as usize, run_off[s + 1] as usize);
            (a + runs[a..b].partition_point(|r| (r.unit + r.len) as usize <= u0)) as u32
        })
        .collect();
    let base = cfs.offsets[u0];
    for u in u0..u1 {
        let [r1, r2, c1, c2] = cfs.slices[u];
        let mut k = cfs.offsets[u] - base;
        for r in r1..r2 {
            let row = (r - needed.r0) * ncols;
            for c in c1..c2 {
                let s = row + c - needed.c0;
                let end = run_off[s + 1] as usize;
                let mut j = cur[s] as usize;
                while j < end && (runs[j].unit + runs[j].len) as usize <= u {
                    j += 1;
                }
                cur[s] = j as u32;
                if j < end && runs[j].unit as usize <= u {
                    addr[k] = runs[j].w + (u as u32 - runs[j].unit);
                }
                k += 1;
            }
        }
    }
}

/// Scratch of the push response, kept per projection (grown once).
#[derive(Debug, Default)]
pub struct PushScratch {
    /// `PLANES` accumulator planes over the local units.
    planes: Vec<f64>,
    /// Indices (into the input) of the non-zero inputs, row-major.
    nonzero: Vec<u32>,
    /// The non-zero inputs again, grouped by the task of
    /// [`push_dot_product_by_planes`] that adds them (row-major within a
    /// group), and where each group starts (and the end).
    grouped: Vec<u32>,
    group_off: [usize; PLANES + 1],
}

impl PushScratch {
    /// Lists the non-zero inputs in row-major order; `None` if an input
    /// is not finite (then only the pulled sum is exact and the list must
    /// not be pushed), else their number.
    /// AVX-512F where the CPU has it (the same list; see the `scan`
    /// module and [`set_scan_avx512_off`]).
    pub fn scan(&mut self, input: &[f64]) -> Option<usize> {
        scan::scan(input, &mut self.nonzero).then_some(self.nonzero.len())
    }

    /// The non-zero inputs [`PushScratch::scan`] listed (row-major).
    pub fn nonzero(&self) -> &[u32] {
        &self.nonzero
    }
}

/// Target units per task of [`push_dot_product_by_chunks`] at least
/// (below that a task's pass over the non-zero sources costs more than
/// its share of the scattering).
const MIN_UNITS_PER_CHUNK: usize = 128;

/// Tasks per thread of [`push_dot_product_by_chunks`]: a sparse input's
/// targets crowd into a few rows, so the work per chunk is uneven and
/// stealing needs several chunks per thread to balance it.
const CHUNKS_PER_THREAD: usize = 8;

/// Which kernel [`push_dot_product`] runs: by planes (the default) or by
/// unit chunks (measured slower on 2 threads at cortex_density 48: a
/// sparse input's targets crowd into a few chunks; benches/RESULTS.md,
/// issue 14 session 7).
static UNIT_CHUNKS: AtomicBool = AtomicBool::new(false);

/// Makes [`push_dot_product`] run [`push_dot_product_by_chunks`]
/// (`true`) or [`push_dot_product_by_planes`] (`false`, the default) in
/// this process: the same bits either way; for measuring one against
/// the other.
pub fn set_unit_chunks(on: bool) {
    UNIT_CHUNKS.store(on, Ordering::Relaxed);
}

/// `activity[u] = strength * Σ w·x` by pushing the non-zero inputs listed
/// in `scratch` (by [`PushScratch::scan`] of this `input`, which must
/// have found it finite) through `layout`; bit for bit
/// [`crate::response::dot_product`] on the same input. Runs
/// [`push_dot_product_by_planes`] unless [`set_unit_chunks`] chose the
/// kernel by unit chunks.
pub fn push_dot_product(
    layout: &PushLayout,
    input: &[f64],
    needed: &Block,
    strength: f64,
    activity: &mut [f64],
    scratch: &mut PushScratch,
) {
    if UNIT_CHUNKS.load(Ordering::Relaxed) {
        push_dot_product_by_chunks(layout, input, needed, strength, activity, scratch)
    } else {
        push_dot_product_by_planes(layout, input, needed, strength, activity, scratch)
    }
}

/// [`push_dot_product`] in one parallel loop over chunks of target units: each task zeroes the
/// eight planes of its own units, visits every non-zero source in
/// row-major order adding only the parts of its runs inside the chunk
/// (runs are sorted by unit, so the first is found by bisection), and
/// combines its units' lanes at once, while the planes are in its cache.
/// Each plane value of a unit receives the same terms in the same order
/// as over the whole sheet, so the split changes no bit. The runs are
/// added by [`crate::push_simd::add_run`] (AVX2 where the CPU has it, the
/// same bits).
pub fn push_dot_product_by_chunks(
    layout: &PushLayout,
    input: &[f64],
    needed: &Block,
    strength: f64,
    activity: &mut [f64],
    scratch: &mut PushScratch,
) {
    let n = activity.len();
    if n == 0 {
        return;
    }
    let ncols = needed.cols();
    let c0 = needed.c0;
    let avx2 = push_simd::avx2();
    let chunk = match rayon::current_num_threads() {
        1 => n,
        t => n.div_ceil(t * CHUNKS_PER_THREAD).max(MIN_UNITS_PER_CHUNK),
    };
    scratch.planes.resize(PLANES * n, 0.0);
    let nonzero = &scratch.nonzero[..];
    let plane0 = &layout.plane0[..];
    activity
        .par_chunks_mut(chunk)
        .zip(scratch.planes.par_chunks_mut(PLANES * chunk))
        .enumerate()
        .for_each(|(k, (act, planes))| {
            let (u0, len) = (k * chunk, act.len());
            let u1 = u0 + len;
            planes.fill(0.0);
            for &s in nonzero {
                let s = s as usize;
                let plane = (c0 + s % ncols) % PLANES;
                let acc = &mut planes[plane * len..(plane + 1) * len];
                let x = input[s];
                let runs = layout.source_runs(s);
                // Sources whose targets all lie outside the chunk cost
                // two comparisons (most of them, with many chunks).
                match (runs.first(), runs.last()) {
                    (Some(a), Some(b))
                        if (a.unit as usize) < u1 && (b.unit + b.len) as usize > u0 => {}
                    _ => continue,
                }
                let first = runs.partition_point(|r| (r.unit + r.len) as usize <= u0);
                for run in &runs[first..] {
                    let ru = run.unit as usize;
                    if ru >= u1 {
                        break;
                    }
                    let (lo, hi) = (ru.max(u0), (ru + run.len as usize).min(u1));
                    let w = run.w as usize + (lo - ru);
                    add_run(
                        avx2,
                        &mut acc[lo - u0..hi - u0],
                        &layout.weights[w..w + (hi - lo)],
                        x,
                    );
                }
            }
            for (i, a) in act.iter_mut().enumerate() {
                let p0 = plane0[u0 + i] as usize;
                let lane = |l: usize| planes[((p0 + l) % PLANES) * len + i];
                let sum = ((lane(0) + lane(1)) + (lane(2) + lane(3)))
                    + ((lane(4) + lane(5)) + (lane(6) + lane(7)));
                *a = sum * strength;
            }
        });
}

/// [`push_dot_product`] by planes (the default): one task per group of
/// planes over all units (each zeroing its planes), then a second
/// parallel loop combining the lanes. Two fork/joins per call, but the
/// scattering splits evenly whatever the input (every plane gets an
/// eighth of the columns). The runs are added by
/// [`crate::push_simd::add_run`] (AVX2 where the CPU has it, the same
/// bits).
pub fn push_dot_product_by_planes(
    layout: &PushLayout,
    input: &[f64],
    needed: &Block,
    strength: f64,
    activity: &mut [f64],
    scratch: &mut PushScratch,
) {
    let n = activity.len();
    if n == 0 {
        return;
    }
    let ncols = needed.cols();
    // Each task zeroes its own planes (in parallel, and in the cache of
    // the thread that fills them).
    scratch.planes.resize(PLANES * n, 0.0);
    let c0 = needed.c0;
    let avx2 = push_simd::avx2();
    // One task per group of planes: a plane is written by one task only,
    // and each task visits the sources in row-major order.
    let tasks = rayon::current_num_threads().clamp(1, PLANES);
    let per = PLANES.div_ceil(tasks);
    // Each task's sources, listed once here (a counting sort by group,
    // stable, so row-major within a group) instead of every task testing
    // every source's plane.
    let PushScratch {
        planes,
        nonzero,
        grouped,
        group_off,
    } = scratch;
    // One task takes every source as listed.
    let (grouped, group_off) = if tasks == 1 {
        *group_off = [nonzero.len(); PLANES + 1];
        group_off[0] = 0;
        (&nonzero[..], &*group_off)
    } else {
        group_by_task(nonzero, ncols, c0, per, grouped, group_off);
        (&grouped[..], &*group_off)
    };
    let ahead = push_simd::prefetches(layout.weights.len() * 4) && push_simd::prefetch_on();
    let avx512 = push_simd::avx512_for(layout.weights.len() * 4);
    planes
        .par_chunks_mut(per * n)
        .enumerate()
        .for_each(|(t, group)| {
            let first = t * per;
            group.fill(0.0);
            let mine = &grouped[group_off[t]..group_off[t + 1]];
            for (i, &s) in mine.iter().enumerate() {
                let s = s as usize;
                let plane = (c0 + s % ncols) % PLANES;
                // The next source's weights are prefetched meanwhile, and
                // the runs of the one after (without, the lookup of the
                // next source's runs missed the cache at every source).
                let prefetch = match mine.get(i + 1) {
                    Some(&t) if ahead => {
                        if let Some(&t2) = mine.get(i + 2) {
                            push_simd::prefetch_lines(layout.source_runs(t2 as usize));
                        }
                        layout.source_weights(t as usize)
                    }
                    _ => 0..0,
                };
                let acc = &mut group[(plane - first) * n..(plane - first + 1) * n];
                let x = input[s];
                let runs = layout
                    .source_runs(s)
                    .iter()
                    .map(|r| (r.unit as usize, r.len as usize, r.w as usize));
                add_runs(avx2, avx512, acc, &layout.weights, x, runs, prefetch);
            }
        });
    combine::combine_lanes(planes, &layout.plane0, strength, activity);
}

/// Lists the sources of `nonzero` (row-major indices into rows of `ncols`
/// starting at column `c0`) by the group of `per` planes their column
/// adds into (`(c0 + column) mod PLANES`), stable: group `g`'s sources
/// are `grouped[off[g]..off[g + 1]]`, in row-major order. Grows
/// `grouped` only when the list outgrows it.
fn group_by_task(
    nonzero: &[u32],
    ncols: usize,
    c0: usize,
    per: usize,
    grouped: &mut Vec<u32>,
    off: &mut [usize; PLANES + 1],
) {
    let group = |s: u32| ((c0 + s as usize % ncols.max(1)) % PLANES) / per;
    let mut count = [0usize; PLANES + 1];
    for &s in nonzero {
        count[group(s) + 1] += 1;
    }
    for g in 0..PLANES {
        count[g + 1] += count[g];
    }
    *off = count;
    grouped.resize(nonzero.len(), 0);
    for &s in nonzero {
        let g = group(s);
        grouped[count[g]] = s;
        count[g] += 1;
    }
}
