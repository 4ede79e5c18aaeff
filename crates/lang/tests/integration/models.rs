//! Behaviour of the interpreter on the example models: class-based vs
//! explicit GCAL, -p overrides, class-level defaults, comprehensions,
//! schedules, analysis settings.

use crate::common;
use common::*;
use topo_spec::{SimCommand, Time, Value};

#[test]
fn explicit_and_class_gcal_build_the_same_network() {
    for ov in [vec![], vec![("cortex_density", "8")]] {
        let a = load("gcal.ty", &ov);
        let b = load("gcal_class.ty", &ov);
        assert_eq!(a.sheets.len(), b.sheets.len());
        for (x, y) in a.sheets.iter().zip(&b.sheets) {
            assert_eq!(x.name, y.name);
            assert_eq!(
                anonymous(&Value::Object(Box::new(x.component.clone()))),
                anonymous(&Value::Object(Box::new(y.component.clone()))),
                "sheet {}",
                x.name
            );
        }
        assert_eq!(a.connections.len(), b.connections.len());
        for (x, y) in a.connections.iter().zip(&b.connections) {
            assert_eq!(
                (&x.src, &x.dest, &x.name),
                (&y.src, &y.dest, &y.name),
                "connection order"
            );
            assert_eq!(
                anonymous(&Value::Object(Box::new(x.component.clone()))),
                anonymous(&Value::Object(Box::new(y.component.clone()))),
                "connection {}.{}",
                x.dest,
                x.name
            );
        }
        assert_eq!(a.analysis, b.analysis);
        // names/ids of default-named objects do differ (different creation histories)
        assert_ne!(a, b);
    }
}

#[test]
fn model_gcal_projection_order_is_source_major() {
    let s = load("gcal_class.ty", &[]);
    let order: Vec<String> = s
        .connections
        .iter()
        .map(|c| format!("{}->{}:{}", c.src, c.dest, c.name))
        .collect();
    assert_eq!(
        order,
        [
            "Retina->LGNOn:Afferent",
            "Retina->LGNOff:Afferent",
            "LGNOn->LGNOn:LateralGC",
            "LGNOn->V1:LGNOnAfferent",
            "LGNOff->LGNOff:LateralGC",
            "LGNOff->V1:LGNOffAfferent",
            "V1->V1:LateralExcitatory",
            "V1->V1:LateralInhibitory"
        ]
    );
}

#[test]
fn model_gcal_parameters_are_global_params() {
    let s = load(
        "gcal_class.ty",
        &[
            ("cortex_density", "8"),
            ("aff_lr", "0.2"),
            ("gain_control", "False"),
        ],
    );
    let g = |n: &str| {
        s.global_params
            .iter()
            .find(|g| g.name == n)
            .unwrap_or_else(|| panic!("{n} not registered"))
    };
    assert_eq!(g("cortex_density").value, Value::Int(8));
    assert!(g("cortex_density").specified);
    assert_eq!(g("lgn_density").value, Value::Float(24.0));
    assert!(!g("lgn_density").specified);
    assert_eq!(sheet(&s, "V1").get("nominal_density"), Some(&Value::Int(8)));
    assert_eq!(
        conn(&s, "V1", "LGNOnAfferent").f64("learning_rate"),
        Some(0.2)
    );
    // without gain control: no LateralGC, LGN tsettle 0, LGN->V1 delay 0.10, strength 1.0
    assert!(!s.connections.iter().any(|c| c.name == "LateralGC"));
    assert_eq!(sheet(&s, "LGNOn").get("tsettle"), Some(&Value::Int(0)));
    assert_eq!(
        conn(&s, "V1", "LGNOffAfferent").get("delay"),
        Some(&Value::Time(Time::new(1, 10)))
    );
    assert_eq!(conn(&s, "V1", "LGNOffAfferent").f64("strength"), Some(1.0));
    // constructor keywords become the defaults; -p still wins
    let t = topo_lang::load_model_source("m.ty", "import topo\nfrom topo.submodel.gcal import ModelGCAL\ntopo.sim.model = ModelGCAL(cortex_density=24, lgn_density=12)\n", &[("lgn_density".into(), "10".into())]).unwrap();
    let g = |n: &str| {
        t.global_params
            .iter()
            .find(|g| g.name == n)
            .unwrap()
            .clone()
    };
    assert_eq!(g("cortex_density").default, Value::Int(24));
    assert_eq!(g("cortex_density").value, Value::Int(24));
    assert_eq!(g("lgn_density").value, Value::Int(10));
    assert_eq!(
        sheet(&t, "LGNOn").get("nominal_density"),
        Some(&Value::Int(10))
    );
}

#[test]
fn examples_gcal_is_the_legacy_variant() {
    let s = topo_lang::load_model_source("l.ty", "import topo\nfrom topo.submodel.gcal import ExamplesGCAL\ntopo.sim.model = ExamplesGCAL()\n", &[("cortex_density".into(), "8".into())]).unwrap();
    assert_eq!(
        sheet(&s, "V1").get("nominal_density"),
        Some(&Value::Int(48)),
        "V1 density forced to 48"
    );
    assert_eq!(
        sheet(&s, "Retina").get("nominal_bounds"),
        Some(&Value::BoundingBox([-1.625, -1.625, 1.625, 1.625]))
    );
    assert_eq!(
        sheet(&s, "LGNOff").get("nominal_bounds"),
        Some(&Value::BoundingBox([-1.25, -1.25, 1.25, 1.25]))
    );
    let order: Vec<String> = s
        .connections
        .iter()
        .map(|c| format!("{}.{}", c.dest, c.name))
        .collect();
    assert_eq!(
        order,
        [
            "LGNOn.Afferent",
            "LGNOff.Afferent",
            "LGNOn.LateralGC",
            "LGNOff.LateralGC",
            "V1.LGNOnAfferent",
            "V1.LGNOffAfferent",
            "V1.LateralExcitatory",
            "V1.LateralInhibitory"
        ]
    );
    let wg = obj(conn(&s, "V1", "LateralInhibitory"), "weights_generator");
    assert_eq!(
        wg.get("time_dependent"),
        Some(&Value::Bool(false)),
        "legacy streams are sequential"
    );
}

#[test]
fn overrides_reach_the_spec() {
    let s = load(
        "lissom_oo_or.ty",
        &[
            ("cortex_density", "8"),
            ("retina_density", "24.5"),
            ("num_inputs", "3"),
        ],
    );
    assert_eq!(sheet(&s, "V1").get("nominal_density"), Some(&Value::Int(8)));
    assert_eq!(
        sheet(&s, "Retina").get("nominal_density"),
        Some(&Value::Float(24.5))
    );
    let gens = obj(sheet(&s, "Retina"), "input_generator")
        .get("generators")
        .and_then(Value::as_seq)
        .unwrap()
        .len();
    assert_eq!(gens, 3, "num_inputs drives the comprehension");
    // st = 1.0/num_inputs scales the schedule; the time is the float
    // 200*st made exact, as Topographica's mpq(200*st) does
    assert_eq!(s.scheduled[0].time, Time::from_f64(200.0 * (1.0 / 3.0)));
    let som = load(
        "som_retinotopy.ty",
        &[("input_seed", "5"), ("weight_seed", "1")],
    );
    let ig = obj(sheet(&som, "Retina"), "input_generator");
    assert_eq!(obj(ig, "x").get("seed"), Some(&Value::Int(17)));
    assert_eq!(obj(ig, "y").get("seed"), Some(&Value::Int(61)));
    assert_eq!(som.shared_random_seed, Some(vec![68, 90]));
}

#[test]
fn class_defaults_apply_to_later_instances_and_subclasses() {
    let s = load("lissom_oo_or.ty", &[]);
    // CFProjection.cf_shape = Disk(smoothing=0) reaches SharedWeight and Resizable subclasses
    for (d, n) in [
        ("LGNOn", "Afferent"),
        ("V1", "LateralExcitatory"),
        ("V1", "LGNOffAfferent"),
    ] {
        let cf = obj(conn(&s, d, n), "cf_shape");
        assert_eq!(
            (cf.class.as_str(), cf.f64("smoothing")),
            ("imagen.Disk", Some(0.0)),
            "{d}.{n}"
        );
    }
    // each projection gets its own copy (param's instantiate), not one shared object
    let ids: std::collections::BTreeSet<u64> = s
        .connections
        .iter()
        .map(|c| obj(&c.component, "cf_shape").id)
        .collect();
    assert_eq!(ids.len(), s.connections.len());
    // SharedWeightCFProjection.response_fn set separately; its learning_fn stays its own default
    assert_eq!(
        obj(conn(&s, "LGNOn", "Afferent"), "learning_fn").class,
        "topo.learningfn.CFPLF_Identity"
    );
    assert_eq!(
        obj(conn(&s, "V1", "LateralInhibitory"), "learning_fn").class,
        "topo.learningfn.CFPLF_Hebbian"
    );
    // Gaussian.size / aspect_ratio class defaults apply where not given
    let t = load_src("from topo import pattern\npattern.Gaussian.size = 0.08333\nimport topo\ng = pattern.Gaussian()\nfrom topo import sheet\ntopo.sim['R'] = sheet.GeneratorSheet(input_generator=g)\nh = pattern.Gaussian(size=0.5)\n").unwrap();
    let g = obj(sheet(&t, "R"), "input_generator");
    assert_eq!(g.f64("size"), Some(0.08333));
    assert_eq!(g.f64("aspect_ratio"), Some(1.0 / 0.31), "untouched default");
    // a default set on a base class reaches subclasses unless a nearer class sets it
    let u = load_src("import topo\nfrom topo import sheet, projection\nprojection.CFProjection.precedence = 0.3\ntopo.sim['R'] = sheet.GeneratorSheet()\ntopo.sim['V'] = sheet.CFSheet()\ntopo.sim.connect('R', 'V', name='a', connection_type=projection.ResizableCFProjection)\ntopo.sim.connect('R', 'V', name='b', connection_type=projection.SharedWeightCFProjection)\n").unwrap();
    assert_eq!(conn(&u, "V", "a").f64("precedence"), Some(0.3));
    assert_eq!(
        conn(&u, "V", "b").f64("precedence"),
        Some(0.5),
        "SharedWeightCFProjection declares its own precedence"
    );
}

#[test]
fn comprehension_inputs_carry_their_seeds() {
    for file in ["lissom_oo_or.ty", "lissom_or.ty"] {
        let s = load(file, &[]);
        let ig = obj(sheet(&s, "Retina"), "input_generator");
        assert_eq!(ig.class, "imagen.SeparatedComposite");
        assert_eq!(ig.f64("min_separation"), Some(2.2 * 0.27083));
        let gens = ig.get("generators").and_then(Value::as_seq).unwrap();
        assert_eq!(gens.len(), 2);
        for (i, g) in gens.iter().enumerate() {
            let g = g.as_object().unwrap();
            assert_eq!(g.f64("size"), Some(0.088388));
            assert_eq!(g.f64("aspect_ratio"), Some(4.66667));
            let seed = |p: &str| obj(g, p).get("seed").cloned();
            assert_eq!(seed("x"), Some(Value::Int(12 + i as i64)));
            assert_eq!(seed("y"), Some(Value::Int(34 + i as i64)));
            assert_eq!(seed("orientation"), Some(Value::Int(56 + i as i64)));
            assert_eq!(obj(g, "x").get("time_dependent"), Some(&Value::Bool(false)));
            assert_eq!(obj(g, "x").f64("lbound"), Some(-0.75));
        }
    }
}

#[test]
fn lissom_schedule_expands_to_sim_commands() {
    let s = load("lissom_oo_or.ty", &[]);
    let at = |t: i64| {
        s.scheduled
            .iter()
            .filter(|c| c.time == Time::from_int(t))
            .map(|c| c.command.clone())
            .collect::<Vec<_>>()
    };
    let t100 = at(100);
    assert_eq!(
        t100,
        vec![
            SimCommand::ChangeBounds {
                sheet: "V1".into(),
                projection: "LateralExcitatory".into(),
                bounds: [-0.0625, -0.0625, 0.0625, 0.0625]
            },
            SimCommand::SetLearningRatePerUnit {
                sheet: "V1".into(),
                projection: "LateralExcitatory".into(),
                per_unit: 0.12168
            },
            SimCommand::SetOutputFnParam {
                sheet: "V1".into(),
                index: 0,
                param: "lower_bound".into(),
                value: Value::Float(0.093)
            },
            SimCommand::SetOutputFnParam {
                sheet: "V1".into(),
                index: 0,
                param: "upper_bound".into(),
                value: Value::Float(0.643)
            },
        ]
    );
    let t250 = at(250);
    assert!(t250.contains(&SimCommand::SetProjectionParam {
        sheet: "V1".into(),
        projection: "LGNOnAfferent".into(),
        param: "learning_rate".into(),
        value: Value::Float(0.6850 / 2.0)
    }));
    assert!(t250.contains(&SimCommand::SetProjectionParam {
        sheet: "V1".into(),
        projection: "LGNOffAfferent".into(),
        param: "learning_rate".into(),
        value: Value::Float(0.6850 / 2.0)
    }));
    assert_eq!(
        at(1000),
        vec![
            SimCommand::ChangeBounds {
                sheet: "V1".into(),
                projection: "LateralExcitatory".into(),
                bounds: [-0.028, -0.028, 0.028, 0.028]
            },
            SimCommand::SetLearningRatePerUnit {
                sheet: "V1".into(),
                projection: "LateralExcitatory".into(),
                per_unit: 0.06084
            },
            SimCommand::SetProjectionParam {
                sheet: "V1".into(),
                projection: "LGNOnAfferent".into(),
                param: "learning_rate".into(),
                value: Value::Float(0.5480 / 2.0)
            },
            SimCommand::SetProjectionParam {
                sheet: "V1".into(),
                projection: "LGNOffAfferent".into(),
                param: "learning_rate".into(),
                value: Value::Float(0.5480 / 2.0)
            },
            SimCommand::SetOutputFnParam {
                sheet: "V1".into(),
                index: 0,
                param: "lower_bound".into(),
                value: Value::Float(0.163)
            },
            SimCommand::SetOutputFnParam {
                sheet: "V1".into(),
                index: 0,
                param: "upper_bound".into(),
                value: Value::Float(0.683)
            },
            SimCommand::SetSheetParam {
                sheet: "V1".into(),
                param: "tsettle".into(),
                value: Value::Int(10)
            },
        ]
    );
    assert_eq!(at(6000), vec![SimCommand::Pass]);
    assert_eq!(s.scheduled.len(), 10 + 10 + 2 * 4 + 2 * 10 + 2 + 4);
    // lissom_or has one afferent: its rate is not divided
    let r = load("lissom_or.ty", &[]);
    assert!(r.scheduled.iter().any(|c| c.time == Time::from_int(250)
        && c.command
            == SimCommand::SetProjectionParam {
                sheet: "V1".into(),
                projection: "Afferent".into(),
                param: "learning_rate".into(),
                value: Value::Float(0.6850)
            }));
    assert!(r.scheduled.iter().any(|c| c.time == Time::from_int(100)
        && c.command
            == SimCommand::SetOutputFnParam {
                sheet: "V1".into(),
                index: 0,
                param: "lower_bound".into(),
                value: Value::Float(0.11)
            }));
}

#[test]
fn schedule_command_text_is_parsed() {
    let base = "import topo\nfrom topo import sheet, projection, transferfn\ntopo.sim['R'] = sheet.GeneratorSheet()\ntopo.sim['V1'] = sheet.CFSheet(output_fns=[transferfn.PiecewiseLinear()])\ntopo.sim.connect('R', 'V1', name='P', connection_type=projection.ResizableCFProjection)\n";
    let s = load_src(&format!("{base}topo.sim.schedule_command(10, \"topo.sim['V1'].projections()['P'].strength=2*0.5\")\ntopo.sim.schedule_command(0.5, 'pass')\n")).unwrap();
    assert_eq!(
        s.scheduled[0].command,
        SimCommand::SetProjectionParam {
            sheet: "V1".into(),
            projection: "P".into(),
            param: "strength".into(),
            value: Value::Float(1.0)
        }
    );
    assert_eq!(s.scheduled[1].time, Time::new(1, 2));
    for bad in [
        "print 'x'",
        "topo.sim['V1'].projections()['Q'].strength=1",
        "import os",
        "topo.sim['V9'].tsettle=3",
        "topo.sim['V1'].output_fns[3].lower_bound=0.1",
    ] {
        let e = load_src(&format!("{base}topo.sim.schedule_command(10, {bad:?})\n")).unwrap_err();
        assert_eq!(e.line, 6, "{bad}: {e}");
        assert!(e.message.contains("scheduled command"), "{e}");
    }
}

#[test]
fn analysis_settings_are_recorded() {
    let s = load("lissom_oo_or.ty", &[]);
    assert_eq!(
        s.analysis.get("FeatureMaps.cmd_overrides.apply_output_fns"),
        Some(&Value::Bool(false))
    );
    assert_eq!(
        s.analysis.get("MeasureResponseCommand.durations"),
        Some(&Value::List(vec![Value::Float(0.175)]))
    );
    assert_eq!(
        s.analysis.get("FeatureCurveCommand.durations"),
        Some(&Value::List(vec![Value::Float(1.0)]))
    );
    // lissom_or's MeasureResponseCommand.pattern_response_fn spelling is
    // the same switch as FeatureMaps' (featuremapper's pattern_response)
    let r = load("lissom_or.ty", &[]);
    assert_eq!(
        r.analysis.get("FeatureMaps.cmd_overrides.apply_output_fns"),
        Some(&Value::Bool(false))
    );
    let g = load("gcal_class.ty", &[]);
    assert_eq!(
        g.analysis.get("FeatureMaps.selectivity_multiplier"),
        Some(&Value::Float(2.0))
    );
    assert_eq!(
        g.analysis.get("FeatureCurveCommand.contrasts"),
        Some(&Value::List(
            [1, 10, 30, 50, 100]
                .iter()
                .map(|i| Value::Int(*i))
                .collect()
        ))
    );
}

#[test]
fn som_dynamic_parameters() {
    let s = load("som_retinotopy.ty", &[]);
    let lr = obj(conn(&s, "V1", "Afferent"), "learning_rate");
    assert_eq!(lr.class, "numbergen.ExponentialDecay");
    assert_eq!(lr.f64("time_constant"), Some(40000.0 / 6.0));
    let ofn = sheet(&s, "V1")
        .get("output_fns")
        .and_then(Value::as_seq)
        .unwrap()[0]
        .as_object()
        .unwrap();
    assert_eq!(ofn.class, "topo.transferfn.misc.KernelMax");
    let kr = obj(ofn, "kernel_radius");
    assert_eq!(kr.class, "numbergen.BoundedNumber");
    assert_eq!(
        kr.get("bounds"),
        Some(&Value::Tuple(vec![Value::Float(0.0125), Value::None]))
    );
    assert_eq!(obj(kr, "generator").f64("time_constant"), Some(8000.0));
    let ig = obj(sheet(&s, "Retina"), "input_generator");
    assert_eq!(obj(ig, "x").get("name"), Some(&Value::Str("xgen".into())));
    assert_eq!(obj(ig, "x").get("time_dependent"), Some(&Value::Bool(true)));
    assert_eq!(
        obj(conn(&s, "V1", "Afferent"), "weights_generator").get("time_dependent"),
        Some(&Value::Bool(false))
    );
    assert_eq!(
        sheet(&s, "Retina").get("nominal_density"),
        Some(&Value::Float(10.0)),
        "GeneratorSheet.nominal_density class default"
    );
}

#[test]
fn ids_follow_creation_order_and_sharing() {
    let s = load("lissom_oo_or.ty", &[]);
    // the same centre Gaussian object is in both DoG composites
    let on = obj(conn(&s, "LGNOn", "Afferent"), "weights_generator")
        .get("generators")
        .and_then(Value::as_seq)
        .unwrap()
        .to_vec();
    let off = obj(conn(&s, "LGNOff", "Afferent"), "weights_generator")
        .get("generators")
        .and_then(Value::as_seq)
        .unwrap()
        .to_vec();
    assert_eq!(
        on[0].as_object().unwrap().id,
        off[1].as_object().unwrap().id
    );
    assert_eq!(on[0], off[1]);
    // sheets and connections in creation order
    let mut last = None;
    for c in s.connections.iter().map(|c| c.component.id) {
        assert!(last.map(|l| l < c).unwrap_or(true));
        last = Some(c);
    }
    // default names follow param's ClassName + 5 digits
    let n = obj(conn(&s, "V1", "LateralInhibitory"), "response_fn")
        .get("name")
        .and_then(Value::as_str)
        .unwrap()
        .to_string();
    assert!(
        n.starts_with("CFPRF_DotProduct") && n.len() == "CFPRF_DotProduct".len() + 5,
        "{n}"
    );
}

#[test]
fn functions_become_call_lists() {
    let s = load_src("from topo import pattern\nimport math\ndef analysis():\n    \"\"\"measure\"\"\"\n    measure_or_pref(num_phase=8)\n    save_plotgroup('Activity', normalize='Individually')\n    pattern_present(inputs=pattern.Gaussian(orientation=math.pi/4))\n").unwrap();
    let f = &s.functions["analysis"];
    assert_eq!(f.body.len(), 3);
    assert_eq!(f.body[0].name, "measure_or_pref");
    assert_eq!(
        f.body[0].kwargs,
        vec![("num_phase".to_string(), Value::Int(8))]
    );
    assert_eq!(f.body[1].args, vec![Value::Str("Activity".into())]);
    assert_eq!(f.body[0].location, "test.ty:5:5");
    let e = load_src("def f():\n    x = 1\n").unwrap_err();
    assert_eq!((e.line, e.col), (2, 5), "{e}");
}

/// lissom_or has no stage reference data; its values are checked against
/// the ones written in Topographica's models/lissom_or.ty.
#[test]
fn lissom_or_key_values() {
    let s = load("lissom_or.ty", &[]);
    assert_eq!(
        sheet(&s, "Retina").get("nominal_bounds"),
        Some(&Value::BoundingBox([-0.75, -0.75, 0.75, 0.75]))
    );
    let v1 = sheet(&s, "V1");
    assert_eq!(v1.class, "topo.sheet.SettlingCFSheet");
    assert_eq!(v1.get("tsettle"), Some(&Value::Int(9)));
    let pl = v1.get("output_fns").and_then(Value::as_seq).unwrap()[0]
        .as_object()
        .unwrap();
    assert_eq!(
        (pl.f64("lower_bound"), pl.f64("upper_bound")),
        (Some(0.1), Some(0.65))
    );
    let order: Vec<&str> = s.connections.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        order,
        ["Afferent", "LateralExcitatory", "LateralInhibitory"]
    );
    for (name, class, delay, strength, lr, radius, gs) in [
        (
            "Afferent",
            "topo.projection.CFProjection",
            Time::new(1, 10),
            1.0,
            0.9590,
            0.27083,
            2.0 * 0.27083,
        ),
        (
            "LateralExcitatory",
            "topo.projection.ResizableCFProjection",
            Time::new(1, 20),
            0.9,
            2.55528,
            0.10417,
            2.0 * 0.10417,
        ),
        (
            "LateralInhibitory",
            "topo.projection.CFProjection",
            Time::new(1, 20),
            -0.9,
            1.80873,
            0.22917,
            2.0 * 0.22917,
        ),
    ] {
        let c = conn(&s, "V1", name);
        assert_eq!(c.class, class, "{name}");
        assert_eq!(c.get("delay"), Some(&Value::Time(delay)), "{name}");
        assert_eq!(c.f64("strength"), Some(strength), "{name}");
        assert_eq!(c.f64("learning_rate"), Some(lr), "{name}");
        assert_eq!(
            c.get("nominal_bounds_template"),
            Some(&Value::BoundingBox([-radius, -radius, radius, radius])),
            "{name}"
        );
        assert_eq!(
            obj(c, "weights_generator").f64("gaussian_size"),
            Some(gs),
            "{name}"
        );
        assert_eq!(obj(c, "cf_shape").f64("smoothing"), Some(0.0), "{name}");
        assert_eq!(obj(c, "learning_fn").class, "topo.learningfn.CFPLF_Hebbian");
    }
}

/// Class defaults of every featuremapper command the analysis runs and
/// of their base classes are recorded under `<Class>.<param>` (own text).
#[test]
fn featuremapper_class_defaults_are_recorded() {
    let text = "
import topo
from topo.command.analysis import measure_contrast_response
from topo.analysis.featureresponses import UnitCurveCommand, PositionMeasurementCommand
topo.sim['In'] = topo.sheet.GeneratorSheet(nominal_density=4)
measure_contrast_response.contrasts = [5, 50]
topo.command.analysis.measure_dr_pref.num_speeds = 2
UnitCurveCommand.size = 0.3
PositionMeasurementCommand.divisions = 3
";
    let s = topo_lang::load_model_source("m.ty", text, &[]).unwrap();
    assert_eq!(
        s.analysis.get("measure_contrast_response.contrasts"),
        Some(&Value::List(vec![Value::Int(5), Value::Int(50)]))
    );
    assert_eq!(
        s.analysis.get("measure_dr_pref.num_speeds"),
        Some(&Value::Int(2))
    );
    assert_eq!(
        s.analysis.get("UnitCurveCommand.size"),
        Some(&Value::Float(0.3))
    );
    assert_eq!(
        s.analysis.get("PositionMeasurementCommand.divisions"),
        Some(&Value::Int(3))
    );
}
