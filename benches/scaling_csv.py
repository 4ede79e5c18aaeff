#!/usr/bin/env python3
"""The scaling study's CSV from its runs (shared by benches/scaling.sh and
jobscripts/scaling.sbatch, so both write the same columns).

Usage: scaling_csv.py RUNS.tsv > scaling.csv

RUNS.tsv has one line per point: mode label ranks threads density
TIMING_JSON PLAN_JSON, tab separated; TIMING_JSON is a run's
<simname>.timing.json (written by `topo-hpc run`) or '-' for a point that is
only planned; PLAN_JSON is `topo-hpc plan --json` for the same model,
parameters, ranks and threads.

Columns:
  mode                 strong (fixed density) or weak (fixed units per rank)
  label                the series (model parameters that are not the density)
  ranks, threads, density
  units_per_rank       mean units of all sheets per rank (plan)
  setup_s              network construction, slowest rank
  iteration_s          training seconds per iteration, slowest rank
  compute_s_max, compute_s_mean   per iteration: time outside exchanges
  exchange_s_max       per iteration: packing/copying/unpacking halos
  wait_s_max           per iteration: waiting in MPI_Waitall and collectives
  predicted_iteration_s           the planner's prediction
  efficiency           measured parallel efficiency against the series' first
                       point: strong T1*R1/(T*R), weak T1/T
  predicted_efficiency the same from the predicted times
"""
import csv
import json
import sys

COLUMNS = [
    "mode", "label", "ranks", "threads", "density", "units_per_rank", "setup_s",
    "iteration_s", "compute_s_max", "compute_s_mean", "exchange_s_max",
    "wait_s_max", "predicted_iteration_s", "efficiency", "predicted_efficiency",
]


def main(path):
    rows = []
    with open(path) as f:
        for line in f:
            if not line.strip():
                continue
            mode, label, ranks, threads, density, timing, plan = line.rstrip("\n").split("\t")
            with open(plan) as pf:
                p = json.load(pf)
            row = {
                "mode": mode, "label": label, "ranks": int(ranks), "threads": int(threads),
                "density": density,
                "units_per_rank": round(p["units_per_rank"]["mean"], 1),
                "predicted_iteration_s": p["predicted"]["seconds_per_iteration"],
            }
            if timing != "-":
                with open(timing) as tf:
                    t = json.load(tf)["per_rank"]
                it = max(r["iterations"] for r in t) or 1.0
                row.update({
                    "setup_s": max(r["setup_s"] for r in t),
                    "iteration_s": max(r["train_s"] for r in t) / it,
                    "compute_s_max": max(r["compute_s"] for r in t) / it,
                    "compute_s_mean": sum(r["compute_s"] for r in t) / len(t) / it,
                    "exchange_s_max": max(r["exchange_s"] for r in t) / it,
                    "wait_s_max": max(r["wait_s"] for r in t) / it,
                })
            rows.append(row)
    base = {}
    for r in rows:
        key = (r["mode"], r["label"], r["density"] if r["mode"] == "strong" else "")
        b = base.setdefault(key, r)
        for val, eff in (("iteration_s", "efficiency"), ("predicted_iteration_s", "predicted_efficiency")):
            if r.get(val) and b.get(val):
                work = r["ranks"] * r["threads"] / (b["ranks"] * b["threads"])
                scale = work if r["mode"] == "strong" else r["threads"] / b["threads"]
                r[eff] = b[val] / (scale * r[val])
    w = csv.DictWriter(sys.stdout, COLUMNS, lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: (f"{v:.6g}" if isinstance(v, float) else v) for k, v in r.items()})


if __name__ == "__main__":
    main(sys.argv[1])
