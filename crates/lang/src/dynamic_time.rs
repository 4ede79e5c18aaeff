//! `param.Dynamic.time_fn = None` (models/sullivan_neurocomputing04.ty).
//!
//! In param (param/__init__.py, `Dynamic._produce_value`) a dynamic
//! parameter asks its generator for a new value on every read when
//! `time_fn` is None, instead of once per value of `time_fn()` (what
//! Topographica sets up in topo/__init__.py: `param.Dynamic.time_fn` is the
//! simulation time and `time_dependent` is True). The two differ only when
//! one generator is read twice at the same simulation time. Everything
//! else keeps its clock: numbergen's `TimeAware.time_fn`
//! (numbergen/__init__.py) and `Simulation.time` (topo/base/simulation.py)
//! took `param.Dynamic.time_fn` as their default when their classes were
//! defined, so `ExponentialDecay` and the other time functions still read
//! the simulation time, and a value that depends only on time is the same
//! however often it is read. Initial weights are not affected either:
//! `CFProjection.__init__` (topo/base/cf.py) already sets the weights
//! generator's dynamic time_fn to None, so its random parameters are drawn
//! once per connection field under either setting, and the
//! `controlled_weights` branch of `ConnectionField.__init__`, which the
//! None disables, only passes a `name` that a random pattern generator
//! reads when it is `time_dependent` (imagen/random.py,
//! `RandomGenerator.__call__`), which no model here makes it.
//!
//! So the statement is accepted where its effect cannot be observed: every
//! random numbergen object is reached from exactly one place, and that
//! place is read at most once per simulation time — a generator sheet's
//! `input_generator` (`GeneratorSheet.generate` calls it once per
//! presentation) or a projection's `weights_generator` (called once per
//! connection field). Anything else (one random stream shared by two
//! parameters, or one in an output function a settling sheet applies
//! several times per time) is a located error saying why.

use crate::interp::{Interp, R};
use crate::obj::Obj;
use std::collections::BTreeMap;
use topo_spec::{ModelSpec, Value};

/// numbergen classes that draw a new random value on every call (the rest
/// are functions of time and of their operands).
const RANDOM_CLASSES: &[&str] = &[
    "numbergen.UniformRandom",
    "numbergen.UniformRandomOffset",
    "numbergen.UniformRandomInt",
    "numbergen.Choice",
    "numbergen.NormalRandom",
    "numbergen.VonMisesRandom",
    "numbergen.ExponentialRandom",
    "numbergen.LogNormalRandom",
    "numbergen.GammaRandom",
];

impl Interp {
    /// `param.Dynamic.<name> = v`: only `time_fn = None` is accepted (and
    /// checked against the finished model in [`check_time_fn_none`]).
    pub(crate) fn set_dynamic_attr(&mut self, name: &str, v: Obj, off: usize) -> R<()> {
        match (name, v) {
            ("time_fn", Obj::None) => {
                self.dynamic_time_fn_none = Some(off);
                Ok(())
            }
            (_, _) => Err(self.err(
                off,
                format!("param.Dynamic.{name} can only be set as 'param.Dynamic.time_fn = None' here: topo-hpc keeps Topographica's clock (one value of a dynamic parameter per simulation time, topo/__init__.py)"),
            )),
        }
    }

    /// After the file ran: refuses `param.Dynamic.time_fn = None` where it
    /// would change a value (see the module docs).
    pub(crate) fn check_time_fn_none(&self, spec: &ModelSpec) -> R<()> {
        let Some(off) = self.dynamic_time_fn_none else {
            return Ok(());
        };
        check_time_fn_none(spec).map_err(|m| {
            self.err(
                off,
                format!("'param.Dynamic.time_fn = None' makes every read of a dynamic parameter draw a new value; {m}, so the values would differ from one per simulation time, which is all topo-hpc computes"),
            )
        })
    }
}

/// Where each random numbergen object is reached from (by id): the place
/// of every occurrence, counting a shared parent's subtree once per parent.
fn check_time_fn_none(spec: &ModelSpec) -> Result<(), String> {
    let mut seen: BTreeMap<u64, Vec<(String, bool)>> = BTreeMap::new();
    for s in &spec.sheets {
        let generator = s.component.class.ends_with("GeneratorSheet");
        for (k, v) in &s.component.params {
            let once = generator && k == "input_generator";
            walk(v, &format!("sheet '{}' {k}", s.name), once, &mut seen);
        }
    }
    for c in &spec.connections {
        for (k, v) in &c.component.params {
            let once = k == "weights_generator";
            walk(v, &format!("projection '{}' {k}", c.name), once, &mut seen);
        }
    }
    for places in seen.values() {
        if places.len() > 1 {
            let names: Vec<&str> = places.iter().map(|(p, _)| p.as_str()).collect();
            return Err(format!(
                "one random numbergen object is read from {} places ({})",
                places.len(),
                names.join(", ")
            ));
        }
        if let Some((p, false)) = places.first() {
            return Err(format!(
                "the random numbergen object in {p} may be read more than once per simulation time (only a generator sheet's input_generator and a projection's weights_generator are read once)"
            ));
        }
    }
    Ok(())
}

fn walk(v: &Value, place: &str, once: bool, seen: &mut BTreeMap<u64, Vec<(String, bool)>>) {
    match v {
        Value::List(items) | Value::Tuple(items) => {
            for i in items {
                walk(i, place, once, seen);
            }
        }
        Value::Dict(items) => {
            for (_, i) in items {
                walk(i, place, once, seen);
            }
        }
        Value::Object(c) => {
            if RANDOM_CLASSES.contains(&c.class.as_str()) {
                seen.entry(c.id)
                    .or_default()
                    .push((place.to_string(), once));
            }
            for i in c.params.values() {
                walk(i, place, once, seen);
            }
        }
        _ => {}
    }
}
