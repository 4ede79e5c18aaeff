//! Subclasses of the class-based GCAL models in a model file:
//!
//! ```text
//! @Model.definition
//! class MyGCAL(ModelGCAL):
//!     @Model.CFProjection
//!     def lateral_inhibitory(self, src_properties, dest_properties):
//!         params = super(MyGCAL, self).lateral_inhibitory(src_properties, dest_properties)
//!         return dict(params, strength=2.0)
//! ```
//!
//! In Topographica (topo/submodel/__init__.py, Model.setup) each decorated
//! method returns the parameters of one component; a subclass method that
//! takes its parent's and returns `dict(params, k=v, ...)` changes those
//! parameters. That is the form accepted here: topo-hpc's ModelGCAL
//! expansion ([`crate::gcal`]) builds each component from a parameter
//! dict and applies the subclass's keys on top, evaluated in the model
//! file's namespace when the model is instantiated (as Python calls the
//! methods then). The decorator may not change the component's type
//! except to its equivalent (`Model.SparseCFProjection`, see
//! [`crate::sparse`]).

use crate::error::{LangError, Source};
use crate::interp::{dotted_name, Interp, R};
use crate::obj::Obj;
use rustpython_parser::ast::{self, Ranged};
use std::rc::Rc;

/// The components of ModelGCAL a subclass may change: method name and the
/// component class its decorator must build.
const METHODS: &[(&str, &str)] = &[
    ("V1", "topo.sheet.SettlingCFSheet"),
    ("V1_afferent", "topo.projection.CFProjection"),
    ("lateral_excitatory", "topo.projection.CFProjection"),
    ("lateral_inhibitory", "topo.projection.CFProjection"),
];

/// The value `topo.submodel.Model` stands for (a module-like namespace of
/// decorators).
pub(crate) const MODEL: &str = "topo.submodel.Model";

/// The built-in model classes a `.ty` model class may derive from
/// (topo/submodel/gcal.py and topo/submodel/color.py).
fn is_gcal_base(name: &str) -> bool {
    matches!(
        name,
        "ModelGCAL" | "ExamplesGCAL" | "ModelGCALColor" | "ModelGCALInheritingColor"
    )
}

/// One overriding method: which component, and its keys.
#[derive(Clone, Debug)]
pub(crate) struct Override {
    pub(crate) method: String,
    pub(crate) keys: Vec<(String, ast::Expr)>,
}

/// A model file's subclass of ModelGCAL/ExamplesGCAL.
#[derive(Clone, Debug)]
pub(crate) struct ModelSubclass {
    /// `ModelGCAL` or `ExamplesGCAL`.
    pub(crate) base: String,
    pub(crate) overrides: Vec<Override>,
    /// Where the class was written (its keys are evaluated there).
    pub(crate) src: Rc<Source>,
}

/// Decorators of `topo.submodel.Model` and the component class each
/// builds (`Model.definition` marks a model class).
fn decorator_class(name: &str) -> Option<&'static str> {
    Some(match name {
        "definition" => "definition",
        "SettlingCFSheet" => "topo.sheet.SettlingCFSheet",
        "CFProjection" => "topo.projection.CFProjection",
        // topo.sparse.sparsecf registers this decorator; the dense
        // projection computes the same numbers (crate::sparse)
        "SparseCFProjection" => "topo.projection.CFProjection",
        "SharedWeightCFProjection" => "topo.projection.SharedWeightCFProjection",
        "GeneratorSheet" => "topo.sheet.GeneratorSheet",
        "ChannelGeneratorSheet" => "topo.sheet.ChannelGeneratorSheet",
        "CFSheet" => "topo.sheet.CFSheet",
        "LISSOM" => "topo.sheet.lissom.LISSOM",
        _ => return None,
    })
}

impl Interp {
    /// `topo.submodel.Model.<name>`; `Ok(None)` for other modules.
    pub(crate) fn submodel_attr(&self, module: &str, name: &str, off: usize) -> R<Option<Obj>> {
        if module == "topo.submodel" && name == "Model" {
            return Ok(Some(Obj::Module(MODEL.into())));
        }
        if module != MODEL {
            return Ok(None);
        }
        if name.starts_with("GPU") {
            return Err(self.err(
                off,
                format!(
                    "Model.{name}: GPU components (topo.gpu, CUDA) are not available in topo-hpc"
                ),
            ));
        }
        match decorator_class(name) {
            Some(_) => Ok(Some(Obj::Builtin(format!("{MODEL}.{name}")))),
            None => Err(self.err(
                off,
                format!("Model.{name} is not supported by topo-hpc (model subclasses may use Model.definition, Model.SettlingCFSheet, Model.CFProjection, Model.SparseCFProjection)"),
            )),
        }
    }

    /// Which decorator `e` is (`Model.X`, possibly through a variable).
    fn decorator_of(&mut self, e: &ast::Expr) -> R<&'static str> {
        let off = e.range().start().to_usize();
        match self.eval(e)? {
            Obj::Builtin(b) if b.starts_with(MODEL) => {
                let name = &b[MODEL.len() + 1..];
                decorator_class(name)
                    .ok_or_else(|| self.err(off, format!("unknown decorator Model.{name}")))
            }
            other => Err(self.err(
                off,
                format!(
                    "decorators in a model class must be Model.<component> (topo.submodel), not {}",
                    other.type_name()
                ),
            )),
        }
    }

    /// Whether `class X(...)` is a model class (`@Model.definition` or a
    /// ModelGCAL base), which [`Interp::define_model_subclass`] handles.
    pub(crate) fn is_model_class(&mut self, c: &ast::StmtClassDef) -> bool {
        let named = |e: &ast::Expr, n: &str| dotted_name(e).is_some_and(|d| d.ends_with(n));
        c.decorator_list.iter().any(|d| named(d, "definition"))
            || c.bases
                .iter()
                .any(|b| matches!(self.eval(b), Ok(Obj::Builtin(ref n)) if is_gcal_base(n)))
    }

    /// `@Model.definition class X(ModelGCAL): ...`: records the methods
    /// that change ModelGCAL's components and binds `X`.
    pub(crate) fn define_model_subclass(&mut self, c: &ast::StmtClassDef) -> R<()> {
        let off = c.range().start().to_usize();
        let name = c.name.to_string();
        for d in &c.decorator_list {
            if self.decorator_of(d)? != "definition" {
                return Err(self.err(
                    d.range().start().to_usize(),
                    format!(
                        "class {name}: a model class takes only the @Model.definition decorator"
                    ),
                ));
            }
        }
        let base = match c.bases.as_slice() {
            [b] => match self.eval(b)? {
                Obj::Builtin(n) if is_gcal_base(&n) => n,
                other => {
                    return Err(self.err(
                        b.range().start().to_usize(),
                        format!("class {name}: model classes may derive from ModelGCAL, ExamplesGCAL, ModelGCALColor or ModelGCALInheritingColor, not {}", other.type_name()),
                    ))
                }
            },
            _ => return Err(self.err(off, format!("class {name}: a model class needs exactly one base (ModelGCAL, ExamplesGCAL, ModelGCALColor or ModelGCALInheritingColor)"))),
        };
        let mut overrides = Vec::new();
        for s in &c.body {
            let soff = s.range().start().to_usize();
            match s {
                ast::Stmt::Expr(e) if matches!(e.value.as_ref(), ast::Expr::Constant(k) if matches!(k.value, ast::Constant::Str(_))) => {}
                ast::Stmt::Pass(_) => {}
                ast::Stmt::FunctionDef(f) => overrides.push(self.model_method(&name, f)?),
                _ => {
                    return Err(self.err(
                        soff,
                        format!("class {name}: a model subclass may only override component methods (new parameters and other statements are not supported)"),
                    ))
                }
            }
        }
        self.model_subclasses.insert(
            name.clone(),
            ModelSubclass {
                base,
                overrides,
                src: self.src.clone(),
            },
        );
        self.bind(&name, Obj::Builtin(format!("model:{name}")));
        Ok(())
    }

    /// One `@Model.X def method(self, ...): params = super(...).method(...);
    /// return dict(params, k=v, ...)`.
    fn model_method(&mut self, class: &str, f: &ast::StmtFunctionDef) -> R<Override> {
        let off = f.range().start().to_usize();
        let method = f.name.to_string();
        let supported = || {
            METHODS
                .iter()
                .map(|(m, _)| *m)
                .collect::<Vec<_>>()
                .join(", ")
        };
        let Some(&(_, class_of)) = METHODS.iter().find(|(m, _)| *m == method) else {
            return Err(self.err(off, format!("class {class}: overriding '{method}' is not supported; a subclass may change {}", supported())));
        };
        let [d] = f.decorator_list.as_slice() else {
            return Err(self.err(off, format!("{class}.{method} needs exactly one decorator (the Model.<component> of the method it overrides)")));
        };
        let built = self.decorator_of(d)?;
        if built != class_of {
            return Err(self.err(
                d.range().start().to_usize(),
                format!("{class}.{method}: the decorator builds {built}, but topo-hpc's {method} is a {class_of}; changing a component's type is not supported"),
            ));
        }
        let shape = format!("{class}.{method}: the body must be `params = super({class}, self).{method}(...)` then `return dict(params{}, key=value, ...)`", if method == "V1_afferent" { "[0]" } else { "" });
        let body: Vec<&ast::Stmt> = f
            .body
            .iter()
            .filter(|s| !matches!(s, ast::Stmt::Expr(e) if matches!(e.value.as_ref(), ast::Expr::Constant(k) if matches!(k.value, ast::Constant::Str(_)))))
            .collect();
        let [ast::Stmt::Assign(a), ast::Stmt::Return(r)] = body.as_slice() else {
            let at = body
                .first()
                .map(|s| s.range().start().to_usize())
                .unwrap_or(off);
            return Err(self.err(at, shape));
        };
        let var = match a.targets.as_slice() {
            [ast::Expr::Name(n)] => n.id.to_string(),
            _ => return Err(self.err(a.range().start().to_usize(), shape)),
        };
        if !self.is_super_call(&a.value, class, &method) {
            return Err(self.err(a.value.range().start().to_usize(), shape));
        }
        let Some(ast::Expr::Call(ret)) = r.value.as_deref() else {
            return Err(self.err(r.range().start().to_usize(), shape));
        };
        let roff = ret.range().start().to_usize();
        let parent = match ret.args.as_slice() {
            [p] => p,
            _ => return Err(self.err(roff, shape)),
        };
        // ModelGCAL.V1_afferent returns a list (one entry per lag); the
        // others return one dict (topo/submodel/gcal.py)
        let names_parent = match parent {
            ast::Expr::Name(n) => method != "V1_afferent" && n.id.as_str() == var,
            ast::Expr::Subscript(s) => {
                method == "V1_afferent"
                    && matches!(s.value.as_ref(), ast::Expr::Name(n) if n.id.as_str() == var)
                    && matches!(s.slice.as_ref(), ast::Expr::Constant(k) if matches!(k.value, ast::Constant::Int(ref i) if i.to_string() == "0"))
            }
            _ => false,
        };
        if dotted_name(&ret.func).as_deref() != Some("dict") || !names_parent {
            return Err(self.err(roff, shape));
        }
        let mut keys = Vec::new();
        for k in &ret.keywords {
            let Some(key) = &k.arg else {
                return Err(self.err(
                    k.range().start().to_usize(),
                    format!("{class}.{method}: name each changed parameter (key=value)"),
                ));
            };
            keys.push((key.to_string(), k.value.clone()));
        }
        Ok(Override { method, keys })
    }

    /// `super(Class, self).method(<the method's own arguments>)`.
    fn is_super_call(&self, e: &ast::Expr, class: &str, method: &str) -> bool {
        let ast::Expr::Call(call) = e else {
            return false;
        };
        let ast::Expr::Attribute(at) = call.func.as_ref() else {
            return false;
        };
        let ast::Expr::Call(sup) = at.value.as_ref() else {
            return false;
        };
        let is_name =
            |e: &ast::Expr, n: &str| matches!(e, ast::Expr::Name(x) if x.id.as_str() == n);
        at.attr.as_str() == method
            && is_name(&sup.func, "super")
            && matches!(sup.args.as_slice(), [c, s] if is_name(c, class) && is_name(s, "self"))
            && call.keywords.is_empty()
    }

    /// The parameter dicts a subclass puts over ModelGCAL's components,
    /// by method name, evaluated now in the file's namespace (Python
    /// calls the methods when the model is instantiated).
    pub(crate) fn model_overrides(&mut self, class: &str, off: usize) -> R<Vec<(String, Obj)>> {
        let mut out: Vec<(String, Obj)> = METHODS
            .iter()
            .map(|(m, _)| (m.to_string(), Obj::Dict(Vec::new())))
            .collect();
        let Some(sub) = self.model_subclasses.get(class).cloned() else {
            return Ok(out);
        };
        let saved = std::mem::replace(&mut self.src, sub.src.clone());
        let r = (|| {
            for o in &sub.overrides {
                let mut items = Vec::new();
                for (k, e) in &o.keys {
                    let koff = e.range().start().to_usize();
                    let v = self.eval(e)?;
                    if k == "cf_type" {
                        // the dense path has one CF type, which holds
                        // what SparseConnectionField holds
                        if crate::sparse::is_cf_type(&v) {
                            continue;
                        }
                        return Err(self.err(koff, format!("{class}.{}: cf_type {} is not supported (only the dense ConnectionField or SparseConnectionField)", o.method, v.type_name())));
                    }
                    let v = self.dense_value(v, koff)?;
                    crate::expr::dict_set(&mut items, k.clone(), v);
                }
                if let Some(slot) = out.iter_mut().find(|(m, _)| *m == o.method) {
                    slot.1 = Obj::Dict(items);
                }
            }
            Ok(())
        })();
        self.src = saved;
        r.map_err(|e| LangError {
            message: format!("{} (while instantiating {class})", e.message),
            ..e
        })?;
        let _ = off;
        Ok(out)
    }

    /// A sparse projection function (passed uncalled, as Topographica
    /// does) becomes its dense component; lists are mapped item by item.
    fn dense_value(&mut self, v: Obj, off: usize) -> R<Obj> {
        match v {
            Obj::Func(f) => match crate::sparse::dense_component(&f) {
                Some(class) => self.construct(class, Vec::new(), off),
                None => Ok(Obj::Func(f)),
            },
            Obj::List(items) => Ok(Obj::List(
                items
                    .into_iter()
                    .map(|x| self.dense_value(x, off))
                    .collect::<R<_>>()?,
            )),
            other => Ok(other),
        }
    }
}
