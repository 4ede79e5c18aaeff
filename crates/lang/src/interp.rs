//! The evaluator: runs the statements of a model file against the
//! interpreter state and collects what the spec needs.

use crate::error::{LangError, Source};
use crate::obj::{CompRef, Obj, ParamDecl};
use rustpython_parser::ast::{self, Ranged};
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;
use topo_spec::{Call, ScheduledCommand};

/// Result of evaluation.
pub(crate) type R<T> = Result<T, LangError>;

/// Upper bound on evaluation steps (a guard against runaway loops).
///
/// A bound in time, expressed in steps (a step is one statement, one
/// expression node or 8 copied elements), so that results do not depend
/// on the machine: a runaway nested `for` loop reaches it in about 3 s of
/// wall time on the loaded 2-core development machine (release build,
/// 2026-12-04), while the setup loops of real models fit: examples/gcal.ty
/// at 100 times Stevens et al. 2013's area (`area=150`) builds 45 000
/// training Gaussians (`topo-hpc plan` loads it). The former 2 000 000
/// refused it only because an int operand of `+` or `%` was charged as a
/// repetition count (expr.rs `binop`). Values stay bounded by
/// `limits::MAX_VALUE` and `range()` by its own cap, whatever this is.
const MAX_STEPS: u64 = 20_000_000;

/// A declared global parameter and its value.
#[derive(Clone, Debug)]
pub(crate) struct GParam {
    pub(crate) name: String,
    pub(crate) decl: ParamDecl,
    pub(crate) value: Obj,
    pub(crate) specified: bool,
}

/// A `-p` value waiting for its declaration.
#[derive(Clone, Debug)]
pub(crate) struct Override {
    pub(crate) name: String,
    pub(crate) value: Obj,
    pub(crate) source: Rc<Source>,
    pub(crate) offset: usize,
    pub(crate) used: bool,
}

/// A connection made with `topo.sim.connect`.
#[derive(Clone, Debug)]
pub(crate) struct Conn {
    pub(crate) src: String,
    pub(crate) dest: String,
    pub(crate) name: String,
    pub(crate) comp: CompRef,
}

/// The interpreter state.
pub(crate) struct Interp {
    pub(crate) src: Rc<Source>,
    pub(crate) scopes: Vec<HashMap<String, Obj>>,
    pub(crate) class_defaults: HashMap<(String, String), Obj>,
    pub(crate) next_id: u64,
    pub(crate) name_counter: u64,
    pub(crate) gparams: Vec<GParam>,
    pub(crate) overrides: Vec<Override>,
    pub(crate) sheets: Vec<(String, CompRef)>,
    pub(crate) conns: Vec<Conn>,
    pub(crate) scheduled: Vec<ScheduledCommand>,
    pub(crate) seed: Option<Vec<u32>>,
    /// `param.random_seed`, as the file last set it.
    pub(crate) param_random_seed: i64,
    pub(crate) analysis: BTreeMap<String, Obj>,
    pub(crate) functions: BTreeMap<String, Vec<(Call, Vec<Obj>)>>,
    pub(crate) steps: u64,
    pub(crate) default_cache: HashMap<String, ast::Expr>,
    pub(crate) depth: usize,
    /// Classes the file defined (`class X(LearningFn): ...`), by `__main__.X`.
    pub(crate) user_classes: BTreeMap<String, crate::userclass::UserClassDef>,
    /// Subclasses of ModelGCAL the file defined, by name.
    pub(crate) model_subclasses: BTreeMap<String, crate::submodel::ModelSubclass>,
    /// `from __future__ import division` was read.
    pub(crate) true_division: bool,
    /// `print` output and warnings, in order.
    pub(crate) messages: Vec<crate::namespace::Message>,
    /// The model file's path (`__file__`, relative path lookups).
    pub(crate) model_path: String,
    /// `-p` names the model never declares are warnings, not errors.
    pub(crate) allow_unused: bool,
    /// A model file may define functions with parameters it never calls
    /// (a `-c` function must be an analysis function).
    pub(crate) allow_unused_defs: bool,
    /// Where the file said `param.Dynamic.time_fn = None` (see
    /// `dynamic_time.rs`).
    pub(crate) dynamic_time_fn_none: Option<usize>,
}

impl Interp {
    pub(crate) fn new(src: Source) -> Interp {
        let model_path = src.name.clone();
        let mut it = Interp {
            src: Rc::new(src),
            scopes: vec![HashMap::new()],
            class_defaults: HashMap::new(),
            next_id: 0,
            name_counter: 0,
            gparams: Vec::new(),
            overrides: Vec::new(),
            sheets: Vec::new(),
            conns: Vec::new(),
            scheduled: Vec::new(),
            seed: None,
            param_random_seed: topo_spec::ParamRandomSeed::DEFAULT.0,
            analysis: BTreeMap::new(),
            functions: BTreeMap::new(),
            steps: 0,
            default_cache: HashMap::new(),
            depth: 0,
            user_classes: BTreeMap::new(),
            model_subclasses: BTreeMap::new(),
            true_division: false,
            messages: Vec::new(),
            model_path: String::new(),
            allow_unused: false,
            allow_unused_defs: false,
            dynamic_time_fn_none: None,
        };
        it.model_path = model_path;
        it
    }

    /// An error at a byte offset of the current source.
    pub(crate) fn err(&self, off: usize, msg: impl Into<String>) -> LangError {
        self.src.error(off, msg)
    }

    pub(crate) fn step(&mut self, off: usize) -> R<()> {
        self.steps += 1;
        if self.steps > MAX_STEPS {
            return Err(self.err(off, "evaluation step limit exceeded (is a loop too long?)"));
        }
        Ok(())
    }

    /// Runs a whole module.
    pub(crate) fn run_module(&mut self, body: &[ast::Stmt]) -> R<()> {
        for s in body {
            self.exec(s)?;
        }
        Ok(())
    }

    /// Runs source text in a fresh source context (used for built-in
    /// expansions such as ModelGCAL), sharing all other state.
    /// `names` are bound in the text's namespace before it runs.
    pub(crate) fn run_text_in(
        &mut self,
        name: &str,
        text: &str,
        names: HashMap<String, Obj>,
    ) -> R<()> {
        let module = crate::parse_module(name, text)?;
        let saved_src = std::mem::replace(&mut self.src, Rc::new(Source::new(name, text)));
        let saved_scopes = std::mem::replace(&mut self.scopes, vec![names]);
        let r = self.run_module(&module);
        self.src = saved_src;
        self.scopes = saved_scopes;
        r
    }

    fn exec_block(&mut self, body: &[ast::Stmt]) -> R<()> {
        for s in body {
            self.exec(s)?;
        }
        Ok(())
    }

    pub(crate) fn exec(&mut self, s: &ast::Stmt) -> R<()> {
        let off = s.range().start().to_usize();
        self.step(off)?;
        match s {
            ast::Stmt::Expr(e) => {
                if let ast::Expr::Constant(c) = e.value.as_ref() {
                    if matches!(c.value, ast::Constant::Str(_)) {
                        return Ok(()); // docstring / bare string
                    }
                }
                if let ast::Expr::Tuple(t) = e.value.as_ref() {
                    if let Some(ast::Expr::BinOp(b)) = t.elts.first() {
                        if matches!(b.op, ast::Operator::RShift)
                            && dotted_name(&b.left).as_deref() == Some("print")
                        {
                            return Err(self.err(off, "Python 2 `print >>file, ...` writes to a file, which model files cannot do"));
                        }
                    }
                }
                if self.in_place_call(&e.value)? {
                    return Ok(());
                }
                self.eval(&e.value)?;
                Ok(())
            }
            ast::Stmt::Assign(a) => {
                let v = self.eval(&a.value)?;
                for t in &a.targets {
                    self.assign(t, v.clone())?;
                }
                Ok(())
            }
            ast::Stmt::AugAssign(a) => {
                let cur = self.eval(&a.target)?;
                let rhs = self.eval(&a.value)?;
                let v = self.binop(&a.op, cur, rhs, off)?;
                crate::limits::check_value(&v).map_err(|m| self.err(off, m))?;
                self.assign(&a.target, v)
            }
            ast::Stmt::For(f) => {
                let it = self.eval(&f.iter)?;
                let items = self.iterate(it, f.iter.range().start().to_usize())?;
                for item in items {
                    self.step(off)?;
                    self.assign(&f.target, item)?;
                    self.exec_block(&f.body)?;
                }
                self.exec_block(&f.orelse)
            }
            ast::Stmt::If(i) => {
                if self.eval(&i.test)?.truthy() {
                    self.exec_block(&i.body)
                } else {
                    self.exec_block(&i.orelse)
                }
            }
            ast::Stmt::Pass(_) => Ok(()),
            ast::Stmt::Import(imp) => {
                for alias in &imp.names {
                    let path = alias.name.as_str();
                    self.check_module(path, alias.range().start().to_usize())?;
                    match &alias.asname {
                        Some(asn) => self.bind(asn.as_str(), Obj::Module(path.to_string())),
                        None => {
                            let first = path.split('.').next().unwrap_or(path);
                            self.bind(first, Obj::Module(first.to_string()));
                        }
                    }
                }
                Ok(())
            }
            ast::Stmt::ImportFrom(imp) => {
                let module = imp.module.as_ref().map(|m| m.as_str()).unwrap_or("");
                if imp.level.map(|l| l.to_u32()).unwrap_or(0) > 0 {
                    return Err(self.err(off, "relative imports are not supported"));
                }
                self.check_module(module, off)?;
                if module == "__future__" {
                    for alias in &imp.names {
                        self.future_import(alias.name.as_str(), alias.range().start().to_usize())?;
                    }
                    return Ok(());
                }
                for alias in &imp.names {
                    let name = alias.name.as_str();
                    let aoff = alias.range().start().to_usize();
                    if name == "*" {
                        return Err(self.err(aoff, format!("'from {module} import *' is not supported; import the names you use")));
                    }
                    let v = self.module_attr(module, name, aoff)?;
                    let bound = alias.asname.as_ref().map(|a| a.as_str()).unwrap_or(name);
                    self.bind(bound, v);
                }
                Ok(())
            }
            ast::Stmt::FunctionDef(f) => self.define_function(f),
            ast::Stmt::ClassDef(c) if self.is_model_class(c) => self.define_model_subclass(c),
            ast::Stmt::ClassDef(c) => self.define_class(c),
            ast::Stmt::While(_) => Err(self.err(
                off,
                "while loops are not supported; use 'for ... in range(...)'",
            )),
            ast::Stmt::Delete(_) => Err(self.err(off, "del is not supported in model files")),
            ast::Stmt::Return(_) => {
                Err(self.err(off, "return outside a function is not supported"))
            }
            ast::Stmt::Global(_) | ast::Stmt::Nonlocal(_) => {
                Err(self.err(off, "global/nonlocal declarations are not supported"))
            }
            ast::Stmt::Try(_) | ast::Stmt::TryStar(_) => {
                Err(self.err(off, "try/except is not supported in model files"))
            }
            ast::Stmt::With(_) | ast::Stmt::AsyncWith(_) => Err(self.err(
                off,
                "with statements are not supported (no file access in model files)",
            )),
            ast::Stmt::Raise(_) => Err(self.err(off, "raise is not supported in model files")),
            ast::Stmt::Assert(a) => {
                if self.eval(&a.test)?.truthy() {
                    Ok(())
                } else {
                    Err(self.err(off, "assertion failed"))
                }
            }
            _ => Err(self.err(off, "unsupported statement in a model file")),
        }
    }

    pub(crate) fn bind(&mut self, name: &str, v: Obj) {
        if let Some(scope) = self.scopes.last_mut() {
            scope.insert(name.to_string(), v);
        }
    }

    fn check_module(&self, path: &str, off: usize) -> R<()> {
        if crate::registry::is_module(path)
            || crate::namespace::HARMLESS_MODULES.contains(&path)
            || crate::sparse::is_module(path)
        {
            Ok(())
        } else if let Some(why) = crate::namespace::unavailable_module(path) {
            Err(self.err(off, format!("import of module '{path}': {why}")))
        } else {
            Err(self.err(off, format!(
                "import of module '{path}' is not allowed: model files may import only topo, imagen, numbergen, param, numpy, math and their submodules (and os, sys, copy, itertools, pdb for bookkeeping)"
            )))
        }
    }

    /// Records `def name(): ...` (a list of command calls) and binds `name`.
    pub(crate) fn define_function(&mut self, f: &ast::StmtFunctionDef) -> R<()> {
        let off = f.range().start().to_usize();
        if let Some((channel, s, v)) = crate::colour_defs::hsv_channel(f) {
            let op = topo_numbergen::colour::channel_operator(channel, s, v);
            self.bind(f.name.as_str(), Obj::Func(op));
            return Ok(());
        }
        let args = &f.args;
        if !args.args.is_empty()
            || !args.posonlyargs.is_empty()
            || !args.kwonlyargs.is_empty()
            || args.vararg.is_some()
            || args.kwarg.is_some()
        {
            if self.allow_unused_defs {
                // Defining is harmless (lissom.ty defines colour helpers
                // it uses only for some dims); calling or storing it is
                // refused.
                let name = f.name.to_string();
                self.bind(&name, Obj::Builtin(format!("def:{name}")));
                return Ok(());
            }
            return Err(self.err(off, "functions with parameters are not supported; define 'def name():' whose body calls built-in commands"));
        }
        if !f.decorator_list.is_empty() {
            return Err(self.err(off, "decorators are not supported"));
        }
        let mut calls = Vec::new();
        for s in &f.body {
            let soff = s.range().start().to_usize();
            match s {
                ast::Stmt::Pass(_) => {}
                ast::Stmt::Expr(e) => match e.value.as_ref() {
                    ast::Expr::Constant(c) if matches!(c.value, ast::Constant::Str(_)) => {}
                    ast::Expr::Call(call) => {
                        let name = dotted_name(&call.func).ok_or_else(|| self.err(soff, "a function body may only call built-in commands by name"))?;
                        if is_forbidden(&name) {
                            return Err(self.err(soff, forbidden_message(&name)));
                        }
                        let mut argv = Vec::new();
                        for a in &call.args {
                            argv.push(self.eval(a)?);
                        }
                        let mut kw = Vec::new();
                        for k in &call.keywords {
                            let kname = k.arg.as_ref().ok_or_else(|| self.err(soff, "**kwargs is not supported in a function body"))?;
                            kw.push((kname.to_string(), self.eval(&k.value)?));
                        }
                        let (line, col) = self.src.lines.locate(soff);
                        let location = format!("{}:{}:{}", self.src.name, line, col);
                        let mut objs = argv.clone();
                        objs.extend(kw.iter().map(|(_, v)| v.clone()));
                        let args_v = argv.iter().map(|v| self.to_value(v, soff)).collect::<R<Vec<_>>>()?;
                        let kw_v = kw.iter().map(|(k, v)| Ok((k.clone(), self.to_value(v, soff)?))).collect::<R<Vec<_>>>()?;
                        calls.push((Call { name, args: args_v, kwargs: kw_v, location }, objs));
                    }
                    _ => return Err(self.err(soff, "a function body may only contain calls of built-in commands")),
                },
                _ => return Err(self.err(soff, "a function body may only contain calls of built-in commands (no assignments, loops or other statements)")),
            }
        }
        let name = f.name.to_string();
        self.functions.insert(name.clone(), calls);
        self.bind(&name, Obj::UserFn(name.clone()));
        Ok(())
    }

    /// Looks a name up in the scopes, then the built-ins.
    pub(crate) fn lookup(&self, name: &str, off: usize) -> R<Obj> {
        for scope in self.scopes.iter().rev() {
            if let Some(v) = scope.get(name) {
                return Ok(v.clone());
            }
        }
        if let Some(v) = builtin_name(name) {
            return Ok(v);
        }
        match name {
            // the topographica script's __main__ has imported topo
            "topo" => return Ok(Obj::Module("topo".into())),
            "__file__" => return Ok(Obj::Str(self.model_path.clone())),
            "__name__" => return Ok(Obj::Str("__main__".into())),
            _ => {}
        }
        if is_forbidden(name) {
            return Err(self.err(off, forbidden_message(name)));
        }
        Err(self.err(off, format!("name '{name}' is not defined")))
    }

    fn iterate(&self, v: Obj, off: usize) -> R<Vec<Obj>> {
        match v {
            Obj::List(items) | Obj::Tuple(items) => Ok(items),
            Obj::Str(s) => Ok(s.chars().map(|c| Obj::Str(c.to_string())).collect()),
            Obj::Dict(items) => Ok(items
                .into_iter()
                .map(|(k, _)| crate::expr::key_obj(&k))
                .collect()),
            other => Err(self.err(off, format!("cannot iterate over a {}", other.type_name()))),
        }
    }

    pub(crate) fn iter_obj(&self, v: Obj, off: usize) -> R<Vec<Obj>> {
        self.iterate(v, off)
    }

    fn assign(&mut self, target: &ast::Expr, v: Obj) -> R<()> {
        let off = target.range().start().to_usize();
        match target {
            ast::Expr::Name(n) => {
                self.bind(n.id.as_str(), v);
                Ok(())
            }
            ast::Expr::Tuple(ast::ExprTuple { elts, .. })
            | ast::Expr::List(ast::ExprList { elts, .. }) => {
                let items = self.iterate(v, off)?;
                if items.len() != elts.len() {
                    return Err(self.err(
                        off,
                        format!(
                            "cannot unpack {} values into {} names",
                            items.len(),
                            elts.len()
                        ),
                    ));
                }
                for (t, item) in elts.iter().zip(items) {
                    self.assign(t, item)?;
                }
                Ok(())
            }
            ast::Expr::Attribute(a) => {
                let base = self.eval(&a.value)?;
                self.set_attr(base, a.attr.as_str(), v, off)
            }
            ast::Expr::Subscript(s) => {
                let base = self.eval(&s.value)?;
                let key = self.eval(&s.slice)?;
                match base {
                    Obj::List(mut items) => {
                        let n = items.len() as i64;
                        let i = match key {
                            Obj::Int(i) if i < 0 && i + n >= 0 => (i + n) as usize,
                            Obj::Int(i) if i >= 0 && i < n => i as usize,
                            _ => return Err(self.err(off, "list assignment index out of range")),
                        };
                        items[i] = v;
                        let new = Obj::List(items);
                        crate::limits::check_value(&new).map_err(|m| self.err(off, m))?;
                        self.assign(&s.value, new)
                    }
                    Obj::Dict(mut items) => match crate::expr::dict_key(&key) {
                        Some(k) => {
                            crate::expr::dict_set(&mut items, k, v);
                            let new = Obj::Dict(items);
                            crate::limits::check_value(&new).map_err(|m| self.err(off, m))?;
                            self.assign(&s.value, new)
                        }
                        None => Err(self.err(
                            off,
                            format!("dict keys must be strings here, not {}", key.type_name()),
                        )),
                    },
                    Obj::Sim => match key {
                        Obj::Str(name) => self.add_sheet(name, v, off),
                        other => Err(self.err(
                            off,
                            format!("sheet names are strings, not {}", other.type_name()),
                        )),
                    },
                    other => Err(self.err(
                        off,
                        format!(
                            "item assignment on a {} is not supported",
                            other.type_name()
                        ),
                    )),
                }
            }
            _ => Err(self.err(off, "unsupported assignment target")),
        }
    }

    /// `x.append(v)`, `x.reverse()` and the other in-place list methods
    /// as statements: the changed list is assigned back to `x` (a name,
    /// attribute or item). `false` if the statement is not one of them.
    fn in_place_call(&mut self, e: &ast::Expr) -> R<bool> {
        let ast::Expr::Call(c) = e else {
            return Ok(false);
        };
        let ast::Expr::Attribute(a) = c.func.as_ref() else {
            return Ok(false);
        };
        let m = a.attr.as_str();
        if !matches!(
            m,
            "append" | "extend" | "reverse" | "insert" | "remove" | "sort"
        ) {
            return Ok(false);
        }
        let off = e.range().start().to_usize();
        let Obj::List(mut items) = self.eval(&a.value)? else {
            return Ok(false);
        };
        if !c.keywords.is_empty() {
            return Err(self.err(off, format!("list.{m}() takes no keyword arguments")));
        }
        let mut args = Vec::new();
        for x in &c.args {
            args.push(self.eval(x)?);
        }
        match (m, args.as_slice()) {
            ("append", [x]) => items.push(x.clone()),
            ("extend", [x]) => {
                let more = self.iter_obj(x.clone(), off)?;
                items.extend(more);
            }
            ("reverse", []) => items.reverse(),
            ("insert", [Obj::Int(i), x]) => {
                let n = items.len() as i64;
                let i = if *i < 0 { (i + n).max(0) } else { (*i).min(n) };
                items.insert(i as usize, x.clone());
            }
            ("remove", [x]) => match items.iter().position(|y| crate::expr::py_eq(x, y)) {
                Some(i) => {
                    items.remove(i);
                }
                None => return Err(self.err(off, "list.remove(x): x not in list")),
            },
            ("sort", []) => {
                let v = self.call(
                    Obj::Builtin("sorted".into()),
                    vec![Obj::List(items)],
                    Vec::new(),
                    off,
                )?;
                let Obj::List(v) = v else { return Ok(true) };
                items = v;
            }
            _ => return Err(self.err(off, format!("list.{m}() called with the wrong arguments"))),
        }
        self.assign(&a.value, Obj::List(items))?;
        Ok(true)
    }
}

/// A dotted name (`a.b.c`) if the expression is one.
pub(crate) fn dotted_name(e: &ast::Expr) -> Option<String> {
    match e {
        ast::Expr::Name(n) => Some(n.id.to_string()),
        ast::Expr::Attribute(a) => Some(format!("{}.{}", dotted_name(&a.value)?, a.attr.as_str())),
        _ => None,
    }
}

/// Names that would give a model file access to files, the OS or
/// arbitrary code.
pub(crate) fn is_forbidden(name: &str) -> bool {
    matches!(
        name,
        "open"
            | "file"
            | "exec"
            | "eval"
            | "execfile"
            | "compile"
            | "__import__"
            | "input"
            | "raw_input"
            | "getattr"
            | "setattr"
            | "delattr"
            | "reload"
            | "exit"
            | "quit"
            | "lambda"
            | "subprocess"
            | "help"
            | "dir"
            | "type"
            | "object"
            | "super"
            | "__builtins__"
    )
}

pub(crate) fn forbidden_message(name: &str) -> String {
    match name {
        "exec" | "eval" | "execfile" | "compile" => format!("{name} is not supported: model files cannot run code from strings or other files"),
        "open" | "file" => format!("{name} is not supported: model files cannot access files"),
        _ => format!("'{name}' is not available in model files (sandbox: no access to files, the OS or arbitrary code)"),
    }
}

fn builtin_name(name: &str) -> Option<Obj> {
    let b = |s: &str| Some(Obj::Builtin(s.to_string()));
    match name {
        "int" | "float" | "str" | "len" | "range" | "xrange" | "abs" | "min" | "max" | "round"
        | "bool" | "list" | "tuple" | "dict" | "sum" | "enumerate" | "zip" | "sorted" | "repr"
        | "print" | "locals" | "globals" | "vars" | "hasattr" | "set" => b(name),
        // Topographica's namespace has pi; model files usually import it
        "pi" => Some(Obj::Float(std::f64::consts::PI)),
        _ => None,
    }
}
