//! Which units of a sheet a rank owns, beyond one rectangle.
//!
//! A unit's cost follows the active input inside its connection field, so
//! a rank holding one contiguous [`Block`] of the cortex gets the training
//! blobs only when they fall on its block: the ranks take turns being the
//! slowest. Dealing the sheet's rows to the ranks in stripes of `stripe`
//! rows (block-cyclic; `stripe == 1` is cyclic) gives every rank a share of
//! every region of the sheet, and so of every blob.
//!
//! An [`Ownership`] is a set of matrix rows ([`RowSet`]) times one column
//! range. Local arrays are row-major over the owned rows in increasing row
//! order, so a one-block ownership lays its data out exactly as a
//! [`Block`] does. A measured-cost adaptive split fits the same type: it
//! moves the cuts of contiguous row ranges ([`RowSet::range`]) or deals
//! stripes of unequal cost; both are described by the few integers of
//! [`Ownership::encode`], which is what ranks exchange to learn each
//! other's units.

use crate::exchange::Block;
use serde::{Deserialize, Serialize};

/// The rows `r` of `r0..r1` with `((r - r0) / stripe) % period == phase`:
/// stripes of `stripe` rows dealt round-robin to `period` owners, this set
/// being owner `phase`'s. `period == 1` is the contiguous range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RowSet {
    /// First row of the dealt range.
    pub r0: usize,
    /// One past its last row.
    pub r1: usize,
    /// Rows per stripe (at least 1).
    pub stripe: usize,
    /// Number of owners the stripes are dealt to (at least 1).
    pub period: usize,
    /// Which owner this set is (`< period`).
    pub phase: usize,
}

impl RowSet {
    /// The contiguous rows `r0..r1`.
    pub fn range(r0: usize, r1: usize) -> RowSet {
        RowSet {
            r0,
            r1: r1.max(r0),
            stripe: 1,
            period: 1,
            phase: 0,
        }
    }

    /// Owner `phase`'s rows when the `rows` rows are dealt to `period`
    /// owners in stripes of `stripe` rows.
    pub fn dealt(rows: usize, stripe: usize, period: usize, phase: usize) -> RowSet {
        assert!(
            stripe >= 1 && period >= 1 && phase < period,
            "bad row dealing"
        );
        RowSet {
            r0: 0,
            r1: rows,
            stripe,
            period,
            phase,
        }
    }

    /// Number of rows in the set.
    pub fn len(&self) -> usize {
        let n = self.r1.saturating_sub(self.r0);
        let cycle = self.stripe * self.period;
        let rem = n % cycle;
        let last = rem
            .saturating_sub(self.phase * self.stripe)
            .min(self.stripe);
        (n / cycle) * self.stripe + last
    }

    /// Whether the set has no row.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The maximal runs of consecutive rows, in increasing order, as
    /// `(first, one past last)`.
    pub fn runs(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        let cycle = self.stripe * self.period;
        let (stripe, r1) = (self.stripe, self.r1);
        let first = self.r0 + self.phase * self.stripe;
        // With one owner the stripes touch: one run.
        let step = if self.period == 1 {
            r1.saturating_sub(self.r0).max(1)
        } else {
            cycle
        };
        let width = if self.period == 1 { step } else { stripe };
        (0..)
            .map(move |k| first + k * step)
            .take_while(move |&a| a < r1)
            .map(move |a| (a, (a + width).min(r1)))
    }

    /// Position of global row `r` among the set's rows, if it is in it.
    pub fn local(&self, r: usize) -> Option<usize> {
        if r < self.r0 || r >= self.r1 {
            return None;
        }
        let d = r - self.r0;
        let s = d / self.stripe;
        (s % self.period == self.phase).then(|| (s / self.period) * self.stripe + d % self.stripe)
    }

    /// The global row at position `i` of the set (`i < len()`).
    pub fn global(&self, i: usize) -> usize {
        let s = (i / self.stripe) * self.period + self.phase;
        self.r0 + s * self.stripe + i % self.stripe
    }
}

/// The units of a sheet one rank owns: the rows of a [`RowSet`] times the
/// columns `c0..c1`. Local data is row-major over the owned rows in
/// increasing order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Ownership {
    /// The owned rows.
    pub rows: RowSet,
    /// First owned column.
    pub c0: usize,
    /// One past the last owned column.
    pub c1: usize,
}

impl From<Block> for Ownership {
    fn from(b: Block) -> Ownership {
        Ownership {
            rows: RowSet::range(b.r0, b.r1),
            c0: b.c0,
            c1: b.c1.max(b.c0),
        }
    }
}

impl Ownership {
    /// Number of owned columns.
    pub fn cols(&self) -> usize {
        self.c1 - self.c0
    }

    /// Number of owned units.
    pub fn len(&self) -> usize {
        self.rows.len() * self.cols()
    }

    /// Whether no unit is owned.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The owned units as rectangles (one per run of rows), in local-data
    /// order: the concatenation of their row-major values is the local
    /// array.
    pub fn blocks(&self) -> impl Iterator<Item = Block> + '_ {
        let (c0, c1) = (self.c0, self.c1);
        self.rows
            .runs()
            .map(move |(r0, r1)| Block { r0, r1, c0, c1 })
            .filter(|b| !b.is_empty())
    }

    /// The one rectangle, if the units form one (or none).
    pub fn as_block(&self) -> Option<Block> {
        let mut it = self.blocks();
        match (it.next(), it.next()) {
            (None, _) => Some(Block::default()),
            (Some(b), None) => Some(b),
            _ => None,
        }
    }

    /// The smallest rectangle holding every owned unit.
    pub fn bounds(&self) -> Block {
        self.blocks()
            .fold(Block::default(), |acc, b| acc.union_bounds(&b))
    }

    /// Whether unit `(row, col)` is owned.
    pub fn contains(&self, row: usize, col: usize) -> bool {
        col >= self.c0 && col < self.c1 && self.rows.local(row).is_some()
    }

    /// Index in the local array of unit `(row, col)`, if owned.
    pub fn local_index(&self, row: usize, col: usize) -> Option<usize> {
        if col < self.c0 || col >= self.c1 {
            return None;
        }
        self.rows
            .local(row)
            .map(|lr| lr * self.cols() + col - self.c0)
    }

    /// Global `(row, col)` of local index `i`.
    pub fn global(&self, i: usize) -> (usize, usize) {
        let w = self.cols();
        (self.rows.global(i / w), self.c0 + i % w)
    }

    /// The owned units inside `rect`, as rectangles in local-data order.
    pub fn intersect(&self, rect: &Block) -> impl Iterator<Item = Block> + '_ {
        let rect = *rect;
        self.blocks()
            .map(move |b| b.intersect(&rect))
            .filter(|b| !b.is_empty())
    }

    /// Number of owned units inside `rect`.
    pub fn count_in(&self, rect: &Block) -> usize {
        self.intersect(rect).map(|b| b.len()).sum()
    }

    /// The seven integers that describe the ownership (for collectives).
    pub fn encode(&self) -> [u64; 7] {
        let r = &self.rows;
        [r.r0, r.r1, r.stripe, r.period, r.phase, self.c0, self.c1].map(|v| v as u64)
    }

    /// The inverse of [`Ownership::encode`]; `None` for a malformed code.
    pub fn decode(v: [u64; 7]) -> Option<Ownership> {
        let [r0, r1, stripe, period, phase, c0, c1] = v.map(|x| x as usize);
        if stripe == 0 || period == 0 || phase >= period || r1 < r0 || c1 < c0 {
            return None;
        }
        Some(Ownership {
            rows: RowSet {
                r0,
                r1,
                stripe,
                period,
                phase,
            },
            c0,
            c1,
        })
    }
}

/// How one sheet's units are split among ranks when the split does not
/// follow the process grid ([`Dealing::owner_set`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Dealing {
    /// Contiguous blocks of whole rows, even cuts.
    RowBlocks,
    /// Contiguous blocks of whole columns, even cuts.
    ColBlocks,
    /// Whole rows dealt round-robin in stripes of `stripe` rows
    /// (`stripe == 1`: cyclic; larger: block-cyclic).
    Stripes {
        /// Rows per stripe.
        stripe: usize,
    },
}

impl Dealing {
    /// Rank `rank`'s units of a `rows x cols` sheet split among `ranks`.
    pub fn owner_set(self, rows: usize, cols: usize, ranks: usize, rank: usize) -> Ownership {
        assert!(ranks >= 1 && rank < ranks, "rank {rank} of {ranks}");
        let cut = |n: usize, k: usize| n * k / ranks;
        match self {
            Dealing::RowBlocks => Ownership {
                rows: RowSet::range(cut(rows, rank), cut(rows, rank + 1)),
                c0: 0,
                c1: cols,
            },
            Dealing::ColBlocks => Ownership {
                rows: RowSet::range(0, rows),
                c0: cut(cols, rank),
                c1: cut(cols, rank + 1),
            },
            Dealing::Stripes { stripe } => Ownership {
                rows: RowSet::dealt(rows, stripe.max(1), ranks, rank),
                c0: 0,
                c1: cols,
            },
        }
    }

    /// Every rank's units, in rank order.
    pub fn all(self, rows: usize, cols: usize, ranks: usize) -> Vec<Ownership> {
        (0..ranks)
            .map(|q| self.owner_set(rows, cols, ranks, q))
            .collect()
    }
}

/// The balance of per-unit costs over owners: `(max, mean)` of the owners'
/// summed costs; `costs` is row-major over the `rows x cols` sheet.
pub fn load_of(owners: &[Ownership], cols: usize, costs: &[f64]) -> (f64, f64) {
    let loads: Vec<f64> = owners
        .iter()
        .map(|o| {
            o.blocks()
                .flat_map(|b| (b.r0..b.r1).map(move |r| (r, b)))
                .map(|(r, b)| costs[r * cols + b.c0..r * cols + b.c1].iter().sum::<f64>())
                .sum()
        })
        .collect();
    let max = loads.iter().cloned().fold(0.0, f64::max);
    let mean = loads.iter().sum::<f64>() / loads.len().max(1) as f64;
    (max, mean)
}

/// Copy the units of `region` from `src` (laid out by `src_own`) into `dst`
/// (row-major over the rectangle `dst_rect`). Every unit of `region` must be
/// owned by `src_own` and inside `dst_rect`.
pub fn copy_owned_to_rect(
    src_own: &Ownership,
    src: &[f64],
    dst_rect: &Block,
    dst: &mut [f64],
    region: &Block,
) {
    let w = region.cols();
    for r in region.r0..region.r1 {
        let s = src_own
            .local_index(r, region.c0)
            .expect("region row is owned");
        let d = (r - dst_rect.r0) * dst_rect.cols() + (region.c0 - dst_rect.c0);
        dst[d..d + w].copy_from_slice(&src[s..s + w]);
    }
}

/// Copy the units `dst_own` owns out of `src` (row-major over `src_rect`,
/// which holds them all) into `dst` (laid out by `dst_own`).
pub fn copy_rect_to_owned(src_rect: &Block, src: &[f64], dst_own: &Ownership, dst: &mut [f64]) {
    let mut off = 0;
    for b in dst_own.blocks() {
        let n = b.len();
        crate::exchange::copy_rect(src_rect, src, &b, &mut dst[off..off + n]);
        off += n;
    }
}

/// How many of the `rows x cols` units the `owners` leave unowned or own
/// twice, as an error message; `Ok` when they tile the sheet.
pub fn check_tiling(rows: usize, cols: usize, owners: &[Ownership]) -> Result<(), String> {
    let mut count = vec![0u32; rows * cols];
    for (q, o) in owners.iter().enumerate() {
        for b in o.blocks() {
            if b.r1 > rows || b.c1 > cols {
                return Err(format!(
                    "rank {q} owns {b:?}, outside the {rows}x{cols} sheet"
                ));
            }
            for r in b.r0..b.r1 {
                for c in b.c0..b.c1 {
                    count[r * cols + c] += 1;
                }
            }
        }
    }
    let twice = count.iter().filter(|&&n| n > 1).count();
    let none = count.iter().filter(|&&n| n == 0).count();
    if twice + none > 0 {
        return Err(format!(
            "{none} unit(s) of the {rows}x{cols} sheet have no owner and {twice} have several"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows_of(s: &RowSet) -> Vec<usize> {
        s.runs().flat_map(|(a, b)| a..b).collect()
    }

    #[test]
    fn dealt_rows_partition_the_sheet_in_stripes() {
        for rows in [0, 1, 5, 8, 13, 96] {
            for period in 1..=8 {
                for stripe in [1, 2, 4, 7] {
                    let mut seen = vec![0; rows];
                    for q in 0..period {
                        let s = RowSet::dealt(rows, stripe, period, q);
                        let got = rows_of(&s);
                        // Counted one by one from the definition.
                        let want: Vec<usize> =
                            (0..rows).filter(|r| (r / stripe) % period == q).collect();
                        assert_eq!(got, want, "rows={rows} k={stripe} p={period} q={q}");
                        assert_eq!(s.len(), want.len());
                        for (i, &r) in want.iter().enumerate() {
                            assert_eq!(s.local(r), Some(i));
                            assert_eq!(s.global(i), r);
                            seen[r] += 1;
                        }
                    }
                    assert!(seen.iter().all(|&n| n == 1));
                }
            }
        }
    }

    #[test]
    fn a_block_keeps_its_layout() {
        let b = Block {
            r0: 2,
            r1: 5,
            c0: 1,
            c1: 4,
        };
        let o = Ownership::from(b);
        assert_eq!(o.as_block(), Some(b));
        assert_eq!(o.bounds(), b);
        assert_eq!(o.len(), 9);
        for i in 0..9 {
            let (r, c) = o.global(i);
            assert_eq!((r, c), (2 + i / 3, 1 + i % 3));
            assert_eq!(o.local_index(r, c), Some(i));
        }
        assert_eq!(o.local_index(5, 1), None);
        assert_eq!(Ownership::decode(o.encode()), Some(o));
    }

    #[test]
    fn cyclic_ownership_maps_local_and_global_indices() {
        let o = Ownership {
            rows: RowSet::dealt(10, 2, 3, 1),
            c0: 0,
            c1: 4,
        };
        // Rows 2,3 and 8,9.
        assert_eq!(rows_of(&o.rows), vec![2, 3, 8, 9]);
        assert_eq!(o.as_block(), None);
        assert_eq!(
            o.bounds(),
            Block {
                r0: 2,
                r1: 10,
                c0: 0,
                c1: 4
            }
        );
        for i in 0..o.len() {
            let (r, c) = o.global(i);
            assert_eq!(o.local_index(r, c), Some(i));
        }
        let rect = Block {
            r0: 3,
            r1: 9,
            c0: 1,
            c1: 3,
        };
        let parts: Vec<Block> = o.intersect(&rect).collect();
        assert_eq!(parts.len(), 2);
        assert_eq!(o.count_in(&rect), 4);
        // Copies round-trip through a rectangle.
        let local: Vec<f64> = (0..o.len()).map(|i| i as f64).collect();
        let full = Block::full(10, 4);
        let mut whole = vec![-1.0; 40];
        for b in o.blocks() {
            copy_owned_to_rect(&o, &local, &full, &mut whole, &b);
        }
        let mut back = vec![0.0; o.len()];
        copy_rect_to_owned(&full, &whole, &o, &mut back);
        assert_eq!(back, local);
        assert_eq!(whole[2 * 4 + 1], 1.0);
        assert_eq!(whole[4 * 4], -1.0);
    }

    #[test]
    fn every_dealing_tiles_the_sheet() {
        for (rows, cols) in [(1, 1), (7, 5), (48, 48), (13, 96)] {
            for ranks in 1..=8 {
                for d in [
                    Dealing::RowBlocks,
                    Dealing::ColBlocks,
                    Dealing::Stripes { stripe: 1 },
                    Dealing::Stripes { stripe: 4 },
                ] {
                    let all = d.all(rows, cols, ranks);
                    assert_eq!(check_tiling(rows, cols, &all), Ok(()), "{d:?} {ranks}");
                }
            }
        }
    }

    #[test]
    fn load_balance_sums_each_owners_costs() {
        // Two hot rows at the top: row blocks put both on rank 0, cyclic
        // rows give each rank one; every column holds the same cost.
        let (rows, cols) = (4, 3);
        let mut costs = vec![1.0; rows * cols];
        costs[..2 * cols].iter_mut().for_each(|c| *c = 9.0);
        let (max, mean) = load_of(&Dealing::RowBlocks.all(rows, cols, 2), cols, &costs);
        assert_eq!((max, mean), (54.0, 30.0));
        let (max, _) = load_of(
            &Dealing::Stripes { stripe: 1 }.all(rows, cols, 2),
            cols,
            &costs,
        );
        assert_eq!(max, 30.0);
        let (max, _) = load_of(&Dealing::ColBlocks.all(rows, cols, 3), cols, &costs);
        assert_eq!(max, 20.0);
    }

    #[test]
    fn tiling_is_checked() {
        let owners: Vec<Ownership> = (0..3)
            .map(|q| Ownership {
                rows: RowSet::dealt(7, 2, 3, q),
                c0: 0,
                c1: 5,
            })
            .collect();
        assert_eq!(check_tiling(7, 5, &owners), Ok(()));
        assert!(check_tiling(7, 5, &owners[..2]).is_err());
        let mut twice = owners.clone();
        twice.push(owners[0]);
        assert!(check_tiling(7, 5, &twice).is_err());
        assert_eq!(Ownership::decode([0, 1, 0, 1, 0, 0, 1]), None);
    }
}
