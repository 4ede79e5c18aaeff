# Reference preference/selectivity values from featuremapper b2ddf28's own
# Distribution and DSF_WeightedAverage code (featuremapper/distribution.py),
# run under Python 3 with a stub `param` module and list() around the
# Python-2 dict views.
# Usage: python3 gen_collation_reference.py path/to/distribution.py > collation_reference.json
import json, sys, types
import numpy as np

param = types.ModuleType("param")
class Parameterized(object):
    def __init__(self, **kw):
        for k, v in kw.items(): setattr(self, k, v)
    def debug(self, *a): pass
    def warning(self, *a): pass
param.Parameterized = Parameterized
param.NumericTuple = lambda default, **kw: default
param.Number = lambda default=None, **kw: default
sys.modules["param"] = param

src = open(sys.argv[1]).read()
src = src.replace("h.values()", "list(h.values())").replace("np.array(h.keys())", "np.array(list(h.keys()))")
src = src.replace("sum(d._data.values())", "sum(list(d._data.values()))")
src = src.replace("np.inner(self._data.keys(), self._data.values())", "np.inner(list(self._data.keys()), list(self._data.values()))")
mod = types.ModuleType("distribution")
exec(compile(src, "distribution.py", "exec"), mod.__dict__)

rng = np.random.RandomState(5)
orient = list(np.linspace(0, np.pi, 4, endpoint=False) % np.pi)
phase = list(np.linspace(0, 2 * np.pi, 18, endpoint=False) % (2 * np.pi))
freq = [2.4]
n_units = 20
# Responses of each unit to every presentation, in featuremapper's order
# (product of frequency, orientation, phase; phase fastest).
responses = rng.uniform(-0.2, 1.0, (len(freq) * len(orient) * len(phase), n_units))
responses[:, 0] = -0.5          # never responds
responses[:, 1] = 0.3           # untuned
dists = {name: [mod.Distribution(rng_, cyc, keep_peak=True) for _ in range(n_units)]
         for name, rng_, cyc in [("Frequency", (2.4, 2.4), False),
                                 ("Orientation", (0.0, np.pi), True),
                                 ("Phase", (0.0, 2 * np.pi), True)]}
i = 0
for f in freq:
    for o in orient:
        for p in phase:
            for u in range(n_units):
                dists["Frequency"][u].add({f: responses[i, u]})
                dists["Orientation"][u].add({o: responses[i, u]})
                dists["Phase"][u].add({p: responses[i, u]})
            i += 1
dsf = mod.DSF_WeightedAverage()
dsf.value_scale = (0.0, 1.0)
dsf.selectivity_scale = (0.0, 2.0)
out = {"description": "featuremapper b2ddf28 Distribution(keep_peak=True) + DSF_WeightedAverage "
       "(selectivity_scale (0, 2)) on random responses (numpy RandomState(5), uniform [-0.2, 1); "
       "unit 0 always -0.5, unit 1 always 0.3) to the 72 measure_or_pref presentations in order. "
       "'responses' is presentations x units.",
       "responses": responses.tolist(), "maps": {}}
for name, ds in dists.items():
    prefs, sels = [], []
    for d in ds:
        r = dsf(d)[""]
        prefs.append(float(r["preference"])); sels.append(float(r["selectivity"]))
    out["maps"][name] = {"preference": prefs, "selectivity": sels}
json.dump(out, sys.stdout)
