//! Class defaults of featuremapper's commands set by a model file
//! (`measure_sine_pref.frequencies = ...`,
//! `FeatureCurveCommand.contrasts = ...`), resolved as param's class
//! attributes resolve them.
//!
//! param (`param/parameterized.py`, `ParameterizedMetaclass.__setattr__`
//! at a35c2a3): setting `C.p = v` on a class that inherits `p` copies the
//! parameter into `C` with default `v`, so it reaches `C` and its
//! subclasses only; setting it on the class that declares `p` changes the
//! default of every subclass that has not declared or set `p` itself. The
//! default a command sees is therefore decided by the first class up its
//! chain that either was set by the model or declares `p` (the model's
//! setting first at the same class: it replaced that class's own default).
//!
//! The chains and declarations are those of `featuremapper/command.py`
//! at b2ddf28; Topographica re-exports those classes unchanged
//! (`topo/analysis/command.py`: `from featuremapper.command import *`;
//! `topo/analysis/featureresponses.py` imports the base classes), so
//! `topo.command.analysis.measure_or_pref` is featuremapper's class.

use std::collections::BTreeMap;
use topo_spec::Value;

/// Each command class and its base class (`featuremapper/command.py`).
const PARENT: &[(&str, &str)] = &[
    ("MeasureResponseCommand", "PatternPresentingCommand"),
    ("SinusoidalMeasureResponseCommand", "MeasureResponseCommand"),
    ("PositionMeasurementCommand", "MeasureResponseCommand"),
    ("FeatureCurveCommand", "SinusoidalMeasureResponseCommand"),
    ("UnitCurveCommand", "FeatureCurveCommand"),
    ("measure_sine_pref", "SinusoidalMeasureResponseCommand"),
    ("measure_or_pref", "SinusoidalMeasureResponseCommand"),
    ("measure_od_pref", "SinusoidalMeasureResponseCommand"),
    ("measure_phasedisparity", "SinusoidalMeasureResponseCommand"),
    ("measure_dr_pref", "SinusoidalMeasureResponseCommand"),
    ("measure_hue_pref", "SinusoidalMeasureResponseCommand"),
    ("measure_position_pref", "PositionMeasurementCommand"),
    ("measure_corner_or_pref", "PositionMeasurementCommand"),
    ("measure_or_tuning_fullfield", "FeatureCurveCommand"),
    ("measure_or_tuning", "UnitCurveCommand"),
    ("measure_size_response", "UnitCurveCommand"),
    ("measure_contrast_response", "UnitCurveCommand"),
];

/// The parameters each class declares (or re-declares with its own
/// default), of those the analysis reads.
const DECLARES: &[(&str, &[&str])] = &[
    (
        "PatternPresentingCommand",
        &["durations", "measurement_prefix"],
    ),
    (
        "MeasureResponseCommand",
        &["offset", "scale", "metafeature_fns"],
    ),
    (
        "SinusoidalMeasureResponseCommand",
        &["frequencies", "num_phase", "num_orientation", "scale"],
    ),
    (
        "PositionMeasurementCommand",
        &["divisions", "x_range", "y_range", "size"],
    ),
    ("FeatureCurveCommand", &["contrasts", "num_orientation"]),
    ("UnitCurveCommand", &["size", "coords", "metafeature_fns"]),
    (
        "measure_sine_pref",
        &[
            "max_speed",
            "metafeature_fns",
            "num_ocularity",
            "num_disparity",
            "num_hue",
            "num_direction",
            "num_speeds",
        ],
    ),
    ("measure_or_pref", &[]),
    ("measure_od_pref", &["metafeature_fns"]),
    (
        "measure_phasedisparity",
        &["metafeature_fns", "num_disparity", "orientation"],
    ),
    (
        "measure_dr_pref",
        &[
            "metafeature_fns",
            "num_phase",
            "num_direction",
            "num_speeds",
            "max_speed",
        ],
    ),
    (
        "measure_hue_pref",
        &["metafeature_fns", "num_phase", "num_hue"],
    ),
    ("measure_position_pref", &["scale"]),
    (
        "measure_corner_or_pref",
        &[
            "scale",
            "divisions",
            "x_range",
            "y_range",
            "num_orientation",
        ],
    ),
    ("measure_or_tuning_fullfield", &["coords"]),
    ("measure_or_tuning", &["num_orientation"]),
    // `size = None` there replaces the parameter by a plain attribute.
    ("measure_size_response", &["size", "num_sizes", "max_size"]),
    (
        "measure_contrast_response",
        &["contrasts", "relative_orientations"],
    ),
];

/// `class` and its base classes, nearest first (just `class` if it is
/// not a featuremapper command class).
pub fn chain(class: &str) -> Vec<&str> {
    let mut out = vec![class];
    while let Some((_, parent)) = PARENT.iter().find(|(c, _)| *c == out[out.len() - 1]) {
        out.push(parent);
    }
    out
}

/// Whether `class` declares `param` itself.
pub fn declares(class: &str, param: &str) -> bool {
    DECLARES
        .iter()
        .any(|(c, ps)| *c == class && ps.contains(&param))
}

/// The model's setting that decides the default of `param` for
/// `command`, with its key (`<Class>.<param>`); `None` when the class
/// that declares `param` keeps featuremapper's default.
pub fn model_setting<'a>(
    analysis: &'a BTreeMap<String, Value>,
    command: &str,
    param: &str,
) -> Option<(String, &'a Value)> {
    for class in chain(command) {
        let key = format!("{class}.{param}");
        if let Some(v) = analysis.get(&key) {
            return Some((key, v));
        }
        if declares(class, param) {
            return None;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(settings: &[(&str, Value)]) -> BTreeMap<String, Value> {
        settings
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    fn list(v: &[f64]) -> Value {
        Value::List(v.iter().map(|x| Value::Float(*x)).collect())
    }

    #[test]
    fn every_command_reaches_the_base_class() {
        let commands = super::super::feature_maps::COMMANDS
            .iter()
            .chain(super::super::tuning::COMMANDS);
        for c in commands {
            let ch = chain(c);
            assert_eq!(ch.last(), Some(&"PatternPresentingCommand"), "{c}: {ch:?}");
            assert!(
                DECLARES.iter().any(|(d, _)| d == c),
                "{c} has no declarations"
            );
        }
    }

    #[test]
    fn a_setting_on_the_declaring_class_reaches_subclasses_that_do_not_redeclare() {
        let a = model(&[("SinusoidalMeasureResponseCommand.frequencies", list(&[1.2]))]);
        for c in ["measure_or_pref", "measure_sine_pref", "measure_or_tuning"] {
            assert_eq!(
                model_setting(&a, c, "frequencies").map(|(k, _)| k),
                Some("SinusoidalMeasureResponseCommand.frequencies".into()),
                "{c}"
            );
        }
        assert!(model_setting(&a, "measure_position_pref", "frequencies").is_none());
    }

    #[test]
    fn a_setting_on_a_subclass_wins_over_its_base_and_stays_there() {
        let a = model(&[
            ("SinusoidalMeasureResponseCommand.frequencies", list(&[1.2])),
            ("measure_sine_pref.frequencies", list(&[3.0])),
        ]);
        assert_eq!(
            model_setting(&a, "measure_sine_pref", "frequencies").map(|(_, v)| v.clone()),
            Some(list(&[3.0]))
        );
        assert_eq!(
            model_setting(&a, "measure_or_pref", "frequencies").map(|(_, v)| v.clone()),
            Some(list(&[1.2]))
        );
        let only_sub = model(&[("measure_sine_pref.frequencies", list(&[3.0]))]);
        assert!(model_setting(&only_sub, "measure_or_pref", "frequencies").is_none());
    }

    #[test]
    fn a_redeclaration_below_the_set_class_keeps_its_own_default() {
        let a = model(&[
            ("FeatureCurveCommand.contrasts", list(&[1.0, 10.0])),
            (
                "SinusoidalMeasureResponseCommand.num_orientation",
                Value::Int(2),
            ),
            ("MeasureResponseCommand.scale", Value::Float(0.9)),
        ]);
        for c in [
            "measure_or_tuning_fullfield",
            "measure_or_tuning",
            "measure_size_response",
        ] {
            assert!(model_setting(&a, c, "contrasts").is_some(), "{c}");
        }
        // measure_contrast_response declares its own contrasts.
        assert!(model_setting(&a, "measure_contrast_response", "contrasts").is_none());
        // FeatureCurveCommand re-declares num_orientation, measure_dr_pref
        // and the others inherit SinusoidalMeasureResponseCommand's.
        assert!(model_setting(&a, "measure_or_tuning", "num_orientation").is_none());
        assert!(model_setting(&a, "measure_od_pref", "num_orientation").is_some());
        // SinusoidalMeasureResponseCommand re-declares scale.
        assert!(model_setting(&a, "measure_or_pref", "scale").is_none());
        assert!(model_setting(&a, "measure_corner_or_pref", "scale").is_none());
    }
}
