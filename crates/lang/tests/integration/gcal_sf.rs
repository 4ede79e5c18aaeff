//! `ModelGCAL(dims=[..., 'sf'])`: the spatial-frequency channels of
//! topo/submodel/earlyvision.py (`EarlyVisionModel.property_setup`'s `SF`
//! list, `sheet_setup`, `Retina`, `LGN`, `afferent`,
//! `lateral_gain_control`), topo/submodel/gcal.py (`V1_afferent`,
//! `analysis_setup`) and topo/misc/featurecoordinators.py
//! (`SpatialFrequencyCoordinator`). Every expected value below is worked
//! out by hand from those functions, with the model's defaults
//! (`area` 1.0, `sf_spacing` 2.0, `v1aff_radius` 0.27083, `lgnaff_radius`
//! 0.375, `lgnlateral_radius` 0.5, `center_size` 0.07385,
//! `surround_size` 4*0.07385) and evaluated in the same operation order,
//! so the comparisons are exact.

use topo_spec::{Component, ModelSpec, Value};

fn load(dims: &str, extra: &str) -> ModelSpec {
    let text = format!(
        "import topo\nfrom topo.submodel.gcal import ModelGCAL\n\
         topo.sim.model = ModelGCAL(dims={dims}, cortex_density=8{extra})\n"
    );
    topo_lang::load_model_source("sf.ty", &text, &[]).unwrap_or_else(|e| panic!("{e}"))
}

fn sheet<'a>(s: &'a ModelSpec, name: &str) -> &'a Component {
    &s.sheets
        .iter()
        .find(|x| x.name == name)
        .unwrap_or_else(|| panic!("no sheet {name}"))
        .component
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

/// The centre and surround Gaussians' sizes of an LGN afferent's DoG.
fn dog_sizes(c: &Component) -> (f64, f64) {
    let w = obj(c, "weights_generator");
    let g: Vec<f64> = w
        .get("generators")
        .and_then(Value::as_seq)
        .unwrap()
        .iter()
        .map(|g| g.as_object().unwrap().f64("size").unwrap())
        .collect();
    (g[0], g[1])
}

#[test]
fn two_sf_channels_make_lgn_sheets_per_polarity_with_channel_names() {
    let s = load("['xy', 'or', 'sf']", "");
    let sheets: Vec<&str> = s.sheets.iter().map(|x| x.name.as_str()).collect();
    // LGN = polarities * eyes * SFs; SheetSpec names join eye, level,
    // polarity, SF.
    assert_eq!(
        sheets,
        ["Retina", "LGNOn1", "LGNOn2", "LGNOff1", "LGNOff2", "V1"]
    );
    // Retina: area/2 + v1aff_radius*2**(2-1) + lgnaff_radius*2**(2-1) + lgnlateral_radius
    let retina = 1.0 / 2.0 + 0.27083 * 2.0 + 0.375 * 2.0 + 0.5;
    assert_eq!(radius(sheet(&s, "Retina").get("nominal_bounds")), retina);
    // LGN with gain_control_SF: every channel sized for the widest,
    // area/2 + v1aff_radius*2**(2-1) + lgnlateral_radius, and settles
    // (tsettle 2, strict_tsettle 1).
    for n in ["LGNOn1", "LGNOn2", "LGNOff1", "LGNOff2"] {
        let c = sheet(&s, n);
        assert_eq!(
            radius(c.get("nominal_bounds")),
            1.0 / 2.0 + 0.27083 * 2.0 + 0.5
        );
        assert_eq!(c.f64("tsettle"), Some(2.0), "{n}");
        assert_eq!(c.f64("strict_tsettle"), Some(1.0), "{n}");
    }
    let conns: Vec<String> = s
        .connections
        .iter()
        .map(|c| format!("{}->{}:{}", c.src, c.dest, c.name))
        .collect();
    // Model._compute_projection_specs: (src, dest) over the sheets in
    // order; lateral gain control across both channels of a polarity,
    // named after the source's channel; V1 afferents named
    // LGN<polarity>Afferent, with SF<n> for channels above 1.
    assert_eq!(
        conns,
        [
            "Retina->LGNOn1:Afferent",
            "Retina->LGNOn2:Afferent",
            "Retina->LGNOff1:Afferent",
            "Retina->LGNOff2:Afferent",
            "LGNOn1->LGNOn1:LateralGCSF1",
            "LGNOn1->LGNOn2:LateralGCSF1",
            "LGNOn1->V1:LGNOnAfferent",
            "LGNOn2->LGNOn1:LateralGCSF2",
            "LGNOn2->LGNOn2:LateralGCSF2",
            "LGNOn2->V1:LGNOnAfferentSF2",
            "LGNOff1->LGNOff1:LateralGCSF1",
            "LGNOff1->LGNOff2:LateralGCSF1",
            "LGNOff1->V1:LGNOffAfferent",
            "LGNOff2->LGNOff1:LateralGCSF2",
            "LGNOff2->LGNOff2:LateralGCSF2",
            "LGNOff2->V1:LGNOffAfferentSF2",
            "V1->V1:LateralExcitatory",
            "V1->V1:LateralInhibitory"
        ]
    );
    // afferent: DoG sizes and bounds scaled by sf_spacing**(channel-1);
    // On is centre minus surround, Off the reverse.
    for (dest, k) in [("LGNOn1", 1.0), ("LGNOn2", 2.0)] {
        let c = conn(&s, dest, "Afferent");
        assert_eq!(dog_sizes(c), (0.07385 * k, 4.0 * 0.07385 * k), "{dest}");
        assert_eq!(radius(c.get("nominal_bounds_template")), 0.375 * k);
        assert_eq!(c.f64("strength"), Some(2.33));
    }
    assert_eq!(
        dog_sizes(conn(&s, "LGNOff2", "Afferent")),
        (4.0 * 0.07385 * 2.0, 0.07385 * 2.0)
    );
    // lateral gain control: 0.6 with one eye, whatever the channels
    for n in ["LateralGCSF1", "LateralGCSF2"] {
        assert_eq!(conn(&s, "LGNOn1", n).f64("strength"), Some(0.6));
    }
    // V1_afferent: GaussianCloud(2*v1aff_radius*k), bounds v1aff_radius*k,
    // strength aff_strength*1.5 with gain control.
    for (name, k) in [
        ("LGNOnAfferent", 1.0),
        ("LGNOnAfferentSF2", 2.0),
        ("LGNOffAfferentSF2", 2.0),
    ] {
        let c = conn(&s, "V1", name);
        assert_eq!(radius(c.get("nominal_bounds_template")), 0.27083 * k);
        assert_eq!(
            obj(c, "weights_generator").f64("gaussian_size"),
            Some(2.0 * 0.27083 * k),
            "{name}"
        );
        assert_eq!(c.f64("strength"), Some(1.5));
    }
    // analysis_setup: measure_sine_pref.frequencies = 2.4 * each relative size
    assert_eq!(
        s.analysis.get("measure_sine_pref.frequencies"),
        Some(&Value::List(vec![
            Value::Float(2.4 * 1.0),
            Value::Float(2.4 * 2.0)
        ]))
    );
}

/// SpatialFrequencyCoordinator: size = base size * UniformRandom(lbound=1,
/// ubound=sf_spacing**(sf_max_channel-1), seed=77+i,
/// name='SpatialFrequencyCoordinator<i>'), applied after xy and or.
#[test]
fn gaussian_sizes_are_scaled_by_a_spatial_frequency_stream() {
    let s = load("['xy', 'or', 'sf']", ", sf_channels=3, sf_spacing=1.5");
    let input = obj(sheet(&s, "Retina"), "input_generator");
    let gens = input.get("generators").and_then(Value::as_seq).unwrap();
    assert_eq!(gens.len(), 2);
    for (i, g) in gens.iter().enumerate() {
        let size = g.as_object().unwrap().get("size").unwrap();
        let Value::Object(op) = size else {
            panic!("size is a numbergen expression: {size:?}")
        };
        let text = format!("{op:?}");
        assert!(text.contains("0.088388"), "{text}");
        let ur: Vec<&Component> = op
            .params
            .values()
            .filter_map(Value::as_object)
            .filter(|c| c.class == "numbergen.UniformRandom")
            .collect();
        assert_eq!(ur.len(), 1, "{text}");
        assert_eq!(ur[0].f64("seed"), Some(77.0 + i as f64));
        assert_eq!(ur[0].f64("lbound"), Some(1.0));
        assert_eq!(ur[0].f64("ubound"), Some(1.5 * 1.5));
        assert_eq!(
            ur[0].get("name"),
            Some(&Value::Str(format!("SpatialFrequencyCoordinator{i}")))
        );
    }
    // three channels at spacing 1.5: LGN sheets 1..3 per polarity, the
    // Retina sized for channel 3
    assert!(s.sheets.iter().any(|x| x.name == "LGNOff3"));
    assert_eq!(
        radius(sheet(&s, "Retina").get("nominal_bounds")),
        1.0 / 2.0 + 0.27083 * (1.5 * 1.5) + 0.375 * (1.5 * 1.5) + 0.5
    );
}

/// Without gain_control_SF each channel has its own gain control (match
/// condition SF), named without the channel; the LGN sheets are sized by
/// their own channel and do not settle (`gain_control_SF` decides the
/// sheets' tsettle when they have an SF property).
#[test]
fn without_gain_control_sf_channels_stay_apart() {
    let s = load("['xy', 'or', 'sf']", ", gain_control_SF=False");
    let gc: Vec<String> = s
        .connections
        .iter()
        .filter(|c| c.name.starts_with("LateralGC"))
        .map(|c| format!("{}->{}:{}", c.src, c.dest, c.name))
        .collect();
    assert_eq!(
        gc,
        [
            "LGNOn1->LGNOn1:LateralGC",
            "LGNOn2->LGNOn2:LateralGC",
            "LGNOff1->LGNOff1:LateralGC",
            "LGNOff2->LGNOff2:LateralGC"
        ]
    );
    for (n, k) in [("LGNOn1", 1.0), ("LGNOff2", 2.0)] {
        let c = sheet(&s, n);
        assert_eq!(
            radius(c.get("nominal_bounds")),
            1.0 / 2.0 + 0.27083 * k + 0.5
        );
        assert_eq!(c.f64("tsettle"), Some(0.0), "{n}");
    }
}

/// One channel ('sf' with sf_channels=1): SFs is lancet.Identity, so the
/// network and names are those of dims without 'sf'.
#[test]
fn one_sf_channel_is_the_plain_network() {
    let a = load("['xy', 'or', 'sf']", ", sf_channels=1");
    let b = load("['xy', 'or']", "");
    let names = |s: &ModelSpec| -> Vec<String> {
        s.connections
            .iter()
            .map(|c| format!("{}->{}:{}", c.src, c.dest, c.name))
            .collect()
    };
    assert_eq!(names(&a), names(&b));
    assert_eq!(
        sheet(&a, "Retina").get("nominal_bounds"),
        sheet(&b, "Retina").get("nominal_bounds")
    );
}

/// With two eyes and two channels: sheets eye, level, polarity, SF;
/// gain control across eyes and channels named LateralGC<eye>SF<n>.
#[test]
fn two_eyes_and_two_channels() {
    let s = load("['xy', 'or', 'od', 'sf']", "");
    let sheets: Vec<&str> = s.sheets.iter().map(|x| x.name.as_str()).collect();
    assert_eq!(
        sheets,
        [
            "LeftRetina",
            "RightRetina",
            "LeftLGNOn1",
            "LeftLGNOn2",
            "RightLGNOn1",
            "RightLGNOn2",
            "LeftLGNOff1",
            "LeftLGNOff2",
            "RightLGNOff1",
            "RightLGNOff2",
            "V1"
        ]
    );
    let into: Vec<String> = s
        .connections
        .iter()
        .filter(|c| c.dest == "RightLGNOn2")
        .map(|c| format!("{}:{}", c.src, c.name))
        .collect();
    assert_eq!(
        into,
        [
            "RightRetina:Afferent",
            "LeftLGNOn1:LateralGCLeftSF1",
            "LeftLGNOn2:LateralGCLeftSF2",
            "RightLGNOn1:LateralGCRightSF1",
            "RightLGNOn2:LateralGCRightSF2"
        ]
    );
    assert_eq!(
        conn(&s, "RightLGNOn2", "LateralGCLeftSF1").f64("strength"),
        Some(0.3)
    );
    assert!(s
        .connections
        .iter()
        .any(|c| c.dest == "V1" && c.name == "RightLGNOffAfferentSF2"));
}

#[test]
fn expand_sf_test_range_adds_half_the_smallest_and_twice_the_largest() {
    let s = load("['xy', 'or', 'sf']", ", expand_sf_test_range=True");
    assert_eq!(
        s.analysis.get("measure_sine_pref.frequencies"),
        Some(&Value::List(
            [0.5 * 1.0, 1.0, 2.0, 2.0 * 2.0]
                .iter()
                .map(|r| Value::Float(2.4 * r))
                .collect()
        ))
    );
}
