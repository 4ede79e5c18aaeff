//! `script_repr`: a model file that rebuilds an equal spec.
//!
//! Every component is written out with all of its parameters (so no
//! default or class-level setting is needed to rebuild it), one variable
//! per component so shared objects stay shared, in creation order.

use std::collections::{BTreeMap, HashSet};
use topo_spec::pyfmt::{float_literal, literal_with, str_literal as quote};
use topo_spec::{Component, ModelSpec, ParamKind, SimCommand, Value};

enum Role {
    Plain,
    Sheet(String),
    Conn(String, String),
}

/// A value as model-file text: Python literals through `topo_spec::pyfmt`,
/// components as the variables that hold them, times and bounding boxes as
/// the constructor calls the interpreter reads back.
fn value(v: &Value) -> String {
    literal_with(v, &|v| match v {
        Value::Time(t) => Some(float_literal(t.to_f64())),
        Value::Object(c) => Some(format!("_c{}", c.id)),
        Value::Function(f) => Some(f.clone()),
        Value::BoundingBox([l, b, r, t]) => Some(format!(
            "topo.sheet.BoundingBox(points=(({}, {}), ({}, {})))",
            float_literal(*l),
            float_literal(*b),
            float_literal(*r),
            float_literal(*t)
        )),
        _ => None,
    })
}

fn collect_value<'a>(v: &'a Value, out: &mut BTreeMap<u64, &'a Component>) {
    match v {
        Value::Object(c) => collect(c, out),
        Value::List(items) | Value::Tuple(items) => {
            items.iter().for_each(|x| collect_value(x, out))
        }
        Value::Dict(items) => items.iter().for_each(|(_, x)| collect_value(x, out)),
        _ => {}
    }
}

fn collect<'a>(c: &'a Component, out: &mut BTreeMap<u64, &'a Component>) {
    if out.contains_key(&c.id) {
        return;
    }
    out.insert(c.id, c);
    for v in c.params.values() {
        collect_value(v, out);
    }
}

fn children(c: &Component) -> Vec<u64> {
    let mut m = BTreeMap::new();
    for v in c.params.values() {
        collect_value(v, &mut m);
    }
    m.keys().copied().filter(|id| *id != c.id).collect()
}

/// How the text refers to a class: user classes by their own name.
fn class_ref(class: &str) -> &str {
    class.strip_prefix("__main__.").unwrap_or(class)
}

fn kwargs(c: &Component) -> String {
    c.params
        .iter()
        .map(|(k, v)| format!("{k}={}", value(v)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A model file that `load_model_source` turns back into a spec equal to
/// `spec` (apart from `source`, and `location` of function calls).
pub fn script_repr(spec: &ModelSpec) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "# script_repr of {}, written by topo-hpc\n",
        spec.source.replace('\n', " ")
    ));
    out.push_str("import topo\nimport imagen\nimport numbergen\nimport numpy\nimport operator\nimport param\n");
    out.push_str("from topo.misc.commandline import global_params as p\n\n");
    for g in &spec.global_params {
        let kind = match &g.kind {
            ParamKind::Number => "Number",
            ParamKind::Integer => "Integer",
            ParamKind::Boolean => "Boolean",
            ParamKind::String => "String",
            ParamKind::List => "List",
            ParamKind::ObjectSelector(_) => "ObjectSelector",
        };
        let mut args = vec![format!("default={}", value(&g.default))];
        if let Some((lo, hi)) = g.bounds {
            let side = |x: Option<f64>| x.map(float_literal).unwrap_or_else(|| "None".into());
            args.push(format!("bounds=({}, {})", side(lo), side(hi)));
        }
        if g.inclusive_bounds != (true, true) {
            args.push(format!(
                "inclusive_bounds=({}, {})",
                py_bool(g.inclusive_bounds.0),
                py_bool(g.inclusive_bounds.1)
            ));
        }
        if let ParamKind::ObjectSelector(objs) = &g.kind {
            args.push(format!(
                "objects=[{}]",
                objs.iter().map(value).collect::<Vec<_>>().join(", ")
            ));
        }
        if let Some(doc) = &g.doc {
            args.push(format!("doc={}", quote(doc)));
        }
        out.push_str(&format!(
            "p.add({}=param.{kind}({}))\n",
            g.name,
            args.join(", ")
        ));
    }
    for g in spec.global_params.iter().filter(|g| g.specified) {
        out.push_str(&format!("p.{} = {}\n", g.name, value(&g.value)));
    }
    if let Some(seed) = &spec.shared_random_seed {
        let words: Vec<String> = seed.iter().map(|w| w.to_string()).collect();
        out.push_str(&format!(
            "imagen.random.seed(({}{}))\n",
            words.join(", "),
            if words.len() == 1 { "," } else { "" }
        ));
    }
    if spec.param_random_seed != topo_spec::ParamRandomSeed::DEFAULT {
        out.push_str(&format!(
            "param.random_seed = {}\n",
            spec.param_random_seed.0
        ));
    }
    out.push('\n');
    if !spec.user_classes.is_empty() {
        // the model file's own classes, as written (their bases and the
        // names their bodies use come from these imports)
        out.push_str("import math\nfrom topo.base.functionfamily import LearningFn\n\n");
        for c in spec.user_classes.values() {
            out.push_str(&c.source);
            out.push_str("\n\n");
        }
    }

    let mut all: BTreeMap<u64, &Component> = BTreeMap::new();
    let mut roles: BTreeMap<u64, Role> = BTreeMap::new();
    for s in &spec.sheets {
        collect(&s.component, &mut all);
        roles.insert(s.component.id, Role::Sheet(s.name.clone()));
    }
    for c in &spec.connections {
        collect(&c.component, &mut all);
        roles.insert(c.component.id, Role::Conn(c.src.clone(), c.dest.clone()));
    }
    for v in spec.analysis.values() {
        collect_value(v, &mut all);
    }
    for f in spec.functions.values() {
        for call in &f.body {
            call.args.iter().for_each(|x| collect_value(x, &mut all));
            call.kwargs
                .iter()
                .for_each(|(_, x)| collect_value(x, &mut all));
        }
    }
    let mut done: HashSet<u64> = HashSet::new();
    fn emit(
        id: u64,
        all: &BTreeMap<u64, &Component>,
        roles: &BTreeMap<u64, Role>,
        done: &mut HashSet<u64>,
        out: &mut String,
    ) {
        if !done.insert(id) {
            return;
        }
        let Some(c) = all.get(&id) else { return };
        for child in children(c) {
            emit(child, all, roles, done, out);
        }
        match roles.get(&id).unwrap_or(&Role::Plain) {
            Role::Plain => out.push_str(&format!(
                "_c{} = {}({})\n",
                c.id,
                class_ref(&c.class),
                kwargs(c)
            )),
            Role::Sheet(name) => out.push_str(&format!(
                "topo.sim[{}] = {}({})\n",
                quote(name),
                class_ref(&c.class),
                kwargs(c)
            )),
            Role::Conn(src, dest) => out.push_str(&format!(
                "topo.sim.connect({}, {}, connection_type={}, {})\n",
                quote(src),
                quote(dest),
                class_ref(&c.class),
                kwargs(c)
            )),
        }
    }
    let ids: Vec<u64> = all.keys().copied().collect();
    for id in ids {
        emit(id, &all, &roles, &mut done, &mut out);
    }
    out.push('\n');
    for (k, v) in &spec.analysis {
        let (class, rest) = k.split_once('.').unwrap_or((k.as_str(), ""));
        let base = format!("topo.analysis.featureresponses.{class}");
        match rest.strip_prefix("cmd_overrides.") {
            Some(name) => out.push_str(&format!("{base}.set_cmd_overrides({name}={})\n", value(v))),
            None => out.push_str(&format!("{base}.{rest} = {}\n", value(v))),
        }
    }
    for f in spec.functions.values() {
        out.push_str(&format!("\ndef {}():\n", f.name));
        if f.body.is_empty() {
            out.push_str("    pass\n");
        }
        for call in &f.body {
            let mut args: Vec<String> = call.args.iter().map(value).collect();
            args.extend(call.kwargs.iter().map(|(k, v)| format!("{k}={}", value(v))));
            out.push_str(&format!("    {}({})\n", call.name, args.join(", ")));
        }
    }
    out.push('\n');
    for s in &spec.scheduled {
        let _ = matches!(s.command, SimCommand::Pass);
        out.push_str(&format!(
            "topo.sim.schedule_command({}, {})\n",
            float_literal(s.time.to_f64()),
            quote(&s.text)
        ));
    }
    out
}

fn py_bool(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}
