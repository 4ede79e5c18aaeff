//! Topographica's own model library (issue 12), through the real binary:
//! regression data of topo/tests/data_traintests reproduced from files
//! with the real files' constructs (our own text, tests/data/library),
//! Topographica's command-line form with unused `-p` names, analysis with
//! events in flight and non-square sheets, and the
//! `MeasureResponseCommand.pattern_response_fn.apply_output_fns` switch.
//! With TOPOGRAPHICA_REPO set, the real files are traced too.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::run_mpi;

const BIN: &str = env!("CARGO_BIN_EXE_topo-hpc");

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn library(file: &str) -> PathBuf {
    root().join("tests/data/library").join(file)
}

/// `trace --compare` against a traintests JSON (Topographica's criterion:
/// |diff| < 1.5e-6, numpy's decimal=6), V1 at t=1,100,250.
fn reproduces(ranks: usize, model: &Path, reference: &str, params: &[&str]) {
    reproduces_at(
        ranks,
        model,
        &root().join("tests/data/traintests").join(reference),
        params,
        "1,100,250",
    );
}

fn reproduces_at(ranks: usize, model: &Path, r: &Path, params: &[&str], times: &str) {
    let reference = r.display();
    let mut c = run_mpi::command(BIN, ranks);
    c.arg("trace").arg(model);
    for p in params {
        c.args(["-p", p]);
    }
    let o = c
        .args(["--sheet", "V1", "--times", times, "--compare"])
        .arg(r)
        .output()
        .unwrap();
    let t = run_mpi::text(&o);
    assert!(
        o.status.success(),
        "{} vs {reference}:\n{t}",
        model.display()
    );
    assert!(t.contains("OK: equal to decimal 6"), "{t}");
    assert_eq!(t.matches("max |diff|").count(), 3, "{t}");
}

#[test]
fn hierarchical_reproduces_topographica_on_1_and_3_ranks() {
    // hierarchical.ty_DATA was made with cortex_density=8, retina_density=24
    // (and an lgn_density the model does not declare)
    let p = ["cortex_density=8", "retina_density=24"];
    reproduces(0, &library("hierarchical_like.ty"), "hierarchical.json", &p);
    reproduces(3, &library("hierarchical_like.ty"), "hierarchical.json", &p);
}

#[test]
fn gcal_legacy_reproduces_topographica_on_1_and_2_ranks() {
    // gcal_legacy.ty_DATA: ExamplesGCAL at its default densities
    reproduces(
        0,
        &library("examples_gcal_bare.ty"),
        "gcal_legacy.json",
        &[],
    );
    reproduces(
        2,
        &library("examples_gcal_bare.ty"),
        "gcal_legacy.json",
        &[],
    );
}

#[test]
fn gcal_sparse_reproduces_topographica_on_1_and_3_ranks() {
    // gcal_sparse.ty_DATA was made at cortex_density=8, lgn_density=24,
    // retina_density=24; the sparse functions run on the dense path
    // (crates/lang/src/sparse.rs says why that is the same computation),
    // so the criterion is Topographica's own: decimal 6
    let p = ["cortex_density=8", "lgn_density=24", "retina_density=24"];
    reproduces(0, &library("gcal_sparse_like.ty"), "gcal_sparse.json", &p);
    reproduces(3, &library("gcal_sparse_like.ty"), "gcal_sparse.json", &p);
}

/// lissom.ty_DATA's `args` (default_density, default_retina_density,
/// default_lgn_density), by topo/tests/test_script.py's mapping to the
/// model's global parameters.
const LISSOM_DATA_DENSITIES: [&str; 3] = ["cortex_density=8", "retina_density=4", "lgn_density=4"];

#[test]
fn lissom_default_dims_reproduces_topographica_on_1_and_3_ranks() {
    // lissom.ty_DATA: models/lissom.ty with its default dims
    // ['or','od','dr','dy'] (two eyes, four motion lags: 8 retinas, 16
    // LGN sheets), whose network tests/data/models/lissom_default_dims.ty
    // builds (lissom_own_models.rs checks that bit for bit)
    let own = root().join("tests/data/models/lissom_default_dims.ty");
    reproduces(0, &own, "lissom.json", &LISSOM_DATA_DENSITIES);
    reproduces(3, &own, "lissom.json", &LISSOM_DATA_DENSITIES);
}

fn workdir(files: &[(&str, String)]) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(d.path().join(name), text).unwrap();
    }
    d
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn topographica_form_warns_about_unused_names_and_analyses_in_flight() {
    let w = workdir(&[("h.ty", read(&library("hierarchical_like.ty")))]);
    let o = Command::new(BIN)
        .current_dir(w.path())
        .args([
            "-p",
            "lgn_density=8",
            "-p",
            "cortex_density=6",
            "-p",
            "retina_density=8",
        ])
        .args([
            "-c",
            "run_batch('h.ty', times=[1,2], progress_bar='disabled')",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", run_mpi::text(&o));
    let dir = run_mpi::only_dir(&w.path().join("Output"));
    let out = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "out"))
        .expect("no .out");
    let log = read(&out);
    // the model file's print statement, then Topographica's warning
    assert!(log.contains("\nhierarchy with 3 areas\n"), "{log}");
    assert!(log.contains("Warning: 'lgn_density' is unused."), "{log}");
    // V2 is taller than wide: no pinwheel density, and no failure
    assert!(
        log.contains("V2 is ") && log.contains("pinwheel density needs a square map; skipped"),
        "{log}"
    );
    assert!(log.contains("There were 0 error(s)"), "{log}");
}

#[test]
fn run_refuses_unused_names_unless_allowed() {
    let w = workdir(&[("h.ty", read(&library("hierarchical_like.ty")))]);
    let run = |extra: &[&str]| {
        Command::new(BIN)
            .current_dir(w.path())
            .args([
                "run",
                "h.ty",
                "-p",
                "lgn_density=8",
                "-p",
                "cortex_density=5",
            ])
            .args(["--times", "[1]", "--analysis", "none", "--no-progress"])
            .args(extra)
            .output()
            .unwrap()
    };
    let o = run(&[]);
    assert!(!o.status.success());
    assert!(
        run_mpi::text(&o).contains("no global parameter 'lgn_density'"),
        "{}",
        run_mpi::text(&o)
    );
    let o = run(&["--allow-unused-params"]);
    assert!(o.status.success(), "{}", run_mpi::text(&o));
}

/// lissom_or's orientation map with the file's
/// `MeasureResponseCommand.pattern_response_fn.apply_output_fns = False`,
/// with FeatureMaps' spelling of the same switch, and without it.
#[test]
fn pattern_response_fn_apply_output_fns_changes_the_or_map() {
    let text = read(&root().join("examples/lissom_or.ty"));
    let line = "MeasureResponseCommand.pattern_response_fn.apply_output_fns = False";
    assert!(text.contains(line));
    let other = text.replace(
        line,
        "from topo.analysis.featureresponses import FeatureMaps\nFeatureMaps.set_cmd_overrides(apply_output_fns=False)",
    );
    let without = text.replace(line, "pass");
    let w = workdir(&[("a.ty", text.clone()), ("b.ty", other), ("c.ty", without)]);
    let mut files = Vec::new();
    for m in ["a", "b", "c"] {
        let o = Command::new(BIN)
            .current_dir(w.path())
            .args([
                "run",
                &format!("{m}.ty"),
                "-p",
                "cortex_density=10",
                "-p",
                "retina_density=10",
            ])
            .args([
                "--times",
                "[3]",
                "--analysis",
                "or_map",
                "--no-progress",
                "--no-snapshot",
            ])
            .args(["--output-path", m, "--timestamp", "202601010000"])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", run_mpi::text(&o));
        let dir = run_mpi::only_dir(&w.path().join(m));
        files.push(dir.join(format!("202601010000_{m}.h5")));
    }
    // exact comparisons: the same switch gives the same bits, and the
    // map without it differs somewhere
    let script = "import sys, h5py, numpy\n\
        m = [h5py.File(f, 'r')['analysis/000003.00/V1/OrientationPreference'][...] for f in sys.argv[1:]]\n\
        assert numpy.array_equal(m[0], m[1]), 'spellings differ'\n\
        assert not numpy.array_equal(m[0], m[2]), 'switch has no effect'\n\
        print('ok')";
    let o = Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(&files)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", run_mpi::text(&o));
}

/// The real files, when a Topographica checkout is given.
#[test]
fn real_files_when_topographica_repo_is_set() {
    let Some(repo) = std::env::var_os("TOPOGRAPHICA_REPO") else {
        println!("TOPOGRAPHICA_REPO is not set: the real model files are not traced");
        return;
    };
    let repo = PathBuf::from(repo);
    reproduces(
        0,
        &repo.join("examples/hierarchical.ty"),
        "hierarchical.json",
        &["cortex_density=8", "retina_density=24"],
    );
    reproduces(
        0,
        &repo.join("topo/tests/gcal_legacy.ty"),
        "gcal_legacy.json",
        &[],
    );
    // models/lissom.ty (CMVC LISSOM) against the real Topographica's
    // traces (tests/data/library/trace_lissom_*.json)
    for (dims, data) in [
        ("dims=['or']", "trace_lissom_or.json"),
        ("dims=['or','od']", "trace_lissom_or_od.json"),
    ] {
        reproduces_at(
            2,
            &repo.join("models/lissom.ty"),
            &library(data),
            &[
                "cortex_density=8",
                "retina_density=24",
                "lgn_density=24",
                dims,
            ],
            "1,10,100",
        );
    }
    let sparse = ["cortex_density=8", "lgn_density=24", "retina_density=24"];
    reproduces(
        0,
        &repo.join("examples/gcal_sparse.ty"),
        "gcal_sparse.json",
        &sparse,
    );
    reproduces(
        3,
        &repo.join("examples/gcal_sparse.ty"),
        "gcal_sparse.json",
        &sparse,
    );
    // models/sullivan_neurocomputing04.ty (user PatternGenerator
    // OrientedLine); its data were made with an lgn_density it does not
    // declare
    let sullivan = ["cortex_density=8", "retina_density=24"];
    for ranks in [0, 2] {
        reproduces(
            ranks,
            &repo.join("models/sullivan_neurocomputing04.ty"),
            "sullivan_neurocomputing04.json",
            &sullivan,
        );
    }
    reproduces(
        2,
        &repo.join("examples/som_retinotopy.ty"),
        "som_retinotopy.json",
        &["cortex_density=8", "retina_density=24"],
    );
    // models/lissom.ty with its default dims against its own regression
    // data lissom.ty_DATA
    reproduces(
        0,
        &repo.join("models/lissom.ty"),
        "lissom.json",
        &LISSOM_DATA_DENSITIES,
    );
    reproduces(
        2,
        &repo.join("models/lissom.ty"),
        "lissom.json",
        &LISSOM_DATA_DENSITIES,
    );
}
