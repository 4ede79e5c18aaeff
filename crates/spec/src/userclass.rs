//! User-defined components: a Python class in a model file whose
//! `__call__` is a numpy-style array expression (tiny.ty's
//! `SampleHebbian(LearningFn)`, obermayer_pnas90.ty's decay schedules).
//!
//! `topo-lang` compiles the class into a [`UserClass`]: its family, the
//! names of its parameters and the body of `__call__` as a small typed
//! expression tree ([`Kernel`]). Instances are ordinary [`crate::Component`]s
//! whose `class` is the class's name in `__main__` and whose `params`
//! hold the parameter values; the engine compiles the kernel once and
//! applies it to the arrays the family passes.
//!
//! The tree keeps Python's evaluation order (left to right, one node per
//! operation) so that the engine can reproduce numpy's floating-point
//! results exactly; dtypes are decided by the engine from the arguments
//! (numpy's rules: a scalar never widens a float32 array).

use serde::{Deserialize, Serialize};

/// What a user class is, i.e. how the engine calls it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// `LearningFn.__call__(self, input_activity, unit_activity, weights,
    /// single_connection_learning_rate)`, applied to every CF by
    /// `CFPLF_Plugin` (Topographica's topo/base/cf.py).
    LearningFn,
    /// `TransferFn.__call__(self, x)`, modifying a sheet's activity in place.
    TransferFn,
    /// A `param.Parameterized` with `__call__(self)` returning a number of
    /// the simulation time (`self.time_fn()`), used as a dynamic parameter
    /// value (obermayer_pnas90.ty's `LinearDecay`).
    TimeFn,
    /// A `CoordinateMapperFn` (topo/base/functionfamily.py): `__call__(self,
    /// x, y)` returns the pair `(x', y')` a projection centres a unit's CF
    /// on (CFProjection's `coord_mapper`, topo/base/cf.py
    /// `CFProjection._generate_coords`).
    CoordinateMapperFn,
    /// An imagen `PatternGenerator` subclass defining `function(self,
    /// params)` (imagen/patterngenerator.py, `PatternGenerator.__call__`
    /// calls it after `_setup_xy`): `params['name']` reads are
    /// [`KExpr::Param`], `self.pattern_x` / `self.pattern_y` are
    /// [`KExpr::Arg`] 1 / 2 (arrays over the sampling grid), instance state
    /// is read as [`KExpr::Param`]`("self.<attr>")` and written by
    /// [`KStmt::SetState`]. The statements before `return` are scalar (a
    /// state machine run once per call); the returned expression is
    /// element-wise over the pattern coordinates.
    PatternGenerator,
}

impl Family {
    /// The argument names of `__call__` after `self`, as Topographica's
    /// callers pass them (topo/base/functionfamily.py).
    pub fn call_args(self) -> &'static [&'static str] {
        match self {
            Family::LearningFn => &[
                "input_activity",
                "unit_activity",
                "weights",
                "single_connection_learning_rate",
            ],
            Family::TransferFn => &["x"],
            Family::TimeFn => &[],
            Family::CoordinateMapperFn => &["x", "y"],
            Family::PatternGenerator => &["params"],
        }
    }
}

/// A user class compiled from a model file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserClass {
    /// `__main__.Name`: the class's qualified name in Topographica.
    pub name: String,
    /// How it is called.
    pub family: Family,
    /// `file:line:col` of the `class` statement, for engine errors.
    pub location: String,
    /// The class's text as written (script_repr writes it back).
    pub source: String,
    /// The declared parameters, in declaration order.
    pub params: Vec<String>,
    /// The body of `__call__` (`function` for a pattern generator).
    pub call: Kernel,
    /// Numeric class attributes (`offEdge = 1`): the initial values of the
    /// instance state a pattern generator writes.
    #[serde(default)]
    pub consts: std::collections::BTreeMap<String, f64>,
}

/// The body of `__call__`: statements over the arguments (by position in
/// [`Family::call_args`]), local variables (by slot) and parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Kernel {
    /// Number of local-variable slots.
    pub locals: usize,
    /// Statements in order.
    pub body: Vec<KStmt>,
}

/// A statement of a kernel.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KStmt {
    /// `local = value`.
    Local {
        /// Slot.
        slot: usize,
        /// Value.
        value: KExpr,
    },
    /// `arg op= value` (in place on a passed array), or `arg[...] = value`
    /// when `op` is `None`.
    InPlace {
        /// Argument position.
        arg: usize,
        /// Operator of the augmented assignment.
        op: Option<BinOp>,
        /// Right-hand side.
        value: KExpr,
    },
    /// `if test: body else: orelse` (scalar test).
    If {
        /// Condition.
        test: KExpr,
        /// Taken when true.
        body: Vec<KStmt>,
        /// Taken when false.
        orelse: Vec<KStmt>,
    },
    /// `return value`.
    Return(KExpr),
    /// `return a, b`: a coordinate mapper's result pair.
    ReturnPair(KExpr, KExpr),
    /// `self.name = value` (`op` `None`) or `self.name op= value`: instance
    /// state of a pattern generator, which is called once per presentation
    /// in sequence (never per unit), so state is deterministic.
    SetState {
        /// Attribute name.
        name: String,
        /// Operator of the augmented assignment.
        op: Option<BinOp>,
        /// Right-hand side.
        value: KExpr,
    },
}

/// An expression of a kernel.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KExpr {
    /// A float literal (or an int literal, which numpy treats alike here).
    Num(f64),
    /// An argument of `__call__`.
    Arg(usize),
    /// A local variable.
    Local(usize),
    /// `self.name`: a parameter of the instance.
    Param(String),
    /// The simulation time (`self.time_fn()`, `topo.sim.time()`).
    Time,
    /// `-x`, `+x`, `not x`.
    Unary(UnOp, Box<KExpr>),
    /// `a op b`.
    Binary(BinOp, Box<KExpr>, Box<KExpr>),
    /// `a op b` for a comparison (1.0 true, 0.0 false).
    Compare(CmpOp, Box<KExpr>, Box<KExpr>),
    /// `body if test else orelse` (scalar test).
    IfExp(Box<KExpr>, Box<KExpr>, Box<KExpr>),
    /// A numpy element-wise function, `where` or `clip`.
    Call(Func, Vec<KExpr>),
    /// A reduction over a whole array (`numpy.sum(x)`, `x.max()`).
    Reduce(Reduction, Box<KExpr>),
}

/// Unary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnOp {
    /// `-x`.
    Neg,
    /// `+x`.
    Pos,
    /// `not x`.
    Not,
}

/// Binary arithmetic operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BinOp {
    /// `+`.
    Add,
    /// `-`.
    Sub,
    /// `*`.
    Mul,
    /// `/` (true division: the kernel's operands are floats).
    Div,
    /// `**`.
    Pow,
}

impl BinOp {
    /// The IEEE operation numpy performs.
    #[inline]
    pub fn apply(self, a: f64, b: f64) -> f64 {
        match self {
            BinOp::Add => a + b,
            BinOp::Sub => a - b,
            BinOp::Mul => a * b,
            BinOp::Div => a / b,
            BinOp::Pow => a.powf(b),
        }
    }
}

/// Comparison operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CmpOp {
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
    /// `==`.
    Eq,
    /// `!=`.
    Ne,
}

impl CmpOp {
    /// The comparison as a number (numpy's booleans count as 0 / 1).
    #[inline]
    pub fn apply(self, a: f64, b: f64) -> f64 {
        let r = match self {
            CmpOp::Lt => a < b,
            CmpOp::Le => a <= b,
            CmpOp::Gt => a > b,
            CmpOp::Ge => a >= b,
            CmpOp::Eq => a == b,
            CmpOp::Ne => a != b,
        };
        f64::from(u8::from(r))
    }
}

/// Element-wise functions (numpy's ufuncs and `where` / `clip`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Func {
    /// `abs` / `numpy.abs` / `numpy.absolute`.
    Abs,
    /// `numpy.exp`.
    Exp,
    /// `numpy.log`.
    Log,
    /// `numpy.sqrt`.
    Sqrt,
    /// `numpy.sin`.
    Sin,
    /// `numpy.cos`.
    Cos,
    /// `numpy.tanh`.
    Tanh,
    /// `numpy.floor`.
    Floor,
    /// `numpy.ceil`.
    Ceil,
    /// `numpy.sign`.
    Sign,
    /// `numpy.maximum(a, b)`.
    Maximum,
    /// `numpy.minimum(a, b)`.
    Minimum,
    /// `numpy.where(cond, a, b)`.
    Where,
    /// `numpy.clip(x, lo, hi)`.
    Clip,
    /// `float(x)`: no change for the kernel's float values.
    Float,
    /// `math.fmod(a, b)`: C's fmod (the result has the sign of `a`).
    Fmod,
    /// Python 2's built-in `round(x)`: to the nearest integer, halves away
    /// from zero, as a float.
    Round,
    /// `math.radians(x)`: `x * (pi / 180)` (CPython's mathmodule.c).
    Radians,
    /// imagen's `patternfn.line(y, thickness, gaussian_width)`
    /// (imagen/patternfn.py): 1 within `thickness / 2` of the line, a
    /// Gaussian fall-off beyond.
    Line,
}

impl Func {
    /// Number of arguments.
    pub fn arity(self) -> usize {
        match self {
            Func::Maximum | Func::Minimum | Func::Fmod => 2,
            Func::Where | Func::Clip | Func::Line => 3,
            _ => 1,
        }
    }

    /// The function of one argument.
    #[inline]
    pub fn apply1(self, x: f64) -> f64 {
        match self {
            Func::Abs => x.abs(),
            Func::Exp => x.exp(),
            Func::Log => x.ln(),
            Func::Sqrt => x.sqrt(),
            Func::Sin => x.sin(),
            Func::Cos => x.cos(),
            Func::Tanh => x.tanh(),
            Func::Floor => x.floor(),
            Func::Ceil => x.ceil(),
            // f64::round rounds halves away from zero, as Python 2's round.
            Func::Round => x.round(),
            Func::Radians => x * (std::f64::consts::PI / 180.0),
            Func::Sign => {
                if x.is_nan() {
                    f64::NAN
                } else if x > 0.0 {
                    1.0
                } else if x < 0.0 {
                    -1.0
                } else {
                    0.0
                }
            }
            _ => x,
        }
    }

    /// The function of several arguments (numpy's NaN propagation for
    /// `maximum` / `minimum`; `clip` is `minimum(maximum(x, lo), hi)`).
    #[inline]
    pub fn apply_n(self, a: f64, b: f64, c: f64) -> f64 {
        let max = |x: f64, y: f64| {
            if x.is_nan() || y.is_nan() {
                f64::NAN
            } else {
                x.max(y)
            }
        };
        let min = |x: f64, y: f64| {
            if x.is_nan() || y.is_nan() {
                f64::NAN
            } else {
                x.min(y)
            }
        };
        match self {
            Func::Maximum => max(a, b),
            Func::Minimum => min(a, b),
            Func::Where => {
                if a != 0.0 {
                    b
                } else {
                    c
                }
            }
            Func::Clip => min(max(a, b), c),
            // Rust's float `%` is C's fmod.
            Func::Fmod => a % b,
            Func::Line => line(a, b, c),
            other => other.apply1(a),
        }
    }
}

/// One element of imagen's `patternfn.line` in numpy's operation order:
/// `g = abs(y) - thickness/2.0`, `falloff = exp((-g*g) / (2*sigmasq))`
/// (`y*0.0` when `sigmasq == 0`), `where(g <= 0, 1.0, falloff)`.
#[inline]
pub fn line(y: f64, thickness: f64, gaussian_width: f64) -> f64 {
    let g = y.abs() - thickness / 2.0;
    let sigmasq = gaussian_width * gaussian_width;
    let falloff = if sigmasq == 0.0 {
        y * 0.0
    } else {
        (-g * g / (2.0 * sigmasq)).exp()
    };
    if g <= 0.0 {
        1.0
    } else {
        falloff
    }
}

/// Reductions over a whole array.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reduction {
    /// `numpy.sum` / `x.sum()` (numpy's pairwise summation).
    Sum,
    /// `numpy.max` / `x.max()`.
    Max,
    /// `numpy.min` / `x.min()`.
    Min,
    /// `numpy.mean` / `x.mean()` (pairwise sum, then divided by the count).
    Mean,
}
