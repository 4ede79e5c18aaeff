"""Make the small stage/trace excerpts the dyn_/trace_ tests read.

Run from this folder: python3 dyn_extract.py /work/shared/reference
Arrays with more than LIMIT elements are replaced by a summary
{n, sum, abssum, first} (first: the first 32 values, row-major)."""
import json, os, sys

LIMIT = 256
ref = sys.argv[1]
MODELS = {"A_gcal": "gcal", "B_lissom_oo_or": "lissom_oo_or",
          "C_som_retinotopy": "som_retinotopy", "D_tiny": "tiny"}


def flat(a):
    out = []
    def rec(x):
        if isinstance(x, list):
            for y in x:
                rec(y)
        else:
            out.append(x)
    rec(a)
    return out


def arr(a):
    f = flat(a)
    if len(f) <= LIMIT:
        return f
    return {"n": len(f), "sum": sum(f), "abssum": sum(abs(v) for v in f), "first": f[:32]}


for folder, name in MODELS.items():
    d = os.path.join(ref, "stages", folder)
    ev = json.load(open(os.path.join(d, "events_t0_to_1.json")))
    entries = []
    for e in ev["entries"]:
        o = {"kind": e["kind"], "time": e["time_str"]}
        for k in ("sheet", "conn", "src", "dest", "activation_count"):
            if k in e:
                o[k] = e[k]
        if "activity" in e:
            o["activity"] = arr(e["activity"])
        if "projection_activity" in e:
            o["projection_activity"] = {k: arr(v) for k, v in e["projection_activity"].items()}
        if "weight_sums_after_learn" in e:
            o["weight_sums"] = {k: arr(v) for k, v in e["weight_sums_after_learn"].items()}
        entries.append(o)
    a1 = json.load(open(os.path.join(d, "after_t1.json")))
    after = {"activity": {k: arr(v) for k, v in a1["activity"].items()}, "weights": {}, "homeostatic": {}}
    for pk, pv in a1["weights"].items():
        after["weights"][pk] = {"sums": arr(pv["sums"]), "units": {
            un: {"row": u["row"], "col": u["col"], "weights": arr(u["weights"]),
                 "slice": u["slice(row_start,row_end,col_start,col_end)"]}
            for un, u in pv["units"].items()}}
    for sk, sv in (a1.get("homeostatic") or {}).items():
        of = sv["output_fns[0]"]
        after["homeostatic"][sk] = {"t": arr(of["t (thresholds)"]), "y_avg": arr(of["y_avg (smoothed average activity)"]),
                                    "x_prev": arr(of["_x_prev (activity recorded for the next periodic update)"])}
    tr = json.load(open(os.path.join(d, "trace.json")))
    trace = {}
    for t, tv in tr["trace"].items():
        trace[t] = {"activity": {k: arr(v) for k, v in tv["activity"].items()}}
        if "homeostatic_thresholds_t" in tv:
            trace[t]["thresholds"] = {k: arr(v) for k, v in tv["homeostatic_thresholds_t"].items()}
    wsums = {t: {k: arr(v) for k, v in w.items()} for t, w in tr.get("weight_sums", {}).items()}
    json.dump({"origin": "shared/reference/stages/%s (events_t0_to_1, after_t1, trace)" % folder,
               "events": entries, "after_t1": after, "trace": trace, "weight_sums": wsums},
              open("dyn_stage_%s.json" % name, "w"))
