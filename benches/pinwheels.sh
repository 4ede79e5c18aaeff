#!/usr/bin/env bash
# Pinwheel density of GCAL (examples/gcal.ty, default density 47) over
# several training seeds (param.random_seed, the model's `seed` parameter).
#
#   benches/pinwheels.sh            run every seed not yet run, then report
#   benches/pinwheels.sh report     only rewrite the report from finished runs
#   benches/pinwheels.sh scale      for each seed, train again to the last
#                                   time and save the V1 preference map
#                                   measured with gratings of scale 0.3
#                                   (featuremapper) and 1.0 (Stevens et al.
#                                   2013's measure_sine_pref(scale=1.0)), with
#                                   a small program on topo-hpc's library
#                                   (built in RUNS/scale-probe); the report
#                                   then compares them
#
# Environment (all optional):
#   SEEDS     seeds to run, default "42 1 2 3 4 5"
#   TIMES     analysis times, default "0,2000,5000,10000"
#   THREADS   rayon threads of each run, default 1
#   BIN       topo-hpc binary, default target/release/topo-hpc (copied once
#             into RUNS so a rebuild during the runs cannot change it)
#   RUNS      where the runs go, default /tmp/topo-pinwheels
#   REPORT    the report, default benches/results/pinwheels.md
#   EXTRA     extra `topo-hpc run` options (e.g. "-p cortex_density=20")
#
# Runs are one at a time (each a single process); a seed whose run
# finished (RUNS/seed<S>/done) is not run again. Each run's wall time is
# measured around the whole `topo-hpc run` (construction, training,
# analysis at every time, PNGs, final snapshot).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
SEEDS=${SEEDS:-"42 1 2 3 4 5"}
TIMES=${TIMES:-"0,2000,5000,10000"}
THREADS=${THREADS:-1}
BIN=${BIN:-target/release/topo-hpc}
RUNS=${RUNS:-/tmp/topo-pinwheels}
REPORT=${REPORT:-benches/results/pinwheels.md}
EXTRA=${EXTRA:-}
mode=${1:-run}

mkdir -p "$RUNS" "$(dirname "$REPORT")"
# keep_binary, train_once: the steps benches/natural_images.sh shares.
. benches/pinwheel_runs.sh

if [ "$mode" = run ]; then
    keep_binary "$RUNS" "$BIN" crates src examples
    for s in $SEEDS; do
        # shellcheck disable=SC2086
        train_once "seed $s" "$RUNS/seed$s" \
            "$RUNS/topo-hpc" run examples/gcal.ty -p "seed=$s" --times "$TIMES" \
            --analysis or_map,pinwheels --threads "$THREADS" --no-progress \
            --output-path "$RUNS/seed$s/out" $EXTRA
    done
    exit 0
fi

if [ "$mode" = scale ]; then
    p="$RUNS/scale-probe"
    mkdir -p "$p/src"
    printf '%s\n' '[package]' 'name = "or-scale-probe"' 'version = "0.1.0"' 'edition = "2021"' '' \
        '[dependencies]' "topo-hpc = { path = \"$here\" }" 'anyhow = "1"' 'serde_json = "1"' '' \
        '[profile.release]' 'debug = 1' 'panic = "abort"' > "$p/Cargo.toml"
    cp Cargo.lock "$p/"
    cat > "$p/src/main.rs" <<'RUST'
//! GCAL trained to a time with a seed, then featuremapper's measure_or_pref
//! preference map of V1 with gratings of scale 0.3 and 1.0.
use anyhow::{anyhow, Result};
use std::path::Path;
use topo_hpc::analysis::{or_pref_features, or_pref_presentations, FeatureCollector, OrPrefParams};
use topo_hpc::analysis_fn::{present, state};
use topo_hpc::par::Context;
use topo_hpc::session::Session;
use topo_hpc::spec::Time;

fn measure(ctx: &Context, sess: &mut Session, scale: f64) -> Result<Vec<f64>> {
    let params = OrPrefParams { scale, ..Default::default() };
    let settings = present::PresentSettings::from_spec(&sess.spec.analysis)?;
    let features = or_pref_features(&params).map_err(|e| anyhow!("{e}"))?;
    let n = sess.net.activity("V1").len();
    let mut c = FeatureCollector::new(features, n).map_err(|e| anyhow!("{e}"))?;
    let saved = state::state_push(sess)?;
    for st in or_pref_presentations(&params).map_err(|e| anyhow!("{e}"))? {
        let g = present::sine_grating(st.frequency, st.orientation, st.phase, st.scale, st.offset);
        let r = present::present(sess, &g, &["V1".to_string()], &settings)?;
        c.add(&st.feature_values(), &r[0]).map_err(|e| anyhow!("{e}"))?;
    }
    state::state_pop(ctx, sess, saved)?;
    let oi = c.feature_index("Orientation").ok_or_else(|| anyhow!("no Orientation"))?;
    Ok(c.map(oi, 1.0).map_err(|e| anyhow!("{e}"))?.preference)
}

fn main() -> Result<()> {
    let a: Vec<String> = std::env::args().collect();
    let (model, seed, t, out) = (&a[1], &a[2], a[3].parse::<i64>()?, &a[4]);
    let ctx = Context::single();
    let ov = [("seed".to_string(), seed.clone())];
    let spec = topo_hpc::lang::load_model(Path::new(model), &ov).map_err(|e| anyhow!("{e}"))?;
    let mut sess = Session::build(&ctx, spec)?;
    sess.run_to(Time::from_int(t))?;
    let (rows, cols) = sess.net.sheet_shape("V1").map_err(|e| anyhow!("{e}"))?;
    let p03 = measure(&ctx, &mut sess, 0.3)?;
    let p10 = measure(&ctx, &mut sess, 1.0)?;
    let j = serde_json::json!({"seed": seed, "time": t, "rows": rows, "cols": cols,
                               "scale_0.3": p03, "scale_1.0": p10});
    std::fs::write(out, j.to_string())?;
    Ok(())
}
RUST
    (cd "$p" && CARGO_TARGET_DIR="$here/target" cargo build --release)
    cp "$here/target/release/or-scale-probe" "$p/or-scale-probe"
    last=${TIMES##*,}
    for s in $SEEDS; do
        [ -e "$p/seed$s.json" ] && continue
        RAYON_NUM_THREADS=$THREADS "$p/or-scale-probe" examples/gcal.ty "$s" "$last" "$p/seed$s.json.tmp"
        mv "$p/seed$s.json.tmp" "$p/seed$s.json"
        echo "seed $s: scale probe done"
    done
    "$0" report
    exit 0
fi

[ "$mode" = report ] || { echo "usage: $0 [run|report|scale]" >&2; exit 2; }

RUNS="$RUNS" SEEDS="$SEEDS" REPORT="$REPORT" EXTRA="$EXTRA" PYTHONPATH="$here/benches" python3 - <<'EOF'
import glob, math, os, re, statistics
import h5py
from pinwheel_runs import read_run, run_table

runs, report = os.environ["RUNS"], os.environ["REPORT"]
seeds = os.environ["SEEDS"].split()
LO, HI = math.pi * 0.8, math.pi * 1.2

def one(seed):
    r = read_run(os.path.join(runs, f"seed{seed}"))
    if r is not None:
        r["seed"] = seed
    return r

res = [r for r in (one(s) for s in seeds) if r is not None]
commit = open(os.path.join(runs, "commit")).read().split() if os.path.exists(os.path.join(runs, "commit")) else ["?"]
out = []
w = out.append
w("# GCAL pinwheel density over training seeds\n")
w("Made by `benches/pinwheels.sh` (rerun it to extend or refresh; the numbers")
w("below are read from each run's HDF5 `/analysis/<time>/V1/*` and, for the")
w("fit metric, its `.out`).\n")
extra = os.environ.get("EXTRA", "").strip()
if extra:
    w(f"- Model: `examples/gcal.ty` with `{extra}` (otherwise its defaults), `-p seed=S` sets `param.random_seed`.")
else:
    w("- Model: `examples/gcal.ty` at its defaults (cortex_density 47, 1.0×1.0 V1 area), `-p seed=S` sets `param.random_seed`.")
w(f"- Analysis: `--analysis or_map,pinwheels` (featuremapper's measure_or_pref and the Kaschube-fit hypercolumn size, Topographica's default analysis).")
w(f"- Binary: topo-hpc at commit {' '.join(commit)}; one process, `--threads 1`, runs one after another on the shared 2-core machine.")
w(f"- Target (issue 7): density at 10000 iterations within π ± 20 % = [{LO:.2f}, {HI:.2f}].\n")
for r in res:
    if "error" in r:
        w(f"## seed {r['seed']}\n\n{r['error']}\n")
        continue
    w(f"## seed {r['seed']}\n")
    w(f"Wall time {r['wall']:.0f} s (load at the end: `{r['load'].split('load average:')[-1].strip()}`).\n")
    run_table(w, r["rows"])
    w("")
ok = [r for r in res if "error" not in r]
w("## Summary\n")
if ok:
    times = [x["time"] for x in ok[0]["rows"]]
    w("| iteration | n | density mean ± sd | min | max | pinwheels mean | kmax mean | units/hc mean |")
    w("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for i, t in enumerate(times):
        xs = [r["rows"][i] for r in ok if len(r["rows"]) > i]
        ds = [x["density"] for x in xs]
        sd = statistics.stdev(ds) if len(ds) > 1 else float("nan")
        w(f"| {t:.0f} | {len(ds)} | {statistics.mean(ds):.3f} ± {sd:.3f} | {min(ds):.3f} | {max(ds):.3f} | "
          f"{statistics.mean(x['count'] for x in xs):.1f} | {statistics.mean(x['kmax'] for x in xs):.3f} | "
          f"{statistics.mean(x['uph'] for x in xs):.2f} |")
    w("")
    final = [r["rows"][-1]["density"] for r in ok]
    m = statistics.mean(final)
    sd = statistics.stdev(final) if len(final) > 1 else float("nan")
    sem = sd / math.sqrt(len(final)) if len(final) > 1 else float("nan")
    inside = [r["seed"] for r in ok if LO <= r["rows"][-1]["density"] <= HI]
    w(f"At {times[-1]:.0f} iterations over {len(final)} seeds: density **{m:.3f} ± {sd:.3f}** (sd; "
      f"standard error {sem:.3f}), {m / math.pi:.3f} π, i.e. {100 * (m / math.pi - 1):+.1f} % from π. "
      f"The mean is **{'inside' if LO <= m <= HI else 'outside'}** π ± 20 % [{LO:.2f}, {HI:.2f}]; "
      f"{len(inside)} of {len(final)} seeds are inside ({', '.join(inside) or 'none'}).")
    walls = ", ".join(f"{r['wall']:.0f}" for r in ok)
    w(f"Wall time per run: {walls} s.\n")

# ---------------------------------------------------------------------------
# The same final maps analysed the ways Stevens et al. 2013 and variants do
# (see benches/RESULTS.md, "Pinwheel density", for what each column means).
import warnings
import numpy as np
from scipy.optimize import OptimizeWarning, curve_fit
warnings.simplefilter("ignore", OptimizeWarning)

def power(pref01):
    # featuremapper fft_power: |fftshift(fft2(x - 0.5))|, inverted, to [0, 1]
    s = 1.0 - np.abs(np.fft.fftshift(np.fft.fft2(pref01 - 0.5)))
    return (s - s.min()) / (s.max() - s.min())

def rings(spec):
    # featuremapper wavenumber_spectrum: mean power over distances [k, k+1)
    # (labelled k), the last bin taking the corners; also each bin's mean
    # pixel distance from the DC term.
    if spec.shape[0] % 2 == 0:
        spec = spec[:-1, :-1]
    half = spec.shape[0] // 2
    y, x = np.mgrid[-half:half + 1, -half:half + 1]
    d = np.hypot(x, y)
    k = np.minimum(np.floor(d).astype(int), half)
    p = 1.0 - spec
    amps = np.array([p[k == i].mean() for i in range(half + 1)])
    centres = np.array([d[k == i].mean() for i in range(half + 1)])
    return amps, centres

def kaschube(k, a0, a1, a2, a3, a4, a5):
    return a0 * np.exp(-(k - a1) ** 2 / (2 * a2 ** 2)) + a3 + a4 * k + a5 * k ** 2

def kmax_of(xs, amps, init, ours=False):
    # scipy curve_fit as featuremapper calls it; valid if a1 > 0, else the
    # arg-max over k >= 1. The note says when our stricter rule (a0 > 0,
    # a1 inside the measured wavenumbers) refuses the fit; with ours=True
    # that rule is applied (the arg-max is returned then).
    argmax = int(np.argmax(amps[1:]) + 1)
    try:
        a, _ = curve_fit(kaschube, xs, amps, p0=init, maxfev=10000)
    except Exception:
        return float(xs[argmax]), "fit failed"
    if not a[1] > 0:
        return float(xs[argmax]), "a1 <= 0"
    if a[0] > 0 and a[1] <= xs[-1]:
        return float(a[1]), ""
    if ours:
        return float(xs[argmax]), f"fit a1 = {a[1]:.2f} with a0 = {a[0]:.3g} refused: arg-max"
    return float(a[1]), "our rule: arg-max"

def fm_init(xs, amps):
    argmax = int(np.argmax(amps[1:]) + 1)
    base = float(np.mean(amps))
    return [amps[argmax] - base, xs[argmax], 4.0, base, 0.0, 0.0]

STEVENS_INIT = [0.35, 3.8, 1.3, 0.15, -0.003, 0.0]

def mpl_pinwheels(pref01):
    # Crossings of the zero contours of Re and Im of exp(2 pi i pref),
    # with matplotlib's contour lines (as featuremapper / Stevens' code
    # take them), counted segment against segment.
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    z = np.exp(2j * np.pi * pref01)
    fig = plt.figure()
    re = plt.contour(z.real, levels=[0.0], origin="upper").allsegs[0]
    im = plt.contour(z.imag, levels=[0.0], origin="upper").allsegs[0]
    plt.close(fig)
    n = 0
    for a in re:
        for b in im:
            p, r = a[:-1, None, :], (a[1:] - a[:-1])[:, None, :]
            q, s = b[None, :-1, :], (b[1:] - b[:-1])[None, :, :]
            den = r[..., 0] * s[..., 1] - r[..., 1] * s[..., 0]
            qp = q - p
            with np.errstate(divide="ignore", invalid="ignore"):
                t = (qp[..., 0] * s[..., 1] - qp[..., 1] * s[..., 0]) / den
                u = (qp[..., 0] * r[..., 1] - qp[..., 1] * r[..., 0]) / den
            n += int(np.count_nonzero((den != 0) & (t > 0) & (t <= 1) & (u > 0) & (u <= 1)))
    return n

def stevens_roi(n, area):
    # Stevens' ROI(): rows/cols from the matrix index of sheet point
    # (0.5, 0.5) -- the top row and right column of the central 1x1 area.
    density = n / area
    top = int(np.floor((area / 2 - 0.5) * density))
    right = int(np.floor((0.5 + area / 2) * density))
    return slice(top, right + 1)

def variants(path, t, area):
    with h5py.File(path, "r") as f:
        g = f["analysis"][t]["V1"]
        pref = g["OrientationPreference"][...] / np.pi
        ours = (int(g["pinwheel_count"][0]), float(g["kmax"][0]))
    out = []
    regions = [("whole map", slice(None))]
    if area > 1.0:
        roi = stevens_roi(pref.shape[0], area)
        regions.append(("central 1x1 ROI", roi))
        if (roi.stop - roi.start) % 2 == 0:
            # featuremapper measures wavenumbers of an even map from one
            # pixel off its DC term; the ROI one unit smaller is odd.
            regions.append(("odd ROI", slice(roi.start, roi.stop - 1)))
    for label, roi in regions:
        m = pref[roi, roi]
        amps, centres = rings(power(m))
        ks = np.arange(len(amps), dtype=float)
        cnt = mpl_pinwheels(m)
        k_fm, n_fm = kmax_of(ks, amps, fm_init(ks, amps))
        k_st, n_st = kmax_of(ks, amps, STEVENS_INIT)
        k_c, n_c = kmax_of(centres, amps, fm_init(centres, amps))
        out.append({"region": f"{label} {m.shape[0]}x{m.shape[1]}", "ours": ours if label == "whole map" else None,
                    "count": cnt, "fm": (k_fm, n_fm), "st": (k_st, n_st), "c": (k_c, n_c)})
    return out

have = [r for r in ok if r["rows"]]
if have:
    w("## The same maps, analysed as Stevens et al. 2013 and variants\n")
    w("Final maps of each seed. `ours`: the run's own numbers (HDF5). The rest is")
    w("recomputed here in numpy/scipy/matplotlib from the stored preference map:")
    w("*fm*: featuremapper's PowerSpectrumAnalysis (automatic `init_fit`), scipy")
    w("`curve_fit`; *Stevens init*: the same with `init_fit = [0.35, 3.8, 1.3, 0.15,")
    w("-0.003, 0]` (jn13 `analysis.py`); *bin centres*: the fit placed at each")
    w("wavenumber bin's mean pixel distance instead of its lower edge `k`.")
    w("Pinwheels: *mpl* counts crossings of matplotlib's zero contours of Re/Im")
    w("exp(2πi·pref) (the featuremapper/Stevens method with another contour")
    w("tracer). Density = pinwheels / kmax².\n")
    w("| seed | region | pinwheels ours / mpl | kmax ours | kmax fm | kmax Stevens init | kmax bin centres | density ours | density fm (mpl count) | density Stevens init | density bin centres |")
    w("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    dens = {"ours": [], "fm": [], "st": [], "c": []}
    for r in have:
        d = os.path.join(runs, f"seed{r['seed']}")
        h5 = [p for p in glob.glob(os.path.join(d, "out", "*", "*.h5")) if "snapshot" not in p][0]
        import json as _json
        area = float(_json.loads(r["params"] or "{}").get("area", 1.0))
        t = f"{r['rows'][-1]['time']:09.2f}"
        for v in variants(h5, t, area):
            cnt = v["count"]
            def kk(x):
                return f"{x[0]:.3f}" + (f" ({x[1]})" if x[1] else "")
            if v["ours"]:
                oc, ok_ = v["ours"]
                od = f"{oc / ok_ ** 2:.3f}"
                oc_s, ok_s = str(oc), f"{ok_:.3f}"
                dens["ours"].append(oc / ok_ ** 2)
            else:
                od = oc_s = ok_s = "–"
            row_d = [cnt / v[key][0] ** 2 for key in ("fm", "st", "c")]
            if v["region"].startswith("whole") or area > 1.0 and v["region"].startswith("central"):
                pass
            w(f"| {r['seed']} | {v['region']} | {oc_s} / {cnt} | {ok_s} | {kk(v['fm'])} | {kk(v['st'])} | {kk(v['c'])} | {od} | "
              f"{row_d[0]:.3f} | {row_d[1]:.3f} | {row_d[2]:.3f} |")
            key_region = "central" if area > 1.0 else "whole"
            # (the odd ROI is shown, not averaged)
            if v["region"].startswith(key_region):
                for key, x in zip(("fm", "st", "c"), row_d):
                    dens[key].append(x)
    w("")
    def ms(xs):
        return f"{statistics.mean(xs):.3f} ± {statistics.stdev(xs):.3f}" if len(xs) > 1 else (f"{xs[0]:.3f}" if xs else "–")
    w(f"Density means ± sd over seeds (fm, Stevens init, bin centres on Stevens' region: the "
      f"central 1×1 ROI when the sheet is larger than 1×1, else the whole map): ours (whole map) {ms(dens['ours'])}; "
      f"fm {ms(dens['fm'])}; Stevens init {ms(dens['st'])}; bin centres {ms(dens['c'])}.\n")

# ---------------------------------------------------------------------------
# Grating scale (`benches/pinwheels.sh scale`): featuremapper's default 0.3
# against Stevens et al. 2013's 1.0, on the same trained network.
probes = [(r, os.path.join(runs, "scale-probe", f"seed{r['seed']}.json")) for r in have]
probes = [(r, p) for r, p in probes if os.path.exists(p)]
if probes:
    import json as _json
    w("## Grating scale 0.3 (featuremapper) against 1.0 (Stevens et al. 2013)\n")
    w("`benches/pinwheels.sh scale` trains each seed again to the last time and")
    w("measures V1's map twice, with featuremapper's gratings at scale 0.3 and at")
    w("scale 1.0 (jn13 `OR_measurement`: `measure_sine_pref(scale=1.0)`); the")
    w("scale-0.3 map is checked to equal the run's stored map. Whole map, fm fit")
    w("with our acceptance rule (a refused fit falls back to the arg-max, as our")
    w("pipeline does), mpl pinwheel count.\n")
    w("| seed | 0.3 map = run's map | mean / max abs Δθ (°) | units with abs Δθ > 10° | pinwheels 0.3 / 1.0 | kmax 0.3 / 1.0 | density 0.3 / 1.0 | note |")
    w("|---|---|---:|---:|---:|---:|---:|---|")
    d03, d10 = [], []
    for r, p in probes:
        j = _json.load(open(p))
        shape = (j["rows"], j["cols"])
        a = np.array(j["scale_0.3"]).reshape(shape)
        b = np.array(j["scale_1.0"]).reshape(shape)
        d = os.path.join(runs, f"seed{r['seed']}")
        h5 = [q for q in glob.glob(os.path.join(d, "out", "*", "*.h5")) if "snapshot" not in q][0]
        with h5py.File(h5, "r") as f:
            stored = f["analysis"][f"{j['time']:09.2f}"]["V1"]["OrientationPreference"][...]
        same = "yes" if np.array_equal(a, stored) else f"no (max diff {np.abs(a - stored).max():.2e})"
        dt = np.abs(a - b)
        dt = np.degrees(np.minimum(dt, np.pi - dt))
        res = []
        for m in (a / np.pi, b / np.pi):
            amps, _ = rings(power(m))
            ks = np.arange(len(amps), dtype=float)
            k, note = kmax_of(ks, amps, fm_init(ks, amps), ours=True)
            c = mpl_pinwheels(m)
            res.append((c, k, c / k ** 2, note))
        d03.append(res[0][2])
        d10.append(res[1][2])
        notes = "; ".join(f"scale {sc}: {x[3]}" for sc, x in zip(("0.3", "1.0"), res) if x[3])
        w(f"| {r['seed']} | {same} | {dt.mean():.2f} / {dt.max():.1f} | {100 * (dt > 10).mean():.1f} % | "
          f"{res[0][0]} / {res[1][0]} | {res[0][1]:.3f} / {res[1][1]:.3f} | {res[0][2]:.3f} / {res[1][2]:.3f} | {notes} |")
    w("")
    w(f"Density mean ± sd: scale 0.3 {ms(d03)}, scale 1.0 {ms(d10)}.\n")

# ---------------------------------------------------------------------------
# Calibration: random orientation maps whose wavenumber is known. The angle
# of a complex Gaussian random field with a ring spectrum (Gaussian profile
# around k0 cycles per map, sd 0.5) is an orientation map with mean
# wavenumber kbar (of the field's power); its pinwheel density per kbar^2 is
# pi <k^2>/kbar^2 (~pi) in an infinite map. Fixed numpy seed: reproducible.
w("## Calibration: maps of known wavenumber\n")
w("Orientation maps made as the angle of a complex Gaussian random field on a")
w("47×47 grid with a ring spectrum of known mean wavenumber k̄ (Gaussian ring")
w("around k0, sd 0.5 cycles per map; numpy seed 1; 30 maps per k0), analysed")
w("with the same functions as above. For such maps the pinwheel count is")
w("π⟨k²⟩ per map (Berry & Dennis 2000; fewer here because contours stop at")
w("the map's edge), so count/k̄² ≈ π. *fit − k̄* is the median error of kmax.")
w("Fits our rule refuses (a0 ≤ 0 or a1 beyond the last wavenumber) or scipy")
w("cannot do are left out of the medians and counted in *refused*.\n")
w("| k0 | k̄ | pinwheels (π⟨k²⟩) | count/k̄² | fm: fit − k̄ (refused) | density fm | Stevens init: fit − k̄ (refused) | bin centres: fit − k̄ (refused) | density bin centres |")
w("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
rng = np.random.default_rng(1)
N = 47
fq = np.fft.fftfreq(N) * N
KX, KY = np.meshgrid(fq, fq)
K = np.hypot(KX, KY)
for k0 in (3.5, 4.25, 5.0):
    filt = np.exp(-(K - k0) ** 2 / (2 * 0.5 ** 2))
    wt = filt ** 2
    kbar = float((K * wt).sum() / wt.sum())
    k2 = float((K ** 2 * wt).sum() / wt.sum())
    cnts, fits = [], {"fm": [], "st": [], "c": []}
    for _ in range(30):
        noise = rng.normal(size=(N, N)) + 1j * rng.normal(size=(N, N))
        pref01 = (np.angle(np.fft.ifft2(np.fft.fft2(noise) * filt)) / (2 * np.pi)) % 1.0
        cnt = mpl_pinwheels(pref01)
        cnts.append(cnt)
        amps, centres = rings(power(pref01))
        ks = np.arange(len(amps), dtype=float)
        for key, (xs, init) in {"fm": (ks, fm_init(ks, amps)), "st": (ks, STEVENS_INIT),
                                "c": (centres, fm_init(centres, amps))}.items():
            kf, note = kmax_of(xs, amps, init)
            fits[key].append((kf, cnt, note == ""))
    def med(key):
        good = [(k, c) for k, c, g in fits[key] if g]
        bad = len(fits[key]) - len(good)
        return (f"{np.median([k - kbar for k, _ in good]):+.3f} ({bad})",
                f"{np.median([c / k ** 2 for k, c in good]):.3f}")
    fm_, st_, c_ = med("fm"), med("st"), med("c")
    w(f"| {k0} | {kbar:.3f} | {np.mean(cnts):.1f} ({np.pi * k2:.1f}) | {np.mean(cnts) / kbar ** 2:.3f} | "
      f"{fm_[0]} | {fm_[1]} | {st_[0]} | {c_[0]} | {c_[1]} |")
w("\n(Densities are medians over the maps whose fit was accepted.)\n")
open(report, "w").write("\n".join(out) + "\n")
print(f"wrote {report}")
EOF
