//! Overlap of halo exchanges with computation (`network::pending_sends`):
//! an exchange whose values arrive only at `finish_exchange` (its buffer
//! is poisoned with NaN at `start_exchange`, as a real one's remote part
//! is still unwritten) gives the very bits of an exchange done at once,
//! and several exchanges really are in flight together.

use crate::dyn_common;

use dyn_common::example_model;
use topo_sim::exchange::{Block, Exchange, HaloId, LocalExchange, WholeSheets};
use topo_sim::ownership::Ownership;
use topo_sim::Network;
use topo_spec::{ModelSpec, Time};

/// LocalExchange whose data arrive at `finish_exchange`; the local
/// values are taken at `start_exchange`, as MPI's send buffers are.
#[derive(Default)]
struct Deferred {
    inner: LocalExchange,
    in_flight: Vec<(HaloId, Vec<f64>)>,
    most_in_flight: usize,
}

impl Exchange for Deferred {
    fn rank(&self) -> usize {
        0
    }
    fn size(&self) -> usize {
        1
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
        self.inner.exchange(id, local, out)
    }
    fn start_exchange(&mut self, id: HaloId, local: &[f64], out: &mut [f64]) {
        assert!(
            self.in_flight.iter().all(|(h, _)| *h != id),
            "halo {} started twice",
            id.0
        );
        out.fill(f64::NAN);
        self.in_flight.push((id, local.to_vec()));
        self.most_in_flight = self.most_in_flight.max(self.in_flight.len());
    }
    fn finish_exchange(&mut self, id: HaloId, out: &mut [f64]) {
        let k = self
            .in_flight
            .iter()
            .position(|(h, _)| *h == id)
            .expect("finished but not started");
        let (_, local) = self.in_flight.remove(k);
        self.inner.exchange(id, &local, out);
    }
    fn max(&mut self, v: f64) -> f64 {
        v
    }
    fn argmax(&mut self, v: f64, index: usize) -> (f64, usize) {
        (v, index)
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

/// Every sheet's activity and every projection's weight sums, as bits.
fn state(net: &Network) -> Vec<Vec<u64>> {
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    let mut s: Vec<Vec<u64>> = net
        .sheet_names()
        .iter()
        .map(|n| bits(net.activity(n)))
        .collect();
    for (d, n) in net.projection_names() {
        s.push(bits(&net.weight_sums(&d, &n).unwrap()));
    }
    s
}

/// The state after `iterations` with the deferred exchange, overlapping
/// or not, and the most exchanges in flight at once; and with the plain
/// one.
fn compare(spec: &ModelSpec, iterations: i64) {
    let plain = {
        let mut ex = LocalExchange::new();
        let mut net = Network::build(spec, &WholeSheets, &mut ex).unwrap();
        net.run(Time::from_int(iterations), &mut ex).unwrap();
        state(&net)
    };
    let deferred = |overlap: bool| {
        let mut ex = Deferred::default();
        let mut net = Network::build(spec, &WholeSheets, &mut ex).unwrap();
        net.set_overlap(overlap);
        net.run(Time::from_int(iterations), &mut ex).unwrap();
        assert!(ex.in_flight.is_empty(), "an exchange was left in flight");
        (state(&net), ex.most_in_flight)
    };
    let (on, most_on) = deferred(true);
    let (off, most_off) = deferred(false);
    assert!(on == plain, "overlapping changed the results");
    assert!(off == plain, "deferred exchanges changed the results");
    // The LGN's On and Off sheets send in the same step: with overlap the
    // first one's exchanges are in flight while the second activates.
    assert!(
        most_on > most_off,
        "{most_on} vs {most_off} exchanges in flight"
    );
}

#[test]
fn gcal_overlapping_exchanges_changes_no_bit() {
    let spec = example_model(
        "gcal.ty",
        &[
            ("cortex_density", "10"),
            ("lgn_density", "10"),
            ("retina_density", "10"),
        ],
    );
    compare(&spec, 3);
}

#[test]
fn lissom_overlapping_exchanges_changes_no_bit() {
    let spec = example_model(
        "lissom_oo_or.ty",
        &[
            ("cortex_density", "10"),
            ("lgn_density", "10"),
            ("retina_density", "10"),
        ],
    );
    compare(&spec, 3);
}
