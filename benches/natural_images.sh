#!/usr/bin/env bash
# GCAL trained on natural images: Topographica's own
# models/stevens.jn13/gcal.ty (Stevens et al. 2013) with
# `-p dataset='Nature'` (Shouval's 25 monochrome images,
# images/shouval/combined01..25.png, one FileImage per image under a
# Selector) beside the same file with its default dataset='Gaussian', both
# at the file's default density (cortex_density 49) and trained to 10000
# iterations; the orientation map (featuremapper's measure_or_pref) and
# the pinwheel density (pinwheels per hypercolumn area, as
# benches/pinwheels.sh reports) at each analysis time.
#
# The model file and its images are Topographica's and are not part of
# topo-hpc: the script runs them from a local Topographica checkout.
#
#   TOPOGRAPHICA_REPO=~/topographica benches/natural_images.sh          run, then report
#   TOPOGRAPHICA_REPO=~/topographica benches/natural_images.sh report   only the report
#
# Environment:
#   TOPOGRAPHICA_REPO  a Topographica checkout (required): the model is
#                      $TOPOGRAPHICA_REPO/models/stevens.jn13/gcal.ty, and
#                      the checkout is put on $TOPO_HPC_PATH so that the
#                      file's param.resolve_path("images/shouval/...")
#                      finds $TOPOGRAPHICA_REPO/images
#   DATASETS  datasets to run, default "Nature Gaussian"
#   SEEDS     the model's input_seed values (its input streams; the
#             weights' streams stay param.random_seed's), default "102"
#             (the file's default)
#   TIMES     analysis times, default "0,2000,5000,10000"
#   THREADS   rayon threads of each run, default 1
#   BIN       topo-hpc binary, default target/release/topo-hpc (copied once
#             into RUNS so a rebuild during the runs cannot change it)
#   RUNS      where the runs go, default /tmp/topo-nature
#   REPORT    the report, default benches/results/natural_images.md; the
#             final orientation map of each dataset at the first seed is
#             copied beside it as natural_images_<dataset>_or.png
#   EXTRA     extra `topo-hpc run` options (e.g. "-p cortex_density=20")
#
# Runs are one at a time (each a single process); a run that finished
# (RUNS/<dataset>-seed<S>/done) is not run again.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
DATASETS=${DATASETS:-"Nature Gaussian"}
SEEDS=${SEEDS:-"102"}
TIMES=${TIMES:-"0,2000,5000,10000"}
THREADS=${THREADS:-1}
BIN=${BIN:-target/release/topo-hpc}
RUNS=${RUNS:-/tmp/topo-nature}
REPORT=${REPORT:-benches/results/natural_images.md}
EXTRA=${EXTRA:-}
mode=${1:-run}

mkdir -p "$RUNS" "$(dirname "$REPORT")"
# keep_binary, train_once: the steps benches/pinwheels.sh shares.
. benches/pinwheel_runs.sh

if [ "$mode" = run ]; then
    : "${TOPOGRAPHICA_REPO:?set TOPOGRAPHICA_REPO to a Topographica checkout}"
    repo=$(cd "$TOPOGRAPHICA_REPO" && pwd)
    model="$repo/models/stevens.jn13/gcal.ty"
    [ -f "$model" ] || { echo "no $model" >&2; exit 2; }
    [ -d "$repo/images/shouval" ] || { echo "no $repo/images/shouval" >&2; exit 2; }
    keep_binary "$RUNS" "$BIN" crates src
    for s in $SEEDS; do
    for ds in $DATASETS; do
        d="$RUNS/$ds-seed$s"
        # shellcheck disable=SC2086
        train_once "$ds seed $s" "$d" \
            env TOPO_HPC_PATH="$repo${TOPO_HPC_PATH:+:$TOPO_HPC_PATH}" \
            "$RUNS/topo-hpc" run "$model" -p "dataset='$ds'" -p "input_seed=$s" --times "$TIMES" \
            --analysis or_map,pinwheels --threads "$THREADS" --no-progress \
            --output-path "$d/out" $EXTRA
    done
    done
    exit 0
fi

[ "$mode" = report ] || { echo "usage: $0 [run|report]" >&2; exit 2; }

RUNS="$RUNS" DATASETS="$DATASETS" SEEDS="$SEEDS" REPORT="$REPORT" EXTRA="$EXTRA" PYTHONPATH="$here/benches" python3 - <<'EOF'
import glob, json, math, os, re, shutil, statistics
from pinwheel_runs import read_run, run_table

runs, report = os.environ["RUNS"], os.environ["REPORT"]
datasets = os.environ["DATASETS"].split()
seeds = os.environ["SEEDS"].split()

def one(ds, seed):
    r = read_run(os.path.join(runs, f"{ds}-seed{seed}"))
    if r is not None:
        r.update(ds=ds, seed=seed)
    return r

res = [r for r in (one(ds, s) for ds in datasets for s in seeds) if r is not None]
commit = " ".join(open(os.path.join(runs, "commit")).read().split()) if os.path.exists(os.path.join(runs, "commit")) else "?"
out = []
w = out.append
w("# GCAL on natural images beside GCAL on Gaussians\n")
w("Made by `benches/natural_images.sh` (needs a Topographica checkout in")
w("`TOPOGRAPHICA_REPO`; rerun it to refresh or extend). Numbers are read from each run's")
w("HDF5 `/analysis/<time>/V1/*` and, for the fit metric, its `.out`.\n")
extra = os.environ.get("EXTRA", "").strip()
w("- Model: Topographica's `models/stevens.jn13/gcal.ty` (Stevens et al. 2013), run unchanged by topo-hpc with "
  "`-p dataset='Nature'` (a `Selector` over 25 `FileImage`s of `images/shouval/combined01..25.png`, "
  "size 10, random position in ±0.75 and random orientation) or its default `dataset='Gaussian'` "
  "(two elongated Gaussians per iteration)" + (f", with `{extra}`" if extra else "") +
  "; `-p input_seed=S` sets the input streams' seed (the file's default is 102); every other parameter at the "
  "file's defaults (cortex_density 49, retina/LGN density 24, 1.0×1.0 V1 area).")
w("- Analysis: `--analysis or_map,pinwheels` (featuremapper's measure_or_pref; pinwheels counted on the map, "
  "hypercolumn size from the Kaschube fit of the map's power spectrum; density = pinwheels per hypercolumn², "
  "the number benches/pinwheels.sh reports; the fit metric says how well the fit describes the spectrum, "
  "1 = perfectly).")
w(f"- Binary: topo-hpc at commit {commit}; one process, `--threads 1`, runs one after another on the shared 2-core machine.\n")
copied = set()
for r in res:
    title = f"## dataset='{r['ds']}', input_seed {r['seed']}\n"
    if "error" in r:
        w(f"{title}\n{r['error']}\n")
        continue
    w(title)
    shape = r["rows"][-1]["shape"] if r["rows"] else ("?", "?")
    w(f"V1 {shape[0]}×{shape[1]} units. Wall time {r['wall']:.0f} s for training, analysis at every time, "
      f"PNGs and the final snapshot (load at the end: `{r['load'].split('load average:')[-1].strip()}`).\n")
    run_table(w, r["rows"])
    w("")
    if r["png"] and r["ds"] not in copied:
        copied.add(r["ds"])
        name = f"natural_images_{r['ds']}_or.png"
        shutil.copy(r["png"], os.path.join(os.path.dirname(report), name))
        t = re.search(r"_(\d+\.\d+)_V1_", os.path.basename(r["png"])).group(1)
        w(f"Orientation map at iteration {float(t):.0f} (preference as hue, Topographica's colour convention):\n")
        w(f"![{r['ds']} orientation map]({name})\n")
ok = [r for r in res if "error" not in r and r["rows"]]
if ok:
    w("## Side by side (final iteration)\n")
    w("| dataset | runs | iteration | pinwheels mean | units/hypercolumn mean | density /hc² mean ± sd | min | max | fit metric mean |")
    w("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for ds in datasets:
        xs = [r["rows"][-1] for r in ok if r["ds"] == ds]
        if not xs:
            continue
        ds_ = [x["density"] for x in xs]
        sd = f" ± {statistics.stdev(ds_):.3f}" if len(ds_) > 1 else ""
        w(f"| {ds} | {len(xs)} | {xs[0]['time']:.0f} | {statistics.mean(x['count'] for x in xs):.1f} | "
          f"{statistics.mean(x['uph'] for x in xs):.2f} | {statistics.mean(ds_):.3f}{sd} | {min(ds_):.3f} | "
          f"{max(ds_):.3f} | {statistics.mean(x['metric'] for x in xs):.3f} |")
    w("")
w("## Notes\n")
w("- The Gaussian runs are the same model file at the same density and iterations with only `dataset` "
  "changed, so the two columns differ in the training input alone. They agree with "
  "benches/results/pinwheels.md (examples/gcal.ty, density 47, ten weight seeds: 3.239 ± 0.296 at 10000).")
w("- There is no Topographica reference of a Nature-trained run (wave 2 traced stevens.jn13 with "
  "Gaussians only), so these numbers are topo-hpc's, not a fidelity check. What is checked: the FileImage "
  "renders of the Shouval images against imagen's to 1.3e-15 (crates/pattern/tests/integration/file_image.rs) "
  "and the training patterns ModelGCAL's datasets build (crates/lang/tests/integration/gcal_dataset.rs).")
w("- A low fit metric means the Kaschube function does not describe the map's power spectrum well "
  "(for the Nature maps it is 0.25-0.76 at 10000 iterations), so their hypercolumn size, "
  "and with it the density, is less certain than the Gaussian runs'.\n")
open(report, "w").write("\n".join(out) + "\n")
print(f"wrote {report}")
EOF
