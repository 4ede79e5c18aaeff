//! `ModelGCAL(dims=[..., 'dr'])`: direction of motion as
//! topo/submodel/earlyvision.py (`property_setup`'s `lags`,
//! `training_pattern_setup`'s position bounds, `align_orientations` and
//! `reset_period`), topo/misc/featurecoordinators.py (`MotionCoordinator`:
//! each pattern inside an imagen `Sweeper`), imagen/patterncoordinator.py
//! (`OrientationCoordinator` with aligned orientations) and
//! topo/submodel/gcal.py (`V1_afferent`: one projection per lag,
//! `analysis_setup`'s durations) define it. Expected values are worked out
//! by hand from those functions with the defaults (`num_lags` 4, `speed`
//! 2/24, `period` 1.0, `area` 1.0), in the same operation order.

use topo_spec::{Component, ModelSpec, Value};

fn load(extra: &str) -> ModelSpec {
    let text = format!(
        "import topo\nfrom topo.submodel.gcal import ModelGCAL\n\
         topo.sim.model = ModelGCAL(dims=['xy', 'or', 'dr'], cortex_density=8{extra})\n"
    );
    topo_lang::load_model_source("dr.ty", &text, &[]).unwrap_or_else(|e| panic!("{e}"))
}

fn uniform(v: &Value) -> &Component {
    // the coordinators' streams are `0.0 + UniformRandom(...)`
    let op = v.as_object().unwrap();
    op.params
        .values()
        .filter_map(Value::as_object)
        .find(|c| c.class == "numbergen.UniformRandom")
        .unwrap()
}

fn patterns(s: &ModelSpec) -> Vec<&Component> {
    let retina = s.sheets.iter().find(|x| x.name == "Retina").unwrap();
    let comp = retina
        .component
        .get("input_generator")
        .and_then(Value::as_object)
        .unwrap();
    assert_eq!(comp.class, "imagen.Composite");
    comp.get("generators")
        .and_then(Value::as_seq)
        .unwrap()
        .iter()
        .map(|g| g.as_object().unwrap())
        .collect()
}

#[test]
fn patterns_sweep_with_aligned_orientations_and_wider_position_bounds() {
    let s = load("");
    let ps = patterns(&s);
    assert_eq!(ps.len(), 2);
    for (i, sw) in ps.iter().enumerate() {
        assert_eq!(sw.class, "imagen.Sweeper");
        assert_eq!(sw.f64("speed"), Some(2.0 / 24.0));
        // reset_period = max(lags)*period + period
        assert_eq!(sw.f64("reset_period"), Some(3.0 * 1.0 + 1.0));
        let g = sw.get("generator").and_then(Value::as_object).unwrap();
        assert_eq!(g.class, "imagen.Gaussian");
        // position bounds area/2 + 0.25 + speed*max(lags)
        let b = 1.0 / 2.0 + 0.25 + 2.0 / 24.0 * 3.0;
        let x = uniform(g.get("x").unwrap());
        assert_eq!(x.f64("ubound"), Some(b));
        assert_eq!(x.f64("seed"), Some(12.0 + i as f64));
        assert_eq!(uniform(g.get("y").unwrap()).f64("ubound"), Some(b));
        // align_orientations None -> bool(speed) and 'dr' in dims: one
        // orientation stream (seed 21, no pattern number) for all patterns
        let o = uniform(g.get("orientation").unwrap());
        assert_eq!(o.f64("seed"), Some(21.0));
        assert_eq!(
            o.get("name"),
            Some(&Value::Str("OrientationCoordinator".into()))
        );
    }
}

#[test]
fn v1_has_one_afferent_per_lag_delayed_by_the_lag() {
    let s = load(", num_lags=3");
    let v1: Vec<(String, f64)> = s
        .connections
        .iter()
        .filter(|c| c.dest == "V1" && c.src == "LGNOff")
        .map(|c| (c.name.clone(), c.component.f64("delay").unwrap()))
        .collect();
    assert_eq!(
        v1,
        [
            ("LGNOffAfferent".to_string(), 0.05 + 0.0),
            ("LGNOffAfferentLag1".to_string(), 0.05 + 1.0),
            ("LGNOffAfferentLag2".to_string(), 0.05 + 2.0)
        ]
    );
    // analysis_setup: MeasureResponseCommand.durations = [(max(lags)+1)*1.0]
    assert_eq!(
        s.analysis.get("MeasureResponseCommand.durations"),
        Some(&Value::List(vec![Value::Float(3.0)]))
    );
}

#[test]
fn speed_zero_or_explicit_false_keeps_orientations_apart() {
    for extra in [", speed=0.0", ", align_orientations=False"] {
        let s = load(extra);
        for (i, sw) in patterns(&s).iter().enumerate() {
            let g = sw.get("generator").and_then(Value::as_object).unwrap();
            let o = uniform(g.get("orientation").unwrap());
            assert_eq!(o.f64("seed"), Some(21.0 + i as f64), "{extra}");
        }
    }
}
