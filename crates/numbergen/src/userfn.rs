//! User time functions: a model file's `param.Parameterized` class with
//! `__call__(self)` returning a number of `self.time_fn()` (obermayer_pnas90.ty's
//! `LinearDecay`), used where param accepts a dynamic number. param's
//! `Dynamic` parameter calls the object when the parameter is read
//! (param/__init__.py, `Dynamic._produce_value`); the value is a pure
//! function of the time, so caching it per time (as [`crate::Streams`]
//! does) gives the same numbers.

use topo_spec::userclass::{KExpr, KStmt, UnOp, UserClass};
use topo_spec::{Component, Time};

/// The value of a time function instance `c` of class `class` at time `t`.
pub fn time_fn_value(class: &UserClass, c: &Component, t: Time) -> Result<f64, String> {
    let mut locals = vec![f64::NAN; class.call.locals];
    let ev = Eval {
        c,
        t: Some(t.to_f64()),
        args: &[],
    };
    match ev.block(&class.call.body, &mut locals)? {
        Some(Ret::One(v)) => Ok(v),
        Some(Ret::Pair(..)) => Err(format!(
            "{} ({}) returned a pair, not a number",
            class.name, class.location
        )),
        None => Err(format!(
            "{} ({}) returned no value",
            class.name, class.location
        )),
    }
}

/// A user coordinate mapper (`CoordinateMapperFn` subclass, e.g.
/// models/lissom_whisker_barrels.ty's `IntegerMapper`) applied to the sheet
/// coordinates `(x, y)` of one unit: the centre CFProjection places that
/// unit's CF on (topo/base/cf.py, `CFProjection._generate_coords`, which
/// vectorizes the mapper with float output over every unit). Its body is
/// scalar arithmetic, so every rank computes the same centre.
pub fn coord_map_value(
    class: &UserClass,
    c: &Component,
    x: f64,
    y: f64,
) -> Result<(f64, f64), String> {
    let mut locals = vec![f64::NAN; class.call.locals];
    let ev = Eval {
        c,
        t: None,
        args: &[x, y],
    };
    match ev.block(&class.call.body, &mut locals)? {
        Some(Ret::Pair(a, b)) => Ok((a, b)),
        _ => Err(format!(
            "{} ({}) must return a pair (x, y)",
            class.name, class.location
        )),
    }
}

enum Ret {
    One(f64),
    Pair(f64, f64),
}

struct Eval<'a> {
    c: &'a Component,
    /// The time, for time functions.
    t: Option<f64>,
    /// The scalar arguments of `__call__`.
    args: &'a [f64],
}

impl Eval<'_> {
    fn block(&self, body: &[KStmt], locals: &mut [f64]) -> Result<Option<Ret>, String> {
        for s in body {
            match s {
                KStmt::Local { slot, value } => locals[*slot] = self.expr(value, locals)?,
                KStmt::Return(e) => return Ok(Some(Ret::One(self.expr(e, locals)?))),
                KStmt::ReturnPair(a, b) => {
                    let a = self.expr(a, locals)?;
                    return Ok(Some(Ret::Pair(a, self.expr(b, locals)?)));
                }
                KStmt::If { test, body, orelse } => {
                    let branch = if self.expr(test, locals)? != 0.0 {
                        body
                    } else {
                        orelse
                    };
                    if let Some(v) = self.block(branch, locals)? {
                        return Ok(Some(v));
                    }
                }
                KStmt::InPlace { .. } => {
                    return Err("a scalar user function has no arrays to modify".into())
                }
                KStmt::SetState { .. } => {
                    return Err("only a user pattern generator keeps instance state".into())
                }
            }
        }
        Ok(None)
    }

    fn expr(&self, e: &KExpr, locals: &[f64]) -> Result<f64, String> {
        Ok(match e {
            KExpr::Num(v) => *v,
            KExpr::Local(s) => locals[*s],
            KExpr::Time => self
                .t
                .ok_or_else(|| format!("{} cannot read the simulation time", self.c.class))?,
            KExpr::Arg(i) => *self
                .args
                .get(*i)
                .ok_or_else(|| format!("{}: no argument {i}", self.c.class))?,
            KExpr::Param(p) => self
                .c
                .f64(p)
                .ok_or_else(|| format!("{}: parameter '{p}' is not a number", self.c.class))?,
            KExpr::Unary(op, a) => {
                let a = self.expr(a, locals)?;
                match op {
                    UnOp::Neg => -a,
                    UnOp::Pos => a,
                    UnOp::Not => f64::from(u8::from(a == 0.0)),
                }
            }
            KExpr::Binary(op, a, b) => op.apply(self.expr(a, locals)?, self.expr(b, locals)?),
            KExpr::Compare(op, a, b) => op.apply(self.expr(a, locals)?, self.expr(b, locals)?),
            KExpr::IfExp(t, a, b) => {
                if self.expr(t, locals)? != 0.0 {
                    self.expr(a, locals)?
                } else {
                    self.expr(b, locals)?
                }
            }
            KExpr::Call(f, args) => {
                let mut v = [0.0; 3];
                for (i, a) in args.iter().enumerate().take(3) {
                    v[i] = self.expr(a, locals)?;
                }
                if args.len() == 1 {
                    f.apply1(v[0])
                } else {
                    f.apply_n(v[0], v[1], v[2])
                }
            }
            KExpr::Reduce(..) => {
                return Err("a scalar user function has no arrays".into());
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use topo_spec::userclass::{BinOp, CmpOp, Family, Kernel};
    use topo_spec::Value;

    fn decay() -> (UserClass, Component) {
        // start + (end - start) / duration * t, or end once t >= duration
        let p = |n: &str| Box::new(KExpr::Param(n.into()));
        let ramp = KExpr::Binary(
            BinOp::Add,
            p("start"),
            Box::new(KExpr::Binary(
                BinOp::Mul,
                Box::new(KExpr::Binary(
                    BinOp::Div,
                    Box::new(KExpr::Binary(BinOp::Sub, p("end"), p("start"))),
                    p("duration"),
                )),
                Box::new(KExpr::Time),
            )),
        );
        let class = UserClass {
            consts: Default::default(),
            name: "__main__.Decay".into(),
            family: Family::TimeFn,
            location: "m.ty:1:1".into(),
            source: String::new(),
            params: vec!["start".into(), "end".into(), "duration".into()],
            call: Kernel {
                locals: 0,
                body: vec![KStmt::If {
                    test: KExpr::Compare(CmpOp::Lt, Box::new(KExpr::Time), p("duration")),
                    body: vec![KStmt::Return(ramp)],
                    orelse: vec![KStmt::Return(KExpr::Param("end".into()))],
                }],
            },
        };
        let mut params = BTreeMap::new();
        params.insert("start".into(), Value::Float(0.09));
        params.insert("end".into(), Value::Float(0.02));
        params.insert("duration".into(), Value::Int(30000));
        let c = Component {
            class: class.name.clone(),
            id: 1,
            params,
        };
        (class, c)
    }

    #[test]
    fn a_decay_follows_python_arithmetic() {
        let (class, c) = decay();
        for t in [0.0, 1.05, 250.0, 29999.95] {
            let want = 0.09 + (0.02 - 0.09) / 30000.0 * t;
            let got = time_fn_value(&class, &c, Time::from_f64(t)).unwrap();
            assert_eq!(got.to_bits(), want.to_bits(), "t={t}");
        }
        assert_eq!(
            time_fn_value(&class, &c, Time::from_int(40000)).unwrap(),
            0.02
        );
    }

    #[test]
    fn a_coordinate_mapper_uses_c_fmod_and_python_2_round() {
        // return fmod(x, 0.25), round(y)
        let class = UserClass {
            consts: Default::default(),
            name: "__main__.M".into(),
            family: Family::CoordinateMapperFn,
            location: "m.ty:1:1".into(),
            source: String::new(),
            params: Vec::new(),
            call: Kernel {
                locals: 0,
                body: vec![KStmt::ReturnPair(
                    KExpr::Call(
                        topo_spec::userclass::Func::Fmod,
                        vec![KExpr::Arg(0), KExpr::Num(0.25)],
                    ),
                    KExpr::Call(topo_spec::userclass::Func::Round, vec![KExpr::Arg(1)]),
                )],
            },
        };
        let c = Component {
            class: class.name.clone(),
            id: 1,
            params: BTreeMap::new(),
        };
        // fmod keeps the dividend's sign (Python's % would give 0.15);
        // round takes halves away from zero (numpy.round would give 2.0)
        let (x, y) = coord_map_value(&class, &c, -0.35, 2.5).unwrap();
        assert_eq!((x, y), (-0.35 % 0.25, 3.0));
        assert!(x < 0.0);
        assert_eq!(coord_map_value(&class, &c, 0.3, -0.5).unwrap().1, -1.0);
        // a time function is not a mapper, and a mapper is not a number
        let (decay, dc) = decay();
        assert!(coord_map_value(&decay, &dc, 0.0, 0.0).is_err());
        assert!(time_fn_value(&class, &c, Time::from_int(0)).is_err());
    }
}
