#!/bin/bash
# alternate base/new 2-rank runs; print per-rank compute_s/iteration
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_pml=ob1 OMPI_MCA_btl=self,vader OMPI_MCA_rmaps_base_oversubscribe=1
cd /work/wt/rng
for round in $(seq $1); do
  for side in base new; do
    d=/tmp/rng/ab_$side_$round; rm -rf $d
    mpirun --bind-to none -n 2 /tmp/rng/topo-hpc.$side run examples/gcal_class.ty -p cortex_density=48 --times 2,1002 --analysis none --no-snapshot --no-progress --threads 1 --output-path $d >/dev/null 2>&1
    python3 - "$d" "$side" "$round" <<'PY'
import glob, json, sys
t = json.load(open(glob.glob(sys.argv[1] + "/*/*timing.json")[0]))
r = t["per_rank"]
it = r[0]["iterations"]
load = open("/proc/loadavg").read().split()[0]
print("round %s %-4s compute/it rank0 %.1f us rank1 %.1f us; train/it %.1f us; wait/it %.1f %.1f us (load %s)" % (sys.argv[3], sys.argv[2],
  1e6*r[0]["compute_s"]/it, 1e6*r[1]["compute_s"]/it, 1e6*r[0]["train_s"]/it, 1e6*r[0]["wait_s"]/it, 1e6*r[1]["wait_s"]/it, load))
PY
  done
done
