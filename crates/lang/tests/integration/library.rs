//! The constructs of Topographica's own model library (issue 12): the
//! namespace its `topographica` script gives a file, Python 2 syntax, and
//! the small language features of models/lissom.ty and
//! examples/hierarchical.ty. Every input here is our own text.

use crate::common;
use common::*;
use topo_lang::{load_source_with, LoadOptions, Message};
use topo_spec::Value;

fn load_msgs(
    text: &str,
    overrides: &[(&str, &str)],
    allow: bool,
) -> (topo_spec::ModelSpec, Vec<Message>) {
    let ov: Vec<(String, Value)> = overrides
        .iter()
        .map(|(a, b)| topo_lang::parse_param(&format!("{a}={b}")).unwrap())
        .collect();
    let opts = LoadOptions {
        allow_unused_params: allow,
        ..LoadOptions::default()
    };
    match load_source_with("dir/test.ty", text, &ov, &opts) {
        Ok(l) => (l.spec, l.messages),
        Err(e) => panic!("{e}\n{text}"),
    }
}

fn gp(spec: &topo_spec::ModelSpec, name: &str) -> Value {
    spec.global_params
        .iter()
        .find(|g| g.name == name)
        .unwrap_or_else(|| panic!("no global {name}"))
        .value
        .clone()
}

const HEADER: &str = "import param\nfrom topo.misc.commandline import global_params as p\n";

#[test]
fn topo_is_bound_and_bookkeeping_imports_are_harmless() {
    // no `import topo`: the topographica script's __main__ has it
    let text = "import os, sys, copy, pdb, itertools, __main__\nimport numpy\nimport param\n\
                numpy.random.seed((7, 8))\n\
                from topo.misc.commandline import global_params as p\n\
                p.add(here=param.String(default=os.path.join(os.path.dirname(__file__), 'images', 'a.png')))\n\
                topo.sim.name = 'x'\n";
    let (s, _) = load_msgs(text, &[], false);
    assert_eq!(gp(&s, "here"), Value::Str("dir/images/a.png".into()));
}

#[test]
fn future_division_is_true_division() {
    let base = "p.add(a=param.Number(default=3/2), b=param.Number(default=-7//2))\n";
    let (s, _) = load_msgs(&format!("{HEADER}{base}"), &[], false);
    assert_eq!(gp(&s, "a"), Value::Int(1));
    let (s, _) = load_msgs(
        &format!("from __future__ import division\n{HEADER}{base}"),
        &[],
        false,
    );
    assert_eq!(gp(&s, "a"), Value::Float(1.5));
    assert_eq!(gp(&s, "b"), Value::Int(-4));
}

#[test]
fn the_sandbox_stays() {
    for (text, line, col, what) in [
        (
            "import os\nx = 1\nos.system('rm -rf x')\n",
            3,
            4,
            "os.system is not available",
        ),
        (
            "import os\nos.remove('a')\n",
            2,
            4,
            "os.remove is not available",
        ),
        (
            "import sys\nsys.exit(1)\n",
            2,
            5,
            "sys.exit is not available",
        ),
        ("x = open('f', 'w')\n", 1, 5, "cannot access files"),
        (
            "import numpy\nx = numpy.random.uniform()\n",
            2,
            18,
            "numpy's global generator",
        ),
        (
            "import param\nx = param.resolve_path('no/such/file.png')\n",
            2,
            5,
            "was not found",
        ),
        (
            "import __main__\n__main__.__dict__['gpu'] = True\n",
            2,
            10,
            "__main__.__dict__",
        ),
    ] {
        let e = load_src(text).unwrap_err();
        assert_eq!((e.line, e.col), (line, col), "{text}: {e}");
        assert!(e.message.contains(what), "{text}: {e}");
    }
}

#[test]
fn resolve_path_searches_the_model_folder() {
    let dir = std::env::temp_dir().join(format!("topo_lang_resolve_{}", std::process::id()));
    std::fs::create_dir_all(dir.join("images")).unwrap();
    std::fs::write(dir.join("images/x.png"), b"").unwrap();
    let model = dir.join("m.ty");
    std::fs::write(
        &model,
        format!("{HEADER}p.add(f=param.String(default=param.resolve_path('images/x.png')))\n"),
    )
    .unwrap();
    let l = topo_lang::load_model_with(&model, &[], &LoadOptions::default()).unwrap();
    assert_eq!(
        gp(&l.spec, "f"),
        Value::Str(dir.join("images/x.png").display().to_string())
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn print_statements_go_to_the_messages() {
    let text = format!(
        "{HEADER}n = 3\nprint \"Number of patterns:\", n\nif n:\n    print 'a %s' % \\\n      ('b',)\nprint(n)\n"
    );
    let (_, m) = load_msgs(&text, &[], false);
    assert_eq!(
        m,
        vec![
            Message::Printed("Number of patterns: 3".into()),
            Message::Printed("a b".into()),
            Message::Printed("3".into()),
        ]
    );
}

#[test]
fn tabs_advance_to_the_next_multiple_of_eight() {
    // Python 2 read `\t` as 8 columns: both body lines are one block
    let text = format!("{HEADER}x = 0\nfor i in range(3):\n\tx += i\n        x += 10\np.add(v=param.Number(default=x))\n");
    let (s, _) = load_msgs(&text, &[], false);
    assert_eq!(gp(&s, "v"), Value::Int(33));
    // a real indentation error stays a located error
    let e = load_src("if 1:\n        x = 1\n   y = 2\n").unwrap_err();
    assert_eq!(e.line, 3, "{e}");
}

#[test]
fn unused_p_names_warn_when_allowed() {
    let text = format!("{HEADER}p.add(a=param.Number(default=1.0))\n");
    let e = topo_lang::load_model_source("t.ty", &text, &[("lgn_density".into(), "4".into())])
        .unwrap_err();
    assert!(
        e.message.contains("no global parameter 'lgn_density'"),
        "{e}"
    );
    let (_, m) = load_msgs(&text, &[("lgn_density", "4"), ("a", "2.0")], true);
    assert_eq!(m, vec![Message::Warning("'lgn_density' is unused.".into())]);
}

#[test]
fn default_analysis_plotgroups_and_apply_output_fns() {
    let text = "import topo.command\nfrom topo.analysis.featureresponses import MeasureResponseCommand\n\
                pgs = [x for y in [['Orientation Preference']] for x in y] + ['Position Preference', 'Activity']\n\
                topo.command.default_analysis_plotgroups = pgs\n\
                MeasureResponseCommand.pattern_response_fn.apply_output_fns = False\n";
    let s = load_src(text).unwrap();
    assert_eq!(
        s.analysis.get("topo.command.default_analysis_plotgroups"),
        Some(&Value::List(vec![
            Value::Str("Orientation Preference".into()),
            Value::Str("Position Preference".into()),
            Value::Str("Activity".into()),
        ]))
    );
    // featuremapper: the same flag FeatureMaps.set_cmd_overrides sets
    assert_eq!(
        s.analysis.get("FeatureMaps.cmd_overrides.apply_output_fns"),
        Some(&Value::Bool(false))
    );
}

#[test]
fn settling_sheet_opt_is_a_settling_sheet_when_its_mask_never_runs() {
    let base = "from topo import sheet\nimport topo.sheet.optimized\n";
    let s = load_src(&format!("{base}topo.sim['L'] = sheet.optimized.SettlingCFSheet_Opt(tsettle=2, strict_tsettle=1)\nT = sheet.optimized.LISSOM_Opt\ntopo.sim['M'] = T(tsettle=0)\n")).unwrap();
    assert_eq!(sheet(&s, "L").class, "topo.sheet.SettlingCFSheet");
    assert_eq!(sheet(&s, "M").class, "topo.sheet.SettlingCFSheet");
    let e = load_src(&format!(
        "{base}topo.sim['L'] = sheet.optimized.SettlingCFSheet_Opt(tsettle=8)\n"
    ))
    .unwrap_err();
    assert_eq!(e.line, 3, "{e}");
    assert!(e.message.contains("NeighborhoodMask"), "{e}");
}

#[test]
fn lissom_language_features() {
    let text = format!(
        "{HEADER}from topo.misc.util import linearly_interpolate\n\
         p.add(dims=param.List(default=['or', 'od']), d=param.Number(default=24.0))\n\
         if 'od' in p.dims:\n    p.set_default('d', 48.0)\n\
         p.dims.append('rg')\n\
         l = [3, 1, 2]\nl.reverse()\nl.append(9)\n\
         t = list(l)\nt.sort()\n\
         s = linearly_interpolate([2.33, 2.38, 2.53, 2.8], 2.0/24.0*24.0)\n\
         e = locals().get('nothere', 5)\n\
         g = hasattr(topo, 'guimain')\n\
         dd = dict(a=1)\ndd['b'] = 2\n\
         ok = set(p.dims).issuperset(set(['or', 'rg']))\n\
         p.add(v=param.List(default=[l, l[::2], l[::-1], l.index(1), t, s, e, g, sorted(dd.keys()), ok, p.dims]))\n"
    );
    let (s, _) = load_msgs(&text, &[], false);
    assert_eq!(gp(&s, "d"), Value::Float(48.0));
    let ints = |v: &[i64]| Value::List(v.iter().map(|&i| Value::Int(i)).collect());
    let strs = |v: &[&str]| Value::List(v.iter().map(|&i| Value::Str(i.into())).collect());
    assert_eq!(
        gp(&s, "v"),
        Value::List(vec![
            ints(&[2, 1, 3, 9]),
            ints(&[2, 3]),
            ints(&[9, 3, 1, 2]),
            Value::Int(1),
            ints(&[1, 2, 3, 9]),
            Value::Float(2.53),
            Value::Int(5),
            Value::Bool(false),
            strs(&["a", "b"]),
            Value::Bool(true),
            strs(&["or", "od", "rg"]),
        ])
    );
    // a -p value wins over set_default
    let ov = [("d", "12.0")];
    let (s, _) = load_msgs(&text, &ov, false);
    assert_eq!(gp(&s, "d"), Value::Float(12.0));
}

#[test]
fn hierarchical_language_features() {
    let text = "from topo import sheet, pattern\nimport imagen\n\
                topo.sim.startup_commands.append('from topo import sheet')\n\
                sheet.GeneratorSheet.params()['input_generator'].default = pattern.Line()\n\
                topo.sim['R'] = sheet.GeneratorSheet()\n";
    let s = load_src(text).unwrap();
    match sheet(&s, "R").params.get("input_generator") {
        Some(Value::Object(c)) => assert_eq!(c.class, "imagen.Line"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn gui_only_names_do_nothing() {
    let text = "from topo.command.pylabplot import overlaid_plots\n\
                from topo.plotting.plotgroup import create_plotgroup\n\
                spec = dict(name='x', plot_hooks=[overlaid_plots.instance(plot_template=[{'Hue': 'OrientationPreference'}])])\n\
                create_plotgroup(**spec)\n\
                if hasattr(topo, 'guimain'):\n    topo.guimain.refresh_plots_menu()\n";
    load_src(text).unwrap();
}

#[test]
fn numpy_arange_and_the_movie_makers_names() {
    // numpy.arange as numpy fills it: integers stay integers, floats are
    // start + i*((start+step)-start)
    let text = format!(
        "{HEADER}from numpy import arange\nimport numpy\n\
         p.add(a=param.List(default=list(arange(0, 1.0, 0.25))), b=param.List(default=list(numpy.arange(3))),\n\
               c=param.List(default=list(arange(0.1, 0.4, 0.1))))\n"
    );
    let (s, _) = load_msgs(&text, &[], false);
    let floats = |v: Value| match v {
        Value::List(items) => items
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect::<Vec<f64>>(),
        other => panic!("{other:?}"),
    };
    assert_eq!(floats(gp(&s, "a")), vec![0.0, 0.25, 0.5, 0.75]);
    assert_eq!(
        gp(&s, "b"),
        Value::List(vec![Value::Int(0), Value::Int(1), Value::Int(2)])
    );
    // (0.4-0.1)/0.1 is 3.0000000000000004: four items, as numpy gives
    let delta = (0.1f64 + 0.1) - 0.1;
    let want: Vec<f64> = (0..4).map(|i| 0.1 + i as f64 * delta).collect();
    assert_eq!(floats(gp(&s, "c")), want);
    assert_eq!(want[3], 0.4);
    let e = load_src("import numpy\nx = numpy.arange(0, 1, 0)\n")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("test.ty:2:5") && e.contains("step must not be zero"),
        "{e}"
    );
    // the bitmap montage settings are plotting-only; recording a movie is
    // refused at its import, with the reason
    let movie = "from topo.plotting.bitmap import MontageBitmap\nMontageBitmap.shape = (1, 2)\n\
                 from topo.misc.trace import ActivityMovie\n";
    let e = load_src(movie).unwrap_err().to_string();
    assert!(
        e.contains("test.ty:3:1") && e.contains("topo.misc.trace"),
        "{e}"
    );
}

#[test]
fn typed_p_values_reach_the_model_unchanged() {
    // A value that a text round trip through Rust's Debug would have
    // changed (`'a"b'` written as `"a\"b"`): given as
    // a value, the model sees exactly it.
    let text = format!("{HEADER}p.add(s=param.String('x'))\np.add(t=param.List([]))\n");
    let s = Value::Str("it's \"q\"\\n".into());
    let t = Value::List(vec![Value::Float(1e-7), Value::Str("a\"b".into())]);
    let ov = vec![("s".to_string(), s.clone()), ("t".to_string(), t.clone())];
    let l = load_source_with("dir/test.ty", &text, &ov, &LoadOptions::default()).unwrap();
    assert_eq!(gp(&l.spec, "s"), s);
    assert_eq!(gp(&l.spec, "t"), t);
    // A value out of bounds is reported in its Python text.
    let text = format!("{HEADER}p.add(x=param.Number(0.5, bounds=(0, 1)))\n");
    let ov = vec![("x".to_string(), Value::Float(1e-7 + 2.0))];
    let e = load_source_with("dir/test.ty", &text, &ov, &LoadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("<-p x=2.0000001>"), "{e}");
}
