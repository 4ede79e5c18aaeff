//! Python's numeric semantics for numbergen's operator wrappers
//! (`BinaryOperator`, `UnaryOperator`): ints stay ints where Python keeps
//! them, `%` and `//` floor, and errors where Python raises.

use crate::StreamError;
use serde::{Deserialize, Serialize};

/// A Python number: an `int` (within i64) or a `float`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Num {
    /// A Python int.
    Int(i64),
    /// A Python float.
    Float(f64),
}

impl Num {
    /// The value as a float (`float(x)`).
    pub fn to_f64(self) -> f64 {
        match self {
            Num::Int(v) => v as f64,
            Num::Float(v) => v,
        }
    }
}

/// Python's float `%`: the result has the sign of the divisor.
pub fn py_fmod(a: f64, b: f64) -> f64 {
    let m = a % b;
    if m != 0.0 {
        if (b < 0.0) != (m < 0.0) {
            m + b
        } else {
            m
        }
    } else {
        0.0f64.copysign(b)
    }
}

/// Python's float `//` (CPython's `float_floor_div`).
fn py_floordiv(a: f64, b: f64) -> f64 {
    let mut m = a % b;
    let mut div = (a - m) / b;
    if m != 0.0 {
        if (b < 0.0) != (m < 0.0) {
            m += b;
            div -= 1.0;
        }
    } else {
        m = 0.0f64.copysign(b);
    }
    let _ = m;
    if div != 0.0 {
        let mut f = div.floor();
        if div - f > 0.5 {
            f += 1.0;
        }
        f
    } else {
        0.0f64.copysign(a / b)
    }
}

fn zero_division(op: &str) -> StreamError {
    StreamError::Invalid(format!("division by zero in numbergen operator {op}"))
}

fn overflow(op: &str, a: i64, b: i64) -> StreamError {
    StreamError::Unsupported(format!(
        "integer overflow in {op}({a}, {b}) (Python would use a big integer)"
    ))
}

/// The canonical operator name for the spellings a model may give
/// (`add`, `operator.add`, `numpy.add`, `__add__`, `subtract`, ...).
pub fn canonical_operator(name: &str) -> &str {
    let short = name.rsplit('.').next().unwrap_or(name);
    let short = short.trim_start_matches("__").trim_end_matches("__");
    match short {
        "subtract" => "sub",
        "multiply" => "mul",
        "divide" | "true_divide" => "truediv",
        "power" => "pow",
        "remainder" => "mod",
        "floor_divide" => "floordiv",
        "negative" => "neg",
        "positive" => "pos",
        "absolute" => "abs",
        other => other,
    }
}

/// `operator.<op>(a, b)` with Python semantics. `div` is Python 2's `/`
/// (floor division between ints, true division otherwise).
pub fn binary(op: &str, a: Num, b: Num) -> Result<Num, StreamError> {
    let op = canonical_operator(op);
    if let (Num::Int(x), Num::Int(y)) = (a, b) {
        let checked = |r: Option<i64>| r.map(Num::Int).ok_or_else(|| overflow(op, x, y));
        return match op {
            "add" => checked(x.checked_add(y)),
            "sub" => checked(x.checked_sub(y)),
            "mul" => checked(x.checked_mul(y)),
            "floordiv" | "div" => {
                if y == 0 {
                    return Err(zero_division(op));
                }
                // Truncated quotient, moved down when the remainder's sign
                // differs from the divisor's (Python floors).
                let q = x.checked_div(y).ok_or_else(|| overflow(op, x, y))?;
                let r = x % y;
                Ok(Num::Int(if r != 0 && ((r < 0) != (y < 0)) {
                    q - 1
                } else {
                    q
                }))
            }
            "mod" => {
                if y == 0 {
                    return Err(zero_division(op));
                }
                // i64::MIN % -1 overflows in Rust; mathematically it is 0.
                let r = x.checked_rem(y).unwrap_or(0);
                Ok(Num::Int(if r != 0 && ((r < 0) != (y < 0)) {
                    r + y
                } else {
                    r
                }))
            }
            "pow" if y >= 0 => checked(u32::try_from(y).ok().and_then(|e| x.checked_pow(e))),
            "truediv" => {
                if y == 0 {
                    return Err(zero_division(op));
                }
                Ok(Num::Float(x as f64 / y as f64))
            }
            "pow" | "max" | "maximum" | "min" | "minimum" => float_binary(op, x as f64, y as f64)
                .map(|v| {
                    if matches!(op, "max" | "maximum" | "min" | "minimum") {
                        Num::Int(v as i64)
                    } else {
                        Num::Float(v)
                    }
                }),
            _ => Err(unknown(op)),
        };
    }
    float_binary(op, a.to_f64(), b.to_f64()).map(Num::Float)
}

fn unknown(op: &str) -> StreamError {
    StreamError::Unsupported(format!("numbergen operator {op:?}"))
}

fn float_binary(op: &str, x: f64, y: f64) -> Result<f64, StreamError> {
    match op {
        "add" => Ok(x + y),
        "sub" => Ok(x - y),
        "mul" => Ok(x * y),
        "truediv" | "div" => {
            if y == 0.0 {
                Err(zero_division(op))
            } else {
                Ok(x / y)
            }
        }
        "floordiv" => {
            if y == 0.0 {
                Err(zero_division(op))
            } else {
                Ok(py_floordiv(x, y))
            }
        }
        "mod" => {
            if y == 0.0 {
                Err(zero_division(op))
            } else {
                Ok(py_fmod(x, y))
            }
        }
        "pow" => {
            if x == 0.0 && y < 0.0 {
                Err(zero_division(op))
            } else if x < 0.0 && y.is_finite() && y != y.trunc() {
                Err(StreamError::Invalid(format!(
                    "negative number {x} raised to a fractional power {y}"
                )))
            } else {
                Ok(x.powf(y))
            }
        }
        // numpy.maximum/minimum on scalars (NaN propagates).
        "max" | "maximum" => Ok(if x.is_nan() || y.is_nan() {
            f64::NAN
        } else {
            x.max(y)
        }),
        "min" | "minimum" => Ok(if x.is_nan() || y.is_nan() {
            f64::NAN
        } else {
            x.min(y)
        }),
        _ => Err(unknown(op)),
    }
}

/// `operator.<op>(a)`: `neg`, `pos` or `abs`.
pub fn unary(op: &str, a: Num) -> Result<Num, StreamError> {
    let h = match a {
        Num::Int(i) => i as f64,
        Num::Float(x) => x,
    };
    if let Some(v) = crate::colour::apply(op, h) {
        return Ok(Num::Float(v));
    }
    let op = canonical_operator(op);
    match (op, a) {
        ("neg", Num::Int(x)) => x
            .checked_neg()
            .map(Num::Int)
            .ok_or_else(|| overflow(op, x, 0)),
        ("neg", Num::Float(x)) => Ok(Num::Float(-x)),
        ("pos", n) => Ok(n),
        ("abs", Num::Int(x)) => x
            .checked_abs()
            .map(Num::Int)
            .ok_or_else(|| overflow(op, x, 0)),
        ("abs", Num::Float(x)) => Ok(Num::Float(x.abs())),
        _ => Err(unknown(op)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modulo_and_floor_division_follow_python() {
        assert_eq!(
            binary("mod", Num::Int(-7), Num::Int(3)).unwrap(),
            Num::Int(2)
        );
        assert_eq!(
            binary("mod", Num::Int(7), Num::Int(-3)).unwrap(),
            Num::Int(-2)
        );
        assert_eq!(
            binary("floordiv", Num::Int(-7), Num::Int(2)).unwrap(),
            Num::Int(-4)
        );
        assert_eq!(
            binary("floordiv", Num::Int(7), Num::Int(-2)).unwrap(),
            Num::Int(-4)
        );
        assert_eq!(
            binary("floordiv", Num::Int(7), Num::Int(2)).unwrap(),
            Num::Int(3)
        );
        assert_eq!(
            binary("floordiv", Num::Int(-8), Num::Int(-3)).unwrap(),
            Num::Int(2)
        );
        assert_eq!(
            binary("div", Num::Int(-7), Num::Int(2)).unwrap(),
            Num::Int(-4)
        );
        assert_eq!(
            binary("mod", Num::Float(-0.5), Num::Float(2.0)).unwrap(),
            Num::Float(1.5)
        );
        assert_eq!(
            binary("floordiv", Num::Float(-0.5), Num::Float(2.0)).unwrap(),
            Num::Float(-1.0)
        );
        assert_eq!(
            binary("truediv", Num::Int(1), Num::Int(4)).unwrap(),
            Num::Float(0.25)
        );
        assert!(binary("mod", Num::Int(1), Num::Int(0)).is_err());
        assert!(binary("pow", Num::Float(-2.0), Num::Float(0.5)).is_err());
        assert_eq!(
            binary("pow", Num::Int(2), Num::Int(-1)).unwrap(),
            Num::Float(0.5)
        );
        assert_eq!(
            binary("numpy.subtract", Num::Float(1.0), Num::Int(3)).unwrap(),
            Num::Float(-2.0)
        );
    }
}
