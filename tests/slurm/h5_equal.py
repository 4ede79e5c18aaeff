#!/usr/bin/env python3
"""Compare two run folders' outputs bit for bit: the results file
(<simname>.h5, not a snapshot) and, when both folders have snapshots, the
final one (latest time in its name; the whole simulation state). Objects,
attributes and dataset bytes must match; attributes that record when or
where a file was written (created, host, wall time) are ignored. Exit 1 at
the first difference, saying where."""
import glob, os, re, sys
import h5py, numpy as np

IGNORED_ATTRS = {"created", "command", "wall_seconds", "host"}

def results(folder):
    files = [f for f in glob.glob(os.path.join(folder, "*.h5")) if "snapshot" not in os.path.basename(f)]
    if len(files) != 1:
        sys.exit("%s: expected one results .h5, found %s" % (folder, files))
    return files[0]

def final_snapshot(folder):
    def when(p):
        m = re.search(r"_([0-9.]+)\.snapshot\.h5$", p)
        return float(m.group(1)) if m else -1.0
    snaps = sorted(glob.glob(os.path.join(folder, "*snapshot*.h5")), key=when)
    return snaps[-1] if snaps else None

def resolve(f, v):
    """An attribute value with its HDF5 object references (the dimension
    scales' DIMENSION_LIST / REFERENCE_LIST) replaced by the names they
    point to: references are file addresses, which differ between equal
    files."""
    if isinstance(v, h5py.Reference):
        return f[v].name if v else None
    if isinstance(v, np.void):
        return tuple(resolve(f, x) for x in v)
    if isinstance(v, np.ndarray) and (v.dtype == object or v.dtype.fields):
        return [resolve(f, x) for x in v]
    if isinstance(v, (list, tuple)):
        return [resolve(f, x) for x in v]
    return np.asarray(v).tolist() if isinstance(v, np.ndarray) else v

def attr_bytes(f, v):
    a = np.asarray(v)
    if a.dtype == object or a.dtype.fields:
        return repr(resolve(f, v)).encode()
    return a.tobytes()

def walk(path):
    out = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            attrs = {k: attr_bytes(f, v) for k, v in obj.attrs.items() if k not in IGNORED_ATTRS}
            data = np.asarray(obj[()]) if isinstance(obj, h5py.Dataset) else None
            out[name] = (attrs, data)
        visit("/", f)
        f.visititems(visit)
    return out

def compare(a, b):
    wa, wb = walk(a), walk(b)
    if sorted(wa) != sorted(wb):
        sys.exit("%s vs %s: different objects: %s" % (a, b, sorted(set(wa) ^ set(wb))))
    for k in wa:
        (aa, da), (ab, db) = wa[k], wb[k]
        if sorted(aa) != sorted(ab):
            sys.exit("%s: %s has different attributes" % (a, k))
        for n in aa:
            if aa[n] != ab[n]:
                sys.exit("%s: %s@%s differs" % (a, k, n))
        if (da is None) != (db is None) or (da is not None and (da.dtype != db.dtype or da.tobytes() != db.tobytes())):
            sys.exit("%s: %s differs" % (a, k))
    return len(wa)

n = compare(results(sys.argv[1]), results(sys.argv[2]))
sa, sb = final_snapshot(sys.argv[1]), final_snapshot(sys.argv[2])
if (sa is None) != (sb is None):
    sys.exit("only one folder has snapshots: %s %s" % (sa, sb))
if sa is not None:
    if os.path.basename(sa) != os.path.basename(sb):
        sys.exit("final snapshots at different times: %s %s" % (sa, sb))
    n += compare(sa, sb)
print("equal: %d objects" % n)
