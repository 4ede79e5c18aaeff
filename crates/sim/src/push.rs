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
use rayon::prelude::*;

/// Accumulator planes (the lanes of the pulled dot product).
pub const PLANES: usize = 8;

/// Inputs denser than this (non-zero fraction) are pulled: pushing pays
/// a read and a write of an f64 accumulator per term, pulling reads the
/// input once per term, so push wins only when it skips most terms.
pub const PUSH_MAX_DENSITY: f64 = 0.3;

/// A run of consecutive target units fed by one source.
#[derive(Clone, Copy, Debug)]
struct Run {
    /// First target unit (local index).
    unit: u32,
    /// Number of consecutive targets.
    len: u32,
    /// Index of the first target's weight in [`PushLayout::weights`].
    w: u32,
}

/// The weights of one projection stored per source (see the module docs).
#[derive(Debug)]
pub struct PushLayout {
    /// Per source (row-major over the projection's `needed` block), the
    /// range of its runs: `run_off[s]..run_off[s + 1]`.
    run_off: Vec<u32>,
    runs: Vec<Run>,
    /// Weights in run order.
    weights: Vec<f32>,
    /// Per CF entry (parallel to `ConnectionFields::weights`), where its
    /// copy lives in `weights`, or `u32::MAX` if dropped.
    addr: Vec<u32>,
    /// Per local unit, `c1 mod 8` of its CF: its lane `l` is plane
    /// `(c1 + l) mod 8`.
    plane0: Vec<u8>,
    /// The block `run_off` is laid over.
    needed: Block,
}

const DROPPED: u32 = u32::MAX;

impl PushLayout {
    /// Builds the per-source copy of `cfs`'s weights; `None` for
    /// shared-weight projections or more than `u32::MAX - 1` entries.
    pub fn build(cfs: &ConnectionFields) -> Option<PushLayout> {
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
        let plane0 = cfs.slices.iter().map(|s| (s[2] % PLANES) as u8).collect();
        Some(PushLayout {
            run_off,
            runs,
            weights,
            addr,
            plane0,
            needed,
        })
    }

    /// Bytes this layout adds per stored CF weight (the weight copy, its
    /// address, the runs).
    pub fn bytes_per_synapse(&self) -> f64 {
        let bytes = self.weights.len() * 4
            + self.addr.len() * 4
            + self.runs.len() * std::mem::size_of::<Run>()
            + self.run_off.len() * 4
            + self.plane0.len();
        bytes as f64 / self.addr.len().max(1) as f64
    }

    /// Copies the CFs of the units with `active[u] != 0` (those learning
    /// and active-unit normalisation may have changed) into the per-source
    /// copy. Returns false, leaving the copy stale, if a dropped entry is
    /// no longer zero: the caller must then stop using the layout.
    pub fn sync_units(&mut self, cfs: &ConnectionFields, active: &[f64]) -> bool {
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

    /// Whether this layout still matches the geometry of `cfs`.
    pub fn fits(&self, cfs: &ConnectionFields) -> bool {
        self.needed == cfs.needed
            && self.addr.len() == cfs.weights.len()
            && self.plane0.len() == cfs.slices.len()
    }
}

/// Scratch of the push response, kept per projection (grown once).
#[derive(Debug, Default)]
pub struct PushScratch {
    /// `PLANES` accumulator planes over the local units.
    planes: Vec<f64>,
    /// Indices (into the input) of the non-zero inputs, row-major.
    nonzero: Vec<u32>,
}

impl PushScratch {
    /// Lists the non-zero inputs in row-major order; `None` if an input
    /// is not finite (then only the pulled sum is exact and the list must
    /// not be pushed), else their number.
    pub fn scan(&mut self, input: &[f64]) -> Option<usize> {
        self.nonzero.clear();
        for (i, &x) in input.iter().enumerate() {
            if x != 0.0 {
                if !x.is_finite() {
                    self.nonzero.clear();
                    return None;
                }
                self.nonzero.push(i as u32);
            }
        }
        Some(self.nonzero.len())
    }
}

/// Decides whether a delivery of `input` is pushed: finite and at most
/// [`PUSH_MAX_DENSITY`] non-zero (it depends on the input alone, and
/// either answer gives the same bits: it only picks the faster path).
/// Leaves the non-zero list in `scratch`.
pub fn should_push(input: &[f64], scratch: &mut PushScratch) -> bool {
    match scratch.scan(input) {
        None => false,
        Some(n) => (n as f64) <= PUSH_MAX_DENSITY * input.len() as f64,
    }
}

/// `activity[u] = strength * Σ w·x` by pushing the non-zero inputs listed
/// in `scratch` (by [`PushScratch::scan`] of this `input`, which must
/// have found it finite) through `layout`; bit for bit
/// [`crate::response::dot_product`] on the same input.
pub fn push_dot_product(
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
    scratch.planes.clear();
    scratch.planes.resize(PLANES * n, 0.0);
    let nonzero = &scratch.nonzero[..];
    let c0 = needed.c0;
    // One task per group of planes: a plane is written by one task only,
    // and each task visits the sources in row-major order.
    let tasks = rayon::current_num_threads().clamp(1, PLANES);
    let per = PLANES.div_ceil(tasks);
    scratch
        .planes
        .par_chunks_mut(per * n)
        .enumerate()
        .for_each(|(t, group)| {
            let first = t * per;
            let nplanes = group.len() / n.max(1);
            for &s in nonzero {
                let s = s as usize;
                let plane = (c0 + s % ncols) % PLANES;
                if plane < first || plane >= first + nplanes {
                    continue;
                }
                let acc = &mut group[(plane - first) * n..(plane - first + 1) * n];
                let x = input[s];
                let (r0, r1) = (layout.run_off[s] as usize, layout.run_off[s + 1] as usize);
                for run in &layout.runs[r0..r1] {
                    let (u, len, w) = (run.unit as usize, run.len as usize, run.w as usize);
                    for (a, wv) in acc[u..u + len].iter_mut().zip(&layout.weights[w..w + len]) {
                        *a += f64::from(*wv) * x;
                    }
                }
            }
        });
    let planes = &scratch.planes[..];
    let plane0 = &layout.plane0[..];
    activity
        .par_iter_mut()
        .with_min_len(256)
        .enumerate()
        .for_each(|(u, a)| {
            let p0 = plane0[u] as usize;
            let lane = |l: usize| planes[((p0 + l) % PLANES) * n + u];
            let sum = ((lane(0) + lane(1)) + (lane(2) + lane(3)))
                + ((lane(4) + lane(5)) + (lane(6) + lane(7)));
            *a = sum * strength;
        });
}
