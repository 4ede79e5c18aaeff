//! Python-compatible text of numbers and `%` string formatting.

use crate::obj::Obj;

/// Python's `repr(float)`: the shortest text that reads back to the same
/// double, with Python's choice of fixed or exponent notation.
pub(crate) fn repr_float(x: f64) -> String {
    if x.is_nan() {
        return "float('nan')".into();
    }
    if x.is_infinite() {
        return if x > 0.0 {
            "float('inf')".into()
        } else {
            "-float('inf')".into()
        };
    }
    if x == 0.0 {
        return if x.is_sign_negative() {
            "-0.0".into()
        } else {
            "0.0".into()
        };
    }
    let e = format!("{:e}", x);
    let (mant, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let neg = mant.starts_with('-');
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    let sign = if neg { "-" } else { "" };
    if (-4..16).contains(&exp) {
        let n = digits.len() as i32;
        let s = if exp >= 0 {
            let int_len = exp + 1;
            if n <= int_len {
                format!("{}{}.0", digits, "0".repeat((int_len - n) as usize))
            } else {
                format!(
                    "{}.{}",
                    &digits[..int_len as usize],
                    &digits[int_len as usize..]
                )
            }
        } else {
            format!("0.{}{}", "0".repeat((-exp - 1) as usize), digits)
        };
        format!("{sign}{s}")
    } else {
        let m = if digits.len() > 1 {
            format!("{}.{}", &digits[..1], &digits[1..])
        } else {
            digits.clone()
        };
        let es = if exp < 0 { "-" } else { "+" };
        format!("{sign}{m}e{es}{:02}", exp.abs())
    }
}

/// Python 2's `str(float)` (12 significant digits).
pub(crate) fn str_float(x: f64) -> String {
    if !x.is_finite() {
        return if x.is_nan() {
            "nan".into()
        } else if x > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        };
    }
    let s = fmt_g(x, 12, false);
    if s.contains(['.', 'e', 'n', 'i']) {
        s
    } else {
        format!("{s}.0")
    }
}

fn fix_exp(s: &str) -> String {
    // Rust writes 1.5e2; C writes 1.5e+02.
    match s.split_once('e') {
        Some((m, e)) => {
            let v: i32 = e.parse().unwrap_or(0);
            format!("{m}e{}{:02}", if v < 0 { '-' } else { '+' }, v.abs())
        }
        None => s.to_string(),
    }
}

fn fmt_e(x: f64, prec: usize) -> String {
    fix_exp(&format!("{:.*e}", prec, x))
}

fn fmt_g(x: f64, prec: usize, alt: bool) -> String {
    let p = prec.max(1);
    if x == 0.0 {
        return if alt {
            format!("{:.*}", p - 1, 0.0)
        } else {
            "0".into()
        };
    }
    let e = format!("{:.*e}", p - 1, x);
    let exp: i32 = e
        .split_once('e')
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let strip = |s: String| -> String {
        if alt || !s.contains('.') {
            return s;
        }
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    };
    if exp >= -4 && exp < p as i32 {
        strip(format!("{:.*}", (p as i32 - 1 - exp).max(0) as usize, x))
    } else {
        let (m, _) = e.split_once('e').unwrap_or((&e, ""));
        let m = strip(m.to_string());
        format!("{m}e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs())
    }
}

/// Python 2's `str()` of a value.
pub(crate) fn py_str(v: &Obj) -> String {
    match v {
        Obj::Str(s) => s.clone(),
        other => py_repr(other),
    }
}

/// Python's `repr()` of a plain value.
pub(crate) fn py_repr(v: &Obj) -> String {
    match v {
        Obj::None => "None".into(),
        Obj::Bool(b) => if *b { "True" } else { "False" }.into(),
        Obj::Int(i) => i.to_string(),
        Obj::Float(f) => str_float(*f),
        Obj::Str(s) => quote(s),
        Obj::List(items) => format!(
            "[{}]",
            items.iter().map(py_repr).collect::<Vec<_>>().join(", ")
        ),
        Obj::Tuple(items) => {
            if items.len() == 1 {
                format!("({},)", py_repr(&items[0]))
            } else {
                format!(
                    "({})",
                    items.iter().map(py_repr).collect::<Vec<_>>().join(", ")
                )
            }
        }
        Obj::Dict(items) => format!(
            "{{{}}}",
            items
                .iter()
                .map(|(k, v)| format!("{}: {}", quote(k), py_repr(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Obj::Comp(c) => {
            let c = c.borrow();
            let name = c.params.get("name").map(py_str).unwrap_or_default();
            format!(
                "{}(name={})",
                c.class.rsplit('.').next().unwrap_or(""),
                quote(&name)
            )
        }
        other => other.type_name(),
    }
}

/// A Python string literal for `s` (single quotes, escapes).
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::from("'");
    for ch in s.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('\'');
    out
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
            'r' => match arg {
                Obj::Float(f) => repr_float(*f),
                other => py_repr(other),
            },
            'f' | 'F' => format!("{:.*}", prec.unwrap_or(6), num()?),
            'e' | 'E' => fmt_e(num()?, prec.unwrap_or(6)),
            'g' | 'G' => fmt_g(num()?, prec.unwrap_or(6), flags.contains('#')),
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
