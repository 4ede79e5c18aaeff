#!/usr/bin/env python3
"""Convert Topographica's map-test data (topo/tests/data_maptests/*.data,
Python 2 pickles of topo.base.sheetview.SheetView objects written by
topo/tests/test_map_measurement.py:generate) into small JSON files for
topo-hpc's tests (tests/data/maptests/).

Usage: python3 scripts/convert_maptests.py TOPOGRAPHICA/topo/tests/data_maptests OUT_DIR

Only numpy is needed: every non-numpy class in the pickles is replaced by a
stub that keeps its pickled state, and gmpy.mpq timestamps become Fractions.
Output per file:
  {"source": <file name>, "topo_version": ..., "sheet": "V1",
   "maps": {ViewName: [[...row 0 = top...], ...]},
   "curves": {curve_name: {other_param_label: {str(value): [[...]]}}}}
"""
import json
import os
import pickle
import sys
from fractions import Fraction

import numpy as np


class Stub:
    def __init__(self, *args, **kwargs):
        self.__dict__["_args"] = args

    def __setstate__(self, state):
        self.__dict__["_state"] = state

    def state(self):
        s = self.__dict__.get("_state")
        return s if isinstance(s, dict) else {}


class Unpickler(pickle.Unpickler):
    def find_class(self, module, name):
        renames = {"copy_reg": "copyreg", "__builtin__": "builtins"}
        module = renames.get(module, module)
        if module.startswith("numpy") or module in ("copyreg", "builtins"):
            if module == "numpy.core.multiarray" and hasattr(np, "_core"):
                module = "numpy._core.multiarray"
            return super().find_class(module, name)
        if (module, name) == ("gmpy", "mpq"):
            return lambda s: Fraction(s.decode() if isinstance(s, bytes) else s)
        return type(name, (Stub,), {"__module__": module})


def sheetview_array(view):
    """The array of a SheetView: older pickles keep it in _view_list as
    (array, bounds), newer ones as `data` (SheetView.view()[0] either way)."""
    state = view.state()
    views = state.get("_view_list", [])
    if views:
        assert len(views) == 1, f"expected one view, got {len(views)}"
        array = views[0][0]
    else:
        array = state["data"]
    array = np.asarray(array, dtype=float)
    return array.tolist()


def convert(path):
    with open(path, "rb") as f:
        version, views = Unpickler(f, encoding="latin1").load()
    (sheet, content), = views.items()
    out = {
        "source": os.path.basename(path),
        "topo_version": list(version) if isinstance(version, tuple) else version,
        "sheet": sheet,
        "maps": {},
        "curves": {},
    }
    for name, view in content.get("sheet_views", {}).items():
        out["maps"][name] = sheetview_array(view)
    for curve, by_param in content.get("curve_dict", {}).items():
        out["curves"][curve] = {
            label: {repr(float(v)): sheetview_array(view) for v, view in sorted(vals.items())}
            for label, vals in by_param.items()
        }
    return out


def main():
    src, dst = sys.argv[1], sys.argv[2]
    os.makedirs(dst, exist_ok=True)
    for name in sorted(os.listdir(src)):
        if not name.endswith(".data"):
            continue
        data = convert(os.path.join(src, name))
        target = os.path.join(dst, name[: -len(".data")] + ".json")
        with open(target, "w") as f:
            json.dump(data, f, indent=1)
        print(target, sorted(data["maps"]), {k: sorted(v) for k, v in data["curves"].items()})


if __name__ == "__main__":
    main()
