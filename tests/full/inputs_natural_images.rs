//! Natural images in a distributed run: topo/submodel/gcal.py's
//! `ModelGCAL(dataset='Nature')` (a Selector over FileImages of
//! `images/shouval`, found along the search path: here two of
//! Topographica's Shouval images, tests/data, in a folder named by
//! `$TOPO_HPC_PATH`) traced for a few steps in one process with 1 and 2
//! threads and on 3 ranks (every rank resolves and reads the images
//! itself): every sheet bit-identical, and a new image or position on the
//! retina at each presentation. There is no Topographica trace of this
//! model to compare with (wave2 has none); the renders themselves are
//! checked against imagen's in crates/pattern/tests/integration/file_image.rs.

use serde_json::Value as Json;
use std::path::Path;

use crate::run_mpi;

const BIN: &str = env!("CARGO_BIN_EXE_topo-hpc");

const SHEETS: [&str; 3] = ["Retina", "LGNOn", "V1"];

fn trace(dir: &Path, lib: &Path, ranks: usize, threads: usize) -> Json {
    let out = dir.join(format!("trace_{ranks}_{threads}.json"));
    let mut c = run_mpi::command(BIN, ranks);
    c.current_dir(dir)
        .env("TOPO_HPC_PATH", lib)
        .args(["trace", "m.ty", "-p", "cortex_density=8"])
        .args(["--times", "1,2,3", "--threads", &threads.to_string()]);
    for s in SHEETS {
        c.args(["--sheet", s]);
    }
    let o = c.arg("--out").arg(&out).output().unwrap();
    assert!(o.status.success(), "{}", run_mpi::text(&o));
    serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap()
}

#[test]
fn model_gcal_nature_runs_bit_identically_on_threads_and_ranks() {
    let t = tempfile::tempdir().unwrap();
    let (work, lib) = (t.path().join("work"), t.path().join("lib"));
    let shouval = lib.join("images/shouval");
    std::fs::create_dir_all(&shouval).unwrap();
    std::fs::create_dir_all(&work).unwrap();
    let images = Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/pattern/tests/data/images");
    for f in ["combined01.png", "combined13.png"] {
        std::fs::copy(images.join(f), shouval.join(f)).unwrap();
    }
    std::fs::write(
        work.join("m.ty"),
        "import topo\nfrom topo.submodel.gcal import ModelGCAL\n\
         topo.sim.model = ModelGCAL(dataset='Nature')\n",
    )
    .unwrap();
    let one = trace(&work, &lib, 0, 1);
    for (ranks, threads) in [(0, 2), (3, 1)] {
        let other = trace(&work, &lib, ranks, threads);
        for s in SHEETS {
            assert_eq!(
                one["sheets"][s], other["sheets"][s],
                "{s}: 1 process, 1 thread vs {ranks} ranks, {threads} threads"
            );
        }
    }
    let retina = |t: &str| one["sheets"]["Retina"][t].clone();
    assert_ne!(retina("1"), retina("2"), "a new presentation at t=2");
    assert_ne!(retina("2"), retina("3"), "a new presentation at t=3");
}
