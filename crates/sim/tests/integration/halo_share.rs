//! Shared halos: a sheet's nested lateral projections exchange the source
//! activity once. The skipped halo is really never exchanged, and the
//! network computes exactly what it computes when every projection
//! exchanges its own halo (checked against a split run in dyn_split.rs and
//! on 1–8 MPI ranks in the root crate's par_model tests).

use crate::dyn_common;

use dyn_common::example_model;
use std::collections::BTreeMap;
use topo_sim::exchange::{Block, Exchange, HaloId, LocalExchange, WholeSheets};
use topo_sim::ownership::Ownership;
use topo_sim::Network;
use topo_spec::Time;

/// LocalExchange that counts the exchanges of each halo.
#[derive(Default)]
struct Counting {
    inner: LocalExchange,
    calls: BTreeMap<usize, usize>,
}

impl Exchange for Counting {
    fn rank(&self) -> usize {
        self.inner.rank()
    }
    fn size(&self) -> usize {
        self.inner.size()
    }
    fn register(
        &mut self,
        sheet: &str,
        rows: usize,
        cols: usize,
        own: &Ownership,
        needed: Block,
    ) -> HaloId {
        self.inner.register(sheet, rows, cols, own, needed)
    }
    fn exchange(&mut self, id: HaloId, local: &[f64], out: &mut [f64]) {
        *self.calls.entry(id.0).or_default() += 1;
        self.inner.exchange(id, local, out)
    }
    fn max(&mut self, v: f64) -> f64 {
        self.inner.max(v)
    }
    fn argmax(&mut self, v: f64, index: usize) -> (f64, usize) {
        self.inner.argmax(v, index)
    }
    fn allgather_sheet(
        &mut self,
        rows: usize,
        cols: usize,
        own: &Ownership,
        local: &[f64],
    ) -> Vec<f64> {
        self.inner.allgather_sheet(rows, cols, own, local)
    }
}

fn gcal() -> topo_spec::ModelSpec {
    example_model(
        "gcal.ty",
        &[
            ("cortex_density", "12"),
            ("lgn_density", "12"),
            ("retina_density", "12"),
        ],
    )
}

#[test]
fn the_smaller_lateral_reads_the_larger_ones_halo() {
    let mut ex = Counting::default();
    let mut net = Network::build(&gcal(), &WholeSheets, &mut ex).unwrap();
    let uses = net.halo_use();
    let find = |name: &str| uses.iter().find(|u| u.projection == name).unwrap().clone();
    let exc = find("V1.LateralExcitatory");
    let inh = find("V1.LateralInhibitory");
    // On one rank both needed rectangles are the whole of V1: equal, so
    // the earlier connection (the excitatory one) leads.
    assert_eq!(exc.shared_from, None);
    assert_eq!(inh.shared_from.as_deref(), Some("V1.LateralExcitatory"));
    // The LGN→V1 afferents are held back during settling, the LGN's own
    // gain-control lateral is not: they send at different moments.
    for u in uses.iter().filter(|u| u.projection.starts_with("LGN")) {
        assert_eq!(u.shared_from, None, "{}", u.projection);
    }
    net.run(Time::from_int(2), &mut ex).unwrap();
    let exc_id = exc.halo.unwrap().0;
    let inh_id = inh.halo.unwrap().0;
    assert_eq!(ex.calls.get(&inh_id), None, "the shared halo was exchanged");
    assert!(
        ex.calls[&exc_id] >= 2 * 16,
        "V1 settles 16 steps per iteration"
    );
}

#[test]
fn sharing_changes_no_value() {
    let spec = gcal();
    let run = |sharing: bool| {
        let mut ex = Counting::default();
        let mut net = Network::build(&spec, &WholeSheets, &mut ex).unwrap();
        net.set_halo_sharing(sharing, &mut ex);
        net.run(Time::from_int(5), &mut ex).unwrap();
        let activity: Vec<Vec<u64>> = net
            .sheet_names()
            .iter()
            .map(|s| net.activity(s).iter().map(|v| v.to_bits()).collect())
            .collect();
        let sums: Vec<Vec<u64>> = net
            .projection_names()
            .iter()
            .map(|(d, n)| {
                let w = net.weight_sums(d, n).unwrap();
                w.iter().map(|v| v.to_bits()).collect()
            })
            .collect();
        let exchanges: usize = ex.calls.values().sum();
        (activity, sums, exchanges)
    };
    let (a_on, w_on, x_on) = run(true);
    let (a_off, w_off, x_off) = run(false);
    assert_eq!(a_on, a_off, "activities differ with halo sharing");
    assert_eq!(w_on, w_off, "weights differ with halo sharing");
    // Off, V1's excitatory lateral exchanges on every settling step too.
    assert!(x_off >= x_on + 5 * 16, "{x_off} vs {x_on} exchanges");
}

#[test]
fn on_a_grid_the_inhibitory_halo_carries_the_excitatory_one() {
    use dyn_common::threads::{Board, Grid, ThreadExchange};
    // V1 at 24 units split 2x2: each quarter's excitatory rectangle lies
    // strictly inside its inhibitory one, on every rank.
    let spec = example_model(
        "gcal.ty",
        &[
            ("cortex_density", "24"),
            ("lgn_density", "12"),
            ("retina_density", "12"),
        ],
    );
    let board = Board::new(4);
    let uses: Vec<_> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..4)
            .map(|rank| {
                let (board, spec) = (board.clone(), &spec);
                s.spawn(move || {
                    let mut ex = ThreadExchange::new(rank, 4, board);
                    let net = Network::build(spec, &Grid { rank, pr: 2, pc: 2 }, &mut ex).unwrap();
                    net.halo_use()
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for u in &uses {
        let exc = u
            .iter()
            .find(|x| x.projection == "V1.LateralExcitatory")
            .unwrap();
        let inh = u
            .iter()
            .find(|x| x.projection == "V1.LateralInhibitory")
            .unwrap();
        assert_eq!(exc.shared_from.as_deref(), Some("V1.LateralInhibitory"));
        assert_eq!(inh.shared_from, None);
    }
}
