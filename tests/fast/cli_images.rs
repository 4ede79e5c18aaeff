//! Where a model file's images are found, as `param.resolve_path` searches
//! (README "Inputs"): the working directory, the model file's folder, then
//! each folder of `$TOPO_HPC_PATH`; a missing image is an error at the
//! model-file line that names it, listing every place tried. Through the
//! binary (`topo-hpc model --json`), since the search path depends on the
//! process's working directory and environment.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_topo-hpc");

/// The line that names the image is line 5; `filename=` starts at col 21.
const MODEL: &str = "import topo
from topo import sheet, pattern

topo.sim['Retina'] = sheet.GeneratorSheet(nominal_density=12, period=1.0, phase=0.05,
    input_generator=pattern.image.FileImage(filename='pics/ramp.png'))
";

fn ramp() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("crates/lang/tests/data/images/ramp.png")
}

fn put_image(folder: &Path) -> PathBuf {
    std::fs::create_dir_all(folder.join("pics")).unwrap();
    let p = folder.join("pics/ramp.png");
    std::fs::copy(ramp(), &p).unwrap();
    p
}

/// `topo-hpc model <model>/m.ty --json` in `work`, with `TOPO_HPC_PATH`
/// set to `path` (unset when None).
fn model(work: &Path, m: &Path, path: Option<&str>) -> Output {
    let mut c = Command::new(BIN);
    c.current_dir(work)
        .arg("model")
        .arg(m)
        .arg("--json")
        .env("OMPI_ALLOW_RUN_AS_ROOT", "1")
        .env("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
        .env_remove("TOPO_HPC_PATH");
    if let Some(p) = path {
        c.env("TOPO_HPC_PATH", p);
    }
    c.output().unwrap()
}

/// The file the retina's FileImage was resolved to.
fn resolved(o: &Output) -> PathBuf {
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let at = text.find("\"filename\"").expect("a filename in the spec");
    let rest = &text[at..];
    let start = rest.find("\"str\": \"").unwrap() + 8;
    let end = start + rest[start..].find('"').unwrap();
    std::fs::canonicalize(&rest[start..end]).unwrap()
}

#[test]
fn images_are_found_along_the_search_path_in_order() {
    let t = tempfile::tempdir().unwrap();
    let (models, lib, work) = (
        t.path().join("model"),
        t.path().join("lib"),
        t.path().join("work"),
    );
    for d in [&models, &lib, &work] {
        std::fs::create_dir_all(d).unwrap();
    }
    let m = models.join("m.ty");
    std::fs::write(&m, MODEL).unwrap();
    let canon = |p: PathBuf| std::fs::canonicalize(p).unwrap();

    // Nowhere: the error is located and lists every place tried.
    let o = model(&work, &m, Some("/nonexistent"));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "{err}");
    assert!(
        err.contains("m.ty:5:21: file 'pics/ramp.png' was not found in any of: "),
        "{err}"
    );
    for place in [
        work.display().to_string(),
        models.display().to_string(),
        "/nonexistent".to_string(),
    ] {
        assert!(err.contains(&place), "{place} not listed: {err}");
    }

    // Only in a $TOPO_HPC_PATH folder (after one that does not exist).
    let in_lib = canon(put_image(&lib));
    let path = format!("/nonexistent:{}", lib.display());
    assert_eq!(resolved(&model(&work, &m, Some(&path))), in_lib);
    // The model file's folder comes before $TOPO_HPC_PATH ...
    let in_models = canon(put_image(&models));
    assert_eq!(resolved(&model(&work, &m, Some(&path))), in_models);
    // ... and the working directory before both.
    let in_work = canon(put_image(&work));
    assert_eq!(resolved(&model(&work, &m, Some(&path))), in_work);
}
