//! The per-source copy is synced after learning only for the projections
//! whose weights learning or normalisation may have changed
//! (`Network::set_always_sync` turns the skip off): every probe and the
//! final state are the same bits with and without the skip on 1, 2 and 3
//! threads, every copy still equals one built afresh from the weights
//! after the run, and in GCAL the skip does fire (the lateral excitatory
//! copy is synced less often than the inhibitory one): the normalisation of
//! the lateral excitatory projection (learning rate 0) finds totals that
//! are not exactly 1 but scale no weight's bits, and reports no change,
//! while a CF scaled by 2 is reported.

use crate::dyn_common;

use topo_sim::exchange::{LocalExchange, WholeSheets};
use topo_sim::normalize::{UnitFilter, WeightsOutputFn};
use topo_sim::push::PushLayout;
use topo_sim::Network;
use topo_spec::{ModelSpec, Time};

/// Iterations of the run whose copies are checked.
const ITERATIONS: i64 = 40;

fn gcal() -> ModelSpec {
    dyn_common::example_model("gcal_class.ty", &[("cortex_density", "20")])
}

#[test]
fn skipping_unchanged_syncs_changes_no_bit() {
    let spec = gcal();
    let always =
        crate::batched_responses::trace_with(&spec, 1, &[3, 1], &|net| net.set_always_sync(true));
    assert!(always.len() > 50, "only {} arrays traced", always.len());
    for threads in [1, 2, 3] {
        let skip = crate::batched_responses::trace_with(&spec, threads, &[3, 1], &|_| {});
        assert_eq!(skip.len(), always.len());
        for (i, (a, b)) in skip.iter().zip(&always).enumerate() {
            assert!(a == b, "array {i} differs ({threads} threads)");
        }
    }
}

#[test]
fn every_copy_matches_its_weights_after_learning() {
    let spec = gcal();
    let mut ex = LocalExchange::new();
    let mut net = Network::build(&spec, &WholeSheets, &mut ex).expect("build");
    net.run(Time::from_int(ITERATIONS), &mut ex).expect("run");
    let mut copies = 0;
    for (dest, name) in net.projection_names() {
        let p = net.projection(&dest, &name).expect("projection");
        if let Some(layout) = &p.push {
            let fresh = PushLayout::build_serial(&p.cfs).expect("own weights");
            assert!(*layout == fresh, "{dest}.{name}: stale per-source copy");
            copies += 1;
        }
    }
    // At least V1's lateral projections push.
    assert!(copies >= 2, "only {copies} projections pushed");
    for name in ["LateralExcitatory", "LateralInhibitory"] {
        let p = net.projection("V1", name).expect("projection");
        assert!(p.push.is_some(), "V1.{name} does not push");
    }
    // The skip fires in GCAL (V1 normalises its afferents jointly): the
    // excitatory copy is synced only in the iterations where a unit is
    // active whose CF the C kernel's normalisation has not yet settled
    // (its first normalisation after the numpy one of the set-up changes
    // bits), the inhibitory one in every iteration after the copy's
    // build.
    let syncs = |name: &str| net.projection("V1", name).expect("projection").push_syncs;
    let (exc, inh) = (syncs("LateralExcitatory"), syncs("LateralInhibitory"));
    assert!(
        inh >= ITERATIONS as u64 - 2,
        "inhibitory synced {inh} times"
    );
    assert!(exc < inh, "excitatory synced {exc} times, inhibitory {inh}");
}

#[test]
fn gcal_excitatory_normalisation_changes_nothing() {
    let spec = gcal();
    let mut ex = LocalExchange::new();
    let mut net = Network::build(&spec, &WholeSheets, &mut ex).expect("build");
    net.run(Time::from_int(2), &mut ex).expect("run");
    let v1 = net.activity("V1").to_vec();
    assert!(v1.iter().any(|&y| y != 0.0), "V1 silent");
    let filter = UnitFilter {
        sheet_mask: None,
        active: Some(&v1),
    };
    let exc = net
        .projection("V1", "LateralExcitatory")
        .expect("projection");
    assert_eq!(exc.wofs, [WeightsOutputFn::DivisiveL1Kernel]);
    let mut cfs = exc.cfs.clone();
    assert!(!WeightsOutputFn::DivisiveL1Kernel.apply(&mut cfs, filter));
    assert!(cfs
        .weights
        .iter()
        .zip(&exc.cfs.weights)
        .all(|(a, b)| a.to_bits() == b.to_bits()));
    // A CF scaled by 2 is scaled back, and reported.
    let u = v1.iter().position(|&y| y != 0.0).expect("an active unit");
    for w in &mut cfs.weights[cfs.offsets[u]..cfs.offsets[u + 1]] {
        *w *= 2.0;
    }
    assert!(WeightsOutputFn::DivisiveL1Kernel.apply(&mut cfs, filter));
    assert!(!WeightsOutputFn::Identity.apply(&mut cfs, filter));
}
