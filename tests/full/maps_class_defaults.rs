//! A model file's class default of a featuremapper command
//! (`measure_sine_pref.frequencies = [1.2, 2.4]`, as ModelGCAL's
//! `analysis_setup` sets it for 'sf' in topo/submodel/gcal.py) reaches
//! the measurement: the FrequencyPreference map of our small two-eye
//! network equals, bit for bit, the one of a call that passes the same
//! frequencies explicitly, and differs from featuremapper's [2.4].

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::run_mpi;

const BIN: &str = env!("CARGO_BIN_EXE_topo-hpc");

const SETTING: &str = "
from topo.command.analysis import measure_sine_pref
measure_sine_pref.frequencies = [1.2, 2.4]
";

/// Runs tests/data/models/binocular.ty (plus `extra` at its end) to t=2
/// on one process with `def` as analysis function at t=2; returns the
/// HDF5 file.
fn run(dir: &Path, extra: &str, def: &str) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/models/binocular.ty");
    let copy = dir.join("binocular.ty");
    let text = std::fs::read_to_string(&model).unwrap();
    std::fs::write(&copy, format!("{text}\n{extra}")).unwrap();
    let batch = format!(
        "run_batch('{}', cortex_density=9, times=[2], analysis_fn=f, timestamp='202601010000')",
        copy.display()
    );
    let o = run_mpi::command(BIN, 0)
        .current_dir(dir)
        .env("SLURM_CPUS_PER_TASK", "1")
        .args(["-a", "-c", def, "-c", &batch])
        .output()
        .expect("cannot start topo-hpc");
    assert!(o.status.success(), "{}", run_mpi::text(&o));
    run_mpi::only_dir(&dir.join("Output")).join("202601010000_binocular.h5")
}

/// Compares V1's FrequencyPreference of two files exactly; prints
/// `same` or `differ`.
const COMPARE: &str = r#"
import h5py, sys, numpy as np
a, b = [h5py.File(p, 'r')['analysis/000002.00/V1/FrequencyPreference'][...] for p in sys.argv[1:3]]
assert a.shape == b.shape and np.isfinite(a).all() and np.isfinite(b).all()
print('same' if np.array_equal(a, b) else 'differ')
"#;

fn compare(a: &Path, b: &Path) -> String {
    let o = Command::new("python3")
        .args(["-c", COMPARE])
        .args([a, b])
        .output()
        .expect("python3");
    assert!(o.status.success(), "{}", run_mpi::text(&o));
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

#[test]
fn model_class_default_frequencies_reach_measure_sine_pref() {
    let tmp = tempfile::tempdir().unwrap();
    let plain = "def f():\n    measure_sine_pref(num_phase=4, num_orientation=2)\n";
    let explicit =
        "def f():\n    measure_sine_pref(num_phase=4, num_orientation=2, frequencies=[1.2, 2.4])\n";
    let by_class = run(&tmp.path().join("class"), SETTING, plain);
    let by_kwarg = run(&tmp.path().join("kwarg"), "", explicit);
    let default = run(&tmp.path().join("default"), "", plain);
    assert_eq!(compare(&by_class, &by_kwarg), "same");
    assert_eq!(compare(&by_class, &default), "differ");
}

/// A bad class default fails before training: the error names the
/// setting and no output folder is made.
#[test]
fn a_bad_class_default_fails_before_the_output_folder_exists() {
    let dir = std::env::temp_dir().join(format!("topo_class_default_bad_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/models/binocular.ty");
    let copy = dir.join("binocular.ty");
    let text = std::fs::read_to_string(&model).unwrap();
    let bad = "\nfrom topo.command.analysis import measure_sine_pref\nmeasure_sine_pref.frequencies = 'wide'\n";
    std::fs::write(&copy, format!("{text}{bad}")).unwrap();
    let batch = format!(
        "run_batch('{}', cortex_density=9, times=[2], timestamp='202601010000')",
        copy.display()
    );
    let o = run_mpi::command(BIN, 0)
        .current_dir(&dir)
        .env("SLURM_CPUS_PER_TASK", "1")
        .args(["-a", "-c", &batch])
        .output()
        .expect("cannot start topo-hpc");
    let text = run_mpi::text(&o);
    assert!(
        !o.status.success(),
        "a bad frequencies setting was accepted: {text}"
    );
    assert!(
        text.contains("measure_sine_pref.frequencies"),
        "the error does not name the setting: {text}"
    );
    assert!(
        !dir.join("Output").exists(),
        "an output folder was made before the error: {text}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
