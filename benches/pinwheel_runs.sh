# Shared by benches/pinwheels.sh and benches/natural_images.sh (sourced):
# the training loop's steps, so both write the same files per run.
#
#   keep_binary RUNS BIN PATHS...  copy BIN into RUNS once (a rebuild during
#                                  the runs cannot change it) and record the
#                                  commit, "+uncommitted changes" if PATHS
#                                  differ from HEAD
#   train_once LABEL DIR COMMAND...
#                                  run COMMAND (a `topo-hpc run ... --output-path
#                                  DIR/out`) unless DIR/done exists: its log to
#                                  DIR/log, wall seconds to DIR/wall_s (the
#                                  whole run: construction, training, analysis
#                                  at every time, PNGs, final snapshot),
#                                  `uptime` to DIR/load, then DIR/done; then
#                                  `$0 report` (the calling script) rewrites
#                                  the report
# benches/pinwheel_runs.py reads these folders back.

keep_binary() {
    local runs=$1 bin=$2
    shift 2
    if [ ! -x "$runs/topo-hpc" ]; then
        cp "$bin" "$runs/topo-hpc"
        git rev-parse --short HEAD > "$runs/commit"
        if ! git diff --quiet HEAD -- "$@"; then
            echo "+uncommitted changes" >> "$runs/commit"
        fi
    fi
}

train_once() {
    local label=$1 d=$2
    shift 2
    if [ -e "$d/done" ]; then
        echo "$label: done already ($d)"
        return 0
    fi
    rm -rf "$d"
    mkdir -p "$d"
    echo "$label: running into $d"
    local start end
    start=$(date +%s.%N)
    "$@" > "$d/log" 2>&1
    end=$(date +%s.%N)
    python3 -c "print(f'{$end - $start:.1f}')" > "$d/wall_s"
    uptime > "$d/load"
    touch "$d/done"
    echo "$label: $(cat "$d/wall_s") s"
    "$0" report || echo "report failed (the runs go on)"
}
