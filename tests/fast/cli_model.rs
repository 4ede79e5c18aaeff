//! `topo-hpc model`: the spec as JSON, a summary, and `--geometry` in the
//! shape the issue names.

use std::path::PathBuf;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_topo-hpc");

fn model(args: &[&str]) -> (bool, String) {
    let ex = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples");
    let o = Command::new(BIN)
        .arg("model")
        .arg(ex.join(args[0]))
        .args(&args[1..])
        .env("OMPI_ALLOW_RUN_AS_ROOT", "1")
        .env("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
        .output()
        .unwrap();
    (
        o.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ),
    )
}

#[test]
fn geometry_json_has_the_documented_shape_and_topographica_sizes() {
    let (ok, out) = model(&[
        "gcal_class.ty",
        "-p",
        "cortex_density=8",
        "--geometry",
        "--json",
    ]);
    assert!(ok, "{out}");
    let g: serde_json::Value = serde_json::from_str(&out).unwrap();
    // holoviews core/sheetcoords.py (SheetCoordinateSystem's __equalize_densities):
    // radius 1.64583 at density 24 truncates to 78 x 78; LGN 60 x 60.
    assert_eq!(g["sheets"]["Retina"]["shape"], serde_json::json!([78, 78]));
    assert_eq!(g["sheets"]["LGNOn"]["shape"], serde_json::json!([60, 60]));
    assert_eq!(g["sheets"]["V1"]["shape"], serde_json::json!([8, 8]));
    assert_eq!(
        g["sheets"]["V1"]["bounds"],
        serde_json::json!([-0.5, -0.5, 0.5, 0.5])
    );
    let p = &g["projections"]["V1.LGNOnAfferent"];
    assert_eq!(p["src"], "LGNOn");
    let ts = p["template_shape"].as_array().unwrap();
    assert!(ts[0].as_u64().unwrap() % 2 == 1 && ts[0] == ts[1], "{p}");
    assert!(p["n_units"].as_u64().unwrap() > 0);
}

#[test]
fn summary_and_json() {
    let (ok, out) = model(&["lissom_oo_or.ty"]);
    assert!(ok, "{out}");
    assert!(out.contains("V1.LateralInhibitory"), "{out}");
    assert!(out.contains("strength -0.9"), "{out}");
    let (ok, out) = model(&["tiny.ty", "-p", "cortex_density=3", "--json"]);
    assert!(ok, "{out}");
    let spec: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(spec["sheets"][1]["name"], "V1");
}

#[test]
fn errors_carry_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bad.ty");
    std::fs::write(&f, "import topo\nx = 1 +\n").unwrap();
    let o = Command::new(BIN).arg("model").arg(&f).output().unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("bad.ty:2:"), "{err}");
}
