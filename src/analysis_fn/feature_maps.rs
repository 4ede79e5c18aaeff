//! featuremapper's map-measuring commands (`featuremapper/command.py`:
//! `measure_or_pref`, `measure_sine_pref`, `measure_od_pref`,
//! `measure_phasedisparity`, `measure_hue_pref`, `measure_dr_pref`,
//! `measure_position_pref`, `measure_corner_or_pref`), run by one
//! engine: every combination of the feature values
//! (`FeatureResponses._measure_responses`), one pattern per generator
//! sheet coordinated by the metafeature functions (`metaparams.py`), the
//! peak response per feature bin collated by `DSF_WeightedAverage`
//! (`FeatureMaps._collate_results`), and a Preference and Selectivity map
//! per feature named as featuremapper names them.
//!
//! Each rank collects its own block of every measured sheet, so the maps
//! are bit-identical on any number of ranks and threads.

use super::class_defaults;
use super::present::{self, PresentSettings};
use crate::io::h5::H5File;
use crate::outlog::OutLog;
use crate::par::Context;
use crate::session::Session;
use anyhow::{anyhow, bail, Result};
use std::collections::BTreeMap;
use std::f64::consts::PI;
use topo_analysis::{feature_product, Axis, Feature, FeatureCollector};
use topo_sim::exchange::Exchange;
use topo_spec::{Call, Component, Time, Value};

/// A metafeature function of `featuremapper/metaparams.py`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Meta {
    /// `contrast2scale` (Michelson contrast: offset 0.5, scale = contrast/100).
    Contrast2Scale,
    /// `ocular2leftrightscale`.
    Ocular,
    /// `phasedisparity2leftrightphase`.
    PhaseDisparity,
    /// `hue2rgbscale`.
    Hue,
    /// `hue2rgbscaleNewRetina` (multi-channel retinas,
    /// [`super::channel_metas`]).
    HueNewRetina,
    /// `ocular2leftrightscaleNewRetina`.
    OcularNewRetina,
    /// `direction2translation` (the new motion model: a Sweeper).
    Direction,
}

/// A feature whose value follows from the permuted ones (featuremapper
/// `Feature(compute_fn=...)`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Computed {
    /// `compute_orientation_from_direction`.
    OrientationFromDirection,
}

/// One measurement, every parameter resolved.
#[derive(Clone, Debug)]
pub struct MapMeasurement {
    /// The command (`measure_od_pref`, ...), for messages.
    pub command: String,
    /// Features varied, in featuremapper's order (all permuted except the
    /// computed ones, which come last).
    pub features: Vec<Feature>,
    /// Computed features: `(index into features, how)`.
    pub computed: Vec<(usize, Computed)>,
    /// The pattern every input starts from (`pattern_generator`).
    pub pattern: Component,
    /// `static_parameters` with their values, set on every pattern.
    pub statics: Vec<(String, f64)>,
    /// `metafeature_fns`, applied in order.
    pub metas: Vec<Meta>,
    /// Presentation settings.
    pub settings: PresentSettings,
    /// `FeatureMaps.selectivity_multiplier`.
    pub multiplier: f64,
    /// `measurement_prefix`, put before every map name.
    pub prefix: String,
}

/// The maps of one sheet: `(map name, whole-sheet row-major values,
/// cyclic range of the values or None)`.
pub type SheetMaps = Vec<(String, Vec<f64>, Option<f64>)>;

/// Parameters a pattern takes from a feature or static value; other
/// feature names (ocular, hue, ...) only steer the metafeature functions
/// (featuremapper sets them as plain attributes, which imagen ignores).
const PATTERN_PARAMS: &[&str] = &[
    "frequency",
    "orientation",
    "phase",
    "x",
    "y",
    "size",
    "scale",
    "offset",
];

/// The map-measuring commands this module runs.
pub const COMMANDS: &[&str] = &[
    "measure_or_pref",
    "measure_sine_pref",
    "measure_od_pref",
    "measure_phasedisparity",
    "measure_hue_pref",
    "measure_dr_pref",
    "measure_position_pref",
    "measure_corner_or_pref",
];

/// Keyword arguments of a command call (or none), read with defaults:
/// a keyword argument wins, then the model's class default
/// ([`class_defaults`]), then featuremapper's own default.
pub(super) struct Kwargs<'a> {
    pub(super) call: Option<&'a Call>,
    pub(super) used: Vec<&'static str>,
    /// The model's class settings (`spec.analysis`) and the command
    /// class whose chain they are resolved along.
    pub(super) model: Option<(&'a BTreeMap<String, Value>, &'a str)>,
    /// The key of the model setting the last `get` returned, for messages.
    pub(super) from_model: Option<String>,
}

impl<'a> Kwargs<'a> {
    /// The presentation settings `base` with this call's `durations`
    /// and `apply_output_fns` (featuremapper's MeasureResponseCommand
    /// parameters), checked.
    pub(super) fn presentation_settings(
        &mut self,
        base: &PresentSettings,
    ) -> Result<PresentSettings> {
        let mut settings = base.clone();
        if let Some(v) = self.get("durations") {
            let seq = v
                .as_seq()
                .ok_or_else(|| anyhow!("{}: durations must be a list", self.where_()))?;
            let mut d = Vec::with_capacity(seq.len());
            for x in seq {
                d.push(match x {
                    Value::Time(t) => *t,
                    other => {
                        Time::from_f64(other.as_f64().ok_or_else(|| {
                            anyhow!("{}: durations must be numbers", self.where_())
                        })?)
                    }
                });
            }
            if d.is_empty() || d.windows(2).any(|w| w[1] <= w[0]) {
                bail!(
                    "{}: durations must be increasing and non-empty",
                    self.where_()
                );
            }
            settings.durations = d;
        }
        if let Some(v) = self.get("apply_output_fns") {
            settings.apply_output_fns = v.as_bool().ok_or_else(|| {
                anyhow!("{}: apply_output_fns must be True or False", self.where_())
            })?;
        }
        Ok(settings)
    }
    pub(super) fn new(
        call: Option<&'a Call>,
        model: Option<(&'a BTreeMap<String, Value>, &'a str)>,
    ) -> Kwargs<'a> {
        Kwargs {
            call,
            used: Vec::new(),
            model,
            from_model: None,
        }
    }

    pub(super) fn get(&mut self, name: &'static str) -> Option<&'a Value> {
        self.used.push(name);
        self.from_model = None;
        let given = self
            .call
            .and_then(|c| c.kwargs.iter().find(|(k, _)| k == name).map(|(_, v)| v));
        if given.is_some() {
            return given;
        }
        let (analysis, command) = self.model?;
        let (key, v) = class_defaults::model_setting(analysis, command, name)?;
        self.from_model = Some(key);
        Some(v)
    }

    pub(super) fn where_(&self) -> String {
        if let Some(key) = &self.from_model {
            return format!("model setting {key}");
        }
        self.call
            .map(|c| format!("{}: {}", c.location, c.name))
            .unwrap_or_default()
    }

    pub(super) fn f64(&mut self, name: &'static str, default: f64) -> Result<f64> {
        match self.get(name) {
            None => Ok(default),
            Some(v) => v
                .as_f64()
                .ok_or_else(|| anyhow!("{}: {name} must be a number", self.where_())),
        }
    }

    pub(super) fn usize(
        &mut self,
        name: &'static str,
        default: usize,
        min: usize,
    ) -> Result<usize> {
        match self.get(name) {
            None => Ok(default),
            Some(Value::Int(i)) if *i >= min as i64 => Ok(*i as usize),
            Some(v) => bail!(
                "{}: {name} must be an integer >= {min}, got {v:?}",
                self.where_()
            ),
        }
    }

    pub(super) fn list(&mut self, name: &'static str, default: &[f64]) -> Result<Vec<f64>> {
        match self.get(name) {
            None => Ok(default.to_vec()),
            Some(v) => {
                let items = v
                    .as_seq()
                    .ok_or_else(|| anyhow!("{}: {name} must be a list", self.where_()))?;
                let vals: Option<Vec<f64>> = items.iter().map(Value::as_f64).collect();
                match vals {
                    Some(v) if !v.is_empty() => Ok(v),
                    _ => bail!(
                        "{}: {name} must be a non-empty list of numbers",
                        self.where_()
                    ),
                }
            }
        }
    }

    pub(super) fn pair(&mut self, name: &'static str, default: (f64, f64)) -> Result<(f64, f64)> {
        let v = self.list(name, &[default.0, default.1])?;
        match v.as_slice() {
            [a, b] => Ok((*a, *b)),
            _ => bail!("{}: {name} must be a pair (low, high)", self.where_()),
        }
    }

    pub(super) fn string(&mut self, name: &'static str) -> Result<String> {
        match self.get(name) {
            None => Ok(String::new()),
            Some(Value::Str(s)) => Ok(s.clone()),
            Some(v) => bail!("{}: {name} must be a string, got {v:?}", self.where_()),
        }
    }

    /// Errors on a keyword argument the command does not take.
    pub(super) fn finish(&self) -> Result<()> {
        if let Some(c) = self.call {
            if !c.args.is_empty() {
                bail!("{}: {} takes keyword arguments only", c.location, c.name);
            }
            for (k, _) in &c.kwargs {
                if !self.used.contains(&k.as_str()) {
                    let mut ok = self.used.clone();
                    ok.sort();
                    ok.dedup();
                    bail!(
                        "{}: {} has no argument '{k}' (accepted: {})",
                        c.location,
                        c.name,
                        ok.join(", ")
                    );
                }
            }
        }
        Ok(())
    }
}

fn feat(r: topo_analysis::Result<Feature>) -> Result<Feature> {
    r.map_err(|e| anyhow!("{e}"))
}

/// `imagen.SineGrating` at imagen's defaults.
pub(super) fn sine_grating() -> Component {
    let mut c = present::pattern_base("imagen.SineGrating", "SineGrating");
    c.params.insert("frequency".into(), Value::Float(2.4));
    c.params.insert("phase".into(), Value::Float(0.0));
    c
}

/// `imagen.Gaussian` with the given size, aspect ratio and position.
fn gaussian(size: f64, aspect_ratio: f64, orientation: f64, x: f64, y: f64) -> Component {
    let mut c = present::gaussian(orientation, aspect_ratio);
    c.params.insert("size".into(), Value::Float(size));
    c.params.insert("x".into(), Value::Float(x));
    c.params.insert("y".into(), Value::Float(y));
    c
}

/// featuremapper's `gaussian_corner` (`command.py`): the maximum of two
/// thin Gaussians meeting at a right angle.
fn gaussian_corner() -> Component {
    let mut c = present::pattern_base("imagen.Composite", "Composite");
    c.params
        .insert("operator".into(), Value::Function("numpy.maximum".into()));
    c.params.insert(
        "generators".into(),
        Value::List(vec![
            Value::Object(Box::new(gaussian(0.06, 7.0, 0.0, 0.3, 0.0))),
            Value::Object(Box::new(gaussian(0.06, 7.0, PI / 2.0, 0.0, 0.3))),
        ]),
    );
    c
}

/// numpy `round(x, 13)`: scale, round half to even, unscale.
fn round13(x: f64) -> f64 {
    let y = x * 1e13;
    y.round_ties_even() / 1e13
}

/// featuremapper `compute_orientation_from_direction`.
pub fn orientation_from_direction(direction: f64) -> f64 {
    round13((direction + PI / 2.0).rem_euclid(PI))
}

/// Python's `colorsys.hsv_to_rgb(h, 1.0, 1.0)`.
fn hue_rgb(h: f64) -> (f64, f64, f64) {
    let i = (h * 6.0).trunc();
    let f = h * 6.0 - i;
    let (v, p, q, t) = (1.0, 0.0, 1.0 - f, 1.0 - (1.0 - f));
    match (i as i64).rem_euclid(6) {
        0 => (v, t, p),
        1 => (q, v, p),
        2 => (p, v, t),
        3 => (p, q, v),
        4 => (t, p, v),
        _ => (v, p, q),
    }
}

impl MapMeasurement {
    /// The measurement of `command` with the keyword arguments of `call`
    /// (none: featuremapper's defaults), with the model's
    /// presentation settings and selectivity multiplier.
    pub fn from_call(
        command: &str,
        call: Option<&Call>,
        settings: &PresentSettings,
        multiplier: f64,
    ) -> Result<MapMeasurement> {
        Self::from_model_call(command, call, None, settings, multiplier)
    }

    /// [`MapMeasurement::from_call`] where the parameters not given in
    /// `call` take the model's class defaults from `analysis`
    /// (`measure_sine_pref.frequencies = ...`; [`class_defaults`]).
    pub fn from_model_call(
        command: &str,
        call: Option<&Call>,
        analysis: Option<&BTreeMap<String, Value>>,
        settings: &PresentSettings,
        multiplier: f64,
    ) -> Result<MapMeasurement> {
        let mut k = Kwargs::new(call, analysis.map(|a| (a, command)));
        let settings = k.presentation_settings(settings)?;
        let prefix = k.string("measurement_prefix")?;
        let sinusoidal =
            |k: &mut Kwargs, num_phase: usize| -> Result<(Vec<f64>, usize, usize, f64, f64)> {
                Ok((
                    k.list("frequencies", &[2.4])?,
                    k.usize("num_orientation", 4, 1)?,
                    k.usize("num_phase", num_phase, 1)?,
                    k.f64("scale", 0.3)?,
                    k.f64("offset", 0.0)?,
                ))
            };
        let orientation = |n: usize| feat(Feature::over_range("Orientation", 0.0, PI, n, true));
        let phase = |n: usize| feat(Feature::over_range("Phase", 0.0, 2.0 * PI, n, true));
        let frequency = |v: &[f64]| feat(Feature::with_values("Frequency", v));
        let statics = |names: &[&str], vals: &[f64]| -> Vec<(String, f64)> {
            names
                .iter()
                .zip(vals)
                .map(|(n, v)| (n.to_string(), *v))
                .collect()
        };
        let mut computed = Vec::new();
        let (features, pattern, statics, metas) = match command {
            "measure_or_pref" => {
                let (fr, no, np, scale, offset) = sinusoidal(&mut k, 18)?;
                (
                    vec![frequency(&fr)?, orientation(no)?, phase(np)?],
                    sine_grating(),
                    statics(&["scale", "offset"], &[scale, offset]),
                    vec![Meta::Contrast2Scale],
                )
            }
            "measure_sine_pref" => {
                let (fr, no, np, scale, offset) = sinusoidal(&mut k, 18)?;
                let max_speed = k.f64("max_speed", 2.0 / 24.0)?;
                let num_ocularity = k.usize("num_ocularity", 1, 1)?;
                let num_disparity = k.usize("num_disparity", 1, 1)?;
                let num_hue = k.usize("num_hue", 1, 1)?;
                let num_direction = k.usize("num_direction", 0, 0)?;
                let num_speeds = k.usize("num_speeds", 4, 0)?;
                let mut fs = vec![frequency(&fr)?];
                if num_direction == 0 {
                    fs.push(orientation(no)?);
                }
                fs.push(phase(np)?);
                if num_ocularity > 1 {
                    fs.push(feat(Feature::over_range(
                        "Ocular",
                        0.0,
                        1.0,
                        num_ocularity,
                        false,
                    ))?);
                }
                if num_disparity > 1 {
                    fs.push(feat(Feature::over_range(
                        "PhaseDisparity",
                        0.0,
                        2.0 * PI,
                        num_disparity,
                        true,
                    ))?);
                }
                if num_hue > 1 {
                    fs.push(feat(Feature::over_range("Hue", 0.0, 1.0, num_hue, true))?);
                }
                if num_direction > 0 {
                    fs.push(speed_feature(num_speeds, max_speed)?);
                    let (dr, or) = direction_features(num_direction)?;
                    fs.push(dr);
                    computed.push((fs.len(), Computed::OrientationFromDirection));
                    fs.push(or);
                }
                (
                    fs,
                    sine_grating(),
                    statics(&["scale", "offset"], &[scale, offset]),
                    vec![Meta::Contrast2Scale, Meta::Direction],
                )
            }
            "measure_od_pref" => {
                let (fr, no, np, scale, offset) = sinusoidal(&mut k, 18)?;
                let ocular = feat(Feature::with_values_on(
                    "Ocular",
                    &[0.0, 1.0],
                    Axis {
                        lower: 0.0,
                        upper: 1.0,
                        cyclic: false,
                    },
                ))?;
                (
                    vec![frequency(&fr)?, orientation(no)?, phase(np)?, ocular],
                    sine_grating(),
                    statics(&["scale", "offset"], &[scale, offset]),
                    vec![Meta::Contrast2Scale, Meta::Ocular],
                )
            }
            "measure_phasedisparity" => {
                let (fr, _no, np, scale, offset) = sinusoidal(&mut k, 18)?;
                let nd = k.usize("num_disparity", 12, 1)?;
                let or = k.f64("orientation", PI / 2.0)?;
                (
                    vec![
                        frequency(&fr)?,
                        phase(np)?,
                        feat(Feature::over_range(
                            "PhaseDisparity",
                            0.0,
                            2.0 * PI,
                            nd,
                            true,
                        ))?,
                    ],
                    sine_grating(),
                    statics(&["orientation", "scale", "offset"], &[or, scale, offset]),
                    vec![Meta::Contrast2Scale, Meta::PhaseDisparity],
                )
            }
            "measure_hue_pref" => {
                // static_parameters is empty here (featuremapper keeps
                // it so for backwards compatibility): scale and offset
                // are accepted but the grating keeps imagen's own.
                let (fr, no, np, _scale, _offset) = sinusoidal(&mut k, 12)?;
                let nh = k.usize("num_hue", 8, 1)?;
                (
                    vec![
                        frequency(&fr)?,
                        orientation(no)?,
                        feat(Feature::over_range("Hue", 0.0, 1.0, nh, true))?,
                        phase(np)?,
                    ],
                    sine_grating(),
                    vec![],
                    vec![Meta::Contrast2Scale, Meta::Hue],
                )
            }
            "measure_dr_pref" => {
                let (fr, _no, np, scale, offset) = sinusoidal(&mut k, 12)?;
                let nd = k.usize("num_direction", 6, 1)?;
                let ns = k.usize("num_speeds", 4, 0)?;
                let max_speed = k.f64("max_speed", 2.0 / 24.0)?;
                // featuremapper b2ddf28 lists a Duration feature here
                // (holding max(durations)) that raises because Duration
                // is a plain holoviews Dimension; its only use is the
                // Sweeper's reset period, which direction2translation
                // takes from the presentation's last duration here.
                let (dr, or) = direction_features(nd)?;
                let fs = vec![
                    speed_feature(ns, max_speed)?,
                    frequency(&fr)?,
                    dr,
                    phase(np)?,
                    or,
                ];
                computed.push((4, Computed::OrientationFromDirection));
                (
                    fs,
                    sine_grating(),
                    statics(&["scale", "offset"], &[scale, offset]),
                    vec![Meta::Contrast2Scale, Meta::Direction],
                )
            }
            "measure_position_pref" | "measure_corner_or_pref" => {
                let corner = command == "measure_corner_or_pref";
                let divisions = k.usize("divisions", if corner { 11 } else { 7 }, 1)?;
                let r = if corner { 1.2 } else { 0.5 };
                let (x0, x1) = k.pair("x_range", (-r, r))?;
                let (y0, y1) = k.pair("y_range", (-r, r))?;
                let size = k.f64("size", 0.5)?;
                let scale = k.f64("scale", if corner { 1.0 } else { 0.3 })?;
                let offset = k.f64("offset", 0.0)?;
                let mut fs = vec![
                    feat(Feature::over_range("X", x0, x1, divisions, false))?,
                    feat(Feature::over_range("Y", y0, y1, divisions, false))?,
                ];
                if corner {
                    let no = k.usize("num_orientation", 4, 1)?;
                    fs.push(feat(Feature::over_range(
                        "Orientation",
                        0.0,
                        2.0 * PI,
                        no,
                        true,
                    ))?);
                    (
                        fs,
                        gaussian_corner(),
                        statics(&["scale", "offset"], &[scale, offset]),
                        vec![Meta::Contrast2Scale],
                    )
                } else {
                    (
                        fs,
                        gaussian(0.5, 1.0, 0.0, 0.0, 0.0),
                        statics(&["scale", "offset", "size"], &[scale, offset, size]),
                        vec![Meta::Contrast2Scale],
                    )
                }
            }
            other => bail!("{other} is not a map measurement"),
        };
        k.finish()?;
        Ok(MapMeasurement {
            command: command.to_string(),
            features,
            computed,
            pattern,
            statics,
            metas,
            settings,
            multiplier,
            prefix,
        })
    }

    /// The feature values of every presentation, in presentation order
    /// (values of computed features filled in).
    pub fn presentations(&self) -> Vec<Vec<f64>> {
        let permuted: Vec<Feature> = self
            .features
            .iter()
            .enumerate()
            .filter(|(i, _)| !self.computed.iter().any(|(c, _)| c == i))
            .map(|(_, f)| f.clone())
            .collect();
        feature_product(&permuted)
            .into_iter()
            .map(|p| {
                let mut full = Vec::with_capacity(self.features.len());
                let mut it = p.into_iter();
                for i in 0..self.features.len() {
                    match self.computed.iter().find(|(c, _)| *c == i) {
                        None => full.push(it.next().unwrap_or(0.0)),
                        Some(_) => full.push(0.0),
                    }
                }
                for (i, how) in &self.computed {
                    let Computed::OrientationFromDirection = how;
                    let d = self.value_of(&full, "direction").unwrap_or(0.0);
                    full[*i] = orientation_from_direction(d);
                }
                full
            })
            .collect()
    }

    fn value_of(&self, values: &[f64], lower_name: &str) -> Option<f64> {
        self.features
            .iter()
            .position(|f| f.name.to_lowercase() == lower_name)
            .map(|i| values[i])
    }

    /// The pattern of each generator sheet for one presentation
    /// (`FeatureResponses._coordinate_inputs`: feature values, then static
    /// values, set on a copy per input; then the metafeature functions).
    pub fn inputs(&self, values: &[f64], generators: &[String]) -> Vec<Component> {
        let mut settings: Vec<(String, f64)> = self
            .features
            .iter()
            .zip(values)
            .map(|(f, v)| (f.name.to_lowercase(), *v))
            .collect();
        for (name, v) in &self.statics {
            match settings.iter_mut().find(|(n, _)| n == name) {
                Some(s) => s.1 = *v,
                None => settings.push((name.clone(), *v)),
            }
        }
        let get = |n: &str| settings.iter().find(|(k, _)| k == n).map(|(_, v)| *v);
        let mut base = self.pattern.clone();
        for (n, v) in &settings {
            if PATTERN_PARAMS.contains(&n.as_str()) {
                base.params.insert(n.clone(), Value::Float(*v));
            }
        }
        let mut out = vec![base; generators.len()];
        for m in &self.metas {
            for (g, name) in out.iter_mut().zip(generators) {
                let set = |g: &mut Component, k: &str, v: f64| {
                    g.params.insert(k.into(), Value::Float(v));
                };
                match m {
                    Meta::Contrast2Scale => {
                        if let Some(c) = get("contrast") {
                            set(g, "offset", 0.5);
                            set(g, "scale", 2.0 * 0.5 * c / 100.0);
                        }
                    }
                    Meta::Ocular => {
                        if let Some(o) = get("ocular") {
                            if name.contains("Right") {
                                set(g, "scale", 2.0 * o);
                            } else if name.contains("Left") {
                                set(g, "scale", 2.0 - 2.0 * o);
                            }
                        }
                    }
                    Meta::PhaseDisparity => {
                        if let (Some(d), Some(p)) = (get("phasedisparity"), get("phase")) {
                            // featuremapper writes `phase % 2*np.pi`, which
                            // Python reads as `(phase % 2) * pi`; kept so
                            // that the maps are featuremapper's.
                            let py_mod2 = |x: f64| x.rem_euclid(2.0);
                            if name.contains("Right") {
                                set(g, "phase", py_mod2(p - d / 2.0) * PI);
                            } else if name.contains("Left") {
                                set(g, "phase", py_mod2(p + d / 2.0) * PI);
                            }
                        }
                    }
                    Meta::Hue => {
                        if let Some(h) = get("hue") {
                            let (r, gr, b) = hue_rgb(h);
                            if name.contains("Red") {
                                set(g, "scale", r);
                            } else if name.contains("Green") {
                                set(g, "scale", gr);
                            } else if name.contains("Blue") {
                                set(g, "scale", b);
                            }
                        }
                    }
                    Meta::HueNewRetina => {
                        if let Some(h) = get("hue") {
                            let rgb = super::channel_metas::hue_to_working_rgb(h);
                            *g = super::channel_metas::compose(g, rgb);
                        }
                    }
                    Meta::OcularNewRetina => {
                        if let Some(o) = get("ocular") {
                            if name.contains("Right") {
                                *g = super::channel_metas::compose(g, [o, o, o]);
                            } else if name.contains("Left") {
                                let l = 1.0 - o;
                                *g = super::channel_metas::compose(g, [l, l, l]);
                            }
                        }
                    }
                    Meta::Direction => {
                        if let Some(d) = get("direction") {
                            set(g, "orientation", d + PI / 2.0);
                            let speed = get("speed").unwrap_or(0.0);
                            let period = self
                                .settings
                                .durations
                                .last()
                                .map(|t| t.to_f64())
                                .unwrap_or(1.0);
                            let mut s = present::pattern_base("imagen.Sweeper", "Sweeper");
                            s.params
                                .insert("generator".into(), Value::Object(Box::new(g.clone())));
                            s.params.insert("speed".into(), Value::Float(speed));
                            s.params.insert("reset_period".into(), Value::Float(period));
                            s.params.insert("step_offset".into(), Value::Float(0.0));
                            // imagen.Sweeper's defaults.
                            s.params.insert("time_offset".into(), Value::Float(0.0));
                            s.params.insert(
                                "relative_motion_orientation".into(),
                                Value::Float(PI / 2.0),
                            );
                            s.params
                                .insert("channel_transforms".into(), Value::List(vec![]));
                            *g = s;
                        }
                    }
                }
            }
        }
        out
    }

    /// Names of the maps written per sheet, in order.
    pub fn map_names(&self) -> Vec<String> {
        self.features
            .iter()
            .flat_map(|f| {
                let base = format!("{}{}", self.prefix, f.map_name());
                [format!("{base}Preference"), format!("{base}Selectivity")]
            })
            .collect()
    }
}

fn speed_feature(num_speeds: usize, max_speed: f64) -> Result<Feature> {
    if num_speeds == 0 {
        feat(Feature::with_values("Speed", &[0.0]))
    } else {
        feat(Feature::over_range(
            "Speed", 0.0, max_speed, num_speeds, false,
        ))
    }
}

/// Direction over `[0, 2π)` and the orientations computed from it.
fn direction_features(n: usize) -> Result<(Feature, Feature)> {
    let dr = feat(Feature::over_range("Direction", 0.0, 2.0 * PI, n, true))?;
    let mut ors: Vec<f64> = Vec::new();
    for &d in &dr.values {
        let o = orientation_from_direction(d);
        if !ors.contains(&o) {
            ors.push(o);
        }
    }
    let or = feat(Feature::with_values_on(
        "Orientation",
        &ors,
        Axis {
            lower: 0.0,
            upper: PI,
            cyclic: true,
        },
    ))?;
    Ok((dr, or))
}

/// featuremapper's warnings (`metaparams.py`) for inputs a metafeature
/// function cannot coordinate: they keep the plain pattern.
fn input_warnings(m: &MapMeasurement, gens: &[String]) -> Vec<String> {
    let has = |g: &String, keys: &[&str]| keys.iter().any(|k| g.contains(k));
    let varies = |name: &str| m.features.iter().any(|f| f.name.eq_ignore_ascii_case(name));
    let mut out = Vec::new();
    for meta in &m.metas {
        match meta {
            Meta::Ocular | Meta::OcularNewRetina if varies("Ocular") => {
                for g in gens.iter().filter(|g| !has(g, &["Left", "Right"])) {
                    out.push(format!(
                        "{}: skipping input region {g}; ocularity is defined only for Left and Right retinas",
                        m.command
                    ));
                }
            }
            Meta::PhaseDisparity
                if varies("PhaseDisparity") && gens.iter().any(|g| !has(g, &["Left", "Right"])) =>
            {
                out.push(format!(
                    "{}: unable to measure disparity preference, because disparity is defined only when there are inputs for Right and Left retinas",
                    m.command
                ));
            }
            Meta::Hue
                if varies("Hue") && !gens.iter().any(|g| has(g, &["Red", "Green", "Blue"])) =>
            {
                out.push(format!(
                    "{}: unable to measure hue preference, because hue is defined only when there are different input sheets with names with Red, Green or Blue substrings",
                    m.command
                ));
            }
            _ => {}
        }
    }
    out
}

/// Collective: runs `m` on `sheets`, writes every map into
/// `<group>/<sheet>/<MapName>` (each rank its block) and returns the
/// gathered maps per sheet.
pub fn measure(
    ctx: &Context,
    sess: &mut Session,
    m: &MapMeasurement,
    sheets: &[String],
    f: &H5File,
    group: &str,
    log: &OutLog,
) -> Result<Vec<(String, SheetMaps)>> {
    if sheets.is_empty() {
        return Ok(vec![]);
    }
    // the model's own metafeature functions (ModelGCALColor's for 'cr')
    let own;
    let m = match super::channel_metas::model_metas(&sess.spec.analysis, &m.command) {
        Some(metas) => {
            own = MapMeasurement { metas, ..m.clone() };
            &own
        }
        None => m,
    };
    let gens = present::generator_sheets(sess);
    for w in input_warnings(m, &gens) {
        log.warning(&w);
    }
    let mut collectors = Vec::with_capacity(sheets.len());
    for s in sheets {
        let n = sess.net.activity(s).len();
        collectors.push(FeatureCollector::new(m.features.clone(), n).map_err(|e| anyhow!("{e}"))?);
    }
    let presentations = m.presentations();
    let started = std::time::Instant::now();
    let saved = super::state::state_push(sess)?;
    for values in &presentations {
        let inputs = m.inputs(values, &gens);
        let responses = present::present_inputs(sess, &inputs, sheets, &m.settings)?;
        for (c, r) in collectors.iter_mut().zip(&responses) {
            c.add(values, r).map_err(|e| anyhow!("{e}"))?;
        }
    }
    super::state::state_pop(ctx, sess, saved)?;
    if ctx.is_root() {
        log.line(&format!(
            "{}: {} presentations in {:.2} s",
            m.command,
            presentations.len(),
            started.elapsed().as_secs_f64()
        ));
    }
    let mut out = Vec::with_capacity(sheets.len());
    for (s, c) in sheets.iter().zip(&collectors) {
        let (rows, cols) = sess.net.sheet_shape(s).map_err(|e| anyhow!("{e}"))?;
        let own = sess.net.sheet_ownership(s).map_err(|e| anyhow!("{e}"))?;
        let mut maps = Vec::new();
        for (i, feature) in m.features.iter().enumerate() {
            let map = c.map(i, m.multiplier).map_err(|e| anyhow!("{e}"))?;
            let base = format!("{}{}", m.prefix, feature.map_name());
            let range = feature.axis.cyclic.then(|| feature.axis.range());
            for (suffix, data, cyclic) in [
                ("Preference", &map.preference, range),
                ("Selectivity", &map.selectivity, None),
            ] {
                let name = format!("{base}{suffix}");
                f.write_owned2(&format!("{group}/{s}/{name}"), (rows, cols), &own, data)?;
                let whole = sess.ex.allgather_sheet(rows, cols, &own, data);
                maps.push((name, whole, cyclic));
            }
        }
        out.push((s.clone(), maps));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> PresentSettings {
        PresentSettings {
            durations: vec![Time::from_int(1)],
            apply_output_fns: true,
            restore_state: true,
        }
    }

    fn floats(v: &[f64]) -> Value {
        Value::List(v.iter().map(|x| Value::Float(*x)).collect())
    }

    fn model(settings: &[(&str, Value)]) -> BTreeMap<String, Value> {
        settings
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    fn frequencies(m: &MapMeasurement) -> Vec<f64> {
        m.features
            .iter()
            .find(|f| f.name == "Frequency")
            .map(|f| f.values.clone())
            .unwrap_or_default()
    }

    fn measure(command: &str, call: Option<&Call>, a: &BTreeMap<String, Value>) -> MapMeasurement {
        MapMeasurement::from_model_call(command, call, Some(a), &settings(), 17.0).unwrap()
    }

    #[test]
    fn model_class_defaults_reach_the_measurement_and_keywords_win() {
        let sine = model(&[("measure_sine_pref.frequencies", floats(&[1.2, 2.4]))]);
        let m = measure("measure_sine_pref", None, &sine);
        assert_eq!(frequencies(&m), [1.2, 2.4]);
        // The same as the keyword argument given explicitly.
        let kw = Call {
            name: "measure_sine_pref".into(),
            args: vec![],
            kwargs: vec![("frequencies".into(), floats(&[1.2, 2.4]))],
            location: "x.ty:1:1".into(),
        };
        let explicit =
            MapMeasurement::from_call("measure_sine_pref", Some(&kw), &settings(), 17.0).unwrap();
        assert_eq!(m.features, explicit.features);
        assert_eq!(m.presentations(), explicit.presentations());
        // Set on measure_sine_pref only: measure_or_pref keeps [2.4].
        assert_eq!(frequencies(&measure("measure_or_pref", None, &sine)), [2.4]);
        // On the declaring class: every sinusoidal command, unless the
        // subclass was set itself.
        let base = model(&[
            (
                "SinusoidalMeasureResponseCommand.frequencies",
                floats(&[0.6]),
            ),
            ("measure_sine_pref.frequencies", floats(&[1.2, 2.4])),
        ]);
        for c in ["measure_or_pref", "measure_od_pref", "measure_hue_pref"] {
            assert_eq!(frequencies(&measure(c, None, &base)), [0.6], "{c}");
        }
        assert_eq!(
            frequencies(&measure("measure_sine_pref", None, &base)),
            [1.2, 2.4]
        );
        // A keyword argument wins over every class default.
        let kw = Call {
            kwargs: vec![("frequencies".into(), floats(&[3.0]))],
            ..kw
        };
        assert_eq!(
            frequencies(&measure("measure_sine_pref", Some(&kw), &base)),
            [3.0]
        );
        // Other parameters: num_ocularity (lissom.ty sets it on
        // measure_sine_pref) and scale, which SinusoidalMeasureResponseCommand
        // re-declares (so MeasureResponseCommand.scale does not reach it).
        let other = model(&[
            ("measure_sine_pref.num_ocularity", Value::Int(2)),
            ("MeasureResponseCommand.scale", Value::Float(0.9)),
        ]);
        let m = measure("measure_sine_pref", None, &other);
        assert!(m.features.iter().any(|f| f.name == "Ocular"));
        assert_eq!(m.statics[0], ("scale".to_string(), 0.3));
        // A bad model value names the setting.
        let bad = model(&[("measure_sine_pref.frequencies", Value::Float(1.0))]);
        let e = MapMeasurement::from_model_call(
            "measure_sine_pref",
            None,
            Some(&bad),
            &settings(),
            17.0,
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("model setting measure_sine_pref.frequencies"),
            "{e}"
        );
    }

    #[test]
    fn or_pref_presents_as_featuremapper() {
        let m = MapMeasurement::from_call("measure_or_pref", None, &settings(), 17.0).unwrap();
        let p = m.presentations();
        assert_eq!(p.len(), 72);
        assert_eq!(p[1], vec![2.4, 0.0, 2.0 * PI / 18.0]);
        assert_eq!(m.map_names()[0], "FrequencyPreference");
    }

    #[test]
    fn eyes_and_colours_get_their_own_patterns() {
        let od = MapMeasurement::from_call("measure_od_pref", None, &settings(), 17.0).unwrap();
        let gens = ["LeftRetina".to_string(), "RightRetina".to_string()];
        let last = od.presentations().pop().unwrap();
        let inputs = od.inputs(&last, &gens);
        assert_eq!(inputs[0].params["scale"], Value::Float(0.0));
        assert_eq!(inputs[1].params["scale"], Value::Float(2.0));
        let hue = MapMeasurement::from_call("measure_hue_pref", None, &settings(), 17.0).unwrap();
        assert!(hue.map_names().contains(&"HuePreference".to_string()));
        assert_eq!(hue_rgb(0.5), (0.0, 1.0, 1.0));
        let dy =
            MapMeasurement::from_call("measure_phasedisparity", None, &settings(), 17.0).unwrap();
        assert!(dy
            .map_names()
            .contains(&"PhasedisparityPreference".to_string()));
        let v = dy.presentations()[1].clone();
        let inputs = dy.inputs(&v, &gens);
        assert_eq!(inputs[0].params["orientation"], Value::Float(PI / 2.0));
        // phase 0, disparity 2π/12: Left (0 + π/12) % 2 * π.
        assert_eq!(
            inputs[0].params["phase"],
            Value::Float((PI / 12.0).rem_euclid(2.0) * PI)
        );
    }

    #[test]
    fn inputs_without_eye_or_colour_names_are_warned_about() {
        let od = MapMeasurement::from_call("measure_od_pref", None, &settings(), 17.0).unwrap();
        let w = input_warnings(&od, &["Retina".to_string()]);
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("Retina"), "{w:?}");
        let eyes = ["LeftRetina".to_string(), "RightRetina".to_string()];
        assert!(input_warnings(&od, &eyes).is_empty());
        let hue = MapMeasurement::from_call("measure_hue_pref", None, &settings(), 17.0).unwrap();
        assert_eq!(input_warnings(&hue, &eyes).len(), 1);
    }

    #[test]
    fn direction_maps_compute_orientation() {
        let dr = MapMeasurement::from_call("measure_dr_pref", None, &settings(), 17.0).unwrap();
        let p = dr.presentations();
        // speeds 4 x directions 6 x phases 12 (frequency 1).
        assert_eq!(p.len(), 4 * 6 * 12);
        assert_eq!(p[12][4], orientation_from_direction(PI / 3.0));
        let names = dr.map_names();
        assert!(names.contains(&"DirectionPreference".to_string()));
        assert!(names.contains(&"SpeedSelectivity".to_string()));
    }
}
