//! Spatial-frequency channels in the class-based GCAL:
//! `ModelGCAL(dims=['xy','or','sf'])` (topo/submodel/earlyvision.py's
//! LGN sheets per SF channel, topo/submodel/gcal.py's V1 afferents per
//! channel, topo/misc/featurecoordinators.py's
//! SpatialFrequencyCoordinator) trained for a few steps on 1 and 3 ranks.
//! There is no Topographica trace of this model (wave2 has none), so the
//! test checks what the model defines: with gain_control_SF (the
//! default) both channels' LGN sheets have the bounds of the widest
//! channel, their responses to one retina differ (the DoGs differ by a
//! factor sf_spacing), and every sheet is bit-identical across rank
//! counts.

use crate::model_gcal_ranks::{rows, trace_on_1_and_3_ranks};

const SHEETS: [&str; 5] = ["Retina", "LGNOn1", "LGNOn2", "LGNOff2", "V1"];
const TIMES: [&str; 3] = ["1", "2", "3"];

#[test]
fn model_gcal_sf_channels_run_bit_identically_on_1_and_3_ranks() {
    let one = trace_on_1_and_3_ranks("['xy', 'or', 'sf']", &SHEETS, &TIMES);
    for t in TIMES {
        let (a, b) = (rows(&one, "LGNOn1", t), rows(&one, "LGNOn2", t));
        // LGN bounds radius area/2 + v1aff_radius*2 + lgnlateral_radius
        // for both channels at lgn_density 24: SheetCoordinateSystem's
        // true density truncates int(24*2*1.54166) = int(73.9997) = 73
        // units (holoviews core/sheetcoords.py), where the channel's own bounds
        // (gain_control_SF=False) would give int(24*2*1.27083) = 60.
        assert_eq!((a.len(), a[0].len()), (73, 73), "t={t}");
        assert_eq!((b.len(), b[0].len()), (73, 73), "t={t}");
        let max = |m: &Vec<Vec<f64>>| m.iter().flatten().fold(0.0f64, |x, y| x.max(*y));
        assert!(
            max(&a) > 0.0 && max(&b) > 0.0,
            "t={t}: both channels respond"
        );
        assert_ne!(a, b, "t={t}: the channels' DoGs differ");
    }
}
