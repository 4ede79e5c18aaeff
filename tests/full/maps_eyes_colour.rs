//! Map measurements that coordinate several inputs (featuremapper's
//! metaparams: `ocular2leftrightscale`, `phasedisparity2leftrightphase`,
//! `hue2rgbscale`) on our own small networks (tests/data/models), with
//! results derived by hand; and the comparison with the real
//! Topographica's phase-disparity, ocular-dominance and hue maps of
//! models/lissom.ty (tests/data/wave2), measured on our own texts of the
//! networks that file builds (tests/data/models/lissom_or_{dy,cr}.ty).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::run_mpi;

const BIN: &str = env!("CARGO_BIN_EXE_topo-hpc");

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

/// Runs `def` (defining `f`) then `run_batch(model, <params>, analysis_fn=f)`
/// in a fresh folder on `ranks` ranks; returns the run's HDF5 file.
fn run(dir: &Path, model: &Path, params: &str, def: &str, ranks: usize) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let batch = format!(
        "run_batch('{}', {params}, analysis_fn=f, timestamp='202601010000')",
        model.display()
    );
    let o = run_mpi::command(BIN, ranks)
        .current_dir(dir)
        .args(["-a", "-c", def, "-c", &batch])
        .output()
        .expect("cannot start topo-hpc");
    assert!(o.status.success(), "{}", run_mpi::text(&o));
    let run = run_mpi::only_dir(&dir.join("Output"));
    let name = model.file_stem().unwrap().to_string_lossy().into_owned();
    run.join(format!("202601010000_{name}.h5"))
}

/// Python check of the maps at `time` of V1: `expect` is a list of
/// `(map, value, cyclic range or 0)` every unit must have (to 1e-12 on
/// the circle: the sums involved are a handful of terms).
fn expect_uniform(h5: &Path, time: &str, expect: &[(&str, f64, f64)]) {
    let spec: Vec<String> = expect
        .iter()
        .map(|(n, v, r)| format!("('{n}', {v:?}, {r:?})"))
        .collect();
    let script = format!(
        r#"
import h5py, sys, numpy as np
g = h5py.File(sys.argv[1], 'r')['analysis/{time}/V1']
for name, value, cyclic in [{}]:
    got = g[name][...]
    d = got - value
    if cyclic:
        d = (d + cyclic / 2) % cyclic - cyclic / 2
    assert np.abs(d).max() < 1e-12, (name, value, got)
    print(name, 'OK')
"#,
        spec.join(", ")
    );
    let o = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(h5)
        .output()
        .expect("python3");
    assert!(o.status.success(), "{}", run_mpi::text(&o));
}

#[test]
fn one_eye_networks_prefer_that_eye() {
    let d = tempfile::tempdir().unwrap();
    let model = data().join("models/binocular.ty");
    let def = "def f():\n    measure_od_pref(num_phase=6)\n";
    // Only the left eye drives V1: every response comes at ocular 0 (left
    // scale 2, right 0), so the preference is 0 and the relative
    // selectivity of (r, 0) is 1 (times featuremapper's 17).
    let left = run(
        &d.path().join("left"),
        &model,
        "right_strength=0.0, times=[1]",
        def,
        0,
    );
    expect_uniform(
        &left,
        "000001.00",
        &[
            ("OcularPreference", 0.0, 0.0),
            ("OcularSelectivity", 17.0, 0.0),
        ],
    );
    let right = run(
        &d.path().join("right"),
        &model,
        "left_strength=0.0, times=[1]",
        def,
        2,
    );
    expect_uniform(
        &right,
        "000001.00",
        &[
            ("OcularPreference", 1.0, 0.0),
            ("OcularSelectivity", 17.0, 0.0),
        ],
    );
}

#[test]
fn one_colour_networks_prefer_that_hue() {
    let d = tempfile::tempdir().unwrap();
    let model = data().join("models/colour.ty");
    let def = "def f():\n    measure_hue_pref(num_phase=6, num_orientation=4, num_hue=6)\n";
    // colorsys.hsv_to_rgb(h, 1, 1) over h = k/6: red is 1 at h = 0, 1/6,
    // 5/6 and 0 elsewhere; green is 1 at 1/6, 2/6, 3/6. Equal peaks at
    // three neighbouring hues: the vector average is the middle one and
    // the selectivity |1 + 2 cos 60°| / 3 = 2/3 (times 17).
    let red = run(
        &d.path().join("red"),
        &model,
        "green_strength=0.0, blue_strength=0.0, times=[1]",
        def,
        0,
    );
    expect_uniform(
        &red,
        "000001.00",
        &[
            ("HuePreference", 0.0, 1.0),
            ("HueSelectivity", 17.0 * 2.0 / 3.0, 0.0),
        ],
    );
    let green = run(
        &d.path().join("green"),
        &model,
        "red_strength=0.0, blue_strength=0.0, times=[1]",
        def,
        3,
    );
    expect_uniform(
        &green,
        "000001.00",
        &[
            ("HuePreference", 1.0 / 3.0, 1.0),
            ("HueSelectivity", 17.0 * 2.0 / 3.0, 0.0),
        ],
    );
}

#[test]
fn phase_disparity_maps_are_identical_on_any_rank_count() {
    let d = tempfile::tempdir().unwrap();
    let model = data().join("models/binocular.ty");
    let def = "def f():\n    measure_phasedisparity(num_phase=6, num_disparity=6)\n";
    let one = run(&d.path().join("one"), &model, "times=[1]", def, 0);
    let four = run(&d.path().join("four"), &model, "times=[1]", def, 4);
    let script = r#"
import h5py, sys, numpy as np, math
a = h5py.File(sys.argv[1], 'r')['analysis/000001.00/V1']
b = h5py.File(sys.argv[2], 'r')['analysis/000001.00/V1']
# y/x are the sheet's coordinates (netCDF-4 dimension scales), not maps.
maps = lambda g: sorted(k for k in g if g[k].attrs.get('CLASS') != b'DIMENSION_SCALE')
assert maps(a) == maps(b) == ['FrequencyPreference', 'FrequencySelectivity', 'PhasePreference', 'PhaseSelectivity', 'PhasedisparityPreference', 'PhasedisparitySelectivity'], sorted(a)
for k in maps(a):
    assert np.array_equal(a[k][...], b[k][...]), k
p = a['PhasedisparityPreference'][...]
assert (p >= 0).all() and (p <= 2 * math.pi).all() and p.std() > 0, p
"#;
    let o = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&one)
        .arg(&four)
        .output()
        .expect("python3");
    assert!(o.status.success(), "{}", run_mpi::text(&o));
}

/// Compares the maps of a run with a wave-2 reference measurement
/// (`tests/data/wave2/*.json`): cyclic maps on the circle, all to 1e-6.
fn compare_wave2(h5: &Path, reference: &str, time: &str, prefixes: &[&str]) {
    let script = r#"
import h5py, json, sys, numpy as np
h5, ref, time = sys.argv[1], json.load(open(sys.argv[2])), sys.argv[3]
prefixes = sys.argv[4].split(',')
g = h5py.File(h5, 'r')['analysis/%s/V1' % time]
cyclic = {'Orientation': np.pi, 'Phase': 2 * np.pi, 'Phasedisparity': 2 * np.pi, 'Hue': 1.0}
bad = []
for prefix, m in zip(prefixes, ref['measurements']):
    for name, v in m['maps'].items():
        want, got = np.array(v['data']), g[prefix + name][...]
        d = got - want
        base = name.replace('Preference', '')
        if name.endswith('Preference') and base in cyclic:
            r = cyclic[base]
            d = (d + r / 2) % r - r / 2
        err = np.abs(d).max()
        print(m['command'], name, err)
        if not err <= 1e-6:
            bad.append((m['command'], name, err))
assert not bad, bad
"#;
    let o = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(h5)
        .arg(data().join("wave2").join(reference))
        .arg(time)
        .arg(prefixes.join(","))
        .output()
        .expect("python3");
    assert!(o.status.success(), "{}", run_mpi::text(&o));
}

/// The densities of the wave-2 measurements (`params` of
/// tests/data/wave2/maps_lissom_or_*.json).
const WAVE2_DENSITIES: &str = "cortex_density=8, retina_density=24, lgn_density=24";

/// tests/data/models/lissom_or_dy.ty (our own text of the network
/// models/lissom.ty builds with `dims=['or','dy']`, checked bit for bit by
/// `lissom_own_models`) trained 100 iterations, on one process and on 2
/// ranks: the phase-disparity and ocular-dominance maps of the real
/// Topographica to the issue's 1e-6 (the training is bit-identical; the
/// vector averages add the responses in another order than numpy, which
/// measured 4.2e-13 at most on the circle, 4e-15 on the selectivities).
#[test]
fn lissom_disparity_and_od_maps_match_topographica() {
    let d = tempfile::tempdir().unwrap();
    let def = "def f():
    measure_phasedisparity(num_phase=6, num_disparity=6, frequencies=[2.4])
    measure_od_pref(num_phase=6, num_orientation=4, frequencies=[2.4], measurement_prefix='OD')
";
    for ranks in [0, 2] {
        let h5 = run(
            &d.path().join(format!("r{ranks}")),
            &data().join("models/lissom_or_dy.ty"),
            &format!("{WAVE2_DENSITIES}, times=[100]"),
            def,
            ranks,
        );
        compare_wave2(&h5, "maps_lissom_or_dy.json", "000100.00", &["", "OD"]);
    }
}

/// tests/data/models/lissom_or_cr.ty (the network of models/lissom.ty's
/// `dims=['or','cr']`, which adds 'rg': three cone retinas, eight
/// colour-opponent LGN sheets) trained 50 iterations, on one process and
/// on 2 ranks: the real Topographica's hue map to 1e-6 (measured: 7.5e-14
/// at most, on the orientation preference).
#[test]
fn lissom_hue_map_matches_topographica() {
    let d = tempfile::tempdir().unwrap();
    let def = "def f():
    measure_hue_pref(num_phase=6, num_orientation=4, num_hue=6, frequencies=[2.4])
";
    for ranks in [0, 2] {
        let h5 = run(
            &d.path().join(format!("r{ranks}")),
            &data().join("models/lissom_or_cr.ty"),
            &format!("{WAVE2_DENSITIES}, times=[50]"),
            def,
            ranks,
        );
        compare_wave2(&h5, "maps_lissom_or_cr.json", "000050.00", &[""]);
    }
}

#[test]
fn analysis_names_measure_and_plot_their_maps() {
    let d = tempfile::tempdir().unwrap();
    let model = data().join("models/binocular.ty");
    let o = run_mpi::command(BIN, 2)
        .current_dir(d.path())
        .args([
            "run",
            model.to_str().unwrap(),
            "--times",
            "[1]",
            "--analysis",
            "od_map,disparity_map,cog",
        ])
        .output()
        .expect("cannot start topo-hpc");
    assert!(o.status.success(), "{}", run_mpi::text(&o));
    let run = run_mpi::only_dir(&d.path().join("Output"));
    let pngs: Vec<String> = std::fs::read_dir(&run)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".png"))
        .collect();
    for map in [
        "V1_OcularPreference",
        "V1_OcularSelectivity",
        "V1_PhasedisparityPreference",
        "V1_XCoG.LeftAfferent",
        "V1_YCoG.RightAfferent",
    ] {
        assert!(
            pngs.iter()
                .any(|p| p.ends_with(&format!("_000001.00_{map}.png"))),
            "{map}: {pngs:?}"
        );
    }
    let bad = run_mpi::command(BIN, 0)
        .current_dir(d.path())
        .args(["run", model.to_str().unwrap(), "--analysis", "od_mop"])
        .output()
        .unwrap();
    let t = run_mpi::text(&bad);
    assert!(
        !bad.status.success() && t.contains("od_mop") && t.contains("od_map"),
        "{t}"
    );
}
