//! Compiles `__init__` and `__call__` of a user class into a
//! [`Kernel`]: checks the signature, resolves names (arguments, locals,
//! `self.` parameters, attributes `__init__` set, numpy functions), and
//! drops the statements whose values never reach a result, after
//! refusing instance state that would feed back into one.

use super::{family_text, ClassBody};
use crate::interp::{dotted_name, Interp, R};
use crate::obj::Obj;
use rustpython_parser::ast::{self, Ranged};
use std::collections::{BTreeMap, BTreeSet};
use topo_spec::userclass::{BinOp, CmpOp, Family, Func, KExpr, KStmt, Kernel, Reduction, UnOp};

/// Whether a value is a whole array or one number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    Scalar,
    Array,
}

/// A statement before dead-code removal, with what it reads.
struct Item {
    off: usize,
    kind: ItemKind,
    /// Local slots the statement reads.
    reads: BTreeSet<usize>,
    /// Instance state (`self.x` written in `__call__`) it reads, with where.
    state: Vec<(String, usize)>,
}

enum ItemKind {
    Local(usize, KExpr),
    InPlace(usize, Option<BinOp>, KExpr),
    Return(KExpr),
    /// A coordinate mapper's `return x, y`.
    ReturnPair(KExpr, KExpr),
    If(KExpr, Vec<Item>, Vec<Item>),
    /// `self.x = ...` in `__call__`: never an output, except in a pattern
    /// generator's `function`, where it is kept as [`KStmt::SetState`].
    StateWrite(String, Option<BinOp>, KExpr),
}

struct Compiler<'a, 'b> {
    it: &'a mut Interp,
    class: &'b str,
    family: Family,
    body: &'b ClassBody<'b>,
    args: Vec<String>,
    arg_shapes: Vec<Shape>,
    locals: BTreeMap<String, (usize, Shape)>,
    /// Attributes set in `__init__`, as expressions of the parameters.
    init_attrs: BTreeMap<String, KExpr>,
    /// Attributes written in `__call__`: instance state, with where.
    state: BTreeMap<String, usize>,
    in_init: bool,
    cur_reads: BTreeSet<usize>,
    cur_state: Vec<(String, usize)>,
}

/// Compiles the class's `__call__` (and `__init__`).
pub(crate) fn compile_class(
    it: &mut Interp,
    class: &str,
    family: Family,
    body: &ClassBody<'_>,
    call: &ast::StmtFunctionDef,
) -> R<Kernel> {
    let args = check_signature(it, class, family, call)?;
    let arg_shapes = match family {
        Family::LearningFn => vec![Shape::Array, Shape::Scalar, Shape::Array, Shape::Scalar],
        Family::TransferFn => vec![Shape::Array],
        Family::TimeFn => Vec::new(),
        Family::CoordinateMapperFn => vec![Shape::Scalar, Shape::Scalar],
        // `params` (imagen's ParamOverrides): only read as params['name']
        Family::PatternGenerator => vec![Shape::Scalar],
    };
    let mut c = Compiler {
        it,
        class,
        family,
        body,
        args,
        arg_shapes,
        locals: BTreeMap::new(),
        init_attrs: BTreeMap::new(),
        state: BTreeMap::new(),
        in_init: false,
        cur_reads: BTreeSet::new(),
        cur_state: Vec::new(),
    };
    if let Some(init) = body.init {
        c.compile_init(init)?;
    }
    collect_state(&call.body, &mut c.state);
    let mut defined = BTreeSet::new();
    let items = c.block(&call.body, &mut defined)?;
    if family == Family::PatternGenerator && !always_returns(&items) {
        let off = call.range().start().to_usize();
        return Err(c.it.err(
            off,
            format!("{class}.function must return the pattern on every path"),
        ));
    }
    if family == Family::TimeFn && !always_returns(&items) {
        let off = call.range().start().to_usize();
        return Err(c.it.err(
            off,
            format!(
                "{class}.__call__ must return a number on every path (a time function's value)"
            ),
        ));
    }
    if family == Family::CoordinateMapperFn && !always_returns(&items) {
        let off = call.range().start().to_usize();
        return Err(c.it.err(
            off,
            format!(
                "{class}.__call__ must return a pair x, y on every path (the mapped coordinates)"
            ),
        ));
    }
    let mut live = BTreeSet::new();
    let body = c.prune(items, &mut live)?;
    let locals = c.locals.len();
    Ok(Kernel { locals, body })
}

fn check_signature(
    it: &Interp,
    class: &str,
    family: Family,
    f: &ast::StmtFunctionDef,
) -> R<Vec<String>> {
    let off = f.range().start().to_usize();
    let a = &f.args;
    let expected = family.call_args();
    let want = || {
        let mut names = vec!["self"];
        names.extend(expected.iter().copied());
        names.join(", ")
    };
    let caller = match family {
        Family::LearningFn => "CFPLF_Plugin calls it for every connection field with",
        Family::TransferFn => "a sheet calls it with its activity:",
        Family::TimeFn => "a dynamic parameter calls it with no arguments:",
        Family::CoordinateMapperFn => {
            "CFProjection calls it for every unit with its sheet coordinates,"
        }
        Family::PatternGenerator => {
            "imagen's PatternGenerator.__call__ calls it with its ParamOverrides:"
        }
    };
    let method = super::method_name(family);
    let names: Vec<String> = a
        .posonlyargs
        .iter()
        .chain(a.args.iter())
        .map(|x| x.def.arg.to_string())
        .collect();
    let ok = a.vararg.is_none()
        && a.kwarg.is_none()
        && a.kwonlyargs.is_empty()
        && names.len() == expected.len() + 1
        && names.first().map(|s| s == "self").unwrap_or(false);
    if !ok {
        return Err(it.err(
            off,
            format!(
                "wrong signature for {class}.{method}({}): a {} has {method}({}) ({caller} {} argument{})",
                names.join(", "),
                family_text(family),
                want(),
                expected.len(),
                if expected.len() == 1 { "" } else { "s" }
            ),
        ));
    }
    if !f.decorator_list.is_empty() {
        return Err(it.err(
            off,
            format!("{class}.{method}: decorators are not supported"),
        ));
    }
    Ok(names[1..].to_vec())
}

/// Every `self.x` assigned in `__call__` (at any depth).
fn collect_state(body: &[ast::Stmt], out: &mut BTreeMap<String, usize>) {
    for s in body {
        let targets: Vec<&ast::Expr> = match s {
            ast::Stmt::Assign(a) => a.targets.iter().collect(),
            ast::Stmt::AugAssign(a) => vec![&*a.target],
            ast::Stmt::If(i) => {
                collect_state(&i.body, out);
                collect_state(&i.orelse, out);
                Vec::new()
            }
            _ => Vec::new(),
        };
        for t in targets {
            if let ast::Expr::Attribute(at) = t {
                if matches!(&*at.value, ast::Expr::Name(n) if n.id.as_str() == "self") {
                    out.entry(at.attr.to_string())
                        .or_insert(t.range().start().to_usize());
                }
            }
        }
    }
}

fn always_returns(items: &[Item]) -> bool {
    items.iter().any(|i| match &i.kind {
        ItemKind::Return(_) | ItemKind::ReturnPair(..) => true,
        ItemKind::If(_, a, b) => always_returns(a) && always_returns(b),
        _ => false,
    })
}

/// Python's name for a statement, for messages.
pub(crate) fn stmt_name(s: &ast::Stmt) -> &'static str {
    match s {
        ast::Stmt::For(_) | ast::Stmt::AsyncFor(_) => "a for loop",
        ast::Stmt::While(_) => "a while loop",
        ast::Stmt::With(_) | ast::Stmt::AsyncWith(_) => "a with statement",
        ast::Stmt::Try(_) | ast::Stmt::TryStar(_) => "try/except",
        ast::Stmt::Raise(_) => "raise",
        ast::Stmt::Import(_) | ast::Stmt::ImportFrom(_) => "an import",
        ast::Stmt::FunctionDef(_) | ast::Stmt::AsyncFunctionDef(_) => "a nested function",
        ast::Stmt::ClassDef(_) => "a nested class",
        ast::Stmt::Delete(_) => "del",
        ast::Stmt::Global(_) | ast::Stmt::Nonlocal(_) => "a global/nonlocal declaration",
        ast::Stmt::Assert(_) => "assert",
        ast::Stmt::AnnAssign(_) => "an annotated assignment",
        ast::Stmt::Break(_) | ast::Stmt::Continue(_) => "break/continue",
        ast::Stmt::Match(_) => "match",
        _ => "this statement",
    }
}

fn expr_name(e: &ast::Expr) -> &'static str {
    match e {
        ast::Expr::Lambda(_) => "lambda",
        ast::Expr::ListComp(_)
        | ast::Expr::SetComp(_)
        | ast::Expr::DictComp(_)
        | ast::Expr::GeneratorExp(_) => "a comprehension",
        ast::Expr::List(_) => "a list",
        ast::Expr::Tuple(_) => "a tuple",
        ast::Expr::Dict(_) => "a dict",
        ast::Expr::Set(_) => "a set",
        ast::Expr::Subscript(_) => "indexing or slicing",
        ast::Expr::BoolOp(_) => "and/or",
        ast::Expr::Starred(_) => "*args",
        ast::Expr::JoinedStr(_) | ast::Expr::FormattedValue(_) => "a formatted string",
        ast::Expr::Await(_) | ast::Expr::Yield(_) | ast::Expr::YieldFrom(_) => "yield/await",
        ast::Expr::NamedExpr(_) => "an assignment expression",
        _ => "this expression",
    }
}

fn bin_op(op: &ast::Operator) -> Option<BinOp> {
    Some(match op {
        ast::Operator::Add => BinOp::Add,
        ast::Operator::Sub => BinOp::Sub,
        ast::Operator::Mult => BinOp::Mul,
        ast::Operator::Div => BinOp::Div,
        ast::Operator::Pow => BinOp::Pow,
        _ => return None,
    })
}

fn op_text(op: &ast::Operator) -> &'static str {
    match op {
        ast::Operator::FloorDiv => "//",
        ast::Operator::Mod => "%",
        ast::Operator::MatMult => "@",
        ast::Operator::LShift => "<<",
        ast::Operator::RShift => ">>",
        ast::Operator::BitOr => "|",
        ast::Operator::BitXor => "^",
        ast::Operator::BitAnd => "&",
        _ => "this operator",
    }
}

/// A numpy / math / built-in function by its full name.
enum Callee {
    Func(Func),
    Reduce(Reduction),
}

fn callee(full: &str) -> Option<Callee> {
    let short = full
        .strip_prefix("numpy.")
        .or_else(|| full.strip_prefix("math."))
        .unwrap_or(full);
    let builtin = !full.contains('.');
    // imagen's pattern functions (topo.misc.patternfn is imagen.patternfn)
    if full == "imagen.patternfn.line" || full == "topo.misc.patternfn.line" {
        return Some(Callee::Func(Func::Line));
    }
    Some(match short {
        "abs" | "absolute" | "fabs" => Callee::Func(Func::Abs),
        "exp" => Callee::Func(Func::Exp),
        "log" => Callee::Func(Func::Log),
        "sqrt" => Callee::Func(Func::Sqrt),
        "sin" => Callee::Func(Func::Sin),
        "cos" => Callee::Func(Func::Cos),
        "tanh" => Callee::Func(Func::Tanh),
        "floor" => Callee::Func(Func::Floor),
        "ceil" => Callee::Func(Func::Ceil),
        "sign" => Callee::Func(Func::Sign),
        "maximum" => Callee::Func(Func::Maximum),
        "minimum" => Callee::Func(Func::Minimum),
        "where" => Callee::Func(Func::Where),
        "clip" => Callee::Func(Func::Clip),
        "float" if builtin => Callee::Func(Func::Float),
        "fmod" if full == "math.fmod" => Callee::Func(Func::Fmod),
        "radians" if full == "math.radians" => Callee::Func(Func::Radians),
        // Python 2's round(x) (numpy.round rounds halves to even)
        "round" if builtin => Callee::Func(Func::Round),
        // Python's max(a, b) / min(a, b) of two numbers
        "max" if builtin => Callee::Func(Func::Maximum),
        "min" if builtin => Callee::Func(Func::Minimum),
        "sum" if !builtin => Callee::Reduce(Reduction::Sum),
        "max" | "amax" => Callee::Reduce(Reduction::Max),
        "min" | "amin" => Callee::Reduce(Reduction::Min),
        "mean" => Callee::Reduce(Reduction::Mean),
        _ => return None,
    })
}

impl Compiler<'_, '_> {
    fn err(&self, off: usize, msg: impl Into<String>) -> crate::error::LangError {
        self.it.err(off, msg)
    }

    fn compile_init(&mut self, f: &ast::StmtFunctionDef) -> R<()> {
        let off = f.range().start().to_usize();
        let a = &f.args;
        if a.args.len() != 1 || a.vararg.is_some() || !a.kwonlyargs.is_empty() {
            return Err(self.err(
                off,
                format!("{}.__init__ must be __init__(self, **params)", self.class),
            ));
        }
        self.in_init = true;
        for s in &f.body {
            let soff = s.range().start().to_usize();
            match s {
                ast::Stmt::Expr(e) if super::is_docstring(&e.value) => {}
                ast::Stmt::Pass(_) => {}
                ast::Stmt::Expr(e) if is_super_init(&e.value) => {}
                ast::Stmt::Assign(asg) => {
                    let [ast::Expr::Attribute(t)] = asg.targets.as_slice() else {
                        return Err(self.err(
                            soff,
                            format!(
                                "{}.__init__ may only set attributes (self.x = ...)",
                                self.class
                            ),
                        ));
                    };
                    if !matches!(&*t.value, ast::Expr::Name(n) if n.id.as_str() == "self") {
                        return Err(self.err(
                            soff,
                            format!("{}.__init__ may only set attributes of self", self.class),
                        ));
                    }
                    let (v, shape) = self.expr(&asg.value)?;
                    if shape != Shape::Scalar {
                        return Err(self.err(soff, "an attribute set in __init__ must be a number"));
                    }
                    self.init_attrs.insert(t.attr.to_string(), v);
                }
                other => {
                    return Err(self.err(soff, format!("{}.__init__: {} is not supported; __init__ may only call super().__init__(**params) and set attributes", self.class, stmt_name(other))));
                }
            }
        }
        self.in_init = false;
        Ok(())
    }

    fn block(&mut self, body: &[ast::Stmt], defined: &mut BTreeSet<usize>) -> R<Vec<Item>> {
        let mut out = Vec::new();
        for s in body {
            if let Some(item) = self.stmt(s, defined)? {
                out.push(item);
            }
        }
        Ok(out)
    }

    fn item(&mut self, off: usize, kind: ItemKind) -> Item {
        Item {
            off,
            kind,
            reads: std::mem::take(&mut self.cur_reads),
            state: std::mem::take(&mut self.cur_state),
        }
    }

    fn stmt(&mut self, s: &ast::Stmt, defined: &mut BTreeSet<usize>) -> R<Option<Item>> {
        let off = s.range().start().to_usize();
        self.cur_reads.clear();
        self.cur_state.clear();
        self.it.step(off)?;
        let class = self.class.to_string();
        match s {
            ast::Stmt::Expr(e) if super::is_docstring(&e.value) => Ok(None),
            ast::Stmt::Pass(_) => Ok(None),
            ast::Stmt::Assign(a) => {
                let [target] = a.targets.as_slice() else {
                    return Err(self.err(off, "chained assignment (a = b = ...) is not supported in __call__"));
                };
                let (v, shape) = self.expr_checked(&a.value, defined)?;
                self.assign(target, None, v, shape, off, defined)
            }
            ast::Stmt::AugAssign(a) => {
                let op = bin_op(&a.op).ok_or_else(|| self.err(off, format!("operator {}= is not supported in __call__", op_text(&a.op))))?;
                let (v, shape) = self.expr_checked(&a.value, defined)?;
                self.assign(&a.target, Some(op), v, shape, off, defined)
            }
            ast::Stmt::If(i) => {
                let (test, shape) = self.expr_checked(&i.test, defined)?;
                if shape == Shape::Array {
                    return Err(self.err(i.test.range().start().to_usize(), "the truth value of an array is ambiguous (numpy); use numpy.where(condition, a, b) for element-wise choices"));
                }
                let reads = std::mem::take(&mut self.cur_reads);
                let state = std::mem::take(&mut self.cur_state);
                let mut d1 = defined.clone();
                let body = self.block(&i.body, &mut d1)?;
                let mut d2 = defined.clone();
                let orelse = self.block(&i.orelse, &mut d2)?;
                defined.extend(d1.intersection(&d2).copied());
                Ok(Some(Item {
                    off,
                    kind: ItemKind::If(test, body, orelse),
                    reads,
                    state,
                }))
            }
            ast::Stmt::Return(r) => {
                let Some(value) = &r.value else {
                    return match self.family {
                        Family::TimeFn => Err(self.err(off, format!("{class}.__call__ must return a number"))),
                        Family::CoordinateMapperFn => Err(self.err(off, format!("{class}.__call__ must return a pair x, y"))),
                        _ => Ok(None),
                    };
                };
                if self.family == Family::CoordinateMapperFn {
                    let ast::Expr::Tuple(t) = &**value else {
                        return Err(self.err(off, format!("{class}.__call__ must return a pair x, y (the mapped coordinates)")));
                    };
                    let [a, b] = t.elts.as_slice() else {
                        return Err(self.err(off, format!("{class}.__call__ returns {} values; a coordinate mapper returns two (x, y)", t.elts.len())));
                    };
                    let (x, xs) = self.expr_checked(a, defined)?;
                    let (y, ys) = self.expr_checked(b, defined)?;
                    if xs != Shape::Scalar || ys != Shape::Scalar {
                        return Err(self.err(off, "a coordinate mapper must return two numbers"));
                    }
                    return Ok(Some(self.item(off, ItemKind::ReturnPair(x, y))));
                }
                if self.family == Family::PatternGenerator {
                    let (v, _) = self.expr_checked(value, defined)?;
                    return Ok(Some(self.item(off, ItemKind::Return(v))));
                }
                if self.family != Family::TimeFn {
                    return Err(self.err(off, format!("{class}.__call__ returns a value, but a {} works in place on the arrays it is passed (its return value is ignored)", family_text(self.family))));
                }
                let (v, shape) = self.expr_checked(value, defined)?;
                if shape != Shape::Scalar {
                    return Err(self.err(off, "a time function must return a number"));
                }
                Ok(Some(self.item(off, ItemKind::Return(v))))
            }
            other => Err(self.err(off, format!("{} is not supported in {class}.__call__ (user components are array expressions: assignments, in-place operations, if/else and return)", stmt_name(other)))),
        }
    }

    fn assign(
        &mut self,
        target: &ast::Expr,
        op: Option<BinOp>,
        v: KExpr,
        shape: Shape,
        off: usize,
        defined: &mut BTreeSet<usize>,
    ) -> R<Option<Item>> {
        let toff = target.range().start().to_usize();
        match target {
            ast::Expr::Name(n) => {
                let name = n.id.as_str();
                if let Some(i) = self.args.iter().position(|a| a == name) {
                    if op.is_none() || self.arg_shapes[i] == Shape::Scalar {
                        return Err(self.err(toff, format!("assigning to argument '{name}' only rebinds the name in Python and does not change what the caller passed; modify an array in place (e.g. '{name} *= ...' or '{name}[:] = ...')")));
                    }
                    self.check_writable(i, toff)?;
                    return Ok(Some(self.item(off, ItemKind::InPlace(i, op, v))));
                }
                if let KExpr::Arg(i) = v {
                    if self.arg_shapes[i] == Shape::Array {
                        return Err(self.err(off, format!("'{name} = {}' makes a second name for a passed array; use the argument's name directly", self.args[i])));
                    }
                }
                let value = match op {
                    None => v,
                    Some(op) => {
                        let (slot, _) = self.local_slot(name, toff, defined)?;
                        self.cur_reads.insert(slot);
                        KExpr::Binary(op, Box::new(KExpr::Local(slot)), Box::new(v))
                    }
                };
                if self.family == Family::PatternGenerator && shape != Shape::Scalar {
                    return Err(self.err(off, format!("local '{name}' would hold an array: in a user PatternGenerator the pattern coordinates (self.pattern_x, self.pattern_y) may only be used in the returned expression")));
                }
                let prev_shape = self.locals.get(name).map(|(_, s)| *s);
                let shape = if op.is_some() {
                    prev_shape.unwrap_or(shape).max_shape(shape)
                } else {
                    shape
                };
                let slot = match self.locals.get(name) {
                    Some((s, _)) => *s,
                    None => self.locals.len(),
                };
                self.locals.insert(name.to_string(), (slot, shape));
                defined.insert(slot);
                Ok(Some(self.item(off, ItemKind::Local(slot, value))))
            }
            ast::Expr::Attribute(a) if matches!(&*a.value, ast::Expr::Name(n) if n.id.as_str() == "self") =>
            {
                if self.family == Family::PatternGenerator && shape != Shape::Scalar {
                    return Err(self.err(off, format!("self.{} would hold an array: a user PatternGenerator's state is numbers (arrays only in the returned expression)", a.attr)));
                }
                Ok(Some(self.item(
                    off,
                    ItemKind::StateWrite(a.attr.to_string(), op, v),
                )))
            }
            ast::Expr::Subscript(sub) => {
                let ast::Expr::Name(n) = &*sub.value else {
                    return Err(self.err(
                        toff,
                        "only whole passed arrays can be assigned ('weights[:] = ...')",
                    ));
                };
                let Some(i) = self.args.iter().position(|a| a == n.id.as_str()) else {
                    return Err(self.err(
                        toff,
                        "only whole passed arrays can be assigned ('weights[:] = ...')",
                    ));
                };
                if !is_whole_slice(&sub.slice) || self.arg_shapes[i] != Shape::Array {
                    return Err(self.err(toff, "indexing arrays is not supported: a user component works on whole arrays ('weights[:] = ...')"));
                }
                self.check_writable(i, toff)?;
                Ok(Some(self.item(off, ItemKind::InPlace(i, op, v))))
            }
            other => Err(self.err(
                toff,
                format!(
                    "assignment to {} is not supported in __call__",
                    expr_name(other)
                ),
            )),
        }
    }

    /// A LearningFn's `input_activity` is a view of the input every unit
    /// reads: changing it in place would make a unit's result depend on
    /// which units ran before it.
    fn check_writable(&self, arg: usize, off: usize) -> R<()> {
        if self.family == Family::LearningFn && arg != 2 {
            return Err(self.err(off, format!("'{}' is the projection's input, shared by every unit: modifying it in place would make the results depend on the order units are updated (in parallel on several ranks and threads); only the weights may be modified", self.args[arg])));
        }
        Ok(())
    }

    fn local_slot(&self, name: &str, off: usize, defined: &BTreeSet<usize>) -> R<(usize, Shape)> {
        match self.locals.get(name) {
            Some(&(slot, shape)) if defined.contains(&slot) => Ok((slot, shape)),
            _ => Err(self.err(
                off,
                format!("local variable '{name}' is used before it is assigned"),
            )),
        }
    }

    /// An expression of `__call__`, with local definedness checked.
    fn expr_checked(&mut self, e: &ast::Expr, defined: &BTreeSet<usize>) -> R<(KExpr, Shape)> {
        let saved = std::mem::take(&mut self.cur_reads);
        let r = self.expr(e)?;
        for &slot in &self.cur_reads {
            if !defined.contains(&slot) {
                let name = self
                    .locals
                    .iter()
                    .find(|(_, (s, _))| *s == slot)
                    .map(|(n, _)| n.clone())
                    .unwrap_or_default();
                return Err(self.err(
                    e.range().start().to_usize(),
                    format!("local variable '{name}' is used before it is assigned"),
                ));
            }
        }
        self.cur_reads.extend(saved);
        Ok(r)
    }

    fn expr(&mut self, e: &ast::Expr) -> R<(KExpr, Shape)> {
        let off = e.range().start().to_usize();
        use Shape::*;
        match e {
            ast::Expr::Constant(c) => match &c.value {
                ast::Constant::Int(i) => {
                    let v: f64 = i.to_string().parse().map_err(|_| self.err(off, "integer literal too large"))?;
                    Ok((KExpr::Num(v), Scalar))
                }
                ast::Constant::Float(f) => Ok((KExpr::Num(*f), Scalar)),
                ast::Constant::Bool(b) => Ok((KExpr::Num(f64::from(u8::from(*b))), Scalar)),
                _ => Err(self.err(off, "only numeric constants are supported in a user component")),
            },
            ast::Expr::Subscript(sub) if self.is_params(&sub.value) => {
                let key = match &*sub.slice {
                    ast::Expr::Constant(c) => match &c.value {
                        ast::Constant::Str(k) => k.clone(),
                        _ => return Err(self.err(off, "params[...] takes a parameter name")),
                    },
                    _ => return Err(self.err(off, "params[...] takes a parameter name (a string)")),
                };
                self.pattern_param(&key, off)
            }
            ast::Expr::Attribute(a) if self.is_params(&a.value) => {
                self.pattern_param(a.attr.as_str(), off)
            }
            ast::Expr::Name(n) => self.name(n.id.as_str(), off),
            ast::Expr::Attribute(a) => self.attribute(a, off),
            ast::Expr::UnaryOp(u) => {
                let (x, s) = self.expr(&u.operand)?;
                let op = match u.op {
                    ast::UnaryOp::USub => UnOp::Neg,
                    ast::UnaryOp::UAdd => UnOp::Pos,
                    ast::UnaryOp::Not => {
                        if s == Array {
                            return Err(self.err(off, "'not' of an array is ambiguous (numpy); use numpy.where"));
                        }
                        UnOp::Not
                    }
                    ast::UnaryOp::Invert => return Err(self.err(off, "operator ~ is not supported in a user component")),
                };
                Ok((KExpr::Unary(op, Box::new(x)), s))
            }
            ast::Expr::BinOp(b) => {
                let op = bin_op(&b.op).ok_or_else(|| self.err(off, format!("operator {} is not supported in a user component", op_text(&b.op))))?;
                let (l, ls) = self.expr(&b.left)?;
                let (r, rs) = self.expr(&b.right)?;
                Ok((KExpr::Binary(op, Box::new(l), Box::new(r)), ls.max_shape(rs)))
            }
            ast::Expr::Compare(c) => {
                if c.ops.len() != 1 {
                    return Err(self.err(off, "chained comparisons (a < b < c) are not supported in a user component"));
                }
                let op = match c.ops[0] {
                    ast::CmpOp::Lt => CmpOp::Lt,
                    ast::CmpOp::LtE => CmpOp::Le,
                    ast::CmpOp::Gt => CmpOp::Gt,
                    ast::CmpOp::GtE => CmpOp::Ge,
                    ast::CmpOp::Eq => CmpOp::Eq,
                    ast::CmpOp::NotEq => CmpOp::Ne,
                    _ => return Err(self.err(off, "only <, <=, >, >=, ==, != comparisons are supported in a user component")),
                };
                let (l, ls) = self.expr(&c.left)?;
                let (r, rs) = self.expr(&c.comparators[0])?;
                Ok((KExpr::Compare(op, Box::new(l), Box::new(r)), ls.max_shape(rs)))
            }
            ast::Expr::IfExp(i) => {
                let (t, ts) = self.expr(&i.test)?;
                if ts == Array {
                    return Err(self.err(off, "the truth value of an array is ambiguous (numpy); use numpy.where(condition, a, b)"));
                }
                let (a, a_s) = self.expr(&i.body)?;
                let (b, b_s) = self.expr(&i.orelse)?;
                Ok((KExpr::IfExp(Box::new(t), Box::new(a), Box::new(b)), a_s.max_shape(b_s)))
            }
            ast::Expr::Call(c) => self.call(c, off),
            ast::Expr::BoolOp(b) => {
                // Python's `a and b` is `b if a else a`, `a or b` is
                // `a if a else b` (short-circuit, the operand's value);
                // the operands are pure, so reading one twice is the same
                let mut acc: Option<KExpr> = None;
                for v in &b.values {
                    let (x, xs) = self.expr(v)?;
                    if xs == Array {
                        return Err(self.err(off, "and/or of an array is ambiguous (numpy); use numpy.where or & and |"));
                    }
                    acc = Some(match acc {
                        None => x,
                        Some(a) => match b.op {
                            ast::BoolOp::And => KExpr::IfExp(Box::new(a.clone()), Box::new(x), Box::new(a)),
                            ast::BoolOp::Or => KExpr::IfExp(Box::new(a.clone()), Box::new(a), Box::new(x)),
                        },
                    });
                }
                acc.map(|a| (a, Scalar)).ok_or_else(|| self.err(off, "empty and/or"))
            }
            other => Err(self.err(off, format!("{} is not supported in a user component (supported: arithmetic, comparisons, numpy element-wise functions, where, clip and reductions)", expr_name(other)))),
        }
    }

    /// Whether an expression is a pattern generator's `params` argument.
    fn is_params(&self, e: &ast::Expr) -> bool {
        self.family == Family::PatternGenerator
            && !self.in_init
            && matches!(e, ast::Expr::Name(n) if self.args.first().is_some_and(|a| a == n.id.as_str()))
    }

    /// `params['name']`: a parameter of the call (imagen's ParamOverrides).
    fn pattern_param(&mut self, key: &str, off: usize) -> R<(KExpr, Shape)> {
        let own = self.body.decls.iter().any(|(n, _)| n == key);
        let base = crate::registry::registry()
            .param("imagen.PatternGenerator", key)
            .is_some();
        if !own && !base {
            return Err(self.err(off, format!("{} has no parameter '{key}'", self.class)));
        }
        Ok((KExpr::Param(key.to_string()), Shape::Scalar))
    }

    fn name(&mut self, name: &str, off: usize) -> R<(KExpr, Shape)> {
        if !self.in_init {
            if self.family == Family::PatternGenerator
                && self.args.first().is_some_and(|a| a == name)
            {
                return Err(self.err(off, format!("'{name}' (imagen's ParamOverrides) can only be read as {name}['parameter'] in a user PatternGenerator")));
            }
            if let Some(i) = self.args.iter().position(|a| a == name) {
                return Ok((KExpr::Arg(i), self.arg_shapes[i]));
            }
            if let Some(&(slot, shape)) = self.locals.get(name) {
                self.cur_reads.insert(slot);
                return Ok((KExpr::Local(slot), shape));
            }
        }
        if name == "self" {
            return Err(self.err(
                off,
                "'self' can only be used as self.<parameter> in a user component",
            ));
        }
        match self.it.lookup(name, off) {
            Ok(v) => match v.num() {
                Some(x) => Ok((KExpr::Num(x), Shape::Scalar)),
                None => Err(self.err(off, format!("'{name}' is a {}; a user component can use numbers, its arguments, locals and self.<parameter>", v.type_name()))),
            },
            Err(_) => Err(self.err(off, format!("name '{name}' is not defined"))),
        }
    }

    fn attribute(&mut self, a: &ast::ExprAttribute, off: usize) -> R<(KExpr, Shape)> {
        let attr = a.attr.as_str();
        if matches!(&*a.value, ast::Expr::Name(n) if n.id.as_str() == "self") {
            if self.family == Family::PatternGenerator && !self.in_init {
                match attr {
                    "pattern_x" => return Ok((KExpr::Arg(1), Shape::Array)),
                    "pattern_y" => return Ok((KExpr::Arg(2), Shape::Array)),
                    _ => {}
                }
                // state (written by function on this or an earlier call),
                // a class attribute or a parameter: resolved per call
                let known = self.state.contains_key(attr)
                    || self.body.consts.contains_key(attr)
                    || self.body.decls.iter().any(|(n, _)| n == attr)
                    || crate::registry::registry()
                        .param("imagen.PatternGenerator", attr)
                        .is_some();
                if known {
                    return Ok((KExpr::Param(format!("self.{attr}")), Shape::Scalar));
                }
            }
            if let Some(&woff) = self.state.get(attr) {
                if !self.in_init {
                    let _ = woff; // where it is written: named by `prune`
                    self.cur_state.push((attr.to_string(), off));
                    return Ok((KExpr::Param(format!("self.{attr}")), Shape::Scalar));
                }
            }
            if let Some(v) = self.init_attrs.get(attr) {
                return Ok((v.clone(), Shape::Scalar));
            }
            if self.body.decls.iter().any(|(n, _)| n == attr) {
                return Ok((KExpr::Param(attr.to_string()), Shape::Scalar));
            }
            if let Some(x) = self.body.consts.get(attr) {
                return Ok((KExpr::Num(*x), Shape::Scalar));
            }
            return Err(self.err(
                off,
                format!("{} has no parameter or attribute '{attr}'", self.class),
            ));
        }
        if let Some(path) = dotted_name(&ast::Expr::Attribute(a.clone())) {
            let mut parts = path.splitn(2, '.');
            let first = parts.next().unwrap_or("");
            let rest = parts.next().unwrap_or("");
            if let Ok(Obj::Module(m)) = self.it.lookup(first, off) {
                let full = format!("{m}.{rest}");
                let v = match full.as_str() {
                    "numpy.pi" | "math.pi" => Some(std::f64::consts::PI),
                    "numpy.e" | "math.e" => Some(std::f64::consts::E),
                    _ => None,
                };
                if let Some(v) = v {
                    return Ok((KExpr::Num(v), Shape::Scalar));
                }
            }
        }
        Err(self.err(off, format!("attribute '{attr}' is not supported in a user component (use self.<parameter>, numbers and numpy functions)")))
    }

    fn call(&mut self, c: &ast::ExprCall, off: usize) -> R<(KExpr, Shape)> {
        if !c.keywords.is_empty() {
            return Err(self.err(off, "keyword arguments (axis=, out=, dtype=...) are not supported in a user component's calls"));
        }
        let func = &*c.func;
        // self.time_fn() and topo.sim.time()
        if let Some(path) = dotted_name(func) {
            if path == "self.time_fn" || path.ends_with("sim.time") {
                if path == "self.time_fn" && !self.body.has_time_fn {
                    return Err(self.err(
                        off,
                        format!(
                            "{} calls self.time_fn() but does not set time_fn = topo.sim.time",
                            self.class
                        ),
                    ));
                }
                if !c.args.is_empty() {
                    return Err(self.err(off, "time_fn() takes no arguments"));
                }
                return Ok((KExpr::Time, Shape::Scalar));
            }
            if path.starts_with("super") || path.starts_with("self.") {
                return Err(self.err(
                    off,
                    format!("calling '{path}' is not supported in a user component's __call__"),
                ));
            }
        }
        // method of an array value: x.sum(), x.clip(lo, hi)
        if let ast::Expr::Attribute(a) = func {
            let root_is_value = match &*a.value {
                ast::Expr::Name(n) => {
                    let n = n.id.as_str();
                    self.args.iter().any(|x| x == n) || self.locals.contains_key(n)
                }
                ast::Expr::Call(_) | ast::Expr::BinOp(_) => true,
                _ => false,
            };
            if root_is_value {
                let method = a.attr.as_str();
                let (recv, _) = self.expr(&a.value)?;
                let mut args = vec![recv];
                for x in &c.args {
                    args.push(self.expr(x)?.0);
                }
                return match (method, args.len()) {
                    ("sum", 1) => Ok((KExpr::Reduce(Reduction::Sum, Box::new(args.remove(0))), Shape::Scalar)),
                    ("max", 1) => Ok((KExpr::Reduce(Reduction::Max, Box::new(args.remove(0))), Shape::Scalar)),
                    ("min", 1) => Ok((KExpr::Reduce(Reduction::Min, Box::new(args.remove(0))), Shape::Scalar)),
                    ("mean", 1) => Ok((KExpr::Reduce(Reduction::Mean, Box::new(args.remove(0))), Shape::Scalar)),
                    ("clip", 3) => Ok((KExpr::Call(Func::Clip, args), Shape::Array)),
                    _ => Err(self.err(off, format!("array method '{method}' with {} argument(s) is not supported in a user component (supported: sum(), max(), min(), mean(), clip(lo, hi))", args.len() - 1))),
                };
            }
        }
        let full = self.callee_name(func, off)?;
        let kind = callee(&full).ok_or_else(|| self.err(off, format!("function '{full}' is not supported in a user component (supported: numpy element-wise functions, where, clip, maximum, minimum, sum, max, min, mean)")))?;
        let mut args = Vec::new();
        let mut shape = Shape::Scalar;
        for x in &c.args {
            if let ast::Expr::Starred(_) = x {
                return Err(self.err(off, "*args is not supported in a user component"));
            }
            let (v, s) = self.expr(x)?;
            shape = shape.max_shape(s);
            args.push(v);
        }
        match kind {
            Callee::Func(f) => {
                if args.len() != f.arity() {
                    return Err(self.err(
                        off,
                        format!(
                            "{full} takes {} argument(s) here, got {}",
                            f.arity(),
                            args.len()
                        ),
                    ));
                }
                if f == Func::Float && shape == Shape::Array {
                    return Err(self.err(off, "float() of an array is not supported"));
                }
                if matches!(f, Func::Fmod | Func::Round) && shape == Shape::Array {
                    return Err(self.err(
                        off,
                        format!("{full}() of an array is not supported (it takes numbers)"),
                    ));
                }
                if f == Func::Float {
                    return Ok((args.remove(0), Shape::Scalar));
                }
                Ok((KExpr::Call(f, args), shape))
            }
            Callee::Reduce(r) => {
                if args.len() != 1 {
                    return Err(self.err(
                        off,
                        format!(
                            "{full} takes one array here (no axis), got {} arguments",
                            args.len()
                        ),
                    ));
                }
                Ok((KExpr::Reduce(r, Box::new(args.remove(0))), Shape::Scalar))
            }
        }
    }

    fn callee_name(&self, func: &ast::Expr, off: usize) -> R<String> {
        let path = dotted_name(func).ok_or_else(|| {
            self.err(
                off,
                "only named functions can be called in a user component",
            )
        })?;
        let mut parts = path.splitn(2, '.');
        let first = parts.next().unwrap_or("");
        let rest = parts.next();
        Ok(match (self.it.lookup(first, off), rest) {
            (Ok(Obj::Module(m)), Some(r)) => format!("{m}.{r}"),
            (Ok(Obj::Builtin(b)), None) | (Ok(Obj::Func(b)), None) => b,
            (Err(_), None) if matches!(first, "abs" | "float" | "min" | "max" | "round") => {
                first.to_string()
            }
            _ => path,
        })
    }

    /// Backward liveness: keeps the statements whose values reach an
    /// in-place update of a passed array or the returned value, and
    /// refuses instance state read by any of them.
    fn prune(&self, items: Vec<Item>, live: &mut BTreeSet<usize>) -> R<Vec<KStmt>> {
        let mut out = Vec::new();
        for item in items.into_iter().rev() {
            let keep = match item.kind {
                ItemKind::StateWrite(name, op, value) => {
                    if self.family == Family::PatternGenerator {
                        Some(KStmt::SetState { name, op, value })
                    } else {
                        None
                    }
                }
                ItemKind::Local(slot, v) => {
                    if live.remove(&slot) {
                        Some(KStmt::Local { slot, value: v })
                    } else {
                        None
                    }
                }
                ItemKind::InPlace(arg, op, v) => Some(KStmt::InPlace { arg, op, value: v }),
                ItemKind::Return(v) => Some(KStmt::Return(v)),
                ItemKind::ReturnPair(x, y) => Some(KStmt::ReturnPair(x, y)),
                ItemKind::If(test, body, orelse) => {
                    let mut l1 = live.clone();
                    let b = self.prune(body, &mut l1)?;
                    let mut l2 = live.clone();
                    let o = self.prune(orelse, &mut l2)?;
                    if b.is_empty() && o.is_empty() {
                        None
                    } else {
                        live.extend(l1);
                        live.extend(l2);
                        Some(KStmt::If {
                            test,
                            body: b,
                            orelse: o,
                        })
                    }
                }
            };
            if let Some(k) = keep {
                // a pattern generator's state is kept and read in sequence
                // (once per presentation), so it may feed results
                let refuse = self.family != Family::PatternGenerator;
                if let Some((attr, roff)) = item.state.first().filter(|_| refuse) {
                    let woff = self.state.get(attr).copied().unwrap_or(item.off);
                    let (wline, _) = self.it.src.lines.locate(woff);
                    return Err(self.err(
                        *roff,
                        format!(
                            "self.{attr} is instance state (written in __call__ at line {wline}) and feeds into a result here: units are updated in parallel on several ranks and threads, so its value would depend on the update order; results must not depend on state written in __call__ (use a parameter or a local variable)"
                        ),
                    ));
                }
                live.extend(item.reads.iter().copied());
                out.push(k);
            }
        }
        out.reverse();
        Ok(out)
    }
}

impl Shape {
    fn max_shape(self, o: Shape) -> Shape {
        if self == Shape::Array || o == Shape::Array {
            Shape::Array
        } else {
            Shape::Scalar
        }
    }
}

fn is_whole_slice(e: &ast::Expr) -> bool {
    match e {
        ast::Expr::Slice(s) => s.lower.is_none() && s.upper.is_none() && s.step.is_none(),
        ast::Expr::Constant(c) => matches!(c.value, ast::Constant::Ellipsis),
        _ => false,
    }
}

fn is_super_init(e: &ast::Expr) -> bool {
    let ast::Expr::Call(c) = e else { return false };
    let ast::Expr::Attribute(a) = &*c.func else {
        return false;
    };
    if a.attr.as_str() != "__init__" {
        return false;
    }
    matches!(&*a.value, ast::Expr::Call(inner) if matches!(&*inner.func, ast::Expr::Name(n) if n.id.as_str() == "super"))
}
