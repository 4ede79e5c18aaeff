#!/usr/bin/env python3
"""Fits the costs of crates/sim/src/push_choice.rs to the `csv,` lines of
`cargo bench --bench push_choice` (its stdout), per cost regime (the
projection's per-target weights within the 32 MB L3 or not):

    push_ns = push_term * terms_pushed + push_source * nonzero + push_unit * units
    pull_ns = pull_term * terms_pulled + pull_row * cf_rows + pull_touched * terms_touched

by least squares on relative errors (each point weighted by 1 / its
measured time, so fast and slow deliveries count alike), non-negative
(a cost fitted below zero is fixed at zero and the rest refitted), on the
one-thread times. Prints the costs and, per point, measured and modelled
times and whether the model picks the faster path.

Usage: python3 benches/push_choice_fit.py run1.csv run2.csv ... (the least
time of each point over the runs: the one a loaded machine disturbed
least), or the lines on stdin.
"""
import sys

import numpy as np

CACHE_BYTES = 32 << 20


def nnls(a, b):
    """Least squares with the negative coefficients fixed at zero."""
    free = list(range(a.shape[1]))
    while True:
        x, *_ = np.linalg.lstsq(a[:, free], b, rcond=None)
        if (x >= 0).all():
            out = np.zeros(a.shape[1])
            out[free] = x
            return out
        free = [f for f, v in zip(free, x) if v >= 0]


def read(lines, counts, times):
    """Adds the `csv,` lines: counts by point, and each point's least
    push and pull time per thread count over all runs. Lines of an older
    format without `terms_touched` (10 fields before the times) give
    only times."""
    for line in lines:
        if not line.startswith("csv,"):
            continue
        f = line.strip().split(",")
        key = (int(f[1]), f[2], f[3])
        n = 11 if (len(f) - 11) % 3 == 0 else 10
        if n == 11:
            counts[key] = (int(f[4]), int(f[5]), *map(float, f[6:10]), int(f[10]))
        for k in range(n, len(f), 3):
            t, push, pull = int(f[k]), float(f[k + 1]), float(f[k + 2])
            old = times.setdefault(key, {}).get(t, (float("inf"), float("inf")))
            times[key][t] = (min(old[0], push), min(old[1], pull))


def main():
    counts, times = {}, {}
    files = sys.argv[1:]
    if files:
        for path in files:
            with open(path) as f:
                read(f, counts, times)
    else:
        read(sys.stdin, counts, times)
    rows = [(*key, *c[:6], c[6], times[key]) for key, c in counts.items()]
    for regime, keep in (("IN_CACHE", lambda r: r[9] <= CACHE_BYTES),
                         ("FROM_MEMORY", lambda r: r[9] > CACHE_BYTES)):
        pts = [r for r in rows if keep(r) and 1 in r[10]]
        if not pts:
            continue
        tp = np.array([r[10][1][0] for r in pts])
        tl = np.array([r[10][1][1] for r in pts])
        a_push = np.array([[r[5], r[4], r[3]] for r in pts])
        a_pull = np.array([[r[6], r[7], r[8]] for r in pts])
        cp = nnls(a_push / tp[:, None], np.ones(len(pts)))
        cl = nnls(a_pull / tl[:, None], np.ones(len(pts)))
        print(f"{regime}: push_term {cp[0]:.3f}, push_source {cp[1]:.1f}, "
              f"push_unit {cp[2]:.2f}; pull_term {cl[0]:.3f}, pull_row {cl[1]:.2f}, "
              f"pull_touched {cl[2]:.2f} (ns), {len(pts)} points")
        mp, ml = a_push @ cp, a_pull @ cl
        right = 0
        for r, p, l, x, y in zip(pts, mp, ml, tp, tl):
            ok = (p <= l) == (x <= y)
            right += ok
            print(f"  d{r[0]} {r[1]:<18} {r[2]:<16} push {x/1e6:8.3f} ms (model {p/1e6:8.3f}), "
                  f"pull {y/1e6:8.3f} ms (model {l/1e6:8.3f}){'' if ok else '  <- wrong side'}")
        print(f"  model picks the measured faster path in {right} of {len(pts)}")


if __name__ == "__main__":
    main()
