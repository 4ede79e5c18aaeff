//! User learning functions: a model file's `class X(LearningFn)` whose
//! `__call__(input_activity, unit_activity, weights, rate)` topo-lang
//! compiled into a [`LearningKernel`], applied to every CF as `CFPLF_Plugin` does
//! (Topographica's topo/base/cf.py: `single_cf_fn(cf.get_input_matrix(input),
//! output_activity.flat[i], cf.weights, learning_rate / n_units)`, then
//! `cf.weights *= cf.mask`).
//!
//! The kernel is compiled once into closures over one element and run
//! statement by statement over the CF (reductions first, as numpy
//! evaluates them before the element-wise operation that uses them). Each
//! value carries numpy's dtype: the input is float64, the weights float32,
//! the scalars Python floats; a scalar never widens an array (numpy's
//! value-based casting), an operation on float32 arrays casts its operands
//! to float32 and rounds its result to float32, and an in-place update
//! stores float32. Scratch space is per thread and grows only on first use.

use crate::cf::ConnectionFields;
use crate::exchange::Block;
use crate::normalize::{for_each_unit, UnitMut};
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use topo_spec::userclass::{BinOp, Func, KExpr, KStmt, Reduction, UnOp, UserClass};
use topo_spec::{Component, Value};

/// Element type of an array value (numpy dtype).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum D {
    Bool,
    F32,
    F64,
}

/// Type of a value: a Python float or an array of a dtype.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ty {
    Scalar,
    Arr(D),
}

/// numpy's result type of a binary operation (value-based casting: a
/// scalar does not widen a float array; a bool array with a float scalar
/// becomes float64).
fn result_ty(a: Ty, b: Ty) -> Ty {
    match (a, b) {
        (Ty::Scalar, Ty::Scalar) => Ty::Scalar,
        (Ty::Arr(d), Ty::Scalar) | (Ty::Scalar, Ty::Arr(d)) => {
            Ty::Arr(if d == D::Bool { D::F64 } else { d })
        }
        (Ty::Arr(x), Ty::Arr(y)) => Ty::Arr(x.max(y)),
    }
}

#[inline]
fn r32(x: f64) -> f64 {
    x as f32 as f64
}

/// One element's evaluation context.
struct Env<'a> {
    input: &'a [f64],
    weights: &'a [Cell<f32>],
    scal: &'a [Cell<f64>],
    arr: &'a [Cell<f64>],
    n: usize,
}

type EFn = Box<dyn Fn(&Env<'_>, usize) -> f64 + Send + Sync>;

/// A reduction computed before the statement that uses it.
struct Pre {
    reg: usize,
    red: Reduction,
    f: EFn,
    d: D,
    /// The reduced value is `input_activity` itself: a view into the
    /// projection's input, which numpy reduces row by row.
    strided_rows: bool,
}

enum CStmt {
    Scalar {
        pre: Vec<Pre>,
        reg: usize,
        f: EFn,
    },
    Array {
        pre: Vec<Pre>,
        slot: usize,
        f: EFn,
    },
    Weights {
        pre: Vec<Pre>,
        op: Option<BinOp>,
        f: EFn,
        rhs: Ty,
    },
    If {
        pre: Vec<Pre>,
        test: EFn,
        body: Vec<CStmt>,
        orelse: Vec<CStmt>,
    },
}

/// A compiled user learning function of one instance.
pub struct LearningKernel {
    name: String,
    n_scal: usize,
    n_arr: usize,
    stmts: Vec<CStmt>,
}

impl std::fmt::Debug for LearningKernel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LearningKernel({})", self.name)
    }
}

struct Cx<'a> {
    c: &'a Component,
    class: &'a UserClass,
    n_scal: usize,
    n_arr: usize,
    /// Where each local slot lives: scalar register or array slot.
    locals: Vec<Option<(Ty, usize)>>,
    pre: Vec<Pre>,
}

const UNIT_ACTIVITY: usize = 0;
const RATE: usize = 1;

/// Compiles the user learning function `c` (an instance of `class`).
pub fn learning_kernel(class: &UserClass, c: &Component) -> Result<LearningKernel, String> {
    let mut cx = Cx {
        c,
        class,
        n_scal: 2,
        n_arr: 0,
        locals: vec![None; class.call.locals],
        pre: Vec::new(),
    };
    let stmts = cx.block(&class.call.body)?;
    Ok(LearningKernel {
        name: class.name.clone(),
        n_scal: cx.n_scal,
        n_arr: cx.n_arr,
        stmts,
    })
}

/// The learning kernel of a connection whose learning function is
/// `CFPLF_Plugin(single_cf_fn=<user class>)`, if it is one.
pub fn plugin_kernel(
    conn: &topo_spec::ConnectionSpec,
    classes: &BTreeMap<String, UserClass>,
) -> Result<Option<LearningKernel>, String> {
    let Some(Value::Object(lf)) = conn.component.get("learning_fn") else {
        return Ok(None);
    };
    let Some(Value::Object(single)) = lf.get("single_cf_fn") else {
        return Ok(None);
    };
    match classes.get(&single.class) {
        Some(class) => learning_kernel(class, single).map(Some).map_err(|e| {
            format!(
                "{}.{}: {} ({}): {e}",
                conn.dest, conn.name, class.name, class.location
            )
        }),
        None => Ok(None),
    }
}

impl Cx<'_> {
    fn block(&mut self, body: &[KStmt]) -> Result<Vec<CStmt>, String> {
        let mut out = Vec::new();
        for s in body {
            self.pre.clear();
            let st = match s {
                KStmt::Local { slot, value } => {
                    let (f, ty) = self.expr(value)?;
                    let pre = std::mem::take(&mut self.pre);
                    let place = match self.locals[*slot] {
                        Some((t, p)) if (t == Ty::Scalar) == (ty == Ty::Scalar) => p,
                        Some(_) => {
                            return Err(
                                "a local variable changes between a number and an array".into()
                            )
                        }
                        None => {
                            if ty == Ty::Scalar {
                                self.n_scal += 1;
                                self.n_scal - 1
                            } else {
                                self.n_arr += 1;
                                self.n_arr - 1
                            }
                        }
                    };
                    self.locals[*slot] = Some((ty, place));
                    if ty == Ty::Scalar {
                        CStmt::Scalar { pre, reg: place, f }
                    } else {
                        CStmt::Array {
                            pre,
                            slot: place,
                            f,
                        }
                    }
                }
                KStmt::InPlace { arg, op, value } => {
                    if *arg != 2 {
                        return Err("only the weights can be modified in place".into());
                    }
                    let (f, rhs) = self.expr(value)?;
                    let pre = std::mem::take(&mut self.pre);
                    CStmt::Weights {
                        pre,
                        op: *op,
                        f,
                        rhs,
                    }
                }
                KStmt::If { test, body, orelse } => {
                    let (t, ty) = self.expr(test)?;
                    if ty != Ty::Scalar {
                        return Err("an if test must be a number".into());
                    }
                    let pre = std::mem::take(&mut self.pre);
                    let b = self.block(body)?;
                    let o = self.block(orelse)?;
                    CStmt::If {
                        pre,
                        test: t,
                        body: b,
                        orelse: o,
                    }
                }
                KStmt::Return(_) | KStmt::ReturnPair(..) => {
                    return Err("a LearningFn returns nothing".into())
                }
                KStmt::SetState { .. } => return Err("a LearningFn keeps no instance state".into()),
            };
            out.push(st);
        }
        Ok(out)
    }

    fn expr(&mut self, e: &KExpr) -> Result<(EFn, Ty), String> {
        Ok(match e {
            KExpr::Num(v) => {
                let v = *v;
                (Box::new(move |_, _| v), Ty::Scalar)
            }
            KExpr::Param(p) => {
                let v = self.c.f64(p).ok_or_else(|| {
                    format!("parameter '{p}' of {} is not a number", self.class.name)
                })?;
                (Box::new(move |_, _| v), Ty::Scalar)
            }
            KExpr::Time => return Err("a LearningFn cannot read the simulation time".into()),
            KExpr::Arg(0) => (Box::new(|env, e| env.input[e]), Ty::Arr(D::F64)),
            KExpr::Arg(1) => (Box::new(|env, _| env.scal[UNIT_ACTIVITY].get()), Ty::Scalar),
            KExpr::Arg(2) => (
                Box::new(|env, e| f64::from(env.weights[e].get())),
                Ty::Arr(D::F32),
            ),
            KExpr::Arg(_) => (Box::new(|env, _| env.scal[RATE].get()), Ty::Scalar),
            KExpr::Local(s) => match self.locals.get(*s).copied().flatten() {
                Some((Ty::Scalar, r)) => (Box::new(move |env, _| env.scal[r].get()), Ty::Scalar),
                Some((ty, a)) => (Box::new(move |env, e| env.arr[a * env.n + e].get()), ty),
                None => return Err("a local variable is used before it is assigned".into()),
            },
            KExpr::Unary(op, a) => {
                let (f, ty) = self.expr(a)?;
                let g: EFn = match op {
                    UnOp::Neg => Box::new(move |env, e| -f(env, e)),
                    UnOp::Pos => f,
                    UnOp::Not => Box::new(move |env, e| f64::from(u8::from(f(env, e) == 0.0))),
                };
                (g, ty)
            }
            KExpr::Binary(op, a, b) => {
                let (fa, ta) = self.expr(a)?;
                let (fb, tb) = self.expr(b)?;
                let ty = result_ty(ta, tb);
                let op = *op;
                let g: EFn = if ty == Ty::Arr(D::F32) {
                    Box::new(move |env, e| r32(op.apply(r32(fa(env, e)), r32(fb(env, e)))))
                } else {
                    Box::new(move |env, e| op.apply(fa(env, e), fb(env, e)))
                };
                (g, ty)
            }
            KExpr::Compare(op, a, b) => {
                let (fa, ta) = self.expr(a)?;
                let (fb, tb) = self.expr(b)?;
                let ty = match result_ty(ta, tb) {
                    Ty::Scalar => Ty::Scalar,
                    Ty::Arr(_) => Ty::Arr(D::Bool),
                };
                let f32cmp = result_ty(ta, tb) == Ty::Arr(D::F32);
                let op = *op;
                let g: EFn = if f32cmp {
                    Box::new(move |env, e| op.apply(r32(fa(env, e)), r32(fb(env, e))))
                } else {
                    Box::new(move |env, e| op.apply(fa(env, e), fb(env, e)))
                };
                (g, ty)
            }
            KExpr::IfExp(t, a, b) => {
                let (ft, _) = self.expr(t)?;
                let (fa, ta) = self.expr(a)?;
                let (fb, tb) = self.expr(b)?;
                let ty = if ta == tb { ta } else { result_ty(ta, tb) };
                (
                    Box::new(move |env, e| {
                        if ft(env, e) != 0.0 {
                            fa(env, e)
                        } else {
                            fb(env, e)
                        }
                    }),
                    ty,
                )
            }
            KExpr::Call(func, args) => self.call(*func, args)?,
            KExpr::Reduce(red, a) => {
                let strided_rows = matches!(**a, KExpr::Arg(0));
                let (f, ty) = self.expr(a)?;
                let d = match ty {
                    Ty::Scalar => return Err("a reduction needs an array".into()),
                    Ty::Arr(D::Bool) => D::F64,
                    Ty::Arr(d) => d,
                };
                let reg = self.n_scal;
                self.n_scal += 1;
                self.pre.push(Pre {
                    reg,
                    red: *red,
                    f,
                    d,
                    strided_rows,
                });
                (Box::new(move |env, _| env.scal[reg].get()), Ty::Scalar)
            }
        })
    }

    fn call(&mut self, func: Func, args: &[KExpr]) -> Result<(EFn, Ty), String> {
        let mut fs = Vec::new();
        let mut ty = Ty::Scalar;
        for (i, a) in args.iter().enumerate() {
            let (f, t) = self.expr(a)?;
            // where's condition does not take part in the result type
            if !(func == Func::Where && i == 0) {
                ty = if i == 0 || (func == Func::Where && i == 1) {
                    t
                } else {
                    result_ty(ty, t)
                };
            }
            fs.push(f);
        }
        if ty == Ty::Arr(D::Bool) && func != Func::Where {
            ty = Ty::Arr(D::F64);
        }
        let f32 = ty == Ty::Arr(D::F32);
        let round = move |x: f64| if f32 { r32(x) } else { x };
        let g: EFn = match fs.len() {
            1 => {
                let a = fs.pop().unwrap_or_else(|| Box::new(|_, _| f64::NAN));
                Box::new(move |env, e| round(func.apply1(round(a(env, e)))))
            }
            2 => {
                let b = fs.pop().unwrap_or_else(|| Box::new(|_, _| f64::NAN));
                let a = fs.pop().unwrap_or_else(|| Box::new(|_, _| f64::NAN));
                Box::new(move |env, e| round(func.apply_n(round(a(env, e)), round(b(env, e)), 0.0)))
            }
            3 => {
                let c = fs.pop().unwrap_or_else(|| Box::new(|_, _| f64::NAN));
                let b = fs.pop().unwrap_or_else(|| Box::new(|_, _| f64::NAN));
                let a = fs.pop().unwrap_or_else(|| Box::new(|_, _| f64::NAN));
                if func == Func::Where {
                    Box::new(move |env, e| {
                        round(if a(env, e) != 0.0 {
                            b(env, e)
                        } else {
                            c(env, e)
                        })
                    })
                } else {
                    Box::new(move |env, e| {
                        round(func.apply_n(round(a(env, e)), round(b(env, e)), round(c(env, e))))
                    })
                }
            }
            _ => return Err("wrong number of arguments".into()),
        };
        Ok((g, ty))
    }
}

/// numpy's pairwise summation (numpy/core/src/umath/loops.c.src,
/// `pairwise_sum`), in float32 when `f32`.
fn pairwise(a: &[Cell<f64>], f32: bool) -> f64 {
    let add = |x: f64, y: f64| if f32 { r32(x + y) } else { x + y };
    let n = a.len();
    if n < 8 {
        let mut res = 0.0;
        for x in a {
            res = add(res, x.get());
        }
        // numpy starts from -0.0 for an empty block; the sign of a zero
        // sum makes no difference to the kernel's arithmetic
        res
    } else if n <= 128 {
        let mut r = [0.0; 8];
        for (rj, x) in r.iter_mut().zip(a) {
            *rj = x.get();
        }
        let mut i = 8;
        while i < n - n % 8 {
            for (j, rj) in r.iter_mut().enumerate() {
                *rj = add(*rj, a[i + j].get());
            }
            i += 8;
        }
        let mut res = add(
            add(add(r[0], r[1]), add(r[2], r[3])),
            add(add(r[4], r[5]), add(r[6], r[7])),
        );
        for x in &a[i..] {
            res = add(res, x.get());
        }
        res
    } else {
        let mut n2 = n / 2;
        n2 -= n2 % 8;
        add(pairwise(&a[..n2], f32), pairwise(&a[n2..], f32))
    }
}

fn reduce(red: Reduction, vals: &[Cell<f64>], d: D, row: usize, strided_rows: bool) -> f64 {
    let f32 = d == D::F32;
    let add = |x: f64, y: f64| if f32 { r32(x + y) } else { x + y };
    let sum = || {
        // add.reduce starts from its identity 0 and adds one pairwise sum
        // per inner loop: the whole array, or each row of a strided view
        let mut acc = 0.0;
        if strided_rows && row > 0 {
            for r in vals.chunks(row) {
                acc = add(acc, pairwise(r, f32));
            }
        } else {
            acc = add(acc, pairwise(vals, f32));
        }
        acc
    };
    match red {
        Reduction::Sum => sum(),
        Reduction::Mean => {
            let m = sum() / vals.len() as f64;
            if f32 {
                r32(m)
            } else {
                m
            }
        }
        Reduction::Max | Reduction::Min => {
            let mut acc = vals.first().map(Cell::get).unwrap_or(f64::NAN);
            for x in vals.iter().skip(1).map(Cell::get) {
                if acc.is_nan() || x.is_nan() {
                    acc = f64::NAN;
                } else if (red == Reduction::Max && x > acc) || (red == Reduction::Min && x < acc) {
                    acc = x;
                }
            }
            acc
        }
    }
}

thread_local! {
    /// Per-thread scratch: gathered input, array locals, reduction values,
    /// scalar registers. Grows on first use, then reused.
    static SCRATCH: RefCell<(Vec<f64>, Vec<f64>)> = const { RefCell::new((Vec::new(), Vec::new())) };
}

impl LearningKernel {
    fn run_pre(pre: &[Pre], env: &Env<'_>, tmp: &[Cell<f64>], row: usize) {
        for p in pre {
            for (e, slot) in tmp.iter().enumerate().take(env.n) {
                slot.set((p.f)(env, e));
            }
            let v = reduce(p.red, &tmp[..env.n], p.d, row, p.strided_rows);
            env.scal[p.reg].set(v);
        }
    }

    fn run(stmts: &[CStmt], env: &Env<'_>, tmp: &[Cell<f64>], row: usize) {
        for s in stmts {
            match s {
                CStmt::Scalar { pre, reg, f } => {
                    Self::run_pre(pre, env, tmp, row);
                    env.scal[*reg].set(f(env, 0));
                }
                CStmt::Array { pre, slot, f } => {
                    Self::run_pre(pre, env, tmp, row);
                    let base = slot * env.n;
                    for e in 0..env.n {
                        env.arr[base + e].set(f(env, e));
                    }
                }
                CStmt::Weights { pre, op, f, rhs } => {
                    Self::run_pre(pre, env, tmp, row);
                    let f32_loop = result_ty(Ty::Arr(D::F32), *rhs) == Ty::Arr(D::F32);
                    for e in 0..env.n {
                        let w = f64::from(env.weights[e].get());
                        let x = f(env, e);
                        let v = match op {
                            None => x,
                            Some(op) if f32_loop => op.apply(w, r32(x)),
                            Some(op) => op.apply(w, x),
                        };
                        env.weights[e].set(v as f32);
                    }
                }
                CStmt::If {
                    pre,
                    test,
                    body,
                    orelse,
                } => {
                    Self::run_pre(pre, env, tmp, row);
                    if test(env, 0) != 0.0 {
                        Self::run(body, env, tmp, row);
                    } else {
                        Self::run(orelse, env, tmp, row);
                    }
                }
            }
        }
    }
}

/// Applies a user learning function to every local unit:
/// `__call__(cf input, y, cf.weights, learning_rate / n_units)`, then
/// `weights *= mask`. The cached L1 totals become stale, as with
/// Topographica's `CFPLF_Plugin` (which does not maintain them).
pub fn apply(
    kernel: &LearningKernel,
    cfs: &mut ConnectionFields,
    input: &[f64],
    needed: &Block,
    dest_activity: &[f64],
    single_connection_rate: f64,
) {
    if cfs.shared.is_some() {
        return;
    }
    let ncols = needed.cols();
    let slices = std::mem::take(&mut cfs.slices);
    for_each_unit(cfs, &|um: UnitMut<'_>| {
        let [r1, r2, c1, c2] = slices[um.unit];
        let w = c2 - c1;
        let gather = |xin: &mut [f64]| {
            for (k, i) in (r1..r2).enumerate() {
                let xs = (i - needed.r0) * ncols + (c1 - needed.c0);
                xin[k * w..(k + 1) * w].copy_from_slice(&input[xs..xs + w]);
            }
        };
        let y = dest_activity[um.unit];
        kernel.run_unit(um.weights, um.mask, w, y, single_connection_rate, gather);
        *um.has_norm_total = false;
    });
    cfs.slices = slices;
}

impl LearningKernel {
    /// One unit: `gather` fills the CF's input (row-major, rows of `row`
    /// values) into the scratch, the kernel updates `weights`, then
    /// `weights *= mask` (float32).
    fn run_unit(
        &self,
        weights: &mut [f32],
        mask: &[f32],
        row: usize,
        y: f64,
        rate: f64,
        gather: impl FnOnce(&mut [f64]),
    ) {
        let n = weights.len();
        SCRATCH.with(|s| {
            let mut s = s.borrow_mut();
            let (buf, scal) = &mut *s;
            let need = n * (2 + self.n_arr);
            if buf.len() < need {
                buf.resize(need, 0.0);
            }
            if scal.len() < self.n_scal {
                scal.resize(self.n_scal, 0.0);
            }
            let (xin, rest) = buf.split_at_mut(n);
            gather(xin);
            let rest = Cell::from_mut(&mut rest[..n * (1 + self.n_arr)]).as_slice_of_cells();
            let (tmp, arr) = rest.split_at(n);
            let scal = Cell::from_mut(&mut scal[..]).as_slice_of_cells();
            scal[UNIT_ACTIVITY].set(y);
            scal[RATE].set(rate);
            let weights = Cell::from_mut(weights).as_slice_of_cells();
            let env = Env {
                input: xin,
                weights,
                scal,
                arr,
                n,
            };
            Self::run(&self.stmts, &env, tmp, row);
            for (wc, m) in weights.iter().zip(mask) {
                wc.set(wc.get() * m);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairwise_matches_numpys_blocking() {
        // 8 partial sums for n <= 128, halves (multiple of 8) above
        let mut v: Vec<f64> = (0..300).map(|i| 1.0 / (1.0 + i as f64)).collect();
        let a = v.clone();
        let cells = Cell::from_mut(&mut v[..]).as_slice_of_cells();
        let mut r = [0.0; 8];
        r.copy_from_slice(&a[..8]);
        for i in (8..144).step_by(8) {
            for j in 0..8 {
                r[j] += a[i + j];
            }
        }
        let left = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        let got_left = pairwise(&cells[..144], false);
        assert_eq!(left.to_bits(), got_left.to_bits());
        let whole = pairwise(cells, false);
        assert_eq!(
            whole.to_bits(),
            (got_left + pairwise(&cells[144..], false)).to_bits()
        );
    }

    #[test]
    fn numpy_casting_rules() {
        assert_eq!(result_ty(Ty::Arr(D::F32), Ty::Scalar), Ty::Arr(D::F32));
        assert_eq!(result_ty(Ty::Arr(D::F32), Ty::Arr(D::F64)), Ty::Arr(D::F64));
        assert_eq!(result_ty(Ty::Arr(D::Bool), Ty::Scalar), Ty::Arr(D::F64));
        assert_eq!(result_ty(Ty::Scalar, Ty::Scalar), Ty::Scalar);
    }

    fn class(body: Vec<KStmt>, locals: usize) -> (UserClass, Component) {
        let mut params = BTreeMap::new();
        params.insert("gain".to_string(), Value::Float(0.1));
        let class = UserClass {
            consts: Default::default(),
            name: "__main__.R".into(),
            family: topo_spec::userclass::Family::LearningFn,
            location: "t.ty:1:1".into(),
            source: String::new(),
            params: vec!["gain".into()],
            call: topo_spec::userclass::Kernel { locals, body },
        };
        let c = Component {
            class: class.name.clone(),
            id: 0,
            params,
        };
        (class, c)
    }

    fn b(op: BinOp, x: KExpr, y: KExpr) -> KExpr {
        KExpr::Binary(op, Box::new(x), Box::new(y))
    }

    fn run(body: Vec<KStmt>, locals: usize, w: &mut [f32], x: &[f64], row: usize) {
        let (class, c) = class(body, locals);
        let k = learning_kernel(&class, &c).unwrap();
        let mask = vec![1.0f32; w.len()];
        k.run_unit(w, &mask, row, 0.5, 0.25, |xin| xin.copy_from_slice(x));
    }

    const W: [f32; 4] = [0.1, 0.2, 0.3, 0.7];
    const X: [f64; 4] = [0.9, 0.0, 0.33, 1.0];

    /// `weights *= self.gain`: a float32 array times a Python float is a
    /// float32 operation (the scalar is cast to float32 first).
    #[test]
    fn float32_array_with_a_scalar_stays_float32() {
        let mut w = W;
        let body = vec![KStmt::InPlace {
            arg: 2,
            op: Some(BinOp::Mul),
            value: KExpr::Param("gain".into()),
        }];
        run(body, 0, &mut w, &X, 2);
        for (got, w0) in w.iter().zip(W) {
            assert_eq!(got.to_bits(), (w0 * 0.1f32).to_bits());
        }
    }

    /// `weights += rate * unit_activity * input_activity`: the scalar
    /// product first, then float64 with the input, stored as float32.
    #[test]
    fn hebbian_order_and_dtypes() {
        let mut w = W;
        let value = b(
            BinOp::Mul,
            b(BinOp::Mul, KExpr::Arg(3), KExpr::Arg(1)),
            KExpr::Arg(0),
        );
        run(
            vec![KStmt::InPlace {
                arg: 2,
                op: Some(BinOp::Add),
                value,
            }],
            0,
            &mut w,
            &X,
            2,
        );
        for ((got, w0), x) in w.iter().zip(W).zip(X) {
            assert_eq!(
                got.to_bits(),
                ((f64::from(w0) + 0.25 * 0.5 * x) as f32).to_bits()
            );
        }
    }

    /// `weights -= weights.sum()` reduces before the element-wise update
    /// (float32 sum), `where` / `clip` choose and bound element-wise.
    #[test]
    fn reductions_where_and_clip() {
        let mut w = W;
        let value = KExpr::Reduce(Reduction::Sum, Box::new(KExpr::Arg(2)));
        run(
            vec![KStmt::InPlace {
                arg: 2,
                op: Some(BinOp::Sub),
                value,
            }],
            0,
            &mut w,
            &X,
            2,
        );
        let s = W.iter().fold(0.0f32, |a, x| a + x);
        for (got, w0) in w.iter().zip(W) {
            assert_eq!(got.to_bits(), (w0 - s).to_bits());
        }
        let mut w = W;
        let cond = KExpr::Compare(
            topo_spec::userclass::CmpOp::Gt,
            Box::new(KExpr::Arg(0)),
            Box::new(KExpr::Num(0.5)),
        );
        let picked = KExpr::Call(Func::Where, vec![cond, KExpr::Arg(0), KExpr::Num(-1.0)]);
        let value = KExpr::Call(Func::Clip, vec![picked, KExpr::Num(0.0), KExpr::Num(0.95)]);
        run(
            vec![KStmt::InPlace {
                arg: 2,
                op: None,
                value,
            }],
            0,
            &mut w,
            &X,
            2,
        );
        assert_eq!(w, [0.9f32, 0.0, 0.0, 0.95]);
    }

    /// A float64 array local feeds a later statement; the input's sum is
    /// taken row by row, as numpy reduces a strided view.
    #[test]
    fn locals_and_strided_input_sums() {
        let mut w = W;
        let body = vec![
            KStmt::Local {
                slot: 0,
                value: b(BinOp::Mul, KExpr::Arg(0), KExpr::Num(2.0)),
            },
            KStmt::InPlace {
                arg: 2,
                op: Some(BinOp::Add),
                value: b(
                    BinOp::Div,
                    KExpr::Local(0),
                    KExpr::Reduce(Reduction::Sum, Box::new(KExpr::Arg(0))),
                ),
            },
        ];
        run(body, 1, &mut w, &X, 2);
        let total = (0.0 + (X[0] + X[1])) + (X[2] + X[3]);
        for ((got, w0), x) in w.iter().zip(W).zip(X) {
            assert_eq!(
                got.to_bits(),
                ((f64::from(w0) + x * 2.0 / total) as f32).to_bits()
            );
        }
    }
}
