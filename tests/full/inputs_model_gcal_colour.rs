//! topo/submodel/color.py's `ModelGCALColor` run on 1 and 3 ranks. With
//! Gaussian inputs Topographica's ModelGCALColor cannot include 'cr'
//! (its ChannelGeneratorSheet retina has no channel ports for
//! single-channel patterns, see crates/lang/src/gcal_colour.rs), so the
//! run is the class with its default dims ['xy', 'or']; there is no
//! trace of it from the real Topographica. The test checks what the class
//! defines: every sheet bit-identical across rank counts, and the same
//! activities as `ModelGCAL` (the classes build the same network without
//! 'cr', crates/lang/tests/integration/gcal_colour.rs).

use serde_json::Value as Json;
use std::path::Path;

use crate::run_mpi;

const BIN: &str = env!("CARGO_BIN_EXE_topo-hpc");
const SHEETS: [&str; 4] = ["Retina", "LGNOn", "LGNOff", "V1"];
const TIMES: [&str; 3] = ["1", "2", "3"];

fn trace(model: &Path, ranks: usize) -> Json {
    let out = model.with_extension(format!("trace{ranks}.json"));
    let mut c = run_mpi::command(BIN, ranks);
    c.arg("trace")
        .arg(model)
        .args(["-p", "cortex_density=8", "-p", "num_inputs=1"])
        .args(["--times", &TIMES.join(",")]);
    for s in SHEETS {
        c.args(["--sheet", s]);
    }
    let o = c.arg("--out").arg(&out).output().unwrap();
    assert!(o.status.success(), "{}", run_mpi::text(&o));
    serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap()
}

fn rows(j: &Json, sheet: &str, time: &str) -> Vec<Vec<f64>> {
    j["sheets"][sheet][time]
        .as_array()
        .unwrap_or_else(|| panic!("no {sheet} at {time}"))
        .iter()
        .map(|r| {
            r.as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
                .collect()
        })
        .collect()
}

#[test]
fn model_gcal_color_runs_bit_identically_on_1_and_3_ranks_as_model_gcal() {
    let dir = tempfile::tempdir().unwrap();
    let colour = dir.path().join("colour.ty");
    std::fs::write(
        &colour,
        "import topo\nfrom topo.submodel.color import ModelGCALColor\n\
         topo.sim.model = ModelGCALColor(color_strength=0.5)\n",
    )
    .unwrap();
    let gcal = dir.path().join("gcal.ty");
    std::fs::write(
        &gcal,
        "import topo\nfrom topo.submodel.gcal import ModelGCAL\n\
         topo.sim.model = ModelGCAL()\n",
    )
    .unwrap();
    let one = trace(&colour, 0);
    let three = trace(&colour, 3);
    let plain = trace(&gcal, 0);
    for s in SHEETS {
        for t in TIMES {
            let a = rows(&one, s, t);
            assert_eq!(a, rows(&three, s, t), "{s} at t={t}: 1 vs 3 ranks");
            assert_eq!(a, rows(&plain, s, t), "{s} at t={t}: vs ModelGCAL");
        }
    }
    let v1 = rows(&one, "V1", "3");
    assert!(v1.iter().flatten().any(|x| *x > 0.0), "V1 responds by t=3");
}
