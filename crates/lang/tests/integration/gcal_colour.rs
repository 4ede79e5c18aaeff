//! `ModelGCALColor` and `ModelGCALInheritingColor` (topo/submodel/color.py).
//! Expected values are worked out by hand from that file:
//!
//! - without `'cr'` no sheet has an `opponent` property, so
//!   `ColorEarlyVisionModel.LGN`, `afferent_conditions`,
//!   `lateral_gain_control_conditions` and `ModelGCALColor.V1_afferent`
//!   (colour scale 1.0) reduce to `EarlyVisionModel`'s and `ModelGCAL`'s
//!   (topo/submodel/{earlyvision,gcal}.py); what differs is that the
//!   colour classes fix V1's `tsettle` (16), the homeostatic target
//!   (`HomeostaticResponse`'s default 0.024) and the lateral sizes (0.05,
//!   0.15) instead of making them parameters, and that their LGN lateral
//!   gain control has size and radius 0.25 whatever `gain_control_size`;
//! - with `'cr'`, every LGN sheet connects from the Retina's channel
//!   ports `Activity0`..`Activity2`, which a `ChannelGeneratorSheet`
//!   offers only for multi-channel training patterns
//!   (topo/base/generatorsheet.py); Gaussians have one channel, so
//!   Topographica's `topo.sim.connect` raises (topo/base/simulation.py
//!   `_src_connect`); with colour images (a FoliageA-like dataset of our
//!   own) the Retina has the ports and the opponent LGN is built.
//!   There is no run of the real Topographica of these classes to
//!   compare against.

use std::path::{Path, PathBuf};
use topo_spec::{Component, ModelSpec, Value};

fn load(class: &str, module: &str, kwargs: &str) -> Result<ModelSpec, topo_lang::LangError> {
    let text = format!(
        "import topo\nfrom topo.submodel.{module} import {class}\n\
         topo.sim.model = {class}(cortex_density=8{kwargs})\n"
    );
    topo_lang::load_model_source("colour.ty", &text, &[])
}

fn ok(class: &str, module: &str, kwargs: &str) -> ModelSpec {
    load(class, module, kwargs).unwrap_or_else(|e| panic!("{e}"))
}

fn error(class: &str, kwargs: &str) -> topo_lang::LangError {
    match load(class, "color", kwargs) {
        Ok(_) => panic!("{class}({kwargs}): expected an error"),
        Err(e) => e,
    }
}

fn conn<'a>(s: &'a ModelSpec, dest: &str, name: &str) -> &'a Component {
    &s.connections
        .iter()
        .find(|c| c.dest == dest && c.name == name)
        .unwrap_or_else(|| panic!("no projection {dest}.{name}"))
        .component
}

fn radius(v: Option<&Value>) -> f64 {
    match v {
        Some(Value::BoundingBox([l, b, r, t])) => {
            assert!(*l == -r && *b == -t && r == t, "a square centred box");
            *r
        }
        other => panic!("not a bounding box: {other:?}"),
    }
}

fn obj<'a>(c: &'a Component, p: &str) -> &'a Component {
    c.get(p).and_then(Value::as_object).unwrap()
}

#[test]
fn colour_classes_without_cr_build_gcals_network() {
    for class in ["ModelGCALColor", "ModelGCALInheritingColor"] {
        let s = ok(class, "color", ", gain_control_size=0.3");
        let sheets: Vec<&str> = s.sheets.iter().map(|x| x.name.as_str()).collect();
        assert_eq!(sheets, ["Retina", "LGNOn", "LGNOff", "V1"], "{class}");
        let conns: Vec<String> = s
            .connections
            .iter()
            .map(|c| format!("{}->{}:{}", c.src, c.dest, c.name))
            .collect();
        assert_eq!(
            conns,
            [
                "Retina->LGNOn:Afferent",
                "Retina->LGNOff:Afferent",
                "LGNOn->LGNOn:LateralGC",
                "LGNOn->V1:LGNOnAfferent",
                "LGNOff->LGNOff:LateralGC",
                "LGNOff->V1:LGNOffAfferent",
                "V1->V1:LateralExcitatory",
                "V1->V1:LateralInhibitory",
            ],
            "{class}"
        );
        for p in ["LGNOn", "LGNOff"] {
            // EarlyVisionModel.afferent: strength lgnaff_strength
            assert_eq!(conn(&s, p, "Afferent").f64("strength"), Some(2.33));
            // ColorEarlyVisionModel.lateral_gain_control: size and
            // radius 0.25 (not gain_control_size), strength 0.6
            let gc = conn(&s, p, "LateralGC");
            assert_eq!(radius(gc.get("nominal_bounds_template")), 0.25, "{class}");
            assert_eq!(obj(gc, "weights_generator").f64("size"), Some(0.25));
            assert_eq!(gc.f64("strength"), Some(0.6));
            // color_factor is 1 without 'cr': activity_group weight 0.6
            let ag = gc.get("activity_group").and_then(Value::as_seq).unwrap();
            assert_eq!(ag[0].as_f64(), Some(0.6), "{class}");
            // V1_afferent: aff_strength * colour scale 1.0 * 1.5 (gain
            // control), radius v1aff_radius
            let a = conn(&s, "V1", &format!("{p}Afferent"));
            assert_eq!(a.f64("strength"), Some(1.5), "{class}");
            assert_eq!(radius(a.get("nominal_bounds_template")), 0.27083);
        }
        let v1 = &s.sheets[3].component;
        assert_eq!(v1.f64("tsettle"), Some(16.0));
        let homeo = v1.get("output_fns").and_then(Value::as_seq).unwrap()[0]
            .as_object()
            .unwrap();
        assert_eq!(homeo.f64("target_activity"), Some(0.024));
        let exc = conn(&s, "V1", "LateralExcitatory");
        assert_eq!(obj(exc, "weights_generator").f64("size"), Some(0.05));
        let inh = conn(&s, "V1", "LateralInhibitory");
        assert_eq!(
            obj(inh, "weights_generator").f64("gaussian_size"),
            Some(0.15)
        );
    }
}

/// Apart from its global parameters (the classes' parameter lists
/// differ), ModelGCALColor without 'cr' is ModelGCAL with the default
/// gain_control_size (0.25), whatever its own gain_control_size.
#[test]
fn without_cr_the_network_is_modelgcals_with_lateral_gain_control_025() {
    let mut colour = ok("ModelGCALColor", "color", ", gain_control_size=0.3");
    let mut gcal = ok("ModelGCAL", "gcal", "");
    let wider = ok("ModelGCAL", "gcal", ", gain_control_size=0.3");
    assert!(
        wider.connections != gcal.connections,
        "gain_control_size 0.3 changes ModelGCAL's lateral gain control"
    );
    colour.global_params.clear();
    gcal.global_params.clear();
    // ColorEarlyVisionModel.Retina is a ChannelGeneratorSheet, which acts
    // as a GeneratorSheet for a single-channel pattern
    assert_eq!(
        colour.sheets[0].component.class,
        "topo.sheet.ChannelGeneratorSheet"
    );
    colour.sheets[0].component.class = "topo.sheet.GeneratorSheet".into();
    for p in ["constant_mean_total_channels_output", "channel_output_fns"] {
        assert!(colour.sheets[0].component.params.remove(p).is_some(), "{p}");
    }
    assert!(
        colour == gcal,
        "ModelGCALColor's spec differs from ModelGCAL's"
    );
}

#[test]
fn colour_parameters_are_the_classes_own() {
    // ColorEarlyVisionModel's parameters are accepted and reach -p
    let s = ok(
        "ModelGCALColor",
        "color",
        ", color_strength=0.5, cone_scale=[1.0, 1.0, 1.0], color_sim_type='Dichromatic', gain_control_color=True",
    );
    let names: Vec<&str> = s.global_params.iter().map(|g| g.name.as_str()).collect();
    for n in [
        "gain_control_color",
        "cone_scale",
        "color_strength",
        "color_sim_type",
    ] {
        assert!(names.contains(&n), "{n} in {names:?}");
    }
    // ModelGCAL's t_settle, target_activity, latexc_size and
    // latinh_size are not parameters of the colour classes
    for n in ["t_settle", "target_activity", "latexc_size", "latinh_size"] {
        assert!(!names.contains(&n), "{n}");
        let e = error("ModelGCALColor", &format!(", {n}=1"));
        assert_eq!(e.line, 3, "{e}");
        assert!(e.message.contains(&format!("unknown keyword '{n}'")), "{e}");
    }
    let e = error("ModelGCALColor", ", color_sim_type='Tetrachromatic'");
    assert!(e.message.contains("Tetrachromatic"), "{e}");
    let e = error("ModelGCALColor", ", color_strength=-0.5");
    assert!(e.message.contains("color_strength"), "{e}");
}

#[test]
fn cr_with_gaussians_is_topographicas_port_refusal() {
    for class in ["ModelGCALColor", "ModelGCALInheritingColor"] {
        let e = error(class, ", dims=['xy', 'or', 'cr']");
        assert_eq!((e.line, e.col), (3, 1), "{e}");
        for part in [
            "needs colour images",
            "dataset='Gaussian'",
            "ChannelGeneratorSheet",
            "Activity0",
            "_src_connect",
        ] {
            assert!(e.message.contains(part), "{part}: {e}");
        }
    }
}

#[test]
fn cr_is_not_a_dimension_of_modelgcal() {
    let e = load("ModelGCAL", "gcal", ", dims=['xy', 'or', 'cr']").unwrap_err();
    assert_eq!(e.line, 3, "{e}");
    assert!(e.message.contains("names 'cr'"), "{e}");
}

/// A scratch folder, removed when dropped.
struct Dir(PathBuf);

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn model_dir(name: &str, dataset: &str, folder: Option<&str>) -> Dir {
    let d = std::env::temp_dir().join(format!(
        "topo-lang-gcal-colour-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    let text = format!(
        "import topo\nfrom topo.submodel.color import ModelGCALColor\n\n\
         topo.sim.model = ModelGCALColor(dims=['xy', 'or', 'cr'], dataset='{dataset}')\n"
    );
    std::fs::write(d.join("m.ty"), text).unwrap();
    if let Some(f) = folder {
        std::fs::create_dir_all(d.join(f)).unwrap();
    }
    Dir(d)
}

fn dir_error(d: &Path) -> topo_lang::LangError {
    topo_lang::load_model(&d.join("m.ty"), &[]).unwrap_err()
}

#[test]
fn cr_with_an_absent_colour_dataset_names_the_missing_folder() {
    for (dataset, folder) in [
        ("FoliageA", "'images/mcgill/foliage_a_combined'"),
        ("FoliageB", "'images/mcgill/foliage_b_combined'"),
        ("Nature", "'images/shouval'"),
    ] {
        let d = model_dir(&format!("absent-{dataset}"), dataset, None);
        let e = dir_error(&d.0);
        assert_eq!(e.line, 4, "{e}");
        assert!(e.message.contains("needs colour images"), "{e}");
        assert!(e.message.contains(folder), "{e}");
    }
}

/// A FoliageA-like dataset: the synthetic colour images of
/// tests/data/images/colour (see tests/data/colour/make_images.py at the
/// repository root) copied into `images/mcgill/foliage_a_combined`.
fn colour_dataset(name: &str, kwargs: &str) -> Dir {
    let d = model_dir(name, "FoliageA", Some("images/mcgill/foliage_a_combined"));
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/images/colour");
    for n in 0..3 {
        let f = format!("foliage_like_{n}.png");
        std::fs::copy(
            src.join(&f),
            d.0.join("images/mcgill/foliage_a_combined").join(&f),
        )
        .unwrap();
    }
    let text = format!(
        "import topo\nfrom topo.submodel.color import ModelGCALColor, ModelGCALInheritingColor\n\n\
         topo.sim.model = {kwargs}\n"
    );
    std::fs::write(d.0.join("m.ty"), text).unwrap();
    d
}

fn colour_spec(name: &str, kwargs: &str) -> ModelSpec {
    let d = colour_dataset(name, kwargs);
    topo_lang::load_model(&d.0.join("m.ty"), &[]).unwrap_or_else(|e| panic!("{e}"))
}

fn names(s: &ModelSpec, dest: &str) -> Vec<String> {
    s.connections
        .iter()
        .filter(|c| c.dest == dest)
        .map(|c| format!("{}:{}", c.src, c.name))
        .collect()
}

fn port(c: &Component) -> &str {
    c.get("src_port").and_then(Value::as_str).unwrap()
}

/// color.py with 'cr' and colour images, worked out by hand:
/// `sheet_setup` (Retina, LGN = polarities x opponents, V1),
/// `afferent_surround` / `afferent_center` (ports, strengths, sizes),
/// `lateral_gain_control` (color_factor 0.25), `ModelGCALColor.V1_afferent`
/// (colour scale) and `Retina` (ScaleChannels(cone_scale)).
#[test]
fn cr_with_colour_images_builds_the_opponent_lgn() {
    let s = colour_spec(
        "cr-mono",
        "ModelGCALColor(dims=['xy', 'or', 'cr'], dataset='FoliageA', cortex_density=8, color_strength=0.5)",
    );
    let sheets: Vec<&str> = s.sheets.iter().map(|x| x.name.as_str()).collect();
    let opp = [
        "RedGreen",
        "GreenRed",
        "BlueRedGreen",
        "RedGreenBlueRedGreenBlue",
    ];
    let mut want = vec!["Retina".to_string()];
    for pol in ["On", "Off"] {
        for o in opp {
            want.push(format!("LGN{pol}{o}"));
        }
    }
    want.push("V1".into());
    assert_eq!(sheets, want);
    let retina = &s.sheets[0].component;
    assert_eq!(retina.class, "topo.sheet.ChannelGeneratorSheet");
    // the training Selector's images each scale their channels by cone_scale
    let sel = obj(retina, "input_generator");
    assert_eq!(sel.class, "imagen.Selector");
    let gens = sel.get("generators").and_then(Value::as_seq).unwrap();
    assert_eq!(gens.len(), 2, "int(num_inputs*area*area) = 2 images");
    for g in gens {
        let g = g.as_object().unwrap();
        let t = g.get("channel_transforms").and_then(Value::as_seq).unwrap();
        assert_eq!(t.len(), 1);
        let sc = t[0].as_object().unwrap();
        assert_eq!(sc.class, "imagen.image.ScaleChannels");
        let f: Vec<f64> = sc
            .get("channel_factors")
            .and_then(Value::as_seq)
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        assert_eq!(f, [0.9, 1.0, 0.97]);
    }
    // Retina -> LGN: surround projections first, colours in the order
    // Blue, Green, Red (Python 2's dict order of ColorToChannel)
    let k = 4.7 / 2.33 * 2.33;
    for (o, surround, centre) in [
        ("RedGreen", vec![1], vec![0]),
        ("GreenRed", vec![0], vec![1]),
        ("BlueRedGreen", vec![1, 0], vec![2]),
        ("RedGreenBlueRedGreenBlue", vec![2, 1, 0], vec![2, 1, 0]),
    ] {
        for pol in ["On", "Off"] {
            let dest = format!("LGN{pol}{o}");
            let mut want: Vec<String> = surround
                .iter()
                .map(|c| format!("Retina:AfferentSurround{c}"))
                .collect();
            want.extend(centre.iter().map(|c| format!("Retina:AfferentCenter{c}")));
            let got: Vec<String> = names(&s, &dest)
                .into_iter()
                .filter(|n| n.starts_with("Retina:"))
                .collect();
            assert_eq!(got, want, "{dest}");
            let sign = if pol == "On" { 1.0 } else { -1.0 };
            for c in &centre {
                let p = conn(&s, &dest, &format!("AfferentCenter{c}"));
                assert_eq!(port(p), format!("Activity{c}"));
                assert_eq!(p.f64("strength"), Some(k / centre.len() as f64 * sign));
                assert_eq!(obj(p, "weights_generator").f64("size"), Some(0.07385));
                assert_eq!(radius(p.get("nominal_bounds_template")), 0.375);
            }
            for c in &surround {
                let p = conn(&s, &dest, &format!("AfferentSurround{c}"));
                assert_eq!(port(p), format!("Activity{c}"));
                assert_eq!(p.f64("strength"), Some(k / surround.len() as f64 * -sign));
                // `opponent is not 'Blue'`: only the Blue/RedGreen sheet
                let size = if o == "BlueRedGreen" {
                    0.07385
                } else {
                    0.07385 * 4.0
                };
                assert_eq!(obj(p, "weights_generator").f64("size"), Some(size));
            }
            // gain control only in the luminosity sheet (gain_control
            // True, gain_control_color False), activity group 0.6*0.25
            let gc: Vec<String> = names(&s, &dest)
                .into_iter()
                .filter(|n| n.contains("LateralGC"))
                .collect();
            let lgn = &s.sheets.iter().find(|x| x.name == dest).unwrap().component;
            if o == "RedGreenBlueRedGreenBlue" {
                assert_eq!(gc, [format!("{dest}:LateralGC")]);
                let p = conn(&s, &dest, "LateralGC");
                let ag = p.get("activity_group").and_then(Value::as_seq).unwrap();
                assert_eq!(ag[0].as_f64(), Some(0.6 * 0.25));
                assert_eq!(lgn.f64("tsettle"), Some(2.0));
            } else {
                assert!(gc.is_empty(), "{dest}: {gc:?}");
                assert_eq!(lgn.f64("tsettle"), Some(0.0));
            }
            // V1_afferent: colour scale num_tot/num_lum*(1-color_strength)
            // = 8/2*0.5 for luminosity, num_tot/num_col*color_strength =
            // 8/6*0.5 for colour; times 1.0 since gain_control_color is off
            let a = conn(&s, "V1", &format!("{o}LGN{pol}Afferent"));
            let (lum, col) = (1.0 * 8.0 / 2.0 * (1.0 - 0.5), 1.0 * 8.0 / 6.0 * 0.5);
            let scale = if o == "RedGreenBlueRedGreenBlue" {
                lum
            } else {
                col
            };
            assert_eq!(a.f64("strength"), Some(1.0 * scale * 1.0), "{o}");
        }
    }
    // ModelGCALColor.analysis_setup: the multi-channel retina's hue
    // coordination for measure_hue_pref
    let metas = s.analysis.get("measure_hue_pref.metafeature_fns");
    assert_eq!(
        metas
            .and_then(Value::as_seq)
            .map(|v| v.iter().filter_map(Value::as_str).collect::<Vec<_>>()),
        Some(vec!["contrast2scale", "hue2rgbscaleNewRetina"]),
        "{:?}",
        s.analysis.keys().collect::<Vec<_>>()
    );
    // per polarity 2 + 2 + 3 + 6 afferents; 2 lateral gain controls, 8
    // V1 afferents, 2 laterals
    assert_eq!(s.connections.len(), 2 * 13 + 2 + 8 + 2);
}

/// ModelGCALInheritingColor keeps ModelGCAL's V1 afferent strength, and
/// two eyes dim their channel factors by hsv[2] +/- Dim<n>.
#[test]
fn inheriting_colour_and_two_eyes() {
    let s = colour_spec(
        "cr-eyes",
        "ModelGCALInheritingColor(dims=['xy', 'or', 'od', 'cr'], dataset='FoliageA', cortex_density=8)",
    );
    assert_eq!(s.sheets[0].name, "LeftRetina");
    assert_eq!(s.sheets[1].name, "RightRetina");
    assert!(s.sheets.iter().any(|x| x.name == "LeftLGNOnRedGreen"));
    let a = conn(&s, "V1", "LeftRedGreenLGNOnAfferent");
    assert_eq!(a.f64("strength"), Some(1.5));
    // lateral gain control of the luminosity sheets joins both eyes
    let gc = names(&s, "LeftLGNOnRedGreenBlueRedGreenBlue");
    assert!(
        gc.contains(&"LeftLGNOnRedGreenBlueRedGreenBlue:LateralGCLeft".to_string()),
        "{gc:?}"
    );
    assert!(
        gc.contains(&"RightLGNOnRedGreenBlueRedGreenBlue:LateralGCRight".to_string()),
        "{gc:?}"
    );
    let sel = obj(&s.sheets[0].component, "input_generator");
    let g = sel.get("generators").and_then(Value::as_seq).unwrap()[0]
        .as_object()
        .unwrap();
    let sc = g.get("channel_transforms").and_then(Value::as_seq).unwrap()[0]
        .as_object()
        .unwrap();
    let f = sc.get("channel_factors").and_then(Value::as_seq).unwrap();
    // colorsys.hsv_to_rgb(h, s, v) for cone_scale's h = 0.45 (i = 2):
    // (v*(1-s), v, v*(1-s*(1-f))) with v = 1.0 + Dim0
    let dim_of = |v: &Value| -> String { format!("{v:?}") };
    assert!(dim_of(&f[1]).contains("Dim0"), "{:?}", f[1]);
    assert!(
        dim_of(&f[0]).contains("0.9") && dim_of(&f[0]).contains("Dim0"),
        "{:?}",
        f[0]
    );
}

#[test]
fn cr_with_grayscale_images_is_topographicas_port_refusal() {
    let d = model_dir("gray", "FoliageB", Some("images/mcgill/foliage_b_combined"));
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/images/ramp.png");
    std::fs::copy(src, d.0.join("images/mcgill/foliage_b_combined/ramp.png")).unwrap();
    let e = dir_error(&d.0);
    assert_eq!(e.line, 4, "{e}");
    assert!(e.message.contains("no output port 'Activity"), "{e}");
    assert!(e.message.contains("_src_connect"), "{e}");
}

#[test]
fn cr_with_sf_is_refused() {
    let d = colour_dataset(
        "cr-sf",
        "ModelGCALColor(dims=['xy', 'or', 'sf', 'cr'], dataset='FoliageA')",
    );
    let e = dir_error(&d.0);
    assert_eq!(e.line, 4, "{e}");
    assert!(e.message.contains("'sf' together"), "{e}");
}

/// A `.ty` model class deriving from ModelGCALColor keeps the colour
/// class's network (lateral gain control 0.25, not `gain_control_size`)
/// and changes the component it overrides.
#[test]
fn a_model_class_may_derive_from_model_gcal_color() {
    let text = r#"
import topo
from topo.submodel import Model
from topo.submodel.color import ModelGCALColor

@Model.definition
class Stronger(ModelGCALColor):
    @Model.CFProjection
    def lateral_inhibitory(self, src_properties, dest_properties):
        base = super(Stronger, self).lateral_inhibitory(src_properties, dest_properties)
        return dict(base, strength=-2.5)

topo.sim.model = Stronger(cortex_density=8, gain_control_size=0.3)
"#;
    let s = topo_lang::load_model_source("sub.ty", text, &[]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        conn(&s, "V1", "LateralInhibitory").f64("strength"),
        Some(-2.5)
    );
    let gc = conn(&s, "LGNOn", "LateralGC");
    assert_eq!(radius(gc.get("nominal_bounds_template")), 0.25);
    // and t_settle stays no keyword of it
    let bad = text.replace("gain_control_size=0.3", "t_settle=3");
    let e = topo_lang::load_model_source("sub.ty", &bad, &[]).unwrap_err();
    assert!(e.message.contains("unknown keyword 't_settle'"), "{e}");
}
