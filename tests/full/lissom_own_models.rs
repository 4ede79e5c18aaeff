//! Our own texts of the networks Topographica's models/lissom.ty builds
//! for `dims=['or','dy']` and `['or','cr']` (tests/data/models/
//! lissom_or_{dy,cr}.ty, which the wave-2 map comparisons of
//! maps_eyes_colour.rs train) and for its default dims
//! `['or','od','dr','dy']` (lissom_default_dims.ty, which reproduces
//! Topographica's lissom.ty_DATA in library_models.rs) against that file
//! itself: the same parameters, run 100 iterations, must give
//! bit-identical snapshots (every sheet's activity, every projection's
//! weights) and V1 traces.
//!
//! Topographica's model files are not part of this repository: run with
//! `TOPOGRAPHICA_MODELS=<Topographica checkout>/models cargo test
//! --features full-tests --test full -- --ignored lissom_own_models`.

use crate::run_mpi;
use crate::snapshot_arrays::arrays;

use std::path::{Path, PathBuf};

const BIN: &str = env!("CARGO_BIN_EXE_topo-hpc");

/// The densities of the wave-2 map measurements.
const MAP_DENSITIES: [&str; 6] = [
    "-p",
    "cortex_density=8",
    "-p",
    "retina_density=24",
    "-p",
    "lgn_density=24",
];

fn own(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/models")
        .join(name)
}

fn lissom_ty() -> PathBuf {
    let dir = std::env::var("TOPOGRAPHICA_MODELS")
        .expect("set TOPOGRAPHICA_MODELS to Topographica's models/ folder");
    Path::new(&dir).join("lissom.ty")
}

/// The densities of Topographica's lissom.ty_DATA (its `args`:
/// default_density 8, default_retina_density 4, default_lgn_density 4).
const TRAINTEST_DENSITIES: [&str; 6] = [
    "-p",
    "cortex_density=8",
    "-p",
    "retina_density=4",
    "-p",
    "lgn_density=4",
];

/// `topo-hpc run` of `model` with `extra` parameters to t=100 in `out`;
/// the final snapshot.
fn snapshot(out: &Path, model: &Path, extra: &[&str]) -> PathBuf {
    let o = run_mpi::command(BIN, 0)
        .arg("run")
        .arg(model)
        .args(extra)
        .args(["--times", "[100]", "--analysis", "none", "--no-progress"])
        .args(["--threads", "1"])
        .arg("--output-path")
        .arg(out)
        .output()
        .expect("cannot start topo-hpc");
    assert!(o.status.success(), "{}", run_mpi::text(&o));
    let dir = run_mpi::only_dir(out);
    std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with("_000100.00.snapshot.h5"))
        .expect("a snapshot at t=100")
}

/// V1's activity of `topo-hpc trace` at t=1, 10, 100 (JSON text).
fn trace(dir: &Path, model: &Path, extra: &[&str]) -> serde_json::Value {
    std::fs::create_dir_all(dir).unwrap();
    let out = dir.join("trace.json");
    let o = run_mpi::command(BIN, 0)
        .arg("trace")
        .arg(model)
        .args(extra)
        .args(["--sheet", "V1", "--times", "1,10,100", "--out"])
        .arg(&out)
        .output()
        .expect("cannot start topo-hpc");
    assert!(o.status.success(), "{}", run_mpi::text(&o));
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    v["activity"].clone()
}

fn same_network(own_model: &str, dims: &str, sheets: &[&str]) {
    let dims = format!("dims={dims}");
    let mut real: Vec<&str> = MAP_DENSITIES.to_vec();
    real.extend(["-p", &dims]);
    same_network_with(own_model, &MAP_DENSITIES, &real, sheets);
}

/// `own_model` with the parameters `own_params`, lissom.ty with
/// `real_params`: bit-identical snapshots at t=100 and V1 traces.
fn same_network_with(own_model: &str, own_params: &[&str], real_params: &[&str], sheets: &[&str]) {
    let d = tempfile::tempdir().unwrap();
    let params = real_params.join(" ");
    let mine = arrays(
        &snapshot(&d.path().join("own"), &own(own_model), own_params),
        &[],
    );
    let real = arrays(
        &snapshot(&d.path().join("real"), &lissom_ty(), real_params),
        &[],
    );
    let names: Vec<&str> = mine.iter().map(|(p, _)| p.as_str()).collect();
    for s in sheets {
        let want = format!("sheets/{s}/activity");
        assert!(names.contains(&want.as_str()), "{want}: {names:?}");
    }
    assert_eq!(
        names,
        real.iter().map(|(p, _)| p.as_str()).collect::<Vec<_>>(),
        "other arrays than lissom.ty's"
    );
    for ((p, a), (_, b)) in mine.iter().zip(&real) {
        assert!(a == b, "{own_model}: {p} differs from lissom.ty {params}");
    }
    let t_mine = trace(&d.path().join("own_trace"), &own(own_model), own_params);
    let t_real = trace(&d.path().join("real_trace"), &lissom_ty(), real_params);
    assert!(t_mine == t_real, "{own_model}: V1 trace differs");
}

#[test]
#[ignore = "needs Topographica's models/lissom.ty: set TOPOGRAPHICA_MODELS"]
fn or_dy_builds_lissom_ty_or_dy_bit_for_bit() {
    same_network(
        "lissom_or_dy.ty",
        "['or','dy']",
        &["LeftRetina", "RightLGNOff", "V1"],
    );
}

#[test]
#[ignore = "needs Topographica's models/lissom.ty: set TOPOGRAPHICA_MODELS"]
fn or_cr_builds_lissom_ty_or_cr_bit_for_bit() {
    same_network(
        "lissom_or_cr.ty",
        "['or','cr']",
        &[
            "BlueRetina",
            "Blue-RedGreen LGNOff",
            "Luminosity LGNOn",
            "V1",
        ],
    );
}

#[test]
#[ignore = "needs Topographica's models/lissom.ty: set TOPOGRAPHICA_MODELS"]
fn default_dims_builds_lissom_ty_default_dims_bit_for_bit() {
    // lissom.ty without `-p dims=...`: its default ['or','od','dr','dy'],
    // at the densities of its regression data
    same_network_with(
        "lissom_default_dims.ty",
        &TRAINTEST_DENSITIES,
        &TRAINTEST_DENSITIES,
        &[
            "LeftRetina0",
            "RightRetina3",
            "LeftLGNOn2",
            "RightLGNOff1",
            "V1",
        ],
    );
}
