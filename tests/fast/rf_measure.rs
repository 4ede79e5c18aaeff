//! featuremapper's `measure_rfs` through the real binary (one process) on
//! tests/data/rfs/rf_linear.ty, against the independent numpy reference
//! tests/data/rfs/rf_linear_reference.json (made by
//! rf_linear_reference.py there): the noise of imagen's shared stream,
//! featuremapper's sums, the region of interest, a non-square sheet, the
//! stream left advanced after measuring (as in Topographica), and
//! located errors for bad arguments.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::run_mpi;

const BIN: &str = env!("CARGO_BIN_EXE_topo-hpc");

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/rfs")
}

/// `def f(): <body>` then run_batch(rf_linear.ty, times) in `dir`.
fn run(dir: &Path, params: &[&str], body: &str, times: &str) -> Output {
    std::fs::create_dir_all(dir).unwrap();
    let model = data().join("rf_linear.ty");
    let batch = format!(
        "run_batch('{}', times=[{times}], analysis_fn=f, timestamp='202601010000')",
        model.display()
    );
    let mut c = run_mpi::command(BIN, 0);
    c.current_dir(dir).arg("-a");
    for p in params {
        c.args(["-p", p]);
    }
    c.args(["-c", &format!("def f():\n    {body}\n"), "-c", &batch])
        .output()
        .expect("cannot start topo-hpc")
}

fn run_dir(dir: &Path) -> PathBuf {
    run_mpi::only_dir(&dir.join("Output"))
}

/// A dataset's shape and values.
fn read(h5: &Path, path: &str) -> (Vec<usize>, Vec<f64>) {
    let f = hdf5::File::open(h5).unwrap_or_else(|e| panic!("{}: {e}", h5.display()));
    let d = f.dataset(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    (d.shape(), d.read_raw::<f64>().unwrap())
}

fn reference(key: &str) -> Vec<f64> {
    let text = std::fs::read_to_string(data().join("rf_linear_reference.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    fn flat(v: &serde_json::Value, out: &mut Vec<f64>) {
        match v {
            serde_json::Value::Array(a) => a.iter().for_each(|x| flat(x, out)),
            x => out.push(x.as_f64().unwrap()),
        }
    }
    let mut out = Vec::new();
    flat(&v[key], &mut out);
    assert!(!out.is_empty(), "no {key} in the reference");
    out
}

/// Every value to a relative 1e-14: each V1 response is a sum of 9
/// positive terms that we add in another order than numpy (relative
/// rounding difference at most ~8 ulp ≈ 1e-15), and sums of products of
/// positive numbers keep that relative bound.
fn assert_close(got: &[f64], want: &[f64], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: sizes");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= 1e-14 * w.abs(),
            "{what}[{i}]: {g} vs reference {w}"
        );
    }
}

const RF: &str = "Retina_Reverse_Correlation";

#[test]
fn receptive_fields_match_the_numpy_reference() {
    let d = tempfile::tempdir().unwrap();
    // Gaussian training draws nothing from the shared stream: t=1 uses
    // its first 5 x 35 draws, t=2 the next ones (not rewound).
    let o = run(
        &d.path().join("a"),
        &[],
        "measure_rfs(presentations=5)",
        "1, 2",
    );
    assert!(o.status.success(), "{}", run_mpi::text(&o));
    let h5 = run_dir(&d.path().join("a")).join("202601010000_rf_linear.h5");
    for (t, key) in [("000001.00", "defaults_t1"), ("000002.00", "defaults_t2")] {
        let (shape, v) = read(&h5, &format!("analysis/{t}/V1/{RF}"));
        // (V1 rows, V1 cols, Retina rows, Retina cols): V1 is 3x5.
        assert_eq!(shape, [3, 5, 5, 7]);
        assert_close(&v, &reference(key), key);
    }
    // A 1x2 region, other scale and offset.
    let o = run(
        &d.path().join("b"),
        &[],
        "measure_rfs(presentations=4, roi=(-0.25, -0.05, 0.25, 0.25), scale=2.0, offset=0.1)",
        "1",
    );
    assert!(o.status.success(), "{}", run_mpi::text(&o));
    let h5 = run_dir(&d.path().join("b")).join("202601010000_rf_linear.h5");
    let (shape, v) = read(&h5, &format!("analysis/000001.00/V1/{RF}"));
    assert_eq!(shape, [1, 2, 5, 7]);
    assert_close(&v, &reference("roi"), "roi");
}

/// Topographica's state_pop does not rewind imagen's shared stream, so a
/// model trained on non-time-dependent noise sees other noise after a
/// measurement: the Retina at t=2 is the draw after the training draw at
/// t=0.05 and the 5 presentations at t=1, and the t=2 fields continue
/// from there. Everything else is restored (the V1 responses used by the
/// reference are those of the untouched weights).
#[test]
fn the_shared_noise_stream_stays_advanced_as_in_topographica() {
    let d = tempfile::tempdir().unwrap();
    let o = run(
        d.path(),
        &["noise_input=True"],
        "measure_rfs(presentations=5)",
        "1, 2",
    );
    assert!(o.status.success(), "{}", run_mpi::text(&o));
    let dir = run_dir(d.path());
    let h5 = dir.join("202601010000_rf_linear.h5");
    for (t, key) in [("000001.00", "noise_t1"), ("000002.00", "noise_t2")] {
        let (_, v) = read(&h5, &format!("analysis/{t}/V1/{RF}"));
        assert_close(&v, &reference(key), key);
    }
    let snap = dir.join("202601010000_rf_linear_000002.00.snapshot.h5");
    let (_, retina) = read(&snap, "sheets/Retina/activity");
    // The same numpy draws, bit for bit.
    assert_eq!(retina, reference("noise_retina_t2"));
}

#[test]
fn bad_arguments_are_located_errors() {
    let d = tempfile::tempdir().unwrap();
    for (k, (body, want)) in [
        (
            "measure_rfs(presentations=0)",
            "presentations must be a whole number >= 1",
        ),
        (
            "measure_rfs(presentations=-3)",
            "presentations must be a whole number >= 1",
        ),
        (
            "measure_rfs(inputs=['Retna'])",
            "input sheet 'Retna' is not a GeneratorSheet",
        ),
        (
            "measure_rfs(inputs=['V1'])",
            "input sheet 'V1' is not a GeneratorSheet",
        ),
        ("measure_rfs(outputs=['V2'])", "output sheet 'V2'"),
        ("measure_rfs(roi=(-2.0, -0.1, 0.1, 0.1))", "reaches outside"),
        ("measure_rfs(num_phase=3)", "no argument 'num_phase'"),
    ]
    .into_iter()
    .enumerate()
    {
        let o = run(&d.path().join(k.to_string()), &[], body, "1");
        let text = run_mpi::text(&o);
        assert!(!o.status.success(), "{body} ran:\n{text}");
        // The call's place in the -c text: line 2, column 5.
        assert!(
            text.contains("<-c>:2:5") && text.contains(want),
            "{body}: {text}"
        );
        assert!(!text.contains("panicked"), "{body}: {text}");
    }
}

/// A model whose `default_analysis_plotgroups` names 'RF Projection' gets
/// its receptive fields (the plot group's defaults: 100 presentations on
/// the first GeneratorSheet) and their plot from the default analysis.
#[test]
fn default_analysis_plotgroups_measure_rf_projection() {
    let d = tempfile::tempdir().unwrap();
    let model = std::fs::read_to_string(data().join("rf_linear.ty")).unwrap();
    let m = d.path().join("rf_default.ty");
    std::fs::write(
        &m,
        format!("{model}\nimport topo.command\ntopo.command.default_analysis_plotgroups = ['RF Projection']\n"),
    )
    .unwrap();
    let o = run_mpi::command(BIN, 0)
        .current_dir(d.path())
        .args(["run", "rf_default.ty", "--times", "1,2", "--no-progress"])
        .args(["--timestamp", "202601010000", "--output-path", "out"])
        .output()
        .expect("cannot start topo-hpc");
    assert!(o.status.success(), "{}", run_mpi::text(&o));
    let dir = run_mpi::only_dir(&d.path().join("out"));
    let png = dir.join("202601010000_rf_default_000001.00_V1_Retina_RFs.png");
    let bytes = std::fs::read(&png).unwrap_or_else(|e| panic!("{}: {e}", png.display()));
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    let h5 = dir.join("202601010000_rf_default.h5");
    let (shape, v) = read(&h5, &format!("analysis/000001.00/V1/{RF}"));
    assert_eq!(shape, [3, 5, 5, 7]);
    // Sums of products of positive noise (offset 0.5) and positive
    // responses: every value is positive.
    assert!(v.iter().all(|&x| x > 0.0), "{v:?}");
}
