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
//!   `_src_connect`). There is no run of the real Topographica of these
//!   classes to compare against.

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

#[test]
fn cr_with_a_present_dataset_says_the_multi_channel_retina_is_missing() {
    let d = model_dir(
        "present",
        "FoliageB",
        Some("images/mcgill/foliage_b_combined"),
    );
    let e = dir_error(&d.0);
    assert_eq!(e.line, 4, "{e}");
    assert!(e.message.contains("foliage_b_combined"), "{e}");
    assert!(
        e.message.contains("multi-channel retina") && e.message.contains("does not build yet"),
        "{e}"
    );
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
