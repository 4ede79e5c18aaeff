//! The default analysis (orientation maps, pinwheels, weight plots, 45°
//! Gaussian) of the GCAL example at a small density, run through the
//! real binary: files, value ranges, independence of the rank count, and
//! that measuring maps does not change what the model learns.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::run_mpi;

const BIN: &str = env!("CARGO_BIN_EXE_topo-hpc");

/// `topo-hpc run examples/gcal.ty` at density 12 with `extra` options,
/// directly (ranks == 0) or under mpirun.
fn run_gcal(dir: &Path, ranks: usize, out: &str, extra: &[&str]) -> Output {
    run_mpi::command(BIN, ranks)
        .current_dir(dir)
        .args(["run", "examples/gcal.ty"])
        .args(["-p", "cortex_density=12", "-p", "lgn_density=12"])
        .args(["-p", "retina_density=12", "--timestamp", "202601010000"])
        .args(["--no-progress", "--output-path", out])
        .args(extra)
        .output()
        .expect("cannot start topo-hpc")
}

fn python(script: &str, args: &[PathBuf]) {
    let o = Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", run_mpi::text(&o));
}

#[test]
fn default_analysis_writes_maps_pinwheels_and_plots() {
    let w = run_mpi::workdir_with_example("gcal.ty");
    let o = run_gcal(w.path(), 0, "out", &["--times", "1,30"]);
    assert!(o.status.success(), "{}", run_mpi::text(&o));
    let dir = run_mpi::only_dir(&w.path().join("out"));
    let base = "202601010000_gcal";
    for t in ["000001.00", "000030.00"] {
        let mut pngs = vec![format!("{base}_{t}_V1_Orientation_Preference.png")];
        for p in [
            "LGNOnAfferent",
            "LGNOffAfferent",
            "LateralExcitatory",
            "LateralInhibitory",
        ] {
            pngs.push(format!("{base}_{t}_V1_{p}_Weights.png"));
        }
        for s in ["Retina", "LGNOn", "LGNOff", "V1"] {
            pngs.push(format!("{base}_{t}_{s}_Activity_45d.png"));
        }
        for p in pngs {
            let bytes = std::fs::read(dir.join(&p)).unwrap_or_else(|e| panic!("{p}: {e}"));
            assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{p} is not a PNG");
        }
    }
    let out = std::fs::read_to_string(dir.join(format!("{base}.out"))).unwrap();
    assert!(
        out.contains("V1: ") && out.contains("per hypercolumn²"),
        "no pinwheel summary in the log:\n{out}"
    );
    // GCAL sets FeatureMaps.selectivity_multiplier = 2, and a vector
    // average's length never exceeds the sum of its weights, so
    // selectivity lies in [0, 2]; preferences are wrapped into [0, pi).
    let script = r#"
import h5py, sys, numpy as np
with h5py.File(sys.argv[1], 'r') as f:
    for t in ['000001.00', '000030.00']:
        g = f['analysis/' + t + '/V1']
        p = g['OrientationPreference'][...]
        s = g['OrientationSelectivity'][...]
        assert p.shape == (12, 12) and s.shape == (12, 12), (p.shape, s.shape)
        assert np.all(p >= 0) and np.all(p < np.pi), (p.min(), p.max())
        assert np.all(s >= 0) and np.all(s <= 2 + 1e-12), (s.min(), s.max())
        assert s.max() > 0 and np.ptp(p) > 0.5, 'a flat map'
        n = g['pinwheel_count'][0]; rho = g['pinwheel_density'][0]
        kmax = g['kmax'][0]; uph = g['units_per_hypercolumn'][0]
        assert n >= 0 and n == int(n), n
        assert np.isfinite(rho) and kmax > 0 and uph > 0, (rho, kmax, uph)
        assert abs(rho - n / kmax**2) < 1e-9 * max(1, rho), (rho, n, kmax)
print('ok')
"#;
    python(script, &[dir.join(format!("{base}.h5"))]);
}

/// Compares every dataset of two HDF5 files for exact equality.
const EQUAL_H5: &str = r#"
import h5py, sys, numpy as np
def arrays(path, prefix):
    out = {}
    def visit(name, obj):
        if isinstance(obj, h5py.Dataset) and name.startswith(prefix):
            out[name] = obj[...]
    with h5py.File(path, 'r') as f:
        f.visititems(visit)
    return out
a, b = arrays(sys.argv[1], sys.argv[3]), arrays(sys.argv[2], sys.argv[3])
assert a and set(a) == set(b), sorted(set(a) ^ set(b))
for k in a:
    assert a[k].shape == b[k].shape and np.array_equal(a[k], b[k]), k
print(len(a), 'equal')
"#;

#[test]
fn four_ranks_write_the_same_maps_as_one() {
    let w = run_mpi::workdir_with_example("gcal.ty");
    for (ranks, out) in [(0, "r1"), (4, "r4")] {
        let o = run_gcal(w.path(), ranks, out, &["--times", "1,10", "--no-snapshot"]);
        assert!(o.status.success(), "{}", run_mpi::text(&o));
    }
    let h5 = "202601010000_gcal.h5";
    python(
        EQUAL_H5,
        &[
            run_mpi::only_dir(&w.path().join("r1")).join(h5),
            run_mpi::only_dir(&w.path().join("r4")).join(h5),
            PathBuf::from("analysis"),
        ],
    );
}

/// featuremapper restores the whole simulation after measuring, so a run
/// that measures maps learns exactly what a run without analysis learns.
#[test]
fn measuring_maps_does_not_change_training() {
    let w = run_mpi::workdir_with_example("gcal.ty");
    for (plan, out) in [("or_map,pinwheels,weights", "a"), ("none", "b")] {
        let o = run_gcal(w.path(), 0, out, &["--times", "3,8", "--analysis", plan]);
        assert!(o.status.success(), "{}", run_mpi::text(&o));
    }
    let snap = "202601010000_gcal_000008.00.snapshot.h5";
    python(
        EQUAL_H5,
        &[
            run_mpi::only_dir(&w.path().join("a")).join(snap),
            run_mpi::only_dir(&w.path().join("b")).join(snap),
            PathBuf::from(""),
        ],
    );
}
