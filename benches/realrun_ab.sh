#!/usr/bin/env bash
# Real runs of GCAL (issue 14): `topo-hpc run examples/gcal_class.ty` with
# two binaries (before/after a change), alternated, at cortex_density 48 and
# 142 on 1 and 2 threads. Per-iteration time is the run folder's
# timing.json train_s over its iterations; the first iteration includes the
# lazy build of the per-source copies (~1 s at 142), so each case also runs
# a short run and reports the difference: the steady per-iteration time
# (train(long) - train(short)) / (iterations(long) - iterations(short)).
#
# Usage: benches/realrun_ab.sh OLD_BINARY NEW_BINARY [ROUNDS] >raw.txt
#   OLD_BINARY/NEW_BINARY: two builds of `topo-hpc` (e.g. a copy of
#   target/release/topo-hpc made before the change, and the current one).
# Environment: CASES="48:2,12:2,1002 ..." (density:short-times:long-times,
# default 48:2,12:2,302 142:2,4:2,32); RANKS=N runs each case as
# `mpirun --bind-to none -n N ... --threads 1` instead of one process on
# 1 and 2 threads, the time being the slowest rank's train_s (OpenMPI as
# root needs OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1).
set -euo pipefail
cd "$(dirname "$0")/.."
old=$1 new=$2 rounds=${3:-2}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
read -r -a cases <<<"${CASES:-48:2,12:2,302 142:2,4:2,32}"
ranks=${RANKS:-}
train() { # binary density times threads -> "train_s iterations"
    local dir="$out/r$RANDOM$RANDOM" launch=("$1")
    [ -n "$ranks" ] && launch=(mpirun --bind-to none -n "$ranks" "$1")
    "${launch[@]}" run examples/gcal_class.ty -p "cortex_density=$2" --times "$3" \
        --analysis none --no-snapshot --threads "$4" --no-progress \
        --output-path "$dir" >/dev/null 2>&1
    python3 - "$dir" <<'EOF'
import glob, json, sys
ranks = json.load(open(glob.glob(sys.argv[1] + "/*/*timing.json")[0]))["per_rank"]
print(max(r["train_s"] for r in ranks), ranks[0]["iterations"])
EOF
    rm -rf "$dir"
}
echo "# benches/realrun_ab.sh old=$old new=$new rounds=$rounds ranks=${ranks:-1}, $(date -u +%FT%TZ)"
for round in $(seq "$rounds"); do
    for c in "${cases[@]}"; do
        IFS=: read -r d short long <<<"$c"
        for threads in $([ -n "$ranks" ] && echo 1 || echo 1 2); do
            for side in old new; do
                bin=$old
                [ "$side" = new ] && bin=$new
                read -r ts is < <(train "$bin" "$d" "$short" "$threads")
                read -r tl il < <(train "$bin" "$d" "$long" "$threads")
                python3 -c "
ts, is_, tl, il = $ts, $is, $tl, $il
print('round $round d$d threads=$threads ranks=${ranks:-1} $side: %.0f iterations %.3f s = %.3f ms/it; steady %.3f ms/it (load %s)'
      % (il, tl, 1e3 * tl / il, 1e3 * (tl - ts) / (il - is_), '$(cut -d' ' -f1 /proc/loadavg)'))"
            done
        done
    done
done
