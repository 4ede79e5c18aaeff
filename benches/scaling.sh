#!/usr/bin/env bash
# The scaling study (issue 15): strong scaling at a fixed density, weak
# scaling at fixed units per rank, measured with `topo-hpc run` under mpirun
# and predicted by `topo-hpc plan`; plus plan-only series to many ranks.
# Writes benches/results/scaling.csv (columns: benches/scaling_csv.py, the
# same as jobscripts/scaling.sbatch), benches/results/scaling.md and
# benches/results/scaling_efficiency.png (`topo-hpc scaling-plot`).
#
# Usage: benches/scaling.sh [--ranks "1 2 4 8"] [--iterations 5]
#          [--density 48] [--threads 1] [--plan-ranks "1 4 ... 16384"]
#          [--plan-density 98] [--plan-areas "1.5 15 150"] [--no-measure]
#          [--machine FILE] [--model examples/gcal.ty]
# Strong: the model at --density on every rank count. Weak: density
# D*sqrt(R) on R ranks (a sheet's units grow with density squared), so the
# units per rank stay fixed. The plan-only series plan the model at
# --plan-density for every area in --plan-areas (the model's `area`
# parameter) on --plan-ranks ranks (strong scaling). More ranks than cores
# show correctness, not speed. Run on a quiet machine. With --no-measure
# only the plan-only series are made; the measured rows of an existing
# benches/results/scaling.csv are kept.
set -euo pipefail
cd "$(dirname "$0")/.."
ranks="1 2 4 8"
iters=5
density=48
threads=1
plan_ranks="1 4 16 64 256 1024 4096 16384"
plan_density=98
plan_areas="1.5 15"
measure=1
machine=""
model=examples/gcal.ty
while [ $# -gt 0 ]; do
    case "$1" in
    --ranks) ranks=$2; shift 2 ;;
    --iterations) iters=$2; shift 2 ;;
    --density) density=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --plan-ranks) plan_ranks=$2; shift 2 ;;
    --plan-density) plan_density=$2; shift 2 ;;
    --plan-areas) plan_areas=$2; shift 2 ;;
    --no-measure) measure=0; shift ;;
    --machine) machine="--machine $2"; shift 2 ;;
    --model) model=$2; shift 2 ;;
    *) echo "scaling.sh: unknown option $1" >&2; exit 2 ;;
    esac
done

export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_pml=ob1 OMPI_MCA_btl=self,vader OMPI_MCA_rmaps_base_oversubscribe=1
cargo build --release --bin topo-hpc >&2
bin=$PWD/target/release/topo-hpc
out=benches/results
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
runs=$work/runs.tsv
: >"$runs"

# plan MODE LABEL RANKS DENSITY [PARAMS...]: the plan's JSON file
plan() {
    local f=$work/plan_$1_$2_$3_$4.json
    "$bin" plan "$model" -p cortex_density="$4" "${@:5}" --ranks "$3" --threads "$threads" \
        $machine --json >"$f"
    echo "$f"
}

if [ "$measure" = 1 ]; then
    for mode in strong weak; do
        for r in $ranks; do
            if [ "$mode" = weak ]; then
                d=$(python3 -c "print(round($density * $r ** 0.5))")
            else
                d=$density
            fi
            root=$work/run_${mode}_$r
            mkdir -p "$root"
            mpirun --bind-to none -n "$r" "$bin" run "$model" -p cortex_density="$d" \
                --times "0,$iters" --analysis none --no-snapshot --no-progress \
                --threads "$threads" --output-path "$root" >&2
            timing=$(ls "$root"/*/*.timing.json)
            echo "$mode $r ranks density $d: $(python3 -c "import json;t=json.load(open('$timing'))['per_rank'];print(max(x['train_s'] for x in t)/$iters, 's/iteration')")" >&2
            if [ "$mode" = weak ]; then label="d=${density}*sqrt(R)"; else label="d=$density"; fi
            printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$mode" "$label" "$r" "$threads" "$d" \
                "$timing" "$(plan "$mode" m "$r" "$d")" >>"$runs"
        done
    done
fi
# gcal.ty draws num_inputs*area^2 Gaussians per presentation in a
# model-file loop: 45000 of them at area 150 (100x Stevens et al.'s area).
for area in $plan_areas; do
    for r in $plan_ranks; do
        f=$(plan strong "a$area" "$r" "$plan_density" -p area="$area")
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' strong "planned area=$area d=$plan_density" "$r" "$threads" \
            "$plan_density" - "$f" >>"$runs"
    done
done

python3 benches/scaling_csv.py "$runs" >"$work/scaling.csv"
if [ "$measure" = 0 ] && [ -f "$out/scaling.csv" ]; then
    # Plan-only: keep the measured rows of the last full run.
    python3 - "$out/scaling.csv" "$work/scaling.csv" >"$work/merged.csv" <<'PY'
import csv, sys
old = list(csv.DictReader(open(sys.argv[1])))
new = csv.DictReader(open(sys.argv[2]))
w = csv.DictWriter(sys.stdout, fieldnames=new.fieldnames, lineterminator="\n")
w.writeheader()
w.writerows(r for r in old if not r["label"].startswith("planned"))
w.writerows(new)
PY
    mv "$work/merged.csv" "$work/scaling.csv"
fi
cp "$work/scaling.csv" "$out/scaling.csv"
"$bin" scaling-plot "$out/scaling.csv" --out "$out/scaling_efficiency.png" \
    --title "GCAL parallel efficiency: measured and planned"
python3 - "$out/scaling.csv" >"$out/scaling.md" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
cols = ["mode", "label", "ranks", "threads", "density", "units_per_rank", "setup_s",
        "iteration_s", "compute_s_max", "exchange_s_max", "wait_s_max",
        "predicted_iteration_s", "efficiency", "predicted_efficiency"]
print("# Scaling study (benches/scaling.sh)\n")
print("| " + " | ".join(cols) + " |")
print("|" + "---|" * len(cols))
for r in rows:
    print("| " + " | ".join(r[c] for c in cols) + " |")
PY
cat "$out/scaling.md"
