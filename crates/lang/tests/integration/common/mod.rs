//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;
use topo_spec::{Component, ModelSpec, Value};

/// Path of an example model file of the repository.
pub fn example(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name)
}

/// Loads an example with `-p` overrides.
pub fn load(name: &str, overrides: &[(&str, &str)]) -> ModelSpec {
    let ov: Vec<(String, String)> = overrides
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    match topo_lang::load_model(&example(name), &ov) {
        Ok(s) => s,
        Err(e) => panic!("{name}: {e}"),
    }
}

/// Loads model text.
pub fn load_src(text: &str) -> Result<ModelSpec, topo_lang::LangError> {
    topo_lang::load_model_source("test.ty", text, &[])
}

/// A sheet component.
pub fn sheet<'a>(spec: &'a ModelSpec, name: &str) -> &'a Component {
    &spec
        .sheets
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no sheet {name}"))
        .component
}

/// A connection component.
pub fn conn<'a>(spec: &'a ModelSpec, dest: &str, name: &str) -> &'a Component {
    &spec
        .connections
        .iter()
        .find(|c| c.dest == dest && c.name == name)
        .unwrap_or_else(|| panic!("no connection {dest}.{name}"))
        .component
}

/// A component-valued parameter.
pub fn obj<'a>(c: &'a Component, p: &str) -> &'a Component {
    c.get(p)
        .and_then(Value::as_object)
        .unwrap_or_else(|| panic!("{} has no component {p}", c.class))
}

/// Every (key, number) in a value tree, depth first, keys in name order.
pub fn numbers(v: &Value, keys: &[&str], out: &mut Vec<(String, f64)>) {
    match v {
        Value::Object(c) => {
            for (k, x) in &c.params {
                if keys.contains(&k.as_str()) {
                    if let Some(f) = x.as_f64() {
                        out.push((k.clone(), f));
                    }
                }
                numbers(x, keys, out);
            }
        }
        Value::List(items) | Value::Tuple(items) => {
            items.iter().for_each(|x| numbers(x, keys, out))
        }
        _ => {}
    }
}

/// Strips ids and names from a component tree (for comparing two specs
/// that must differ only there).
pub fn anonymous(v: &Value) -> Value {
    match v {
        Value::Object(c) => {
            let mut c2 = (**c).clone();
            c2.id = 0;
            c2.params.remove("name");
            for x in c2.params.values_mut() {
                *x = anonymous(x);
            }
            Value::Object(Box::new(c2))
        }
        Value::List(items) => Value::List(items.iter().map(anonymous).collect()),
        Value::Tuple(items) => Value::Tuple(items.iter().map(anonymous).collect()),
        other => other.clone(),
    }
}
