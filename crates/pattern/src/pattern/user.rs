//! User pattern generators: a model file's `PatternGenerator` subclass
//! whose `function(self, params)` topo-lang compiled into a
//! [`topo_spec::userclass::Kernel`] (models/sullivan_neurocomputing04.ty's
//! `OrientedLine`).
//!
//! One call does what imagen's `PatternGenerator.__call__`
//! (imagen/patterngenerator.py) does around `function`: `_setup_xy` reads
//! `p.x`, `p.y`, `p.orientation` (an explicit override, else the instance's
//! attribute) and builds `pattern_x` / `pattern_y`; then `function(p)`
//! runs; then mask, scale and offset. The statements of `function` before
//! its `return` are a scalar state machine run once per call; the
//! returned expression is evaluated element by element over the block.
//!
//! Instance state (`self.x = ...` in `function`) is allowed here, unlike in
//! per-unit kernels, because a generator sheet calls its pattern once per
//! presentation, in sequence, on every rank alike (`GeneratorSheet.generate`,
//! topo/base/generatorsheet.py): the sequence of states is the same
//! whatever the rank count or the block a rank renders. The state lives in
//! the model's random streams ([`Randomness::pattern_state`]), so a snapshot
//! stores it and a restored run continues it exactly. Attributes the
//! function writes that are the generator's own position (`x`, `y`,
//! `orientation`) take effect on the NEXT call, as in imagen, where
//! `_setup_xy` has already used them before `function` runs.

use super::call::{attr, finish, transformed_coords, Call, Ctx};
use super::{PatternError, Randomness, Region};
use std::collections::BTreeMap;
use topo_spec::userclass::{KExpr, KStmt, UnOp, UserClass};
use topo_spec::Component;

/// Evaluate the user pattern generator `gen` over `region`.
pub(crate) fn user<R: Randomness + ?Sized>(
    gen: &Component,
    call: &Call<'_>,
    region: Region,
    ctx: &mut Ctx<'_, '_, R>,
) -> Result<Vec<f64>, PatternError> {
    let classes = ctx.rng.user_classes().ok_or_else(|| {
        PatternError::Unsupported(format!(
            "{}: a user pattern generator needs the model's streams",
            gen.class
        ))
    })?;
    let class = classes
        .get(&gen.class)
        .ok_or_else(|| PatternError::UnsupportedClass(gen.class.clone()))?;
    let instance = gen
        .get("name")
        .and_then(|v| v.as_str())
        .unwrap_or(&gen.class)
        .to_string();
    let mut state = ctx.rng.pattern_state(&instance).ok_or_else(|| {
        PatternError::Unsupported(format!(
            "{}: no place to keep a user pattern generator's state",
            gen.class
        ))
    })?;
    let position = Call {
        x: call.x.or_else(|| state.get("x").copied()),
        y: call.y.or_else(|| state.get("y").copied()),
        orientation: call
            .orientation
            .or_else(|| state.get("orientation").copied()),
        ..*call
    };
    let (px, py) = transformed_coords(gen, &position, region, ctx)?;
    let mut m = Machine {
        gen,
        call,
        class,
        state: &mut state,
        locals: vec![f64::NAN; class.call.locals],
    };
    let ret = m.block(&class.call.body, ctx)?.ok_or_else(|| {
        PatternError::Unsupported(format!(
            "{} ({}): function returned no pattern",
            class.name, class.location
        ))
    })?;
    // Parameters and state in the returned expression are read once, in
    // Python's left-to-right order, before the element-wise evaluation.
    let bound = m.bind(ret, ctx)?;
    let values = (0..px.len())
        .map(|i| element(&bound, px[i], py[i]))
        .collect::<Result<Vec<f64>, PatternError>>()?;
    ctx.rng.set_pattern_state(&instance, &state);
    finish(gen, call, region, ctx, values)
}

/// The scalar part of `function`: locals, instance state and the
/// parameters the call reads.
struct Machine<'a, 'c> {
    gen: &'a Component,
    call: &'a Call<'c>,
    class: &'a UserClass,
    state: &'a mut BTreeMap<String, f64>,
    locals: Vec<f64>,
}

impl Machine<'_, '_> {
    fn fail(&self, what: impl std::fmt::Display) -> PatternError {
        PatternError::Unsupported(format!(
            "{} ({}): {what}",
            self.class.name, self.class.location
        ))
    }

    /// Runs statements until a `return`, whose expression it hands back.
    fn block<'k, R: Randomness + ?Sized>(
        &mut self,
        body: &'k [KStmt],
        ctx: &mut Ctx<'_, '_, R>,
    ) -> Result<Option<&'k KExpr>, PatternError> {
        for s in body {
            match s {
                KStmt::Local { slot, value } => {
                    let v = self.scalar(value, ctx)?;
                    self.locals[*slot] = v;
                }
                KStmt::SetState { name, op, value } => {
                    let v = self.scalar(value, ctx)?;
                    let v = match op {
                        None => v,
                        Some(op) => op.apply(self.read(&format!("self.{name}"), ctx)?, v),
                    };
                    self.state.insert(name.clone(), v);
                }
                KStmt::If { test, body, orelse } => {
                    let branch = if self.scalar(test, ctx)? != 0.0 {
                        body
                    } else {
                        orelse
                    };
                    if let Some(r) = self.block(branch, ctx)? {
                        return Ok(Some(r));
                    }
                }
                KStmt::Return(e) => return Ok(Some(e)),
                KStmt::InPlace { .. } | KStmt::ReturnPair(..) => {
                    return Err(self.fail("a pattern generator's function returns its pattern"))
                }
            }
        }
        Ok(None)
    }

    /// `self.<attr>` (name `self.<attr>`) or `params['<name>']`: an
    /// explicit override of the call, else state the function wrote,
    /// else the class attribute, else the instance's parameter value.
    fn read<R: Randomness + ?Sized>(
        &self,
        name: &str,
        ctx: &mut Ctx<'_, '_, R>,
    ) -> Result<f64, PatternError> {
        let (is_self, attr_name) = match name.strip_prefix("self.") {
            Some(a) => (true, a),
            None => (false, name),
        };
        if !is_self {
            let ov = match attr_name {
                "x" => self.call.x,
                "y" => self.call.y,
                "orientation" => self.call.orientation,
                "size" => self.call.size,
                "aspect_ratio" => self.call.aspect_ratio,
                "scale" => self.call.scale,
                "offset" => self.call.offset,
                _ => None,
            };
            if let Some(v) = ov {
                return Ok(v);
            }
        }
        if let Some(v) = self.state.get(attr_name) {
            return Ok(*v);
        }
        if let Some(v) = self.class.consts.get(attr_name) {
            return Ok(*v);
        }
        if self.gen.get(attr_name).is_some() {
            return attr(self.gen, attr_name, ctx);
        }
        Err(self.fail(format!(
            "'{attr_name}' is read before function assigned it (Python: AttributeError)"
        )))
    }

    fn scalar<R: Randomness + ?Sized>(
        &self,
        e: &KExpr,
        ctx: &mut Ctx<'_, '_, R>,
    ) -> Result<f64, PatternError> {
        Ok(match e {
            KExpr::Num(v) => *v,
            KExpr::Local(s) => self.locals[*s],
            KExpr::Param(p) => self.read(p, ctx)?,
            KExpr::Time => ctx.t.to_f64(),
            KExpr::Arg(_) => {
                return Err(self
                    .fail("the pattern coordinates can only be used in the returned expression"))
            }
            KExpr::Reduce(..) => {
                return Err(self.fail("reductions are not supported in a pattern generator"))
            }
            KExpr::Unary(op, a) => unary(*op, self.scalar(a, ctx)?),
            KExpr::Binary(op, a, b) => {
                let a = self.scalar(a, ctx)?;
                op.apply(a, self.scalar(b, ctx)?)
            }
            KExpr::Compare(op, a, b) => {
                let a = self.scalar(a, ctx)?;
                op.apply(a, self.scalar(b, ctx)?)
            }
            KExpr::IfExp(t, a, b) => {
                if self.scalar(t, ctx)? != 0.0 {
                    self.scalar(a, ctx)?
                } else {
                    self.scalar(b, ctx)?
                }
            }
            KExpr::Call(f, args) => {
                let mut v = [0.0; 3];
                for (i, a) in args.iter().enumerate().take(3) {
                    v[i] = self.scalar(a, ctx)?;
                }
                if args.len() == 1 {
                    f.apply1(v[0])
                } else {
                    f.apply_n(v[0], v[1], v[2])
                }
            }
        })
    }

    /// The returned expression with its parameter, state and local reads
    /// replaced by their values (the parts that vary per element are the
    /// pattern coordinates, `Arg(1)` and `Arg(2)`).
    fn bind<R: Randomness + ?Sized>(
        &self,
        e: &KExpr,
        ctx: &mut Ctx<'_, '_, R>,
    ) -> Result<KExpr, PatternError> {
        let b = |x: KExpr| Box::new(x);
        Ok(match e {
            KExpr::Num(v) => KExpr::Num(*v),
            KExpr::Local(s) => KExpr::Num(self.locals[*s]),
            KExpr::Param(p) => KExpr::Num(self.read(p, ctx)?),
            KExpr::Time => KExpr::Num(ctx.t.to_f64()),
            KExpr::Arg(i @ (1 | 2)) => KExpr::Arg(*i),
            KExpr::Arg(_) => return Err(self.fail("'params' is not a number or an array")),
            KExpr::Reduce(..) => {
                return Err(self.fail("reductions are not supported in a pattern generator"))
            }
            KExpr::Unary(op, a) => KExpr::Unary(*op, b(self.bind(a, ctx)?)),
            KExpr::Binary(op, l, r) => {
                let l = self.bind(l, ctx)?;
                KExpr::Binary(*op, b(l), b(self.bind(r, ctx)?))
            }
            KExpr::Compare(op, l, r) => {
                let l = self.bind(l, ctx)?;
                KExpr::Compare(*op, b(l), b(self.bind(r, ctx)?))
            }
            KExpr::IfExp(t, l, r) => {
                let t = self.bind(t, ctx)?;
                let l = self.bind(l, ctx)?;
                KExpr::IfExp(b(t), b(l), b(self.bind(r, ctx)?))
            }
            KExpr::Call(f, args) => KExpr::Call(
                *f,
                args.iter()
                    .map(|a| self.bind(a, ctx))
                    .collect::<Result<_, _>>()?,
            ),
        })
    }
}

fn unary(op: UnOp, a: f64) -> f64 {
    match op {
        UnOp::Neg => -a,
        UnOp::Pos => a,
        UnOp::Not => f64::from(u8::from(a == 0.0)),
    }
}

/// One element of a bound expression at pattern coordinates `(x, y)`.
/// numpy's element-wise operations compute each element with the same
/// IEEE operations, so this equals the array evaluation.
fn element(e: &KExpr, x: f64, y: f64) -> Result<f64, PatternError> {
    Ok(match e {
        KExpr::Num(v) => *v,
        KExpr::Arg(1) => x,
        KExpr::Arg(_) => y,
        KExpr::Unary(op, a) => unary(*op, element(a, x, y)?),
        KExpr::Binary(op, a, b) => op.apply(element(a, x, y)?, element(b, x, y)?),
        KExpr::Compare(op, a, b) => op.apply(element(a, x, y)?, element(b, x, y)?),
        KExpr::IfExp(t, a, b) => {
            if element(t, x, y)? != 0.0 {
                element(a, x, y)?
            } else {
                element(b, x, y)?
            }
        }
        KExpr::Call(f, args) => {
            let mut v = [0.0; 3];
            for (i, a) in args.iter().enumerate().take(3) {
                v[i] = element(a, x, y)?;
            }
            if args.len() == 1 {
                f.apply1(v[0])
            } else {
                f.apply_n(v[0], v[1], v[2])
            }
        }
        other => {
            return Err(PatternError::Unsupported(format!(
                "{other:?} in a pattern expression"
            )))
        }
    })
}
