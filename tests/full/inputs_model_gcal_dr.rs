//! Direction of motion in the class-based GCAL:
//! `ModelGCAL(dims=['xy','or','dr'])` (topo/misc/featurecoordinators.py's
//! MotionCoordinator wraps each Gaussian in an imagen Sweeper;
//! topo/submodel/gcal.py's V1 afferents per lag) trained for a few steps
//! on 1 and 3 ranks. There is no Topographica trace of this model (wave2
//! has none), so the test checks what the model defines: within one
//! reset period (4 steps with num_lags 4) the retina shows the same
//! pattern moved by `speed` per step, and every sheet is bit-identical
//! across rank counts.

use serde_json::Value as Json;
use std::path::Path;

use crate::run_mpi;

const BIN: &str = env!("CARGO_BIN_EXE_topo-hpc");
const SHEETS: [&str; 3] = ["Retina", "LGNOn", "V1"];
const TIMES: [&str; 5] = ["1", "2", "3", "4", "5"];

fn trace(dir: &Path, ranks: usize) -> Json {
    let out = dir.join(format!("trace{ranks}.json"));
    let mut c = run_mpi::command(BIN, ranks);
    c.arg("trace")
        .arg(dir.join("m.ty"))
        .args(["-p", "cortex_density=8", "-p", "num_inputs=1"])
        .args(["--times", &TIMES.join(",")]);
    for s in SHEETS {
        c.args(["--sheet", s]);
    }
    let o = c.arg("--out").arg(&out).output().unwrap();
    assert!(o.status.success(), "{}", run_mpi::text(&o));
    serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap()
}

fn values(j: &Json, sheet: &str, time: &str) -> Vec<f64> {
    j["sheets"][sheet][time]
        .as_array()
        .unwrap_or_else(|| panic!("no {sheet} at {time}"))
        .iter()
        .flat_map(|r| r.as_array().unwrap().iter().map(|v| v.as_f64().unwrap()))
        .collect()
}

#[test]
fn model_gcal_dr_sweeps_patterns_bit_identically_on_1_and_3_ranks() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("m.ty"),
        "import topo\nfrom topo.submodel.gcal import ModelGCAL\n\
         topo.sim.model = ModelGCAL(dims=['xy', 'or', 'dr'])\n",
    )
    .unwrap();
    let one = trace(dir.path(), 0);
    let three = trace(dir.path(), 3);
    for s in SHEETS {
        for t in TIMES {
            assert_eq!(
                values(&one, s, t),
                values(&three, s, t),
                "{s} at t={t}: 1 vs 3 ranks"
            );
        }
    }
    // Times 1 to 4 show the presentations at 0.05, 1.05, 2.05, 3.05: one
    // reset period [0, 4), so one Gaussian moved by `speed` (2/24 in sheet
    // coordinates) per step, perpendicular to its long axis. Its centre of
    // mass moves by speed * the retina's true density (int(24*2r)/(2r),
    // r = 0.5+0.27083+0.375+0.5, holoviews core/sheetcoords.py) units per
    // step. Tolerance 0.01 units: the Gaussian lies inside the retina and
    // is about one unit wide across, so the sampled centroid is exact to
    // far better than that; a new random pattern would land elsewhere.
    let r: f64 = 0.5 + 0.27083 + 0.375 + 0.5;
    let density = (24.0 * 2.0 * r).trunc() / (2.0 * r);
    let step = 2.0 / 24.0 * density;
    let centroid = |t: &str| -> (f64, f64) {
        let rows = &one["sheets"]["Retina"][t];
        let (mut m, mut x, mut y) = (0.0, 0.0, 0.0);
        for (i, row) in rows.as_array().unwrap().iter().enumerate() {
            for (j, v) in row.as_array().unwrap().iter().enumerate() {
                let v = v.as_f64().unwrap();
                m += v;
                x += v * j as f64;
                y += v * i as f64;
            }
        }
        assert!(m > 0.0, "t={t}: a pattern on the retina");
        (x / m, y / m)
    };
    let c: Vec<(f64, f64)> = TIMES.iter().map(|t| centroid(t)).collect();
    for k in 0..3 {
        let d = (c[k + 1].0 - c[k].0).hypot(c[k + 1].1 - c[k].1);
        assert!(
            (d - step).abs() <= 0.01,
            "t={} to t={}: moved {d} units, speed gives {step}",
            TIMES[k],
            TIMES[k + 1]
        );
    }
}
