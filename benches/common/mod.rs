//! What the GCAL benches share: loading examples/gcal_class.ty at a cortex
//! density, building it on one process, thread pools of a given size, and
//! counting the connection weights one iteration touches.

#![allow(dead_code)] // each bench uses a different subset

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use topo_sim::exchange::{LocalExchange, WholeSheets};
use topo_sim::projection::LearningKind;
use topo_sim::{Network, Probe};
use topo_spec::{ModelSpec, Time};

/// The class-based GCAL model at `cortex_density` (other globals default).
pub fn gcal_spec(cortex_density: u32) -> ModelSpec {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/gcal_class.ty");
    topo_lang::load_model(
        &path,
        &[("cortex_density".to_string(), cortex_density.to_string())],
    )
    .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The whole network on this one process, with the exchange its halos
/// were registered in (running needs that same exchange).
pub fn build(spec: &ModelSpec) -> (Network, LocalExchange) {
    let mut ex = LocalExchange::new();
    let net = Network::build(spec, &WholeSheets, &mut ex)
        .unwrap_or_else(|e| panic!("building GCAL: {e}"));
    (net, ex)
}

/// A rayon pool of exactly `threads` threads (the global pool can be set
/// only once per process, so each measurement installs its own).
pub fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap_or_else(|e| panic!("rayon pool of {threads}: {e}"))
}

/// Seconds `f` takes run inside `pool`, timed on the pool's thread that
/// runs it. Timing around `pool.install` would add the hand-over from the
/// calling thread (outside the pool) to a worker, which must be woken:
/// ~10 µs per call on this machine, as much as a whole push at
/// cortex_density 48 (benches/RESULTS.md, issue 14 session 11). The
/// engine's stepping thread is a worker of its own pool and never pays it.
pub fn time_in(pool: &rayon::ThreadPool, f: impl FnOnce() + Send) -> f64 {
    pool.install(|| {
        let t0 = std::time::Instant::now();
        f();
        t0.elapsed().as_secs_f64()
    })
}

/// Thread counts to measure: 1 and every core of the machine (capped at 2
/// unless `TOPO_BENCH_THREADS` lists them, e.g. `1,2,4`).
pub fn thread_counts() -> Vec<usize> {
    if let Ok(s) = std::env::var("TOPO_BENCH_THREADS") {
        return s.split(',').filter_map(|t| t.trim().parse().ok()).collect();
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if cores > 1 {
        vec![1, 2]
    } else {
        vec![1]
    }
}

/// Connection weights touched by a stretch of simulation.
#[derive(Clone, Copy, Debug, Default)]
pub struct WeightCount {
    /// Weights read by projection responses: every delivery of input to a
    /// projection reads each weight of its (cropped) CFs once.
    pub response: f64,
    /// Of those, the weights whose input value was non-zero (the products
    /// that can change a sum; counted from the source sheet's activity
    /// when it sent its output).
    pub response_nonzero: f64,
    /// Of those, the weights inside each input row's non-zero column span
    /// (first to last non-zero value of the row): what a kernel that skips
    /// the zero ends of every CF row would still read.
    pub response_span: f64,
    /// Weights updated by learning: every weight of each plastic CF whose
    /// unit had non-zero activity when its sheet learned (the Hebbian
    /// update skips silent units; the normalisation after it visits the
    /// same weights again, which is not counted).
    pub learning: f64,
    /// Projection deliveries (responses computed).
    pub deliveries: usize,
    /// `response` counted per source activation instead of per delivery:
    /// equal to it when the sparsity counts cover every delivery.
    pub response_by_activation: f64,
}

impl WeightCount {
    /// Responses and learning together.
    pub fn total(&self) -> f64 {
        self.response + self.learning
    }
}

/// What the counter needs to know about one projection.
struct ProjInfo {
    dest: String,
    src: String,
    /// Source sheet columns.
    src_cols: usize,
    /// Each unit's CF slice `[r1, r2, c1, c2]` in source sheet rows/columns.
    slices: Vec<[usize; 4]>,
    /// Sum of the CF sizes.
    size: usize,
    /// Each unit's CF size.
    sizes: Vec<usize>,
    /// Learns (plastic, own weights).
    plastic: bool,
}

fn proj_infos(net: &Network) -> HashMap<String, ProjInfo> {
    net.projection_names()
        .into_iter()
        .map(|(dest, name)| {
            let p = net.projection(&dest, &name).expect("listed projection");
            let sizes: Vec<usize> = (0..p.cfs.len())
                .map(|u| {
                    let (r, c) = p.cfs.unit_shape(u);
                    r * c
                })
                .collect();
            let src = p.spec.src.clone();
            let (_, src_cols) = net.sheet_shape(&src).expect("source sheet");
            let info = ProjInfo {
                dest: dest.clone(),
                src,
                src_cols,
                slices: p.cfs.slices.clone(),
                size: sizes.iter().sum(),
                sizes,
                plastic: p.learning != LearningKind::None && p.cfs.shared.is_none(),
            };
            (format!("{dest}.{name}"), info)
        })
        .collect()
}

/// `(non-zero weights, weights in non-zero row spans)` of one response of
/// `p` to the whole-sheet `activity`, from per-row prefix counts.
fn sparse_work(p: &ProjInfo, activity: &[f64]) -> (f64, f64) {
    let cols = p.src_cols;
    let rows = activity.len() / cols.max(1);
    let mut prefix = vec![0usize; rows * (cols + 1)];
    let mut span = vec![(0usize, 0usize); rows];
    for i in 0..rows {
        let row = &activity[i * cols..(i + 1) * cols];
        let pre = &mut prefix[i * (cols + 1)..(i + 1) * (cols + 1)];
        for (j, v) in row.iter().enumerate() {
            pre[j + 1] = pre[j] + usize::from(*v != 0.0);
        }
        if let (Some(a), Some(b)) = (
            row.iter().position(|v| *v != 0.0),
            row.iter().rposition(|v| *v != 0.0),
        ) {
            span[i] = (a, b + 1);
        }
    }
    let (mut nonzero, mut in_span) = (0usize, 0usize);
    for &[r1, r2, c1, c2] in &p.slices {
        for i in r1..r2.min(rows) {
            let pre = &prefix[i * (cols + 1)..(i + 1) * (cols + 1)];
            nonzero += pre[c2.min(cols)] - pre[c1.min(cols)];
            let (a, b) = span[i];
            in_span += b.min(c2).saturating_sub(a.max(c1));
        }
    }
    (nonzero as f64, in_span as f64)
}

/// Runs `iterations` iterations with a recorder and counts the weights
/// they touch (averaged per iteration).
pub fn count_weights(net: &mut Network, ex: &mut LocalExchange, iterations: u32) -> WeightCount {
    let infos = Arc::new(proj_infos(net));
    let count = Arc::new(Mutex::new(WeightCount::default()));
    let (c, pi) = (count.clone(), infos.clone());
    net.set_recorder(Some(Box::new(move |p: &Probe<'_>| {
        let mut c = c.lock().expect("counter");
        match p {
            Probe::Delivered { proj, dest, .. } => {
                if let Some(info) = pi.get(&format!("{dest}.{proj}")) {
                    c.response += info.size as f64;
                    c.deliveries += 1;
                }
            }
            Probe::Activated {
                sheet, activity, ..
            } => {
                // Every outgoing projection receives this activity (GCAL
                // holds back no port); the sparsity of what it will read.
                for info in pi.values().filter(|i| i.src == *sheet) {
                    if activity.len() % info.src_cols.max(1) == 0 {
                        let (nz, span) = sparse_work(info, activity);
                        c.response_nonzero += nz;
                        c.response_span += span;
                    } else {
                        c.response_nonzero += info.size as f64;
                        c.response_span += info.size as f64;
                    }
                    c.response_by_activation += info.size as f64;
                }
            }
            Probe::Learned {
                sheet, activity, ..
            } => {
                for info in pi.values().filter(|i| i.dest == *sheet && i.plastic) {
                    c.learning += info
                        .sizes
                        .iter()
                        .zip(activity.iter())
                        .filter(|(_, &y)| y != 0.0)
                        .map(|(&n, _)| n)
                        .sum::<usize>() as f64;
                }
            }
        }
    })));
    net.run(Time::from_int(iterations.into()), ex)
        .unwrap_or_else(|e| panic!("run: {e}"));
    net.set_recorder(None);
    let c = *count.lock().expect("counter");
    let n = f64::from(iterations.max(1));
    WeightCount {
        response: c.response / n,
        response_nonzero: c.response_nonzero / n,
        response_span: c.response_span / n,
        learning: c.learning / n,
        deliveries: c.deliveries / iterations.max(1) as usize,
        response_by_activation: c.response_by_activation / n,
    }
}

/// CPU seconds used so far by all threads of this process (scheduler
/// statistics, nanosecond resolution): under load from other processes
/// this still measures the work done, where wall-clock time does not.
pub fn process_cpu_seconds() -> f64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return f64::NAN;
    };
    tasks
        .filter_map(Result::ok)
        .filter_map(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .sum::<f64>()
        * 1e-9
}

/// The machine's CPU model (first `model name` of /proc/cpuinfo).
pub fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".to_string())
}

/// Wall time of one stretch of simulation split by what the event loop
/// was doing, from the recorder's probes: each interval between two
/// probes is charged to the response of the projection whose `Delivered`
/// probe opened it (for the last delivery before a sheet activates this
/// includes that sheet's combining of its projections and its output
/// functions), to a sheet's learning and normalisation if it closes with
/// that sheet's `Learned` probe, and to a generator's pattern if it
/// closes with the generator's `Activated` probe. Recorder overhead
/// (one small vector per activation) is included.
pub fn phase_times(
    net: &mut Network,
    ex: &mut LocalExchange,
    iterations: u32,
) -> Vec<(String, f64, usize)> {
    type Phases = HashMap<String, (f64, usize)>;
    let state: Arc<Mutex<(Instant, Option<String>, Phases)>> =
        Arc::new(Mutex::new((Instant::now(), None, HashMap::new())));
    let st = state.clone();
    net.set_recorder(Some(Box::new(move |p: &Probe<'_>| {
        let now = Instant::now();
        let mut g = st.lock().expect("phases");
        let (t0, open, phases) = &mut *g;
        let dt = now.duration_since(*t0).as_secs_f64();
        let name = match (p, open.as_ref()) {
            (Probe::Learned { sheet, .. }, _) => format!("{sheet} learning + normalisation"),
            (Probe::Activated { sheet, .. }, None) => format!("{sheet} pattern / activation"),
            (_, Some(o)) => o.clone(),
            (_, None) => "other".to_string(),
        };
        let e = phases.entry(name).or_default();
        e.0 += dt;
        if matches!(p, Probe::Learned { .. }) || open.is_some() {
            e.1 += 1;
        }
        *open = match p {
            Probe::Delivered { proj, dest, .. } => Some(format!("{dest}.{proj} response")),
            _ => None,
        };
        *t0 = Instant::now();
    })));
    state.lock().expect("phases").0 = Instant::now();
    net.run(Time::from_int(iterations.into()), ex)
        .unwrap_or_else(|e| panic!("run: {e}"));
    net.set_recorder(None);
    let g = state.lock().expect("phases");
    let n = f64::from(iterations.max(1));
    let mut v: Vec<(String, f64, usize)> =
        g.2.iter()
            .map(|(k, (t, c))| (k.clone(), t / n, *c / iterations.max(1) as usize))
            .collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1));
    v
}

/// Read bandwidth in bytes/s of a streaming sum over `bytes` of f32 on
/// `threads` threads (best of `reps` passes): the roofline the kernels are
/// compared with, measured in the same run and hence under the same load.
pub fn read_bandwidth(bytes: usize, threads: usize, reps: usize) -> f64 {
    use rayon::prelude::*;
    let n = bytes / 4;
    let data: Vec<f32> = (0..n).map(|i| (i % 7) as f32).collect();
    let pool = pool(threads);
    let mut best = f64::INFINITY;
    for _ in 0..reps {
        let t0 = Instant::now();
        let s: f32 = pool.install(|| {
            data.par_chunks(1 << 16)
                .map(|c| {
                    let mut acc = [0.0f32; 16];
                    for k in c.chunks_exact(16) {
                        for (a, x) in acc.iter_mut().zip(k) {
                            *a += *x;
                        }
                    }
                    acc.iter().sum::<f32>()
                })
                .sum()
        });
        std::hint::black_box(s);
        best = best.min(t0.elapsed().as_secs_f64());
    }
    (n * 4) as f64 / best
}

/// Weights stored by the network's own-weight projections plus the
/// shared kernels (f32 values).
pub fn stored_weights(net: &Network) -> f64 {
    net.projection_names()
        .into_iter()
        .map(|(d, n)| {
            let p = net.projection(&d, &n).expect("listed projection");
            (p.cfs.weights.len() + p.cfs.shared.as_ref().map_or(0, |k| k.weights.len())) as f64
        })
        .sum()
}

/// Lets every projection push sparse inputs (`on`, the default) or makes
/// them all pull (the engine as it was before the push path).
pub fn set_push(net: &mut Network, on: bool) {
    for (dest, name) in net.projection_names() {
        net.projection_mut(&dest, &name)
            .expect("listed projection")
            .push_off = !on;
    }
}

/// Makes every projection sync its per-source copy after learning by
/// bands in parallel (`Some(true)`), in unit order (`Some(false)`), or as
/// the engine chooses (`None`, the default).
pub fn set_sync_banded(net: &mut Network, on: Option<bool>) {
    for (dest, name) in net.projection_names() {
        net.projection_mut(&dest, &name)
            .expect("listed projection")
            .push_sync_banded = on;
    }
}

/// CPU nanoseconds of each live thread of this process, by thread id.
pub fn thread_cpu_ns() -> std::collections::HashMap<String, u64> {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return Default::default();
    };
    tasks
        .filter_map(Result::ok)
        .filter_map(|t| {
            let s = std::fs::read_to_string(t.path().join("schedstat")).ok()?;
            let ns = s.split_whitespace().next()?.parse().ok()?;
            Some((t.file_name().to_string_lossy().into_owned(), ns))
        })
        .collect()
}

/// CPU seconds since `before` of the threads alive then and now: threads
/// of a pool dropped meanwhile (whose time would vanish from a plain sum)
/// and threads started meanwhile do not count.
pub fn cpu_since(before: &std::collections::HashMap<String, u64>) -> f64 {
    thread_cpu_ns()
        .iter()
        .filter_map(|(t, &ns)| Some(ns.saturating_sub(*before.get(t)?)))
        .sum::<u64>() as f64
        * 1e-9
}
