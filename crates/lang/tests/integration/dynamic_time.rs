//! `param.Dynamic.time_fn = None` (the construct of Topographica's
//! models/sullivan_neurocomputing04.ty): accepted where every random
//! stream is read once per simulation time, so the model is the one
//! without the statement; refused, at the statement, where it would
//! change values.

use topo_lang::load_model_source;

/// A generator sheet drawing a random orientation per presentation, a
/// KernelMax radius and a learning rate decaying with time (own text).
const MODEL: &str = r#"
import param
from topo import numbergen, pattern, sheet, projection, transferfn
import topo.transferfn.misc
#NONE#
gen = pattern.Gaussian(size=0.1, aspect_ratio=4.0,
                       orientation=numbergen.UniformRandom(lbound=0, ubound=3.0, seed=7))
topo.sim['In'] = sheet.GeneratorSheet(input_generator=gen, period=1.0, phase=0.05,
                                      nominal_density=8)
topo.sim['Out'] = sheet.CFSheet(nominal_density=8, output_fns=[
    transferfn.misc.KernelMax(density=8, kernel_radius=numbergen.ExponentialDecay(
        starting_value=0.25, time_constant=100.0, base=0.5))])
topo.sim.connect('In', 'Out', delay=0.05, connection_type=projection.CFProjection,
                 nominal_bounds_template=sheet.BoundingBox(radius=0.2),
                 learning_rate=numbergen.ExponentialDecay(starting_value=0.5,
                                                          time_constant=50.0))
"#;

fn load(text: &str) -> Result<topo_spec::ModelSpec, String> {
    load_model_source("m.ty", text, &[]).map_err(|e| e.to_string())
}

#[test]
fn time_fn_none_is_the_same_model_when_each_stream_is_read_once_per_time() {
    let with = load(&MODEL.replace("#NONE#", "param.Dynamic.time_fn = None")).unwrap();
    let without = load(&MODEL.replace("#NONE#", "")).unwrap();
    assert_eq!(with.sheets, without.sheets);
    assert_eq!(with.connections, without.connections);
    assert_eq!(with.analysis, without.analysis);
}

#[test]
fn time_fn_none_is_refused_where_a_stream_is_read_twice() {
    // One UniformRandom object for both x and y: under time_fn=None param
    // draws twice per presentation, once per time otherwise.
    let shared = MODEL
        .replace("#NONE#", "param.Dynamic.time_fn = None")
        .replace(
            "orientation=numbergen.UniformRandom(lbound=0, ubound=3.0, seed=7))",
            "x=r, y=r)",
        );
    let shared = shared.replace(
        "gen = ",
        "r = numbergen.UniformRandom(lbound=-0.2, ubound=0.2, seed=3)\ngen = ",
    );
    let e = load(&shared).unwrap_err();
    assert!(e.contains("m.ty:5:1"), "{e}");
    assert!(e.contains("2 places"), "{e}");
    // Without the statement the shared stream is Topographica's default.
    load(&shared.replace("param.Dynamic.time_fn = None", "")).unwrap();

    // A random kernel radius: KernelMax may run several times per time.
    let radius = MODEL.replace("#NONE#", "param.Dynamic.time_fn = None").replace(
        "kernel_radius=numbergen.ExponentialDecay(\n        starting_value=0.25, time_constant=100.0, base=0.5)",
        "kernel_radius=numbergen.UniformRandom(lbound=0.1, ubound=0.3, seed=4)",
    );
    let e = load(&radius).unwrap_err();
    assert!(e.contains("m.ty:5:1"), "{e}");
    assert!(e.contains("more than once per simulation time"), "{e}");
}

#[test]
fn other_dynamic_settings_are_located_errors() {
    let e = load(&MODEL.replace("#NONE#", "param.Dynamic.time_dependent = False")).unwrap_err();
    assert!(e.contains("m.ty:5:"), "{e}");
    assert!(e.contains("param.Dynamic.time_dependent"), "{e}");
}
