//! Every featuremapper measurement topo-hpc runs, in one analysis
//! function on our own small networks (tests/data/models/binocular.ty for
//! everything that needs two eyes or none, colour.ty for the hue map):
//! featuremapper's map names (a Preference and a Selectivity per feature),
//! the same results from a `def` in the model file as from `-c`,
//! bit-identical on one process with 1 and 2 threads and on 3 ranks, and
//! the simulation restored around the presentations (the snapshot after
//! later training equals the one of a run that measured nothing).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::run_mpi;

const BIN: &str = env!("CARGO_BIN_EXE_topo-hpc");

/// Every measurement that a two-eye network supports, with small
/// keyword arguments (a few presentations each); prefixes keep maps of
/// the same name apart.
const DEF_EYES: &str = "def f():
    measure_or_pref(num_phase=4, num_orientation=4)
    measure_od_pref(num_phase=4, num_orientation=4, measurement_prefix='OD')
    measure_phasedisparity(num_phase=4, num_disparity=4, measurement_prefix='DY')
    measure_dr_pref(num_phase=4, num_direction=4, num_speeds=2, measurement_prefix='DR')
    measure_sine_pref(num_phase=4, num_orientation=4, frequencies=[1.2, 2.4], measurement_prefix='SF')
    measure_position_pref(divisions=4)
    measure_corner_or_pref(divisions=3, num_orientation=4, measurement_prefix='Corner')
    measure_cog()
    measure_or_tuning_fullfield(num_phase=4, num_orientation=4, contrasts=[30, 90])
    measure_or_tuning(num_phase=4, num_orientation=4, contrasts=[30, 90], measurement_prefix='Unit')
    measure_size_response(num_phase=4, num_sizes=3, contrasts=[90])
    measure_contrast_response(num_phase=4, contrasts=[20, 80], relative_orientations=[0.0, 1.5708])
";

/// The maps and curves `DEF_EYES` writes for V1 (featuremapper's names).
const EYES_NAMES: &[&str] = &[
    "OrientationPreference",
    "OrientationSelectivity",
    "FrequencyPreference",
    "PhaseSelectivity",
    "ODOcularPreference",
    "ODOcularSelectivity",
    "DYPhasedisparityPreference",
    "DYPhasedisparitySelectivity",
    "DRDirectionPreference",
    "DRDirectionSelectivity",
    "DRSpeedPreference",
    "DRSpeedSelectivity",
    "SFFrequencyPreference",
    "SFFrequencySelectivity",
    "XPreference",
    "XSelectivity",
    "YPreference",
    "YSelectivity",
    "CornerOrientationPreference",
    "CornerXSelectivity",
    "XCoG.LeftAfferent",
    "YCoG.RightAfferent",
    "OrientationTuning",
    "UnitOrientationTuning",
    "SizeTuning",
    "ContrastTuning",
];

/// The presentations each command of `DEF_EYES` makes from its keyword
/// arguments (featuremapper: every combination of the feature values;
/// the curves: every inner combination at every curve value).
const EYES_PRESENTATIONS: &[(&str, usize)] = &[
    ("measure_or_pref", 4 * 4),
    ("measure_od_pref", 4 * 4 * 2),
    ("measure_phasedisparity", 4 * 4),
    ("measure_dr_pref", 2 * 4 * 4),
    ("measure_sine_pref", 2 * 4 * 4),
    ("measure_position_pref", 4 * 4),
    ("measure_corner_or_pref", 3 * 3 * 4),
    ("measure_or_tuning_fullfield", 4 * 4 * 2),
    ("measure_or_tuning", 4 * 4 * 2),
    ("measure_size_response", 4 * 3),
    ("measure_contrast_response", 4 * 2 * 2),
];

const DEF_HUE: &str = "def f():
    measure_hue_pref(num_phase=4, num_orientation=2, num_hue=6)
";

const HUE_NAMES: &[&str] = &["HuePreference", "HueSelectivity"];

const HUE_PRESENTATIONS: &[(&str, usize)] = &[("measure_hue_pref", 4 * 2 * 6)];

fn model(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/models")
        .join(name)
}

/// Runs `def` (defining `f`) then run_batch of `model` to t=4 with the
/// analysis at t=2 and 4, in `dir`, on `ranks` ranks (0: one process)
/// with `threads` threads per rank (the `-c` form sizes its pool from
/// SLURM_CPUS_PER_TASK); `in_model`: the def is appended to a copy of the
/// model file instead of given in `-c`. Returns the run folder.
fn run(
    dir: &Path,
    model: &Path,
    def: &str,
    ranks: usize,
    threads: usize,
    in_model: bool,
) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let text = std::fs::read_to_string(model).unwrap();
    let copy = dir.join(model.file_name().unwrap());
    let text = if in_model {
        format!("{text}\n{def}")
    } else {
        text
    };
    std::fs::write(&copy, text).unwrap();
    let batch = format!(
        "run_batch('{}', cortex_density=9, times=[2, 4], analysis_fn=f, timestamp='202601010000')",
        copy.display()
    );
    let mut c = run_mpi::command(BIN, ranks);
    c.current_dir(dir)
        .env("SLURM_CPUS_PER_TASK", threads.to_string())
        .arg("-a");
    if !in_model {
        c.args(["-c", def]);
    }
    let o = c
        .args(["-c", &batch])
        .output()
        .expect("cannot start topo-hpc");
    assert!(o.status.success(), "{}", run_mpi::text(&o));
    run_mpi::only_dir(&dir.join("Output"))
}

fn python(script: &str, args: &[&Path]) -> String {
    let o = Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .expect("python3");
    let t = run_mpi::text(&o);
    assert!(o.status.success(), "{t}");
    t
}

/// Every dataset under `prefix` of two files is bit-identical (equal,
/// NaN where the other is NaN): the same computation on the same state.
const IDENTICAL: &str = r#"
import h5py, sys, numpy as np
def arrays(path, prefix):
    out = {}
    def visit(n, o):
        if isinstance(o, h5py.Dataset) and n.startswith(prefix):
            out[n] = o[...]
    with h5py.File(path, 'r') as f:
        f.visititems(visit)
    return out
a, b = arrays(sys.argv[1], sys.argv[3]), arrays(sys.argv[2], sys.argv[3])
assert a and set(a) == set(b), sorted(set(a) ^ set(b))
for k in a:
    assert a[k].shape == b[k].shape and np.array_equal(a[k], b[k], equal_nan=True), k
print(len(a), 'datasets identical')
"#;

fn identical(a: &Path, b: &Path, prefix: &str) {
    let t = python(IDENTICAL, &[a, b, Path::new(prefix)]);
    assert!(t.contains("datasets identical"), "{t}");
}

/// Each of `names` is in V1's group at both analysis times, finite where
/// it is a map, and not constant zero everywhere.
fn has_maps(h5: &Path, names: &[&str]) {
    let script = r#"
import h5py, sys, numpy as np
f = h5py.File(sys.argv[1], 'r')
for t in ('000002.00', '000004.00'):
    g = f['analysis/%s/V1' % t]
    for n in sys.argv[2].split(','):
        assert n in g, (t, n, sorted(g))
        v = g[n][...]
        assert v.size and np.isfinite(v).all(), (t, n, v)
    print(t, 'ok')
"#;
    python(script, &[h5, Path::new(&names.join(","))]);
}

fn h5(run: &Path, model: &str) -> PathBuf {
    run.join(format!("202601010000_{model}.h5"))
}

/// One network, one analysis function: `-c` on 1 process with 1 and 2
/// threads and on 3 ranks, and the model-file def on 1 process, all
/// bit-identical; a run whose function measures nothing (the activity
/// plots only) ends in the same snapshot.
fn every_form_is_identical(
    model_file: &str,
    def: &str,
    names: &[&str],
    presentations: &[(&str, usize)],
) {
    let d = tempfile::tempdir().unwrap();
    let m = model(model_file);
    let stem = model_file.trim_end_matches(".ty");
    let one = run(&d.path().join("one"), &m, def, 0, 1, false);
    has_maps(&h5(&one, stem), names);
    let out = std::fs::read_to_string(one.join(format!("202601010000_{stem}.out"))).unwrap();
    for (command, n) in presentations {
        let line = format!("{command}: {n} presentations in");
        assert_eq!(out.matches(&line).count(), 2, "{line}\n{out}");
    }
    for (dir, ranks, threads, in_model) in [
        ("threads2", 0, 2, false),
        ("ranks3", 3, 1, false),
        ("model_def", 0, 1, true),
    ] {
        let other = run(&d.path().join(dir), &m, def, ranks, threads, in_model);
        identical(&h5(&one, stem), &h5(&other, stem), "analysis");
    }
    let plain = run(
        &d.path().join("plain"),
        &m,
        "def f():\n    save_plotgroup('Activity')\n",
        0,
        1,
        false,
    );
    // The model's spec in the snapshot holds the two functions; the
    // state is everything else.
    let snap = format!("202601010000_{stem}_000004.00.snapshot.h5");
    for part in ["sheets", "projections", "meta/state_json"] {
        identical(&one.join(&snap), &plain.join(&snap), part);
    }
}

#[test]
fn every_two_eye_measurement_is_identical_across_forms_ranks_threads_and_restores_state() {
    every_form_is_identical("binocular.ty", DEF_EYES, EYES_NAMES, EYES_PRESENTATIONS);
}

#[test]
fn hue_measurement_is_identical_across_forms_ranks_threads_and_restores_state() {
    every_form_is_identical("colour.ty", DEF_HUE, HUE_NAMES, HUE_PRESENTATIONS);
}

/// Decodes an 8-bit RGB PNG: its pixels.
fn pixels(path: &Path) -> Vec<[u8; 3]> {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let decoder = png::Decoder::new(std::io::BufReader::new(file));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(info.color_type, png::ColorType::Rgb, "{}", path.display());
    assert_eq!(info.bit_depth, png::BitDepth::Eight, "{}", path.display());
    buf.truncate(info.buffer_size());
    buf.chunks_exact(3).map(|p| [p[0], p[1], p[2]]).collect()
}

/// `topo-hpc run MODEL --analysis ANALYSIS` at t=1 on 2 ranks; then, for
/// each `(map, cyclic)`, V1's PNG exists and follows Topographica's
/// conventions (topo/plotting/plotgroup.py): a cyclic preference is a
/// 'Hue' plot at full saturation and value (so no pixel is gray), every
/// other map a 'Strength' plot (every pixel gray).
fn plots_in_topographicas_colours(model_file: &str, analysis: &str, maps: &[(&str, bool)]) {
    let d = tempfile::tempdir().unwrap();
    let o = run_mpi::command(BIN, 2)
        .current_dir(d.path())
        .arg("run")
        .arg(model(model_file))
        .args(["--times", "[1]", "--analysis", analysis, "--no-snapshot"])
        .output()
        .expect("cannot start topo-hpc");
    assert!(o.status.success(), "{}", run_mpi::text(&o));
    let run = run_mpi::only_dir(&d.path().join("Output"));
    let stem = model_file.trim_end_matches(".ty");
    let names: Vec<String> = std::fs::read_dir(&run)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    for (map, cyclic) in maps {
        let suffix = format!("_{stem}_000001.00_V1_{map}.png");
        let png = names
            .iter()
            .find(|n| n.ends_with(&suffix))
            .unwrap_or_else(|| panic!("{analysis}: no *{suffix} in {names:?}"));
        let px = pixels(&run.join(png));
        let gray = px.iter().filter(|p| p[0] == p[1] && p[1] == p[2]).count();
        if *cyclic {
            assert_eq!(gray, 0, "{png}: a cyclic preference is drawn as hue");
        } else {
            assert_eq!(gray, px.len(), "{png}: drawn as gray strength");
        }
    }
}

#[test]
fn analysis_names_plot_every_map_in_topographicas_colours() {
    plots_in_topographicas_colours(
        "binocular.ty",
        "sf_map,dr_map,position_map,corner_map,od_map,disparity_map,cog",
        &[
            // measure_od_pref: Ocular (0 left, 1 right) is not cyclic.
            ("OcularPreference", false),
            ("PhasedisparityPreference", true),
            ("PhasedisparitySelectivity", false),
            ("XCoG.LeftAfferent", false),
            // measure_sine_pref: Frequency, Orientation, Phase.
            ("FrequencyPreference", false),
            ("FrequencySelectivity", false),
            ("OrientationPreference", true),
            ("PhasePreference", true),
            // measure_dr_pref: Speed, Frequency, Direction, Phase, Orientation.
            ("SpeedPreference", false),
            ("DirectionPreference", true),
            ("DirectionSelectivity", false),
            // measure_position_pref: X, Y; measure_corner_or_pref adds an
            // Orientation over [0, 2π) (its maps overwrite the former).
            ("XPreference", false),
            ("YSelectivity", false),
        ],
    );
    plots_in_topographicas_colours(
        "colour.ty",
        "hue_map",
        &[
            ("HuePreference", true),
            ("HueSelectivity", false),
            ("OrientationPreference", true),
        ],
    );
}

/// Names of the files in a run folder.
fn files(run: &Path) -> Vec<String> {
    std::fs::read_dir(run)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

/// The tuning-curve plot groups by their `--analysis` names: the curves
/// of every unit in the file, a line plot (coloured lines on white) of
/// the unit at (0, 0) per curve, and the unit curves centred on the
/// preferences of the maps measured before them (position first: only
/// the orientation is missing, for size and contrast).
#[test]
fn analysis_names_measure_and_plot_tuning_curves() {
    let d = tempfile::tempdir().unwrap();
    let o = run_mpi::command(BIN, 2)
        .current_dir(d.path())
        .arg("run")
        .arg(model("binocular.ty"))
        .args(["--times", "[1]", "--no-snapshot", "--analysis"])
        .arg("position_map,or_tuning,size_tuning,contrast_response")
        .output()
        .expect("cannot start topo-hpc");
    assert!(o.status.success(), "{}", run_mpi::text(&o));
    let run = run_mpi::only_dir(&d.path().join("Output"));
    let names = files(&run);
    for curve in ["OrientationTuning", "SizeTuning", "ContrastTuning"] {
        let suffix = format!("_binocular_000001.00_V1_{curve}.png");
        let png = names
            .iter()
            .find(|n| n.ends_with(&suffix))
            .unwrap_or_else(|| panic!("no *{suffix} in {names:?}"));
        let px = pixels(&run.join(png));
        assert!(
            px.iter().any(|p| p[0] != p[1] || p[1] != p[2]),
            "{png}: no coloured curve"
        );
    }
    let h5 = names.iter().find(|n| n.ends_with(".h5")).unwrap();
    python(
        r#"
import h5py, sys, numpy as np
g = h5py.File(sys.argv[1], 'r')['analysis/000001.00/V1']
assert g['OrientationTuning'].shape == (4, 12, 6, 6), g['OrientationTuning'].shape
assert g['SizeTuning'].shape == (4, 11, 6, 6), g['SizeTuning'].shape
assert g['ContrastTuning'].shape == (4, 10, 6, 6), g['ContrastTuning'].shape
"#,
        &[&run.join(h5)],
    );
    let out = std::fs::read_to_string(run.join(h5.replace(".h5", ".out"))).unwrap();
    assert_eq!(
        out.matches("should be measured before plotting this tuning curve")
            .count(),
        2,
        "{out}"
    );
    assert!(!out.contains("XPreference should be measured"), "{out}");
}

/// A model's `topo.command.default_analysis_plotgroups` choose what
/// `run`'s default analysis measures: the groups it names (maps, curves,
/// activity), not the orientation-map group it leaves out, and a warning for a
/// group topo-hpc does not measure.
#[test]
fn default_analysis_measures_the_models_plot_groups() {
    let d = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(model("binocular.ty")).unwrap();
    let m = d.path().join("binocular.ty");
    std::fs::write(
        &m,
        format!(
            "{text}\nimport topo.command\ntopo.command.default_analysis_plotgroups = \
             ['Ocular Preference', 'Position Preference', 'Size Tuning', 'Activity', 'Retinotopy']\n"
        ),
    )
    .unwrap();
    let o = run_mpi::command(BIN, 0)
        .current_dir(d.path())
        .args(["run", "binocular.ty", "--times", "[1]", "--no-snapshot"])
        .output()
        .expect("cannot start topo-hpc");
    assert!(o.status.success(), "{}", run_mpi::text(&o));
    let run = run_mpi::only_dir(&d.path().join("Output"));
    let names = files(&run);
    for f in [
        "V1_OcularPreference.png",
        "V1_XPreference.png",
        "V1_SizeTuning.png",
        "LeftRetina_Activity.png",
    ] {
        assert!(
            names
                .iter()
                .any(|n| n.ends_with(&format!("_000001.00_{f}"))),
            "{f} not in {names:?}"
        );
    }
    assert!(
        !names.iter().any(|n| n.contains("Orientation_Preference")),
        "{names:?}"
    );
    let h5 = names.iter().find(|n| n.ends_with(".h5")).unwrap();
    python(
        r#"
import h5py, sys
g = h5py.File(sys.argv[1], 'r')['analysis/000001.00/V1']
for n in ('OcularPreference', 'XPreference', 'SizeTuning', 'activity'):
    assert n in g, (n, sorted(g))
# The 'Orientation Preference' group's pinwheel analysis is not run
# (measure_od_pref writes an OrientationPreference of its own).
assert 'pinwheel_count' not in g, sorted(g)
"#,
        &[&run.join(h5)],
    );
    let out = std::fs::read_to_string(run.join(h5.replace(".h5", ".out"))).unwrap();
    assert!(
        out.contains("plot group 'Retinotopy' is not one topo-hpc measures"),
        "{out}"
    );
}
