#!/usr/bin/env bash
# Strong-scaling efficiency of 2 ranks against 1 (issue 15), on a quiet
# machine: E = t(1 rank) / (2 * t(2 ranks)) per GCAL iteration, 1 thread per
# rank, the default decomposition (src/balance.rs; TOPO_HPC_SPLIT overrides).
# Runs are interleaved (1 rank, 2 ranks, next density, ...) and repeated so
# that a burst of other load disturbs both sides alike; the summary takes the
# median per side. The ranks print their own lines concurrently, so the
# summary line is picked out wherever it starts.
#
# Usage: benches/two_rank_efficiency.sh [REPS] [DENSITY:ITERATIONS ...] >raw.txt
#   default: 5 repetitions of 96:100 and 192:30 (enough iterations that the
#   per-source copies, built lazily in the first iterations, do not dominate)
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-5}
shift || true
cases=("$@")
[ ${#cases[@]} -gt 0 ] || cases=(96:100 192:30)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_pml=ob1 OMPI_MCA_btl=self,vader OMPI_MCA_rmaps_base_oversubscribe=1
cargo build --release --example par_model_check >&2
raw=$(mktemp)
trap 'rm -f "$raw"' EXIT
for rep in $(seq "$reps"); do
    for c in "${cases[@]}"; do
        d=${c%%:*} t=${c##*:}
        for n in 1 2; do
            echo "== rep=$rep d=$d n=$n T=$t load=$(cut -d' ' -f1 /proc/loadavg) $(date -u +%T)" | tee -a "$raw"
            mpirun --bind-to none -n "$n" target/release/examples/par_model_check \
                examples/gcal.ty -p "cortex_density=$d" --times "$t" --bench --threads 1 2>&1 |
                { grep -oE 'bench ranks=.*' || true; } | tee -a "$raw"
        done
    done
done
python3 - "$raw" <<'PY'
import re, statistics, sys
runs = {}
key = None
for line in open(sys.argv[1]):
    m = re.match(r"== rep=(\d+) d=(\d+) n=(\d+)", line)
    if m:
        key = (int(m[2]), int(m[3]))
        continue
    m = re.search(r"s_per_iteration=([\d.]+)", line)
    if m:
        runs.setdefault(key, []).append(float(m[1]))
print()
print("| density | runs | s/iteration 1 rank (median) | s/iteration 2 ranks (median) | efficiency | per-run efficiencies |")
print("|---|---|---|---|---|---|")
for d in sorted({k[0] for k in runs}):
    one, two = runs[(d, 1)], runs[(d, 2)]
    e = statistics.median(one) / (2 * statistics.median(two))
    per = ", ".join(f"{a / (2 * b):.2f}" for a, b in zip(one, two))
    print(f"| {d} | {len(one)} | {statistics.median(one):.4f} | {statistics.median(two):.4f} | {e:.2f} | {per} |")
PY
