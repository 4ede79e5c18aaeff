//! The 2-D process grid and the ownership of every sheet's units.
//!
//! The ranks form a `rows x cols` grid laid over one rectangle of sheet
//! coordinates, the *cut box*. The grid's interior lines (in sheet
//! coordinates) cut every sheet: a unit belongs to the grid cell that
//! contains its centre, and the cells of the first and last grid row and
//! column extend to infinity, so sheets larger than the cut box hand their
//! outer parts to the edge ranks. Because all sheets are cut along the same
//! lines, a rank's V1 block and its LGN and retina blocks cover the same
//! region of visual space, and most of a CF's source units are local.
//!
//! The cut box is normally the intersection of all sheets' bounds (for the
//! Topographica models: the cortex, which holds most of the work), so the
//! cortex is split evenly.

use std::fmt;
use topo_sim::exchange::{Block, Decomposition};

/// Why a grid cannot be made.
#[derive(Debug, Clone, PartialEq)]
pub enum GridError {
    /// `rank >= size` or `size == 0`.
    BadRank {
        /// The rank asked for.
        rank: usize,
        /// The number of ranks.
        size: usize,
    },
    /// The cut box has no area or is not finite.
    BadBox([f64; 4]),
    /// No sheet bounds to derive a cut box from.
    NoSheets,
}

impl fmt::Display for GridError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GridError::BadRank { rank, size } => {
                write!(f, "rank {rank} is not in a job of {size} ranks")
            }
            GridError::BadBox(b) => write!(
                f,
                "cannot cut the box l,b,r,t = {b:?}: it must be finite with positive width and height"
            ),
            GridError::NoSheets => write!(f, "no sheets to decompose"),
        }
    }
}

impl std::error::Error for GridError {}

/// A `rows x cols` arrangement of ranks; rank `row * cols + col`, row 0 at
/// the top of the sheets (like matrix row 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProcessGrid {
    /// Number of grid rows (cuts along y).
    pub rows: usize,
    /// Number of grid columns (cuts along x).
    pub cols: usize,
}

impl ProcessGrid {
    /// The factorisation `rows * cols == n` whose cells are the most nearly
    /// square over a `width x height` box. Ties go to more rows, because a
    /// block of whole matrix rows is contiguous in memory.
    pub fn choose(n: usize, width: f64, height: f64) -> ProcessGrid {
        let n = n.max(1);
        let mut best = ProcessGrid { rows: n, cols: 1 };
        let mut best_score = f64::INFINITY;
        // Visit row counts from high to low, so a tie keeps the higher one.
        for rows in (1..=n).rev().filter(|&r| n.is_multiple_of(r)) {
            let cols = n / rows;
            let score = ((width / cols as f64) / (height / rows as f64)).ln().abs();
            if score < best_score - 1e-12 {
                best = ProcessGrid { rows, cols };
                best_score = score;
            }
        }
        best
    }

    /// Number of ranks.
    pub fn len(&self) -> usize {
        self.rows * self.cols
    }

    /// Whether the grid has no rank (never, for a chosen grid).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `(grid row, grid col)` of a rank.
    pub fn coords(&self, rank: usize) -> (usize, usize) {
        (rank / self.cols, rank % self.cols)
    }

    /// The rank at a grid position.
    pub fn rank_at(&self, row: usize, col: usize) -> usize {
        row * self.cols + col
    }
}

/// The intersection of the boxes, or their union if they do not overlap.
pub fn cut_box_of(lbrts: &[[f64; 4]]) -> Result<[f64; 4], GridError> {
    let first = *lbrts.first().ok_or(GridError::NoSheets)?;
    let (mut inter, mut union) = (first, first);
    for b in &lbrts[1..] {
        inter = [
            inter[0].max(b[0]),
            inter[1].max(b[1]),
            inter[2].min(b[2]),
            inter[3].min(b[3]),
        ];
        union = [
            union[0].min(b[0]),
            union[1].min(b[1]),
            union[2].max(b[2]),
            union[3].max(b[3]),
        ];
    }
    Ok(if inter[2] > inter[0] && inter[3] > inter[1] {
        inter
    } else {
        union
    })
}

/// The spatial decomposition of every sheet over a [`ProcessGrid`].
#[derive(Clone, Debug, PartialEq)]
pub struct GridDecomposition {
    grid: ProcessGrid,
    rank: usize,
    cut: [f64; 4],
}

impl GridDecomposition {
    /// `size` ranks cutting the box `cut` (l, b, r, t); this process is
    /// `rank`.
    pub fn new(size: usize, rank: usize, cut: [f64; 4]) -> Result<Self, GridError> {
        if size == 0 || rank >= size {
            return Err(GridError::BadRank { rank, size });
        }
        let [l, b, r, t] = cut;
        let finite = cut.iter().all(|v| v.is_finite());
        if !finite || r <= l || t <= b {
            return Err(GridError::BadBox(cut));
        }
        Ok(GridDecomposition {
            grid: ProcessGrid::choose(size, r - l, t - b),
            rank,
            cut,
        })
    }

    /// Like [`GridDecomposition::new`], cutting the common box of the sheets
    /// whose true bounds are `lbrts` ([`cut_box_of`]).
    pub fn for_sheets(size: usize, rank: usize, lbrts: &[[f64; 4]]) -> Result<Self, GridError> {
        Self::new(size, rank, cut_box_of(lbrts)?)
    }

    /// The process grid.
    pub fn grid(&self) -> ProcessGrid {
        self.grid
    }

    /// This process's rank.
    pub fn rank(&self) -> usize {
        self.rank
    }

    /// The number of ranks.
    pub fn size(&self) -> usize {
        self.grid.len()
    }

    /// The box whose interior lines cut the sheets.
    pub fn cut_box(&self) -> [f64; 4] {
        self.cut
    }

    /// The x coordinates of the interior vertical cut lines, left to right.
    pub fn x_lines(&self) -> Vec<f64> {
        (1..self.grid.cols).map(|k| self.x_line(k)).collect()
    }

    /// The y coordinates of the interior horizontal cut lines, top to bottom.
    pub fn y_lines(&self) -> Vec<f64> {
        (1..self.grid.rows).map(|k| self.y_line(k)).collect()
    }

    fn x_line(&self, k: usize) -> f64 {
        let [l, _, r, _] = self.cut;
        l + (r - l) * k as f64 / self.grid.cols as f64
    }

    fn y_line(&self, k: usize) -> f64 {
        let [_, b, _, t] = self.cut;
        t - (t - b) * k as f64 / self.grid.rows as f64
    }

    /// First matrix column of grid column `k` (`k == grid cols` gives
    /// `cols`) in a sheet of `cols` columns spanning `l..r`: the number of
    /// unit centres left of the cut line.
    fn col_cut(&self, k: usize, cols: usize, l: f64, r: f64) -> usize {
        if k == 0 {
            return 0;
        }
        if k >= self.grid.cols {
            return cols;
        }
        let density = cols as f64 / (r - l);
        // Unit c's centre is l + (c + 0.5) / density; count those < line.
        index_of((self.x_line(k) - l) * density, cols)
    }

    /// First matrix row of grid row `k` in a sheet of `rows` rows spanning
    /// `b..t` (row 0 at the top): the number of unit centres above the line.
    fn row_cut(&self, k: usize, rows: usize, b: f64, t: f64) -> usize {
        if k == 0 {
            return 0;
        }
        if k >= self.grid.rows {
            return rows;
        }
        let density = rows as f64 / (t - b);
        index_of((t - self.y_line(k)) * density, rows)
    }

    /// The block rank `rank` owns of a `rows x cols` sheet with true bounds
    /// `lbrt`.
    pub fn block_of(&self, rank: usize, rows: usize, cols: usize, lbrt: [f64; 4]) -> Block {
        let [l, b, r, t] = lbrt;
        let (gr, gc) = self.grid.coords(rank);
        Block {
            r0: self.row_cut(gr, rows, b, t),
            r1: self.row_cut(gr + 1, rows, b, t),
            c0: self.col_cut(gc, cols, l, r),
            c1: self.col_cut(gc + 1, cols, l, r),
        }
    }

    /// Every rank's block of a sheet, in rank order.
    pub fn all_blocks(&self, rows: usize, cols: usize, lbrt: [f64; 4]) -> Vec<Block> {
        (0..self.size())
            .map(|q| self.block_of(q, rows, cols, lbrt))
            .collect()
    }
}

/// Number of unit centres `c + 0.5` below `pos` (a position in units from
/// the sheet's first edge), clamped to `0..=n`.
fn index_of(pos: f64, n: usize) -> usize {
    let v = (pos - 0.5).ceil();
    if v.is_nan() || v <= 0.0 {
        0
    } else if v >= n as f64 {
        n
    } else {
        v as usize
    }
}

impl Decomposition for GridDecomposition {
    fn block(&self, _sheet: &str, rows: usize, cols: usize, lbrt: [f64; 4]) -> Block {
        self.block_of(self.rank, rows, cols, lbrt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const UNIT: [f64; 4] = [-0.5, -0.5, 0.5, 0.5];

    fn is_prime(n: usize) -> bool {
        n >= 2
            && (2..n)
                .take_while(|d| d * d <= n)
                .all(|d| !n.is_multiple_of(d))
    }

    /// The blocks tile the matrix: every unit has exactly one owner.
    fn assert_partition(blocks: &[Block], rows: usize, cols: usize) {
        let mut owner = vec![usize::MAX; rows * cols];
        for (q, b) in blocks.iter().enumerate() {
            assert!(b.r0 <= b.r1 && b.r1 <= rows && b.c0 <= b.c1 && b.c1 <= cols);
            for r in b.r0..b.r1 {
                for c in b.c0..b.c1 {
                    assert_eq!(owner[r * cols + c], usize::MAX, "unit {r},{c} owned twice");
                    owner[r * cols + c] = q;
                }
            }
        }
        assert!(
            owner.iter().all(|&o| o != usize::MAX),
            "a unit has no owner"
        );
    }

    #[test]
    fn grid_factors_n_and_keeps_cells_square() {
        for n in 1..=64 {
            let g = ProcessGrid::choose(n, 1.0, 1.0);
            assert_eq!(g.len(), n);
            // No other factorisation is closer to square.
            let score = |r: usize, c: usize| ((r as f64) / (c as f64)).ln().abs();
            for r in (1..=n).filter(|&r| n.is_multiple_of(r)) {
                assert!(score(g.rows, g.cols) <= score(r, n / r) + 1e-12, "n={n}");
            }
            assert!(g.rows >= g.cols, "ties go to more rows (n={n}: {g:?})");
            if is_prime(n) {
                assert_eq!((g.rows, g.cols), (n, 1));
            }
        }
        assert_eq!(
            ProcessGrid::choose(4, 1.0, 1.0),
            ProcessGrid { rows: 2, cols: 2 }
        );
        assert_eq!(
            ProcessGrid::choose(16, 1.0, 1.0),
            ProcessGrid { rows: 4, cols: 4 }
        );
        assert_eq!(
            ProcessGrid::choose(12, 1.0, 1.0),
            ProcessGrid { rows: 4, cols: 3 }
        );
        // A box four times as wide as tall gets four times as many columns.
        assert_eq!(
            ProcessGrid::choose(4, 4.0, 1.0),
            ProcessGrid { rows: 1, cols: 4 }
        );
        assert_eq!(
            ProcessGrid::choose(16, 4.0, 1.0),
            ProcessGrid { rows: 2, cols: 8 }
        );
    }

    #[test]
    fn rank_coords_round_trip() {
        let g = ProcessGrid { rows: 3, cols: 4 };
        for q in 0..12 {
            let (r, c) = g.coords(q);
            assert_eq!(g.rank_at(r, c), q);
        }
    }

    #[test]
    fn blocks_tile_every_sheet_for_many_rank_counts() {
        // GCAL-like true bounds: retina 78x78, LGN 60x60, V1 8x8 and 3x3.
        let retina = ([-1.64583, -1.64583, 1.64583, 1.64583], 78, 78);
        let lgn = ([-1.27083, -1.27083, 1.27083, 1.27083], 60, 60);
        let v1 = (UNIT, 8, 8);
        let tiny = (UNIT, 3, 3);
        let wide = ([-1.0, -0.5, 1.0, 0.5], 10, 20);
        let sheets = [retina, lgn, v1, tiny, wide];
        let lbrts: Vec<_> = sheets.iter().map(|s| s.0).collect();
        for n in (1..=16).chain([17, 19, 23, 31, 64, 97]) {
            let d = GridDecomposition::for_sheets(n, 0, &lbrts).unwrap();
            assert_eq!(d.cut_box(), UNIT);
            for &(lbrt, rows, cols) in &sheets {
                let blocks = d.all_blocks(rows, cols, lbrt);
                assert_partition(&blocks, rows, cols);
                // Block q as seen by rank q itself, through the trait.
                for (q, b) in blocks.iter().enumerate() {
                    let dq = GridDecomposition::for_sheets(n, q, &lbrts).unwrap();
                    assert_eq!(dq.block("S", rows, cols, lbrt), *b);
                }
            }
        }
    }

    #[test]
    fn the_cortex_is_split_evenly() {
        // 48x48 V1 on 4 ranks: 2x2 blocks of 24x24.
        let d = GridDecomposition::new(4, 0, UNIT).unwrap();
        for b in d.all_blocks(48, 48, UNIT) {
            assert_eq!((b.rows(), b.cols()), (24, 24));
        }
        // 8x8 on 3 ranks: 3 strips, sizes differ by at most one row.
        let d = GridDecomposition::new(3, 0, UNIT).unwrap();
        let rows: Vec<_> = d.all_blocks(8, 8, UNIT).iter().map(|b| b.rows()).collect();
        assert_eq!(rows.iter().sum::<usize>(), 8);
        assert!(rows.iter().max().unwrap() - rows.iter().min().unwrap() <= 1);
    }

    #[test]
    fn sheets_are_cut_along_the_same_lines() {
        // With cut lines inside V1, each rank's LGN block covers the region
        // of visual space of its V1 block: every V1 unit centre maps to an
        // LGN position owned by the same rank (up to one LGN unit at a cut
        // line, where the two grids' centres interleave).
        let lgn_lbrt = [-1.27083, -1.27083, 1.27083, 1.27083];
        let (lr, lc) = (60usize, 60usize);
        let lgn_d = lc as f64 / (lgn_lbrt[2] - lgn_lbrt[0]);
        for n in [2, 4, 6, 8, 9] {
            let d = GridDecomposition::for_sheets(n, 0, &[UNIT, lgn_lbrt]).unwrap();
            let v1 = d.all_blocks(8, 8, UNIT);
            let lgn = d.all_blocks(lr, lc, lgn_lbrt);
            for q in 0..n {
                for r in v1[q].r0..v1[q].r1 {
                    for c in v1[q].c0..v1[q].c1 {
                        let x = -0.5 + (c as f64 + 0.5) / 8.0;
                        let y = 0.5 - (r as f64 + 0.5) / 8.0;
                        let lc_ = ((x - lgn_lbrt[0]) * lgn_d).floor() as usize;
                        let lr_ = ((lgn_lbrt[3] - y) * lgn_d).floor() as usize;
                        let b = lgn[q];
                        assert!(
                            lr_ + 1 >= b.r0 && lr_ < b.r1 + 1 && lc_ + 1 >= b.c0 && lc_ < b.c1 + 1,
                            "n={n} rank {q}: V1 unit {r},{c} -> LGN {lr_},{lc_} outside {b:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn more_ranks_than_rows_leaves_some_blocks_empty() {
        let d = GridDecomposition::new(7, 0, UNIT).unwrap();
        let blocks = d.all_blocks(3, 3, UNIT);
        assert_partition(&blocks, 3, 3);
        assert_eq!(blocks.iter().filter(|b| b.is_empty()).count(), 4);
    }

    #[test]
    fn cut_box_is_the_overlap_or_else_the_union() {
        let a = [-1.0, -1.0, 1.0, 1.0];
        let b = [0.0, -2.0, 3.0, 0.5];
        assert_eq!(cut_box_of(&[a, b]).unwrap(), [0.0, -1.0, 1.0, 0.5]);
        let c = [2.0, 2.0, 3.0, 3.0];
        assert_eq!(cut_box_of(&[a, c]).unwrap(), [-1.0, -1.0, 3.0, 3.0]);
        assert_eq!(cut_box_of(&[]), Err(GridError::NoSheets));
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(GridDecomposition::new(0, 0, UNIT).is_err());
        assert!(GridDecomposition::new(2, 2, UNIT).is_err());
        assert!(GridDecomposition::new(2, 0, [0.0, 0.0, 0.0, 1.0]).is_err());
        assert!(GridDecomposition::new(2, 0, [0.0, 0.0, f64::NAN, 1.0]).is_err());
    }
}
