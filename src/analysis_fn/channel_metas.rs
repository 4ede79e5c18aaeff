//! featuremapper's metafeature functions for the multi-channel retina
//! (featuremapper/metaparams.py `hue2rgbscaleNewRetina`,
//! `ocular2leftrightscaleNewRetina`), which `ModelGCALColor.analysis_setup`
//! (topo/submodel/color.py) makes `measure_hue_pref`'s and
//! `measure_od_pref`'s with `'cr'`: every input becomes
//! `ComposeChannels(generators=[input]*3,
//! channel_transforms=[ScaleChannels(channel_factors=[r, g, b])])`.
//!
//! The model records the choice as the analysis setting
//! `<command>.metafeature_fns` (crates/lang's GCAL template), a class
//! default like any other.

use super::feature_maps::Meta;
use std::collections::BTreeMap;
use topo_spec::{Component, Value};

/// The metafeature functions the model set for `command` (on it or on
/// a base class it inherits them from, [`super::class_defaults`]), if it
/// set them: featuremapper's names in order.
pub fn model_metas(analysis: &BTreeMap<String, Value>, command: &str) -> Option<Vec<Meta>> {
    let (_, v) = super::class_defaults::model_setting(analysis, command, "metafeature_fns")?;
    let list = v.as_seq()?;
    list.iter()
        .map(|v| match v.as_str()? {
            "contrast2scale" => Some(Meta::Contrast2Scale),
            "hue2rgbscale" => Some(Meta::Hue),
            "ocular2leftrightscale" => Some(Meta::Ocular),
            "hue2rgbscaleNewRetina" => Some(Meta::HueNewRetina),
            "ocular2leftrightscaleNewRetina" => Some(Meta::OcularNewRetina),
            _ => None,
        })
        .collect()
}

/// `imagen.colorspaces.color_conversion.analysis2working((hue, 1.0, 1.0))`
/// with the default converter (analysis space HSV, working space RGB):
/// `ColorSpace.hsv_to_rgb` on a float32 array, i.e. colorsys's
/// `hsv_to_rgb` stored as float32, clipped to [0, 1], then `_ungamma_rgb`
/// in float32 (`x/12.92` below 0.04045, `((x+0.055)/1.055)**2.4` above,
/// both terms masked and summed as numpy does).
pub fn hue_to_working_rgb(hue: f64) -> [f64; 3] {
    // Full saturation and value: colorsys's arithmetic with s = v = 1.
    let rgb = topo_numbergen::colour::hsv_to_rgb(hue as f32 as f64, 1.0, 1.0);
    rgb.map(|x| {
        let x = (x as f32).clamp(0.0, 1.0);
        let low = if x <= 0.04045 { 1.0f32 } else { 0.0 };
        let high = 1.0 - low;
        let a = x / 12.92 * low;
        let b = ((x + 0.055) / 1.055).powf(2.4) * high;
        (a + b) as f64
    })
}

/// `ComposeChannels(generators=[g]*3, channel_transforms=[ScaleChannels(factors)])`.
pub fn compose(g: &Component, factors: [f64; 3]) -> Component {
    let mut scale = Component {
        class: "imagen.image.ScaleChannels".into(),
        id: u64::MAX,
        params: BTreeMap::new(),
    };
    scale.params.insert(
        "channel_factors".into(),
        Value::List(factors.iter().map(|f| Value::Float(*f)).collect()),
    );
    scale
        .params
        .insert("name".into(), Value::Str("ScaleChannels99999".into()));
    let mut c = super::present::pattern_base("imagen.ComposeChannels", "ComposeChannels");
    let gen = Value::Object(Box::new(g.clone()));
    c.params.insert(
        "generators".into(),
        Value::List(vec![gen.clone(), gen.clone(), gen]),
    );
    c.params.insert(
        "channel_transforms".into(),
        Value::List(vec![Value::Object(Box::new(scale))]),
    );
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values of numpy float32 arithmetic (numpy 1.x and 2.x agree for
    /// float32 arrays with Python float scalars).
    #[test]
    fn hue_to_working_rgb_ungammas_in_float32() {
        assert_eq!(hue_to_working_rgb(0.0), [1.0, 0.0, 0.0]);
        let [r, g, b] = hue_to_working_rgb(1.0 / 8.0);
        assert_eq!((r, b), (1.0, 0.0));
        // ((0.75+0.055)/1.055)**2.4 in float32
        let want = ((0.75f32 + 0.055) / 1.055).powf(2.4) as f64;
        assert_eq!(g, want);
        assert!((g - 0.522521).abs() < 1e-5, "{g}");
    }

    #[test]
    fn model_metas_follow_the_class_chain() {
        let names = |v: &[&str]| Value::List(v.iter().map(|s| Value::Str(s.to_string())).collect());
        let a: BTreeMap<String, Value> = [
            (
                "measure_hue_pref.metafeature_fns".to_string(),
                names(&["contrast2scale", "hue2rgbscaleNewRetina"]),
            ),
            (
                "MeasureResponseCommand.metafeature_fns".to_string(),
                names(&["contrast2scale"]),
            ),
        ]
        .into();
        assert_eq!(
            model_metas(&a, "measure_hue_pref"),
            Some(vec![Meta::Contrast2Scale, Meta::HueNewRetina])
        );
        // measure_or_pref inherits MeasureResponseCommand's;
        // measure_od_pref declares its own (featuremapper/command.py).
        assert_eq!(
            model_metas(&a, "measure_or_pref"),
            Some(vec![Meta::Contrast2Scale])
        );
        assert_eq!(model_metas(&a, "measure_od_pref"), None);
    }
}
