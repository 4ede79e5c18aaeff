"""Reading back the pinwheel runs of benches/pinwheels.sh and
benches/natural_images.sh (made by benches/pinwheel_runs.sh's train_once),
so both reports read the same numbers the same way and print the same
per-run table.

read_run(d) -> None (not finished), {"error": ...}, or
  {"rows": [...], "wall": s, "load": uptime line, "params": run parameters,
   "png": last V1 orientation-preference PNG or None}
  with one row per analysis time: time, count, kmax, uph, density, metric,
  note, shape (from the run's HDF5 /analysis/<time>/V1/* and, for the fit
  metric, its .out).
run_table(w, rows): the per-run markdown table, one line per w() call.
"""
import glob
import os
import re

import h5py


def read_run(d):
    if not os.path.exists(os.path.join(d, "done")):
        return None
    h5s = [p for p in glob.glob(os.path.join(d, "out", "*", "*.h5")) if "snapshot" not in p]
    outs = glob.glob(os.path.join(d, "out", "*", "*.out"))
    if len(h5s) != 1 or len(outs) != 1:
        return {"error": f"expected one .h5 and one .out in {d}/out"}
    # The .out prints one pinwheel line per analysis time, in time order.
    lines = [l for l in open(outs[0]) if re.match(r"V1: \d+ pinwheels", l)]
    rows = []
    with h5py.File(h5s[0], "r") as f:
        params = f.attrs.get("parameters", "")
        times = sorted(f["analysis"].keys(), key=float)
        for i, t in enumerate(times):
            g = f["analysis"][t]["V1"]
            line = lines[i] if i < len(lines) else ""
            m = re.search(r"\(metric ([0-9.eE+-]+)\)", line)
            rows.append({
                "time": float(t),
                "count": int(g["pinwheel_count"][0]),
                "kmax": float(g["kmax"][0]),
                "uph": float(g["units_per_hypercolumn"][0]),
                "density": float(g["pinwheel_density"][0]),
                "metric": float(m.group(1)) if m else float("nan"),
                "note": "ring fit failed" if "ring fit failed" in line else "",
                "shape": tuple(g["OrientationPreference"].shape) if "OrientationPreference" in g else None,
            })
    pngs = sorted(glob.glob(os.path.join(d, "out", "*", "*_V1_Orientation_Preference.png")))
    wall = open(os.path.join(d, "wall_s")).read().strip()
    load = open(os.path.join(d, "load")).read().strip()
    return {"rows": rows, "wall": float(wall), "load": load, "params": params,
            "png": pngs[-1] if pngs else None}


def run_table(w, rows):
    w("| iteration | pinwheels | kmax | units/hypercolumn | density /hc² | fit metric | note |")
    w("|---:|---:|---:|---:|---:|---:|---|")
    for x in rows:
        w(f"| {x['time']:.0f} | {x['count']} | {x['kmax']:.3f} | {x['uph']:.2f} | {x['density']:.3f} | "
          f"{x['metric']:.3f} | {x['note']} |")
