#!/usr/bin/env bash
# Single-node SLURM test of the job scripts: starts munged, slurmctld and
# slurmd on localhost (private munge socket, free ports, state and spool
# under a temp folder), runs
#   1. jobscripts/run.sbatch                   -> one run folder with .out/.h5
#   2. jobscripts/sweep.sbatch as a 4-task array -> sweep folder, manifest
#      with 4 done runs, collated CSV (8 rows: 4 runs x 2 times)
#   2b. `topo-hpc sweep --launcher slurm` -> its own array script, submitted;
#      manifest done with the array job ids; the same command again
#      launches nothing; while an array is still queued, nothing either
#   3. jobscripts/checkpoint.sbatch with a 2-minute limit and a run that
#      needs longer than the first signal -> exactly one requeue, results
#      identical to an uninterrupted run
# and stops the daemons by PID (also on failure). Exit 0 only if all pass.
#
# Environment:
#   TOPO_HPC     topo-hpc executable (sweep, collate)            [required]
#   RUNNER       executable given `run ...` by run/checkpoint    [default TOPO_HPC]
#   TOPO_HPC_SWEEP_RUNNER  passed through to the sweep (stand-in runs)
#   MODEL        model file                                       [required]
#   NTASKS       MPI ranks per run in run.sbatch                  [default 1]
#   CKPT_TIMES   --times of the checkpointed run (its length)     [default 105]
#                "auto": time a short run of RUNNER and size the list so the
#                run takes ~CKPT_SECONDS (default 150: past the first signal
#                even if the machine speeds up; use CKPT_REQUEUES=any)
#   CKPT_REQUEUES  requeues expected: a number, or "any" (>= 1)  [default 1]
#   EXTRA        extra `topo-hpc run` options for every job       [default none]
#   A, A_VALUES, B, B_VALUES   the swept parameters and their two values each
#                [default seed_a 1,2 and seed_b 0:1:2 (= 0,1)]; A is also set
#                (to A_RUN) in the run and checkpoint jobs        [default 3]
#   KEEP=1       keep the temp folder
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
fail() { echo "harness: FAIL: $*" >&2; exit 1; }
step() { echo "harness: $(date -u +%T) $*"; }

for b in munged slurmctld slurmd sbatch squeue scontrol sinfo python3; do
  command -v "$b" >/dev/null 2>&1 || [ -x "/usr/sbin/$b" ] ||
    fail "'$b' not found: install slurm-wlm and munge (scripts/setup.sh does)"
done
[ "$(id -u)" -eq 0 ] || fail "the single-node SLURM harness must run as root (slurmd needs it)"
[ -r /etc/munge/munge.key ] || fail "/etc/munge/munge.key missing (the munge package creates it)"
: "${TOPO_HPC:?TOPO_HPC must name the topo-hpc executable}"
: "${MODEL:?MODEL must name a model file}"
RUNNER=${RUNNER:-$TOPO_HPC}
A=${A:-seed_a}; A_VALUES=${A_VALUES:-1,2}; A_RUN=${A_RUN:-3}
B=${B:-seed_b}; B_VALUES=${B_VALUES:-0:1:2}
NTASKS=${NTASKS:-1}
CKPT_TIMES=${CKPT_TIMES:-105}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_pml=ob1 OMPI_MCA_btl=self,vader

work=$(mktemp -d /tmp/topo-slurm.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  for p in slurmd slurmctld munged; do
    f="$work/$p.pid"
    [ -f "$f" ] || continue
    pid=$(cat "$f")
    kill "$pid" 2>/dev/null || continue
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  if [ "${KEEP:-0}" = 1 ]; then echo "harness: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
# Killed (e.g. by a test timeout): still stop the daemons.
trap 'exit 143' TERM
trap 'exit 130' INT

# ---- daemons ---------------------------------------------------------------
install -d -o munge -g munge -m 0755 "$work/munge"
runuser -u munge -- /usr/sbin/munged --socket="$work/munge/munge.socket" \
  --pid-file="$work/munge/munged.pid" --log-file="$work/munge/munged.log" \
  --seed-file="$work/munge/munged.seed" || fail "munged did not start"
for _ in $(seq 50); do [ -s "$work/munge/munged.pid" ] && break; sleep 0.1; done
cp "$work/munge/munged.pid" "$work/munged.pid"

# Ports of our own, free now: several harnesses (or a real SLURM) on one
# machine must not reach each other's daemons.
read -r ctld_port slurmd_port < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])')
cpus=$(nproc)
mkdir -p "$work/state" "$work/spool"
export SLURM_CONF="$work/slurm.conf"
cat > "$SLURM_CONF" <<EOF
ClusterName=topotest
SlurmctldHost=localhost
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$work/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
MpiDefault=pmix
MailProg=/bin/true
ReturnToService=2
EnforcePartLimits=ALL
MinJobAge=600
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus Boards=1 SocketsPerBoard=1 CoresPerSocket=$cpus ThreadsPerCore=1 RealMemory=1000 State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
slurmctld -f "$SLURM_CONF" || fail "slurmctld did not start (log: $work/slurmctld.log)"
slurmd -f "$SLURM_CONF" -N localhost || fail "slurmd did not start (log: $work/slurmd.log)"
for _ in $(seq 100); do
  sinfo -h -o %t 2>/dev/null | grep -q idle && break
  sleep 0.2
done
sinfo -h -o %t | grep -q idle || { cat "$work/slurmctld.log"; fail "node never became idle"; }
step "SLURM up (pids $(cat "$work/slurmctld.pid") $(cat "$work/slurmd.pid"))"

# Wait for a job (and every array task / requeue) to end; prints the set of
# final states (e.g. "JobState=COMPLETED "); all_ok checks there is no other.
wait_job() {
  local id=$1 limit=$2 t=0 st seen=0
  while [ "$t" -lt "$limit" ]; do
    st=$(scontrol -o show job "$id" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | sort -u | tr '\n' ' ')
    # A job that requeues itself can show a final state (FAILED) for a
    # moment before slurmctld re-pends it: only a state that holds for
    # five polls (~10 s) is the end.
    if [ -n "$st" ] && ! echo "$st" | grep -qE 'PENDING|RUNNING|REQUEUE|CONFIGURING|COMPLETING|SUSPENDED'; then
      seen=$((seen + 1))
      if [ "$seen" -ge 5 ]; then echo "$st"; return 0; fi
    else
      seen=0
    fi
    # A requeued job may not start for ~2 minutes (SLURM sets a begin time);
    # NUDGE=1 lets it start now, to keep the test short.
    if [ "${NUDGE:-0}" = 1 ] && scontrol -o show job "$id" 2>/dev/null | grep -q 'Reason=BeginTime'; then
      scontrol update JobId="$id" StartTime=now >/dev/null 2>&1 || true
    fi
    sleep 2; t=$((t + 2))
  done
  echo "TIMEOUT $st"; return 1
}

all_ok() { [ "$1" = "JobState=COMPLETED " ]; }
export MODEL TOPO_HPC EXTRA=${EXTRA:-}

cd "$work"

# ---- 1. run.sbatch -----------------------------------------------------------
step "run.sbatch"
id=$(PARAMS="$A=$A_RUN" TIMES="1,5" OUTPUT="$work/out_run" TOPO_HPC="$RUNNER" \
  sbatch --parsable --export=ALL --ntasks-per-node="$NTASKS" --output="$work/run-%j.out" \
  "$repo/jobscripts/run.sbatch") || fail "sbatch run.sbatch"
st=$(wait_job "$id" 300)
cat "$work/run-$id.out"
all_ok "$st" || fail "run.sbatch ended $st"
d=$(find "$work/out_run" -mindepth 1 -maxdepth 1 -type d -name "*,$A=$A_RUN")
[ -n "$d" ] || fail "run.sbatch made no run folder with $A=$A_RUN in $work/out_run"
ls "$d"/*.out >/dev/null 2>&1 || fail "no .out in $d"
ls "$d"/*.h5 >/dev/null 2>&1 || fail "no .h5 in $d"
step "run.sbatch ok: $(basename "$d")"

# ---- 2. sweep.sbatch: 4-task array + collate ---------------------------------
step "sweep.sbatch"
id=$(SPACE="$A=$A_VALUES;$B=$B_VALUES" TIMES="1,5" OUTPUT="$work/out_sweep" \
  sbatch --parsable --export=ALL --array=0-3 --output="$work/sweep-%A_%a.out" \
  "$repo/jobscripts/sweep.sbatch") || fail "sbatch sweep.sbatch"
st=$(wait_job "$id" 300)
cat "$work"/sweep-*.out
all_ok "$st" || fail "sweep.sbatch ended $st"
sweeps=$(find "$work/out_sweep" -mindepth 1 -maxdepth 1 -type d -name '*_sweep' | wc -l)
[ "$sweeps" -eq 1 ] || fail "expected one sweep folder (one shared timestamp), found $sweeps"
sd=$(find "$work/out_sweep" -mindepth 1 -maxdepth 1 -type d -name '*_sweep')
python3 - "$sd" "$A" "$B" <<'PY' || fail "manifest check"
import json, os, sys
d, a, b = sys.argv[1:4]
m = json.load(open(os.path.join(d, "manifest.json")))
runs = m["runs"]
assert len(runs) == 4, len(runs)
combos = [(r["params"][a], r["params"][b]) for r in runs]
# A product of two 2-value spaces, the first varying slowest.
assert len(set(combos)) == 4 and combos[0][0] == combos[1][0] and combos[0][1] == combos[2][1], combos
for r in runs:
    assert r["state"] == "done" and r["exit_code"] == 0, r
    assert r["slurm_job"] and r["slurm_job"].endswith("_%d" % r["index"]), r
    assert r["folder"] and os.path.isdir(os.path.join(d, r["folder"])), r
    assert r["folder"].startswith(m["timestamp"]), (r["folder"], m["timestamp"])
print("manifest ok:", [r["folder"] for r in runs])
PY
"$TOPO_HPC" collate "$sd" --plot V1/mean_activity --against "$A" || fail "collate"
python3 - "$sd/collated.csv" <<'PY' || fail "collated CSV check"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 8, len(rows)
for r in rows:
    assert r["state"] == "done", r
    # The stand-in's value is 10*(a+b)+t; a real model's is checked for presence only.
    assert r["V1/mean_activity"] != "", r
print("collated ok:", len(rows), "rows")
PY
[ -s "$sd/collated.h5" ] || fail "no collated.h5"
[ -s "$sd/collated_V1_mean_activity_vs_$A.png" ] || fail "no figure"
step "sweep.sbatch ok"

# ---- 2b. topo-hpc sweep --launcher slurm: writes and submits the array ------
step "sweep --launcher slurm"
ra=()
for e in ${EXTRA:-}; do ra+=("--run-arg=$e"); done
"$TOPO_HPC" sweep "$MODEL" --param "$A=$A_VALUES" --param "$B=$B_VALUES" --times 1,5 \
  --output-path "$work/out_sweep2" --launcher slurm -j 2 --yes "${ra[@]}" \
  > "$work/sweep2.txt" 2>&1 || { cat "$work/sweep2.txt"; fail "sweep --launcher slurm"; }
cat "$work/sweep2.txt"
id=$(grep -o 'submitted array job [0-9]*' "$work/sweep2.txt" | grep -o '[0-9]*$')
[ -n "$id" ] || fail "no array job id printed"
st=$(wait_job "$id" 300)
all_ok "$st" || fail "the sweep's array job ended $st"
sd2=$(find "$work/out_sweep2" -mindepth 1 -maxdepth 1 -type d -name '*_sweep')
[ -f "$sd2/sweep.sbatch" ] || fail "no sweep.sbatch written into $sd2"
grep -q -- "--array=0-3%2" "$sd2/sweep.sbatch" || fail "array spec in $sd2/sweep.sbatch"
python3 - "$sd2" "$id" <<'PY' || fail "manifest of the submitted sweep"
import json, os, sys
d, job = sys.argv[1:3]
m = json.load(open(os.path.join(d, "manifest.json")))
assert len(m["runs"]) == 4
for r in m["runs"]:
    assert r["state"] == "done", r
    assert r["slurm_job"] == "%s_%d" % (job, r["index"]), r
print("submitted sweep ok")
PY
# The same command again: nothing left to launch, nothing submitted.
"$TOPO_HPC" sweep "$MODEL" --param "$A=$A_VALUES" --param "$B=$B_VALUES" --times 1,5 \
  --output-path "$work/out_sweep2" --launcher slurm --yes "${ra[@]}" \
  > "$work/sweep3.txt" 2>&1 || { cat "$work/sweep3.txt"; fail "second sweep --launcher slurm"; }
grep -q "nothing to launch" "$work/sweep3.txt" || { cat "$work/sweep3.txt"; fail "a finished sweep was launched again"; }
step "sweep --launcher slurm ok"

# ---- 2c. a sweep whose array is still queued is not submitted twice --------
step "queued sweep not resubmitted"
"$TOPO_HPC" sweep "$MODEL" --param "$A=$A_VALUES" --times 1,5 --output-path "$work/out_sweep4" \
  --launcher slurm --yes --sbatch=--begin=now+3600 > "$work/sweep4.txt" 2>&1 ||
  { cat "$work/sweep4.txt"; fail "sweep --launcher slurm (held)"; }
held=$(grep -o 'submitted array job [0-9]*' "$work/sweep4.txt" | grep -o '[0-9]*$')
"$TOPO_HPC" sweep "$MODEL" --param "$A=$A_VALUES" --times 1,5 --output-path "$work/out_sweep4" \
  --launcher slurm --yes > "$work/sweep5.txt" 2>&1 || { cat "$work/sweep5.txt"; fail "second sweep (held)"; }
scancel "$held"
grep -q "nothing to launch" "$work/sweep5.txt" || { cat "$work/sweep5.txt"; fail "queued runs were submitted again"; }
step "queued sweep not resubmitted ok"

# ---- 3. checkpoint.sbatch: forced requeue, same results ----------------------
# The limit is 2 minutes and the signal is asked for 30 s before it. SLURM
# checks limits every 30 s and sends the signal at the first check within
# 30 s of the signal time, so it lands 60-90 s into each attempt. A run
# needing ~105 s (CKPT_TIMES) is therefore always interrupted once, and its
# remaining 15-45 s always finish before the second attempt's signal.
if [ "$CKPT_TIMES" = auto ]; then
  n0=400000
  t0=$(date +%s.%N)
  "$RUNNER" run "$MODEL" -p "$A=$A_RUN" --times "1,$n0" --output-path "$work/calib" \
    --no-progress ${EXTRA:-} >/dev/null 2>&1 || fail "calibration run failed"
  t1=$(date +%s.%N)
  CKPT_TIMES="1,$(awk -v n="$n0" -v secs="${CKPT_SECONDS:-150}" -v a="$t0" -v b="$t1" 'BEGIN { printf "%d", n * secs / (b - a) }')"
  step "calibrated: $n0 time units took $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s; CKPT_TIMES=$CKPT_TIMES"
fi
step "checkpoint.sbatch (takes ~3-8 minutes)"
id=$(PARAMS="$A=$A_RUN" TIMES="$CKPT_TIMES" OUTPUT="$work/out_ckpt" TOPO_HPC="$RUNNER" LAUNCH=srun \
  sbatch --parsable --export=ALL --time=2 --signal=B:USR1@30 --output="$work/ckpt-%j.out" \
  "$repo/jobscripts/checkpoint.sbatch") || fail "sbatch checkpoint.sbatch"
NUDGE=1 st=$(wait_job "$id" 600)
cat "$work/ckpt-$id.out"
all_ok "$st" || fail "checkpoint.sbatch ended $st"
restarts=$(scontrol -o show job "$id" | grep -o 'Restarts=[0-9]*' | cut -d= -f2)
if [ "${CKPT_REQUEUES:-1}" = any ]; then
  [ "${restarts:-0}" -ge 1 ] || fail "expected a requeue, got none"
else
  [ "${restarts:-0}" -eq "${CKPT_REQUEUES:-1}" ] || fail "expected ${CKPT_REQUEUES:-1} requeue(s), got ${restarts:-0}"
fi
grep -q "continuing from" "$work/ckpt-$id.out" || fail "the requeued job did not restore a snapshot"
cd_run=$(find "$work/out_ckpt" -mindepth 2 -maxdepth 2 -type d -name "*,$A=$A_RUN")
[ -n "$cd_run" ] || fail "no checkpointed run folder"
# The same run, uninterrupted.
ts=$(cat "$work/out_ckpt/ckpt-$id/timestamp")
FAKE_STEP_SECONDS=0 "$RUNNER" run "$MODEL" -p "$A=$A_RUN" --times "$CKPT_TIMES" \
  --output-path "$work/out_plain" --timestamp "$ts" --no-progress ${EXTRA:-} || fail "uninterrupted run"
plain=$(find "$work/out_plain" -mindepth 1 -maxdepth 1 -type d -name "*,$A=$A_RUN")
python3 "$here/h5_equal.py" "$cd_run" "$plain" || fail "requeued run differs from the uninterrupted one"
step "checkpoint.sbatch ok: $restarts requeue(s), results equal"

echo "harness: all SLURM checks passed"
