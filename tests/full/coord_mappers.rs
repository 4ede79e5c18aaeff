//! Coordinate mappers defined in a model file (`class X(CoordinateMapperFn)`,
//! the construct of Topographica's models/sullivan_neurocomputing04.ty and
//! models/lissom_whisker_barrels.ty) move each unit's CF centre
//! (topo/base/cf.py, `CFProjection._generate_coords`), on one process and
//! under mpirun with the same numbers. Model: tests/data/library/coord_mappers.ty
//! (our own text).

use std::path::PathBuf;

use crate::run_mpi;

const BIN: &str = env!("CARGO_BIN_EXE_topo-hpc");

fn model() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/library/coord_mappers.ty")
}

/// V1 and V2 activity at t=1 on `ranks` ranks (0: no mpirun), and the raw
/// JSON.
fn trace(ranks: usize) -> (Vec<Vec<f64>>, Vec<Vec<f64>>, String) {
    let o = run_mpi::command(BIN, ranks)
        .arg("trace")
        .arg(model())
        .args(["--sheet", "V1", "--sheet", "V2", "--times", "1"])
        .output()
        .unwrap();
    let t = run_mpi::text(&o);
    assert!(o.status.success(), "{t}");
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    let json: serde_json::Value =
        serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {t}"));
    let sheet = |s: &str| -> Vec<Vec<f64>> {
        serde_json::from_value(json["sheets"][s]["1"].clone()).unwrap()
    };
    (sheet("V1"), sheet("V2"), out)
}

#[test]
fn user_coordinate_mappers_move_cf_centres_on_1_and_2_ranks() {
    let (v1, v2, one) = trace(0);
    assert_eq!((v1.len(), v1[0].len()), (8, 8));
    // BlockMapper sends the four units of each 2x2 block to one point: they
    // read the same input, so their activities are equal (exactly: the
    // same operations on the same numbers).
    for r in 0..8 {
        for c in 0..8 {
            let corner = v1[r - r % 2][c - c % 2];
            assert_eq!(v1[r][c], corner, "V1 ({r},{c}) differs from its block");
        }
    }
    // ...while different blocks see different parts of the Gaussian.
    let distinct: std::collections::BTreeSet<u64> =
        v1.iter().flatten().map(|v| v.to_bits()).collect();
    assert!(
        distinct.len() >= 8,
        "V1 has only {} distinct values",
        distinct.len()
    );
    // Rounder sends every V2 unit to (0, 0): one value, not clipped.
    let centre = v2[0][0];
    assert!(centre > 0.0 && centre < 1.0, "V2 centre response {centre}");
    assert!(
        v2.iter().flatten().all(|&v| v == centre),
        "V2 is not uniform"
    );
    // Under mpirun the mapped CFs give the same numbers, bit for bit.
    let (_, _, two) = trace(2);
    assert_eq!(one, two, "2 ranks differ from 1");
}
