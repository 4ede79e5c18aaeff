//! `topo_sim::memory::estimate` counts, from the spec alone, exactly the
//! CF weights the engine then stores (every CF cropped at the sheet
//! edges), and at GCAL's benchmarked size (cortex_density 48) the
//! per-source copies it builds stay within the bound it counts.

use crate::dyn_common;

use topo_sim::exchange::{LocalExchange, WholeSheets};
use topo_sim::memory::{estimate, PER_SOURCE_BYTES_PER_SYNAPSE};
use topo_sim::push::PushLayout;
use topo_sim::Network;

#[test]
fn estimate_counts_the_weights_the_engine_stores() {
    for density in ["10", "20", "33", "48"] {
        let spec = dyn_common::example_model("gcal_class.ty", &[("cortex_density", density)]);
        let est = estimate(&spec).expect("estimate");
        let mut ex = LocalExchange::new();
        let net = Network::build(&spec, &WholeSheets, &mut ex).expect("build");
        let (mut own, mut shared, mut wide) = (0usize, 0usize, 0usize);
        for (dest, name) in net.projection_names() {
            let p = net.projection(&dest, &name).expect("projection");
            match &p.cfs.shared {
                Some(_) => shared += 1,
                None => {
                    own += p.cfs.weights.len();
                    if density == "48" {
                        let layout = PushLayout::build(&p.cfs).expect("own weights");
                        let b = layout.bytes_per_synapse();
                        assert!(
                            b <= PER_SOURCE_BYTES_PER_SYNAPSE,
                            "cortex_density {density}: {dest}.{name}: per-source copy {b} B/synapse"
                        );
                        wide += 1;
                    }
                }
            }
        }
        assert!(shared > 0, "GCAL's LGN projections share their weights");
        assert_eq!(est.synapses, own as f64, "cortex_density {density}");
        assert!(wide > 0 || density != "48");
    }
}
