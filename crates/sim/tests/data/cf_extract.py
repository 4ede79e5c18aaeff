#!/usr/bin/env python3
"""Extract the connection-field excerpts the cf_* tests compare against.

Run from the repository root:
    python3 crates/sim/tests/data/cf_extract.py /work/shared/reference/stages
Writes crates/sim/tests/data/cf_<folder>.json (see README.md).
"""
import json
import os
import sys

SRC = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/reference/stages"
OUT = os.path.dirname(os.path.abspath(__file__))
MODELS = ["A_gcal", "B_lissom_oo_or", "C_som_retinotopy", "D_tiny"]


def key(d, prefix):
    return next(v for k, v in d.items() if k.startswith(prefix))


for m in MODELS:
    g = json.load(open(os.path.join(SRC, m, "geometry.json")))
    w = json.load(open(os.path.join(SRC, m, "weights_t0.json")))
    # Creation order of the projections (the order they consume the shared
    # random stream); JSON objects do not keep order in every reader.
    out = {"model": g["model"], "params": g["params"], "sheets": {}, "projections": {},
           "projection_order": list(g["projections"].keys())}
    for name, s in g["sheets"].items():
        out["sheets"][name] = {
            "class": s["class"],
            "nominal_bounds_lbrt": s["nominal_bounds_lbrt"],
            "nominal_density": s["nominal_density"],
            "true_bounds_lbrt": s["true_bounds_lbrt"],
            "xdensity": s["xdensity"],
            "shape": s["shape"],
        }
    for pk, p in g["projections"].items():
        q = {
            "src": p["src"], "dest": p["dest"], "name": p["name"], "class": p["class"],
            "weights_generator": p["weights_generator"], "cf_shape": p["cf_shape"],
            "weights_output_fns": p["weights_output_fns"], "dest_port": p["dest_port"],
            "nominal_bounds_template_lbrt": p["nominal_bounds_template_lbrt"],
            "bounds_template_lbrt": p["bounds_template_lbrt"],
            "slice_template": key(p, "slice_template"),
            "mask_template": p["mask_template"],
            "n_units": key(p, "n_units"),
            "cf_slices": key(p, "cf_slices"),
            "units": {u: {"row": v["row"], "col": v["col"], "slice": v["slice"], "mask": v["mask"]}
                      for u, v in p["units"].items()},
        }
        for stage in ["after_construction", "after_start"]:
            ws = w[stage][pk]
            # 10 significant digits are plenty for the 1e-6 relative checks.
            e = {"sums": [[float("%.10g" % x) for x in row] for row in ws["sums"]]}
            if "shared_kernel" in ws:
                e["shared_kernel"] = ws["shared_kernel"]
            if "units" in ws:
                e["units"] = {u: {"row": v["row"], "col": v["col"], "weights": v["weights"],
                                  "slice": key(v, "slice")} for u, v in ws["units"].items()}
            q[stage] = e
        out["projections"][pk] = q
    for q in out["projections"].values():
        # Shared-weight projections have no-op output fns, so start() leaves
        # them unchanged: keep one copy of their per-unit sums.
        a, b = q["after_construction"], q["after_start"]
        if "shared_kernel" in a and a == b:
            q["after_start"] = "same_as_after_construction"
        # A unit's rows depend only on its dest row and its columns only on
        # its dest column; store them that way after checking every unit.
        sl = q.pop("cf_slices")
        q["cf_row_ranges"] = [row[0][0:2] for row in sl]
        q["cf_col_ranges"] = [s[2:4] for s in sl[0]]
        for r, row in enumerate(sl):
            for c, s in enumerate(row):
                assert s == q["cf_row_ranges"][r] + q["cf_col_ranges"][c], (m, r, c)
    text = json.dumps(out, separators=(",", ":"))
    with open(os.path.join(OUT, "cf_%s.json" % m), "w") as f:
        f.write(text)
