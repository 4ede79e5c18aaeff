//! [`DryRunExchange`]: the engine's [`Exchange`] for rank `r` of `N` ranks,
//! run inside one process without MPI (as arbor's `dry_run_context`).
//!
//! Where [`crate::MpiExchange`] allgathers every rank's ownership
//! and needed rectangle at `register`, the dry run asks a [`RankOracle`]
//! for them: the ownerships come from the decomposition (the
//! [`crate::Assignment`], deterministic on every rank, no communication:
//! grid blocks or rows dealt in stripes) and the needed rectangles from
//! the projections' geometry. The halo plan of rank `r` is then made by
//! the same [`OwnedHaloPlan::compute`] and checked by the same
//! [`check_tiling`] as in a real run, so building the network in a dry run
//! yields exactly the plans rank `r` would use. The engine's own `needed` for rank `r` is
//! compared with the oracle's: a difference is a bug of the oracle and
//! stops the dry run (as a tiling error stops a real one).
//!
//! [`DryRunExchange::halo_summaries`] gives every rank's volumes, counted
//! with an index of the owned rectangles ([`summarize`]), so that planning
//! for 65536 ranks takes time proportional to the rectangles a halo meets,
//! not to the square of the rank count.
//!
//! Collectives answer with this rank's own contribution (`max` returns its
//! argument, `allgather_sheet` a sheet holding only this rank's block):
//! nothing else is known in a dry run. They are counted, as exchanges are,
//! so that a dry run of an iteration tells how often each one happens.

use crate::assignment::OwnedHaloPlan;
use crate::comm::{ExchangeStats, HaloSummary};
use crate::halo_messages;
use topo_sim::exchange::{Block, Exchange, HaloId};
use topo_sim::ownership::{check_tiling, copy_owned_to_rect, Ownership};

/// Every rank's rectangles of one registered halo, in rank order.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct PeerRects {
    /// Each rank's units of the source sheet.
    pub owns: Vec<Ownership>,
    /// Each rank's needed rectangle of the source sheet.
    pub needs: Vec<Block>,
}

/// What a dry run knows about the other ranks without asking them.
pub trait RankOracle {
    /// Every rank's rectangles for the `index`-th registration (in the
    /// engine's registration order) of a halo on source sheet `sheet`
    /// (`rows x cols`). An error stops the dry run with its message.
    fn rects(
        &mut self,
        index: usize,
        sheet: &str,
        rows: usize,
        cols: usize,
    ) -> Result<PeerRects, String>;
}

/// One registered halo of the dry run.
struct DryHalo {
    own: Ownership,
    needed: Block,
    plan: OwnedHaloPlan,
    summary: HaloSummary,
    calls: u64,
}

/// Rank `rank` of `size` ranks, without MPI.
pub struct DryRunExchange {
    rank: usize,
    size: usize,
    oracle: Box<dyn RankOracle>,
    halos: Vec<DryHalo>,
    stats: ExchangeStats,
}

impl DryRunExchange {
    /// Rank `rank` of a job of `size` ranks whose rectangles `oracle`
    /// knows. Panics if `rank >= size`.
    pub fn new(rank: usize, size: usize, oracle: Box<dyn RankOracle>) -> DryRunExchange {
        assert!(
            rank < size,
            "dry run: rank {rank} is not in a job of {size}"
        );
        DryRunExchange {
            rank,
            size,
            oracle,
            halos: Vec::new(),
            stats: ExchangeStats::default(),
        }
    }

    /// Every registered halo with every rank's volumes, in registration
    /// order.
    pub fn halo_summaries(&self) -> Vec<HaloSummary> {
        self.halos.iter().map(|h| h.summary.clone()).collect()
    }

    /// This rank's plan of a registered halo.
    pub fn plan(&self, id: HaloId) -> &OwnedHaloPlan {
        &self.halos[id.0].plan
    }

    /// How often each registered halo was exchanged, in registration order.
    pub fn halo_calls(&self) -> Vec<u64> {
        self.halos.iter().map(|h| h.calls).collect()
    }

    /// The traffic rank `rank` would have had so far (times stay zero).
    pub fn stats(&self) -> ExchangeStats {
        self.stats
    }
}

impl Exchange for DryRunExchange {
    fn rank(&self) -> usize {
        self.rank
    }

    fn size(&self) -> usize {
        self.size
    }

    fn register(
        &mut self,
        sheet: &str,
        rows: usize,
        cols: usize,
        own: &Ownership,
        needed: Block,
    ) -> HaloId {
        let index = self.halos.len();
        let own = *own;
        let rects = self
            .oracle
            .rects(index, sheet, rows, cols)
            .unwrap_or_else(|e| panic!("dry run: halo {index} on sheet {sheet}: {e}"));
        let (owns, needs) = (&rects.owns, &rects.needs);
        assert!(
            owns.len() == self.size && needs.len() == self.size,
            "dry run: halo {index} on sheet {sheet}: the oracle knows {} owned and {} needed rectangles for {} ranks",
            owns.len(),
            needs.len(),
            self.size
        );
        if let Err(e) = check_tiling(rows, cols, owns) {
            panic!("dry run: halo {index} on sheet {sheet}: the owned blocks do not tile it: {e}");
        }
        let me = self.rank;
        assert!(
            owns[me] == own && needs[me] == needed,
            "dry run: halo {index} on sheet {sheet}: rank {me} owns {own:?} and needs {needed:?}, \
             the oracle says {:?} and {:?}",
            owns[me],
            needs[me]
        );
        let plan = OwnedHaloPlan::compute(me, owns, needs);
        let summary = summarize(sheet, rows, cols, owns, needs);
        self.halos.push(DryHalo {
            own,
            needed,
            plan,
            summary,
            calls: 0,
        });
        HaloId(index)
    }

    fn exchange(&mut self, id: HaloId, local: &[f64], out: &mut [f64]) {
        let h = &mut self.halos[id.0];
        assert_eq!(
            local.len(),
            h.own.len(),
            "exchange: local data != own block"
        );
        assert_eq!(
            out.len(),
            h.needed.len(),
            "exchange: output != needed rectangle"
        );
        // Remote values are unknown in a dry run: zero.
        out.fill(0.0);
        halo_messages::copy_local(&h.plan, &h.own, local, &h.needed, out);
        h.calls += 1;
        halo_messages::count(&mut self.stats, &h.plan);
    }

    fn max(&mut self, v: f64) -> f64 {
        self.stats.collectives += 1;
        v
    }

    fn argmax(&mut self, v: f64, index: usize) -> (f64, usize) {
        self.stats.collectives += 1;
        (v, index)
    }

    fn allgather_sheet(
        &mut self,
        rows: usize,
        cols: usize,
        own: &Ownership,
        local: &[f64],
    ) -> Vec<f64> {
        assert_eq!(
            local.len(),
            own.len(),
            "allgather_sheet: local data != own units"
        );
        let whole_block = Block::full(rows, cols);
        let mut whole = vec![0.0; rows * cols];
        for b in own.blocks() {
            copy_owned_to_rect(own, local, &whole_block, &mut whole, &b);
        }
        whole
    }
}

/// The rectangles of one row interval: `(r0, r1, rectangles sorted by c0
/// as (c0, c1, rank))`.
type Band = (usize, usize, Vec<(usize, usize, usize)>);

/// The owned rectangles (every rank's [`Ownership::blocks`]) indexed for
/// "which rectangles does this rectangle meet": rectangles grouped by
/// their row interval (a band), bands and the rectangles inside a band
/// sorted, so a query visits only bands and rectangles it meets when the
/// bands are disjoint (a process grid, rows dealt in stripes to all ranks)
/// and all bands otherwise.
struct BlockIndex {
    bands: Vec<Band>,
    disjoint: bool,
}

impl BlockIndex {
    fn new(owns: &[Ownership]) -> BlockIndex {
        let mut bands: Vec<Band> = Vec::new();
        let mut keyed: Vec<(usize, usize, usize, usize, usize)> = owns
            .iter()
            .enumerate()
            .flat_map(|(q, o)| o.blocks().map(move |b| (b.r0, b.r1, b.c0, b.c1, q)))
            .collect();
        keyed.sort_unstable();
        for (r0, r1, c0, c1, q) in keyed {
            match bands.last_mut() {
                Some((a, b, v)) if *a == r0 && *b == r1 => v.push((c0, c1, q)),
                _ => bands.push((r0, r1, vec![(c0, c1, q)])),
            }
        }
        let disjoint = bands.windows(2).all(|w| w[0].1 <= w[1].0)
            && bands
                .iter()
                .all(|(_, _, v)| v.windows(2).all(|w| w[0].1 <= w[1].0));
        BlockIndex { bands, disjoint }
    }

    /// Calls `f(rank, intersection)` for every owned rectangle meeting
    /// `need` (a rank owning several calls once per rectangle).
    fn meeting(&self, need: &Block, mut f: impl FnMut(usize, Block)) {
        if need.is_empty() {
            return;
        }
        let first = if self.disjoint {
            self.bands.partition_point(|b| b.1 <= need.r0)
        } else {
            0
        };
        for (r0, r1, blocks) in &self.bands[first..] {
            if self.disjoint && *r0 >= need.r1 {
                break;
            }
            if *r1 <= need.r0 || *r0 >= need.r1 {
                continue;
            }
            let start = if self.disjoint {
                blocks.partition_point(|b| b.1 <= need.c0)
            } else {
                0
            };
            for &(c0, c1, q) in &blocks[start..] {
                if self.disjoint && c0 >= need.c1 {
                    break;
                }
                let inter = need.intersect(&Block {
                    r0: *r0,
                    r1: *r1,
                    c0,
                    c1,
                });
                if !inter.is_empty() {
                    f(q, inter);
                }
            }
        }
    }
}

/// Every rank's per-exchange volumes of one halo (one message per pair of
/// ranks that share units, whatever the number of rectangles), from every
/// rank's ownership and needed rectangle: what [`crate::MpiExchange`]
/// reports too (it calls this at registration).
pub fn summarize(
    sheet: &str,
    rows: usize,
    cols: usize,
    owns: &[Ownership],
    needs: &[Block],
) -> HaloSummary {
    let n = owns.len();
    let mut s = HaloSummary {
        sheet: sheet.to_string(),
        rows,
        cols,
        recv_units: vec![0; n],
        send_units: vec![0; n],
        recv_messages: vec![0; n],
        send_messages: vec![0; n],
    };
    let index = BlockIndex::new(owns);
    // The last receiver each sender was counted a message for.
    let mut last_to = vec![usize::MAX; n];
    for (p, need) in needs.iter().enumerate() {
        index.meeting(need, |q, inter| {
            if q != p {
                s.recv_units[p] += inter.len();
                s.send_units[q] += inter.len();
                if last_to[q] != p {
                    last_to[q] = p;
                    s.recv_messages[p] += 1;
                    s.send_messages[q] += 1;
                }
            }
        });
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grid::GridDecomposition;
    use topo_sim::ownership::Dealing;

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

    fn owners(blocks: &[Block]) -> Vec<Ownership> {
        blocks.iter().map(|&b| b.into()).collect()
    }

    /// The plain count over all pairs (what `MpiExchange::register` did
    /// before it called `summarize`).
    fn summarize_by_pairs(owns: &[Ownership], needs: &[Block]) -> [Vec<usize>; 4] {
        let n = owns.len();
        let mut v = [vec![0; n], vec![0; n], vec![0; n], vec![0; n]];
        for p in 0..n {
            for q in (0..n).filter(|&q| q != p) {
                let m = owns[q].count_in(&needs[p]);
                if m > 0 {
                    v[0][p] += m;
                    v[1][q] += m;
                    v[2][p] += 1;
                    v[3][q] += 1;
                }
            }
        }
        v
    }

    struct Fixed(PeerRects);
    impl RankOracle for Fixed {
        fn rects(&mut self, _: usize, _: &str, _: usize, _: usize) -> Result<PeerRects, String> {
            Ok(self.0.clone())
        }
    }

    #[test]
    fn the_indexed_count_equals_the_count_over_all_pairs() {
        let unit = [-0.5, -0.5, 0.5, 0.5];
        for n in [1, 2, 3, 4, 6, 7, 12, 16, 30, 64] {
            let d = GridDecomposition::new(n, 0, unit).unwrap();
            for (rows, cols) in [(8, 8), (3, 3), (40, 25)] {
                let blocks = d.all_blocks(rows, cols, unit);
                let owns = owners(&blocks);
                for h in [0, 1, 2, 5, 40] {
                    let needs: Vec<_> = blocks.iter().map(|&b| grow(b, h, rows, cols)).collect();
                    let s = summarize("S", rows, cols, &owns, &needs);
                    let [ru, su, rm, sm] = summarize_by_pairs(&owns, &needs);
                    assert_eq!(s.recv_units, ru, "n={n} h={h}");
                    assert_eq!(s.send_units, su, "n={n} h={h}");
                    assert_eq!(s.recv_messages, rm, "n={n} h={h}");
                    assert_eq!(s.send_messages, sm, "n={n} h={h}");
                }
            }
        }
        // A tiling that is not a product (bands overlap): the index falls
        // back to visiting every band.
        let blocks = vec![
            Block {
                r0: 0,
                r1: 2,
                c0: 0,
                c1: 2,
            },
            Block {
                r0: 0,
                r1: 1,
                c0: 2,
                c1: 4,
            },
            Block {
                r0: 1,
                r1: 4,
                c0: 2,
                c1: 4,
            },
            Block {
                r0: 2,
                r1: 4,
                c0: 0,
                c1: 2,
            },
        ];
        let needs: Vec<_> = blocks.iter().map(|&b| grow(b, 1, 4, 4)).collect();
        let owns = owners(&blocks);
        let s = summarize("S", 4, 4, &owns, &needs);
        assert_eq!(s.recv_units, summarize_by_pairs(&owns, &needs)[0]);
    }

    #[test]
    fn the_indexed_count_of_dealt_rows_equals_the_count_over_all_pairs() {
        // Rows dealt in stripes: a rank owns several rectangles, and one
        // message per peer carries all of those a need meets.
        for n in [1, 2, 3, 5, 8, 13] {
            for stripe in [1, 2, 3] {
                for (rows, cols) in [(12, 10), (5, 7), (40, 3)] {
                    let owns = Dealing::Stripes { stripe }.all(rows, cols, n);
                    for h in [0, 1, 2, 6, 40] {
                        let needs: Vec<_> = owns
                            .iter()
                            .map(|o| grow(o.bounds(), h, rows, cols))
                            .collect();
                        let s = summarize("S", rows, cols, &owns, &needs);
                        let [ru, su, rm, sm] = summarize_by_pairs(&owns, &needs);
                        let at = format!("n={n} stripe={stripe} {rows}x{cols} h={h}");
                        assert_eq!(s.recv_units, ru, "{at}");
                        assert_eq!(s.send_units, su, "{at}");
                        assert_eq!(s.recv_messages, rm, "{at}");
                        assert_eq!(s.send_messages, sm, "{at}");
                        // And each rank's own plan agrees.
                        for q in 0..n {
                            let p = OwnedHaloPlan::compute(q, &owns, &needs);
                            assert_eq!(p.recv_units(), ru[q], "{at} rank {q}");
                            assert_eq!(p.recvs.len(), rm[q], "{at} rank {q}");
                            assert_eq!(p.sends.len(), sm[q], "{at} rank {q}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn the_dry_run_makes_the_plan_of_its_rank_and_counts_exchanges() {
        let unit = [-0.5, -0.5, 0.5, 0.5];
        let d = GridDecomposition::new(4, 0, unit).unwrap();
        let blocks = d.all_blocks(8, 8, unit);
        let owns = owners(&blocks);
        let needs: Vec<_> = blocks.iter().map(|&b| grow(b, 1, 8, 8)).collect();
        let rects = PeerRects {
            owns: owns.clone(),
            needs: needs.clone(),
        };
        let mut ex = DryRunExchange::new(3, 4, Box::new(Fixed(rects)));
        let id = ex.register("V1", 8, 8, &owns[3], needs[3]);
        assert_eq!(*ex.plan(id), OwnedHaloPlan::compute(3, &owns, &needs));
        let local: Vec<f64> = (0..16).map(|i| i as f64 + 1.0).collect();
        let mut out = vec![-1.0; needs[3].len()];
        ex.exchange(id, &local, &mut out);
        ex.exchange(id, &local, &mut out);
        // Own part copied (row 4, col 4 is local value 1 at (1, 1) of the
        // 5x5 needed rectangle rows 3..8, cols 3..8), the rest zero.
        assert_eq!(out[6], 1.0);
        assert_eq!(out[0], 0.0);
        assert_eq!(ex.halo_calls(), vec![2]);
        let st = ex.stats();
        assert_eq!(st.units_received, 2 * 9);
        assert_eq!(st.messages_received, 2 * 3);
        assert_eq!(ex.halo_summaries()[0].recv_units, vec![9; 4]);
    }

    #[test]
    fn the_dry_run_plans_rows_dealt_in_stripes() {
        // 8x4 sheet, rows dealt cyclically to 3 ranks; rank 1 owns rows
        // 1, 4, 7 and needs rows 0..6.
        let owns = Dealing::Stripes { stripe: 1 }.all(8, 4, 3);
        let needs = vec![Block::full(8, 4); 3];
        let mut mine = needs.clone();
        mine[1] = Block {
            r0: 0,
            r1: 6,
            c0: 0,
            c1: 4,
        };
        let rects = PeerRects {
            owns: owns.clone(),
            needs: mine.clone(),
        };
        let mut ex = DryRunExchange::new(1, 3, Box::new(Fixed(rects)));
        let id = ex.register("V1", 8, 4, &owns[1], mine[1]);
        // Rows 1 and 4 are local; rows 0, 3 (rank 0) and 2, 5 (rank 2)
        // arrive in one message each.
        assert_eq!(ex.plan(id).recv_units(), 16);
        assert_eq!(ex.plan(id).recvs.len(), 2);
        let local: Vec<f64> = (0..12).map(|i| i as f64 + 1.0).collect();
        let mut out = vec![-1.0; 24];
        ex.exchange(id, &local, &mut out);
        // Row 1 of the sheet is the first local row, row 4 the second.
        assert_eq!(&out[4..8], &[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(&out[16..20], &[5.0, 6.0, 7.0, 8.0]);
        assert!(out[..4].iter().chain(&out[8..16]).all(|&v| v == 0.0));
        let whole = ex.allgather_sheet(8, 4, &owns[1], &local);
        assert_eq!(&whole[28..32], &[9.0, 10.0, 11.0, 12.0]);
        assert_eq!(ex.stats().messages_received, 2);
        assert_eq!(ex.halo_summaries()[0].send_messages, vec![2, 2, 2]);
    }

    #[test]
    #[should_panic(expected = "the oracle says")]
    fn a_rectangle_the_oracle_does_not_know_stops_the_dry_run() {
        let unit = [-0.5, -0.5, 0.5, 0.5];
        let blocks = GridDecomposition::new(2, 0, unit)
            .unwrap()
            .all_blocks(8, 8, unit);
        let owns = owners(&blocks);
        let rects = PeerRects {
            owns: owns.clone(),
            needs: blocks.clone(),
        };
        let mut ex = DryRunExchange::new(0, 2, Box::new(Fixed(rects)));
        ex.register("V1", 8, 8, &owns[0], Block::full(8, 8));
    }
}
