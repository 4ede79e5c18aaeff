#!/usr/bin/env bash
# Real runs of GCAL (issue 14) on the cores of one node, split three ways:
# one rank with T threads (`topo-hpc run --threads T`), the same with the
# workers kept awake (`TOPO_HPC_KEEP_AWAKE=1`), and T ranks of one thread
# each (`mpirun -n T topo-hpc run --threads 1`). Alternated, ROUNDS times,
# at cortex_density 48 and 142 (override with DENSITIES="48:2,12:2,1002 ...",
# density:short-times:long-times).
#
# Per case the steady time per iteration is (train(long) - train(short)) /
# (iterations(long) - iterations(short)), train_s being the slowest rank's
# (the first iterations include the lazy build of the per-source copies).
# For the ranks the long run's per-rank split of train_s (timing.json:
# compute_s, exchange_s = starting exchanges, wait_s = waiting for them)
# is printed per iteration too. A summary of medians per case ends the
# output.
#
# Usage: benches/realrun_ranks.sh BINARY [ROUNDS] [T] >raw.txt
# Needs mpirun (OpenMPI: run as root needs OMPI_ALLOW_RUN_AS_ROOT=1 and
# OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1). Only meaningful on an idle machine:
# ranks that poll for messages on oversubscribed cores slow down by
# 10-20x, far more than threads do.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(realpath "$1") rounds=${2:-3} t=${3:-2}
read -r -a cases <<<"${DENSITIES:-48:2,12:2,1002 142:2,4:2,24}"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# mode density times -> "train_s iterations compute_s exchange_s wait_s"
# (the slowest rank's train_s; the others of rank 0)
train() {
    local dir="$out/r$RANDOM$RANDOM" launch=("$bin") threads=$t
    case $1 in
    awake) export TOPO_HPC_KEEP_AWAKE=1 ;;
    ranks) launch=(mpirun --bind-to none -n "$t" "$bin") threads=1 ;;
    esac
    "${launch[@]}" run examples/gcal_class.ty -p "cortex_density=$2" --times "$3" \
        --analysis none --no-snapshot --threads "$threads" --no-progress \
        --output-path "$dir" >/dev/null 2>&1
    unset TOPO_HPC_KEEP_AWAKE
    python3 - "$dir" <<'EOF'
import glob, json, sys
ranks = json.load(open(glob.glob(sys.argv[1] + "/*/*timing.json")[0]))["per_rank"]
r0 = ranks[0]
print(max(r["train_s"] for r in ranks), r0["iterations"],
      r0.get("compute_s", 0), r0.get("exchange_s", 0), r0.get("wait_s", 0))
EOF
    rm -rf "$dir"
}
echo "# benches/realrun_ranks.sh $bin rounds=$rounds T=$t, $(date -u +%FT%TZ), $(nproc) cores"
for round in $(seq "$rounds"); do
    for c in "${cases[@]}"; do
        IFS=: read -r d short long <<<"$c"
        for mode in threads awake ranks; do
            read -r ts is _ < <(train "$mode" "$d" "$short")
            read -r tl il cl el wl < <(train "$mode" "$d" "$long")
            python3 -c "
ts, is_, tl, il, cl, el, wl = $ts, $is, $tl, $il, $cl, $el, $wl
print('round $round d$d $mode: steady %.3f ms/it; long run %.3f ms/it = compute %.3f + exchange %.3f + wait %.3f (rank 0) (load %s)'
      % (1e3 * (tl - ts) / (il - is_), 1e3 * tl / il, 1e3 * cl / il, 1e3 * el / il, 1e3 * wl / il, '$(cut -d' ' -f1 /proc/loadavg)'))"
        done
    done
done | tee "$out/raw"
python3 - "$out/raw" <<'EOF'
import re, statistics, sys
cases = {}
for line in open(sys.argv[1]):
    m = re.match(r"round \d+ (d\d+) (\w+): steady ([\d.]+)", line)
    if m:
        cases.setdefault((m[1], m[2]), []).append(float(m[3]))
print("# summary: median (min-max) steady ms per iteration")
for (d, mode), v in cases.items():
    print(f"{d} {mode}: {statistics.median(v):.3f} ({min(v):.3f}-{max(v):.3f}) over {len(v)} rounds")
EOF
