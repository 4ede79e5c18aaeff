//! Parameter spaces: the set of runs a sweep covers.
//!
//! A small algebra in the manner of Lancet's argument specifiers: explicit
//! lists, fixed values, linear ranges and log ranges are the leaves;
//! `a * b` is the Cartesian product (the left side varies slowest) and
//! `a + b` concatenates (the runs of `a`, then those of `b`).
//!
//! Semantics learnt from Lancet and kept: ranges include both ends, `steps`
//! counts the values (1 gives just `start`), and a range's i-th value is
//! `(start*(n-1-i) + stop*i)/(n-1)`. Deviations, on purpose:
//! * Lancet has no log range of its own (its `Log` reads a launcher log); a
//!   log range here is what Lancet users write as a range of exponents mapped
//!   through `10**x`: geometric spacing between `start` and `stop`, both
//!   included. The base does not change those points, so it is not an input.
//! * Lancet rounds floats to 4 decimals, which turns small log-range values
//!   into 0; here floats are rounded to 12 significant digits, enough to
//!   remove the binary noise (`0.30000000000000004`) from folder names.
//! * A range whose ends are written as integers and whose every value is a
//!   whole number yields integers (`n=1:5:5` gives 1..5, not 1.0..5.0),
//!   because a model may use the value as a count.
//! * A product of two spaces that both set one name is an error rather than
//!   a silent override.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::{Add, Mul};

/// One parameter's value in one run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ParamValue {
    /// A whole number.
    Int(i64),
    /// A float.
    Float(f64),
    /// Any other expression, passed to the model verbatim (`True`, `'abc'`,
    /// `(1,2)`).
    Expr(String),
}

impl ParamValue {
    /// Read a list item: a number if it is one, else the text as given.
    pub fn parse(text: &str) -> ParamValue {
        let t = text.trim();
        if let Ok(i) = t.parse::<i64>() {
            return ParamValue::Int(i);
        }
        match t.parse::<f64>() {
            Ok(f) if f.is_finite() => ParamValue::Float(f),
            _ => ParamValue::Expr(t.to_string()),
        }
    }

    /// The text given to `topo-hpc run -p name=<text>`: a Python literal
    /// that reads back as the same value (floats always show a point or an
    /// exponent, so they stay floats).
    pub fn to_arg(&self) -> String {
        match self {
            ParamValue::Int(i) => i.to_string(),
            ParamValue::Float(f) => topo_spec::pyfmt::float_literal(*f),
            ParamValue::Expr(s) => s.clone(),
        }
    }

    /// The value as a number, if it is one (for plots).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            ParamValue::Int(i) => Some(*i as f64),
            ParamValue::Float(f) => Some(*f),
            ParamValue::Expr(_) => None,
        }
    }
}

impl fmt::Display for ParamValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_arg())
    }
}

/// One run's parameters, in the order the space names them.
pub type Point = Vec<(String, ParamValue)>;

/// A parameter space.
#[derive(Clone, Debug, PartialEq)]
pub enum Space {
    /// No parameters: one run with the model's defaults. The unit of both
    /// `*` and `+`.
    Identity,
    /// `name` takes each value in turn.
    List(String, Vec<ParamValue>),
    /// `steps` values evenly spaced from `start` to `stop`, both included.
    Range {
        /// Parameter name.
        name: String,
        /// First value.
        start: f64,
        /// Last value.
        stop: f64,
        /// Number of values (>= 1).
        steps: usize,
        /// Yield integers when every value is whole.
        integral: bool,
    },
    /// `steps` values geometrically spaced from `start` to `stop` (both > 0),
    /// both included.
    LogRange {
        /// Parameter name.
        name: String,
        /// First value.
        start: f64,
        /// Last value.
        stop: f64,
        /// Number of values (>= 1).
        steps: usize,
    },
    /// Cartesian product: every run of the left with every run of the right;
    /// the left varies slowest.
    Product(Box<Space>, Box<Space>),
    /// The runs of the left followed by those of the right.
    Concat(Box<Space>, Box<Space>),
}

impl Space {
    /// A fixed value: a one-element list.
    pub fn fixed(name: &str, value: ParamValue) -> Space {
        Space::List(name.to_string(), vec![value])
    }

    /// How many runs the space has, without listing them (saturating).
    pub fn count(&self) -> usize {
        match self {
            Space::Identity => 1,
            Space::List(_, values) => values.len(),
            Space::Range { steps, .. } | Space::LogRange { steps, .. } => *steps,
            Space::Product(a, b) => a.count().saturating_mul(b.count()),
            Space::Concat(a, b) => a.count().saturating_add(b.count()),
        }
    }

    /// Every run, in launch order.
    pub fn points(&self) -> Result<Vec<Point>, String> {
        match self {
            Space::Identity => Ok(vec![Vec::new()]),
            Space::List(name, values) => Ok(values
                .iter()
                .map(|v| vec![(name.clone(), v.clone())])
                .collect()),
            Space::Range {
                name,
                start,
                stop,
                steps,
                integral,
            } => {
                let values = linspace(*start, *stop, *steps);
                let whole = *integral && values.iter().all(|v| v.fract() == 0.0);
                Ok(values
                    .into_iter()
                    .map(|v| {
                        let pv = if whole {
                            ParamValue::Int(v as i64)
                        } else {
                            ParamValue::Float(round_sig(v))
                        };
                        vec![(name.clone(), pv)]
                    })
                    .collect())
            }
            Space::LogRange {
                name,
                start,
                stop,
                steps,
            } => {
                let (a, b) = (start.log10(), stop.log10());
                let mut values: Vec<f64> = linspace(a, b, *steps)
                    .into_iter()
                    .map(|e| 10f64.powf(e))
                    .collect();
                // The ends are the user's numbers, not their round trip.
                values[0] = *start;
                if *steps > 1 {
                    values[*steps - 1] = *stop;
                }
                Ok(values
                    .into_iter()
                    .map(|v| vec![(name.clone(), ParamValue::Float(round_sig(v)))])
                    .collect())
            }
            Space::Product(a, b) => {
                let (pa, pb) = (a.points()?, b.points()?);
                let mut out = Vec::with_capacity(pa.len() * pb.len());
                for x in &pa {
                    for y in &pb {
                        if let Some((n, _)) = y.iter().find(|(n, _)| x.iter().any(|(m, _)| m == n))
                        {
                            return Err(format!(
                                "parameter '{n}' is set on both sides of a product"
                            ));
                        }
                        let mut p = x.clone();
                        p.extend(y.iter().cloned());
                        out.push(p);
                    }
                }
                Ok(out)
            }
            Space::Concat(a, b) => {
                let mut out = a.points()?;
                out.extend(b.points()?);
                Ok(out)
            }
        }
    }
}

impl Mul for Space {
    type Output = Space;
    fn mul(self, other: Space) -> Space {
        match (self, other) {
            (Space::Identity, s) | (s, Space::Identity) => s,
            (a, b) => Space::Product(Box::new(a), Box::new(b)),
        }
    }
}

impl Add for Space {
    type Output = Space;
    fn add(self, other: Space) -> Space {
        match (self, other) {
            (Space::Identity, s) | (s, Space::Identity) => s,
            (a, b) => Space::Concat(Box::new(a), Box::new(b)),
        }
    }
}

/// Lancet's linspace: exact ends, `n == 1` gives `[start]`.
fn linspace(start: f64, stop: f64, n: usize) -> Vec<f64> {
    if n == 1 {
        return vec![start];
    }
    let nm1 = (n - 1) as f64;
    (0..n)
        .map(|i| (start * (nm1 - i as f64) + stop * i as f64) / nm1)
        .collect()
}

/// Round to 12 significant digits (through the decimal text, so the result
/// is the double nearest that decimal).
fn round_sig(v: f64) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    format!("{v:.11e}").parse().unwrap_or(v)
}

/// Parse the command line: every `--param` is one space; several are
/// multiplied in order (the first varies slowest).
///
/// One `--param` is `name=v1,v2,...` (a list; one value is a fixed value),
/// `name=start:stop:steps` (linear range) or `name=log:start:stop:steps`
/// (log range). Within one `--param`, ` * ` and ` + ` (with spaces) combine
/// terms, `*` binding tighter: `"a=1,2 * b=0:1:3 + c=5"`.
pub fn parse_params(params: &[String]) -> Result<Space, String> {
    let mut space = Space::Identity;
    for p in params {
        space = space * parse_expr(p)?;
    }
    Ok(space)
}

/// One `--param` argument with its ` + ` / ` * ` operators.
pub fn parse_expr(text: &str) -> Result<Space, String> {
    let mut sum = Space::Identity;
    for term in text.split(" + ") {
        let mut prod = Space::Identity;
        for factor in term.split(" * ") {
            prod = prod * parse_leaf(factor.trim())?;
        }
        sum = sum + prod;
    }
    Ok(sum)
}

/// `name=...` without operators.
pub fn parse_leaf(text: &str) -> Result<Space, String> {
    let (name, rhs) = text
        .split_once('=')
        .ok_or_else(|| format!("bad --param '{text}': expected name=values"))?;
    let name = name.trim();
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        || name.starts_with(|c: char| c.is_ascii_digit())
    {
        return Err(format!(
            "bad --param '{text}': '{name}' is not a parameter name"
        ));
    }
    let rhs = rhs.trim();
    if rhs.is_empty() {
        return Err(format!("bad --param '{text}': no value"));
    }
    if let Some(space) = parse_range(name, rhs).map_err(|e| format!("bad --param '{text}': {e}"))? {
        return Ok(space);
    }
    let items = split_top_level(rhs);
    if items.iter().any(|s| s.trim().is_empty()) {
        return Err(format!("bad --param '{text}': empty value in the list"));
    }
    Ok(Space::List(
        name.to_string(),
        items.iter().map(|s| ParamValue::parse(s)).collect(),
    ))
}

/// `start:stop:steps` or `log:start:stop:steps`; `None` when the text is
/// not range-shaped (then it is a list).
fn parse_range(name: &str, rhs: &str) -> Result<Option<Space>, String> {
    if rhs.contains(['\'', '"', '(', '[', '{', ',']) {
        return Ok(None);
    }
    let parts: Vec<&str> = rhs.split(':').map(str::trim).collect();
    let (log, nums) = match parts.as_slice() {
        [first, rest @ ..] if first.eq_ignore_ascii_case("log") => (true, rest),
        all => (false, all),
    };
    if parts.len() == 1 {
        return Ok(None);
    }
    if nums.len() != 3 {
        return Err("a range is start:stop:steps or log:start:stop:steps".into());
    }
    let num = |s: &str| -> Result<f64, String> {
        match s.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => Err(format!("'{s}' is not a finite number")),
        }
    };
    let (start, stop) = (num(nums[0])?, num(nums[1])?);
    let steps: usize = nums[2]
        .parse()
        .map_err(|_| format!("steps '{}' is not a positive whole number", nums[2]))?;
    if steps == 0 {
        return Err("steps must be at least 1".into());
    }
    let name = name.to_string();
    if log {
        if start <= 0.0 || stop <= 0.0 {
            return Err("a log range needs start > 0 and stop > 0".into());
        }
        return Ok(Some(Space::LogRange {
            name,
            start,
            stop,
            steps,
        }));
    }
    let integral = nums[0].parse::<i64>().is_ok() && nums[1].parse::<i64>().is_ok();
    Ok(Some(Space::Range {
        name,
        start,
        stop,
        steps,
        integral,
    }))
}

/// Split on commas outside brackets and quotes, so tuples and strings can be
/// list items: `(1,2),(3,4)` is two items.
fn split_top_level(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut cur = String::new();
    for c in text.chars() {
        match quote {
            Some(q) => {
                if c == q {
                    quote = None;
                }
                cur.push(c);
            }
            None => match c {
                '\'' | '"' => {
                    quote = Some(c);
                    cur.push(c);
                }
                '(' | '[' | '{' => {
                    depth += 1;
                    cur.push(c);
                }
                ')' | ']' | '}' => {
                    depth -= 1;
                    cur.push(c);
                }
                ',' if depth == 0 => out.push(std::mem::take(&mut cur)),
                _ => cur.push(c),
            },
        }
    }
    out.push(cur);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(space: &Space, name: &str) -> Vec<ParamValue> {
        space
            .points()
            .unwrap()
            .into_iter()
            .map(|p| p.into_iter().find(|(n, _)| n == name).unwrap().1)
            .collect()
    }

    #[test]
    fn list_and_fixed() {
        let s = parse_leaf("a=1,2.5,True").unwrap();
        assert_eq!(
            values(&s, "a"),
            vec![
                ParamValue::Int(1),
                ParamValue::Float(2.5),
                ParamValue::Expr("True".into())
            ]
        );
        assert_eq!(parse_leaf("b=7").unwrap().points().unwrap().len(), 1);
    }

    #[test]
    fn list_items_may_be_tuples_and_strings() {
        let s = parse_leaf("p=(1,2),'x,y',[3]").unwrap();
        let v: Vec<String> = values(&s, "p").iter().map(|v| v.to_arg()).collect();
        assert_eq!(v, vec!["(1,2)", "'x,y'", "[3]"]);
    }

    #[test]
    fn linear_range_includes_both_ends() {
        let s = parse_leaf("x=0:1:5").unwrap();
        let v: Vec<f64> = values(&s, "x")
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        assert_eq!(v, vec![0.0, 0.25, 0.5, 0.75, 1.0]);
        // The floats stay floats on the command line.
        assert_eq!(values(&s, "x")[4].to_arg(), "1.0");
    }

    #[test]
    fn range_noise_is_rounded_away() {
        // (0.1*9 + 0.4*1)/10 is not exactly 0.13 in binary.
        let s = parse_leaf("x=0.1:0.4:11").unwrap();
        let args: Vec<String> = values(&s, "x").iter().map(|v| v.to_arg()).collect();
        assert_eq!(args[1], "0.13");
        assert_eq!(args[10], "0.4");
    }

    #[test]
    fn integer_range_yields_integers_only_when_whole() {
        let s = parse_leaf("n=1:5:5").unwrap();
        assert_eq!(values(&s, "n")[2], ParamValue::Int(3));
        let s = parse_leaf("n=1:2:3").unwrap();
        assert_eq!(values(&s, "n")[1], ParamValue::Float(1.5));
    }

    #[test]
    fn single_step_range_is_start() {
        let s = parse_leaf("x=3.5:9:1").unwrap();
        assert_eq!(values(&s, "x"), vec![ParamValue::Float(3.5)]);
    }

    #[test]
    fn log_range_is_geometric_with_exact_ends() {
        let s = parse_leaf("lr=log:0.001:10:5").unwrap();
        let v: Vec<f64> = values(&s, "lr")
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        assert_eq!(v, vec![0.001, 0.01, 0.1, 1.0, 10.0]);
        assert!(parse_leaf("lr=log:0:1:3").is_err());
    }

    #[test]
    fn product_left_varies_slowest() {
        let s = parse_params(&["a=1,2".into(), "b=x,y,z".into()]).unwrap();
        let p = s.points().unwrap();
        assert_eq!(p.len(), 6);
        let text: Vec<String> = p
            .iter()
            .map(|r| {
                r.iter()
                    .map(|(n, v)| format!("{n}={v}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        assert_eq!(text[0], "a=1 b=x");
        assert_eq!(text[1], "a=1 b=y");
        assert_eq!(text[3], "a=2 b=x");
    }

    #[test]
    fn concatenation_and_precedence() {
        let s = parse_expr("a=1,2 * b=3 + c=0:1:3").unwrap();
        let p = s.points().unwrap();
        assert_eq!(p.len(), 2 + 3);
        assert_eq!(p[1].len(), 2);
        assert_eq!(p[4], vec![("c".to_string(), ParamValue::Float(1.0))]);
    }

    #[test]
    fn identity_is_one_default_run() {
        assert_eq!(
            parse_params(&[]).unwrap().points().unwrap(),
            vec![Vec::new()]
        );
        let a = parse_leaf("a=1,2").unwrap();
        assert_eq!(Space::Identity * a.clone(), a);
        assert_eq!(a.clone() + Space::Identity, a);
    }

    #[test]
    fn errors_are_messages() {
        assert!(parse_leaf("noequals").is_err());
        assert!(parse_leaf("a=").is_err());
        assert!(parse_leaf("a=1:2").is_err());
        assert!(parse_leaf("a=1:2:0").is_err());
        assert!(parse_leaf("a=1:x:3").is_err());
        assert!(parse_leaf("1a=1").is_err());
        assert!(parse_leaf("a=1,,2").is_err());
        let dup = parse_params(&["a=1,2".into(), "a=3".into()]).unwrap();
        assert!(dup.points().unwrap_err().contains("'a'"));
    }
}
