"""Independent reference for topo-hpc's measure_rfs on rf_linear.ty.

Regenerates the noise as imagen d451081 draws it and accumulates the
receptive fields with featuremapper b2ddf28's formula, computing the
network's responses directly (no topo-hpc code):

* imagen.random.UniformRandom with time_dependent=False draws from the
  class-level numpy RandomState(seed=(500, 500)) shared by every
  RandomGenerator: `uniform(offset, offset + scale, shape)` in row-major
  order, one call per input sheet per presentation; nothing rewinds it
  (Topographica's state_push/state_pop do not save it).
* measure_rfs's static scale/offset (default 30, 0.5) are set on the
  pattern; ReverseCorrelation._update adds response * input per unit;
  _compute_roi picks rows floor((t - y_top) * density) .. and columns
  floor((x - l) * density) .. of the region (half-open).
* rf_linear.ty: V1 unit (r, c) responds with sum(Retina[r:r+3, c:c+3])
  (3x3 CFs of weight 1, no output function).

Cases (written to rf_linear_reference.json):
* "defaults_t1", "defaults_t2": run_batch(times=[1, 2]) calling
  measure_rfs(presentations=5) at each time, Gaussian training input (no
  shared draws): t=2 continues the stream where t=1 left it.
* "roi": measure_rfs(presentations=4, roi=(-0.25, -0.05, 0.25, 0.25),
  scale=2.0, offset=0.1) at t=1.
* "noise_t1", "noise_t2", "noise_retina_t2": noise_input=True, same
  calls as the defaults case: each training step draws one Retina
  (35 values) too, so the stream interleaves training and measurement;
  the Retina activity at t=2 is the training draw made at t=1.05.

Run: python3 rf_linear_reference.py  (numpy only).
"""

import json
import numpy as np

RET = (5, 7)      # Retina rows, cols (density 5 over 1.4 x 1.0)
V1 = (3, 5)       # V1 rows, cols (density 5 over 1.0 x 0.6)
V1_LT = (-0.5, 0.3)
DENSITY = 5.0


def v1_response(retina):
    out = np.zeros(V1)
    for r in range(V1[0]):
        for c in range(V1[1]):
            out[r, c] = retina[r:r + 3, c:c + 3].sum()
    return out


def roi_units(roi):
    if roi == (0, 0, 0, 0):
        return range(V1[0]), range(V1[1])
    l, b, r, t = roi
    r0 = int(np.floor((V1_LT[1] - b) * DENSITY))
    r1 = int(np.floor((V1_LT[1] - t) * DENSITY))
    c0 = int(np.floor((l - V1_LT[0]) * DENSITY))
    c1 = int(np.floor((r - V1_LT[0]) * DENSITY))
    return range(r1, r0), range(c0, c1)


def measure(rng, presentations, scale=30.0, offset=0.5, roi=(0, 0, 0, 0)):
    rows, cols = roi_units(roi)
    acc = np.zeros((len(rows), len(cols)) + RET)
    for _ in range(presentations):
        retina = rng.uniform(offset, offset + scale, RET)
        out = v1_response(retina)
        for i, ii in enumerate(rows):
            for j, jj in enumerate(cols):
                acc[i, j] += out[ii, jj] * retina
    return acc


def shared():
    return np.random.RandomState(seed=(500, 500))


def main():
    res = {}
    rng = shared()
    res["defaults_t1"] = measure(rng, 5).tolist()
    res["defaults_t2"] = measure(rng, 5).tolist()
    res["roi"] = measure(shared(), 4, scale=2.0, offset=0.1,
                         roi=(-0.25, -0.05, 0.25, 0.25)).tolist()
    rng = shared()
    rng.uniform(0.0, 1.0, RET)           # training draw at t=0.05
    res["noise_t1"] = measure(rng, 5).tolist()
    retina_t2 = rng.uniform(0.0, 1.0, RET)  # training draw at t=1.05
    res["noise_retina_t2"] = retina_t2.tolist()
    res["noise_t2"] = measure(rng, 5).tolist()
    with open("rf_linear_reference.json", "w") as f:
        json.dump(res, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
