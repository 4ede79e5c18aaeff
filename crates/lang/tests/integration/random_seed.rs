//! `param.random_seed = ...` in a model file: recorded in the spec (42 when
//! never set), readable back, written by script_repr, and refused with
//! `file:line:col` when it is not an integer or comes too late.

use crate::common;
use common::*;
use topo_spec::ParamRandomSeed;

const HEAD: &str = "import param\nimport topo\nfrom topo import sheet, projection\n";

#[test]
fn default_is_params_42() {
    let s = load_src(HEAD).unwrap();
    assert_eq!(s.param_random_seed, ParamRandomSeed(42));
    assert_eq!(load("gcal_class.ty", &[]).param_random_seed.0, 42);
    assert_eq!(load("tiny.ty", &[]).param_random_seed.0, 42);
}

#[test]
fn a_literal_an_expression_and_a_global_param_set_it() {
    let s = load_src(&format!("{HEAD}param.random_seed = 7\n")).unwrap();
    assert_eq!(s.param_random_seed.0, 7);
    let s = load_src(&format!("{HEAD}param.random_seed = 3 * 5 - 20\n")).unwrap();
    assert_eq!(s.param_random_seed.0, -5);
    // Read back like any Python attribute.
    let s = load_src(&format!(
        "{HEAD}param.random_seed = 9\nparam.random_seed = param.random_seed + 1\n"
    ))
    .unwrap();
    assert_eq!(s.param_random_seed.0, 10);
    let text = format!(
        "{HEAD}from topo.misc.commandline import global_params as p\n\
         p.add(seed=param.Integer(default=11))\nparam.random_seed = p.seed\n"
    );
    let s = topo_lang::load_model_source("t.ty", &text, &[]).unwrap();
    assert_eq!(s.param_random_seed.0, 11);
    let ov = [("seed".to_string(), "4".to_string())];
    let s = topo_lang::load_model_source("t.ty", &text, &ov).unwrap();
    assert_eq!(s.param_random_seed.0, 4);
}

#[test]
fn gcal_ty_seed_parameter_is_param_random_seed() {
    assert_eq!(load("gcal.ty", &[]).param_random_seed.0, 42);
    let s = load("gcal.ty", &[("seed", "3")]);
    assert_eq!(s.param_random_seed.0, 3);
    // Only the seed differs from the default model.
    let mut d = load("gcal.ty", &[]);
    d.param_random_seed = s.param_random_seed;
    assert_eq!(d.sheets, s.sheets);
    assert_eq!(d.connections, s.connections);
}

#[test]
fn non_integers_are_refused_with_their_location() {
    for (rhs, what) in [
        ("1.5", "float"),
        ("'7'", "str"),
        ("None", "NoneType"),
        ("True", "bool"),
    ] {
        let e = load_src(&format!("{HEAD}param.random_seed = {rhs}\n")).unwrap_err();
        assert_eq!((e.line, e.col), (4, 1), "{e}");
        assert!(
            e.message.contains("param.random_seed must be an integer") && e.message.contains(what),
            "{e}"
        );
        assert!(e.to_string().starts_with("test.ty:4:1:"), "{e}");
    }
}

#[test]
fn setting_it_after_a_connection_is_refused() {
    let text = format!(
        "{HEAD}topo.sim['A'] = sheet.GeneratorSheet(nominal_density=4)\n\
         topo.sim['B'] = sheet.CFSheet(nominal_density=4)\n\
         topo.sim.connect('A', 'B', name='Afferent', connection_type=projection.CFProjection)\n\
         param.random_seed = 5\n"
    );
    let e = load_src(&text).unwrap_err();
    assert_eq!((e.line, e.col), (7, 1), "{e}");
    assert!(
        e.message.contains("before the first topo.sim.connect"),
        "{e}"
    );
    // Before the connection it is fine.
    let text = format!(
        "{HEAD}param.random_seed = 5\n\
         topo.sim['A'] = sheet.GeneratorSheet(nominal_density=4)\n\
         topo.sim['B'] = sheet.CFSheet(nominal_density=4)\n\
         topo.sim.connect('A', 'B', name='Afferent', connection_type=projection.CFProjection)\n"
    );
    assert_eq!(load_src(&text).unwrap().param_random_seed.0, 5);
}

#[test]
fn script_repr_writes_it_back_only_when_not_42() {
    let s = load("gcal.ty", &[("seed", "3")]);
    let text = topo_lang::script_repr(&s);
    assert!(text.contains("param.random_seed = 3\n"), "{text}");
    let back = topo_lang::load_model_source("repr.ty", &text, &[]).unwrap();
    assert_eq!(back.param_random_seed.0, 3);
    let text = topo_lang::script_repr(&load("gcal.ty", &[]));
    assert!(!text.contains("param.random_seed ="), "{text}");
}

#[test]
fn old_spec_json_without_the_field_loads_as_42() {
    let s = load_src(&format!("{HEAD}param.random_seed = 8\n")).unwrap();
    let mut json = serde_json::to_value(&s).unwrap();
    assert_eq!(json["param_random_seed"], serde_json::json!(8));
    json.as_object_mut().unwrap().remove("param_random_seed");
    let old: topo_spec::ModelSpec = serde_json::from_value(json).unwrap();
    assert_eq!(old.param_random_seed, ParamRandomSeed::DEFAULT);
}

#[test]
fn model_gcal_random_seed_sets_it_as_topographicas_model_does() {
    // Model.random_seed = None leaves param's seed alone.
    assert_eq!(load("gcal_class.ty", &[]).param_random_seed.0, 42);
    assert_eq!(
        load("gcal_class.ty", &[("random_seed", "3")])
            .param_random_seed
            .0,
        3
    );
    let text = "import topo\nfrom topo.submodel.gcal import ModelGCAL\n\
                topo.sim.model = ModelGCAL(cortex_density=8, random_seed=6)\n";
    let s = topo_lang::load_model_source("m.ty", text, &[]).unwrap();
    assert_eq!(s.param_random_seed.0, 6);
    let e = topo_lang::load_model_source("m.ty", text, &[("random_seed".into(), "1.5".into())])
        .unwrap_err();
    assert!(e.message.contains("random_seed"), "{e}");
}
