#!/usr/bin/env bash
# What overlapping the halo exchanges with computation gains (issue 15,
# `network::pending_sends`): par_model_check --bench with the overlap on
# (default) and off (--no-overlap), alternating, on N ranks; prints per
# run the time per iteration, and per rank the CPU seconds, the exchange
# seconds and, of those, the seconds waiting for messages.
#
# Usage: benches/overlap.sh [REPS] [MODEL:DENSITY:ITERATIONS:RANKS ...]
# (default 3 reps of gcal.ty:96:30:2 and lissom_oo_or.ty:48:10:2).
# Timings need an idle machine; on a loaded one compare CPU seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-3}
shift || true
cases=("$@")
[ ${#cases[@]} -gt 0 ] || cases=(gcal.ty:96:30:2 lissom_oo_or.ty:48:10:2)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_pml=ob1 OMPI_MCA_btl=self,vader OMPI_MCA_rmaps_base_oversubscribe=1
cargo build --release --features full-tests --example par_model_check >&2
for rep in $(seq "$reps"); do
    for c in "${cases[@]}"; do
        IFS=: read -r model d t n <<<"$c"
        for mode in on off; do
            flag=()
            [ "$mode" = off ] && flag=(--no-overlap)
            echo "== rep=$rep $model d=$d ranks=$n overlap=$mode load=$(cut -d' ' -f1 /proc/loadavg) $(date -u +%T)"
            mpirun --bind-to none -n "$n" target/release/examples/par_model_check \
                "examples/$model" -p "cortex_density=$d" --times "$t" --bench --threads 1 \
                "${flag[@]}" 2>&1 | { grep -oE 'bench (rank|ranks).*' || true; } | sort
        done
    done
done
