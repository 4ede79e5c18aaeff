#!/usr/bin/env bash
# issue14_s12_bits.sh BASE_BINARY NEW_BINARY: cortex_density 24 runs
# (--times 5,20; analysis at both, snapshot at the end) of both binaries on
# 1 rank x 2 threads, 2 ranks and 3 ranks; every dataset of every output
# .h5 compared byte for byte with the first run's (needs h5py).
set -u
cd "$(dirname "$0")/../.."
base=$(realpath "$1") new=$(realpath "$2") out=$(mktemp -d)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_pml=ob1 OMPI_MCA_btl=self,vader OMPI_MCA_rmaps_base_oversubscribe=1
for b in base new; do
  bin=$base; [ $b = new ] && bin=$new
  $bin run examples/gcal_class.ty -p cortex_density=24 --times 5,20 --threads 2 --no-progress --output-path $out/$b-t2 >/dev/null 2>&1 || echo "fail $b t2"
  for n in 2 3; do
    mpirun --bind-to none -n $n $bin run examples/gcal_class.ty -p cortex_density=24 --times 5,20 --threads 1 --no-progress --output-path $out/$b-r$n >/dev/null 2>&1 || echo "fail $b r$n"
  done
done
python3 - "$out" <<'PY'
import glob, h5py, numpy as np, os, sys
runs = sorted(glob.glob(sys.argv[1] + '/*'))
def files(r):
    return sorted(p for p in glob.glob(r + '/**/*', recursive=True) if p.endswith('.h5'))
def datasets(f):
    out = {}
    with h5py.File(f, 'r') as h:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                out[name] = np.asarray(obj[()]).tobytes()
        h.visititems(visit)
    return out
ref = None
for r in runs:
    fs = files(r)
    d = {}
    for f in fs:
        for k, v in datasets(f).items():
            d[os.path.basename(f).split('_', 1)[-1] + ':' + k] = v
    if ref is None:
        ref, refname = d, r
        print(f'{os.path.basename(r)}: {len(fs)} files, {len(d)} datasets (reference)')
        continue
    diff = [k for k in ref if k not in d or d[k] != ref[k]] + [k for k in d if k not in ref]
    print(f'{os.path.basename(r)}: {len(fs)} files, {len(d)} datasets, {len(diff)} differ' + (': ' + ', '.join(diff[:8]) if diff else ''))
PY
rm -rf "$out"
