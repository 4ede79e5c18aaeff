//! `ModelGCAL(dataset='Nature')`: the training patterns imagen's
//! `PatternCoordinatorImages` builds for topo/submodel/earlyvision.py's
//! `training_pattern_setup` (imagen/patterncoordinator.py): which files of
//! `images/shouval` become `FileImage`s, with which parameters and random
//! streams, under a `Selector`; and the located errors around it.

use std::path::{Path, PathBuf};
use topo_spec::{Component, ModelSpec, Value};

fn ramp() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/images/ramp.png")
}

/// A scratch folder, removed when dropped.
struct Dir(PathBuf);

impl std::ops::Deref for Dir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A folder holding `m.ty` (the text) and, when `images` is given, an
/// `images/shouval` folder with those entries (copies of a small PNG;
/// names without a dot are written as text).
fn model_dir(name: &str, text: &str, images: Option<&[&str]>) -> Dir {
    let d = std::env::temp_dir().join(format!(
        "topo-lang-gcal-dataset-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join("m.ty"), text).unwrap();
    if let Some(files) = images {
        let f = d.join("images/shouval");
        std::fs::create_dir_all(&f).unwrap();
        for n in files {
            if n.contains('.') {
                std::fs::copy(ramp(), f.join(n)).unwrap();
            } else {
                std::fs::write(f.join(n), "not an image\n").unwrap();
            }
        }
    }
    Dir(d)
}

fn load(dir: &Path, ov: &[(&str, &str)]) -> Result<ModelSpec, topo_lang::LangError> {
    let ov: Vec<(String, String)> = ov
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    topo_lang::load_model(&dir.join("m.ty"), &ov)
}

const NATURE: &str = "import topo\nfrom topo.submodel.gcal import ModelGCAL\n\
                      topo.sim.model = ModelGCAL(dataset='Nature', cortex_density=8)\n";

/// Files in the folder in an order that is not the sorted one, with a
/// name without a dot (the real folder's README) and a hidden file, which
/// `glob('*.*')` leaves out.
const FOLDER: &[&str] = &[
    "combined03.png",
    "combined10.png",
    "README",
    ".hidden.png",
    "combined02.png",
    "combined01.png",
];

fn retina_input(spec: &ModelSpec) -> &Component {
    spec.sheets
        .iter()
        .find(|s| s.name == "Retina")
        .and_then(|s| s.component.get("input_generator"))
        .and_then(Value::as_object)
        .expect("Retina input_generator")
}

fn images(spec: &ModelSpec) -> Vec<&Component> {
    let sel = retina_input(spec);
    assert_eq!(sel.class, "imagen.Selector");
    sel.get("generators")
        .and_then(Value::as_seq)
        .unwrap()
        .iter()
        .map(|g| g.as_object().unwrap())
        .collect()
}

fn file_name(c: &Component) -> String {
    let f = c.get("filename").and_then(Value::as_str).unwrap();
    Path::new(f)
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

/// Every numbergen object reachable from a parameter value (the
/// coordinators' streams are `0.0 + UniformRandom(...)`).
fn streams(v: &Value) -> Vec<&Component> {
    let mut out = Vec::new();
    let mut todo = vec![v];
    while let Some(v) = todo.pop() {
        match v {
            Value::Object(c) => {
                if c.class == "numbergen.UniformRandom" {
                    out.push(&**c);
                }
                for x in c.params.values() {
                    todo.push(x);
                }
            }
            Value::List(xs) | Value::Tuple(xs) => todo.extend(xs.iter()),
            Value::Dict(kv) => todo.extend(kv.iter().map(|(_, x)| x)),
            _ => {}
        }
    }
    out
}

fn stream<'a>(c: &'a Component, param: &str) -> &'a Component {
    let v = c.get(param).unwrap_or_else(|| panic!("no {param}"));
    let s = streams(v);
    assert_eq!(s.len(), 1, "{param}: one UniformRandom");
    s[0]
}

#[test]
fn nature_picks_the_first_two_sorted_images_as_imagen_does() {
    // PatternCoordinatorImages: sorted(glob(folder+'/*.*')), of which
    // _create_patterns keeps patterns_per_label = int(num_inputs*area*area)
    // = 2 at ModelGCAL's defaults.
    let d = model_dir("two", NATURE, Some(FOLDER));
    let spec = load(&d, &[]).unwrap_or_else(|e| panic!("{e}"));
    let imgs = images(&spec);
    let names: Vec<String> = imgs.iter().map(|c| file_name(c)).collect();
    assert_eq!(names, ["combined01.png", "combined02.png"]);
    // num_inputs=3 takes a third; more than the folder holds takes all
    // (zip stops at the shorter list).
    let names = |ov: &[(&str, &str)]| -> Vec<String> {
        images(&load(&d, ov).unwrap_or_else(|e| panic!("{e}")))
            .iter()
            .map(|c| file_name(c))
            .collect()
    };
    assert_eq!(
        names(&[("num_inputs", "3")]),
        ["combined01.png", "combined02.png", "combined03.png"]
    );
    assert_eq!(names(&[("num_inputs", "9")]).len(), 4);
    assert_eq!(names(&[("area", "1.5")]).len(), 4, "int(2*1.5*1.5) = 4");
}

#[test]
fn nature_images_have_training_pattern_setups_parameters_and_streams() {
    let d = model_dir("params", NATURE, Some(FOLDER));
    let spec = load(&d, &[("contrast", "40")]).unwrap_or_else(|e| panic!("{e}"));
    for (i, img) in images(&spec).into_iter().enumerate() {
        assert_eq!(img.class, "imagen.image.FileImage");
        // earlyvision.py: size 10.0 for an image dataset, aspect_ratio
        // 4.66667 when 'or' is in dims, scale contrast/100.
        assert_eq!(img.f64("size"), Some(10.0));
        assert_eq!(img.f64("aspect_ratio"), Some(4.66667));
        assert_eq!(img.f64("scale"), Some(0.4));
        assert_eq!(img.get("cache_image"), Some(&Value::Bool(false)));
        // XCoordinator / YCoordinator / OrientationCoordinator: seeds
        // master_seed (0) + 12/35/21 + pattern number, bounds area/2+0.25
        // and ±pi, named after the coordinator and the pattern number.
        let n = i as f64;
        for (param, seed, bound, name) in [
            ("x", 12.0, 0.75, "XCoordinator"),
            ("y", 35.0, 0.75, "YCoordinator"),
            (
                "orientation",
                21.0,
                std::f64::consts::PI,
                "OrientationCoordinator",
            ),
        ] {
            let s = stream(img, param);
            assert_eq!(s.f64("seed"), Some(seed + n), "{param}");
            assert_eq!(s.f64("lbound"), Some(-bound), "{param}");
            assert_eq!(s.f64("ubound"), Some(bound), "{param}");
            assert_eq!(
                s.get("name"),
                Some(&Value::Str(format!("{name}{i}"))),
                "{param}"
            );
        }
    }
}

#[test]
fn nature_without_or_varies_position_only() {
    let text = NATURE.replace("dataset='Nature'", "dataset='Nature', dims=['xy']");
    let d = model_dir("xy", &text, Some(FOLDER));
    let spec = load(&d, &[]).unwrap_or_else(|e| panic!("{e}"));
    for img in images(&spec) {
        assert_eq!(img.f64("aspect_ratio"), Some(1.0));
        assert!(streams(img.get("orientation").unwrap()).is_empty());
        assert_eq!(streams(img.get("x").unwrap()).len(), 1);
    }
}

#[test]
fn gaussian_dims_xy_uses_round_gaussians_three_times_larger() {
    let text = NATURE.replace("dataset='Nature'", "dims=['xy']");
    let d = model_dir("gxy", &text, None);
    let spec = load(&d, &[]).unwrap_or_else(|e| panic!("{e}"));
    let c = retina_input(&spec);
    assert_eq!(c.class, "imagen.Composite");
    for g in c.get("generators").and_then(Value::as_seq).unwrap() {
        let g = g.as_object().unwrap();
        assert_eq!(g.f64("size"), Some(3.0 * 0.088388));
        assert_eq!(g.f64("aspect_ratio"), Some(1.0));
        assert!(streams(g.get("orientation").unwrap()).is_empty());
    }
}

fn error(d: &Path, ov: &[(&str, &str)]) -> topo_lang::LangError {
    match load(d, ov) {
        Ok(_) => panic!("expected an error"),
        Err(e) => e,
    }
}

#[test]
fn missing_image_folder_is_a_located_error() {
    let d = model_dir("missing", NATURE, None);
    let e = error(&d, &[]);
    assert_eq!(e.line, 3, "{e}");
    assert!(
        e.message.contains("'images/shouval'") && e.message.contains("not found"),
        "{e}"
    );
}

#[test]
fn empty_image_folder_is_a_located_error() {
    let d = model_dir("empty", NATURE, Some(&["README"]));
    let e = error(&d, &[]);
    assert_eq!(e.line, 3, "{e}");
    assert!(e.message.contains("no image files"), "{e}");
}

#[test]
fn unsupported_dims_are_a_located_error() {
    // cr (colour retinas, topo/submodel/color.py) is not built by
    // topo-hpc's expansion; 'zz' is in no allowed_dims.
    for dim in ["cr", "zz"] {
        let text = NATURE.replace("dataset='Nature'", &format!("dims=['xy', 'or', '{dim}']"));
        let d = model_dir(&format!("bad-{dim}"), &text, None);
        let e = error(&d, &[]);
        assert_eq!(e.line, 3, "{e}");
        assert!(e.message.contains(&format!("'{dim}'")), "{e}");
    }
}

/// The binocular network of `dims` with 'od' or 'dy' (earlyvision.py's
/// sheet_setup and match conditions; sheet names as SheetSpec's
/// name_ordering eye, level, polarity makes them).
#[test]
fn od_dims_build_two_eyes_with_shared_gain_control() {
    let text = NATURE.replace("dataset='Nature'", "dims=['xy', 'or', 'od']");
    let d = model_dir("two-eyes", &text, None);
    let spec = load(&d, &[]).unwrap_or_else(|e| panic!("{e}"));
    let sheets: Vec<&str> = spec.sheets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        sheets,
        [
            "LeftRetina",
            "RightRetina",
            "LeftLGNOn",
            "RightLGNOn",
            "LeftLGNOff",
            "RightLGNOff",
            "V1"
        ]
    );
    let conns: Vec<String> = spec
        .connections
        .iter()
        .map(|c| format!("{}->{}:{}", c.src, c.dest, c.name))
        .collect();
    assert_eq!(
        conns,
        [
            "LeftRetina->LeftLGNOn:Afferent",
            "LeftRetina->LeftLGNOff:Afferent",
            "RightRetina->RightLGNOn:Afferent",
            "RightRetina->RightLGNOff:Afferent",
            "LeftLGNOn->LeftLGNOn:LateralGCLeft",
            "LeftLGNOn->RightLGNOn:LateralGCLeft",
            "LeftLGNOn->V1:LeftLGNOnAfferent",
            "RightLGNOn->LeftLGNOn:LateralGCRight",
            "RightLGNOn->RightLGNOn:LateralGCRight",
            "RightLGNOn->V1:RightLGNOnAfferent",
            "LeftLGNOff->LeftLGNOff:LateralGCLeft",
            "LeftLGNOff->RightLGNOff:LateralGCLeft",
            "LeftLGNOff->V1:LeftLGNOffAfferent",
            "RightLGNOff->LeftLGNOff:LateralGCRight",
            "RightLGNOff->RightLGNOff:LateralGCRight",
            "RightLGNOff->V1:RightLGNOffAfferent",
            "V1->V1:LateralExcitatory",
            "V1->V1:LateralInhibitory"
        ]
    );
    for c in spec
        .connections
        .iter()
        .filter(|c| c.name.starts_with("LateralGC"))
    {
        assert_eq!(
            c.component.f64("strength"),
            Some(0.3),
            "0.6/2 with two eyes"
        );
    }
    // OcularityCoordinator: the scale is (1-df) + df*(2-u) in the left eye
    // and (1-df) + df*u in the right, u one stream per pattern (seed 55+i)
    // of the same name in both eyes.
    let gens = |eye: &str| -> Vec<Component> {
        let sh = spec.sheets.iter().find(|s| s.name == eye).unwrap();
        let c = sh
            .component
            .get("input_generator")
            .and_then(Value::as_object)
            .unwrap();
        c.get("generators")
            .and_then(Value::as_seq)
            .unwrap()
            .iter()
            .map(|g| g.as_object().unwrap().clone())
            .collect()
    };
    for eye in ["LeftRetina", "RightRetina"] {
        for (i, g) in gens(eye).iter().enumerate() {
            let s = stream(g, "scale");
            assert_eq!(s.f64("seed"), Some(55.0 + i as f64));
            assert_eq!(
                s.get("name"),
                Some(&Value::Str(format!("OcularityCoordinator{i}")))
            );
            assert_eq!(s.f64("ubound"), Some(2.0));
        }
    }
}

#[test]
fn dy_dims_shift_x_by_a_disparity_stream_and_narrow_the_x_bound() {
    let text = NATURE.replace("dataset='Nature'", "dims=['xy', 'or', 'dy']");
    let d = model_dir("dy", &text, None);
    let spec = load(&d, &[]).unwrap_or_else(|e| panic!("{e}"));
    let sh = spec
        .sheets
        .iter()
        .find(|s| s.name == "RightRetina")
        .unwrap();
    let c = sh
        .component
        .get("input_generator")
        .and_then(Value::as_object)
        .unwrap();
    let db = 4.0 * 0.041665 / 2.0;
    for (i, g) in c
        .get("generators")
        .and_then(Value::as_seq)
        .unwrap()
        .iter()
        .enumerate()
    {
        let g = g.as_object().unwrap();
        let mut x = streams(g.get("x").unwrap());
        x.sort_by_key(|s| s.f64("seed").unwrap() as i64);
        assert_eq!(x.len(), 2, "XCoordinator and DisparityCoordinator");
        assert_eq!(x[0].f64("seed"), Some(12.0 + i as f64));
        assert_eq!(x[0].f64("ubound"), Some(0.75 - db));
        assert_eq!(x[1].f64("seed"), Some(45.0 + i as f64));
        assert_eq!(x[1].f64("ubound"), Some(db));
        // no od: the scale stays contrast/100
        assert_eq!(g.f64("scale"), Some(0.7));
    }
}
