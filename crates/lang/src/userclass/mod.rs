//! User-defined components: `class X(LearningFn): ...` in a model file.
//!
//! A class is accepted when the engine can run it at native speed on every
//! rank and thread: its parameters are declared with `param.Number(...)`
//! etc., `__init__` only sets attributes from parameters, and `__call__`
//! has the signature of its family (Topographica's
//! topo/base/functionfamily.py) and a body of numpy-style array
//! expressions, which [`compile`] turns into a [`topo_spec::userclass::Kernel`].
//! Instances are ordinary components of class `__main__.X`.

mod compile;

use crate::calls::Kwargs;
use crate::interp::{Interp, R};
use crate::obj::{Comp, Obj, ParamDecl};
use crate::registry::registry;
use rustpython_parser::ast::{self, Ranged};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use topo_spec::userclass::{Family, UserClass};

/// A user class as the interpreter keeps it: the compiled class and the
/// declarations of its parameters (defaults and bounds).
#[derive(Clone, Debug)]
pub(crate) struct UserClassDef {
    pub(crate) class: UserClass,
    pub(crate) decls: Vec<(String, ParamDecl)>,
}

/// The module prefix of user classes (Python's `__main__`, where
/// Topographica runs model files).
pub(crate) const PREFIX: &str = "__main__.";

/// Whether a canonical class name is a user class.
pub(crate) fn is_user_class(name: &str) -> bool {
    name.starts_with(PREFIX)
}

/// What the class body declares besides methods.
pub(crate) struct ClassBody<'a> {
    /// Declared parameters, in order.
    pub(crate) decls: Vec<(String, ParamDecl)>,
    /// Plain numeric class attributes (`offEdge = 1`).
    pub(crate) consts: BTreeMap<String, f64>,
    /// Whether `time_fn = topo.sim.time` (or `param.Dynamic.time_fn`) is set.
    pub(crate) has_time_fn: bool,
    /// `__init__`, if defined.
    pub(crate) init: Option<&'a ast::StmtFunctionDef>,
    /// `__call__`.
    pub(crate) call: Option<&'a ast::StmtFunctionDef>,
    /// `function` (a PatternGenerator's pattern function).
    pub(crate) function: Option<&'a ast::StmtFunctionDef>,
}

impl Interp {
    /// `class Name(Base): ...`: compiles the class and binds `Name`.
    pub(crate) fn define_class(&mut self, c: &ast::StmtClassDef) -> R<()> {
        let off = c.range().start().to_usize();
        let name = c.name.as_str();
        if !c.decorator_list.is_empty() {
            return Err(self.err(
                off,
                format!("class {name}: decorators on classes are not supported"),
            ));
        }
        if !c.keywords.is_empty() {
            return Err(self.err(
                off,
                format!("class {name}: keywords in the class statement are not supported"),
            ));
        }
        let family = self.family_of(c)?;
        let body = self.class_body(c, family)?;
        let method = if family == Family::PatternGenerator {
            body.function
        } else {
            body.call
        };
        let call = method.ok_or_else(|| {
            self.err(
                off,
                format!(
                    "class {name}: a user {} must define {}",
                    family_text(family),
                    method_name(family)
                ),
            )
        })?;
        let params: Vec<String> = body.decls.iter().map(|(n, _)| n.clone()).collect();
        let kernel = compile::compile_class(self, name, family, &body, call)?;
        let (line, col) = self.src.lines.locate(off);
        let end = c.range().end().to_usize();
        let class = UserClass {
            name: format!("{PREFIX}{name}"),
            family,
            location: format!("{}:{line}:{col}", self.src.name),
            source: self.src.lines.slice(off, end).to_string(),
            params,
            call: kernel,
            consts: body.consts.clone(),
        };
        let full = class.name.clone();
        self.user_classes.insert(
            full.clone(),
            UserClassDef {
                class,
                decls: body.decls,
            },
        );
        self.bind(name, Obj::Class(full));
        Ok(())
    }

    fn family_of(&mut self, c: &ast::StmtClassDef) -> R<Family> {
        let off = c.range().start().to_usize();
        let name = c.name.as_str();
        let supported = "the engine runs user classes derived from LearningFn (topo.base.functionfamily), CoordinateMapperFn, PatternGenerator (with function(self, params)), or param.Parameterized with __call__(self) as a function of time";
        if c.bases.len() != 1 {
            return Err(self.err(
                off,
                format!("class {name}: exactly one base class is supported; {supported}"),
            ));
        }
        let base_expr = &c.bases[0];
        let boff = base_expr.range().start().to_usize();
        let base = match self.eval(base_expr) {
            Ok(Obj::Class(b)) => b,
            Ok(other) => {
                return Err(self.err(
                    boff,
                    format!("class {name}: base {} is not a class", other.type_name()),
                ))
            }
            Err(e) => {
                return Err(self.err(
                    boff,
                    format!(
                        "class {name}: base class not available ({}); {supported}",
                        e.message
                    ),
                ))
            }
        };
        let reg = registry();
        if reg.is_subclass(&base, "topo.base.functionfamily.LearningFn") {
            Ok(Family::LearningFn)
        } else if reg.is_subclass(&base, "topo.base.functionfamily.TransferFn") {
            Err(self.err(
                boff,
                format!("class {name}({base}): user TransferFns are not supported yet (none of Topographica's model files defines one); the engine runs user LearningFns and time functions"),
            ))
        } else if reg.is_subclass(&base, "topo.base.functionfamily.CoordinateMapperFn") {
            Ok(Family::CoordinateMapperFn)
        } else if base == "imagen.PatternGenerator" {
            Ok(Family::PatternGenerator)
        } else if base == "param.Parameterized" {
            Ok(Family::TimeFn)
        } else {
            Err(self.err(
                boff,
                format!("class {name}({base}): user subclasses of {base} are not supported; {supported}"),
            ))
        }
    }

    fn class_body<'a>(&mut self, c: &'a ast::StmtClassDef, family: Family) -> R<ClassBody<'a>> {
        let name = c.name.as_str();
        let mut body = ClassBody {
            decls: Vec::new(),
            consts: BTreeMap::new(),
            has_time_fn: false,
            init: None,
            call: None,
            function: None,
        };
        for s in &c.body {
            let off = s.range().start().to_usize();
            match s {
                ast::Stmt::Expr(e) if is_docstring(&e.value) => {}
                ast::Stmt::Pass(_) => {}
                ast::Stmt::Assign(a) => {
                    let [ast::Expr::Name(t)] = a.targets.as_slice() else {
                        return Err(self.err(off, format!("class {name}: only 'name = value' assignments are supported in a class body")));
                    };
                    let attr = t.id.to_string();
                    if attr == "time_fn" {
                        if let Some(path) = crate::interp::dotted_name(&a.value) {
                            if path.ends_with("sim.time") || path.ends_with("Dynamic.time_fn") {
                                body.has_time_fn = true;
                                continue;
                            }
                        }
                        return Err(
                            self.err(off, format!("class {name}: time_fn must be topo.sim.time"))
                        );
                    }
                    match self.eval(&a.value)? {
                        Obj::ParamDecl(d) => {
                            if !matches!(d.kind.as_str(), "Number" | "Integer" | "Boolean") {
                                return Err(self.err(off, format!("class {name}: parameter '{attr}' is a param.{}; user components take numeric parameters (param.Number, param.Integer, param.Boolean)", d.kind)));
                            }
                            body.decls.retain(|(n, _)| *n != attr);
                            body.decls.push((attr, *d));
                        }
                        v => match v.num() {
                            Some(x) => {
                                body.consts.insert(attr, x);
                            }
                            None => {
                                return Err(self.err(off, format!("class {name}: class attribute '{attr}' is a {}; user components take numeric class attributes and param.Number parameters", v.type_name())));
                            }
                        },
                    }
                }
                ast::Stmt::FunctionDef(f) => match (f.name.as_str(), family) {
                    ("__init__", _) => body.init = Some(f),
                    ("function", Family::PatternGenerator) => body.function = Some(f),
                    ("__call__", Family::PatternGenerator) => {
                        return Err(self.err(off, format!("class {name}: a user PatternGenerator that replaces __call__ is not supported; define function(self, params), which imagen's PatternGenerator.__call__ calls")));
                    }
                    ("__call__", _) => body.call = Some(f),
                    (other, _) => {
                        return Err(self.err(off, format!("class {name}: method '{other}' is not supported; a user {} defines {} (and optionally __init__)", family_text(family), method_name(family))));
                    }
                },
                other => {
                    return Err(self.err(
                        off,
                        format!(
                            "class {name}: {} is not supported in a class body",
                            compile::stmt_name(other)
                        ),
                    ));
                }
            }
        }
        Ok(body)
    }

    /// `Name(**kwargs)` for a user class.
    pub(crate) fn construct_user(&mut self, class: &str, kwargs: Kwargs, off: usize) -> R<Obj> {
        let def = self
            .user_classes
            .get(class)
            .cloned()
            .ok_or_else(|| self.err(off, format!("unknown class {class}")))?;
        let short = class.strip_prefix(PREFIX).unwrap_or(class).to_string();
        let pattern = def.class.family == Family::PatternGenerator;
        let mut kwargs = kwargs;
        let mut base_params = BTreeMap::new();
        if pattern {
            // PatternGenerator's own parameters (bounds, x, y, orientation,
            // scale, ...) as imagen resolves them, then the class's own.
            let declared = |k: &str| def.decls.iter().any(|(n, _)| n == k);
            let (base_kw, own): (Kwargs, Kwargs) = kwargs
                .into_iter()
                .partition(|(k, _)| k != "name" && !declared(k));
            kwargs = own;
            let counter = self.name_counter;
            if let Obj::Comp(c) = self.construct("imagen.PatternGenerator", base_kw, off)? {
                base_params = c.borrow().params.clone();
            }
            // the base call numbered the instance; the class's own call does
            self.name_counter = counter;
        }
        let mut params: BTreeMap<String, Obj> = def
            .decls
            .iter()
            .map(|(n, d)| (n.clone(), d.default.clone()))
            .collect();
        let mut name = None;
        for (k, v) in kwargs {
            if k == "name" {
                match v {
                    Obj::Str(s) => name = Some(s),
                    other => {
                        return Err(self.err(
                            off,
                            format!("name must be a string, not {}", other.type_name()),
                        ))
                    }
                }
                continue;
            }
            let Some((_, d)) = def.decls.iter().find(|(n, _)| *n == k) else {
                let valid: Vec<&str> = def.decls.iter().map(|(n, _)| n.as_str()).collect();
                return Err(self.err(
                    off,
                    format!(
                        "unknown keyword '{k}' for {short}; valid keywords: {}",
                        valid.join(", ")
                    ),
                ));
            };
            if pattern && v.num().is_none() && is_numbergen(&v) {
                // a dynamic parameter, read by the pattern's function
                params.insert(k, v);
                continue;
            }
            let Some(x) = v.num() else {
                return Err(self.err(
                    off,
                    format!(
                        "wrong type for parameter '{k}' of {short}: expected a number, got {}",
                        v.type_name()
                    ),
                ));
            };
            if let Some((lo, hi)) = d.bounds {
                let (li, hi_inc) = d.inclusive;
                let ok_lo = lo.map(|l| if li { x >= l } else { x > l }).unwrap_or(true);
                let ok_hi = hi
                    .map(|h| if hi_inc { x <= h } else { x < h })
                    .unwrap_or(true);
                if !(ok_lo && ok_hi) {
                    return Err(self.err(
                        off,
                        format!(
                            "value {} for parameter '{k}' of {short} is out of bounds",
                            crate::pyfmt::py_repr(&v)
                        ),
                    ));
                }
            }
            params.insert(k, v);
        }
        for (n, v) in &params {
            if v.num().is_none() && !(pattern && is_numbergen(v)) {
                return Err(self.err(
                    off,
                    format!(
                        "parameter '{n}' of {short} must be a number, got {}",
                        v.type_name()
                    ),
                ));
            }
        }
        let name = name.unwrap_or_else(|| format!("{short}{:05}", self.name_counter));
        self.name_counter += 1;
        params.insert("name".into(), Obj::Str(name));
        for (k, v) in base_params {
            params.entry(k).or_insert(v);
        }
        let id = self.alloc_id();
        Ok(Obj::Comp(Rc::new(RefCell::new(Comp {
            class: class.to_string(),
            id,
            params,
        }))))
    }

    /// The family of a user class, if `class` is one.
    pub(crate) fn user_family(&self, class: &str) -> Option<Family> {
        self.user_classes.get(class).map(|d| d.class.family)
    }
}

/// Whether a value is a numbergen object (a dynamic parameter value).
fn is_numbergen(v: &Obj) -> bool {
    matches!(v, Obj::Comp(c) if c.borrow().class.starts_with("numbergen."))
}

fn is_docstring(e: &ast::Expr) -> bool {
    matches!(e, ast::Expr::Constant(c) if matches!(c.value, ast::Constant::Str(_)))
}

pub(crate) fn family_text(f: Family) -> &'static str {
    match f {
        Family::LearningFn => "LearningFn",
        Family::TransferFn => "TransferFn",
        Family::TimeFn => "time function",
        Family::CoordinateMapperFn => "CoordinateMapperFn",
        Family::PatternGenerator => "PatternGenerator",
    }
}

/// The method a family's caller runs.
pub(crate) fn method_name(f: Family) -> &'static str {
    match f {
        Family::PatternGenerator => "function",
        _ => "__call__",
    }
}
