//! User analysis functions (`def f(): ...` in the model file, passed as
//! `run_batch(..., analysis_fn=f)`) through the real binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::run_mpi;

const BIN: &str = env!("CARGO_BIN_EXE_topo-hpc");

/// A scratch folder with `m.ty`: the GCAL example plus `body` appended.
fn workdir(body: &str) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    let gcal =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/gcal.ty"))
            .unwrap();
    std::fs::write(d.path().join("m.ty"), format!("{gcal}\n{body}")).unwrap();
    d
}

fn topo(dir: &Path, command: &str) -> Output {
    Command::new(BIN)
        .env_remove("TOPO_HPC_OUTPUT")
        .current_dir(dir)
        .args(["-p", "cortex_density=12", "-p", "lgn_density=12"])
        .args(["-p", "retina_density=12", "-c", command])
        .output()
        .expect("cannot start topo-hpc")
}

const RUN: &str =
    "run_batch('m.ty', times=[1, 3], analysis_fn=my_analysis, timestamp='202601010000')";

#[test]
fn user_function_runs_its_calls_in_order() {
    let w = workdir(
        r#"
def my_analysis():
    measure_or_pref()
    save_plotgroup("Orientation Preference")
    pattern_present(inputs=imagen.Gaussian(orientation=0.5, aspect_ratio=4.0), duration=1.0)
    save_plotgroup("Activity", filename_suffix="_g")
    save_plotgroup("Projection", projection="LGNOnAfferent")
"#,
    );
    let o = topo(w.path(), RUN);
    assert!(o.status.success(), "{}", run_mpi::text(&o));
    let dir = w.path().join("Output/202601010000_m");
    for t in ["000001.00", "000003.00"] {
        for f in [
            format!("202601010000_m_{t}_V1_Orientation_Preference.png"),
            format!("202601010000_m_{t}_Retina_Activity_g.png"),
            format!("202601010000_m_{t}_V1_LGNOnAfferent_Weights.png"),
        ] {
            assert!(dir.join(&f).is_file(), "{f} missing\n{}", run_mpi::text(&o));
        }
        // Only what the function asked for: no other projection plots,
        // no default-analysis activity datasets.
        assert!(!dir
            .join(format!(
                "202601010000_m_{t}_V1_LateralExcitatory_Weights.png"
            ))
            .exists());
    }
    let py = Command::new("python3")
        .arg("-c")
        .arg(
            r#"
import h5py, sys, numpy as np
with h5py.File(sys.argv[1], 'r') as f:
    g = f['analysis/000003.00/V1']
    assert g['OrientationPreference'].shape == (12, 12)
    assert 'activity' not in g and 'pinwheel_count' not in g, list(g)
"#,
        )
        .arg(dir.join("202601010000_m.h5"))
        .output()
        .unwrap();
    assert!(py.status.success(), "{}", run_mpi::text(&py));
}

#[test]
fn unknown_call_fails_before_training_with_its_location() {
    let w = workdir("def my_analysis():\n    measure_or_pref()\n    plot_everything(3)\n");
    let lines = std::fs::read_to_string(w.path().join("m.ty"))
        .unwrap()
        .lines()
        .count();
    let o = topo(w.path(), RUN);
    assert!(!o.status.success(), "{}", run_mpi::text(&o));
    let msg = run_mpi::text(&o);
    assert!(
        msg.contains(&format!("m.ty:{lines}:5")) && msg.contains("plot_everything"),
        "{msg}"
    );
    assert!(
        !msg.contains("measure_or_pref: 72"),
        "trained first:\n{msg}"
    );
}

#[test]
fn undefined_function_is_an_error() {
    let w = workdir("");
    let o = topo(w.path(), RUN);
    assert!(!o.status.success());
    assert!(
        run_mpi::text(&o).contains("def my_analysis()"),
        "{}",
        run_mpi::text(&o)
    );
}
