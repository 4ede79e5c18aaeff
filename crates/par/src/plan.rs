//! Halo plans: for one registered rectangle, what each rank receives from
//! whom and sends to whom. Pure computation, the same on every rank from the
//! allgathered `own` and `needed` rectangles.
//!
//! Because the owned blocks tile the sheet, intersecting a rank's needed
//! rectangle with every other rank's block yields exactly the needed units
//! it does not own, each once: no over-fetching, and a halo wider than a
//! neighbour's block simply intersects blocks further away.

use std::fmt;
use topo_sim::exchange::Block;

/// One message of a plan: a rectangle (global matrix indices) and the rank
/// on the other end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transfer {
    /// The peer rank.
    pub rank: usize,
    /// The rectangle carried.
    pub rect: Block,
}

/// What one rank does for one halo.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct HaloPlan {
    /// The part of `needed` this rank owns (copied locally).
    pub local: Block,
    /// Rectangles received, in increasing peer rank.
    pub recvs: Vec<Transfer>,
    /// Rectangles sent, in increasing peer rank.
    pub sends: Vec<Transfer>,
}

impl HaloPlan {
    /// The plan of rank `me`, given every rank's owned block and needed
    /// rectangle (in rank order).
    pub fn compute(me: usize, owns: &[Block], needs: &[Block]) -> HaloPlan {
        let transfers = |f: &dyn Fn(usize) -> Block| -> Vec<Transfer> {
            (0..owns.len())
                .filter(|&q| q != me)
                .map(|q| Transfer {
                    rank: q,
                    rect: f(q),
                })
                .filter(|t| !t.rect.is_empty())
                .collect()
        };
        HaloPlan {
            local: needs[me].intersect(&owns[me]),
            recvs: transfers(&|q| needs[me].intersect(&owns[q])),
            sends: transfers(&|q| needs[q].intersect(&owns[me])),
        }
    }

    /// Units received per exchange.
    pub fn recv_units(&self) -> usize {
        self.recvs.iter().map(|t| t.rect.len()).sum()
    }

    /// Units sent per exchange.
    pub fn send_units(&self) -> usize {
        self.sends.iter().map(|t| t.rect.len()).sum()
    }
}

/// Why a set of blocks does not tile a sheet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TilingError(String);

impl fmt::Display for TilingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TilingError {}

/// Checks that `owns` tile a `rows x cols` matrix: inside it, pairwise
/// disjoint, and covering it (by area, which with disjointness suffices).
pub fn check_tiling(rows: usize, cols: usize, owns: &[Block]) -> Result<(), TilingError> {
    for (q, b) in owns.iter().enumerate() {
        if !b.is_empty() && (b.r1 > rows || b.c1 > cols) {
            return Err(TilingError(format!(
                "rank {q}'s block {b:?} lies outside the {rows}x{cols} sheet"
            )));
        }
    }
    for (p, a) in owns.iter().enumerate() {
        for (q, b) in owns.iter().enumerate().skip(p + 1) {
            if !a.intersect(b).is_empty() {
                return Err(TilingError(format!(
                    "blocks of ranks {p} ({a:?}) and {q} ({b:?}) overlap"
                )));
            }
        }
    }
    let area: usize = owns.iter().map(|b| b.len()).sum();
    if area != rows * cols {
        return Err(TilingError(format!(
            "the blocks cover {area} of the {rows}x{cols} sheet's {} units",
            rows * cols
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grid::GridDecomposition;

    fn grow(b: Block, h: usize, rows: usize, cols: usize) -> Block {
        if b.is_empty() {
            return b;
        }
        Block {
            r0: b.r0.saturating_sub(h),
            r1: (b.r1 + h).min(rows),
            c0: b.c0.saturating_sub(h),
            c1: (b.c1 + h).min(cols),
        }
    }

    /// Units of `needed` outside `own`, counted one by one.
    fn outside(needed: &Block, own: &Block) -> usize {
        (needed.r0..needed.r1)
            .flat_map(|r| (needed.c0..needed.c1).map(move |c| (r, c)))
            .filter(|&(r, c)| !own.contains(r, c))
            .count()
    }

    /// The union of rectangles as a cell set.
    fn cells(rects: &[Block], cols: usize) -> Vec<usize> {
        let mut v: Vec<usize> = rects
            .iter()
            .flat_map(|b| (b.r0..b.r1).flat_map(move |r| (b.c0..b.c1).map(move |c| r * cols + c)))
            .collect();
        v.sort_unstable();
        v
    }

    fn check_plans(owns: &[Block], needs: &[Block], rows: usize, cols: usize) {
        let n = owns.len();
        let plans: Vec<_> = (0..n).map(|q| HaloPlan::compute(q, owns, needs)).collect();
        for q in 0..n {
            let p = &plans[q];
            // Volume: exactly the needed units outside the own block.
            assert_eq!(p.recv_units(), outside(&needs[q], &owns[q]), "rank {q}");
            // Received cells are distinct, outside the own block, inside
            // `needed`, and together with the local part make up `needed`.
            let mut all: Vec<Block> = p.recvs.iter().map(|t| t.rect).collect();
            all.push(p.local);
            let got = cells(&all, cols);
            let want = cells(&[needs[q]], cols);
            assert_eq!(got, want, "rank {q}: received + local != needed");
            for t in &p.recvs {
                assert!(owns[t.rank].intersect(&t.rect) == t.rect, "sender owns it");
                assert!(t.rect.intersect(&owns[q]).is_empty());
            }
            // Sends mirror receives.
            for t in &p.sends {
                let back = plans[t.rank].recvs.iter().find(|u| u.rank == q);
                assert_eq!(back.map(|u| u.rect), Some(t.rect));
            }
        }
        let sent: usize = plans.iter().map(|p| p.send_units()).sum();
        let recv: usize = plans.iter().map(|p| p.recv_units()).sum();
        assert_eq!(sent, recv);
        let _ = rows;
    }

    #[test]
    fn plans_fetch_exactly_the_needed_units_outside_the_block() {
        let unit = [-0.5, -0.5, 0.5, 0.5];
        let lgn = [-1.27083, -1.27083, 1.27083, 1.27083];
        for n in (1..=16).chain([17, 23, 31]) {
            let d = GridDecomposition::for_sheets(n, 0, &[unit, lgn]).unwrap();
            for &(lbrt, rows, cols) in &[(unit, 8usize, 8usize), (unit, 3, 3), (lgn, 60, 60)] {
                let owns = d.all_blocks(rows, cols, lbrt);
                check_tiling(rows, cols, &owns).unwrap();
                // Halos of 0, 1, 3 units, wider than a block, and the whole
                // sheet (which reaches every rank).
                for h in [0, 1, 3, 9, 100] {
                    let needs: Vec<_> = owns.iter().map(|&b| grow(b, h, rows, cols)).collect();
                    check_plans(&owns, &needs, rows, cols);
                }
                // Needs unrelated to the own blocks, some empty.
                let needs: Vec<_> = (0..n)
                    .map(|q| {
                        if q % 3 == 2 {
                            Block::default()
                        } else {
                            let r0 = (q * 5) % rows;
                            let c0 = (q * 7) % cols;
                            Block {
                                r0,
                                r1: (r0 + 4).min(rows),
                                c0,
                                c1: (c0 + 6).min(cols),
                            }
                        }
                    })
                    .collect();
                check_plans(&owns, &needs, rows, cols);
            }
        }
    }

    #[test]
    fn a_wide_halo_reaches_beyond_the_neighbours() {
        // 8 strips of one row; a halo of 2 rows needs two ranks on each side.
        let owns: Vec<_> = (0..8)
            .map(|r| Block {
                r0: r,
                r1: r + 1,
                c0: 0,
                c1: 4,
            })
            .collect();
        let needs: Vec<_> = owns.iter().map(|&b| grow(b, 2, 8, 4)).collect();
        let p = HaloPlan::compute(4, &owns, &needs);
        let peers: Vec<_> = p.recvs.iter().map(|t| t.rank).collect();
        assert_eq!(peers, vec![2, 3, 5, 6]);
        assert_eq!(p.recv_units(), 16);
    }

    #[test]
    fn tiling_errors_are_reported() {
        let a = Block {
            r0: 0,
            r1: 2,
            c0: 0,
            c1: 2,
        };
        let b = Block {
            r0: 1,
            r1: 2,
            c0: 0,
            c1: 2,
        };
        assert!(check_tiling(2, 2, &[a]).is_ok());
        assert!(check_tiling(2, 2, &[a, b]).is_err());
        assert!(check_tiling(3, 2, &[a]).is_err());
        assert!(check_tiling(1, 2, &[a]).is_err());
    }
}
