//! `par_selftest`: checks the MPI parallel layer on a synthetic activity
//! field, run under `mpirun -n N` by `tests/par_mpi.rs`. A test-support
//! program, built as a Cargo example (see `Cargo.toml`), so that
//! `cargo install` does not install it with the product.
//!
//! Every unit of every sheet carries a value that is a known function of
//! its global row and column (and the "time" of the exchange), so each
//! rank can check every value it receives: halos of several widths
//! (including wider than a neighbour's block, and the whole sheet), a
//! cross-sheet halo like an afferent projection's, arbitrary and empty
//! rectangles, sheets with fewer rows than ranks, and the collectives
//! (`max`, `argmax` with ties, `allgather_sheet`). Exits non-zero on any
//! mismatch.
//!
//! Options: `--report` prints the decomposition report; `--panic-rank K`
//! panics on rank K (on a rayon worker thread with `--panic-in-worker`);
//! `--fail-rank K` ends the job through `Context::fail` on rank K, and
//! `--fail-all` on every rank. Those test that a failure ends the whole job.

use rayon::prelude::*;
use topo_hpc::par::{decomposition_report, Context, GridDecomposition, SheetGeometry};
use topo_sim::exchange::{Block, Decomposition, Exchange, HaloId};

/// The value of unit (r, c) of sheet `s` at exchange `t`: distinct for
/// every unit and exact in f64.
fn field(s: usize, r: usize, c: usize, t: usize) -> f64 {
    (s * 1_000_000 + r * 1000 + c) as f64 + t as f64 * 0.25
}

/// A field full of ties, for argmax.
fn tied(s: usize, r: usize, c: usize) -> f64 {
    ((r * 7 + c * 13 + s) % 5) as f64
}

fn grow(b: Block, h: usize, rows: usize, cols: usize) -> Block {
    if b.is_empty() {
        return b;
    }
    Block {
        r0: b.r0.saturating_sub(h),
        r1: (b.r1 + h).min(rows),
        c0: b.c0.saturating_sub(h),
        c1: (b.c1 + h).min(cols),
    }
}

/// The rectangle of sheet `to` under block `b` of sheet `from`, grown by
/// `radius` sheet units (as an afferent projection's CFs would need).
fn project(b: Block, from: &SheetGeometry, to: &SheetGeometry, radius: f64) -> Block {
    if b.is_empty() {
        return b;
    }
    let dfrom = from.cols as f64 / (from.lbrt[2] - from.lbrt[0]);
    let dto = to.cols as f64 / (to.lbrt[2] - to.lbrt[0]);
    let (x0, x1) = (
        from.lbrt[0] + b.c0 as f64 / dfrom - radius,
        from.lbrt[0] + b.c1 as f64 / dfrom + radius,
    );
    let (y0, y1) = (
        from.lbrt[3] - b.r0 as f64 / dfrom + radius,
        from.lbrt[3] - b.r1 as f64 / dfrom - radius,
    );
    let clampi = |v: f64, n: usize| v.max(0.0).min(n as f64) as usize;
    Block {
        r0: clampi(((to.lbrt[3] - y0) * dto).floor(), to.rows),
        r1: clampi(((to.lbrt[3] - y1) * dto).ceil(), to.rows),
        c0: clampi(((x0 - to.lbrt[0]) * dto).floor(), to.cols),
        c1: clampi(((x1 - to.lbrt[0]) * dto).ceil(), to.cols),
    }
}

fn sheets() -> Vec<SheetGeometry> {
    let sq = |name: &str, r: f64, n: usize| SheetGeometry {
        name: name.into(),
        rows: n,
        cols: n,
        lbrt: [-r, -r, r, r],
    };
    vec![
        sq("Retina", 1.64583, 78),
        sq("LGNOn", 1.27083, 60),
        sq("V1", 0.5, 8),
        // Fewer rows than most rank counts: some blocks are empty.
        sq("Tiny", 0.5, 3),
        SheetGeometry {
            name: "Wide".into(),
            rows: 10,
            cols: 20,
            lbrt: [-1.0, -0.5, 1.0, 0.5],
        },
    ]
}

struct Options {
    report: bool,
    panic_rank: Option<usize>,
    panic_in_worker: bool,
    fail_rank: Option<usize>,
    fail_all: bool,
}

fn options(ctx: &Context) -> Options {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut o = Options {
        report: false,
        panic_rank: None,
        panic_in_worker: false,
        fail_rank: None,
        fail_all: false,
    };
    let mut i = 0;
    while i < args.len() {
        let rank_arg = |i: usize| -> usize {
            args.get(i + 1)
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| ctx.fail(format!("{} needs a rank number", args[i])))
        };
        match args[i].as_str() {
            "--report" => o.report = true,
            "--panic-in-worker" => o.panic_in_worker = true,
            "--fail-all" => o.fail_all = true,
            "--panic-rank" => {
                o.panic_rank = Some(rank_arg(i));
                i += 1;
            }
            "--fail-rank" => {
                o.fail_rank = Some(rank_arg(i));
                i += 1;
            }
            other => ctx.fail(format!("unknown argument {other}")),
        }
        i += 1;
    }
    o
}

/// Every check of one run; returns the number of mismatches on this rank.
fn run_checks(ctx: &Context, o: &Options) -> usize {
    let (rank, size) = (ctx.rank(), ctx.size());
    let sheets = sheets();
    let lbrts: Vec<[f64; 4]> = sheets.iter().map(|s| s.lbrt).collect();
    let decomp = GridDecomposition::for_sheets(size, rank, &lbrts).unwrap_or_else(|e| ctx.fail(e));
    let owns: Vec<Block> = sheets
        .iter()
        .map(|s| decomp.block(&s.name, s.rows, s.cols, s.lbrt))
        .collect();
    let mut ex = ctx.exchange();
    let mut bad = 0usize;
    let mut complain = |what: String| {
        if bad < 10 {
            eprintln!("par_selftest rank {rank}: {what}");
        }
        bad += 1;
    };

    // The communicator's invariants: the same checks `cargo test` runs on
    // the local communicator (topo_par::conformance), here over MPI.
    if let Err(e) = topo_par::conformance::check(ctx.communicator()) {
        complain(e);
    }

    // Registration, in the same order on every rank.
    let mut halos: Vec<(usize, Block, HaloId)> = Vec::new();
    for (s, sh) in sheets.iter().enumerate() {
        for h in [0, 1, 2, 5, 1000] {
            let needed = grow(owns[s], h, sh.rows, sh.cols);
            halos.push((
                s,
                needed,
                ex.register(&sh.name, sh.rows, sh.cols, &owns[s].into(), needed),
            ));
        }
        // A rectangle unrelated to the own block; empty on every third rank.
        let needed = if rank % 3 == 2 {
            Block::default()
        } else {
            let r0 = (rank * 5) % sh.rows;
            let c0 = (rank * 7) % sh.cols;
            Block {
                r0,
                r1: (r0 + 4).min(sh.rows),
                c0,
                c1: (c0 + 6).min(sh.cols),
            }
        };
        halos.push((
            s,
            needed,
            ex.register(&sh.name, sh.rows, sh.cols, &owns[s].into(), needed),
        ));
    }
    // Afferent-like: the LGN under this rank's V1 block, CF radius 0.27083.
    let (v1, lgn) = (2, 1);
    let needed = project(owns[v1], &sheets[v1], &sheets[lgn], 0.27083);
    let sh = &sheets[lgn];
    halos.push((
        lgn,
        needed,
        ex.register(&sh.name, sh.rows, sh.cols, &owns[lgn].into(), needed),
    ));

    // Exchanges at several "times", so stale buffers would show.
    let mut out: Vec<Vec<f64>> = halos.iter().map(|h| vec![f64::NAN; h.1.len()]).collect();
    let locals_at = |t: usize| -> Vec<Vec<f64>> {
        sheets
            .iter()
            .enumerate()
            .map(|(s, _)| {
                let b = owns[s];
                (b.r0..b.r1)
                    .flat_map(|r| (b.c0..b.c1).map(move |c| field(s, r, c, t)))
                    .collect()
            })
            .collect()
    };
    let check = |t: usize, k: usize, s: usize, needed: Block, got: &[f64]| -> Vec<String> {
        let mut wrong = Vec::new();
        let mut i = 0;
        for r in needed.r0..needed.r1 {
            for c in needed.c0..needed.c1 {
                let want = field(s, r, c, t);
                if got[i].to_bits() != want.to_bits() {
                    wrong.push(format!(
                        "t={t} halo {k} ({}): unit {r},{c} = {} want {want}",
                        sheets[s].name, got[i]
                    ));
                }
                i += 1;
            }
        }
        wrong
    };
    for t in 0..3 {
        let locals = locals_at(t);
        for (k, &(s, needed, id)) in halos.iter().enumerate() {
            ex.exchange(id, &locals[s], &mut out[k]);
            for w in check(t, k, s, needed, &out[k]) {
                complain(w);
            }
        }
        // max over the whole sheet: the last unit's value.
        for (s, sh) in sheets.iter().enumerate() {
            let local_max = locals[s].iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let m = ex.max(local_max);
            let want = field(s, sh.rows - 1, sh.cols - 1, t);
            if m != want {
                complain(format!("t={t} max of {}: {m} want {want}", sh.name));
            }
        }
    }

    // Overlap: every halo started before any is finished (finished in
    // reverse order), the local data overwritten in between: each `out`
    // holds the values given to `start_exchange`.
    let t = 3;
    let mut locals = locals_at(t);
    for (k, &(s, _, id)) in halos.iter().enumerate() {
        ex.start_exchange(id, &locals[s], &mut out[k]);
    }
    for l in &mut locals {
        l.fill(f64::NAN);
    }
    for (k, &(_, _, id)) in halos.iter().enumerate().rev() {
        ex.finish_exchange(id, &mut out[k]);
    }
    for (k, &(s, needed, _)) in halos.iter().enumerate() {
        for w in check(t, k, s, needed, &out[k]) {
            complain(w);
        }
    }

    for (s, sh) in sheets.iter().enumerate() {
        // argmax with ties: the first maximum in global row-major order.
        let b = owns[s];
        let mut local = (f64::NEG_INFINITY, usize::MAX);
        for r in b.r0..b.r1 {
            for c in b.c0..b.c1 {
                let v = tied(s, r, c);
                if v > local.0 {
                    local = (v, r * sh.cols + c);
                }
            }
        }
        let got = ex.argmax(local.0, local.1);
        let mut want = (f64::NEG_INFINITY, usize::MAX);
        for r in 0..sh.rows {
            for c in 0..sh.cols {
                let v = tied(s, r, c);
                if v > want.0 {
                    want = (v, r * sh.cols + c);
                }
            }
        }
        if got != want {
            complain(format!("argmax of {}: {got:?} want {want:?}", sh.name));
        }

        // allgather_sheet: the whole field on every rank.
        let local: Vec<f64> = (b.r0..b.r1)
            .flat_map(|r| (b.c0..b.c1).map(move |c| field(s, r, c, 7)))
            .collect();
        let whole = ex.allgather_sheet(sh.rows, sh.cols, &b.into(), &local);
        let want: Vec<f64> = (0..sh.rows)
            .flat_map(|r| (0..sh.cols).map(move |c| field(s, r, c, 7)))
            .collect();
        if whole != want {
            complain(format!("allgather_sheet of {} differs", sh.name));
        }
    }

    if o.report {
        ctx.root_println(decomposition_report(&decomp, &sheets, &ex.halo_summaries()));
    }
    let stats = ex.stats();
    let received = ex.max(stats.units_received as f64);
    ctx.root_println(format!(
        "par_selftest: {} halos, {} exchanges per rank, most values received by a rank: {received}",
        halos.len(),
        stats.calls
    ));
    bad
}

fn main() {
    let ctx = Context::init();
    let o = options(&ctx);
    let rank = ctx.rank();
    if o.fail_all {
        ctx.fail("deliberate failure on every rank");
    }
    if o.fail_rank == Some(rank) {
        ctx.fail(format!("deliberate failure on rank {rank}"));
    }
    if o.panic_rank == Some(rank) {
        if o.panic_in_worker {
            (0..64).into_par_iter().for_each(|i| {
                if i == 63 {
                    panic!("deliberate panic on rank {rank} in a worker");
                }
            });
        }
        panic!("deliberate panic on rank {rank}");
    }
    // The other ranks wait here for the failed one, as they would in any
    // collective of a real run.
    ctx.barrier();

    let bad = run_checks(&ctx, &o);
    let ok = ctx.all_ok(bad == 0);
    let grid = GridDecomposition::new(ctx.size(), rank, [-0.5, -0.5, 0.5, 0.5])
        .map(|d| d.grid())
        .unwrap_or_else(|e| ctx.fail(e));
    if ok {
        ctx.root_println(format!(
            "par_selftest: ok on {} ranks ({} x {} grid)",
            ctx.size(),
            grid.rows,
            grid.cols
        ));
    } else {
        ctx.root_eprintln("par_selftest: MISMATCH");
    }
    drop(ctx);
    std::process::exit(if ok { 0 } else { 1 });
}
