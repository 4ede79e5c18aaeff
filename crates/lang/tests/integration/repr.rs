//! script_repr round trip: the text it writes loads back to an equal spec.

use crate::common;
use common::*;

fn round_trip(file: &str, overrides: &[(&str, &str)]) {
    let spec = load(file, overrides);
    let text = topo_lang::script_repr(&spec);
    let back = match topo_lang::load_model_source("repr.ty", &text, &[]) {
        Ok(s) => s,
        Err(e) => panic!("{file}: script_repr does not load: {e}\n{text}"),
    };
    let mut a = spec.clone();
    a.source = back.source.clone();
    if a != back {
        for (x, y) in a.sheets.iter().zip(&back.sheets) {
            assert_eq!(x, y, "{file}: sheet differs");
        }
        for (x, y) in a.connections.iter().zip(&back.connections) {
            assert_eq!(x, y, "{file}: connection differs");
        }
        assert_eq!(a.global_params, back.global_params, "{file}: global params");
        assert_eq!(a.scheduled, back.scheduled, "{file}: schedule");
        assert_eq!(a, back, "{file}: spec differs");
    }
}

#[test]
fn every_example_round_trips() {
    for f in [
        "tiny.ty",
        "gcal.ty",
        "gcal_class.ty",
        "lissom_oo_or.ty",
        "lissom_or.ty",
        "som_retinotopy.ty",
    ] {
        round_trip(f, &[]);
    }
}

#[test]
fn round_trip_keeps_overridden_values() {
    round_trip(
        "gcal_class.ty",
        &[("cortex_density", "8"), ("lgn_density", "24")],
    );
    round_trip("som_retinotopy.ty", &[("weight_seed", "3")]);
    round_trip("gcal.ty", &[("seed", "3")]);
}

#[test]
fn repr_is_plain_model_text() {
    let text = topo_lang::script_repr(&load("lissom_oo_or.ty", &[]));
    assert!(text.contains("topo.sim['V1'] = topo.sheet.SettlingCFSheet("));
    assert!(text.contains(
        "topo.sim.connect('V1', 'V1', connection_type=topo.projection.ResizableCFProjection,"
    ));
    assert!(text.contains("topo.sim.schedule_command(100.0, \"topo.sim['V1'].projections()['LateralExcitatory'].change_bounds(sheet.BoundingBox(radius=0.06250))\")")
        || text.contains("topo.sim.schedule_command(100.0, 'topo.sim[\\'V1\\'].projections()[\\'LateralExcitatory\\'].change_bounds(sheet.BoundingBox(radius=0.06250))')"));
}
