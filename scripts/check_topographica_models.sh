#!/usr/bin/env bash
# Runs every model file of a Topographica checkout unchanged and prints a
# table: file -> loads / runs / first error.
#
#   TOPOGRAPHICA_REPO=/path/to/topographica scripts/check_topographica_models.sh [OUT.md]
#
# Each .ty under models/, examples/ and topo/tests/ is loaded
# (`topo-hpc model`) and then run in Topographica's command-line form with
# small densities and analysis times 1 and 2:
#   topo-hpc -p retina_density=8 -p lgn_density=8 -p cortex_density=8 ... \
#            -c "run_batch('FILE', times=[1,2], ...)"
# (that form warns about density names a model does not declare, as
# Topographica does). The files run from their own folder, as Topographica's
# topographica script finds a model's data files relative to it.
# The table goes to stdout and, if given, to OUT.md. Needs a release build
# (cargo build --release) or TOPO_HPC=path/to/topo-hpc.
set -u
repo=${TOPOGRAPHICA_REPO:?set TOPOGRAPHICA_REPO to a Topographica checkout}
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${TOPO_HPC:-$here/target/release/topo-hpc}
out=${1:-}
limit=${CHECK_TIMEOUT:-600}
[ -x "$bin" ] || { echo "no $bin: run cargo build --release first" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

density="-p retina_density=8.0 -p lgn_density=8.0 -p cortex_density=8.0"
table="| file | loads | runs (--times 1,2) | first error |
|---|---|---|---|"
nload=0; nrun=0; n=0
cd "$repo" || exit 2
for f in $(find models examples topo/tests -name '*.ty' | sort); do
  n=$((n + 1))
  dir=$(dirname "$f"); base=$(basename "$f")
  # shellcheck disable=SC2086
  load=$(cd "$dir" && timeout "$limit" "$bin" model "$base" 2>&1 >/dev/null | grep -m1 -v '^ ' )
  if [ -z "$load" ]; then l=yes; nload=$((nload + 1)); else l=no; fi
  err=$load
  r=no
  if [ "$l" = yes ]; then
    # shellcheck disable=SC2086
    res=$(cd "$dir" && timeout "$limit" "$bin" $density -o "$work/out$n" \
          -c "run_batch('$base', times=[1,2], progress_bar='disabled')" 2>&1)
    rc=$?
    if [ $rc -eq 0 ]; then r=yes; nrun=$((nrun + 1)); err=""
    elif [ $rc -eq 124 ]; then err="timed out after ${limit}s"
    else err=$(echo "$res" | grep -m1 -E 'error|Error' || echo "$res" | tail -1); fi
  fi
  err=$(echo "$err" | sed -e 's/^topo-hpc: error: //' -e "s|$repo/||g" -e 's/|/\\|/g' | cut -c1-220)
  table="$table
| $f | $l | $r | $err |"
done
summary="$nload of $n load, $nrun of $n run."
printf '%s\n\n%s\n' "$table" "$summary"
[ -n "$out" ] && printf '%s\n\n%s\n' "$table" "$summary" > "$out"
exit 0
