//! Creating components: keyword checks, type and bound checks, defaults
//! resolved the way param resolves them (class-level values along the
//! method resolution order, then the declared default).

use crate::calls::Kwargs;
use crate::interp::{Interp, R};
use crate::obj::{Comp, Obj};
use crate::registry::{registry, Kind, ParamDef};
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

impl Interp {
    /// `Class(**kwargs)`.
    pub(crate) fn construct(&mut self, class: &str, kwargs: Kwargs, off: usize) -> R<Obj> {
        if crate::userclass::is_user_class(class) {
            return self.construct_user(class, kwargs, off);
        }
        let reg = registry();
        if reg.class(class).is_none() {
            return Err(self.err(off, format!("unknown class {class}")));
        }
        let defs: Vec<ParamDef> = reg.params(class).into_iter().cloned().collect();
        let mut given: HashMap<String, Obj> = HashMap::new();
        let mut name: Option<String> = None;
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
            let Some(p) = defs.iter().find(|p| p.name == k) else {
                return Err(self.err(
                    off,
                    format!(
                        "unknown keyword '{k}' for {class}; valid keywords: {}",
                        self.valid_keywords(class)
                    ),
                ));
            };
            let v = self.check_value(class, p, v, off)?;
            given.insert(k, v);
        }
        let mut params = BTreeMap::new();
        for p in &defs {
            let v = match given.remove(&p.name) {
                Some(v) => v,
                None => self.default_value(class, p, off)?,
            };
            params.insert(p.name.clone(), v);
        }
        let short = class.rsplit('.').next().unwrap_or(class).to_string();
        let name = name.unwrap_or_else(|| {
            let n = format!("{short}{:05}", self.name_counter);
            n
        });
        self.name_counter += 1;
        params.insert("name".into(), Obj::Str(name));
        let id = self.alloc_id();
        let comp = Rc::new(RefCell::new(Comp {
            class: class.to_string(),
            id,
            params,
        }));
        if reg.is_subclass(class, "imagen.image.FileImage") {
            self.check_file_image(&comp, off)?;
        }
        Ok(Obj::Comp(comp))
    }

    pub(crate) fn alloc_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// The current class-level value of a parameter (for reading
    /// `Class.param`), or `None` if the class has no such parameter.
    pub(crate) fn class_default(&mut self, class: &str, pname: &str, off: usize) -> R<Option<Obj>> {
        let Some(p) = registry().param(class, pname).cloned() else {
            return Ok(None);
        };
        self.default_value(class, &p, off).map(Some)
    }

    /// The value an instance of `class` gets for `p` when not given:
    /// the nearest class-level setting along the MRO, or the declared
    /// default of the nearest declaring class. Component-valued defaults
    /// are copied (param's `instantiate`), except dynamic numbers.
    fn default_value(&mut self, class: &str, p: &ParamDef, off: usize) -> R<Obj> {
        let mro: Vec<String> = registry().mro(class).to_vec();
        for cls in &mro {
            if let Some(v) = self
                .class_defaults
                .get(&(cls.clone(), p.name.clone()))
                .cloned()
            {
                return Ok(if p.kind == Kind::Num {
                    v
                } else {
                    self.deepcopy(&v)
                });
            }
            let declares = registry()
                .class(cls)
                .map(|c| c.params.iter().any(|q| q.name == p.name))
                .unwrap_or(false);
            if declares {
                let decl = registry()
                    .param(cls, &p.name)
                    .cloned()
                    .unwrap_or_else(|| p.clone());
                return self.eval_default(&decl.default, off);
            }
        }
        self.eval_default(&p.default, off)
    }

    /// Evaluates a default expression of the class table.
    fn eval_default(&mut self, text: &str, off: usize) -> R<Obj> {
        let expr = match self.default_cache.get(text) {
            Some(e) => e.clone(),
            None => {
                let e = rustpython_parser::parse(
                    text,
                    rustpython_parser::Mode::Expression,
                    "<default>",
                )
                .ok()
                .and_then(|m| match m {
                    rustpython_parser::ast::Mod::Expression(e) => Some(*e.body),
                    _ => None,
                })
                .ok_or_else(|| self.err(off, format!("internal error: bad default '{text}'")))?;
                self.default_cache.insert(text.to_string(), e.clone());
                e
            }
        };
        let saved = std::mem::replace(&mut self.scopes, vec![default_scope()]);
        let saved_src = std::mem::replace(
            &mut self.src,
            Rc::new(crate::error::Source::new("<default>", text)),
        );
        let r = self.eval(&expr);
        self.scopes = saved;
        self.src = saved_src;
        r.map_err(|e| {
            self.err(
                off,
                format!("internal error evaluating default '{text}': {e}"),
            )
        })
    }

    /// `copy.deepcopy(x)`: components are copied with new identities (so a
    /// copied numbergen generator is a stream of its own, starting where
    /// the original stands, i.e. from its seed); an object reached twice
    /// inside `x` is copied once, as Python's memo does.
    pub(crate) fn deepcopy(&mut self, v: &Obj) -> Obj {
        let mut memo: Vec<(*const RefCell<Comp>, Obj)> = Vec::new();
        self.deepcopy_memo(v, &mut memo)
    }

    fn deepcopy_memo(&mut self, v: &Obj, memo: &mut Vec<(*const RefCell<Comp>, Obj)>) -> Obj {
        match v {
            Obj::List(items) => {
                Obj::List(items.iter().map(|i| self.deepcopy_memo(i, memo)).collect())
            }
            Obj::Tuple(items) => {
                Obj::Tuple(items.iter().map(|i| self.deepcopy_memo(i, memo)).collect())
            }
            Obj::Dict(items) => Obj::Dict(
                items
                    .iter()
                    .map(|(k, i)| (k.clone(), self.deepcopy_memo(i, memo)))
                    .collect(),
            ),
            Obj::Comp(c) => {
                let key = Rc::as_ptr(c);
                if let Some((_, done)) = memo.iter().find(|(k, _)| *k == key) {
                    return done.clone();
                }
                let (class, old) = {
                    let b = c.borrow();
                    (b.class.clone(), b.params.clone())
                };
                let params = old
                    .iter()
                    .map(|(k, v)| (k.clone(), self.deepcopy_memo(v, memo)))
                    .collect();
                let id = self.alloc_id();
                let copy = Obj::Comp(Rc::new(RefCell::new(Comp { class, id, params })));
                memo.push((key, copy.clone()));
                copy
            }
            other => other.clone(),
        }
    }

    /// `copy.copy(x)`: a new container or component whose items/parameters
    /// are the same objects as the original's (Python's shallow copy); a
    /// copied component gets a new identity.
    pub(crate) fn shallow_copy(&mut self, v: &Obj) -> Obj {
        match v {
            Obj::Comp(c) => {
                let (class, params) = {
                    let b = c.borrow();
                    (b.class.clone(), b.params.clone())
                };
                let id = self.alloc_id();
                Obj::Comp(Rc::new(RefCell::new(Comp { class, id, params })))
            }
            other => other.clone(),
        }
    }

    /// Checks a value for a parameter and normalizes it (lists/tuples).
    pub(crate) fn check_value(&self, class: &str, p: &ParamDef, v: Obj, off: usize) -> R<Obj> {
        let what = || format!("parameter '{}' of {class}", p.name);
        let wrong = |expected: &str, v: &Obj| {
            self.err(
                off,
                format!(
                    "wrong type for {}: expected {expected}, got {}",
                    what(),
                    v.type_name()
                ),
            )
        };
        if matches!(v, Obj::None) {
            if p.allow_none || matches!(p.kind, Kind::Any) {
                return Ok(v);
            }
            return Err(wrong(kind_text(&p.kind), &v));
        }
        let v = match (&p.kind, v) {
            (Kind::Num, v @ (Obj::Int(_) | Obj::Float(_))) => v,
            (Kind::Num, Obj::Comp(c)) => {
                if registry().is_subclass(&c.borrow().class, "numbergen.NumberGenerator") {
                    return Ok(Obj::Comp(c));
                }
                // a user time function is a dynamic number too (param calls it)
                let class = c.borrow().class.clone();
                if self.user_family(&class) == Some(topo_spec::userclass::Family::TimeFn) {
                    return Ok(Obj::Comp(c));
                }
                return Err(wrong("a number or a numbergen generator", &Obj::Comp(c)));
            }
            (Kind::Int, v @ Obj::Int(_)) => v,
            (Kind::Bool, v @ Obj::Bool(_)) => v,
            (Kind::Str, v @ Obj::Str(_)) => v,
            (Kind::Time, v @ (Obj::Int(_) | Obj::Float(_))) => {
                let x = v.num().unwrap_or(f64::NAN);
                if !(x.is_finite() && (x == 0.0 || (1e-9..=1e9).contains(&x.abs()))) {
                    return Err(self.err(
                        off,
                        format!(
                            "value {} for {} is not a usable time (0 or 1e-9..1e9)",
                            crate::pyfmt::py_repr(&v),
                            what()
                        ),
                    ));
                }
                v
            }
            (Kind::BBox, v @ Obj::BBox(_)) => v,
            (Kind::List, Obj::List(items) | Obj::Tuple(items)) => Obj::List(items),
            (Kind::Tuple, Obj::List(items) | Obj::Tuple(items)) => Obj::Tuple(items),
            (Kind::Obj, v @ Obj::Comp(_)) => v,
            (Kind::Fn, v @ Obj::Func(_)) => v,
            (Kind::Any, v) => match v {
                Obj::Module(_)
                | Obj::Builtin(_)
                | Obj::Method(..)
                | Obj::GlobalParams
                | Obj::Sim
                | Obj::ParamDecl(_)
                | Obj::Analysis(_)
                | Obj::Model(..)
                | Obj::UserFn(_)
                | Obj::NoOp(_)
                | Obj::Class(_) => {
                    return Err(wrong("a value", &v));
                }
                v => v,
            },
            (k, v) => return Err(wrong(kind_text(k), &v)),
        };
        if let Some(x) = v.num() {
            let ok_lo =
                p.lo.map(|(lo, inc)| if inc { x >= lo } else { x > lo })
                    .unwrap_or(true);
            let ok_hi =
                p.hi.map(|(hi, inc)| if inc { x <= hi } else { x < hi })
                    .unwrap_or(true);
            if !(ok_lo && ok_hi) || x.is_nan() {
                let lo =
                    p.lo.map(|(l, inc)| {
                        format!(
                            "{}{}",
                            if inc { "[" } else { "(" },
                            topo_spec::pyfmt::float_repr(l)
                        )
                    })
                    .unwrap_or_else(|| "(None".into());
                let hi =
                    p.hi.map(|(h, inc)| {
                        format!(
                            "{}{}",
                            topo_spec::pyfmt::float_repr(h),
                            if inc { "]" } else { ")" }
                        )
                    })
                    .unwrap_or_else(|| "None)".into());
                return Err(self.err(
                    off,
                    format!(
                        "value {} for {} is out of bounds {lo}, {hi}",
                        crate::pyfmt::py_repr(&v),
                        what()
                    ),
                ));
            }
        }
        Ok(v)
    }
}

fn kind_text(k: &Kind) -> &'static str {
    match k {
        Kind::Num => "a number or a numbergen generator",
        Kind::Int => "an integer",
        Kind::Bool => "a boolean",
        Kind::Str => "a string",
        Kind::Time => "a number (time)",
        Kind::BBox => "a BoundingBox",
        Kind::List => "a list",
        Kind::Tuple => "a tuple",
        Kind::Obj => "a component",
        Kind::Fn => "a function such as numpy.add",
        Kind::Any => "a value",
    }
}

/// Names visible to default expressions of the class table.
fn default_scope() -> HashMap<String, Obj> {
    let mut m = HashMap::new();
    for name in ["topo", "imagen", "numbergen", "numpy", "math", "operator"] {
        m.insert(name.to_string(), Obj::Module(name.to_string()));
    }
    m
}
