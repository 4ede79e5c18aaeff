#!/usr/bin/env python3
"""A stand-in for `topo-hpc run`, for the sweep and job-script tests only.

It accepts the arguments the sweep launcher and the job scripts give
`topo-hpc run` and produces what a real run leaves behind: the run_batch
folder <output>/<timestamp>_<script>[_<tag>][,name=value...] (names sorted,
values as Python's str()), <simname>.out whose first line is the command,
and <simname>.h5 with scalars under /analysis/<time>/ (V1/mean_activity as
a dataset, V1 attribute pinwheel_density). The values are a fixed function
of the parameters and the time, so collated tables can be checked exactly.

Test controls (environment):
  FAKE_FAIL_PARAM=name=value  exit 1 (after creating the folder) when the
                              run has that parameter value; a file
                              `fake-fail` next to the model file, holding
                              name=value, does the same (per test folder).
  FAKE_STEP_SECONDS=s         sleep s per time unit (to be interrupted).
  a file `fake-checkpoint` next to the model, holding name=value: a run with
                              that value checkpoints half way (exit 3) unless
                              it was restored.
On SIGUSR1/SIGTERM it writes <simname>_<t>.snapshot.h5 (attribute `time`) at
the next step and exits 3 ("checkpointed"); `--restore FILE` continues from
it. A finished run also leaves a final snapshot, as `topo-hpc run` does.
"""
import ast, os, signal, sys, time

args = sys.argv[1:]
if not args or args[0] != "run":
    sys.exit("fake-topo-hpc: only `run` is supported")
args = args[1:]
model, params, opts = None, {}, {}
i = 0
while i < len(args):
    a = args[i]
    if a in ("-p", "--param"):
        k, v = args[i + 1].split("=", 1)
        try:
            params[k] = ast.literal_eval(v)
        except Exception:
            params[k] = v
        i += 2
    elif a == "--no-progress":
        i += 1
    elif a.startswith("--"):
        opts[a[2:]] = args[i + 1]
        i += 2
    else:
        model = a
        i += 1
if model is None or not os.path.isfile(model):
    sys.exit("fake-topo-hpc: model file %r not found" % model)

script = os.path.basename(model)[:-3] if model.endswith(".ty") else os.path.basename(model)
stamp = opts.get("timestamp") or time.strftime("%Y%m%d%H%M")
simname = stamp + "_" + script + ("_" + opts["tag"] if opts.get("tag") else "")
folder = simname + "".join(",%s=%s" % (k, params[k]) for k in sorted(params))
out_root = opts.get("output-path", "Output")
run_dir = os.path.join(out_root, folder)
os.makedirs(run_dir, exist_ok=True)
times = [float(t) for t in opts.get("times", "1,5").strip("[]").split(",") if t.strip()]

with open(os.path.join(run_dir, simname + ".out"), "a") as out:
    out.write(" ".join(sys.argv) + "\n")
    fail = os.environ.get("FAKE_FAIL_PARAM")
    fail_file = os.path.join(os.path.dirname(os.path.abspath(model)), "fake-fail")
    if not fail and os.path.isfile(fail_file):
        fail = open(fail_file).read().strip()
    if fail:
        k, v = fail.split("=", 1)
        if k in params and str(params[k]) == v:
            out.write("fake failure for %s\n" % fail)
            print("fake failure for %s" % fail, file=sys.stderr)
            sys.exit(1)

    stop = {"flag": False, "at": None}
    def on_signal(signum, frame):
        stop["flag"] = True
    signal.signal(signal.SIGUSR1, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    import h5py

    def snapshot(t):
        snap = os.path.join(run_dir, "%s_%09.2f.snapshot.h5" % (simname, t))
        with h5py.File(snap + ".tmp", "w") as f:
            f.attrs["time"] = float(t)
        os.rename(snap + ".tmp", snap)
        return snap

    t = 0
    if opts.get("restore"):
        with h5py.File(opts["restore"], "r") as f:
            t = int(f.attrs["time"])
        out.write("restored at %d\n" % t)
    ck_file = os.path.join(os.path.dirname(os.path.abspath(model)), "fake-checkpoint")
    if not opts.get("restore") and os.path.isfile(ck_file):
        k, v = open(ck_file).read().strip().split("=", 1)
        if k in params and str(params[k]) == v:
            stop["at"] = int(max(times)) // 2
    step = float(os.environ.get("FAKE_STEP_SECONDS", "0"))
    end = int(max(times))
    while t < end:
        if stop["flag"] or stop["at"] == t:
            out.write("checkpointed at %d into %s\n" % (t, snapshot(t)))
            sys.exit(3)
        if step:
            time.sleep(step)
        t += 1

    snapshot(end)
    num = sum(float(v) for v in params.values() if isinstance(v, (int, float)))
    with h5py.File(os.path.join(run_dir, simname + ".h5"), "w") as f:
        for tt in times:
            g = f.create_group("analysis/%09.2f/V1" % tt)
            g.create_dataset("mean_activity", data=num * 10.0 + tt)
            g.attrs["pinwheel_density"] = num + tt / 100.0
    out.write("done at %d\n" % end)
