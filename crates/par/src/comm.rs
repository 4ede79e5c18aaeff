//! [`MpiExchange`]: the engine's [`Exchange`] over MPI (rsmpi).
//!
//! `register` is collective: every rank allgathers its ownership (owned
//! rows and columns) and needed rectangle, checks that the owners tile the
//! sheet, and derives its [`OwnedHaloPlan`]. `start_exchange` then posts
//! non-blocking receives straight into a per-halo buffer, packs and posts
//! non-blocking sends (dense, or (index, value) pairs when smaller:
//! [`crate::sparse_halo`]) and copies the locally owned part;
//! `finish_exchange` waits for all and unpacks, so the caller can compute
//! while the messages travel (`exchange` does both at once). All
//! buffers and request arrays are allocated once, at registration, so the
//! step loop does not allocate.
//!
//! Without MPI (`MpiExchange::single`) the same type runs one process, so
//! the decomposition report and the statistics exist in both cases.

use crate::assignment::OwnedHaloPlan;
use crate::dry_run_exchange::summarize;
use crate::halo_messages;
use crate::sparse_halo;
use mpi::collective::SystemOperation;
use mpi::datatype::PartitionMut;
use mpi::ffi;
use mpi::raw::AsRaw;
use mpi::topology::SimpleCommunicator;
use mpi::traits::*;
use std::os::raw::{c_int, c_void};
use std::time::Instant;
use topo_sim::exchange::{Block, Exchange, HaloId};
use topo_sim::ownership::{check_tiling, copy_owned_to_rect, Ownership};

/// Counters of the halo traffic of this rank since the last reset.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ExchangeStats {
    /// Number of `exchange` calls.
    pub calls: u64,
    /// f64 values received from other ranks.
    pub units_received: u64,
    /// f64 values sent to other ranks.
    pub units_sent: u64,
    /// f64 values actually put on the wire by this rank: the dense
    /// messages' values plus two per non-zero of the sparse ones.
    pub values_on_wire: u64,
    /// Messages this rank sent as `(index, value)` pairs.
    pub sparse_messages: u64,
    /// Wall-clock seconds spent inside `exchange` (packing, waiting,
    /// unpacking).
    pub seconds: f64,
    /// Messages received from other ranks (one per peer and exchange).
    pub messages_received: u64,
    /// Messages sent to other ranks.
    pub messages_sent: u64,
    /// Of `seconds`, the part spent in `MPI_Waitall`: waiting for the
    /// neighbours (load imbalance) and for the wire.
    pub wait_seconds: f64,
    /// Wall-clock seconds in the small collectives (`max`, `argmax`),
    /// which also wait for the slowest rank.
    pub collective_seconds: f64,
    /// Number of those collectives.
    pub collectives: u64,
}

/// What every rank does for one registered halo (for reports).
#[derive(Clone, Debug, PartialEq)]
pub struct HaloSummary {
    /// The source sheet.
    pub sheet: String,
    /// Its shape.
    pub rows: usize,
    /// Its shape.
    pub cols: usize,
    /// Per rank: units received from other ranks per exchange.
    pub recv_units: Vec<usize>,
    /// Per rank: units sent to other ranks per exchange.
    pub send_units: Vec<usize>,
    /// Per rank: number of messages received per exchange.
    pub recv_messages: Vec<usize>,
    /// Per rank: number of messages sent per exchange.
    pub send_messages: Vec<usize>,
}

/// One registered halo and its preallocated buffers.
struct Halo {
    own: Ownership,
    needed: Block,
    plan: OwnedHaloPlan,
    summary: HaloSummary,
    recv_buf: Vec<f64>,
    send_buf: Vec<f64>,
    /// The sparse form of each send (`sparse_halo::pack`).
    pair_buf: Vec<f64>,
    /// One dense peer message, expanded from pairs.
    expand_buf: Vec<f64>,
    requests: Vec<ffi::MPI_Request>,
    statuses: Vec<ffi::MPI_Status>,
    tag: c_int,
    /// Started by `start_exchange`, not yet finished.
    in_flight: bool,
}

/// The MPI implementation of [`Exchange`] (or its one-process stand-in).
pub struct MpiExchange {
    world: Option<SimpleCommunicator>,
    rank: usize,
    size: usize,
    halos: Vec<Halo>,
    stats: ExchangeStats,
    /// Allgather scratch for `argmax` (two u64 per rank).
    scratch: Vec<u64>,
    /// Buffers of `sheet_abs_sum` (grown once per sheet shape).
    gather: SheetGather,
}

/// Reused buffers of [`MpiExchange`]'s `sheet_abs_sum`, which runs in the
/// step loop (a sheet-wide `DivisiveNormalizeL1`) and must not allocate.
#[derive(Default)]
struct SheetGather {
    /// Every rank's encoded ownership, as gathered by the last call.
    codes: Vec<u64>,
    /// `codes` and sheet shape the owners below were derived from.
    cached: Vec<u64>,
    shape: (usize, usize),
    owners: Vec<Ownership>,
    counts: Vec<c_int>,
    displs: Vec<c_int>,
    packed: Vec<f64>,
    whole: Vec<f64>,
}

/// Largest tag every MPI implementation accepts is 32767.
const TAG_SPAN: usize = 32000;

impl MpiExchange {
    /// All ranks of `MPI_COMM_WORLD`. MPI must be initialised (see
    /// [`crate::Context`]) and stay so while this is used.
    pub fn world() -> MpiExchange {
        let world = SimpleCommunicator::world();
        let rank = world.rank() as usize;
        let size = world.size() as usize;
        MpiExchange {
            world: Some(world),
            rank,
            size,
            halos: Vec::new(),
            stats: ExchangeStats::default(),
            scratch: vec![0; 2 * size],
            gather: SheetGather::default(),
        }
    }

    /// One process without MPI.
    pub fn single() -> MpiExchange {
        MpiExchange {
            world: None,
            rank: 0,
            size: 1,
            halos: Vec::new(),
            stats: ExchangeStats::default(),
            scratch: vec![0; 2],
            gather: SheetGather::default(),
        }
    }

    /// Every registered halo, in registration order.
    pub fn halo_summaries(&self) -> Vec<HaloSummary> {
        self.halos.iter().map(|h| h.summary.clone()).collect()
    }

    /// This rank's plan for a registered halo.
    pub fn plan(&self, id: HaloId) -> &OwnedHaloPlan {
        &self.halos[id.0].plan
    }

    /// Traffic since the start or the last [`MpiExchange::reset_stats`].
    pub fn stats(&self) -> ExchangeStats {
        self.stats
    }

    /// Zero the traffic counters.
    pub fn reset_stats(&mut self) {
        self.stats = ExchangeStats::default();
    }

    /// Collective: every rank's units (seven integers each).
    fn allgather_owners(&self, o: &Ownership) -> Vec<Ownership> {
        let mine = o.encode();
        let Some(world) = &self.world else {
            return vec![*o];
        };
        let mut all = vec![0u64; 7 * self.size];
        world.all_gather_into(&mine[..], &mut all[..]);
        all.chunks_exact(7)
            .enumerate()
            .map(|(q, c)| {
                let v: [u64; 7] = c.try_into().expect("seven integers");
                Ownership::decode(v)
                    .unwrap_or_else(|| panic!("rank {q} sent a malformed ownership {v:?}"))
            })
            .collect()
    }

    /// Collective: every rank's value of four integers (a block).
    fn allgather_blocks(&self, b: Block) -> Vec<Block> {
        let mine = [b.r0 as u64, b.r1 as u64, b.c0 as u64, b.c1 as u64];
        let Some(world) = &self.world else {
            return vec![b];
        };
        let mut all = vec![0u64; 4 * self.size];
        world.all_gather_into(&mine[..], &mut all[..]);
        all.chunks_exact(4)
            .map(|c| Block {
                r0: c[0] as usize,
                r1: c[1] as usize,
                c0: c[2] as usize,
                c1: c[3] as usize,
            })
            .collect()
    }
}

/// Copy the rectangle `rect` from `src` (row-major over `src_block`) into
/// `dst` (row-major over `dst_block`); `rect` lies inside both blocks.
fn copy_sub(src_block: &Block, src: &[f64], dst_block: &Block, dst: &mut [f64], rect: &Block) {
    let w = rect.cols();
    if w == 0 {
        return;
    }
    for r in rect.r0..rect.r1 {
        let s = (r - src_block.r0) * src_block.cols() + (rect.c0 - src_block.c0);
        let d = (r - dst_block.r0) * dst_block.cols() + (rect.c0 - dst_block.c0);
        dst[d..d + w].copy_from_slice(&src[s..s + w]);
    }
}

/// Whether value/index pair `a` beats `b` as numpy's argmax would rank them
/// in one array: larger value first (NaN above everything, as numpy's
/// argmax returns the first NaN), then the smaller index.
fn beats(a: (f64, usize), b: (f64, usize)) -> bool {
    match (a.0.is_nan(), b.0.is_nan()) {
        (true, true) => a.1 < b.1,
        (true, false) => true,
        (false, true) => false,
        _ => a.0 > b.0 || (a.0 == b.0 && a.1 < b.1),
    }
}

/// Collective-free reduction of gathered `(value bits, index)` pairs.
fn best_of(pairs: &[u64]) -> (f64, usize) {
    let mut best = (f64::NEG_INFINITY, usize::MAX);
    for p in pairs.chunks_exact(2) {
        let cand = (f64::from_bits(p[0]), p[1] as usize);
        if beats(cand, best) {
            best = cand;
        }
    }
    best
}

impl Exchange for MpiExchange {
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
        let own = *own;
        let owns = self.allgather_owners(&own);
        let needs = self.allgather_blocks(needed);
        if let Err(e) = check_tiling(rows, cols, &owns) {
            panic!("halo on sheet {sheet}: the owned blocks do not tile it: {e}");
        }
        for (q, n) in needs.iter().enumerate() {
            if !n.is_empty() && (n.r1 > rows || n.c1 > cols) {
                panic!(
                    "halo on sheet {sheet}: rank {q} needs {n:?}, outside the {rows}x{cols} sheet"
                );
            }
        }
        let plan = OwnedHaloPlan::compute(self.rank, &owns, &needs);
        let too_big = plan
            .recvs
            .iter()
            .chain(&plan.sends)
            .any(|t| t.units() > c_int::MAX as usize);
        assert!(
            !too_big,
            "halo on sheet {sheet}: a message exceeds MPI's count limit"
        );

        // Every rank's volumes, for the decomposition report: the
        // planner's count.
        let summary = summarize(sheet, rows, cols, &owns, &needs);

        let id = self.halos.len();
        let n_requests = plan.recvs.len() + plan.sends.len();
        self.halos.push(Halo {
            own,
            needed,
            recv_buf: vec![0.0; plan.recv_units()],
            send_buf: vec![0.0; plan.send_units()],
            pair_buf: vec![0.0; plan.send_units()],
            expand_buf: vec![0.0; plan.recvs.iter().map(|t| t.units()).max().unwrap_or(0)],
            // SAFETY: reading rsmpi's extern static, a constant handle set
            // by the MPI library (MPI is initialised while this exists).
            requests: vec![unsafe { ffi::RSMPI_REQUEST_NULL }; n_requests],
            // SAFETY: MPI_Status is plain data; MPI fills it in the wait.
            statuses: (0..n_requests)
                .map(|_| unsafe { std::mem::zeroed() })
                .collect(),
            tag: (id % TAG_SPAN) as c_int,
            in_flight: false,
            plan,
            summary,
        });
        HaloId(id)
    }

    fn exchange(&mut self, id: HaloId, local: &[f64], out: &mut [f64]) {
        self.start_exchange(id, local, out);
        self.finish_exchange(id, out);
    }

    fn start_exchange(&mut self, id: HaloId, local: &[f64], out: &mut [f64]) {
        let start = Instant::now();
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
        assert!(
            !h.in_flight,
            "exchange: halo {} started twice without finishing",
            id.0
        );
        h.in_flight = true;
        let comm = self.world.as_ref().map(|w| w.as_raw());

        if let Some(comm) = comm {
            let n_recv = h.plan.recvs.len();
            // Receives first, so that sends can land directly in user memory.
            let base = h.recv_buf.as_mut_ptr();
            let mut off = 0;
            for (i, t) in h.plan.recvs.iter().enumerate() {
                let n = t.units();
                // SAFETY: `base + off .. + n` lies in `recv_buf`, which is not
                // touched (nor reallocated) until MPI_Waitall in
                // `finish_exchange` (`in_flight` guards against a restart).
                unsafe {
                    ffi::MPI_Irecv(
                        base.add(off) as *mut c_void,
                        n as c_int,
                        ffi::RSMPI_DOUBLE,
                        t.rank as c_int,
                        h.tag,
                        comm,
                        &mut h.requests[i],
                    );
                }
                off += n;
            }
            halo_messages::pack_sends(&h.plan, &h.own, local, &mut h.send_buf);
            let mut off = 0;
            for (j, t) in h.plan.sends.iter().enumerate() {
                let n = t.units();
                // Pairs when shorter: the receiver tells from the count.
                let (ptr, count) = match sparse_halo::pack(
                    &h.send_buf[off..off + n],
                    &mut h.pair_buf[off..off + n],
                ) {
                    Some(w) => {
                        self.stats.sparse_messages += 1;
                        (h.pair_buf[off..].as_ptr(), w)
                    }
                    None => (h.send_buf[off..].as_ptr(), n),
                };
                self.stats.values_on_wire += count as u64;
                // SAFETY: as above, `send_buf` and `pair_buf` are left alone
                // until the wait.
                unsafe {
                    ffi::MPI_Isend(
                        ptr as *const c_void,
                        count as c_int,
                        ffi::RSMPI_DOUBLE,
                        t.rank as c_int,
                        h.tag,
                        comm,
                        &mut h.requests[n_recv + j],
                    );
                }
                off += n;
            }
        }
        // The local part while the messages travel.
        halo_messages::copy_local(&h.plan, &h.own, local, &h.needed, out);
        halo_messages::count(&mut self.stats, &h.plan);
        self.stats.seconds += start.elapsed().as_secs_f64();
    }

    fn finish_exchange(&mut self, id: HaloId, out: &mut [f64]) {
        let start = Instant::now();
        let h = &mut self.halos[id.0];
        assert!(
            h.in_flight,
            "exchange: halo {} finished but not started",
            id.0
        );
        h.in_flight = false;
        assert_eq!(
            out.len(),
            h.needed.len(),
            "exchange: output != needed rectangle"
        );
        let comm = self.world.as_ref().map(|w| w.as_raw());
        let n_req = h.plan.recvs.len() + h.plan.sends.len();
        if comm.is_some() && n_req > 0 {
            let wait_start = Instant::now();
            // SAFETY: every request was started by `start_exchange`; one
            // status each.
            unsafe {
                ffi::MPI_Waitall(
                    n_req as c_int,
                    h.requests.as_mut_ptr(),
                    h.statuses.as_mut_ptr(),
                );
            }
            self.stats.wait_seconds += wait_start.elapsed().as_secs_f64();
        }
        let mut off = 0;
        for (i, t) in h.plan.recvs.iter().enumerate() {
            let n = t.units();
            let mut count: c_int = n as c_int;
            if comm.is_some() {
                // SAFETY: the status of a completed receive.
                unsafe {
                    ffi::MPI_Get_count(&h.statuses[i], ffi::RSMPI_DOUBLE, &mut count);
                }
            }
            let count = count as usize;
            let dense: &[f64] = if count == n {
                &h.recv_buf[off..off + n]
            } else {
                sparse_halo::unpack(&h.recv_buf[off..off + n], count, &mut h.expand_buf[..n]);
                &h.expand_buf[..n]
            };
            let mut at = 0;
            for rect in &t.rects {
                let m = rect.len();
                copy_sub(rect, &dense[at..at + m], &h.needed, out, rect);
                at += m;
            }
            off += n;
        }
        self.stats.seconds += start.elapsed().as_secs_f64();
    }

    fn max(&mut self, v: f64) -> f64 {
        self.stats.collectives += 1;
        let Some(world) = &self.world else {
            return v;
        };
        let start = Instant::now();
        let mut m = v;
        world.all_reduce_into(&v, &mut m, SystemOperation::max());
        self.stats.collective_seconds += start.elapsed().as_secs_f64();
        m
    }

    fn argmax(&mut self, v: f64, index: usize) -> (f64, usize) {
        self.stats.collectives += 1;
        let mine = [v.to_bits(), index as u64];
        match &self.world {
            None => (v, index),
            Some(world) => {
                let start = Instant::now();
                world.all_gather_into(&mine[..], &mut self.scratch[..]);
                self.stats.collective_seconds += start.elapsed().as_secs_f64();
                best_of(&self.scratch)
            }
        }
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
            "allgather_sheet: local data != own block"
        );
        let owns = self.allgather_owners(own);
        if let Err(e) = check_tiling(rows, cols, &owns) {
            panic!("allgather_sheet: the owned blocks do not tile the sheet: {e}");
        }
        let Some(world) = &self.world else {
            return local.to_vec();
        };
        let counts: Vec<c_int> = owns.iter().map(|b| b.len() as c_int).collect();
        let displs: Vec<c_int> = counts
            .iter()
            .scan(0, |acc, &c| {
                let d = *acc;
                *acc += c;
                Some(d)
            })
            .collect();
        let mut packed = vec![0.0f64; rows * cols];
        {
            let mut part = PartitionMut::new(&mut packed[..], &counts[..], &displs[..]);
            world.all_gather_varcount_into(local, &mut part);
        }
        let whole_block = Block::full(rows, cols);
        let mut whole = vec![0.0f64; rows * cols];
        for (q, o) in owns.iter().enumerate() {
            let d = displs[q] as usize;
            for b in o.blocks() {
                copy_owned_to_rect(o, &packed[d..d + o.len()], &whole_block, &mut whole, &b);
            }
        }
        whole
    }

    fn sheet_abs_sum(&mut self, rows: usize, cols: usize, own: &Ownership, local: &[f64]) -> f64 {
        let Some(world) = &self.world else {
            return local.iter().map(|v| v.abs()).sum();
        };
        assert_eq!(
            local.len(),
            own.len(),
            "sheet_abs_sum: local data != own block"
        );
        let g = &mut self.gather;
        g.codes.resize(7 * self.size, 0);
        world.all_gather_into(&own.encode()[..], &mut g.codes[..]);
        if g.shape != (rows, cols) || g.codes != g.cached {
            g.owners.clear();
            g.owners
                .extend(g.codes.chunks_exact(7).enumerate().map(|(q, c)| {
                    let v: [u64; 7] = c.try_into().expect("seven integers");
                    Ownership::decode(v)
                        .unwrap_or_else(|| panic!("rank {q} sent a malformed ownership {v:?}"))
                }));
            if let Err(e) = check_tiling(rows, cols, &g.owners) {
                panic!("sheet_abs_sum: the owned blocks do not tile the sheet: {e}");
            }
            g.counts.clear();
            g.counts.extend(g.owners.iter().map(|b| b.len() as c_int));
            g.displs.clear();
            let mut acc = 0;
            for &c in &g.counts {
                g.displs.push(acc);
                acc += c;
            }
            g.cached.clone_from(&g.codes);
            g.shape = (rows, cols);
        }
        g.packed.resize(rows * cols, 0.0);
        g.whole.resize(rows * cols, 0.0);
        {
            let mut part = PartitionMut::new(&mut g.packed[..], &g.counts[..], &g.displs[..]);
            world.all_gather_varcount_into(local, &mut part);
        }
        let whole_block = Block::full(rows, cols);
        for (q, o) in g.owners.iter().enumerate() {
            let d = g.displs[q] as usize;
            for b in o.blocks() {
                copy_owned_to_rect(o, &g.packed[d..d + o.len()], &whole_block, &mut g.whole, &b);
            }
        }
        g.whole.iter().map(|v| v.abs()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argmax_prefers_the_largest_then_the_first() {
        let pairs = |v: &[(f64, usize)]| -> Vec<u64> {
            v.iter()
                .flat_map(|&(x, i)| [x.to_bits(), i as u64])
                .collect()
        };
        assert_eq!(best_of(&pairs(&[(1.0, 5), (2.0, 9), (2.0, 3)])), (2.0, 3));
        // An empty rank reports -inf with an index no real unit has.
        let ninf = f64::NEG_INFINITY;
        assert_eq!(best_of(&pairs(&[(ninf, usize::MAX), (0.0, 7)])), (0.0, 7));
        let r = best_of(&pairs(&[(1.0, 0), (f64::NAN, 8), (f64::NAN, 4)]));
        assert!(r.0.is_nan() && r.1 == 4);
    }

    #[test]
    fn single_process_exchange_copies_the_needed_rectangle() {
        let mut ex = MpiExchange::single();
        let own = Block::full(4, 5);
        let needed = Block {
            r0: 1,
            r1: 3,
            c0: 2,
            c1: 5,
        };
        let id = ex.register("S", 4, 5, &own.into(), needed);
        let local: Vec<f64> = (0..20).map(|i| i as f64).collect();
        let mut out = vec![0.0; 6];
        ex.exchange(id, &local, &mut out);
        assert_eq!(out, vec![7.0, 8.0, 9.0, 12.0, 13.0, 14.0]);
        assert_eq!(ex.stats().calls, 1);
        assert_eq!(ex.halo_summaries()[0].recv_units, vec![0]);
        assert_eq!(ex.allgather_sheet(4, 5, &own.into(), &local), local);
        assert_eq!(ex.max(3.5), 3.5);
        assert_eq!(ex.argmax(3.5, 2), (3.5, 2));
    }

    #[test]
    fn copy_sub_moves_a_rectangle_between_blocks() {
        let a = Block {
            r0: 2,
            r1: 5,
            c0: 1,
            c1: 4,
        };
        let src: Vec<f64> = (0..9).map(|i| i as f64).collect();
        let b = Block {
            r0: 3,
            r1: 6,
            c0: 0,
            c1: 3,
        };
        let rect = a.intersect(&b);
        let mut dst = vec![-1.0; 9];
        copy_sub(&a, &src, &b, &mut dst, &rect);
        // rect = rows 3..5, cols 1..3: src (row 3 = index 1) cols 1..3 = 3,4
        assert_eq!(dst, vec![-1.0, 3.0, 4.0, -1.0, 6.0, 7.0, -1.0, -1.0, -1.0]);
    }
}
