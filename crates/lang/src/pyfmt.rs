//! The interpreter's values in Python's text: `str`, `repr` and `%`
//! formatting of run-time objects, through the one formatter of
//! `topo_spec::pyfmt` (numbers, strings, containers).

use crate::obj::Obj;

use std::cell::Cell;
use topo_spec::pyfmt::{self as fmt, PyShape, PyValue};

/// How deep `repr` goes into components that hold components (a component
/// may end up holding itself; Python prints such a cycle as `...`).
const MAX_REPR_DEPTH: usize = 16;

thread_local! {
    static REPR_DEPTH: Cell<usize> = const { Cell::new(0) };
}

impl PyValue for Obj {
    fn py_shape(&self) -> PyShape<'_, Obj> {
        let same = |s: String| PyShape::Other {
            repr: s.clone(),
            str: s,
        };
        match self {
            Obj::None => PyShape::None,
            Obj::Bool(b) => PyShape::Bool(*b),
            Obj::Int(i) => PyShape::Int(*i),
            Obj::Float(f) => PyShape::Float(*f),
            Obj::Str(s) => PyShape::Str(s),
            Obj::List(v) => PyShape::List(v),
            Obj::Tuple(v) => PyShape::Tuple(v),
            Obj::Dict(v) => PyShape::Dict(v),
            Obj::BBox(b) => same(fmt::bounding_box_str(b)),
            Obj::Comp(c) => {
                let Ok(c) = c.try_borrow() else {
                    return same("<object being built>".into());
                };
                let short = c.class.rsplit('.').next().unwrap_or("").to_string();
                let name = c.params.get("name").map(py_str).unwrap_or_default();
                let depth = REPR_DEPTH.with(|d| d.get());
                let repr = if depth >= MAX_REPR_DEPTH {
                    format!("{short}(...)")
                } else {
                    // param's Parameterized.__repr__: every parameter,
                    // sorted by name.
                    REPR_DEPTH.with(|d| d.set(depth + 1));
                    let params: Vec<String> = c
                        .params
                        .iter()
                        .map(|(k, v)| format!("{k}={}", fmt::repr(v)))
                        .collect();
                    REPR_DEPTH.with(|d| d.set(depth));
                    format!("{short}({})", params.join(", "))
                };
                PyShape::Other {
                    repr,
                    str: format!("<{short} {name}>"),
                }
            }
            Obj::Class(c) => same(format!("<class '{c}'>")),
            Obj::Module(m) => same(format!("<module '{m}'>")),
            Obj::Func(f) => same(fmt::function_repr(f)),
            Obj::Builtin(f) => same(format!(
                "<built-in function {}>",
                f.rsplit('.').next().unwrap_or(f)
            )),
            Obj::UserFn(f) => same(fmt::function_repr(f)),
            other => same(other.type_name()),
        }
    }
}

/// Python 2's `str()` of a value.
pub(crate) fn py_str(v: &Obj) -> String {
    fmt::str(v)
}

/// Python 2's `repr()` of a value.
pub(crate) fn py_repr(v: &Obj) -> String {
    fmt::repr(v)
}

/// `fmt % args` with Python's conversion specifiers.
pub(crate) fn percent_format(fmt: &str, args: &Obj) -> Result<String, String> {
    let items: Vec<Obj> = match args {
        Obj::Tuple(v) => v.clone(),
        other => vec![other.clone()],
    };
    let mut next = 0usize;
    let mut out = String::new();
    let chars: Vec<char> = fmt.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c != '%' {
            out.push(c);
            i += 1;
            continue;
        }
        i += 1;
        let mut flags = String::new();
        while i < chars.len() && "-+ 0#".contains(chars[i]) {
            flags.push(chars[i]);
            i += 1;
        }
        let mut width = String::new();
        while i < chars.len() && chars[i].is_ascii_digit() {
            width.push(chars[i]);
            i += 1;
        }
        let mut prec: Option<usize> = None;
        if i < chars.len() && chars[i] == '.' {
            i += 1;
            let mut p = String::new();
            while i < chars.len() && chars[i].is_ascii_digit() {
                p.push(chars[i]);
                i += 1;
            }
            prec = Some(p.parse().unwrap_or(0).min(100));
        }
        let conv = *chars.get(i).ok_or("incomplete format")?;
        i += 1;
        if conv == '%' {
            out.push('%');
            continue;
        }
        let arg = items
            .get(next)
            .ok_or("not enough arguments for format string")?;
        next += 1;
        let num = || {
            arg.num().ok_or_else(|| {
                format!(
                    "%{conv} format: a number is required, not {}",
                    arg.type_name()
                )
            })
        };
        let mut body = match conv {
            'd' | 'i' | 'u' => {
                let v = num()?;
                format!("{}", v.trunc() as i64)
            }
            's' => py_str(arg),
            'r' => py_repr(arg),
            'f' | 'F' => fmt::format_f(num()?, prec.unwrap_or(6)),
            'e' | 'E' => fmt::format_e(num()?, prec.unwrap_or(6)),
            'g' | 'G' => fmt::format_g(num()?, prec.unwrap_or(6), flags.contains('#')),
            'x' => format!("{:x}", num()? as i64),
            other => return Err(format!("unsupported format character '{other}'")),
        };
        if flags.contains('+')
            && matches!(conv, 'd' | 'i' | 'f' | 'e' | 'g')
            && !body.starts_with('-')
        {
            body.insert(0, '+');
        }
        let w: usize = width.parse().unwrap_or(0).min(1000);
        if body.chars().count() < w {
            let pad = w - body.chars().count();
            if flags.contains('-') {
                body.push_str(&" ".repeat(pad));
            } else if flags.contains('0') && conv != 's' {
                let (sign, rest) = if body.starts_with(['-', '+']) {
                    body.split_at(1)
                } else {
                    ("", body.as_str())
                };
                body = format!("{sign}{}{rest}", "0".repeat(pad));
            } else {
                body = format!("{}{body}", " ".repeat(pad));
            }
        }
        out.push_str(&body);
    }
    if next < items.len() && matches!(args, Obj::Tuple(_)) {
        return Err("not all arguments converted during string formatting".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn containers_print_items_by_repr() {
        // Python 2.7: str([1/3.]) == '[0.3333333333333333]' while
        // str(1/3.) == '0.333333333333'.
        let third = Obj::Float(1.0 / 3.0);
        assert_eq!(py_str(&third), "0.333333333333");
        assert_eq!(
            py_str(&Obj::List(vec![third.clone()])),
            "[0.3333333333333333]"
        );
        assert_eq!(py_repr(&Obj::Tuple(vec![Obj::Float(1e-7)])), "(1e-07,)");
        assert_eq!(py_repr(&Obj::Str("it's".into())), "\"it's\"");
    }

    #[test]
    fn percent_formats_use_c_conversions() {
        let args = Obj::Tuple(vec![Obj::Float(-0.0), Obj::Float(0.1), Obj::Float(1e16)]);
        assert_eq!(
            percent_format("%.5f %r %s", &args).unwrap(),
            "-0.00000 0.1 1e+16"
        );
        assert_eq!(percent_format("%g", &Obj::Float(1e-5)).unwrap(), "1e-05");
    }
}
