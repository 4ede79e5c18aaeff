//! The run file and its snapshots read the netCDF-4 way: xarray with the
//! h5netcdf engine sees labelled arrays whose `y`/`x` coordinates are the
//! sheet coordinates of the unit centres (checked against the model's own
//! geometry, `topo_sim::sheet_coords`), one-element results on a `time`
//! dimension, and the README's recipe stacks every time into one dataset.
//! Written by 2 ranks, so the dimension-scale calls are collective.

use std::path::Path;
use std::process::Command;

use crate::run_mpi;

const BIN: &str = env!("CARGO_BIN_EXE_topo-hpc");

/// Python with xarray and h5netcdf (scripts/setup.sh installs them); without
/// them the test is skipped with a message, unless CI is set.
fn python_has_xarray() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import xarray, h5netcdf"])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but python3 cannot import xarray and h5netcdf (scripts/setup.sh installs them)"
        );
        eprintln!("SKIPPED: python3 cannot import xarray and h5netcdf; run scripts/setup.sh");
    }
    ok
}

fn axes_json(model: &Path, params: &[(String, String)]) -> String {
    let spec = topo_lang::load_model(model, params).unwrap();
    let mut m = serde_json::Map::new();
    for s in &spec.sheets {
        let c = topo_sim::sheet_coords(s).unwrap();
        m.insert(
            s.name.clone(),
            serde_json::json!({"y": c.y_centres(), "x": c.x_centres()}),
        );
    }
    serde_json::Value::Object(m).to_string()
}

const SCRIPT: &str = r#"
import json, sys
import h5py, numpy as np, xarray as xr
path, snap, axes = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
v1 = axes["V1"]
ds = xr.open_dataset(path, group="analysis/000003.00/V1", engine="h5netcdf")
act = ds["activity"]
assert act.dims == ("y", "x"), act.dims
# Coordinates are exactly the sheet's unit centres (both sides compute
# them the same way and store f64: no tolerance needed).
assert np.array_equal(ds["y"].values, np.array(v1["y"])), (ds["y"].values, v1["y"])
assert np.array_equal(ds["x"].values, np.array(v1["x"])), (ds["x"].values, v1["x"])
assert ds["y"].values[0] > ds["y"].values[-1], "row 0 must be the top"
assert ds["y"].attrs["units"] == "sheet unit" and "long_name" in ds["x"].attrs
assert act.attrs["long_name"] == "activity"
# The labelled array is the same data h5py reads.
with h5py.File(path, "r") as f:
    raw = f["analysis/000003.00/V1/activity"][...]
assert np.array_equal(act.values, raw)
assert ds["mean_activity"].dims == ("time",)
assert float(ds["time"].values[0]) == 3.0
assert np.isclose(float(ds["mean_activity"].values[0]), raw.mean(), rtol=1e-12, atol=0)
# A labelled selection: the unit nearest the sheet centre.
centre = act.sel(x=0.0, y=0.0, method="nearest")
assert centre.shape == ()

# The README's recipe: every analysis time as one dataset along `time`.
with h5py.File(path, "r") as f:
    times = sorted(f["analysis"])
run = xr.concat(
    [xr.open_dataset(path, group=f"analysis/{t}/V1", engine="h5netcdf") for t in times],
    dim="time",
    data_vars="all",
)
assert list(run["time"].values) == [1.0, 3.0], run["time"].values
assert run["activity"].dims == ("time", "y", "x"), run["activity"].dims
assert run["activity"].shape == (2, len(v1["y"]), len(v1["x"]))

# Retina too: its own geometry.
r = xr.open_dataset(path, group="analysis/000001.00/Retina", engine="h5netcdf")
assert np.array_equal(r["x"].values, np.array(axes["Retina"]["x"]))

# The snapshot's weights: unit and CF-offset dimensions.
s = xr.open_dataset(snap, group="projections/V1.Afferent", engine="h5netcdf")
w = s["weights"]
assert w.dims == ("y", "x", "cf_offset"), w.dims
assert np.array_equal(s["y"].values, np.array(v1["y"]))
assert s["slices"].dims == ("y", "x", "slice_bound")
sh = xr.open_dataset(snap, group="sheets/Retina", engine="h5netcdf")
assert sh["activity"].dims == ("y", "x")
# open_datatree reads the whole snapshot (every group labelled).
tree = xr.open_datatree(snap, engine="h5netcdf")
assert "weights" in tree["projections/V1.Afferent"].dataset
print("xarray ok", run["activity"].shape)
"#;

#[test]
fn xarray_reads_labelled_sheets_and_times() {
    if !python_has_xarray() {
        return;
    }
    let w = run_mpi::workdir_with_example("tiny.ty");
    let o = run_mpi::command(BIN, 2)
        .current_dir(w.path())
        .args([
            "run",
            "examples/tiny.ty",
            "-p",
            "cortex_density=6",
            "--times",
            "1,3",
            "--timestamp",
            "202601010000",
            "--analysis",
            "activity",
            "--output-path",
            "out",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", run_mpi::text(&o));
    let dir = run_mpi::only_dir(&w.path().join("out"));
    let axes = axes_json(
        &w.path().join("examples/tiny.ty"),
        &[("cortex_density".into(), "6".into())],
    );
    let py = Command::new("python3")
        .arg("-c")
        .arg(SCRIPT)
        .arg(dir.join("202601010000_tiny.h5"))
        .arg(dir.join("202601010000_tiny_000003.00.snapshot.h5"))
        .arg(axes)
        .output()
        .unwrap();
    assert!(py.status.success(), "{}", run_mpi::text(&py));
}
