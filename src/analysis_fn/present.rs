//! Topographica's `pattern_present`: show a pattern on every generator
//! sheet without learning, record the measured sheets, then put the
//! simulation's time, event queue, plasticity and input patterns back.

use crate::session::Session;
use anyhow::{anyhow, Result};
use std::collections::BTreeMap;
use topo_spec::{Component, Time, Value};

/// How a presentation is run (featuremapper `FeatureResponses` settings).
#[derive(Clone, Debug, PartialEq)]
pub struct PresentSettings {
    /// Cumulative times at which the responses are recorded; only the
    /// last one is used by the collators here.
    pub durations: Vec<Time>,
    /// Whether measured sheets apply their output functions.
    pub apply_output_fns: bool,
    /// Whether the network's dynamic state (events, activities,
    /// output-function state, settling counters) is put back after the
    /// presentation: featuremapper's `pattern_response` does (True), a
    /// bare `pattern_present` does not by default.
    pub restore_state: bool,
}

impl PresentSettings {
    /// The model's measurement settings (`MeasureResponseCommand.durations`,
    /// default `[1.0]`; `FeatureMaps.cmd_overrides.apply_output_fns`,
    /// default True), restoring the state after each presentation as
    /// featuremapper's `pattern_response` does.
    pub fn from_spec(analysis: &BTreeMap<String, Value>) -> Result<PresentSettings> {
        let durations = match analysis.get("MeasureResponseCommand.durations") {
            None => vec![Time::from_int(1)],
            Some(v) => {
                let seq = v
                    .as_seq()
                    .ok_or_else(|| anyhow!("MeasureResponseCommand.durations must be a list"))?;
                let mut out = Vec::with_capacity(seq.len());
                for d in seq {
                    out.push(time_of(d).ok_or_else(|| {
                        anyhow!("MeasureResponseCommand.durations: {d:?} is not a number")
                    })?);
                }
                out
            }
        };
        if durations.is_empty() || durations.windows(2).any(|w| w[1] <= w[0]) {
            return Err(anyhow!(
                "MeasureResponseCommand.durations must be increasing and non-empty"
            ));
        }
        let apply_output_fns = match analysis.get("FeatureMaps.cmd_overrides.apply_output_fns") {
            None => true,
            Some(v) => v
                .as_bool()
                .ok_or_else(|| anyhow!("apply_output_fns must be True or False"))?,
        };
        Ok(PresentSettings {
            durations,
            apply_output_fns,
            restore_state: true,
        })
    }
}

fn time_of(v: &Value) -> Option<Time> {
    match v {
        Value::Time(t) => Some(*t),
        other => other.as_f64().map(Time::from_f64),
    }
}

/// Names of the generator sheets, in model order.
pub fn generator_sheets(sess: &Session) -> Vec<String> {
    sess.net
        .sheet_names()
        .into_iter()
        .filter(|s| sess.net.input_generator(s).is_ok())
        .collect()
}

/// Collective: presents `pattern` on every generator sheet and returns,
/// for each of `measured`, this rank's block of its activity after the
/// last duration. Nothing the model learns or schedules is changed.
pub fn present(
    sess: &mut Session,
    pattern: &Component,
    measured: &[String],
    settings: &PresentSettings,
) -> Result<Vec<Vec<f64>>> {
    let gens = generator_sheets(sess);
    if gens.is_empty() {
        return Err(anyhow!(
            "the model has no GeneratorSheet to present a pattern on"
        ));
    }
    let patterns = vec![pattern.clone(); gens.len()];
    present_inputs(sess, &patterns, measured, settings)
}

/// Collective: as [`present`], with `patterns[i]` on the i-th sheet of
/// [`generator_sheets`] (featuremapper's coordinated inputs: one eye or
/// colour channel each).
pub fn present_inputs(
    sess: &mut Session,
    patterns: &[Component],
    measured: &[String],
    settings: &PresentSettings,
) -> Result<Vec<Vec<f64>>> {
    let gens = generator_sheets(sess);
    if gens.is_empty() || gens.len() != patterns.len() {
        return Err(anyhow!(
            "{} pattern(s) for {} generator sheet(s)",
            patterns.len(),
            gens.len()
        ));
    }
    // Events due now are processed first (Topographica's run(0)).
    sess.net
        .run(Time::ZERO, &mut sess.ex)
        .map_err(|e| anyhow!("{e}"))?;
    if settings.restore_state {
        sess.net.state_push();
    }
    sess.net.push_plasticity(false);
    let mut saved = Vec::with_capacity(gens.len());
    for (g, pattern) in gens.iter().zip(patterns) {
        saved.push(
            sess.net
                .set_input_generator(g, pattern.clone())
                .map_err(|e| anyhow!("{e}"))?,
        );
    }
    if !settings.apply_output_fns {
        for s in measured {
            sess.net
                .set_apply_output_fns(s, false)
                .map_err(|e| anyhow!("{e}"))?;
        }
    }
    sess.net.event_push();
    // The presentation's owed units and responses need computing only if
    // they outlive it or a measured sheet owes units (state_pop restores
    // a whole state).
    let resolve =
        !settings.restore_state || measured.iter().any(|s| sess.net.read_region(s).is_some());
    let result = run_durations(sess, measured, &settings.durations, resolve);
    let popped = sess.net.event_pop().map_err(|e| anyhow!("{e}"));
    if !settings.apply_output_fns {
        for s in measured {
            sess.net
                .set_apply_output_fns(s, true)
                .map_err(|e| anyhow!("{e}"))?;
        }
    }
    for (g, p) in gens.iter().zip(saved) {
        sess.net
            .set_input_generator(g, p)
            .map_err(|e| anyhow!("{e}"))?;
    }
    sess.net.pop_plasticity();
    if settings.restore_state {
        sess.net.state_pop().map_err(|e| anyhow!("{e}"))?;
    }
    popped?;
    result
}

/// Runs to each duration in turn (its owed work resolved at the end if
/// `resolve`) and reads the measured sheets.
fn run_durations(
    sess: &mut Session,
    measured: &[String],
    durations: &[Time],
    resolve: bool,
) -> Result<Vec<Vec<f64>>> {
    let mut before = Time::ZERO;
    for &d in durations {
        sess.net
            .run_ahead(d - before, &mut sess.ex)
            .map_err(|e| anyhow!("{e}"))?;
        before = d;
    }
    if resolve {
        sess.resolve_owed()?;
    }
    Ok(measured
        .iter()
        .map(|s| sess.net.activity(s).to_vec())
        .collect())
}

/// An `imagen.SineGrating` with every parameter resolved (imagen defaults
/// apart from the given values).
pub fn sine_grating(
    frequency: f64,
    orientation: f64,
    phase: f64,
    scale: f64,
    offset: f64,
) -> Component {
    let mut c = pattern_base("imagen.SineGrating", "SineGrating");
    let p = &mut c.params;
    p.insert("frequency".into(), Value::Float(frequency));
    p.insert("orientation".into(), Value::Float(orientation));
    p.insert("phase".into(), Value::Float(phase));
    p.insert("scale".into(), Value::Float(scale));
    p.insert("offset".into(), Value::Float(offset));
    c
}

/// An `imagen.Gaussian` (imagen defaults: size 0.155) with the given
/// orientation and aspect ratio.
pub fn gaussian(orientation: f64, aspect_ratio: f64) -> Component {
    let mut c = pattern_base("imagen.Gaussian", "Gaussian");
    let p = &mut c.params;
    p.insert("size".into(), Value::Float(0.155));
    p.insert("aspect_ratio".into(), Value::Float(aspect_ratio));
    p.insert("orientation".into(), Value::Float(orientation));
    c
}

/// A pattern of `class` with imagen's common parameters at their defaults
/// (`short` names it as imagen would).
pub fn pattern_base(class: &str, short: &str) -> Component {
    let mut params = BTreeMap::new();
    params.insert("bounds".into(), Value::BoundingBox([-0.5, -0.5, 0.5, 0.5]));
    params.insert("group".into(), Value::Str("Pattern".into()));
    params.insert("mask".into(), Value::None);
    params.insert("mask_shape".into(), Value::None);
    params.insert("name".into(), Value::Str(format!("{short}99999")));
    params.insert("offset".into(), Value::Float(0.0));
    params.insert("orientation".into(), Value::Float(0.0));
    params.insert("output_fns".into(), Value::List(vec![]));
    params.insert("scale".into(), Value::Float(1.0));
    params.insert("size".into(), Value::Float(1.0));
    params.insert("x".into(), Value::Float(0.0));
    params.insert("y".into(), Value::Float(0.0));
    params.insert("xdensity".into(), Value::Int(256));
    params.insert("ydensity".into(), Value::Int(256));
    params.insert("z".into(), Value::None);
    Component {
        class: class.into(),
        // Not shared with any model object.
        id: u64::MAX,
        params,
    }
}
