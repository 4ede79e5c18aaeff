#!/usr/bin/env python3
"""Make the wave-2 reference excerpts the pattern tests read.

Usage: python3 make_excerpts.py /work/shared/reference/wave2

For fileimage.json and motion.json: every record is kept, without its
`data` array; the arrays (identical ones stored once) go, as little-endian
float64 in row-major order, into <name>.f64.gz. Each record gets
`array_offset` and `array_len` (in float64 units) into that file. The
values are copied bit for bit.
"""
import gzip
import json
import struct
import sys
from pathlib import Path


def split(src, name):
    d = json.load(open(src / f"{name}.json"))
    blobs = {}
    chunks = []
    offset = 0
    for r in d["records"]:
        flat = [v for row in r.pop("data") for v in row]
        raw = struct.pack(f"<{len(flat)}d", *flat)
        if raw not in blobs:
            blobs[raw] = offset
            chunks.append(raw)
            offset += len(flat)
        r["array_offset"] = blobs[raw]
        r["array_len"] = len(flat)
    d["excerpt"] = (
        f"wave2/{name}.json with each record's data moved to {name}.f64.gz "
        "(see make_excerpts.py)"
    )
    with open(f"{name}.json", "w") as f:
        json.dump(d, f, indent=1)
    with gzip.GzipFile(f"{name}.f64.gz", "wb", mtime=0) as f:
        f.write(b"".join(chunks))


if __name__ == "__main__":
    src = Path(sys.argv[1])
    for name in ("fileimage", "motion"):
        split(src, name)
