//! run_batch's folder and file names.
//!
//! `<prefix><YYYYMMDDHHMM>_<script>[_<tag>][,name=value...]`: names sorted
//! (those in a name map first, in map order, under their alias), lists joined
//! with `_`, values as Python 2's `str()` prints them, truncated to
//! `max_name_length` with `___`. Where Topographica's later code and the
//! user's document disagree (the underscore before an empty tag), the
//! document wins: no trailing underscore.

use topo_spec::Value;

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

/// Python 2 `str()` of a value as run_batch prints it; lists and tuples are
/// joined with `_`.
pub fn py2_str(v: &Value) -> String {
    match v {
        Value::None => "None".into(),
        Value::Bool(b) => if *b { "True" } else { "False" }.into(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => py2_float(*f),
        Value::Time(t) => py2_float(t.to_f64()),
        Value::Str(s) => s.clone(),
        // run_batch joins lists with `_`; anything else goes through str(),
        // which for a tuple is its repr.
        Value::List(items) => items.iter().map(py2_str).collect::<Vec<_>>().join("_"),
        Value::Tuple(items) => {
            let inner: Vec<String> = items.iter().map(py2_repr).collect();
            if inner.len() == 1 {
                format!("({},)", inner[0])
            } else {
                format!("({})", inner.join(", "))
            }
        }
        Value::Dict(items) => items
            .iter()
            .map(|(k, v)| format!("{k}:{}", py2_str(v)))
            .collect::<Vec<_>>()
            .join("_"),
        Value::Object(c) => c
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or(c.short_class())
            .to_string(),
        Value::Function(f) => f.rsplit('.').next().unwrap_or(f).to_string(),
        Value::BoundingBox(b) => format!("BoundingBox({},{},{},{})", b[0], b[1], b[2], b[3]),
    }
}

/// Python 2 `repr()` of an item inside a tuple.
fn py2_repr(v: &Value) -> String {
    match v {
        Value::Str(s) => format!("'{s}'"),
        Value::Float(f) => {
            let s = format!("{f}");
            if s.contains(['.', 'e', 'N', 'i']) {
                s
            } else {
                format!("{s}.0")
            }
        }
        other => py2_str(other),
    }
}

/// Python 2 `str(float)`: `%.12g`, with `.0` added to integral values.
pub fn py2_float(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf" } else { "-inf" }.into();
    }
    let s = format_g(f, 12);
    if s.contains(['.', 'e', 'n', 'i']) {
        s
    } else {
        format!("{s}.0")
    }
}

/// C's `%.{prec}g`.
fn format_g(f: f64, prec: usize) -> String {
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    let exp = f.abs().log10().floor() as i32;
    // Round first: the exponent of the rounded value decides the style.
    let e_repr = format!("{:.*e}", prec - 1, f);
    let (mant, e) = e_repr.split_once('e').unwrap();
    let e: i32 = e.parse().unwrap_or(exp);
    if e < -4 || e >= prec as i32 {
        let mant = trim_zeros(mant);
        format!("{}e{}{:02}", mant, if e < 0 { '-' } else { '+' }, e.abs())
    } else {
        let decimals = (prec as i32 - 1 - e).max(0) as usize;
        trim_zeros(&format!("{:.*}", decimals, f))
    }
}

fn trim_zeros(s: &str) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s.to_string()
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
        assert_eq!(py2_float(3.0), "3.0");
        assert_eq!(py2_float(0.1), "0.1");
        assert_eq!(py2_float(1.0 / 3.0), "0.333333333333");
        assert_eq!(py2_float(1e-5), "1e-05");
        assert_eq!(py2_float(1e16), "1e+16");
        assert_eq!(py2_float(123456.0), "123456.0");
        assert_eq!(py2_float(-2.5), "-2.5");
    }
}
