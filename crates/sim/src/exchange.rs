//! What the engine needs from the parallel layer.
//!
//! A rank owns one rectangular [`Block`] of every sheet's matrix. Weights of a
//! unit's incoming connection fields live with the unit, so only activity
//! crosses ranks: before a projection computes its response, the source
//! activity covering the CFs of the local units (a rectangle of the source
//! matrix, [`Block`]) is assembled from the owners of its parts.
//!
//! Registration is collective: every rank registers the same projections in
//! the same order (the engine builds projections in spec order everywhere).

use crate::ownership::{copy_owned_to_rect, Ownership};
use serde::{Deserialize, Serialize};

/// A half-open rectangle of a sheet's matrix: rows `r0..r1`, cols `c0..c1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub struct Block {
    /// First row.
    pub r0: usize,
    /// One past the last row.
    pub r1: usize,
    /// First column.
    pub c0: usize,
    /// One past the last column.
    pub c1: usize,
}

impl Block {
    /// The block of a whole `rows x cols` matrix.
    pub fn full(rows: usize, cols: usize) -> Block {
        Block {
            r0: 0,
            r1: rows,
            c0: 0,
            c1: cols,
        }
    }
    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.r1.saturating_sub(self.r0)
    }
    /// Number of columns.
    pub fn cols(&self) -> usize {
        self.c1.saturating_sub(self.c0)
    }
    /// Number of units.
    pub fn len(&self) -> usize {
        self.rows() * self.cols()
    }
    /// True if the block holds no unit.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Intersection (empty blocks have r0 == r1 or c0 == c1).
    pub fn intersect(&self, o: &Block) -> Block {
        let r0 = self.r0.max(o.r0);
        let c0 = self.c0.max(o.c0);
        Block {
            r0,
            r1: self.r1.min(o.r1).max(r0),
            c0,
            c1: self.c1.min(o.c1).max(c0),
        }
    }
    /// Smallest block containing both (an empty block is the identity).
    pub fn union_bounds(&self, o: &Block) -> Block {
        if self.is_empty() {
            return *o;
        }
        if o.is_empty() {
            return *self;
        }
        Block {
            r0: self.r0.min(o.r0),
            r1: self.r1.max(o.r1),
            c0: self.c0.min(o.c0),
            c1: self.c1.max(o.c1),
        }
    }
    /// Whether `(row, col)` lies inside.
    pub fn contains(&self, row: usize, col: usize) -> bool {
        row >= self.r0 && row < self.r1 && col >= self.c0 && col < self.c1
    }
}

/// Handle of a registered halo (one per projection whose source is not
/// rendered locally).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct HaloId(pub usize);

/// Which block of each sheet this rank owns.
pub trait Decomposition {
    /// This rank's block of a sheet of `rows x cols` units whose true bounds
    /// are `lbrt` (sheets are cut along the same sheet-coordinate lines, so
    /// the block depends on the bounds, not only the shape).
    fn block(&self, sheet: &str, rows: usize, cols: usize, lbrt: [f64; 4]) -> Block;

    /// This rank's units of the sheet; by default the one [`Block`] of
    /// [`Decomposition::block`]. Decompositions that deal a sheet's rows in
    /// stripes ([`crate::ownership`]) override it.
    fn ownership(&self, sheet: &str, rows: usize, cols: usize, lbrt: [f64; 4]) -> Ownership {
        self.block(sheet, rows, cols, lbrt).into()
    }
}

/// Communication the engine needs. Implementations: [`LocalExchange`] (one
/// process) and the MPI one in the root crate.
pub trait Exchange {
    /// This rank's number.
    fn rank(&self) -> usize;
    /// Number of ranks.
    fn size(&self) -> usize;
    /// Collective. Declares that this rank needs the rectangle `needed` of
    /// source sheet `sheet` (shape `rows x cols`, owned units `own` on this
    /// rank). Every rank calls it for the same sheets in the same order.
    fn register(
        &mut self,
        sheet: &str,
        rows: usize,
        cols: usize,
        own: &Ownership,
        needed: Block,
    ) -> HaloId;
    /// Collective over the ranks that share the halo `id`. Fills `out`
    /// (row-major over `needed`) from `local` (laid out by `own`) on
    /// this rank and the owners' blocks elsewhere.
    fn exchange(&mut self, id: HaloId, local: &[f64], out: &mut [f64]);
    /// The first half of [`Exchange::exchange`]: takes what this rank
    /// sends from `local` (which the caller may change as soon as this
    /// returns), starts the messages and may fill parts of `out`. The
    /// caller then does work that needs neither `out` nor halo `id` and
    /// calls [`Exchange::finish_exchange`] with the same `out`, which must
    /// not be read, moved or reallocated in between. Every rank starts and
    /// finishes the halos it shares in the same order; other halos and
    /// collectives may run in between. The default does the whole
    /// exchange here (implementations without messages).
    fn start_exchange(&mut self, id: HaloId, local: &[f64], out: &mut [f64]) {
        self.exchange(id, local, out);
    }
    /// The second half of [`Exchange::exchange`]: waits for the messages
    /// [`Exchange::start_exchange`] started and completes `out`.
    fn finish_exchange(&mut self, id: HaloId, out: &mut [f64]) {
        let _ = (id, out);
    }
    /// Collective maximum (exact: max does not depend on the order).
    fn max(&mut self, v: f64) -> f64;
    /// Collective argmax: the largest value and, among ties, the smallest
    /// global index (row-major), as numpy's argmax picks the first maximum.
    fn argmax(&mut self, v: f64, index: usize) -> (f64, usize);
    /// Collective: gather a sheet's blocks on every rank into the whole
    /// matrix (row-major). Used for analysis, snapshots and traces; in the
    /// step loop only by sheet-wide output functions (a sheet's
    /// `DivisiveNormalizeL1`), whose sum must not depend on the blocks.
    fn allgather_sheet(
        &mut self,
        rows: usize,
        cols: usize,
        own: &Ownership,
        local: &[f64],
    ) -> Vec<f64>;
    /// Collective: `Σ |v|` over the whole sheet, added in row-major order
    /// (so the same bits on every decomposition); what a sheet-wide
    /// `DivisiveNormalizeL1` output function needs in the step loop. The
    /// default gathers the sheet (allocating); implementations used in
    /// the step loop override it without allocating.
    fn sheet_abs_sum(&mut self, rows: usize, cols: usize, own: &Ownership, local: &[f64]) -> f64 {
        self.allgather_sheet(rows, cols, own, local)
            .iter()
            .map(|v| v.abs())
            .sum()
    }
}

/// One process owns everything.
#[derive(Default)]
pub struct LocalExchange {
    halos: Vec<(Ownership, Block)>,
}

impl LocalExchange {
    /// A new one-process exchange.
    pub fn new() -> Self {
        Self::default()
    }
}

/// The one-process decomposition: every sheet whole.
pub struct WholeSheets;

impl Decomposition for WholeSheets {
    fn block(&self, _sheet: &str, rows: usize, cols: usize, _lbrt: [f64; 4]) -> Block {
        Block::full(rows, cols)
    }
}

/// Copy `needed` out of `src` (row-major over block `own`).
pub fn copy_rect(own: &Block, src: &[f64], needed: &Block, out: &mut [f64]) {
    debug_assert_eq!(out.len(), needed.len());
    let w = needed.cols();
    for (i, r) in (needed.r0..needed.r1).enumerate() {
        let s = (r - own.r0) * own.cols() + (needed.c0 - own.c0);
        out[i * w..(i + 1) * w].copy_from_slice(&src[s..s + w]);
    }
}

impl Exchange for LocalExchange {
    fn rank(&self) -> usize {
        0
    }
    fn size(&self) -> usize {
        1
    }
    fn register(
        &mut self,
        _sheet: &str,
        _rows: usize,
        _cols: usize,
        own: &Ownership,
        needed: Block,
    ) -> HaloId {
        self.halos.push((*own, needed));
        HaloId(self.halos.len() - 1)
    }
    fn exchange(&mut self, id: HaloId, local: &[f64], out: &mut [f64]) {
        let (own, needed) = self.halos[id.0];
        for b in own.intersect(&needed) {
            copy_owned_to_rect(&own, local, &needed, out, &b);
        }
    }
    fn max(&mut self, v: f64) -> f64 {
        v
    }
    fn argmax(&mut self, v: f64, index: usize) -> (f64, usize) {
        (v, index)
    }
    fn allgather_sheet(
        &mut self,
        _rows: usize,
        _cols: usize,
        _own: &Ownership,
        local: &[f64],
    ) -> Vec<f64> {
        local.to_vec()
    }
    fn sheet_abs_sum(
        &mut self,
        _rows: usize,
        _cols: usize,
        _own: &Ownership,
        local: &[f64],
    ) -> f64 {
        // One process: the local block is the whole sheet, row-major.
        local.iter().map(|v| v.abs()).sum()
    }
}
