#!/usr/bin/env python3
"""Decodes one of Topographica's regression files
(topo/tests/data_traintests/<model>.ty_DATA: a Python 2 pickle of a dict
with run_for, args, look_at and one numpy array per time, keyed by a gmpy
mpq) into the JSON shape of tests/data/traintests/*.json. numpy only.

    scripts/convert_traintest.py PATH/TO/<model>.ty_DATA > tests/data/traintests/<model>.json
"""
import json
import os
import pickle
import sys


def mpq(s, *rest):
    # the time keys are gmpy rationals written from their decimal string
    return ("time", s.decode() if isinstance(s, bytes) else s)


class Unpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) == ("gmpy", "mpq"):
            return mpq
        return super().find_class(module, name)


def main(path):
    with open(path, "rb") as f:
        d = Unpickler(f, encoding="latin1").load()
    model = os.path.basename(path)[: -len("_DATA")]
    out = {
        "source": "ioam/topographica topo/tests/data_traintests/%s_DATA (pickle decoded to JSON for topo-hpc)" % model,
        "model": model,
        "args": d.get("args", {}),
        "run_for": d["run_for"],
        "look_at": d["look_at"],
        "versions": str(d.get("versions")),
        "activity": {k[1]: v.tolist() for k, v in d.items() if isinstance(k, tuple)},
    }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
