//! User analysis functions defined in `-c` text (Topographica's command-line
//! form) through the real binary: the same outputs as the same `def` in the
//! model file, on one rank and under `mpirun -n 2`; precedence over a model
//! file function of the same name; errors located in the `-c` text and found
//! before anything is written.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::run_mpi;

const BIN: &str = env!("CARGO_BIN_EXE_topo-hpc");

/// The analysis used by the comparison, as a model file writes it.
const DEF: &str = "def my_analysis():
    measure_or_pref()
    save_plotgroup('Orientation Preference')
    save_plotgroup('Activity')
    pattern_present(inputs=imagen.Gaussian(orientation=pi/4, aspect_ratio=4.7), duration=1.0)
    save_plotgroup('Activity', filename_suffix='_45d')
    save_plotgroup('Projection', projection='Afferent')
";

const RUN: &str =
    "run_batch('tiny.ty', times=[1, 2], analysis_fn=my_analysis, timestamp='202601010000')";

/// `dir/tiny.ty`: the tiny example with `extra` appended.
fn model_in(dir: &Path, extra: &str) {
    std::fs::create_dir_all(dir).unwrap();
    let tiny =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/tiny.ty"))
            .unwrap();
    std::fs::write(dir.join("tiny.ty"), format!("{tiny}\n{extra}")).unwrap();
}

/// `topo-hpc ARGS` in `dir`, directly (ranks == 0) or under mpirun.
fn topo(dir: &Path, ranks: usize, args: &[&str]) -> Output {
    run_mpi::command(BIN, ranks)
        .current_dir(dir)
        .args(args)
        .output()
        .expect("cannot start topo-hpc")
}

fn pngs(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".png"))
        .collect();
    v.sort();
    v
}

/// Every dataset under /analysis of two run files is equal (exactly:
/// the same computation on the same state, so no tolerance is needed).
fn same_analysis(a: &Path, b: &Path) {
    let script = r#"
import h5py, sys, numpy as np
def arrays(path):
    out = {}
    with h5py.File(path, 'r') as f:
        f['analysis'].visititems(lambda n, o: out.__setitem__(n, o[...]) if isinstance(o, h5py.Dataset) else None)
    return out
a, b = arrays(sys.argv[1]), arrays(sys.argv[2])
assert set(a) == set(b), sorted(set(a) ^ set(b))
for k in a:
    assert a[k].shape == b[k].shape and np.array_equal(a[k], b[k]), k
for t in ('000001.00', '000002.00'):
    assert a[t + '/V1/OrientationPreference'].shape == (5, 5), t
    assert t + '/V1/activity' in a and t + '/Retina/activity' in a, t
print(len(a), 'datasets equal')
"#;
    let py = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(a)
        .arg(b)
        .output()
        .unwrap();
    assert!(py.status.success(), "{}", run_mpi::text(&py));
}

const RUN_DIR: &str = "Output/202601010000_tiny";

#[test]
fn cmdline_def_writes_what_the_model_file_def_writes_on_one_and_two_ranks() {
    let w = tempfile::tempdir().unwrap();
    let (file_form, cmd1, cmd2) = (
        w.path().join("ty"),
        w.path().join("c1"),
        w.path().join("c2"),
    );
    model_in(&file_form, &format!("import imagen\n{DEF}"));
    model_in(&cmd1, "");
    model_in(&cmd2, "");
    let o = topo(&file_form, 0, &["-c", RUN]);
    assert!(o.status.success(), "{}", run_mpi::text(&o));
    // The def in its own -c, used by the run_batch of a later -c.
    let def = DEF.trim_end();
    for (dir, ranks) in [(&cmd1, 0), (&cmd2, 2)] {
        let o = topo(dir, ranks, &["-a", "-c", def, "-c", RUN]);
        assert!(o.status.success(), "{ranks} ranks: {}", run_mpi::text(&o));
    }
    let expected = pngs(&file_form.join(RUN_DIR));
    for t in ["000001.00", "000002.00"] {
        for f in [
            "V1_Orientation_Preference",
            "V1_Activity",
            "Retina_Activity",
            "V1_Activity_45d",
            "V1_Afferent_Weights",
        ] {
            let name = format!("202601010000_tiny_{t}_{f}.png");
            assert!(expected.contains(&name), "{name} not in {expected:?}");
        }
    }
    for dir in [&cmd1, &cmd2] {
        let run = dir.join(RUN_DIR);
        assert_eq!(pngs(&run), expected, "{}", run.display());
        for p in &expected {
            let same = std::fs::read(run.join(p)).unwrap()
                == std::fs::read(file_form.join(RUN_DIR).join(p)).unwrap();
            assert!(same, "{p} differs in {}", run.display());
        }
        same_analysis(
            &file_form.join(RUN_DIR).join("202601010000_tiny.h5"),
            &run.join("202601010000_tiny.h5"),
        );
    }
}

/// Python binds `analysis_fn=my_analysis` when run_batch is called, before
/// the model file runs, so the -c function is the one run; without a -c
/// definition the model file's is.
#[test]
fn cmdline_def_takes_precedence_over_the_model_files() {
    let w = tempfile::tempdir().unwrap();
    model_in(
        w.path(),
        "def my_analysis():\n    save_plotgroup('Activity', filename_suffix='_model')\n",
    );
    let run = |tag: &str| {
        format!("run_batch('tiny.ty', times=[1], analysis_fn=my_analysis, timestamp='202601010000', tag='{tag}')")
    };
    let o = topo(
        w.path(),
        0,
        &[
            "-c",
            "def my_analysis(): save_plotgroup('Activity', filename_suffix='_cmd'); save_plotgroup('Projection', projection='Afferent')",
            "-c",
            &run("c"),
        ],
    );
    assert!(o.status.success(), "{}", run_mpi::text(&o));
    let got = pngs(&w.path().join("Output/202601010000_tiny_c"));
    assert_eq!(
        got,
        [
            "202601010000_tiny_c_000001.00_Retina_Activity_cmd.png",
            "202601010000_tiny_c_000001.00_V1_Activity_cmd.png",
            "202601010000_tiny_c_000001.00_V1_Afferent_Weights.png",
        ]
    );
    let o = topo(w.path(), 0, &["-c", &run("m")]);
    assert!(o.status.success(), "{}", run_mpi::text(&o));
    let got = pngs(&w.path().join("Output/202601010000_tiny_m"));
    assert_eq!(
        got,
        [
            "202601010000_tiny_m_000001.00_Retina_Activity_model.png",
            "202601010000_tiny_m_000001.00_V1_Activity_model.png",
        ]
    );
}

/// Each bad command line fails with the -c location and writes nothing.
#[test]
fn errors_are_located_in_the_c_text_before_anything_runs() {
    let w = tempfile::tempdir().unwrap();
    model_in(w.path(), "");
    let undefined = "run_batch('tiny.ty', times=[1], analysis_fn=my_analyss)";
    let col = undefined.find("my_analyss").unwrap() + 1;
    let cases: Vec<(usize, Vec<&str>, String, &str)> = vec![
        (
            0,
            vec!["-c", undefined],
            format!("<-c>:1:{col}"),
            "'my_analyss' is not defined",
        ),
        (
            0,
            vec![
                "-c",
                "def f():\n    measure_or_pref()\n    x = 1",
                "-c",
                "run_batch('tiny.ty', analysis_fn=f)",
            ],
            "<-c>:3:5".into(),
            "may only contain calls",
        ),
        (
            0,
            vec![
                "-c",
                "def f(): measure_or_pref(); plot_everything(3)",
                "-c",
                "run_batch('tiny.ty', analysis_fn=f)",
            ],
            "<-c>:1:29".into(),
            "plot_everything",
        ),
        (
            2,
            vec![
                "-c",
                "def f():\n    save_plotgroup('Activity')\n    pattern_present()\nrun_batch('tiny.ty', analysis_fn=f)",
            ],
            "<-c>:3:5".into(),
            "pattern_present needs inputs",
        ),
    ];
    for (ranks, args, at, what) in cases {
        let o = topo(w.path(), ranks, &args);
        let msg = run_mpi::text(&o);
        assert!(!o.status.success(), "{args:?}: {msg}");
        assert!(
            msg.contains(&format!("{at}: ")) && msg.contains(what),
            "{args:?}: {msg}"
        );
        assert!(!w.path().join("Output").exists(), "{args:?} wrote output");
    }
}
