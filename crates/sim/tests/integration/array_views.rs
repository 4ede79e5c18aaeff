//! The 2-D views the engine hands across its API (sheet activity, a CF's
//! weights) show exactly the values of the raw storage the kernels use,
//! for plain and shared-weight projections.

use crate::dyn_common;

use dyn_common::*;
use topo_sim::exchange::{LocalExchange, WholeSheets};
use topo_sim::Network;
use topo_spec::Time;

#[test]
fn activity_and_weight_views_match_the_raw_storage() {
    // examples/gcal.ty: LGN afferents are SharedWeightCFProjections, V1's
    // lateral projections plain CFProjections.
    let spec = example_model(
        "gcal.ty",
        &[
            ("cortex_density", "6"),
            ("retina_density", "6"),
            ("lgn_density", "6"),
        ],
    );
    let mut ex = LocalExchange::new();
    let mut net = Network::build(&spec, &WholeSheets, &mut ex).expect("build");
    net.run(Time::from_int(2), &mut ex).expect("run");
    for s in &spec.sheets {
        let (rows, cols) = net.sheet_shape(&s.name).unwrap();
        let view = net.activity_view(&s.name).unwrap();
        assert_eq!(view.dim(), (rows, cols));
        assert_eq!(
            view.as_slice().unwrap(),
            net.activity(&s.name),
            "{}",
            s.name
        );
        let all = net.gather_activity_array(&s.name, &mut ex).unwrap();
        assert_eq!(all, view, "{}", s.name);
    }
    let mut shared = 0;
    for (dest, name) in net.projection_names() {
        let p = net.projection(&dest, &name).unwrap();
        shared += usize::from(p.cfs.shared.is_some());
        for u in 0..p.cfs.len() {
            let w = p.cfs.weights_view(u);
            assert_eq!(w.dim(), p.cfs.unit_shape(u));
            for ((i, j), &x) in w.indexed_iter() {
                assert_eq!(
                    x.to_bits(),
                    p.cfs.weight_at(u, i, j).to_bits(),
                    "{dest}.{name} unit {u}"
                );
            }
        }
    }
    assert!(shared > 0, "gcal.ty has shared-weight projections");
    assert!(net.activity_view("nonexistent").is_err());
}
