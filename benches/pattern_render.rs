//! GCAL's input pattern per iteration at cortex_density 48 (issue 14,
//! session 11 "pattern"): the Retina's `imagen.Composite` of two
//! Gaussians, whose x, y and orientation are time-dependent
//! `numbergen.UniformRandom` draws (each draw reseeds a Python
//! `random.Random` with `init_by_array`), rendered over the block one rank
//! of a 2-rank run renders (rows 0..47 of the 78x78 retina) and over the
//! whole retina.
//!
//! The variants (the stream's switches all off = the code before, all on
//! = the default, and each switch alone off) alternate in blocks of
//! renders at new times (a time-dependent draw is a function of the time
//! alone, so every block does the same work; the same time twice would
//! hit param.Dynamic's cache). The best and the median block of each are
//! printed, in microseconds per render (thread CPU time, which other
//! processes on the machine do not inflate). Before timing, every variant
//! renders the same times and the bits are compared.
//!
//! Environment: `TOPO_PAT_ROUNDS` (default 15), `TOPO_PAT_RENDERS` (per
//! block, default 200), `TOPO_PAT_VARIANTS` (time only the variants whose
//! names contain one of these comma-separated words; default all).
//! Run: `cargo bench --bench pattern_render`.

mod common;

use std::time::Instant;
use topo_numbergen::Streams;
use topo_pattern::pattern::{render, Overrides, Region};
use topo_pattern::SheetCoords;
use topo_spec::{Component, ModelSpec, Time};

/// A variant: its name and how to set the switches for it.
struct Variant {
    name: &'static str,
    set: fn(),
}

fn switches(fast_seed: bool, fast_gaussians: bool) {
    topo_numbergen::mt::set_fast_seed_off(!fast_seed);
    topo_numbergen::streams::set_batch_seed_off(!fast_seed);
    topo_pattern::pattern::set_fast_gaussians_off(!fast_gaussians);
}

const VARIANTS: &[Variant] = &[
    Variant {
        name: "before (all switches off)",
        set: || switches(false, false),
    },
    Variant {
        name: "after (all on, default)",
        set: || switches(true, true),
    },
    Variant {
        name: "after but mt fast_seed and batch_seed off",
        set: || switches(false, true),
    },
    Variant {
        name: "after but streams batch_seed off",
        set: || {
            switches(true, true);
            topo_numbergen::streams::set_batch_seed_off(true);
        },
    },
    Variant {
        name: "after but pattern fast_gaussians off",
        set: || switches(true, false),
    },
];

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The Retina's pattern and coordinates, and fresh streams as
/// `Network::build` makes them.
fn retina(spec: &ModelSpec) -> (Component, SheetCoords) {
    let s = spec
        .sheets
        .iter()
        .find(|s| s.name == "Retina")
        .expect("GCAL has a Retina");
    let coords = topo_sim::sheet_coords(s).expect("retina coordinates");
    let pattern = match s.component.get("input_generator") {
        Some(topo_spec::Value::Object(c)) => (**c).clone(),
        other => panic!("Retina input_generator: {other:?}"),
    };
    (pattern, coords)
}

fn streams(spec: &ModelSpec) -> Streams {
    Streams::new(spec.shared_random_seed.as_deref())
        .with_random_seed(spec.param_random_seed.0)
        .with_user_classes(std::sync::Arc::new(spec.user_classes.clone()))
}

/// Thread CPU time in seconds.
fn thread_cpu() -> f64 {
    let mut ts = libc_timespec { sec: 0, nsec: 0 };
    // SAFETY: clock_gettime writes one timespec into `ts`.
    unsafe { clock_gettime(3, &mut ts) }; // CLOCK_THREAD_CPUTIME_ID
    ts.sec as f64 + ts.nsec as f64 * 1e-9
}

#[repr(C)]
struct libc_timespec {
    sec: i64,
    nsec: i64,
}

extern "C" {
    fn clock_gettime(clock: i32, ts: *mut libc_timespec) -> i32;
}

fn render_at(
    pattern: &Component,
    coords: &SheetCoords,
    region: Region,
    st: &mut Streams,
    t: i64,
    out: &mut [f64],
) {
    render(
        pattern,
        &Overrides::default(),
        coords,
        region,
        st,
        Time::from_int(t),
        out,
    )
    .expect("render");
}

fn main() {
    let spec = common::gcal_spec(48);
    let (pattern, coords) = retina(&spec);
    let rounds = env_usize("TOPO_PAT_ROUNDS", 15);
    let renders = env_usize("TOPO_PAT_RENDERS", 200);
    let regions = [
        (
            "rank 0 of 2 (rows 0..47)",
            Region {
                r0: 0,
                r1: 47.min(coords.rows()),
                c0: 0,
                c1: coords.cols(),
            },
        ),
        ("whole retina", Region::whole(&coords)),
    ];
    println!(
        "# pattern_render: retina {}x{}, {} rounds x {} renders, load {}",
        coords.rows(),
        coords.cols(),
        rounds,
        renders,
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );
    for (label, region) in regions {
        // Bits: every variant renders the same times.
        let mut reference: Option<Vec<f64>> = None;
        for v in VARIANTS {
            (v.set)();
            let mut st = streams(&spec);
            let mut all = Vec::new();
            let mut out = vec![0.0; region.len()];
            for t in 1..=50 {
                render_at(&pattern, &coords, region, &mut st, t, &mut out);
                all.extend_from_slice(&out);
            }
            match &reference {
                None => reference = Some(all),
                Some(r) => assert!(
                    r.iter().zip(&all).all(|(a, b)| a.to_bits() == b.to_bits()),
                    "{}: bits differ from the first variant",
                    v.name
                ),
            }
        }
        let wanted: Vec<String> = std::env::var("TOPO_PAT_VARIANTS")
            .map(|v| v.split(',').map(str::to_string).collect())
            .unwrap_or_default();
        let timed =
            |v: &Variant| wanted.is_empty() || wanted.iter().any(|w| v.name.contains(w.as_str()));
        let mut times: Vec<Vec<f64>> = vec![Vec::new(); VARIANTS.len()];
        let mut st = streams(&spec);
        let mut out = vec![0.0; region.len()];
        let mut t = 1000;
        for round in 0..rounds {
            for k in 0..VARIANTS.len() {
                let vi = (k + round) % VARIANTS.len();
                if !timed(&VARIANTS[vi]) {
                    continue;
                }
                (VARIANTS[vi].set)();
                let (c0, w0) = (thread_cpu(), Instant::now());
                for _ in 0..renders {
                    t += 1;
                    render_at(&pattern, &coords, region, &mut st, t, &mut out);
                }
                let _wall = w0.elapsed();
                times[vi].push((thread_cpu() - c0) / renders as f64 * 1e6);
            }
        }
        println!("## {label}: {} pixels", region.len());
        for (v, ts) in VARIANTS.iter().zip(&mut times) {
            if ts.is_empty() {
                continue;
            }
            ts.sort_by(f64::total_cmp);
            println!(
                "{:<40} best {:8.2} us  median {:8.2} us per render",
                v.name,
                ts[0],
                ts[ts.len() / 2]
            );
        }
    }
    (VARIANTS[1].set)();
}
