//! Turning the interpreter state into a `ModelSpec`.

use crate::interp::{Interp, R};
use crate::obj::Obj;
use crate::registry::{registry, Kind};
use std::collections::{BTreeMap, BTreeSet};
use topo_spec::{
    Component, ConnectionSpec, FunctionSpec, GlobalParam, ModelSpec, ParamKind, SheetSpec, Value,
};

const MAX_NEST: usize = 64;

impl Interp {
    /// Converts a run-time value for the spec.
    pub(crate) fn to_value(&self, v: &Obj, off: usize) -> R<Value> {
        to_value(self, v, off, 0)
    }
}

/// Converts a run-time value to a spec value.
pub(crate) fn to_value(it: &Interp, v: &Obj, off: usize, depth: usize) -> R<Value> {
    if depth > MAX_NEST {
        return Err(it.err(
            off,
            "value nested too deeply (a component containing itself?)",
        ));
    }
    Ok(match v {
        Obj::None => Value::None,
        Obj::Bool(b) => Value::Bool(*b),
        Obj::Int(i) => Value::Int(*i),
        Obj::Float(f) => Value::Float(*f),
        Obj::Str(s) => Value::Str(s.clone()),
        Obj::List(items) => Value::List(
            items
                .iter()
                .map(|x| to_value(it, x, off, depth + 1))
                .collect::<R<_>>()?,
        ),
        Obj::Tuple(items) => Value::Tuple(
            items
                .iter()
                .map(|x| to_value(it, x, off, depth + 1))
                .collect::<R<_>>()?,
        ),
        Obj::Dict(items) => Value::Dict(
            items
                .iter()
                .map(|(k, x)| Ok((k.clone(), to_value(it, x, off, depth + 1)?)))
                .collect::<R<_>>()?,
        ),
        Obj::BBox(b) => Value::BoundingBox(*b),
        Obj::Func(f) => Value::Function(f.clone()),
        Obj::UserFn(f) => Value::Function(f.clone()),
        Obj::Comp(c) => Value::Object(Box::new(component(it, c, off, depth + 1)?)),
        other => {
            return Err(it.err(
                off,
                format!("a {} cannot be stored in the model spec", other.type_name()),
            ))
        }
    })
}

fn component(it: &Interp, c: &crate::obj::CompRef, off: usize, depth: usize) -> R<Component> {
    let b = c
        .try_borrow()
        .map_err(|_| it.err(off, "a component refers to itself"))?;
    let mut params = BTreeMap::new();
    for (k, v) in &b.params {
        let is_time = registry()
            .param(&b.class, k)
            .map(|p| p.kind == Kind::Time)
            .unwrap_or(false);
        let val = match (is_time, v) {
            (true, Obj::Int(_) | Obj::Float(_)) => {
                Value::Time(it.time_value(v.num().unwrap_or(0.0), off)?)
            }
            _ => to_value(it, v, off, depth)?,
        };
        params.insert(k.clone(), val);
    }
    Ok(Component {
        class: b.class.clone(),
        id: b.id,
        params,
    })
}

fn kind_of(d: &crate::obj::ParamDecl, it: &Interp, off: usize) -> R<ParamKind> {
    Ok(match d.kind.as_str() {
        "Number" => ParamKind::Number,
        "Integer" => ParamKind::Integer,
        "Boolean" => ParamKind::Boolean,
        "String" => ParamKind::String,
        "List" => ParamKind::List,
        _ => ParamKind::ObjectSelector(
            d.objects
                .iter()
                .map(|o| to_value(it, o, off, 0))
                .collect::<R<_>>()?,
        ),
    })
}

impl Interp {
    /// The spec of everything the model file made.
    pub(crate) fn build_spec(&self, source: &str) -> R<ModelSpec> {
        let mut spec = ModelSpec {
            source: source.to_string(),
            ..Default::default()
        };
        for g in &self.gparams {
            spec.global_params.push(GlobalParam {
                name: g.name.clone(),
                kind: kind_of(&g.decl, self, 0)?,
                default: to_value(self, &g.decl.default, 0, 0)?,
                value: to_value(self, &g.value, 0, 0)?,
                specified: g.specified,
                bounds: g.decl.bounds,
                inclusive_bounds: g.decl.inclusive,
                doc: g.decl.doc.clone(),
            });
        }
        for (name, c) in &self.sheets {
            spec.sheets.push(SheetSpec {
                name: name.clone(),
                component: component(self, c, 0, 0)?,
            });
        }
        for c in &self.conns {
            spec.connections.push(ConnectionSpec {
                src: c.src.clone(),
                dest: c.dest.clone(),
                name: c.name.clone(),
                component: component(self, &c.comp, 0, 0)?,
            });
        }
        spec.scheduled = self.scheduled.clone();
        spec.shared_random_seed = self.seed.clone();
        spec.param_random_seed = topo_spec::ParamRandomSeed(self.param_random_seed);
        for (k, v) in &self.analysis {
            spec.analysis.insert(k.clone(), to_value(self, v, 0, 0)?);
        }
        // The default analysis reads the plot-group list from its own field.
        if let Some(Value::List(items)) = spec
            .analysis
            .get("topo.command.default_analysis_plotgroups")
        {
            spec.default_analysis_plotgroups = Some(
                items
                    .iter()
                    .filter_map(|v| match v {
                        Value::Str(s) => Some(s.clone()),
                        _ => None,
                    })
                    .collect(),
            );
        }
        for (name, calls) in &self.functions {
            spec.functions.insert(
                name.clone(),
                FunctionSpec {
                    name: name.clone(),
                    body: calls.iter().map(|(c, _)| c.clone()).collect(),
                },
            );
        }
        for (name, def) in &self.user_classes {
            spec.user_classes.insert(name.clone(), def.class.clone());
        }
        compact_ids(&mut spec);
        Ok(spec)
    }
}

fn visit_value(v: &mut Value, f: &mut dyn FnMut(&mut Component)) {
    match v {
        Value::Object(c) => visit_component(c, f),
        Value::List(items) | Value::Tuple(items) => {
            items.iter_mut().for_each(|x| visit_value(x, f))
        }
        Value::Dict(items) => items.iter_mut().for_each(|(_, x)| visit_value(x, f)),
        _ => {}
    }
}

fn visit_component(c: &mut Component, f: &mut dyn FnMut(&mut Component)) {
    f(c);
    for v in c.params.values_mut() {
        visit_value(v, f);
    }
}

fn visit_spec(spec: &mut ModelSpec, f: &mut dyn FnMut(&mut Component)) {
    for s in &mut spec.sheets {
        visit_component(&mut s.component, f);
    }
    for c in &mut spec.connections {
        visit_component(&mut c.component, f);
    }
    for g in &mut spec.global_params {
        visit_value(&mut g.default, f);
        visit_value(&mut g.value, f);
    }
    for v in spec.analysis.values_mut() {
        visit_value(v, f);
    }
    for func in spec.functions.values_mut() {
        for call in &mut func.body {
            call.args.iter_mut().for_each(|x| visit_value(x, f));
            call.kwargs.iter_mut().for_each(|(_, x)| visit_value(x, f));
        }
    }
}

/// Renumbers the ids of the components that appear in the spec to
/// 0..n, keeping their creation order (objects the file created but
/// dropped leave no gaps, so a reloaded `script_repr` gets equal ids).
pub(crate) fn compact_ids(spec: &mut ModelSpec) {
    let mut ids = BTreeSet::new();
    visit_spec(spec, &mut |c| {
        ids.insert(c.id);
    });
    let map: BTreeMap<u64, u64> = ids
        .into_iter()
        .enumerate()
        .map(|(i, id)| (id, i as u64))
        .collect();
    visit_spec(spec, &mut |c| {
        c.id = map[&c.id];
    });
}
