//! FileImage, PatternSampler, Sweeper, OldSweeper and copy.deepcopy in
//! model files: file names resolved at load time, located errors for
//! missing or unreadable images, copies with identities of their own.

use crate::common;
use common::*;
use std::path::PathBuf;
use topo_spec::{Component, ModelSpec, Value};

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn natural() -> ModelSpec {
    topo_lang::load_model(&data("images/natural.ty"), &[]).unwrap_or_else(|e| panic!("{e}"))
}

fn input<'a>(spec: &'a ModelSpec, sheet: &str) -> &'a Component {
    spec.sheets
        .iter()
        .find(|s| s.name == sheet)
        .and_then(|s| s.component.get("input_generator"))
        .and_then(Value::as_object)
        .unwrap()
}

fn first_generator(c: &Component) -> &Component {
    c.get("generators").and_then(Value::as_seq).unwrap()[0]
        .as_object()
        .unwrap()
}

#[test]
fn file_image_resolved_from_the_model_folder() {
    let spec = natural();
    let img = first_generator(input(&spec, "Still"));
    assert_eq!(img.class, "imagen.image.FileImage");
    let name = img.get("filename").and_then(Value::as_str).unwrap();
    assert!(PathBuf::from(name).is_absolute(), "{name}");
    assert_eq!(
        std::fs::canonicalize(name).unwrap(),
        std::fs::canonicalize(data("images/ramp.png")).unwrap()
    );
    // imagen's default sampler.
    let s = img
        .get("pattern_sampler")
        .and_then(Value::as_object)
        .unwrap();
    assert_eq!(s.class, "imagen.image.PatternSampler");
    assert_eq!(
        s.get("size_normalization"),
        Some(&Value::Str("fit_shortest".into()))
    );
    assert_eq!(
        s.get("background_value_fn"),
        Some(&Value::Function("imagen.image.edge_average".into()))
    );
    let w = s
        .get("whole_pattern_output_fns")
        .and_then(Value::as_seq)
        .unwrap();
    assert_eq!(w.len(), 1);
    assert_eq!(
        w[0].as_object().unwrap().class,
        "imagen.transferfn.DivisiveNormalizeLinf"
    );
}

#[test]
fn deepcopy_gives_new_identities_and_equal_parameters() {
    let spec = natural();
    let original = input(&spec, "Still");
    let swept = input(&spec, "Moving");
    assert_eq!(swept.class, "imagen.deprecated.OldSweeper");
    let copy = swept.get("generator").and_then(Value::as_object).unwrap();
    assert_eq!(copy.class, original.class);
    assert_ne!(copy.id, original.id);
    let (a, b) = (first_generator(original), first_generator(copy));
    assert_ne!(a.id, b.id);
    let (ax, bx) = (
        a.get("x").and_then(Value::as_object).unwrap(),
        b.get("x").and_then(Value::as_object).unwrap(),
    );
    // The copied stream is a stream of its own with the same seed.
    assert_ne!(ax.id, bx.id);
    assert_eq!(ax.get("seed"), bx.get("seed"));
    assert_eq!(a.get("filename"), b.get("filename"));
}

#[test]
fn deepcopy_keeps_sharing_inside_the_copy() {
    let spec = load_src(
        "import copy, numbergen, topo\nfrom topo import sheet, pattern\n\
         u = numbergen.UniformRandom(seed=3)\n\
         c = copy.deepcopy(pattern.Composite(generators=[pattern.Gaussian(x=u), pattern.Gaussian(y=u)]))\n\
         topo.sim['R'] = sheet.GeneratorSheet(input_generator=c)\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let c = input(&spec, "R");
    let g = c.get("generators").and_then(Value::as_seq).unwrap();
    let x = g[0]
        .as_object()
        .unwrap()
        .get("x")
        .and_then(Value::as_object)
        .unwrap();
    let y = g[1]
        .as_object()
        .unwrap()
        .get("y")
        .and_then(Value::as_object)
        .unwrap();
    assert_eq!(x.id, y.id, "one object reached twice is copied once");
}

#[test]
fn copy_copy_shares_what_the_original_holds() {
    // Python's shallow copy: a new object whose parameters are the very
    // objects the original holds (so both Gaussians draw from one stream).
    let spec = load_src(
        "import copy, numbergen, topo\nfrom topo import sheet, pattern\n\
         u = numbergen.UniformRandom(seed=3)\n\
         g = pattern.Gaussian(x=u)\n\
         c = pattern.Composite(generators=[g, copy.copy(g)])\n\
         topo.sim['R'] = sheet.GeneratorSheet(input_generator=c)\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let c = input(&spec, "R");
    let g = c.get("generators").and_then(Value::as_seq).unwrap();
    let (a, b) = (g[0].as_object().unwrap(), g[1].as_object().unwrap());
    assert_ne!(a.id, b.id, "the copy is a new object");
    let x = |o: &Component| o.get("x").and_then(Value::as_object).unwrap().id;
    assert_eq!(x(a), x(b), "its parameters are the original's objects");
}

#[test]
fn sweeper_defaults() {
    let spec = natural();
    let s = input(&spec, "Bar");
    assert_eq!(s.class, "imagen.Sweeper");
    assert_eq!(s.f64("reset_period"), Some(3.0));
    assert_eq!(s.f64("speed"), Some(2.0 / 24.0));
    assert_eq!(
        s.f64("relative_motion_orientation"),
        Some(std::f64::consts::FRAC_PI_2)
    );
}

fn load_error(text: &str, dir: &std::path::Path) -> topo_lang::LangError {
    let path = dir.join("m.ty");
    std::fs::write(&path, text).unwrap();
    match topo_lang::load_model(&path, &[]) {
        Ok(_) => panic!("expected an error"),
        Err(e) => e,
    }
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("topo-lang-images-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn missing_image_is_a_located_error() {
    let d = temp_dir("missing");
    let e = load_error(
        "from topo import pattern\n\nimg = pattern.image.FileImage(filename='no/such.png')\n",
        &d,
    );
    assert_eq!((e.line, e.col), (3, 7), "{e}");
    assert!(e.message.contains("'no/such.png' was not found"), "{e}");
}

#[test]
fn unreadable_image_is_a_located_error() {
    let d = temp_dir("broken");
    std::fs::copy(data("images/broken.png"), d.join("broken.png")).unwrap();
    let e = load_error(
        "import imagen.image\nimg = imagen.image.FileImage(filename='broken.png')\n",
        &d,
    );
    assert_eq!((e.line, e.col), (2, 7), "{e}");
    assert!(e.message.contains("cannot read image"), "{e}");
}

#[test]
fn bad_size_normalization_is_a_located_error() {
    let d = temp_dir("sn");
    std::fs::copy(data("images/ramp.png"), d.join("ramp.png")).unwrap();
    let e = load_error(
        "import imagen.image\n\
         s = imagen.image.PatternSampler(size_normalization='fit_all')\n\
         img = imagen.image.FileImage(filename='ramp.png', pattern_sampler=s)\n",
        &d,
    );
    assert_eq!(e.line, 3, "{e}");
    assert!(e.message.contains("size_normalization 'fit_all'"), "{e}");
}

#[test]
fn two_eye_example_loads() {
    let spec = load("gcal_two_eyes.ty", &[("cortex_density", "8")]);
    let names: Vec<&str> = spec.sheets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "LeftRetina",
            "LeftLGNOn",
            "LeftLGNOff",
            "RightRetina",
            "RightLGNOn",
            "RightLGNOff",
            "V1"
        ]
    );
    // SettlingCFSheet_Opt is SettlingCFSheet; 4 afferents, 8 gain-control
    // projections, 4 DoG projections and 2 laterals.
    assert_eq!(spec.sheets[1].component.class, "topo.sheet.SettlingCFSheet");
    assert_eq!(spec.connections.len(), 4 + 8 + 4 + 2);
    // The Nature dataset needs Topographica's images: a located error here.
    let ov = vec![("dataset".to_string(), "'Nature'".to_string())];
    match topo_lang::load_model(&example("gcal_two_eyes.ty"), &ov) {
        Ok(_) => {}
        Err(e) => assert!(e.message.contains("combined01.png"), "{e}"),
    }
}
