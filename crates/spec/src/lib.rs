//! `ModelSpec`: the plain-data description of a Topographica model.
//!
//! This crate is the contract between the `.ty` interpreter (`topo-lang`),
//! which produces a [`ModelSpec`], and the engine (`topo-sim`), which builds a
//! network from it. It holds no behaviour beyond small accessors: everything
//! here is serde data, so `topo-hpc model FILE.ty --json` can print it and a
//! snapshot can store it.
//!
//! # Components
//! Every Topographica object a model file creates (a sheet, a projection, a
//! pattern generator, a transfer / learning / response function, a numbergen
//! generator) is a [`Component`]: a canonical class name plus **every**
//! parameter of that class, with Topographica's defaults and any class-level
//! defaults the file set already resolved. The engine therefore never needs to
//! know a default; it reads `params`.
//!
//! Canonical class names are module-qualified the way Topographica's own
//! modules are, so that equal short names in different modules stay apart:
//!
//! | family | examples |
//! |---|---|
//! | sheets | `topo.sheet.GeneratorSheet`, `topo.sheet.CFSheet`, `topo.sheet.SettlingCFSheet`, `topo.sheet.JointNormalizingCFSheet`, `topo.sheet.lissom.LISSOM` |
//! | projections | `topo.projection.CFProjection`, `topo.projection.SharedWeightCFProjection`, `topo.projection.ResizableCFProjection` |
//! | patterns | `imagen.Gaussian`, `imagen.Disk`, `imagen.Line`, `imagen.Constant`, `imagen.SineGrating`, `imagen.Composite`, `imagen.SeparatedComposite`, `imagen.Selector`, `imagen.random.UniformRandom`, `imagen.random.GaussianCloud` |
//! | numbergen | `numbergen.UniformRandom`, `numbergen.UniformRandomInt`, `numbergen.NormalRandom`, `numbergen.Choice`, `numbergen.ExponentialDecay`, `numbergen.BoundedNumber`, `numbergen.BinaryOperator`, `numbergen.UnaryOperator` |
//! | transfer fns | `topo.transferfn.PiecewiseLinear`, `topo.transferfn.misc.HalfRectify`, `topo.transferfn.misc.HomeostaticResponse`, `topo.transferfn.misc.KernelMax`, `imagen.transferfn.DivisiveNormalizeL1`, `topo.transferfn.IdentityTF` |
//! | CF functions | `topo.responsefn.CFPRF_DotProduct`, `topo.responsefn.CFPRF_EuclideanDistance`, `topo.learningfn.CFPLF_Hebbian`, `topo.learningfn.CFPLF_EuclideanHebbian`, `topo.learningfn.CFPLF_Trace`, `topo.learningfn.CFPLF_Plugin`, `topo.learningfn.CFPLF_Identity`, `topo.transferfn.optimized.CFPOF_DivisiveNormalizeL1` (and its C kernels `..._opt`, `topo.optimized.CFPOF_DivisiveNormalize_L1_cython`), `topo.transferfn.CFPOF_Plugin`, `topo.learningfn.Hebbian` (single-CF) |
//! | array operators | `topo.base.arrayutil.DivideWithConstant`, `topo.base.arrayutil.MultiplyWithConstant` |
//!
//! The `_opt`, `_cython` and `.optimized` variants of Topographica are the
//! same algorithms and map to the plain canonical name.

pub mod pyfmt;
mod time;
pub mod userclass;

pub use time::Time;
pub use userclass::UserClass;

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A value of a parameter, after evaluation of the model file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Value {
    /// Python `None`.
    None,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A string.
    Str(String),
    /// A list.
    List(Vec<Value>),
    /// A tuple (kept apart from lists: e.g. `dest_port` tuples, bounds).
    Tuple(Vec<Value>),
    /// A dict with string keys, in insertion order.
    Dict(Vec<(String, Value)>),
    /// An exact time (a simulation time or delay given as a number).
    Time(Time),
    /// A component instance.
    Object(Box<Component>),
    /// A reference to a built-in function used as a value, by canonical
    /// name: `numpy.add`, `numpy.subtract`, `numpy.multiply`,
    /// `numpy.divide`, `numpy.maximum`, `numpy.minimum`.
    Function(String),
    /// A bounding box `(left, bottom, right, top)` in sheet coordinates
    /// (`BoundingBox(radius=r)` or `BoundingBox(points=...)`).
    BoundingBox([f64; 4]),
}

impl Value {
    /// The value as a float, if it is numeric (ints widen; bools do not).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Float(v) => Some(*v),
            Value::Int(v) => Some(*v as f64),
            Value::Time(t) => Some(t.to_f64()),
            _ => None,
        }
    }

    /// The value as an integer, if it is one.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Int(v) => Some(*v),
            _ => None,
        }
    }

    /// The value as a bool, if it is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(v) => Some(*v),
            _ => None,
        }
    }

    /// The value as a string slice, if it is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The component, if the value is one.
    pub fn as_object(&self) -> Option<&Component> {
        match self {
            Value::Object(c) => Some(c),
            _ => None,
        }
    }

    /// The items of a list or tuple.
    pub fn as_seq(&self) -> Option<&[Value]> {
        match self {
            Value::List(v) | Value::Tuple(v) => Some(v),
            _ => None,
        }
    }
}

/// One instance of a Topographica class with all of its parameters resolved.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Component {
    /// Canonical class name (see the crate docs).
    pub class: String,
    /// Unique instance number, in creation order over the whole model.
    /// Two values with the same `id` are the same Python object (shared
    /// state, e.g. one numbergen stream referenced twice).
    pub id: u64,
    /// Every parameter of the class, by name. Includes `name` (explicit, or
    /// param's default `ClassName` + 5-digit instance counter).
    pub params: BTreeMap<String, Value>,
}

impl Component {
    /// A parameter by name.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.params.get(name)
    }

    /// A numeric parameter as f64, or `None` if absent / not numeric.
    pub fn f64(&self, name: &str) -> Option<f64> {
        self.params.get(name).and_then(Value::as_f64)
    }

    /// The short class name (after the last dot).
    pub fn short_class(&self) -> &str {
        self.class.rsplit('.').next().unwrap_or(&self.class)
    }
}

/// The type of a global parameter declared with `p.add(...)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParamKind {
    /// `param.Number`.
    Number,
    /// `param.Integer`.
    Integer,
    /// `param.Boolean`.
    Boolean,
    /// `param.String`.
    String,
    /// `param.ObjectSelector` with its allowed objects.
    ObjectSelector(Vec<Value>),
    /// `param.List` (e.g. ModelGCAL's `dims`).
    List,
}

/// A global parameter of the model (`p.add(name=param.Number(...))`, or a
/// parameter of a class-based model such as `ModelGCAL`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GlobalParam {
    /// Name.
    pub name: String,
    /// Declared type.
    pub kind: ParamKind,
    /// Declared default.
    pub default: Value,
    /// Value in effect (the default unless `-p` / run_batch set it).
    pub value: Value,
    /// Whether the value came from the command line / run_batch.
    pub specified: bool,
    /// Bounds `(lo, hi)`, either side optional.
    pub bounds: Option<(Option<f64>, Option<f64>)>,
    /// Whether each bound is inclusive.
    pub inclusive_bounds: (bool, bool),
    /// Documentation string.
    pub doc: Option<String>,
}

/// A sheet added with `topo.sim['NAME'] = Class(...)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SheetSpec {
    /// The sheet's name (the key in `topo.sim`).
    pub name: String,
    /// The sheet component (class and all parameters, including
    /// `nominal_bounds`, `nominal_density`, `output_fns`, `input_generator`,
    /// `period`, `phase`, `tsettle`, `strict_tsettle`, `plastic`, ...).
    pub component: Component,
}

/// A connection made with `topo.sim.connect(src, dest, ...)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConnectionSpec {
    /// Source sheet name.
    pub src: String,
    /// Destination sheet name.
    pub dest: String,
    /// Connection name (unique per destination sheet).
    pub name: String,
    /// The projection component (`connection_type` resolved to its class),
    /// with all parameters: `delay` (as [`Value::Time`]), `strength`,
    /// `nominal_bounds_template`, `weights_generator`, `cf_shape`,
    /// `learning_rate`, `response_fn`, `learning_fn`, `weights_output_fns`,
    /// `dest_port`, `src_port`, `activity_group`, ...
    pub component: Component,
}

/// A change to a running simulation, as scheduled commands make it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SimCommand {
    /// `topo.sim['S'].projections()['P'].change_bounds(BoundingBox(...))`.
    ChangeBounds {
        /// Destination sheet.
        sheet: String,
        /// Projection name.
        projection: String,
        /// New nominal bounds `(l, b, r, t)`.
        bounds: [f64; 4],
    },
    /// Set a projection parameter to a value.
    SetProjectionParam {
        /// Destination sheet.
        sheet: String,
        /// Projection name.
        projection: String,
        /// Parameter name (e.g. `learning_rate`, `strength`).
        param: String,
        /// New value.
        value: Value,
    },
    /// `learning_rate = per_unit * n_units`, with `n_units` read when the
    /// command runs (the LISSOM schedule).
    SetLearningRatePerUnit {
        /// Destination sheet.
        sheet: String,
        /// Projection name.
        projection: String,
        /// Rate per connection.
        per_unit: f64,
    },
    /// Set a sheet parameter (e.g. `tsettle`, `plastic`).
    SetSheetParam {
        /// Sheet.
        sheet: String,
        /// Parameter.
        param: String,
        /// New value.
        value: Value,
    },
    /// Set a parameter of one of a sheet's output functions
    /// (e.g. `output_fns[0].lower_bound`).
    SetOutputFnParam {
        /// Sheet.
        sheet: String,
        /// Index into `output_fns`.
        index: usize,
        /// Parameter.
        param: String,
        /// New value.
        value: Value,
    },
    /// A command with no effect (`pass`).
    Pass,
}

/// A command scheduled at an absolute simulation time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScheduledCommand {
    /// When it runs.
    pub time: Time,
    /// The original command text, for script_repr and logs.
    pub text: String,
    /// What it does.
    pub command: SimCommand,
}

/// The whole model: what exists after the model file ran.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct ModelSpec {
    /// The model file it came from.
    pub source: String,
    /// Global parameters, in declaration order.
    pub global_params: Vec<GlobalParam>,
    /// Sheets in the order they were added.
    pub sheets: Vec<SheetSpec>,
    /// Connections in the order they were instantiated (this order decides
    /// who consumes the shared sequential random stream first).
    pub connections: Vec<ConnectionSpec>,
    /// Commands scheduled with `topo.sim.schedule_command` (and the LISSOM
    /// schedule helper), in scheduling order.
    pub scheduled: Vec<ScheduledCommand>,
    /// Seed given to `imagen.random.seed(...)` for the shared sequential
    /// numpy stream (default `(500, 500)` when `None`), as init_by_array
    /// words.
    pub shared_random_seed: Option<Vec<u32>>,
    /// `param.random_seed`: the second input of every time-dependent
    /// numbergen / imagen.random hash. Specs written before this field
    /// existed load with param's default (42).
    #[serde(default)]
    pub param_random_seed: ParamRandomSeed,
    /// Analysis settings the file made, keyed `Class.attribute`, e.g.
    /// `FeatureMaps.selectivity_multiplier`, `MeasureResponseCommand.durations`,
    /// `FeatureMaps.cmd_overrides.apply_output_fns`.
    pub analysis: BTreeMap<String, Value>,
    /// Functions defined with `def` for analysis, by name.
    pub functions: BTreeMap<String, FunctionSpec>,
    /// Classes the model file defined (`class X(LearningFn): ...`), by
    /// qualified name (`__main__.X`); their instances are components of
    /// that class. Specs written before this field existed load empty.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub user_classes: BTreeMap<String, UserClass>,
    /// `topo.command.default_analysis_plotgroups` as the file sets it
    /// (plot-group names, measured in order by the default analysis);
    /// None: Topographica's `["Orientation Preference", "Activity"]`.
    #[serde(default)]
    pub default_analysis_plotgroups: Option<Vec<String>>,
}

/// The value of `param.random_seed` (an integer; param's default is 42).
/// Serialised as a plain number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ParamRandomSeed(pub i64);

impl ParamRandomSeed {
    /// param's default, `param.random_seed = 42`.
    pub const DEFAULT: ParamRandomSeed = ParamRandomSeed(42);
}

impl Default for ParamRandomSeed {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// A user function (`def f(): ...`) whose body is a list of calls to
/// built-in commands (used as run_batch's `analysis_fn`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FunctionSpec {
    /// Name.
    pub name: String,
    /// Calls in order.
    pub body: Vec<Call>,
}

/// A call of a built-in command with evaluated arguments.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Call {
    /// Command name (e.g. `measure_or_pref`, `save_snapshot`).
    pub name: String,
    /// Positional arguments.
    pub args: Vec<Value>,
    /// Keyword arguments.
    pub kwargs: Vec<(String, Value)>,
    /// `file:line:col` of the call, for error messages.
    pub location: String,
}

/// A top-level command from `-c` text or a script, in order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TopCommand {
    /// `run_batch('file.ty', name=value, ...)`: `options` are run_batch's own
    /// parameters (times, tag, analysis_fn, ...), `params` the model's.
    RunBatch {
        /// Model file.
        script: String,
        /// run_batch options.
        options: Vec<(String, Value)>,
        /// Model parameters, in the order given.
        params: Vec<(String, Value)>,
    },
    /// Execute a model file (a filename argument on the command line).
    ExecFile {
        /// Path.
        script: String,
    },
    /// `topo.sim.run(duration)`.
    Run {
        /// Duration.
        duration: Time,
    },
    /// `-p name=value`.
    SetGlobalParam {
        /// Name.
        name: String,
        /// Value.
        value: Value,
    },
    /// Any other built-in command call (`save_snapshot()`,
    /// `load_snapshot('f')`, `save_script_repr()`, ...).
    Call(Call),
    /// `def name(): ...` in `-c` text: from here on, `analysis_fn=name` in a
    /// `run_batch` refers to this function (it replaces an earlier `-c`
    /// definition of the same name, as in Python's `__main__`).
    DefineFunction(FunctionSpec),
    /// `param.random_seed = N` in `-c` text: model files executed after it
    /// start with this global seed (a file that sets its own wins, as the
    /// later assignment in Python's `__main__`).
    SetRandomSeed(i64),
}
