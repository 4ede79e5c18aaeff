//! run_batch's folder and file names.
//!
//! `<prefix><YYYYMMDDHHMM>_<script>[_<tag>][,name=value...]`: names sorted
//! (those in a name map first, in map order, under their alias), lists joined
//! with `_`, values as Python 2's `str()` prints them, truncated to
//! `max_name_length` with `___`. Where Topographica's later code and the
//! user's document disagree (the underscore before an empty tag), the
//! document wins: no trailing underscore.

use topo_spec::{pyfmt, Value};

/// Options that shape the names.
#[derive(Clone, Debug)]
pub struct NameOptions {
    /// `name_time_format`'s result (the formatted timestamp).
    pub timestamp: String,
    /// Script base name (file name without `.ty`).
    pub script: String,
    /// `tag` ("" for none).
    pub tag: String,
    /// `dirname_prefix`.
    pub dirname_prefix: String,
    /// `max_name_length` (Topographica: 200).
    pub max_name_length: usize,
    /// Parameter name -> alias, listed first in this order.
    pub name_map: Vec<(String, String)>,
}

impl NameOptions {
    /// Defaults for a script and timestamp.
    pub fn new(script: &str, timestamp: &str) -> NameOptions {
        NameOptions {
            timestamp: timestamp.to_string(),
            script: script.to_string(),
            tag: String::new(),
            dirname_prefix: String::new(),
            max_name_length: 200,
            name_map: Vec::new(),
        }
    }

    /// `simname`: the base of every file in the folder.
    pub fn simname(&self) -> String {
        let mut s = format!("{}_{}", self.timestamp, self.script);
        if !self.tag.is_empty() {
            s.push('_');
            s.push_str(&safe_component(&self.tag));
        }
        s
    }

    /// The folder name for run parameters given to run_batch.
    pub fn dirname(&self, params: &[(String, Value)]) -> String {
        let mut name = format!("{}{}", safe_component(&self.dirname_prefix), self.simname());
        name.push_str(&param_suffix(params, &self.name_map));
        truncate(&name, self.max_name_length)
    }
}

/// `,name=value` for each parameter: mapped names first (map order, alias),
/// then the rest sorted by name.
pub fn param_suffix(params: &[(String, Value)], name_map: &[(String, String)]) -> String {
    let mut out = String::new();
    for (name, alias) in name_map {
        if let Some((_, v)) = params.iter().find(|(n, _)| n == name) {
            out.push_str(&format!(",{}={}", alias, safe_component(&py2_str(v))));
        }
    }
    let mut rest: Vec<&(String, Value)> = params
        .iter()
        .filter(|(n, _)| !name_map.iter().any(|(m, _)| m == n))
        .collect();
    rest.sort_by(|a, b| a.0.cmp(&b.0));
    for (name, v) in rest {
        out.push_str(&format!(",{}={}", name, safe_component(&py2_str(v))));
    }
    out
}

/// A value as run_batch's `param_formatter` writes it into a folder name
/// (`topo/command/__init__.py`): a list's items each through `str()`,
/// joined with `_`; anything else through Python 2's `str()`
/// (`topo_spec::pyfmt`), so a tuple shows its items' `repr`
/// (`(1e-07, nan)`) and a float 12 significant digits.
pub fn py2_str(v: &Value) -> String {
    match v {
        Value::List(items) => items.iter().map(pyfmt::str).collect::<Vec<_>>().join("_"),
        other => pyfmt::str(other),
    }
}

pub use crate::paths::safe_component;

/// Topographica's truncation: the first `max - 3` characters and `___`.
pub fn truncate(name: &str, max: usize) -> String {
    if name.chars().count() <= max {
        return name.to_string();
    }
    let keep: String = name.chars().take(max.saturating_sub(3)).collect();
    format!("{keep}___")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_example_folder_name() {
        let o = NameOptions::new("tiny", "200710112056");
        assert_eq!(o.dirname(&[]), "200710112056_tiny");
        assert_eq!(
            o.dirname(&[("cortex_density".into(), Value::Int(3))]),
            "200710112056_tiny,cortex_density=3"
        );
    }

    #[test]
    fn names_sorted_lists_joined_tags_and_prefix() {
        let mut o = NameOptions::new("gcal", "202611280215");
        o.tag = "a".into();
        o.dirname_prefix = "exp1/".into();
        let p = vec![
            ("z".to_string(), Value::Float(0.5)),
            (
                "b".to_string(),
                Value::List(vec![Value::Int(1), Value::Float(2.0)]),
            ),
            (
                "t".to_string(),
                Value::Tuple(vec![Value::Int(1), Value::Float(0.5)]),
            ),
        ];
        assert_eq!(
            o.dirname(&p),
            "exp1_202611280215_gcal_a,b=1_2.0,t=(1, 0.5),z=0.5"
        );
        o.name_map = vec![("z".into(), "Z".into())];
        assert_eq!(
            o.dirname(&p),
            "exp1_202611280215_gcal_a,Z=0.5,b=1_2.0,t=(1, 0.5)"
        );
    }

    #[test]
    fn unsafe_values_are_replaced() {
        let o = NameOptions::new("tiny", "200710112056");
        let d = o.dirname(&[("x".into(), Value::Str("../../etc/passwd".into()))]);
        assert!(!d.contains('/'), "{d}");
        assert_eq!(safe_component(".hidden"), "_hidden");
    }

    #[test]
    fn truncation_keeps_length() {
        let long = "x".repeat(300);
        let t = truncate(&long, 200);
        assert_eq!(t.len(), 200);
        assert!(t.ends_with("___"));
    }

    #[test]
    fn python2_float_strings() {
        let f = |x: f64| py2_str(&Value::Float(x));
        assert_eq!(f(3.0), "3.0");
        assert_eq!(f(0.1), "0.1");
        assert_eq!(f(1.0 / 3.0), "0.333333333333");
        assert_eq!(f(1e-5), "1e-05");
        assert_eq!(f(1e16), "1e+16");
        assert_eq!(f(123456.0), "123456.0");
        assert_eq!(f(-2.5), "-2.5");
    }

    #[test]
    fn floats_inside_tuples_are_python_repr() {
        // Before: Rust's Display wrote `(0.0000001, NaN)`.
        let t = Value::Tuple(vec![Value::Float(1e-7), Value::Float(f64::NAN)]);
        assert_eq!(py2_str(&t), "(1e-07, nan)");
        let one = Value::Tuple(vec![Value::Float(1.0 / 3.0)]);
        assert_eq!(py2_str(&one), "(0.3333333333333333,)");
        let o = NameOptions::new("tiny", "200710112056");
        assert_eq!(
            o.dirname(&[("p".into(), t)]),
            "200710112056_tiny,p=(1e-07, nan)"
        );
    }

    #[test]
    fn lists_join_str_of_items_and_other_values_use_str() {
        let l = Value::List(vec![
            Value::Float(1.0 / 3.0),
            Value::Str("a".into()),
            Value::Tuple(vec![Value::Str("x".into())]),
        ]);
        assert_eq!(py2_str(&l), "0.333333333333_a_('x',)");
        // str(dict) is its repr, keys in CPython 2.7's table order.
        let d = Value::Dict(vec![
            ("b".into(), Value::Int(2)),
            ("a".into(), Value::Float(0.5)),
        ]);
        assert_eq!(py2_str(&d), "{'a': 0.5, 'b': 2}");
        assert_eq!(py2_str(&Value::Bool(true)), "True");
        assert_eq!(py2_str(&Value::None), "None");
    }
}
