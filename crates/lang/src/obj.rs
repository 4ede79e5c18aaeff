//! Run-time values of the interpreter.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

/// A component instance under construction / in use by the model file.
#[derive(Debug)]
pub(crate) struct Comp {
    /// Canonical class name.
    pub(crate) class: String,
    /// Creation number.
    pub(crate) id: u64,
    /// Every parameter, resolved.
    pub(crate) params: BTreeMap<String, Obj>,
}

/// Shared handle: two handles to one `Comp` are one Python object.
pub(crate) type CompRef = Rc<RefCell<Comp>>;

/// A declared global parameter type (`param.Number(...)` etc.).
#[derive(Clone, Debug)]
pub(crate) struct ParamDecl {
    pub(crate) kind: String,
    pub(crate) default: Obj,
    pub(crate) bounds: Option<(Option<f64>, Option<f64>)>,
    pub(crate) inclusive: (bool, bool),
    pub(crate) objects: Vec<Obj>,
    pub(crate) doc: Option<String>,
}

/// A value.
#[derive(Clone, Debug)]
pub(crate) enum Obj {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<Obj>),
    Tuple(Vec<Obj>),
    Dict(Vec<(String, Obj)>),
    BBox([f64; 4]),
    Comp(CompRef),
    /// A class, by canonical name.
    Class(String),
    /// A module, by path.
    Module(String),
    /// A function used as a value (`numpy.add`, `operator.add`, ...).
    Func(String),
    /// A callable built-in (`int`, `math.sqrt`, `imagen.random.seed`, ...).
    Builtin(String),
    /// A method bound to a receiver.
    Method(Box<Obj>, String),
    /// `topo.misc.commandline.global_params`.
    GlobalParams,
    /// `topo.sim`.
    Sim,
    /// A declared global parameter type.
    ParamDecl(Box<ParamDecl>),
    /// An analysis class or attribute path (`FeatureMaps`, ...).
    Analysis(String),
    /// A class-based model object (`ModelGCAL(...)`): class and params.
    Model(String, Vec<(String, Obj)>),
    /// A user function defined with `def`.
    UserFn(String),
    /// A GUI-only object (plot-group helpers): attributes and calls give
    /// further no-ops (see `namespace.rs`).
    NoOp(String),
}

impl Obj {
    /// Python's type name, for messages.
    pub(crate) fn type_name(&self) -> String {
        match self {
            Obj::None => "NoneType".into(),
            Obj::Bool(_) => "bool".into(),
            Obj::Int(_) => "int".into(),
            Obj::Float(_) => "float".into(),
            Obj::Str(_) => "str".into(),
            Obj::List(_) => "list".into(),
            Obj::Tuple(_) => "tuple".into(),
            Obj::Dict(_) => "dict".into(),
            Obj::BBox(_) => "BoundingBox".into(),
            Obj::Comp(c) => c.borrow().class.clone(),
            Obj::Class(c) => format!("class {c}"),
            Obj::Module(m) => format!("module {m}"),
            Obj::Func(f) => format!("function {f}"),
            Obj::Builtin(f) => format!("built-in {f}"),
            Obj::Method(_, m) => format!("method {m}"),
            Obj::GlobalParams => "global_params".into(),
            Obj::Sim => "Simulation".into(),
            Obj::ParamDecl(d) => format!("param.{}", d.kind),
            Obj::Analysis(a) => a.clone(),
            Obj::Model(m, _) => m.clone(),
            Obj::UserFn(f) => format!("function {f}"),
            Obj::NoOp(n) => format!("GUI-only {n}"),
        }
    }

    /// Numeric value (ints widen; bools count, as in Python arithmetic).
    pub(crate) fn num(&self) -> Option<f64> {
        match self {
            Obj::Int(v) => Some(*v as f64),
            Obj::Float(v) => Some(*v),
            Obj::Bool(b) => Some(*b as i64 as f64),
            _ => None,
        }
    }

    /// Python truthiness.
    pub(crate) fn truthy(&self) -> bool {
        match self {
            Obj::None => false,
            Obj::Bool(b) => *b,
            Obj::Int(v) => *v != 0,
            Obj::Float(v) => *v != 0.0,
            Obj::Str(s) => !s.is_empty(),
            Obj::List(v) | Obj::Tuple(v) => !v.is_empty(),
            Obj::Dict(v) => !v.is_empty(),
            _ => true,
        }
    }
}
