#!/usr/bin/env bash
# Parallel scaling of class-based GCAL (issue 5): 1 rank x 1 thread,
# 1 rank x 2 threads, 2 ranks x 1 thread, at cortex_density 96 and 192.
# Prints seconds per iteration, parallel efficiency against 1 x 1, and the
# share of the run the slowest rank spent in halo exchange (waiting for
# neighbours included).
#
# Usage: benches/par_scaling.sh [ITERATIONS] [DENSITIES...]
#   default: 5 iterations, densities 96 192.
# The model is examples/gcal_class.ty with -p cortex_density=D. Run on a quiet machine: other load distorts every number.
set -euo pipefail
cd "$(dirname "$0")/.."
iters=${1:-5}
shift || true
densities=("$@")
[ ${#densities[@]} -eq 0 ] && densities=(96 192)

export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_pml=ob1 OMPI_MCA_btl=self,vader

cargo build --release --example par_model_check >&2
bin=target/release/examples/par_model_check

field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }

printf '%-8s %-10s %-14s %-11s %-15s\n' density config s/iteration efficiency exchange_share
for d in "${densities[@]}"; do
    base=""
    for config in "1 1" "1 2" "2 1"; do
        set -- $config
        ranks=$1 threads=$2
        line=$(mpirun --bind-to none -n "$ranks" "$bin" examples/gcal_class.ty -p cortex_density="$d" --times "$iters" \
            --bench --threads "$threads" | grep '^bench')
        spi=$(echo "$line" | field s_per_iteration)
        share=$(echo "$line" | field exchange_share)
        [ -z "$base" ] && base=$spi
        eff=$(python3 -c "print(f'{$base / ($ranks * $threads * $spi):.2f}')")
        printf '%-8s %-10s %-14s %-11s %-15s\n' "$d" "${ranks}x${threads}" "$spi" "$eff" "$share"
    done
done
