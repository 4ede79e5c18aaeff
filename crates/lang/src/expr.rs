//! Expressions: literals, names, operators, comprehensions, subscripts.

use crate::interp::{Interp, R};
use crate::obj::Obj;
use crate::pyfmt;
use rustpython_parser::ast::{self, Ranged};
use std::collections::HashMap;

const MAX_DEPTH: usize = 200;
const MAX_LEN: usize = 1_000_000;

/// Evaluation steps charged per element a list or string operation
/// copies (so big copies in long loops hit the step limit).
const ELEMENTS_PER_STEP: usize = 8;

fn big_to_i64(b: &ast::bigint::BigInt) -> Option<i64> {
    b.to_string().parse().ok()
}

impl Interp {
    /// Evaluates an expression.
    pub(crate) fn eval(&mut self, e: &ast::Expr) -> R<Obj> {
        let off = e.range().start().to_usize();
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            self.depth -= 1;
            return Err(self.err(off, "expression nested too deeply"));
        }
        let r = self.eval_inner(e, off);
        self.depth -= 1;
        r
    }

    fn eval_inner(&mut self, e: &ast::Expr, off: usize) -> R<Obj> {
        self.step(off)?;
        match e {
            ast::Expr::Constant(c) => self.constant(&c.value, off),
            ast::Expr::Name(n) => self.lookup(n.id.as_str(), off),
            ast::Expr::Attribute(a) => {
                let base = self.eval(&a.value)?;
                self.get_attr(base, a.attr.as_str(), a.range().end().to_usize().saturating_sub(a.attr.len()))
            }
            ast::Expr::Call(c) => self.eval_call(c, off),
            ast::Expr::BinOp(b) => {
                let l = self.eval(&b.left)?;
                let r = self.eval(&b.right)?;
                let v = self.binop(&b.op, l, r, off)?;
                crate::limits::check_value(&v).map_err(|m| self.err(off, m))?;
                Ok(v)
            }
            ast::Expr::UnaryOp(u) => {
                let v = self.eval(&u.operand)?;
                self.unaryop(&u.op, v, off)
            }
            ast::Expr::BoolOp(b) => {
                let mut last = Obj::None;
                for (i, v) in b.values.iter().enumerate() {
                    last = self.eval(v)?;
                    let t = last.truthy();
                    let is_and = matches!(b.op, ast::BoolOp::And);
                    if i + 1 < b.values.len() && (is_and != t) {
                        return Ok(last);
                    }
                }
                Ok(last)
            }
            ast::Expr::Compare(c) => {
                let mut left = self.eval(&c.left)?;
                for (op, right_e) in c.ops.iter().zip(&c.comparators) {
                    let right = self.eval(right_e)?;
                    if !self.compare(op, &left, &right, off)? {
                        return Ok(Obj::Bool(false));
                    }
                    left = right;
                }
                Ok(Obj::Bool(true))
            }
            ast::Expr::IfExp(i) => {
                if self.eval(&i.test)?.truthy() {
                    self.eval(&i.body)
                } else {
                    self.eval(&i.orelse)
                }
            }
            ast::Expr::List(l) => Ok(Obj::List(self.eval_all(&l.elts)?)),
            ast::Expr::Tuple(t) => Ok(Obj::Tuple(self.eval_all(&t.elts)?)),
            ast::Expr::Dict(d) => {
                let mut items: Vec<(String, Obj)> = Vec::new();
                for (k, v) in d.keys.iter().zip(&d.values) {
                    let val = self.eval(v)?;
                    match k {
                        Some(k) => {
                            let kv = self.eval(k)?;
                            let key = match dict_key(&kv) {
                                Some(s) => s,
                                None => return Err(self.err(k.range().start().to_usize(), format!("dict keys must be strings (or tuples of strings) here, not {}", kv.type_name()))),
                            };
                            dict_set(&mut items, key, val);
                        }
                        None => match val {
                            Obj::Dict(more) => {
                                for (k2, v2) in more {
                                    dict_set(&mut items, k2, v2);
                                }
                            }
                            other => return Err(self.err(off, format!("** needs a dict, not {}", other.type_name()))),
                        },
                    }
                }
                Ok(Obj::Dict(items))
            }
            ast::Expr::ListComp(lc) => {
                let mut out = Vec::new();
                self.scopes.push(HashMap::new());
                let r = self.comprehension(&lc.generators, 0, &lc.elt, &mut out);
                self.scopes.pop();
                r?;
                Ok(Obj::List(out))
            }
            ast::Expr::GeneratorExp(g) => {
                let mut out = Vec::new();
                self.scopes.push(HashMap::new());
                let r = self.comprehension(&g.generators, 0, &g.elt, &mut out);
                self.scopes.pop();
                r?;
                Ok(Obj::List(out))
            }
            ast::Expr::Subscript(s) => {
                let base = self.eval(&s.value)?;
                if let ast::Expr::Slice(sl) = s.slice.as_ref() {
                    let lo = match &sl.lower { Some(x) => Some(self.eval(x)?), None => None };
                    let hi = match &sl.upper { Some(x) => Some(self.eval(x)?), None => None };
                    let step = match &sl.step { Some(x) => Some(self.eval(x)?), None => None };
                    let step = match step {
                        None | Some(Obj::None) => 1,
                        Some(Obj::Int(0)) => return Err(self.err(off, "slice step cannot be zero")),
                        Some(Obj::Int(s)) => s,
                        Some(other) => return Err(self.err(off, format!("slice indices must be integers, not {}", other.type_name()))),
                    };
                    if step != 1 {
                        return self.stepped_slice(base, lo, hi, step, off);
                    }
                    return self.slice(base, lo, hi, off);
                }
                let key = self.eval(&s.slice)?;
                self.subscript(base, key, off)
            }
            ast::Expr::Lambda(_) => Err(self.err(off, "lambda is not supported in model files; use the built-in components and numbergen generators")),
            ast::Expr::JoinedStr(_) | ast::Expr::FormattedValue(_) => Err(self.err(off, "f-strings are not supported; use '%' formatting")),
            ast::Expr::Starred(_) => Err(self.err(off, "starred expressions are not supported")),
            ast::Expr::Yield(_) | ast::Expr::YieldFrom(_) | ast::Expr::Await(_) => Err(self.err(off, "yield/await are not supported")),
            ast::Expr::NamedExpr(_) => Err(self.err(off, "assignment expressions are not supported")),
            ast::Expr::Set(_) | ast::Expr::SetComp(_) | ast::Expr::DictComp(_) => Err(self.err(off, "sets and dict comprehensions are not supported")),
            ast::Expr::Slice(_) => Err(self.err(off, "unexpected slice")),
        }
    }

    fn eval_all(&mut self, es: &[ast::Expr]) -> R<Vec<Obj>> {
        es.iter().map(|e| self.eval(e)).collect()
    }

    fn comprehension(
        &mut self,
        gens: &[ast::Comprehension],
        i: usize,
        elt: &ast::Expr,
        out: &mut Vec<Obj>,
    ) -> R<()> {
        if i == gens.len() {
            let v = self.eval(elt)?;
            if out.len() >= MAX_LEN {
                return Err(self.err(elt.range().start().to_usize(), "list too long"));
            }
            out.push(v);
            return Ok(());
        }
        let g = &gens[i];
        let off = g.iter.range().start().to_usize();
        let it = self.eval(&g.iter)?;
        for item in self.iter_obj(it, off)? {
            self.step(off)?;
            self.assign_comp_target(&g.target, item)?;
            let mut ok = true;
            for cond in &g.ifs {
                if !self.eval(cond)?.truthy() {
                    ok = false;
                    break;
                }
            }
            if ok {
                self.comprehension(gens, i + 1, elt, out)?;
            }
        }
        Ok(())
    }

    fn assign_comp_target(&mut self, t: &ast::Expr, v: Obj) -> R<()> {
        match t {
            ast::Expr::Name(n) => {
                self.bind(n.id.as_str(), v);
                Ok(())
            }
            ast::Expr::Tuple(ast::ExprTuple { elts, .. })
            | ast::Expr::List(ast::ExprList { elts, .. }) => {
                let off = t.range().start().to_usize();
                let items = self.iter_obj(v, off)?;
                if items.len() != elts.len() {
                    return Err(self.err(off, "wrong number of values to unpack"));
                }
                for (e, item) in elts.iter().zip(items) {
                    self.assign_comp_target(e, item)?;
                }
                Ok(())
            }
            _ => Err(self.err(
                t.range().start().to_usize(),
                "unsupported comprehension target",
            )),
        }
    }

    fn constant(&self, c: &ast::Constant, off: usize) -> R<Obj> {
        Ok(match c {
            ast::Constant::None => Obj::None,
            ast::Constant::Bool(b) => Obj::Bool(*b),
            ast::Constant::Str(s) => Obj::Str(s.clone()),
            ast::Constant::Int(i) => {
                Obj::Int(big_to_i64(i).ok_or_else(|| self.err(off, "integer literal too large"))?)
            }
            ast::Constant::Float(f) => Obj::Float(*f),
            ast::Constant::Tuple(items) => Obj::Tuple(
                items
                    .iter()
                    .map(|c| self.constant(c, off))
                    .collect::<R<Vec<_>>>()?,
            ),
            ast::Constant::Bytes(_) => {
                return Err(self.err(off, "bytes literals are not supported"))
            }
            ast::Constant::Complex { .. } => {
                return Err(self.err(off, "complex numbers are not supported"))
            }
            ast::Constant::Ellipsis => return Err(self.err(off, "... is not supported")),
        })
    }

    fn subscript(&mut self, base: Obj, key: Obj, off: usize) -> R<Obj> {
        match (base, key) {
            (Obj::Sim, Obj::Str(name)) => match self.sheets.iter().find(|(n, _)| *n == name) {
                Some((_, c)) => Ok(Obj::Comp(c.clone())),
                None => Err(self.err(
                    off,
                    format!("no sheet named '{name}' (sheets: {})", self.sheet_names()),
                )),
            },
            (Obj::List(v) | Obj::Tuple(v), Obj::Int(i)) => {
                let n = v.len() as i64;
                let idx = if i < 0 { i + n } else { i };
                if idx < 0 || idx >= n {
                    return Err(self.err(off, "index out of range"));
                }
                Ok(v[idx as usize].clone())
            }
            (Obj::Str(s), Obj::Int(i)) => {
                let chars: Vec<char> = s.chars().collect();
                let n = chars.len() as i64;
                let idx = if i < 0 { i + n } else { i };
                if idx < 0 || idx >= n {
                    return Err(self.err(off, "string index out of range"));
                }
                Ok(Obj::Str(chars[idx as usize].to_string()))
            }
            (Obj::Dict(items), k @ (Obj::Str(_) | Obj::Tuple(_))) => {
                let key = dict_key(&k);
                items
                    .iter()
                    .find(|(kk, _)| Some(kk) == key.as_ref())
                    .map(|(_, v)| v.clone())
                    .ok_or_else(|| self.err(off, format!("key {} not found", pyfmt::py_repr(&k))))
            }
            (b, k) => Err(self.err(
                off,
                format!("cannot index a {} with a {}", b.type_name(), k.type_name()),
            )),
        }
    }

    /// `x[lo:hi:step]` with Python's index rules (PySlice_GetIndicesEx).
    fn stepped_slice(
        &self,
        base: Obj,
        lo: Option<Obj>,
        hi: Option<Obj>,
        step: i64,
        off: usize,
    ) -> R<Obj> {
        let (items, is_str, tuple) = match base {
            Obj::List(v) => (v, false, false),
            Obj::Tuple(v) => (v, false, true),
            Obj::Str(s) => (
                s.chars().map(|c| Obj::Str(c.to_string())).collect(),
                true,
                false,
            ),
            other => return Err(self.err(off, format!("cannot slice a {}", other.type_name()))),
        };
        let n = items.len() as i64;
        let idx = |o: Option<Obj>, default: i64| -> R<i64> {
            match o {
                None | Some(Obj::None) => Ok(default),
                Some(Obj::Int(i)) => {
                    let i = if i < 0 { i + n } else { i };
                    Ok(if step > 0 {
                        i.clamp(0, n)
                    } else {
                        i.clamp(-1, n - 1)
                    })
                }
                Some(other) => Err(self.err(
                    off,
                    format!("slice indices must be integers, not {}", other.type_name()),
                )),
            }
        };
        let (mut i, stop) = if step > 0 {
            (idx(lo, 0)?, idx(hi, n)?)
        } else {
            (idx(lo, n - 1)?, idx(hi, -1)?)
        };
        let mut out = Vec::new();
        while (step > 0 && i < stop) || (step < 0 && i > stop) {
            out.push(items[i as usize].clone());
            i += step;
        }
        Ok(if is_str {
            Obj::Str(out.iter().map(pyfmt::py_str).collect())
        } else if tuple {
            Obj::Tuple(out)
        } else {
            Obj::List(out)
        })
    }

    fn slice(&self, base: Obj, lo: Option<Obj>, hi: Option<Obj>, off: usize) -> R<Obj> {
        let idx = |o: Option<Obj>, n: i64, d: i64| -> R<i64> {
            match o {
                None | Some(Obj::None) => Ok(d),
                Some(Obj::Int(i)) => Ok((if i < 0 { i + n } else { i }).clamp(0, n)),
                Some(other) => Err(self.err(
                    off,
                    format!("slice indices must be integers, not {}", other.type_name()),
                )),
            }
        };
        match base {
            Obj::List(v) | Obj::Tuple(v) => {
                let n = v.len() as i64;
                let (a, b) = (idx(lo, n, 0)?, idx(hi, n, n)?);
                let part = if a < b {
                    v[a as usize..b as usize].to_vec()
                } else {
                    Vec::new()
                };
                Ok(Obj::List(part))
            }
            Obj::Str(s) => {
                let chars: Vec<char> = s.chars().collect();
                let n = chars.len() as i64;
                let (a, b) = (idx(lo, n, 0)?, idx(hi, n, n)?);
                Ok(Obj::Str(if a < b {
                    chars[a as usize..b as usize].iter().collect()
                } else {
                    String::new()
                }))
            }
            other => Err(self.err(off, format!("cannot slice a {}", other.type_name()))),
        }
    }

    /// Binary arithmetic with Python 2 semantics (integer `/` floors).
    pub(crate) fn binop(&mut self, op: &ast::Operator, l: Obj, r: Obj, off: usize) -> R<Obj> {
        use ast::Operator as O;
        // Elements copied: a sequence times an int repeats it; `+` and
        // `%` copy their sequence operands once. Numbers copy nothing: an
        // int operand is a repetition count only next to a sequence (once,
        // `12 + k` and `'name%d' % k` cost k / 8 steps, so a loop of
        // 45 000 such calls cost billions of steps).
        let seq = |o: &Obj| match o {
            Obj::Str(s) => Some(s.len()),
            Obj::List(v) | Obj::Tuple(v) => Some(v.len()),
            _ => None,
        };
        let reps = |o: &Obj| match o {
            Obj::Int(n) => (*n).clamp(0, MAX_LEN as i64 + 1) as usize,
            _ => 1,
        };
        let cost = match (op, seq(&l), seq(&r)) {
            (O::Mult, Some(n), None) => n.saturating_mul(reps(&r)),
            (O::Mult, None, Some(n)) => n.saturating_mul(reps(&l)),
            (_, a, b) => a.unwrap_or(0).saturating_add(b.unwrap_or(0)),
        };
        for _ in 0..(cost / ELEMENTS_PER_STEP).min(MAX_LEN) {
            self.step(off)?;
        }
        // numbergen arithmetic builds operator objects
        let is_gen = |o: &Obj| matches!(o, Obj::Comp(c) if crate::registry::registry().is_subclass(&c.borrow().class, "numbergen.NumberGenerator"));
        if is_gen(&l) || is_gen(&r) {
            let fname = match op {
                O::Add => "operator.add",
                O::Sub => "operator.sub",
                O::Mult => "operator.mul",
                O::Div if self.true_division => "operator.truediv",
                O::Div => "operator.div",
                O::FloorDiv => "operator.floordiv",
                O::Mod => "operator.mod",
                O::Pow => "operator.pow",
                _ => return Err(self.err(off, "unsupported operator on a numbergen generator")),
            };
            // Python's bool is an int: `gen * (x == 'a')` multiplies by 0 or 1
            let unbool = |o: Obj| match o {
                Obj::Bool(b) => Obj::Int(b as i64),
                o => o,
            };
            return self.construct(
                "numbergen.BinaryOperator",
                vec![
                    ("lhs".into(), unbool(l)),
                    ("rhs".into(), unbool(r)),
                    ("operator".into(), Obj::Func(fname.into())),
                ],
                off,
            );
        }
        match (op, &l, &r) {
            (O::Add, Obj::Str(a), Obj::Str(b)) => return self.bounded_str(format!("{a}{b}"), off),
            (O::Add, Obj::List(a), Obj::List(b)) => {
                let mut v = a.clone();
                v.extend(b.iter().cloned());
                return self.bounded_list(v, off, false);
            }
            (O::Add, Obj::Tuple(a), Obj::Tuple(b)) => {
                let mut v = a.clone();
                v.extend(b.iter().cloned());
                return self.bounded_list(v, off, true);
            }
            (O::Mod, Obj::Str(f), args) => {
                return pyfmt::percent_format(f, args)
                    .map(Obj::Str)
                    .map_err(|m| self.err(off, m));
            }
            (O::Mult, Obj::Str(s), Obj::Int(n)) | (O::Mult, Obj::Int(n), Obj::Str(s)) => {
                let n = (*n).max(0) as usize;
                if s.len().saturating_mul(n) > MAX_LEN {
                    return Err(self.err(off, "string too long"));
                }
                return Ok(Obj::Str(s.repeat(n)));
            }
            (O::Mult, Obj::List(v), Obj::Int(n)) | (O::Mult, Obj::Int(n), Obj::List(v)) => {
                let n = (*n).max(0) as usize;
                if v.len().saturating_mul(n) > MAX_LEN {
                    return Err(self.err(off, "list too long"));
                }
                // Each copy clones the items: bound the whole before building it.
                let one = crate::limits::deep_size(&Obj::List(v.clone()), crate::limits::MAX_VALUE);
                if one.saturating_mul(n) > crate::limits::MAX_VALUE {
                    return Err(self.err(
                        off,
                        "list too large: the repetition would pass the model-file sandbox's limit",
                    ));
                }
                let mut out = Vec::new();
                for _ in 0..n {
                    out.extend(v.iter().cloned());
                }
                return Ok(Obj::List(out));
            }
            _ => {}
        }
        let as_int = |o: &Obj| match o {
            Obj::Int(i) => Some(*i),
            Obj::Bool(b) => Some(*b as i64),
            _ => None,
        };
        let int_pair = (as_int(&l), as_int(&r));
        if self.true_division
            && matches!(op, O::Div)
            && int_pair.0.is_some()
            && int_pair.1.is_some()
        {
            // `from __future__ import division`: PEP 238 true division
            let (a, b) = (int_pair.0.unwrap_or(0), int_pair.1.unwrap_or(0));
            if b == 0 {
                return Err(self.err(off, "division by zero"));
            }
            return Ok(Obj::Float(a as f64 / b as f64));
        }
        if let (Some(a), Some(b)) = int_pair {
            let overflow = || self.err(off, "integer overflow");
            let zero = || self.err(off, "integer division or modulo by zero");
            return Ok(Obj::Int(match op {
                O::Add => a.checked_add(b).ok_or_else(overflow)?,
                O::Sub => a.checked_sub(b).ok_or_else(overflow)?,
                O::Mult => a.checked_mul(b).ok_or_else(overflow)?,
                O::Div | O::FloorDiv => {
                    if b == 0 {
                        return Err(zero());
                    }
                    floor_div(a, b).ok_or_else(overflow)?
                }
                O::Mod => {
                    if b == 0 {
                        return Err(zero());
                    }
                    let m = a.checked_rem(b).ok_or_else(overflow)?;
                    if m != 0 && ((m < 0) != (b < 0)) {
                        m + b
                    } else {
                        m
                    }
                }
                O::Pow => {
                    if b < 0 {
                        return Ok(Obj::Float((a as f64).powf(b as f64)));
                    }
                    let e = u32::try_from(b).map_err(|_| overflow())?;
                    a.checked_pow(e).ok_or_else(overflow)?
                }
                O::BitAnd => a & b,
                O::BitOr => a | b,
                O::BitXor => a ^ b,
                O::LShift | O::RShift => {
                    let s = u32::try_from(b)
                        .ok()
                        .filter(|s| *s < 63)
                        .ok_or_else(overflow)?;
                    if matches!(op, O::LShift) {
                        a.checked_shl(s).ok_or_else(overflow)?
                    } else {
                        a >> s
                    }
                }
                O::MatMult => return Err(self.err(off, "@ is not supported")),
            }));
        }
        match (l.num(), r.num()) {
            (Some(a), Some(b)) if !matches!(l, Obj::Str(_)) => {
                let v = match op {
                    O::Add => a + b,
                    O::Sub => a - b,
                    O::Mult => a * b,
                    O::Div => {
                        if b == 0.0 {
                            return Err(self.err(off, "float division by zero"));
                        }
                        a / b
                    }
                    O::FloorDiv => {
                        if b == 0.0 {
                            return Err(self.err(off, "float division by zero"));
                        }
                        (a / b).floor()
                    }
                    O::Mod => {
                        if b == 0.0 {
                            return Err(self.err(off, "float modulo by zero"));
                        }
                        let m = a % b;
                        if m != 0.0 && ((m < 0.0) != (b < 0.0)) {
                            m + b
                        } else {
                            m
                        }
                    }
                    O::Pow => a.powf(b),
                    _ => return Err(self.err(off, "unsupported operator for floats")),
                };
                Ok(Obj::Float(v))
            }
            _ => Err(self.err(
                off,
                format!(
                    "unsupported operand types for {}: {} and {}",
                    op_symbol(op),
                    l.type_name(),
                    r.type_name()
                ),
            )),
        }
    }

    fn bounded_str(&self, s: String, off: usize) -> R<Obj> {
        if s.len() > MAX_LEN {
            return Err(self.err(off, "string too long"));
        }
        Ok(Obj::Str(s))
    }

    fn bounded_list(&self, v: Vec<Obj>, off: usize, tuple: bool) -> R<Obj> {
        if v.len() > MAX_LEN {
            return Err(self.err(off, "list too long"));
        }
        Ok(if tuple { Obj::Tuple(v) } else { Obj::List(v) })
    }

    fn unaryop(&mut self, op: &ast::UnaryOp, v: Obj, off: usize) -> R<Obj> {
        match (op, &v) {
            (ast::UnaryOp::Not, _) => Ok(Obj::Bool(!v.truthy())),
            (ast::UnaryOp::USub, Obj::Int(i)) => i
                .checked_neg()
                .map(Obj::Int)
                .ok_or_else(|| self.err(off, "integer overflow")),
            (ast::UnaryOp::USub, Obj::Float(f)) => Ok(Obj::Float(-f)),
            (ast::UnaryOp::UAdd, Obj::Int(_) | Obj::Float(_)) => Ok(v),
            (ast::UnaryOp::USub | ast::UnaryOp::UAdd, Obj::Comp(c))
                if crate::registry::registry()
                    .is_subclass(&c.borrow().class, "numbergen.NumberGenerator") =>
            {
                let f = if matches!(op, ast::UnaryOp::USub) {
                    "operator.neg"
                } else {
                    "operator.pos"
                };
                self.construct(
                    "numbergen.UnaryOperator",
                    vec![
                        ("operand".into(), v.clone()),
                        ("operator".into(), Obj::Func(f.into())),
                    ],
                    off,
                )
            }
            (ast::UnaryOp::Invert, Obj::Int(i)) => Ok(Obj::Int(!i)),
            _ => Err(self.err(
                off,
                format!("bad operand type for unary operator: {}", v.type_name()),
            )),
        }
    }

    fn compare(&self, op: &ast::CmpOp, l: &Obj, r: &Obj, off: usize) -> R<bool> {
        use ast::CmpOp as C;
        match op {
            C::Eq => Ok(py_eq(l, r)),
            C::NotEq => Ok(!py_eq(l, r)),
            C::Is => Ok(match (l, r) {
                (Obj::None, Obj::None) => true,
                (Obj::Bool(a), Obj::Bool(b)) => a == b,
                (Obj::Comp(a), Obj::Comp(b)) => std::rc::Rc::ptr_eq(a, b),
                _ => false,
            }),
            C::IsNot => Ok(!self.compare(&C::Is, l, r, off)?),
            C::In | C::NotIn => {
                let found = match r {
                    Obj::List(v) | Obj::Tuple(v) => v.iter().any(|x| py_eq(l, x)),
                    Obj::Dict(v) => matches!(l, Obj::Str(k) if v.iter().any(|(kk, _)| kk == k)),
                    Obj::Str(s) => match l {
                        Obj::Str(sub) => s.contains(sub.as_str()),
                        _ => return Err(self.err(off, "'in <string>' requires a string")),
                    },
                    other => {
                        return Err(self.err(
                            off,
                            format!("'in' is not supported for {}", other.type_name()),
                        ))
                    }
                };
                Ok(if matches!(op, C::In) { found } else { !found })
            }
            C::Lt | C::LtE | C::Gt | C::GtE => {
                let ord = match (l, r) {
                    (Obj::Str(a), Obj::Str(b)) => a.partial_cmp(b),
                    _ => match (l.num(), r.num()) {
                        (Some(a), Some(b)) => a.partial_cmp(&b),
                        _ => {
                            return Err(self.err(
                                off,
                                format!("cannot order {} and {}", l.type_name(), r.type_name()),
                            ))
                        }
                    },
                };
                let Some(ord) = ord else { return Ok(false) };
                Ok(match op {
                    C::Lt => ord.is_lt(),
                    C::LtE => ord.is_le(),
                    C::Gt => ord.is_gt(),
                    _ => ord.is_ge(),
                })
            }
        }
    }
}

fn floor_div(a: i64, b: i64) -> Option<i64> {
    let q = a.checked_div(b)?;
    if (a % b != 0) && ((a < 0) != (b < 0)) {
        q.checked_sub(1)
    } else {
        Some(q)
    }
}

fn op_symbol(op: &ast::Operator) -> &'static str {
    use ast::Operator as O;
    match op {
        O::Add => "+",
        O::Sub => "-",
        O::Mult => "*",
        O::Div => "/",
        O::FloorDiv => "//",
        O::Mod => "%",
        O::Pow => "**",
        _ => "operator",
    }
}

/// Python `==` on plain values (components compare by identity).
pub(crate) fn py_eq(a: &Obj, b: &Obj) -> bool {
    match (a, b) {
        (Obj::None, Obj::None) => true,
        (Obj::Str(x), Obj::Str(y)) => x == y,
        (Obj::List(x), Obj::List(y)) | (Obj::Tuple(x), Obj::Tuple(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| py_eq(p, q))
        }
        (Obj::Dict(x), Obj::Dict(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.iter().any(|(k2, v2)| k == k2 && py_eq(v, v2)))
        }
        (Obj::Comp(x), Obj::Comp(y)) => std::rc::Rc::ptr_eq(x, y),
        (Obj::Func(x), Obj::Func(y)) => x == y,
        (Obj::BBox(x), Obj::BBox(y)) => x == y,
        _ => match (a.num(), b.num()) {
            (Some(x), Some(y)) => x == y,
            _ => false,
        },
    }
}

/// Marks a dict key that stands for a tuple of strings (lissom.ty keys
/// its combined maps by `('or','od')`): dicts keep string keys, and a
/// tuple key is its strings joined after this mark.
const TUPLE_KEY: char = '\u{1}';

/// The stored form of a dict key: a string, or a tuple of strings.
pub(crate) fn dict_key(k: &Obj) -> Option<String> {
    match k {
        Obj::Str(s) => Some(s.clone()),
        Obj::Tuple(items) => {
            let mut out = String::new();
            for i in items {
                let Obj::Str(s) = i else { return None };
                out.push(TUPLE_KEY);
                out.push_str(s);
            }
            Some(out)
        }
        _ => None,
    }
}

/// The key value a stored key stands for (see [`dict_key`]).
pub(crate) fn key_obj(k: &str) -> Obj {
    match k.strip_prefix(TUPLE_KEY) {
        Some(rest) => Obj::Tuple(rest.split(TUPLE_KEY).map(|s| Obj::Str(s.into())).collect()),
        None if k.is_empty() => Obj::Str(String::new()),
        None => Obj::Str(k.to_string()),
    }
}

pub(crate) fn dict_set(items: &mut Vec<(String, Obj)>, k: String, v: Obj) {
    if let Some(slot) = items.iter_mut().find(|(kk, _)| *kk == k) {
        slot.1 = v;
    } else {
        items.push((k, v));
    }
}
