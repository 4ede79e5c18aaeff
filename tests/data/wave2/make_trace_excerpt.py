#!/usr/bin/env python3
"""Excerpt of wave2/trace_gcal_od.json for tests/full/inputs_two_eyes.rs.

Usage: python3 make_trace_excerpt.py /work/shared/reference/wave2

Keeps description, params, record_times and, for every (time, sheet) of
`activity`, the shape and the offset of its values in
trace_gcal_od.f64.gz (gzip of little-endian float64, row-major, row 0 =
top), copied bit for bit.
"""
import gzip
import json
import struct
import sys
from pathlib import Path

src = Path(sys.argv[1]) / "trace_gcal_od.json"
d = json.load(open(src))
out = {k: d[k] for k in ("description", "model_file", "params", "commits", "protocol", "record_times")}
out["excerpt"] = "activity of wave2/trace_gcal_od.json, arrays in trace_gcal_od.f64.gz"
arrays = []
chunks = []
offset = 0
for time, sheets in d["activity"].items():
    for sheet, a in sheets.items():
        flat = [v for row in a for v in row]
        arrays.append({"time": time, "sheet": sheet, "rows": len(a), "cols": len(a[0]),
                       "offset": offset})
        chunks.append(struct.pack(f"<{len(flat)}d", *flat))
        offset += len(flat)
out["arrays"] = arrays
json.dump(out, open("trace_gcal_od.json", "w"), indent=1)
with gzip.GzipFile("trace_gcal_od.f64.gz", "wb", mtime=0) as f:
    f.write(b"".join(chunks))
