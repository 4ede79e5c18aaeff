//! The random streams of a whole model: every numbergen generator's state
//! and imagen's shared numpy stream, in one serialisable value.
//!
//! # How values are produced
//! A parameter bound to a numbergen object is a `param.Dynamic` value.
//! Topographica sets `param.Dynamic.time_dependent = True`, so the object's
//! value is produced anew only when the simulation time differs from the time
//! of its previous production (or when forced); otherwise the previous value
//! is returned. The cache belongs to the object (param stores it on the
//! generator), so two parameters sharing one object share its value. Objects
//! nested inside another (the operand of a `BinaryOperator`, the generator of
//! a `BoundedNumber`) are called directly, without caching.
//!
//! # Random distributions
//! `UniformRandom`, `UniformRandomOffset`, `UniformRandomInt`, `Choice`,
//! `NormalRandom` and `VonMisesRandom` each own a Python `random.Random`,
//! seeded with their `seed` (param `RandomDistribution.__init__` with
//! `shared=False`). With `time_dependent` true the generator is reseeded
//! before every draw with `Hash(name + str(seed))(t, param.random_seed)`,
//! so its value is a function of time (and of `param.random_seed`) alone.
//!
//! # `param.random_seed`
//! param reads the global `param.random_seed` (default 42) at every time
//! hash (`TimeAwareRandomState._hash_and_seed`): it is the second hash
//! input of every time-dependent random distribution above and of every
//! time-dependent imagen random pattern ([`Streams::hashed_numpy`]).
//! Sequential streams (not time-dependent, and imagen's shared numpy
//! stream) do not read it. A model's value is given with
//! [`Streams::with_random_seed`] and kept with the streams, so a snapshot
//! restores it.
//!
//! A `seed` of `None` gives Topographica an uncontrolled seed
//! (`random.Random().randint(0, 1000000)`), irreproducible by design. Here a
//! sequential stream with no seed is seeded, reproducibly, with the md5 hash
//! of its name ([`crate::hash::hash_rationals`]`(name, [])`). Time-dependent
//! streams never depend on that seed (they are reseeded from the hash before
//! each draw, whose name then has no seed suffix), so they match
//! Topographica exactly.
//!
//! # Parameters read (as `topo-lang` puts them in `Component.params`)
//! Class names are `numbergen.<Class>`. All: `name` (Str). Random
//! distributions: `seed` (Int or None), `time_dependent` (Bool, default
//! false), and `lbound`/`ubound` (UniformRandom, UniformRandomInt),
//! `mean`/`range` (UniformRandomOffset), `mu`/`sigma` (NormalRandom),
//! `mu`/`kappa` (VonMisesRandom), `choices` (List; Choice).
//! `ExponentialDecay`: `starting_value`, `ending_value`, `time_constant`,
//! `base` (e). `ScaledTime`: `factor`. `BoxCar`: `onset`, `duration`.
//! `SquareWave`: `onset`, `duration`, `off_duration`. `BoundedNumber`:
//! `generator`, `bounds` (pair, either side None). `BinaryOperator`: `lhs`,
//! `rhs` (numbers or components, as stored, i.e. already swapped for the
//! reflected operators such as `0.0 + gen`), `operator` (Str or Function:
//! `add`, `sub`, `mul`, `truediv`, `div`, `floordiv`, `mod`, `pow`, numpy's
//! `maximum`/`minimum`, also spelt `operator.add`, `numpy.add`, ...).
//! `UnaryOperator`: `operand`, `operator` (`neg`, `pos`, `abs`).

use crate::hash::{hash_rationals, time_hash, PARAM_RANDOM_SEED};
use crate::numpy::NumpyRandomState;
use crate::pyops::{self, Num};
use crate::pyrandom::PyRandom;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;
use topo_spec::{Component, Time, Value};

/// Why a value could not be produced.
#[derive(Clone, Debug, PartialEq)]
pub enum StreamError {
    /// The input is not valid (a non-numeric value where a number is needed,
    /// an empty range, a division by zero, ...).
    Invalid(String),
    /// A component parameter is missing or has the wrong type.
    Param {
        /// Component class and name.
        component: String,
        /// The parameter.
        param: String,
        /// What is wrong.
        problem: String,
    },
    /// Valid Topographica input that this port does not reproduce.
    Unsupported(String),
}

impl fmt::Display for StreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StreamError::Invalid(m) => write!(f, "numbergen: {m}"),
            StreamError::Param {
                component,
                param,
                problem,
            } => write!(f, "numbergen: {component}: parameter `{param}` {problem}"),
            StreamError::Unsupported(m) => write!(f, "numbergen: unsupported: {m}"),
        }
    }
}

impl std::error::Error for StreamError {}

/// The per-object state param keeps on a numbergen generator.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct ObjectState {
    /// The `random.Random` of a random distribution, made on first use.
    rng: Option<PyRandom>,
    /// param.Dynamic's `(_Dynamic_time, _Dynamic_last)`.
    #[serde(with = "exact_last")]
    last: Option<(Time, Num)>,
}

/// Serialises a cached value with its float as raw bits, so a snapshot
/// restores it exactly whatever the text format's float parsing does
/// (serde_json without `float_roundtrip` can be 1 ulp off).
mod exact_last {
    use super::{Num, Time};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    enum Repr {
        Int(i64),
        FloatBits(u64),
    }

    pub fn serialize<S: Serializer>(v: &Option<(Time, Num)>, s: S) -> Result<S::Ok, S::Error> {
        v.map(|(t, n)| {
            let r = match n {
                Num::Int(i) => Repr::Int(i),
                Num::Float(x) => Repr::FloatBits(x.to_bits()),
            };
            (t, r)
        })
        .serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<(Time, Num)>, D::Error> {
        let v: Option<(Time, Repr)> = Option::deserialize(d)?;
        Ok(v.map(|(t, r)| {
            let n = match r {
                Repr::Int(i) => Num::Int(i),
                Repr::FloatBits(b) => Num::Float(f64::from_bits(b)),
            };
            (t, n)
        }))
    }
}

/// Every random stream of a model. Serialisable: a snapshot stores it and a
/// restored copy continues every stream exactly where it stopped.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Streams {
    shared: NumpyRandomState,
    objects: BTreeMap<u64, ObjectState>,
    /// `param.random_seed`; snapshots written before it was stored had 42.
    #[serde(default = "default_random_seed")]
    random_seed: i64,
    /// The model file's own classes, for user time functions used as
    /// dynamic numbers (not stored in snapshots: the spec holds them).
    #[serde(skip)]
    user_classes: std::sync::Arc<BTreeMap<String, topo_spec::UserClass>>,
    /// Instance state of user pattern generators (attributes their
    /// `function` writes, e.g. a moving line's position), by instance name,
    /// each value as its f64 bits so a snapshot restores it exactly.
    #[serde(default)]
    pattern_state: BTreeMap<String, BTreeMap<String, u64>>,
    /// States seeded ahead by [`Streams::prepare_draws`], by key.
    #[serde(skip)]
    prepared: PreparedSeeds,
}

static BATCH_SEED_OFF: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Makes [`Streams::prepare_draws`] do nothing (`true`): each
/// time-dependent draw then seeds its `random.Random` alone. `false` (the
/// default): the draws a pattern is about to make are seeded together
/// ([`crate::mt::Mt19937::new_by_single_words`]: ~0.7 µs a seeding in a
/// group of six against ~2 µs alone). The same states either way; for
/// measuring one against the other (issue 14 session 11,
/// benches/RESULTS.md).
pub fn set_batch_seed_off(off: bool) {
    BATCH_SEED_OFF.store(off, std::sync::atomic::Ordering::Relaxed);
}

/// `init_by_array([key])` states made ahead, each used by the first
/// reseed with its key. Not part of the streams' state (a state is a
/// function of its key alone), so it is neither compared nor stored.
#[derive(Clone, Debug, Default)]
struct PreparedSeeds(Vec<(u32, crate::mt::Mt19937)>);

impl PartialEq for PreparedSeeds {
    fn eq(&self, _: &PreparedSeeds) -> bool {
        true
    }
}

/// The classes whose draws reseed a `random.Random` ([`Streams::call`]).
const RANDOM_DISTRIBUTIONS: &[&str] = &[
    "UniformRandom",
    "UniformRandomOffset",
    "UniformRandomInt",
    "Choice",
    "NormalRandom",
    "VonMisesRandom",
];

fn default_random_seed() -> i64 {
    PARAM_RANDOM_SEED
}

/// A component's label for error messages.
fn label(c: &Component) -> String {
    match c.get("name").and_then(Value::as_str) {
        Some(n) => format!("{} {n:?}", c.class),
        None => c.class.clone(),
    }
}

fn param_err(c: &Component, param: &str, problem: impl Into<String>) -> StreamError {
    StreamError::Param {
        component: label(c),
        param: param.into(),
        problem: problem.into(),
    }
}

/// A plain number (`Value::Int`, `Float`, `Time`), if the value is one.
fn plain_number(v: &Value) -> Option<Num> {
    match v {
        Value::Int(i) => Some(Num::Int(*i)),
        Value::Float(x) => Some(Num::Float(*x)),
        Value::Time(t) if t.denom() == 1 => Some(Num::Int(t.numer())),
        Value::Time(t) => Some(Num::Float(t.to_f64())),
        _ => None,
    }
}

/// A numeric parameter, or its default when absent.
fn num_param(c: &Component, name: &str, default: Option<Num>) -> Result<Num, StreamError> {
    match c.get(name) {
        None => default.ok_or_else(|| param_err(c, name, "is missing")),
        Some(v) => plain_number(v)
            .ok_or_else(|| param_err(c, name, format!("must be a number, got {v:?}"))),
    }
}

fn f64_param(c: &Component, name: &str, default: Option<f64>) -> Result<f64, StreamError> {
    num_param(c, name, default.map(Num::Float)).map(Num::to_f64)
}

/// An integer-valued parameter that Python's `randrange` accepts
/// (`int(x) == x`).
fn integral_param(c: &Component, name: &str, default: i64) -> Result<i64, StreamError> {
    match num_param(c, name, Some(Num::Int(default)))? {
        Num::Int(i) => Ok(i),
        Num::Float(x) if x == x.trunc() && x.abs() < 9.0e18 => Ok(x as i64),
        Num::Float(x) => Err(param_err(
            c,
            name,
            format!("must be integral for randint, got {x}"),
        )),
    }
}

fn is_numbergen(c: &Component) -> bool {
    c.class.starts_with("numbergen.")
}

impl Streams {
    /// Streams of a model whose imagen shared numpy stream is seeded with
    /// `init_by_array(shared_seed)`; `None` is imagen's default `(500, 500)`.
    pub fn new(shared_seed: Option<&[u32]>) -> Streams {
        Streams {
            shared: match shared_seed {
                Some(words) => NumpyRandomState::from_array(words),
                None => NumpyRandomState::default_shared(),
            },
            objects: BTreeMap::new(),
            random_seed: PARAM_RANDOM_SEED,
            user_classes: Default::default(),
            pattern_state: BTreeMap::new(),
            prepared: PreparedSeeds::default(),
        }
    }

    /// Seeds ahead, together, the time-dependent random distributions
    /// inside `root` (any depth of its parameters) that will draw at `t`:
    /// those not already holding a value for `t` (nor inside one that
    /// does). A later reseed with the same key takes the prepared state
    /// instead of seeding; anything prepared and not drawn is dropped at
    /// the next call. Changes no value (see [`set_batch_seed_off`]).
    pub fn prepare_draws(&mut self, root: &Component, t: Time) {
        self.prepared.0.clear();
        if BATCH_SEED_OFF.load(std::sync::atomic::Ordering::Relaxed) {
            return;
        }
        let mut keys = Vec::new();
        self.collect_keys(root, t, &mut keys);
        keys.sort_unstable();
        keys.dedup();
        if keys.len() < 2 {
            return; // one seeding alone is as fast
        }
        let states = crate::mt::Mt19937::new_by_single_words(&keys);
        self.prepared.0.extend(keys.into_iter().zip(states));
    }

    /// The reseed keys of the draws [`Streams::prepare_draws`] expects.
    fn collect_keys(&self, c: &Component, t: Time, keys: &mut Vec<u32>) {
        if is_numbergen(c) {
            if let Some((when, _)) = self.objects.get(&c.id).and_then(|s| s.last) {
                if when == t {
                    return; // cached: neither it nor what it holds draws
                }
            }
            if RANDOM_DISTRIBUTIONS.contains(&c.short_class()) {
                if let Ok(Some(key)) = self.reseed_key(c, t) {
                    keys.push(key);
                }
            }
        }
        for v in c.params.values() {
            self.collect_value_keys(v, t, keys);
        }
    }

    fn collect_value_keys(&self, v: &Value, t: Time, keys: &mut Vec<u32>) {
        match v {
            Value::Object(c) => self.collect_keys(c, t, keys),
            other => {
                for item in other.as_seq().unwrap_or_default() {
                    self.collect_value_keys(item, t, keys);
                }
            }
        }
    }

    /// The instance state a user pattern generator has written so far
    /// (empty before its first call).
    pub fn pattern_state(&self, instance: &str) -> BTreeMap<String, f64> {
        self.pattern_state
            .get(instance)
            .map(|m| {
                m.iter()
                    .map(|(k, b)| (k.clone(), f64::from_bits(*b)))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Replaces the instance state of a user pattern generator.
    pub fn set_pattern_state(&mut self, instance: &str, state: &BTreeMap<String, f64>) {
        self.pattern_state.insert(
            instance.to_string(),
            state
                .iter()
                .map(|(k, v)| (k.clone(), v.to_bits()))
                .collect(),
        );
    }

    /// The same streams able to produce values of the model's user time
    /// functions (`ModelSpec::user_classes`).
    pub fn with_user_classes(
        mut self,
        classes: std::sync::Arc<BTreeMap<String, topo_spec::UserClass>>,
    ) -> Streams {
        self.user_classes = classes;
        self
    }

    /// The user classes these streams know.
    pub fn user_classes(&self) -> std::sync::Arc<BTreeMap<String, topo_spec::UserClass>> {
        self.user_classes.clone()
    }

    /// The same streams hashed with `param.random_seed = seed` instead of
    /// param's default [`PARAM_RANDOM_SEED`].
    pub fn with_random_seed(mut self, seed: i64) -> Streams {
        self.random_seed = seed;
        self
    }

    /// The `param.random_seed` every time hash of these streams uses.
    pub fn random_seed(&self) -> i64 {
        self.random_seed
    }

    /// Value of a parameter that is a plain number (`Value::Int`, `Float`,
    /// `Time`) or a numbergen component (`Value::Object` of class
    /// `numbergen.*`) at time `t`. A component's value is produced anew only
    /// when `t` differs from the time of its previous production (param.Dynamic
    /// caching); objects are identified by `Component::id` and their stream
    /// state lives here, created from the component's params on first use.
    pub fn value(&mut self, v: &Value, t: Time) -> Result<f64, StreamError> {
        self.produce(v, t, false).map(Num::to_f64)
    }

    /// Like [`Streams::value`] but keeps Python's int/float distinction
    /// (e.g. `UniformRandomInt` and integer `Choice` values stay ints).
    pub fn value_num(&mut self, v: &Value, t: Time) -> Result<Num, StreamError> {
        self.produce(v, t, false)
    }

    /// A fresh value even at the same time (param's `force_new_dynamic_value`,
    /// used by imagen's SeparatedComposite). Plain numbers are returned as is.
    pub fn force_new(&mut self, v: &Value, t: Time) -> Result<f64, StreamError> {
        self.produce(v, t, true).map(Num::to_f64)
    }

    /// The last value produced for a component, without producing one
    /// (param's `inspect_value`); a plain number is returned as is; `None`
    /// if the component has produced nothing yet.
    pub fn inspect(&self, v: &Value) -> Option<f64> {
        match v {
            Value::Object(c) => self
                .objects
                .get(&c.id)
                .and_then(|s| s.last)
                .map(|(_, n)| n.to_f64()),
            other => plain_number(other).map(Num::to_f64),
        }
    }

    /// Forgets the cached value of object `id`, as param does when a
    /// generator is (re)assigned to a parameter; its random stream continues.
    pub fn forget_cached_value(&mut self, id: u64) {
        if let Some(s) = self.objects.get_mut(&id) {
            s.last = None;
        }
    }

    /// imagen's class-level shared sequential numpy `RandomState` (initial
    /// weights of non-time-dependent models, imagen.random patterns with
    /// `time_dependent=False`).
    pub fn shared_numpy(&mut self) -> &mut NumpyRandomState {
        &mut self.shared
    }

    /// Reseeds the shared numpy stream (`imagen.random.seed(...)` at run
    /// time) with `init_by_array(words)`.
    pub fn reseed_shared(&mut self, words: &[u32]) {
        self.shared = NumpyRandomState::from_array(words);
    }

    /// A numpy `RandomState` seeded for a time-dependent imagen random
    /// pattern called `name` at time `t`:
    /// `init_genrand(Hash(name)(t, param.random_seed))`, with these streams'
    /// [`Streams::random_seed`].
    pub fn hashed_numpy(&self, name: &str, t: Time) -> NumpyRandomState {
        Self::hashed_numpy_with_seed(name, t, self.random_seed)
    }

    /// [`Streams::hashed_numpy`] for an explicit `param.random_seed`, for
    /// code that renders away from the model's `Streams` (in parallel).
    pub fn hashed_numpy_with_seed(name: &str, t: Time, random_seed: i64) -> NumpyRandomState {
        NumpyRandomState::from_seed_u32(time_hash(name, t, random_seed))
    }

    fn produce(&mut self, v: &Value, t: Time, force: bool) -> Result<Num, StreamError> {
        if let Some(n) = plain_number(v) {
            return Ok(n);
        }
        let c = match v {
            Value::Object(c) if is_numbergen(c) => c,
            Value::Object(c) if self.user_classes.contains_key(&c.class) => {
                if !force {
                    if let Some((when, n)) = self.objects.get(&c.id).and_then(|s| s.last) {
                        if when == t {
                            return Ok(n);
                        }
                    }
                }
                let class = &self.user_classes[&c.class];
                let x = crate::userfn::time_fn_value(class, c, t).map_err(StreamError::Invalid)?;
                self.objects.entry(c.id).or_default().last = Some((t, Num::Float(x)));
                return Ok(Num::Float(x));
            }
            other => {
                return Err(StreamError::Invalid(format!(
                    "expected a number or a numbergen generator, got {other:?}"
                )))
            }
        };
        if !force {
            if let Some((when, n)) = self.objects.get(&c.id).and_then(|s| s.last) {
                if when == t {
                    return Ok(n);
                }
            }
        }
        let n = self.call(c, t)?;
        self.objects.entry(c.id).or_default().last = Some((t, n));
        Ok(n)
    }

    /// An operand of an operator wrapper: a number, or a generator called
    /// directly (no caching), as `x() if callable(x) else x`.
    fn operand(&mut self, owner: &Component, name: &str, t: Time) -> Result<Num, StreamError> {
        let v = owner
            .get(name)
            .ok_or_else(|| param_err(owner, name, "is missing"))?;
        if let Some(n) = plain_number(v) {
            return Ok(n);
        }
        match v {
            Value::Object(c) if is_numbergen(c) => self.call(c, t),
            other => Err(param_err(
                owner,
                name,
                format!("must be a number or a numbergen generator, got {other:?}"),
            )),
        }
    }

    /// `generator()`: one uncached production.
    fn call(&mut self, c: &Component, t: Time) -> Result<Num, StreamError> {
        match c.short_class() {
            "UniformRandom" => {
                let lb = f64_param(c, "lbound", Some(0.0))?;
                let ub = f64_param(c, "ubound", Some(1.0))?;
                Ok(Num::Float(self.rng(c, t)?.uniform(lb, ub)))
            }
            "UniformRandomOffset" => {
                let mean = f64_param(c, "mean", Some(0.0))?;
                let range = f64_param(c, "range", Some(1.0))?;
                Ok(Num::Float(
                    self.rng(c, t)?
                        .uniform(mean - range / 2.0, mean + range / 2.0),
                ))
            }
            "UniformRandomInt" => {
                let lb = integral_param(c, "lbound", 0)?;
                let ub = integral_param(c, "ubound", 1000)?;
                Ok(Num::Int(self.rng(c, t)?.randint_py2(lb, ub)?))
            }
            "Choice" => {
                let choices = match c.get("choices") {
                    None => return Err(param_err(c, "choices", "is missing")),
                    Some(v) => v
                        .as_seq()
                        .ok_or_else(|| param_err(c, "choices", "must be a list"))?,
                };
                let i = self.rng(c, t)?.choice_index_py2(choices.len())?;
                plain_number(&choices[i]).ok_or_else(|| {
                    param_err(
                        c,
                        "choices",
                        format!("item {i} is not a number: {:?}", choices[i]),
                    )
                })
            }
            "NormalRandom" => {
                let mu = f64_param(c, "mu", Some(0.0))?;
                let sigma = f64_param(c, "sigma", Some(1.0))?;
                Ok(Num::Float(self.rng(c, t)?.normalvariate(mu, sigma)))
            }
            "VonMisesRandom" => {
                let mu = f64_param(c, "mu", Some(0.0))?;
                let kappa = f64_param(c, "kappa", Some(1.0))?;
                Ok(Num::Float(self.rng(c, t)?.vonmisesvariate(mu, kappa)))
            }
            "ExponentialDecay" => {
                let vi = f64_param(c, "starting_value", Some(1.0))?;
                let vm = f64_param(c, "ending_value", Some(0.0))?;
                let tc = f64_param(c, "time_constant", Some(10000.0))?;
                let base = f64_param(c, "base", Some(std::f64::consts::E))?;
                if tc == 0.0 {
                    return Err(param_err(
                        c,
                        "time_constant",
                        "must not be zero (Python raises ZeroDivisionError)",
                    ));
                }
                // Vm + (Vi - Vm) * base ** (-1.0*float(t)/float(tc)), in
                // Python's evaluation order.
                Ok(Num::Float(vm + (vi - vm) * base.powf(-t.to_f64() / tc)))
            }
            "ScaledTime" => {
                let factor = f64_param(c, "factor", Some(1.0))?;
                Ok(Num::Float(t.to_f64() * factor))
            }
            "BoxCar" => {
                let onset = f64_param(c, "onset", Some(0.0))?;
                let duration = match c.get("duration") {
                    None | Some(Value::None) => None,
                    Some(_) => Some(f64_param(c, "duration", None)?),
                };
                // Python compares the rational time with the floats exactly.
                let on = cmp_time_f64(t, onset)? == Ordering::Greater
                    && match duration {
                        None => true,
                        Some(d) => cmp_time_f64(t, onset + d)? != Ordering::Greater,
                    };
                Ok(Num::Float(if on { 1.0 } else { 0.0 }))
            }
            "SquareWave" => {
                let onset = f64_param(c, "onset", Some(0.0))?;
                let duration = f64_param(c, "duration", Some(1.0))?;
                let off = match c.get("off_duration") {
                    None | Some(Value::None) => duration,
                    Some(_) => f64_param(c, "off_duration", None)?,
                };
                let phase = pyops::binary(
                    "mod",
                    Num::Float(t.to_f64() - onset),
                    Num::Float(duration + off),
                )?
                .to_f64();
                Ok(Num::Float(if phase < duration { 1.0 } else { 0.0 }))
            }
            "BoundedNumber" => {
                let val = self.operand(c, "generator", t)?;
                let (lo, hi) = bounds_param(c)?;
                let x = val.to_f64();
                Ok(match (lo, hi) {
                    (Some(lo), _) if x < lo.to_f64() => lo,
                    (_, Some(hi)) if x > hi.to_f64() => hi,
                    _ => val,
                })
            }
            "BinaryOperator" => {
                let op = operator_param(c)?;
                let lhs = self.operand(c, "lhs", t)?;
                let rhs = self.operand(c, "rhs", t)?;
                pyops::binary(&op, lhs, rhs)
            }
            "UnaryOperator" => {
                let op = operator_param(c)?;
                let x = self.operand(c, "operand", t)?;
                pyops::unary(&op, x)
            }
            other => Err(StreamError::Unsupported(format!(
                "numbergen class {other} ({})",
                label(c)
            ))),
        }
    }

    /// The `random.Random` of a random distribution, ready for the next
    /// draw: made on first use (`Random(seed)`), and reseeded from the time
    /// hash first if the generator is time-dependent.
    fn rng(&mut self, c: &Component, t: Time) -> Result<&mut PyRandom, StreamError> {
        let (name, seed, _) = rng_params(c)?;
        let key = self.reseed_key(c, t)?;
        let state = self.objects.entry(c.id).or_default();
        let rng = state.rng.get_or_insert_with(|| match seed {
            Some(s) => PyRandom::from_seed_i128(s.into()),
            None => PyRandom::from_seed_i128(hash_rationals(name, &[]).into()),
        });
        if let Some(key) = key {
            let prepared = &mut self.prepared.0;
            match prepared.iter().position(|(k, _)| *k == key) {
                Some(i) => rng.set_seeded(prepared.swap_remove(i).1),
                None => rng.seed_i128(key.into()),
            }
        }
        Ok(rng)
    }

    /// The seed a time-dependent generator is reseeded with before its draw
    /// at `t` (`Hash(name + str(seed))(t, param.random_seed)`); `None` for a
    /// sequential one.
    fn reseed_key(&self, c: &Component, t: Time) -> Result<Option<u32>, StreamError> {
        let (name, seed, time_dependent) = rng_params(c)?;
        if !time_dependent {
            return Ok(None);
        }
        let hash_name = match seed {
            Some(s) => format!("{name}{s}"),
            None => name.to_string(),
        };
        Ok(Some(time_hash(&hash_name, t, self.random_seed)))
    }
}

/// A random distribution's `name`, `seed` and `time_dependent`.
fn rng_params(c: &Component) -> Result<(&str, Option<i64>, bool), StreamError> {
    let name = c
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| param_err(c, "name", "is missing or not a string"))?;
    let seed = match c.get("seed") {
        None | Some(Value::None) => None,
        Some(Value::Int(s)) => Some(*s),
        Some(other) => {
            return Err(param_err(
                c,
                "seed",
                format!("must be an int or None, got {other:?}"),
            ))
        }
    };
    let time_dependent = match c.get("time_dependent") {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(other) => {
            return Err(param_err(
                c,
                "time_dependent",
                format!("must be a bool, got {other:?}"),
            ))
        }
    };
    Ok((name, seed, time_dependent))
}

fn operator_param(c: &Component) -> Result<String, StreamError> {
    match c.get("operator") {
        Some(Value::Str(s)) | Some(Value::Function(s)) => Ok(s.clone()),
        Some(other) => Err(param_err(
            c,
            "operator",
            format!("must be a string, got {other:?}"),
        )),
        None => Err(param_err(c, "operator", "is missing")),
    }
}

/// `BoundedNumber.bounds`: a pair, each side a number or None.
fn bounds_param(c: &Component) -> Result<(Option<Num>, Option<Num>), StreamError> {
    let side = |v: &Value| match v {
        Value::None => Ok(None),
        other => plain_number(other).map(Some).ok_or_else(|| {
            param_err(
                c,
                "bounds",
                format!("sides must be numbers or None, got {other:?}"),
            )
        }),
    };
    match c.get("bounds") {
        None | Some(Value::None) => Ok((None, None)),
        Some(Value::BoundingBox(_)) => {
            Err(param_err(c, "bounds", "must be a pair, not a bounding box"))
        }
        Some(v) => match v.as_seq() {
            Some([lo, hi]) => Ok((side(lo)?, side(hi)?)),
            _ => Err(param_err(c, "bounds", format!("must be a pair, got {v:?}"))),
        },
    }
}

/// The exact order of a rational time and a double, as Python compares a
/// `Fraction`/`mpq` with a float.
fn cmp_time_f64(t: Time, x: f64) -> Result<Ordering, StreamError> {
    if x.is_nan() {
        return Err(StreamError::Invalid("comparison of a time with NaN".into()));
    }
    let approx = t.to_f64();
    // Correct rounding is monotonic, so a strict float order is the exact
    // order; only a tie needs exact arithmetic.
    if approx != x {
        return Ok(approx.partial_cmp(&x).unwrap_or(Ordering::Equal));
    }
    // x = m * 2^e exactly.
    let bits = x.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i32;
    let frac = (bits & ((1u64 << 52) - 1)) as i128;
    let (m, e) = if exp == 0 {
        (frac, -1074)
    } else {
        (frac | (1i128 << 52), exp - 1075)
    };
    let m = if x < 0.0 { -m } else { m };
    let (num, den) = (t.numer() as i128, t.denom() as i128);
    // Compare num / den with m * 2^e; both sides are within half an ulp of
    // each other, so the scaled products fit in i128 for times with
    // denominators below 2^53.
    let too_big = || StreamError::Unsupported(format!("exact comparison of time {t} with {x}"));
    let (lhs, rhs) = if e >= 0 {
        let r = m
            .checked_shl(e as u32)
            .and_then(|v| v.checked_mul(den))
            .ok_or_else(too_big)?;
        (num, r)
    } else {
        let sh = (-e) as u32;
        let l = if sh < 127 {
            num.checked_mul(1i128 << sh)
        } else {
            None
        }
        .ok_or_else(too_big)?;
        (l, m.checked_mul(den).ok_or_else(too_big)?)
    };
    Ok(lhs.cmp(&rhs))
}
