//! Which units of each sheet every rank owns, for any decomposition mode,
//! and the halo plans that follow: pure functions of the sheet shapes, the
//! number of ranks and the mode, callable without MPI (the dry-run planner
//! runs them for N ranks inside one process).
//!
//! Modes per sheet ([`SheetSplit`]): the process grid's contiguous blocks
//! ([`GridDecomposition`], all sheets cut along the same lines), or a
//! [`Dealing`] of whole rows (cyclic, block-cyclic) or row/column blocks.
//! A unit's cost follows the active input in its CF, so contiguous blocks
//! take turns holding the training blobs; rows dealt cyclically give every
//! rank a share of each blob (benches/RESULTS.md, "Balance").

use crate::grid::{GridDecomposition, GridError};
use std::collections::BTreeMap;
use std::fmt;
use topo_sim::exchange::{Block, Decomposition};
use topo_sim::ownership::{Dealing, Ownership};

/// How one sheet is split among the ranks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SheetSplit {
    /// The process grid's block (today's default).
    Grid,
    /// Rows (or columns) dealt by a [`Dealing`].
    Dealt(Dealing),
}

impl SheetSplit {
    /// Parse `grid`, `rows-cyclic`, `rows-cyclic:K` (stripes of K rows),
    /// `row-blocks` or `col-blocks`.
    pub fn parse(s: &str) -> Result<SheetSplit, String> {
        let s = s.trim();
        Ok(match s {
            "grid" => SheetSplit::Grid,
            "rows-cyclic" => SheetSplit::Dealt(Dealing::Stripes { stripe: 1 }),
            "row-blocks" => SheetSplit::Dealt(Dealing::RowBlocks),
            "col-blocks" => SheetSplit::Dealt(Dealing::ColBlocks),
            _ => match s.strip_prefix("rows-cyclic:") {
                Some(k) => match k.parse::<usize>() {
                    Ok(k) if k >= 1 => SheetSplit::Dealt(Dealing::Stripes { stripe: k }),
                    _ => {
                        return Err(format!(
                            "'{s}': the stripe K of rows-cyclic:K must be a whole number >= 1"
                        ))
                    }
                },
                None => {
                    return Err(format!(
                        "'{s}': expected grid, rows-cyclic, rows-cyclic:K, row-blocks or col-blocks"
                    ))
                }
            },
        })
    }
}

impl fmt::Display for SheetSplit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SheetSplit::Grid => f.write_str("grid"),
            SheetSplit::Dealt(Dealing::Stripes { stripe: 1 }) => f.write_str("rows-cyclic"),
            SheetSplit::Dealt(Dealing::Stripes { stripe }) => write!(f, "rows-cyclic:{stripe}"),
            SheetSplit::Dealt(Dealing::RowBlocks) => f.write_str("row-blocks"),
            SheetSplit::Dealt(Dealing::ColBlocks) => f.write_str("col-blocks"),
        }
    }
}

/// The split of every sheet: a default and per-sheet choices.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct SplitChoice {
    /// For sheets not named in `per_sheet` (`None`: the grid).
    pub default: Option<SheetSplit>,
    /// Per sheet name.
    pub per_sheet: BTreeMap<String, SheetSplit>,
}

impl SplitChoice {
    /// Parse a comma-separated list of `MODE` (the default) and
    /// `SHEET=MODE` items, e.g. `V1=rows-cyclic,grid`.
    pub fn parse(s: &str) -> Result<SplitChoice, String> {
        let mut c = SplitChoice::default();
        for item in s.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            match item.split_once('=') {
                Some((sheet, mode)) => {
                    c.per_sheet
                        .insert(sheet.trim().to_string(), SheetSplit::parse(mode)?);
                }
                None => c.default = Some(SheetSplit::parse(item)?),
            }
        }
        Ok(c)
    }

    /// The split of sheet `name`.
    pub fn of(&self, name: &str) -> SheetSplit {
        self.per_sheet
            .get(name)
            .copied()
            .or(self.default)
            .unwrap_or(SheetSplit::Grid)
    }
}

/// A decomposition of every sheet for `size` ranks: the process grid plus
/// the per-sheet [`SplitChoice`]. Implements the engine's
/// [`Decomposition`] for its own rank; [`Assignment::ownership_of`] answers
/// for any rank (the planner).
#[derive(Clone, Debug, PartialEq)]
pub struct Assignment {
    grid: GridDecomposition,
    choice: SplitChoice,
}

impl Assignment {
    /// `size` ranks, this one `rank`, sheets with true bounds `lbrts`
    /// ([`GridDecomposition::for_sheets`]), split as `choice` says.
    pub fn new(
        size: usize,
        rank: usize,
        lbrts: &[[f64; 4]],
        choice: SplitChoice,
    ) -> Result<Assignment, GridError> {
        Ok(Assignment {
            grid: GridDecomposition::for_sheets(size, rank, lbrts)?,
            choice,
        })
    }

    /// The process grid (used by the sheets split by [`SheetSplit::Grid`]).
    pub fn grid(&self) -> &GridDecomposition {
        &self.grid
    }

    /// The per-sheet choice.
    pub fn choice(&self) -> &SplitChoice {
        &self.choice
    }

    /// Rank `rank`'s units of sheet `name` (`rows x cols`, true bounds
    /// `lbrt`).
    pub fn ownership_of(
        &self,
        rank: usize,
        name: &str,
        rows: usize,
        cols: usize,
        lbrt: [f64; 4],
    ) -> Ownership {
        match self.choice.of(name) {
            SheetSplit::Grid => self.grid.block_of(rank, rows, cols, lbrt).into(),
            SheetSplit::Dealt(d) => d.owner_set(rows, cols, self.grid.size(), rank),
        }
    }

    /// Every rank's units of a sheet, in rank order.
    pub fn all_owners(
        &self,
        name: &str,
        rows: usize,
        cols: usize,
        lbrt: [f64; 4],
    ) -> Vec<Ownership> {
        (0..self.grid.size())
            .map(|q| self.ownership_of(q, name, rows, cols, lbrt))
            .collect()
    }
}

impl Decomposition for Assignment {
    fn block(&self, sheet: &str, rows: usize, cols: usize, lbrt: [f64; 4]) -> Block {
        self.ownership(sheet, rows, cols, lbrt).bounds()
    }
    fn ownership(&self, sheet: &str, rows: usize, cols: usize, lbrt: [f64; 4]) -> Ownership {
        self.ownership_of(self.grid.rank(), sheet, rows, cols, lbrt)
    }
}

/// One message of an [`OwnedHaloPlan`]: the rectangles (global matrix
/// indices) carried between this rank and `rank`, packed in this order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeerTransfer {
    /// The peer rank.
    pub rank: usize,
    /// The rectangles, in the sender's local-data order.
    pub rects: Vec<Block>,
}

impl PeerTransfer {
    /// Units carried.
    pub fn units(&self) -> usize {
        self.rects.iter().map(|b| b.len()).sum()
    }
}

/// What one rank does for one halo when owners hold any [`Ownership`]:
/// one message per peer.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct OwnedHaloPlan {
    /// The parts of `needed` this rank owns (copied locally).
    pub local: Vec<Block>,
    /// Received, in increasing peer rank.
    pub recvs: Vec<PeerTransfer>,
    /// Sent, in increasing peer rank.
    pub sends: Vec<PeerTransfer>,
}

impl OwnedHaloPlan {
    /// The plan of rank `me`, given every rank's units and needed rectangle.
    pub fn compute(me: usize, owns: &[Ownership], needs: &[Block]) -> OwnedHaloPlan {
        let transfers = |f: &dyn Fn(usize) -> Vec<Block>| -> Vec<PeerTransfer> {
            (0..owns.len())
                .filter(|&q| q != me)
                .map(|q| PeerTransfer {
                    rank: q,
                    rects: f(q),
                })
                .filter(|t| t.units() > 0)
                .collect()
        };
        OwnedHaloPlan {
            local: owns[me].intersect(&needs[me]).collect(),
            recvs: transfers(&|q| owns[q].intersect(&needs[me]).collect()),
            sends: transfers(&|q| owns[me].intersect(&needs[q]).collect()),
        }
    }

    /// Units received per exchange.
    pub fn recv_units(&self) -> usize {
        self.recvs.iter().map(PeerTransfer::units).sum()
    }

    /// Units sent per exchange.
    pub fn send_units(&self) -> usize {
        self.sends.iter().map(PeerTransfer::units).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const UNIT: [f64; 4] = [-0.5, -0.5, 0.5, 0.5];

    #[test]
    fn modes_parse_and_print() {
        for s in [
            "grid",
            "rows-cyclic",
            "rows-cyclic:4",
            "row-blocks",
            "col-blocks",
        ] {
            assert_eq!(SheetSplit::parse(s).unwrap().to_string(), s);
        }
        assert!(SheetSplit::parse("rows-cyclic:0").is_err());
        assert!(SheetSplit::parse("diagonal").is_err());
        let c = SplitChoice::parse("V1=rows-cyclic:2, col-blocks").unwrap();
        assert_eq!(
            c.of("V1"),
            SheetSplit::Dealt(Dealing::Stripes { stripe: 2 })
        );
        assert_eq!(c.of("LGNOn"), SheetSplit::Dealt(Dealing::ColBlocks));
        assert_eq!(SplitChoice::default().of("V1"), SheetSplit::Grid);
    }

    #[test]
    fn assignments_tile_and_plans_fetch_exactly_the_needed_units() {
        let (rows, cols) = (12, 10);
        for n in 1..=8 {
            for mode in ["grid", "rows-cyclic", "rows-cyclic:3", "col-blocks"] {
                let choice = SplitChoice::parse(mode).unwrap();
                let a = Assignment::new(n, 0, &[UNIT], choice).unwrap();
                let owns = a.all_owners("S", rows, cols, UNIT);
                topo_sim::ownership::check_tiling(rows, cols, &owns).unwrap();
                // Every rank needs a band around a point of its own.
                let needs: Vec<Block> = owns
                    .iter()
                    .map(|o| {
                        let b = o.bounds();
                        if b.is_empty() {
                            return b;
                        }
                        Block {
                            r0: b.r0.saturating_sub(2),
                            r1: (b.r0 + 3).min(rows),
                            c0: b.c0.saturating_sub(1),
                            c1: (b.c0 + 4).min(cols),
                        }
                    })
                    .collect();
                let plans: Vec<_> = (0..n)
                    .map(|q| OwnedHaloPlan::compute(q, &owns, &needs))
                    .collect();
                for q in 0..n {
                    // Local + received cells are exactly `needed`, once each.
                    let mut cells = vec![0u32; rows * cols];
                    let rects = plans[q]
                        .local
                        .iter()
                        .chain(plans[q].recvs.iter().flat_map(|t| t.rects.iter()));
                    for b in rects {
                        for r in b.r0..b.r1 {
                            for c in b.c0..b.c1 {
                                cells[r * cols + c] += 1;
                            }
                        }
                    }
                    for r in 0..rows {
                        for c in 0..cols {
                            let want = u32::from(needs[q].contains(r, c));
                            assert_eq!(
                                cells[r * cols + c],
                                want,
                                "{mode} n={n} rank {q} ({r},{c})"
                            );
                        }
                    }
                    for t in &plans[q].sends {
                        let back = plans[t.rank].recvs.iter().find(|u| u.rank == q);
                        assert_eq!(back.map(|u| &u.rects), Some(&t.rects), "{mode} n={n}");
                    }
                }
            }
        }
    }
}
