//! `par_model_check`: run a model under `mpirun -n N` with the spatial
//! decomposition and write (on rank 0) a complete dump of its state at
//! given times: every sheet's activity, every projection's activity, every
//! unit's weights (a digest of their bits), weight sums and homeostatic
//! thresholds, all as exact bit patterns. After building, it also checks
//! that every halo fetches exactly the union of the local units' CF slices
//! outside the rank's block (no over-fetching). `tests/par_model.rs` compares the
//! dump of N ranks with the dump of one, byte for byte. A test-support
//! program, built as a Cargo example (see `Cargo.toml`), so that
//! `cargo install` does not install it with the product.
//!
//! Usage: `par_model_check MODEL --times 1,10,100 --out DUMP [-p name=value]
//! [--report] [--threads T] [--no-halo-sharing] [--no-overlap] [--split SPLIT]` where MODEL is a model file (.ty) or a
//! serialised `topo_spec::ModelSpec` (.json). With `--bench` instead of `--out`, nothing is
//! dumped and rank 0 prints one line of timings (used by benches before the
//! scaling study moved to `topo-hpc run` timing files, benches/scaling.sh).
//! `--split` chooses how sheets are split among ranks, as `TOPO_HPC_SPLIT`
//! does for `topo-hpc` (e.g. `rows-cyclic`, `V1=rows-cyclic:4`); it
//! overrides that variable. With `--bench`, every rank also prints its own
//! CPU seconds of the timed run (`cpu_s`), which shows the balance on a
//! loaded machine, its exchange time `exchange_s` and, of that, the time
//! waiting for messages `wait_s`. `--no-overlap` finishes every send's
//! halo exchanges at once instead of after the step's other work
//! (`Network::set_overlap`): the dump must not change.

use std::fmt::Write as _;
use topo_hpc::par::{self, Context};
use topo_sim::exchange::Exchange;
use topo_sim::Network;
use topo_spec::{ModelSpec, Time};

struct Options {
    spec: String,
    params: Vec<(String, String)>,
    times: Vec<i64>,
    out: String,
    report: bool,
    bench: bool,
    threads: Option<usize>,
    /// Every projection exchanges its own halo (to measure what sharing saves).
    no_halo_sharing: bool,
    /// Finish exchanges at once (`--no-overlap`).
    no_overlap: bool,
    /// How sheets are split (`--split`).
    split: Option<String>,
}

fn options(ctx: &Context) -> Options {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut o = Options {
        spec: String::new(),
        params: Vec::new(),
        times: vec![1],
        out: String::new(),
        report: false,
        bench: false,
        threads: None,
        no_halo_sharing: false,
        no_overlap: false,
        split: None,
    };
    let mut i = 0;
    let value = |i: usize| -> &str {
        args.get(i + 1)
            .map(String::as_str)
            .unwrap_or_else(|| ctx.fail(format!("{} needs a value", args[i])))
    };
    while i < args.len() {
        match args[i].as_str() {
            "--times" => {
                o.times = value(i)
                    .split(',')
                    .map(|t| t.trim().parse::<i64>())
                    .collect::<Result<_, _>>()
                    .unwrap_or_else(|e| ctx.fail(format!("--times: {e}")));
                i += 1;
            }
            "--out" => {
                o.out = value(i).to_string();
                i += 1;
            }
            "--threads" => {
                o.threads = Some(
                    value(i)
                        .parse()
                        .unwrap_or_else(|e| ctx.fail(format!("--threads: {e}"))),
                );
                i += 1;
            }
            "-p" => {
                let (name, v) = value(i)
                    .split_once('=')
                    .unwrap_or_else(|| ctx.fail("-p needs name=value"));
                o.params
                    .push((name.trim().to_string(), v.trim().to_string()));
                i += 1;
            }
            "--split" => {
                o.split = Some(value(i).to_string());
                i += 1;
            }
            "--report" => o.report = true,
            "--bench" => o.bench = true,
            "--no-halo-sharing" => o.no_halo_sharing = true,
            "--no-overlap" => o.no_overlap = true,
            s if !s.starts_with("--") && o.spec.is_empty() => o.spec = s.to_string(),
            other => ctx.fail(format!("unexpected argument {other}")),
        }
        i += 1;
    }
    if o.spec.is_empty() || (o.out.is_empty() && !o.bench) {
        ctx.fail("usage: par_model_check MODEL.ty [-p name=value] --times 1,10 --out DUMP");
    }
    o
}

/// FNV-1a over 64-bit words.
fn fnv(words: impl IntoIterator<Item = u64>) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for w in words {
        for b in w.to_le_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// A 52-bit digest as an exactly representable f64, so that it travels
/// through the f64 gather unchanged.
fn digest_value(h: u64) -> f64 {
    (h >> 12) as f64
}

/// Append `label` and the bit patterns of `values` to the dump.
fn dump(out: &mut String, label: &str, values: &[f64]) {
    let _ = write!(out, "{label} {}", values.len());
    for v in values {
        let _ = write!(out, " {:016x}", v.to_bits());
    }
    out.push('\n');
}

/// The whole state at the current time (collective).
fn snapshot(net: &Network, ex: &mut dyn Exchange, out: &mut String) -> Result<(), String> {
    let e = |e: topo_sim::SimError| e.to_string();
    let _ = writeln!(out, "time {}", net.time().to_f64());
    for name in net.sheet_names() {
        let act = net.gather_activity(&name, ex).map_err(e)?;
        dump(out, &format!("activity {name}"), &act);
        let (rows, cols) = net.sheet_shape(&name).map_err(e)?;
        let own = net.sheet_ownership(&name).map_err(e)?;
        if let Some(t) = net.thresholds(&name) {
            let t = ex.allgather_sheet(rows, cols, &own, t);
            dump(out, &format!("thresholds {name}"), &t);
        }
    }
    for (dest, name) in net.projection_names() {
        let p = net.projection(&dest, &name).map_err(e)?;
        let (rows, cols) = net.sheet_shape(&dest).map_err(e)?;
        let block = p.cfs.dest_units;
        let label = format!("{dest}.{name}");
        if p.activity.len() == block.len() {
            let a = ex.allgather_sheet(rows, cols, &block, &p.activity);
            dump(out, &format!("projection-activity {label}"), &a);
        }
        let cfs = &p.cfs;
        let digests: Vec<f64> = (0..cfs.len())
            .map(|u| {
                let (r, c) = cfs.unit_shape(u);
                let slice = cfs.slices[u].iter().map(|&v| v as u64);
                let weights = (0..r)
                    .flat_map(|i| (0..c).map(move |j| u64::from(cfs.weight_at(u, i, j).to_bits())));
                digest_value(fnv(slice.chain(weights)))
            })
            .collect();
        let d = ex.allgather_sheet(rows, cols, &block, &digests);
        dump(out, &format!("weight-digests {label}"), &d);
        let sums = net.weight_sums(&dest, &name).map_err(e)?;
        let s = ex.allgather_sheet(rows, cols, &block, &sums);
        dump(out, &format!("weight-sums {label}"), &s);
    }
    Ok(())
}

/// Projections whose halo does not fetch exactly the union of the local
/// units' CF slices outside this rank's source block (the issue's "no
/// over-fetching" criterion, checked on the engine's real slices).
fn overfetching(net: &Network, ex: &par::MpiExchange) -> Result<Vec<String>, String> {
    let e = |e: topo_sim::SimError| e.to_string();
    let names = net.sheet_names();
    let mut bad = Vec::new();
    for (dest, name) in net.projection_names() {
        let p = net.projection(&dest, &name).map_err(e)?;
        let Some(id) = p.halo else { continue };
        let own = net.sheet_ownership(&names[p.src]).map_err(e)?;
        let needed = p.cfs.needed;
        let mut cells = vec![false; needed.len()];
        for &[r1, r2, c1, c2] in &p.cfs.slices {
            for r in r1..r2 {
                for c in c1..c2 {
                    if !needed.contains(r, c) {
                        bad.push(format!("{dest}.{name}: slice outside needed"));
                    } else if !own.contains(r, c) {
                        cells[(r - needed.r0) * needed.cols() + (c - needed.c0)] = true;
                    }
                }
            }
        }
        let fetched = ex.plan(id).recv_units();
        // Dest units that are rows dealt in stripes read a bounding
        // rectangle with gaps between their CFs: the halo is then exactly
        // the rectangle's units owned elsewhere.
        let union = if p.cfs.dest_units.as_block().is_some() {
            cells.iter().filter(|&&x| x).count()
        } else {
            needed.len() - own.count_in(&needed)
        };
        if union != fetched {
            bad.push(format!(
                "{dest}.{name}: fetches {fetched} units, the CF slices outside the block hold {union}"
            ));
        }
    }
    Ok(bad)
}

/// A model file (.ty, with `-p` overrides) or a serialised spec (.json).
fn load(o: &Options) -> Result<ModelSpec, String> {
    if o.spec.ends_with(".json") {
        let text = std::fs::read_to_string(&o.spec).map_err(|e| format!("{}: {e}", o.spec))?;
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", o.spec))
    } else {
        topo_lang::load_model(std::path::Path::new(&o.spec), &o.params).map_err(|e| e.to_string())
    }
}

fn run(ctx: &Context, o: &Options) -> Result<String, String> {
    let spec = load(o)?;
    let start = std::time::Instant::now();
    // The sheets are split as --split, else TOPO_HPC_SPLIT, says (else the
    // default chosen from the spec, topo_hpc::balance).
    let split = match &o.split {
        Some(s) => par::SplitChoice::parse(s).map_err(|e| format!("--split {s}: {e}"))?,
        None => topo_hpc::balance::split_choice(&spec, ctx.size()).map_err(|e| e.to_string())?,
    };
    let lbrts: Vec<[f64; 4]> = par::model::model_geometry(&spec)
        .map_err(|e| e.to_string())?
        .iter()
        .map(|g| g.lbrt)
        .collect();
    let assignment =
        par::Assignment::new(ctx.size(), ctx.rank(), &lbrts, split).map_err(|e| e.to_string())?;
    let decomp = assignment.grid().clone();
    let mut ex = ctx.exchange();
    let mut net = Network::build(&spec, &assignment, &mut ex).map_err(|e| e.to_string())?;
    if o.no_halo_sharing {
        net.set_halo_sharing(false, &mut ex);
    }
    if o.no_overlap {
        net.set_overlap(false);
    }
    let build_s = ex.max(start.elapsed().as_secs_f64());
    let overfetch = overfetching(&net, &ex)?;
    if !ctx.all_ok(overfetch.is_empty()) {
        for m in &overfetch {
            eprintln!("rank {}: {m}", ctx.rank());
        }
        return Err("a halo plan does not match the CF slices".into());
    }
    if o.report {
        let sheets = par::model::model_geometry(&spec).map_err(|e| e.to_string())?;
        ctx.root_println(topo_hpc::session::report_with_shared_halos(
            &decomp, &sheets, &net, &ex,
        ));
    }
    let mut out = String::new();
    ex.reset_stats();
    let cpu0 = cpu_seconds();
    let start = std::time::Instant::now();
    for &t in &o.times {
        let dt = Time::from_int(t) - net.time();
        net.run(dt, &mut ex).map_err(|e| e.to_string())?;
        if !o.bench {
            snapshot(&net, &mut ex, &mut out)?;
        }
    }
    let run_s = start.elapsed().as_secs_f64();
    let cpu_s = cpu_seconds() - cpu0;
    let stats = ex.stats();
    if o.bench {
        eprintln!(
            "bench rank {}: run_s={run_s:.3} cpu_s={cpu_s:.3} exchange_s={:.3} wait_s={:.3}",
            ctx.rank(),
            stats.seconds,
            stats.wait_seconds
        );
    }
    // The slowest rank sets the pace; report its exchange time too.
    let run_s = ex.max(run_s);
    let exchange_s = ex.max(stats.seconds);
    let iterations = o.times.last().copied().unwrap_or(0).max(1) as f64;
    ctx.root_println(format!(
        "bench ranks={} threads={} build_s={build_s:.3} run_s={run_s:.3} \
         s_per_iteration={:.5} exchange_s_max={exchange_s:.3} exchange_share={:.3} \
         exchanges={} values_received_rank0={} values_on_wire_rank0={} sparse_messages_rank0={}",
        ctx.size(),
        rayon::current_num_threads(),
        run_s / iterations,
        exchange_s / run_s.max(1e-12),
        stats.calls,
        stats.units_received,
        stats.values_on_wire,
        stats.sparse_messages
    ));
    Ok(out)
}

/// This process's user + system CPU seconds so far (`/proc/self/stat`,
/// fields utime and stime in clock ticks of 1/100 s on Linux); 0 where
/// unavailable.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the command name (which may hold spaces) in parentheses.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let tick = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (tick(11) + tick(12)) / 100.0
}

fn main() {
    let ctx = Context::init();
    let o = options(&ctx);
    par::configure_threads(o.threads).unwrap_or_else(|e| ctx.fail(e));
    let out = run(&ctx, &o).unwrap_or_else(|e| ctx.fail(e));
    if ctx.is_root() && !o.bench {
        std::fs::write(&o.out, out).unwrap_or_else(|e| ctx.fail(format!("{}: {e}", o.out)));
    }
    ctx.barrier();
}
