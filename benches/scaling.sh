#!/usr/bin/env bash
# Parallel scaling of class-based GCAL (issue 5): 1 rank x 1 thread,
# 1 rank x 2 threads, 2 ranks x 1 thread, at cortex_density 96 and 192
# (examples/gcal_class.ty, other globals at their defaults).
#
# For each run: seconds per iteration (wall clock of the slowest rank over
# the timed iterations), parallel efficiency against 1 x 1
# (T_1x1 / (ranks * threads * T)), the share of the run the slowest rank
# spent inside the halo exchange (MpiExchange::stats().seconds: packing,
# waiting for neighbours, unpacking), and the network construction time.
# Writes a markdown table to benches/results/scaling.md and prints it.
#
# Usage: benches/scaling.sh [ITERATIONS] [DENSITIES...]
#   default: 5 iterations, densities 96 192. par_model_check times every
#   iteration after construction, so the first one (with the start-up
#   weight normalisation) is included in the average.
# Run on a quiet machine: other load distorts every number.
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
model=examples/gcal_class.ty
out=benches/results/scaling.md
mkdir -p "$(dirname "$out")"

field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }

rows=()
for d in "${densities[@]}"; do
    base=""
    for config in "1 1" "1 2" "2 1"; do
        set -- $config
        ranks=$1 threads=$2
        line=$(mpirun --oversubscribe --bind-to none -n "$ranks" "$bin" "$model" \
            -p cortex_density="$d" --times "$iters" --bench --threads "$threads" |
            grep '^bench')
        echo "density $d ${ranks}x${threads}: $line" >&2
        spi=$(echo "$line" | field s_per_iteration)
        share=$(echo "$line" | field exchange_share)
        build=$(echo "$line" | field build_s)
        [ -z "$base" ] && base=$spi
        eff=$(python3 -c "print(f'{$base / ($ranks * $threads * $spi):.2f}')")
        speedup=$(python3 -c "print(f'{$base / $spi:.2f}')")
        pct=$(python3 -c "print(f'{100 * $share:.1f} %')")
        rows+=("| $d | $ranks x $threads | $spi | $speedup | $eff | $pct | $build |")
    done
done

{
    echo "# GCAL parallel scaling (benches/scaling.sh)"
    echo
    echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores," \
        "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')," \
        "examples/gcal_class.ty, $iters iterations per run (the first," \
        "with start-up normalisation, included)."
    echo
    echo "| cortex_density | ranks x threads | s/iteration | speed-up | efficiency | halo exchange share | build s |"
    echo "|---|---|---|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
} >"$out"
cat "$out"
