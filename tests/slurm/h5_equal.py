#!/usr/bin/env python3
"""Compare the results files (*.h5, not snapshots) of two run folders:
same objects, same attributes, datasets bit-identical. Exit 1 on the first
difference, saying where."""
import glob, os, sys
import h5py, numpy as np

def results(folder):
    files = [f for f in glob.glob(os.path.join(folder, "*.h5")) if "snapshot" not in os.path.basename(f)]
    if len(files) != 1:
        sys.exit("%s: expected one results .h5, found %s" % (folder, files))
    return files[0]

def walk(f):
    out = {}
    def visit(name, obj):
        attrs = {k: np.asarray(v) for k, v in obj.attrs.items()
                 if k not in ("created", "command", "wall_seconds")}
        data = np.asarray(obj[()]) if isinstance(obj, h5py.Dataset) else None
        out[name] = (attrs, data)
    f.visititems(visit)
    return out

a, b = results(sys.argv[1]), results(sys.argv[2])
with h5py.File(a, "r") as fa, h5py.File(b, "r") as fb:
    wa, wb = walk(fa), walk(fb)
if sorted(wa) != sorted(wb):
    sys.exit("different objects: %s" % sorted(set(wa) ^ set(wb)))
for k in wa:
    (aa, da), (ab, db) = wa[k], wb[k]
    if sorted(aa) != sorted(ab):
        sys.exit("%s: different attributes" % k)
    for n in aa:
        if aa[n].tobytes() != ab[n].tobytes():
            sys.exit("%s@%s differs" % (k, n))
    if (da is None) != (db is None) or (da is not None and (da.dtype != db.dtype or da.tobytes() != db.tobytes())):
        sys.exit("%s differs" % k)
print("equal: %d objects" % len(wa))
