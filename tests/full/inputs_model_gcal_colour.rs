//! topo/submodel/color.py's `ModelGCALColor` run on 1 and 3 ranks. With
//! Gaussian inputs Topographica's ModelGCALColor cannot include 'cr'
//! (its ChannelGeneratorSheet retina has no channel ports for
//! single-channel patterns, see crates/lang/src/gcal_colour.rs), so the
//! run is the class with its default dims ['xy', 'or']; there is no
//! trace of it from the real Topographica. The test checks what the class
//! defines: every sheet bit-identical across rank counts, and the same
//! activities as `ModelGCAL` (the classes build the same network without
//! 'cr', crates/lang/tests/integration/gcal_colour.rs).

use crate::model_gcal_ranks::{model_on_1_and_3_ranks, rows, trace_text};

const SHEETS: [&str; 4] = ["Retina", "LGNOn", "LGNOff", "V1"];
const TIMES: [&str; 3] = ["1", "2", "3"];

#[test]
fn model_gcal_color_runs_bit_identically_on_1_and_3_ranks_as_model_gcal() {
    let one = model_on_1_and_3_ranks(
        "import topo\nfrom topo.submodel.color import ModelGCALColor\n\
         topo.sim.model = ModelGCALColor(color_strength=0.5)\n",
        &SHEETS,
        &TIMES,
    );
    let plain = trace_text(
        "import topo\nfrom topo.submodel.gcal import ModelGCAL\n\
         topo.sim.model = ModelGCAL()\n",
        0,
        &SHEETS,
        &TIMES,
    );
    for s in SHEETS {
        for t in TIMES {
            assert_eq!(
                rows(&one, s, t),
                rows(&plain, s, t),
                "{s} at t={t}: vs ModelGCAL"
            );
        }
    }
    let v1 = rows(&one, "V1", "3");
    assert!(v1.iter().flatten().any(|x| *x > 0.0), "V1 responds by t=3");
}
