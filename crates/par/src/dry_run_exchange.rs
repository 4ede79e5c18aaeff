//! [`DryRunExchange`]: the engine's [`Exchange`] for rank `r` of `N` ranks,
//! run inside one process without MPI (as arbor's `dry_run_context`).
//!
//! Where [`crate::MpiExchange`] allgathers every rank's owned block
//! and needed rectangle at `register`, the dry run asks a [`RankOracle`]
//! for them: the owned blocks come from the decomposition (deterministic
//! on every rank, no communication) and the needed rectangles from the
//! projections' geometry. The halo plan of rank `r` is then made by the
//! same [`HaloPlan::compute`] and checked by the same [`check_tiling`] as
//! in a real run, so building the network in a dry run yields exactly the
//! plans rank `r` would use. The engine's own `needed` for rank `r` is
//! compared with the oracle's: a difference is a bug of the oracle and
//! stops the dry run (as a tiling error stops a real one).
//!
//! [`DryRunExchange::halo_summaries`] gives every rank's volumes, counted
//! with an index of the owned blocks ([`summarize`]), so that planning for
//! 65536 ranks takes time proportional to the halo partners, not to the
//! square of the rank count.
//!
//! Collectives answer with this rank's own contribution (`max` returns its
//! argument, `allgather_sheet` a sheet holding only this rank's block):
//! nothing else is known in a dry run. They are counted, as exchanges are,
//! so that a dry run of an iteration tells how often each one happens.

use crate::comm::{ExchangeStats, HaloSummary};
use crate::plan::{check_tiling, HaloPlan};
use topo_sim::exchange::{Block, Exchange, HaloId};
use topo_sim::ownership::Ownership;

/// Every rank's rectangles of one registered halo, in rank order.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct PeerRects {
    /// Each rank's owned block of the source sheet.
    pub owns: Vec<Block>,
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
    own: Block,
    needed: Block,
    plan: HaloPlan,
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
    pub fn plan(&self, id: HaloId) -> &HaloPlan {
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
        // The planner models grid decompositions (one block per rank);
        // rows dealt in stripes are not planned yet.
        let own = own.as_block().unwrap_or_else(|| {
            panic!("dry run: sheet {sheet}: rows dealt in stripes are not planned yet (grid splits only)")
        });
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
        let plan = HaloPlan::compute(me, owns, needs);
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
        let w = h.plan.local.cols();
        for r in h.plan.local.r0..h.plan.local.r1 {
            let s = (r - h.own.r0) * h.own.cols() + (h.plan.local.c0 - h.own.c0);
            let d = (r - h.needed.r0) * h.needed.cols() + (h.plan.local.c0 - h.needed.c0);
            out[d..d + w].copy_from_slice(&local[s..s + w]);
        }
        h.calls += 1;
        self.stats.calls += 1;
        self.stats.units_received += h.plan.recv_units() as u64;
        self.stats.units_sent += h.plan.send_units() as u64;
        self.stats.messages_received += h.plan.recvs.len() as u64;
        self.stats.messages_sent += h.plan.sends.len() as u64;
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
        let own = own.as_block().unwrap_or_else(|| {
            panic!(
                "dry run: allgather of rows dealt in stripes is not planned yet (grid splits only)"
            )
        });
        assert_eq!(
            local.len(),
            own.len(),
            "allgather_sheet: local data != own block"
        );
        let mut whole = vec![0.0; rows * cols];
        let w = own.cols();
        for r in own.r0..own.r1 {
            let s = (r - own.r0) * w;
            whole[r * cols + own.c0..r * cols + own.c1].copy_from_slice(&local[s..s + w]);
        }
        whole
    }
}

/// The blocks of one row interval: `(r0, r1, blocks sorted by c0 as
/// (c0, c1, rank))`.
type Band = (usize, usize, Vec<(usize, usize, usize)>);

/// The owned blocks indexed for "which blocks does this rectangle meet":
/// blocks grouped by their row interval (a band), bands and the blocks
/// inside a band sorted, so a query visits only bands and blocks it meets
/// when the bands are disjoint (any product decomposition, e.g. a process
/// grid) and all bands otherwise.
struct BlockIndex {
    bands: Vec<Band>,
    disjoint: bool,
}

impl BlockIndex {
    fn new(owns: &[Block]) -> BlockIndex {
        let mut bands: Vec<Band> = Vec::new();
        let mut keyed: Vec<(usize, usize, usize, usize, usize)> = owns
            .iter()
            .enumerate()
            .filter(|(_, b)| !b.is_empty())
            .map(|(q, b)| (b.r0, b.r1, b.c0, b.c1, q))
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

    /// Calls `f(rank, intersection)` for every block meeting `need`.
    fn meeting(&self, owns: &[Block], need: &Block, mut f: impl FnMut(usize, Block)) {
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
            for &(c0, _, q) in &blocks[start..] {
                if self.disjoint && c0 >= need.c1 {
                    break;
                }
                let inter = need.intersect(&owns[q]);
                if !inter.is_empty() {
                    f(q, inter);
                }
            }
        }
    }
}

/// Every rank's per-exchange volumes of one halo, as
/// [`crate::MpiExchange`] reports them, from every rank's owned and
/// needed rectangles.
pub fn summarize(
    sheet: &str,
    rows: usize,
    cols: usize,
    owns: &[Block],
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
    for (p, need) in needs.iter().enumerate() {
        index.meeting(owns, need, |q, inter| {
            if q != p {
                s.recv_units[p] += inter.len();
                s.recv_messages[p] += 1;
                s.send_units[q] += inter.len();
                s.send_messages[q] += 1;
            }
        });
    }
    s
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

    /// The plain count over all pairs, as `MpiExchange::register` does it.
    fn summarize_by_pairs(owns: &[Block], needs: &[Block]) -> [Vec<usize>; 4] {
        let n = owns.len();
        let mut v = [vec![0; n], vec![0; n], vec![0; n], vec![0; n]];
        for p in 0..n {
            for q in (0..n).filter(|&q| q != p) {
                let m = needs[p].intersect(&owns[q]).len();
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
                let owns = d.all_blocks(rows, cols, unit);
                for h in [0, 1, 2, 5, 40] {
                    let needs: Vec<_> = owns.iter().map(|&b| grow(b, h, rows, cols)).collect();
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
        let owns = vec![
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
        let needs: Vec<_> = owns.iter().map(|&b| grow(b, 1, 4, 4)).collect();
        let s = summarize("S", 4, 4, &owns, &needs);
        assert_eq!(s.recv_units, summarize_by_pairs(&owns, &needs)[0]);
    }

    #[test]
    fn the_dry_run_makes_the_plan_of_its_rank_and_counts_exchanges() {
        let unit = [-0.5, -0.5, 0.5, 0.5];
        let d = GridDecomposition::new(4, 0, unit).unwrap();
        let owns = d.all_blocks(8, 8, unit);
        let needs: Vec<_> = owns.iter().map(|&b| grow(b, 1, 8, 8)).collect();
        let rects = PeerRects {
            owns: owns.clone(),
            needs: needs.clone(),
        };
        let mut ex = DryRunExchange::new(3, 4, Box::new(Fixed(rects)));
        let id = ex.register("V1", 8, 8, &owns[3].into(), needs[3]);
        assert_eq!(*ex.plan(id), HaloPlan::compute(3, &owns, &needs));
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
    #[should_panic(expected = "the oracle says")]
    fn a_rectangle_the_oracle_does_not_know_stops_the_dry_run() {
        let unit = [-0.5, -0.5, 0.5, 0.5];
        let owns = GridDecomposition::new(2, 0, unit)
            .unwrap()
            .all_blocks(8, 8, unit);
        let rects = PeerRects {
            owns: owns.clone(),
            needs: owns.clone(),
        };
        let mut ex = DryRunExchange::new(0, 2, Box::new(Fixed(rects)));
        ex.register("V1", 8, 8, &owns[0].into(), Block::full(8, 8));
    }
}
