//! A weights generator's numbergen-valued `orientation`, drawn once per
//! connection field (models/sullivan_neurocomputing04.ty's
//! `weights_generator=Line(orientation=numbergen.UniformRandom(...))`).
//!
//! `CFProjection.__init__` (topo/base/cf.py) sets the weights generator's
//! dynamic time_fn to None, so param's `Dynamic._produce_value`
//! (param/__init__.py) asks the numbergen object for a new value on every
//! read, and `_create_cfs` calls the weights generator once per CF, in the
//! dest sheet's row-major order (`simple_vectorize` over the coordinate
//! grid; a null CF raises before its weights are drawn). imagen's
//! `PatternGenerator.__call__` (imagen/patterngenerator.py) reads
//! `orientation` exactly once per call (`_setup_xy`), so CF k gets the k-th
//! draw of the stream. Every rank draws the whole sheet's sequence, so a
//! unit's value does not depend on which rank owns it. Other dynamic
//! parameters (read several times per call, e.g. `scale`, or nested in a
//! composite) stay refused.

use super::BuildError;
use topo_spec::{Component, Value};

/// Patterns whose `orientation` imagen reads once per call.
const ORIENTED: &[&str] = &[
    "imagen.Gaussian",
    "imagen.Disk",
    "imagen.Line",
    "imagen.SineGrating",
];

fn is_dynamic(v: &Value) -> bool {
    match v {
        Value::Object(c) => {
            c.class.starts_with("numbergen.") || super::render::has_dynamic_params(c)
        }
        Value::List(items) | Value::Tuple(items) => items.iter().any(is_dynamic),
        Value::Dict(items) => items.iter().any(|(_, v)| is_dynamic(v)),
        _ => false,
    }
}

/// The numbergen object to draw once per CF, if the weights generator has
/// one (`None`: a fixed pattern). Other numbergen-valued parameters are
/// refused, naming the parameter.
pub(crate) fn per_cf_orientation(wg: &Component) -> Result<Option<&Value>, BuildError> {
    let mut found = None;
    for (name, v) in &wg.params {
        if !is_dynamic(v) {
            continue;
        }
        match v {
            Value::Object(c)
                if name == "orientation"
                    && c.class.starts_with("numbergen.")
                    && ORIENTED.contains(&wg.class.as_str()) =>
            {
                found = Some(v)
            }
            _ => {
                return Err(BuildError::Unsupported(format!(
                    "a weights_generator {} with a numbergen-valued '{name}' (drawn anew for \
                     every CF in Topographica; topo-hpc draws only the orientation of \
                     imagen.Gaussian, Disk, Line and SineGrating per CF)",
                    wg.class
                )))
            }
        }
    }
    Ok(found)
}

/// The weights generator with its orientation fixed to one CF's draw.
pub(crate) fn with_orientation(wg: &Component, orientation: f64) -> Component {
    let mut c = wg.clone();
    c.params
        .insert("orientation".to_string(), Value::Float(orientation));
    c
}
