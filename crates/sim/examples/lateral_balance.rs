//! How evenly ways of splitting a sheet among ranks share the real work of
//! a model's run (issue 15): runs the model on one process, counts for every
//! delivery to the sheet each unit's work — the active (non-zero) source
//! units inside its connection field, which is what the pushed dot product
//! visits — and simulates ranks that synchronise at every delivery:
//! efficiency = sum over deliveries of the mean rank load / sum of the
//! largest rank load (1.0 is perfect balance).
//!
//! Usage (from the repository root):
//!   cargo run --release -p topo-sim --example lateral_balance -- \
//!       examples/gcal_class.ty [DENSITY [ITERATIONS [SHEET]]]
//! DENSITY is `cortex_density` (default 96), ITERATIONS the number of
//! `run(1)` calls counted (default 10), SHEET the sheet split (default: the
//! first sheet with a projection from itself, GCAL's V1). Prints a markdown
//! table: lateral projections only, and every projection into the sheet.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use topo_sim::exchange::{LocalExchange, WholeSheets};
use topo_sim::network::{Network, Probe};
use topo_sim::ownership::{load_of, Dealing, Ownership, RowSet};
use topo_spec::Time;

/// One incoming projection of the split sheet, as the counter sees it.
struct Incoming {
    src: String,
    lateral: bool,
    src_cols: usize,
    slices: Vec<[usize; 4]>,
}

/// Every rank's units for a number of ranks.
type Split<'a> = Box<dyn Fn(usize) -> Vec<Ownership> + 'a>;

/// Per delivery: whether it was lateral, and each dest unit's work.
type Deliveries = Vec<(bool, Vec<f64>)>;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let model = args
        .first()
        .cloned()
        .unwrap_or_else(|| "examples/gcal_class.ty".into());
    let density = args.get(1).cloned().unwrap_or_else(|| "96".into());
    let iterations: usize = args.get(2).map_or(10, |s| s.parse().expect("ITERATIONS"));
    let ov = vec![("cortex_density".to_string(), density.clone())];
    let spec = topo_lang::load_model(std::path::Path::new(&model), &ov)
        .unwrap_or_else(|e| panic!("{model}: {e}"));
    let sheet = args.get(3).cloned().unwrap_or_else(|| {
        spec.connections
            .iter()
            .find(|c| c.src == c.dest)
            .map(|c| c.dest.clone())
            .expect("no sheet with a projection from itself; name one")
    });
    let mut ex = LocalExchange::new();
    let mut net = Network::build(&spec, &WholeSheets, &mut ex).expect("build");
    let (rows, cols) = net.sheet_shape(&sheet).expect("sheet");
    let incoming: Vec<Incoming> = spec
        .connections
        .iter()
        .filter(|c| c.dest == sheet)
        .map(|c| Incoming {
            src: c.src.clone(),
            lateral: c.src == c.dest,
            src_cols: net.sheet_shape(&c.src).expect("src").1,
            slices: net
                .projection(&sheet, &c.name)
                .expect("projection")
                .cfs
                .slices
                .clone(),
        })
        .collect();
    let log: Arc<Mutex<Deliveries>> = Arc::default();
    let l2 = log.clone();
    net.set_recorder(Some(Box::new(move |p: &Probe<'_>| {
        let Probe::Activated {
            sheet: src,
            activity,
            ..
        } = p
        else {
            return;
        };
        for inc in incoming.iter().filter(|i| i.src == *src) {
            let work = cf_work(activity, inc.src_cols, &inc.slices);
            l2.lock().unwrap().push((inc.lateral, work));
        }
    })));
    // The first iteration (start-up normalisation) is run but not counted.
    net.run(Time::from_int(1), &mut ex).expect("run");
    log.lock().unwrap().clear();
    for _ in 0..iterations {
        net.run(Time::from_int(1), &mut ex).expect("run");
    }
    let log = log.lock().unwrap();
    let n_lat = log.iter().filter(|d| d.0).count();
    println!(
        "{model}, cortex_density={density}, sheet {sheet} ({rows}x{cols}), {iterations} iterations: \
         {n_lat} lateral and {} other deliveries counted\n",
        log.len() - n_lat
    );
    println!("| split | work | 2 ranks | 4 ranks | 8 ranks |");
    println!("|---|---|---|---|---|");
    let splits: Vec<(&str, Split<'_>)> = vec![
        (
            "process grid (today's blocks)",
            Box::new(|n| grid_cells(rows, cols, n)),
        ),
        (
            "contiguous row blocks",
            Box::new(|n| Dealing::RowBlocks.all(rows, cols, n)),
        ),
        (
            "contiguous column blocks",
            Box::new(|n| Dealing::ColBlocks.all(rows, cols, n)),
        ),
        (
            "rows dealt cyclically, 1 row per stripe",
            Box::new(|n| Dealing::Stripes { stripe: 1 }.all(rows, cols, n)),
        ),
        (
            "rows dealt cyclically, 4 rows per stripe",
            Box::new(|n| Dealing::Stripes { stripe: 4 }.all(rows, cols, n)),
        ),
    ];
    for (name, split) in &splits {
        for (what, lateral_only) in [("lateral", true), ("all into the sheet", false)] {
            let effs: Vec<String> = [2, 4, 8]
                .iter()
                .map(|&n| {
                    let owners = split(n);
                    let (mut sum_mean, mut sum_max) = (0.0, 0.0);
                    for (lat, work) in log.iter() {
                        if lateral_only && !lat {
                            continue;
                        }
                        let (max, mean) = load_of(&owners, cols, work);
                        sum_max += max;
                        sum_mean += mean;
                    }
                    format!("{:.3}", sum_mean / sum_max.max(f64::MIN_POSITIVE))
                })
                .collect();
            println!("| {name} | {what} | {} |", effs.join(" | "));
        }
    }
}

/// Each dest unit's count of non-zero source units inside its CF slice
/// (`[r1, r2, c1, c2]`), from a summed-area table of the non-zeros.
fn cf_work(activity: &[f64], cols: usize, slices: &[[usize; 4]]) -> Vec<f64> {
    let rows = activity.len() / cols.max(1);
    let w = cols + 1;
    let mut sat = vec![0u32; (rows + 1) * w];
    for r in 0..rows {
        for c in 0..cols {
            let nz = u32::from(activity[r * cols + c] != 0.0);
            sat[(r + 1) * w + c + 1] =
                nz + sat[r * w + c + 1] + sat[(r + 1) * w + c] - sat[r * w + c];
        }
    }
    slices
        .iter()
        .map(|&[r1, r2, c1, c2]| {
            f64::from(sat[r2 * w + c2] + sat[r1 * w + c1] - sat[r1 * w + c2] - sat[r2 * w + c1])
        })
        .collect()
}

/// The cells of today's process grid on a square sheet: `ProcessGrid`'s
/// most nearly square factorisation (ties to more rows), even cuts.
fn grid_cells(rows: usize, cols: usize, n: usize) -> Vec<Ownership> {
    let gr = (1..=n)
        .rev()
        .filter(|r| n.is_multiple_of(*r))
        .min_by(|&a, &b| {
            let s = |r: usize| ((r as f64) / ((n / r) as f64)).ln().abs();
            s(a).partial_cmp(&s(b)).unwrap()
        })
        .unwrap();
    let gc = n / gr;
    let mut by_rank = BTreeMap::new();
    for i in 0..gr {
        for j in 0..gc {
            by_rank.insert(
                i * gc + j,
                Ownership {
                    rows: RowSet::range(rows * i / gr, rows * (i + 1) / gr),
                    c0: cols * j / gc,
                    c1: cols * (j + 1) / gc,
                },
            );
        }
    }
    by_rank.into_values().collect()
}
