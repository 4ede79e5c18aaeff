//! topo/submodel/color.py's `ModelGCALColor` with `'cr'` on colour images:
//! a FoliageA-like dataset of our own synthetic colour images
//! (tests/data/colour, made by make_images.py there), the Retina a
//! ChannelGeneratorSheet whose channel ports feed the opponent LGN sheets.
//! There is no run of the real Topographica on colour images (the McGill
//! images are not shipped), so the checks are what the classes define:
//! every sheet bit-identical on 1 and 3 ranks, the colour LGN sheets
//! driven through the channel ports, and `measure_hue_pref` (with
//! `hue2rgbscaleNewRetina`, as `ModelGCALColor.analysis_setup` sets)
//! writing HuePreference and HueSelectivity.

use std::path::Path;
use std::process::Command;

use crate::model_gcal_ranks::{rows, trace};
use crate::run_mpi;

const BIN: &str = env!("CARGO_BIN_EXE_topo-hpc");

const MODEL: &str = "import topo\nfrom topo.submodel.color import ModelGCALColor\n\
                     topo.sim.model = ModelGCALColor(dims=['xy', 'or', 'cr'], dataset='FoliageA')\n";

/// A model folder with the images where `param.resolve_path` finds the
/// FoliageA folder (the model's folder).
fn model_dir() -> tempfile::TempDir {
    model_dir_for(MODEL)
}

fn model_dir_for(model: &str) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    let folder = d.path().join("images/mcgill/foliage_a_combined");
    std::fs::create_dir_all(&folder).unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/colour");
    for n in 0..3 {
        let f = format!("foliage_like_{n}.png");
        std::fs::copy(src.join(&f), folder.join(&f)).unwrap();
    }
    std::fs::write(d.path().join("m.ty"), model).unwrap();
    d
}

const SHEETS: [&str; 6] = [
    "Retina",
    "LGNOnRedGreen",
    "LGNOffGreenRed",
    "LGNOnBlueRedGreen",
    "LGNOffRedGreenBlueRedGreenBlue",
    "V1",
];
const TIMES: [&str; 3] = ["1", "2", "3"];

#[test]
fn model_gcal_color_cr_on_colour_images_is_bit_identical_on_1_and_3_ranks() {
    let d = model_dir();
    let one = trace(d.path(), 0, &SHEETS, &TIMES);
    let three = trace(d.path(), 3, &SHEETS, &TIMES);
    for s in SHEETS {
        for t in TIMES {
            assert_eq!(
                rows(&one, s, t),
                rows(&three, s, t),
                "{s} at t={t}: 1 vs 3 ranks"
            );
        }
    }
    // the opponent sheets see different inputs through the channel ports
    let rg = rows(&one, "LGNOnRedGreen", "1");
    let brg = rows(&one, "LGNOnBlueRedGreen", "1");
    assert!(
        rg.iter().flatten().any(|x| *x > 0.0),
        "LGNOnRedGreen responds"
    );
    assert_ne!(rg, brg, "Red/Green and Blue/RedGreen opponents differ");
    let v1 = rows(&one, "V1", "3");
    assert!(v1.iter().flatten().any(|x| *x > 0.0), "V1 responds by t=3");
}

/// Two eyes: each eye's channel factors are `hsv[2] ± Dim<n>` streams
/// (numbergen expressions evaluated at each presentation).
#[test]
fn two_eyes_with_dimmed_channels_on_1_and_3_ranks() {
    let d = model_dir_for(
        "import topo\nfrom topo.submodel.color import ModelGCALColor\n\
         topo.sim.model = ModelGCALColor(dims=['xy', 'or', 'od', 'cr'], dataset='FoliageA')\n",
    );
    let sheets = [
        "LeftRetina",
        "RightRetina",
        "LeftLGNOnRedGreen",
        "RightLGNOnRedGreen",
        "V1",
    ];
    let times = ["1", "2"];
    let one = trace(d.path(), 0, &sheets, &times);
    let three = trace(d.path(), 3, &sheets, &times);
    for s in sheets {
        for t in times {
            assert_eq!(
                rows(&one, s, t),
                rows(&three, s, t),
                "{s} at t={t}: 1 vs 3 ranks"
            );
        }
    }
    // one image, two brightnesses: the eyes' colour sheets differ
    assert_ne!(
        rows(&one, "LeftLGNOnRedGreen", "1"),
        rows(&one, "RightLGNOnRedGreen", "1")
    );
}

#[test]
fn measure_hue_pref_on_the_colour_model() {
    let d = model_dir();
    let def = "def f():\n    measure_hue_pref(num_phase=2, num_orientation=2, num_hue=4)\n";
    let batch = "run_batch('m.ty', times=[1], cortex_density=8, num_inputs=1, \
                 analysis_fn=f, timestamp='202601010000')";
    let o = run_mpi::command(BIN, 3)
        .current_dir(d.path())
        .args(["-a", "-c", def, "-c", batch])
        .output()
        .expect("cannot start topo-hpc");
    assert!(o.status.success(), "{}", run_mpi::text(&o));
    let h5 = run_mpi::only_dir(&d.path().join("Output")).join("202601010000_m.h5");
    let script = r#"
import h5py, sys, numpy as np
g = h5py.File(sys.argv[1], 'r')['analysis/000001.00/V1']
pref, sel = g['HuePreference'][...], g['HueSelectivity'][...]
assert pref.shape == (8, 8) and sel.shape == (8, 8), (pref.shape, sel.shape)
assert np.isfinite(pref).all() and np.isfinite(sel).all()
assert ((pref >= 0) & (pref < 1)).all(), pref
assert sel.max() > 0, sel
assert len(np.unique(np.round(pref, 9))) > 1, 'hue preferences vary'
print('OK')
"#;
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&h5)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `topo-hpc run` of the colour model on `ranks` ranks into `out`: the
/// final snapshot's arrays (without the coordinate scales rank 0 writes).
fn snapshot(dir: &Path, out: &Path, ranks: usize) -> Vec<(String, Vec<u64>)> {
    let o = run_mpi::command(BIN, ranks)
        .current_dir(dir)
        .arg("run")
        .arg(dir.join("m.ty"))
        .args(["-p", "cortex_density=8", "-p", "num_inputs=1"])
        .args(["--times", "1,2", "--analysis", "none", "--threads", "1"])
        .args(["--no-progress", "--output-path"])
        .arg(out)
        .output()
        .expect("cannot start topo-hpc");
    assert!(o.status.success(), "{}", run_mpi::text(&o));
    let run = run_mpi::only_dir(out);
    let snap = std::fs::read_dir(&run)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with("_000002.00.snapshot.h5"))
        .expect("a final snapshot");
    let mut arrays = crate::snapshot_arrays::arrays(&snap, &["x", "y", "cf_offset", "slice_bound"]);
    arrays.extend((0..3).map(|k| {
        let p = format!("sheets/Retina/channels/{k}/activity");
        (p.clone(), channel(&snap, &p))
    }));
    arrays
}

/// One channel activity of a snapshot, as bits (the shared reader lists
/// only `sheets/<S>/<array>`).
fn channel(snap: &Path, path: &str) -> Vec<u64> {
    use topo_hpc::sim::state::ArrayData;
    let access = topo_hpc::par::Context::local().h5_access();
    let f = topo_hpc::io::h5::H5File::open_read(snap, access).unwrap();
    let shape = f
        .shape(path)
        .unwrap_or_else(|e| panic!("{path} missing: {e}"));
    f.close().unwrap();
    let s = topo_hpc::io::snapshot::Snapshot::open(snap, access).unwrap();
    let v = match s.read(path, &vec![0; shape.len()], &shape).unwrap() {
        ArrayData::F64(v) => v.iter().map(|x| x.to_bits()).collect(),
        other => panic!("{path}: not f64: {other:?}"),
    };
    s.close().unwrap();
    v
}

/// The channel activities are snapshot arrays like any sheet activity,
/// identical on 1 and 3 ranks.
#[test]
fn channel_activities_are_in_the_snapshot_on_1_and_3_ranks() {
    let d = model_dir();
    let one = snapshot(d.path(), &d.path().join("r1"), 0);
    let three = snapshot(d.path(), &d.path().join("r3"), 3);
    for k in 0..3 {
        let path = format!("sheets/Retina/channels/{k}/activity");
        let a = &one
            .iter()
            .find(|(p, _)| *p == path)
            .unwrap_or_else(|| panic!("{path} missing"))
            .1;
        assert!(a.iter().any(|&b| b != 0), "{path} is all zeros");
    }
    assert_eq!(one.len(), three.len());
    for ((p1, a1), (p2, a2)) in one.iter().zip(&three) {
        assert_eq!(p1, p2);
        assert!(a1 == a2, "{p1}: 1 vs 3 ranks");
    }
}
