#!/usr/bin/env bash
# What shared halos save: GCAL (examples/gcal.ty) on RANKS ranks, once with
# V1's two lateral projections sharing one halo (the default) and once with
# every projection exchanging its own (--no-halo-sharing). Prints rank 0's
# exchanges and values received, their ratios, and seconds per iteration.
#
# Usage: benches/halo_sharing.sh [RANKS] [DENSITY] [ITERATIONS]
#   default: 4 ranks, cortex_density 96, 20 iterations.
set -euo pipefail
cd "$(dirname "$0")/.."
ranks=${1:-4}
density=${2:-96}
iters=${3:-20}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_pml=ob1 OMPI_MCA_btl=self,vader OMPI_MCA_rmaps_base_oversubscribe=1
cargo build --release --example par_model_check >&2
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }
run() {
    mpirun -n "$ranks" target/release/examples/par_model_check examples/gcal.ty \
        -p cortex_density="$density" --times "$iters" --bench --threads 1 "$@" |
        grep '^bench ranks'
}
on=$(run)
off=$(run --no-halo-sharing)
printf '%-8s %-10s %-16s %-12s\n' sharing exchanges values_received s/iteration
printf '%-8s %-10s %-16s %-12s\n' on "$(field exchanges <<<"$on")" \
    "$(field values_received_rank0 <<<"$on")" "$(field s_per_iteration <<<"$on")"
printf '%-8s %-10s %-16s %-12s\n' off "$(field exchanges <<<"$off")" \
    "$(field values_received_rank0 <<<"$off")" "$(field s_per_iteration <<<"$off")"
python3 - "$on" "$off" <<'PY'
import sys, re
f = lambda s, k: float(re.search(r"\b%s=(\S+)" % k, s).group(1))
on, off = sys.argv[1], sys.argv[2]
for k in ("exchanges", "values_received_rank0", "s_per_iteration"):
    print("%-22s on/off = %.3f" % (k, f(on, k) / f(off, k)))
PY
