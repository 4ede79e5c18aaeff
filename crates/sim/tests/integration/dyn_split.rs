//! Region correctness: a network split over ranks (threads exchanging
//! through an in-process board) gives bit-identical activities, weights
//! and thresholds to the whole-sheet network.

use crate::dyn_common;

use dyn_common::threads::{Board, Dealt, Grid, ThreadExchange};
use dyn_common::*;
use topo_sim::exchange::{Decomposition, LocalExchange, WholeSheets};
use topo_sim::ownership::{Dealing, Ownership};
use topo_sim::Network;
use topo_spec::{ModelSpec, Time};

/// Per sheet: (units, activity); per projection: (dest, name,
/// weights of every local unit concatenated, slices); per sheet: thresholds.
type Snapshot = (
    Vec<(String, Ownership, Vec<f64>)>,
    Vec<(String, String, Vec<f32>, Vec<[usize; 4]>)>,
    Vec<(String, Vec<f64>)>,
);

fn snapshot(net: &Network) -> Snapshot {
    let sheets = net
        .sheet_names()
        .into_iter()
        .map(|s| {
            (
                s.clone(),
                net.sheet_ownership(&s).unwrap(),
                net.activity(&s).to_vec(),
            )
        })
        .collect();
    let projs = net
        .projection_names()
        .into_iter()
        .map(|(d, n)| {
            let p = net.projection(&d, &n).unwrap();
            let mut w = Vec::new();
            for u in 0..p.cfs.len() {
                let (r, c) = p.cfs.unit_shape(u);
                for i in 0..r {
                    for j in 0..c {
                        w.push(p.cfs.weight_at(u, i, j));
                    }
                }
            }
            (d, n, w, p.cfs.slices.clone())
        })
        .collect();
    let th = net
        .sheet_names()
        .into_iter()
        .filter_map(|s| net.thresholds(&s).map(|t| (s, t.to_vec())))
        .collect();
    (sheets, projs, th)
}

/// The unit indices of the owned units, in local order, inside the whole
/// sheet `cols` wide.
fn global_units(own: &Ownership, cols: usize) -> Vec<usize> {
    (0..own.len())
        .map(|i| {
            let (r, c) = own.global(i);
            r * cols + c
        })
        .collect()
}

fn check_split(spec: &ModelSpec, pr: usize, pc: usize, iterations: i64) {
    check_split_by(spec, pr * pc, iterations, &|rank| {
        Box::new(Grid { rank, pr, pc })
    });
}

/// Every sheet's rows dealt to `n` ranks by `dealing`.
fn check_dealt(spec: &ModelSpec, n: usize, dealing: Dealing, iterations: i64) {
    check_split_by(spec, n, iterations, &|rank| {
        Box::new(Dealt {
            rank,
            size: n,
            dealing,
        })
    });
}

type MakeDecomp<'a> = &'a (dyn Fn(usize) -> Box<dyn Decomposition + Send> + Sync);

fn check_split_by(spec: &ModelSpec, n: usize, iterations: i64, make: MakeDecomp<'_>) {
    let mut ex = LocalExchange::new();
    let mut whole = Network::build(spec, &WholeSheets, &mut ex).unwrap();
    whole.run(Time::from_int(iterations), &mut ex).unwrap();
    let board = Board::new(n);
    let parts: Vec<Snapshot> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..n)
            .map(|rank| {
                let board = board.clone();
                s.spawn(move || {
                    let mut ex = ThreadExchange::new(rank, n, board);
                    let decomp = make(rank);
                    let mut net = Network::build(spec, decomp.as_ref(), &mut ex).unwrap();
                    net.run(Time::from_int(iterations), &mut ex).unwrap();
                    snapshot(&net)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut units_seen = 0;
    for (sheets, projs, th) in &parts {
        for (name, block, act) in sheets {
            let (_, cols) = whole.sheet_shape(name).unwrap();
            let wa = whole.activity(name);
            for (k, g) in global_units(block, cols).into_iter().enumerate() {
                assert_eq!(
                    act[k].to_bits(),
                    wa[g].to_bits(),
                    "{name} unit {g}: split {} whole {}",
                    act[k],
                    wa[g]
                );
                units_seen += 1;
            }
            if let Some((_, t)) = th.iter().find(|(s, _)| s == name) {
                let wt = whole.thresholds(name).unwrap();
                for (k, g) in global_units(block, cols).into_iter().enumerate() {
                    assert_eq!(t[k].to_bits(), wt[g].to_bits(), "{name} threshold {g}");
                }
            }
        }
        for (dest, name, w, slices) in projs {
            let block = sheets.iter().find(|(s, _, _)| s == dest).unwrap().1;
            let (_, cols) = whole.sheet_shape(dest).unwrap();
            let wp = whole.projection(dest, name).unwrap();
            let mut pos = 0;
            for (k, g) in global_units(&block, cols).into_iter().enumerate() {
                assert_eq!(
                    slices[k], wp.cfs.slices[g],
                    "{dest}.{name} slice of unit {g}"
                );
                let (r, c) = wp.cfs.unit_shape(g);
                for i in 0..r {
                    for j in 0..c {
                        assert_eq!(
                            w[pos].to_bits(),
                            wp.cfs.weight_at(g, i, j).to_bits(),
                            "{dest}.{name} unit {g} weight ({i},{j})"
                        );
                        pos += 1;
                    }
                }
            }
        }
    }
    let total: usize = whole
        .sheet_names()
        .iter()
        .map(|s| {
            let (r, c) = whole.sheet_shape(s).unwrap();
            r * c
        })
        .sum();
    assert_eq!(units_seen, total, "every unit owned exactly once");
}

/// Rows dealt cyclically (one row per stripe) and block-cyclically (two
/// rows per stripe) on 2 and 3 ranks: V1's lateral CFs span rows of other
/// ranks, the LGN's halos are strided, and every unit must still compute
/// exactly what it computes on one rank.
#[test]
fn gcal_rows_dealt_cyclically_are_bit_identical() {
    check_dealt(&gcal_spec(), 2, Dealing::Stripes { stripe: 1 }, 5);
    check_dealt(&gcal_spec(), 3, Dealing::Stripes { stripe: 2 }, 5);
}

/// SOM (KernelMax's sheet-wide winner and Gaussian neighbourhood on
/// scattered rows; the Euclidean response's maximum) and tiny with more
/// ranks than some sheets have stripes.
#[test]
fn som_and_tiny_rows_dealt_cyclically_are_bit_identical() {
    check_dealt(&som_spec(), 3, Dealing::Stripes { stripe: 1 }, 10);
    check_dealt(&tiny_spec(24.0, 5.0), 4, Dealing::Stripes { stripe: 2 }, 10);
    check_dealt(&tiny_spec(24.0, 5.0), 2, Dealing::ColBlocks, 10);
}

#[test]
fn tiny_2x2_split_is_bit_identical() {
    check_split(&tiny_spec(24.0, 5.0), 2, 2, 20);
}

#[test]
fn gcal_2x2_split_is_bit_identical() {
    check_split(&gcal_spec(), 2, 2, 20);
}

#[test]
fn gcal_3x1_split_is_bit_identical() {
    check_split(&gcal_spec(), 3, 1, 5);
}

/// Six row bands of a five-row V1: one rank owns no V1 unit but still
/// takes part in every collective and consumes the same random draws.
#[test]
fn tiny_6x1_split_with_an_empty_block_is_bit_identical() {
    check_split(&tiny_spec(24.0, 5.0), 6, 1, 10);
}

/// LISSOM: the scheduled change_bounds at t=100 shrinks the lateral
/// excitatory CFs and their halos; run past it.
#[test]
fn lissom_oo_or_2x2_split_is_bit_identical_across_change_bounds() {
    check_split(&lissom_oo_or_spec(), 2, 2, 102);
}

/// SOM: the Euclidean response needs the sheet-wide maximum and
/// KernelMax the sheet-wide winner.
#[test]
fn som_2x2_split_is_bit_identical() {
    check_split(&som_spec(), 2, 2, 20);
}

/// A sheet-level DivisiveNormalizeL1 output function divides by the sum
/// over the whole sheet (gathered, then added in row-major order).
#[test]
fn sheet_l1_normalisation_split_is_bit_identical() {
    let mut spec = tiny_spec(24.0, 5.0);
    let mut b = Builder::default();
    let l1 = b.obj(
        "imagen.transferfn.DivisiveNormalizeL1",
        vec![("norm_value", topo_spec::Value::Float(1.0))],
    );
    let v1 = spec.sheets.iter_mut().find(|s| s.name == "V1").unwrap();
    if let Some(topo_spec::Value::List(fns)) = v1.component.params.get_mut("output_fns") {
        fns.push(l1);
    }
    let mut ex = LocalExchange::new();
    let mut whole = Network::build(&spec, &WholeSheets, &mut ex).unwrap();
    whole.run(Time::from_int(3), &mut ex).unwrap();
    let s: f64 = whole.activity("V1").iter().map(|v| v.abs()).sum();
    assert!((s - 1.0).abs() < 1e-12, "V1 sums to {s}");
    check_split(&spec, 2, 2, 10);
}

/// GCAL without gain control: the LGN sheets have tsettle 0 (activate and
/// learn on every input) and V1 receives the LGN after 0.10.
#[test]
fn gcal_without_gain_control_split_is_bit_identical() {
    let spec = example_model(
        "gcal_class.ty",
        &[
            ("cortex_density", "8"),
            ("lgn_density", "12"),
            ("retina_density", "12"),
            ("gain_control", "False"),
        ],
    );
    let lgn = spec.sheets.iter().find(|s| s.name == "LGNOn").unwrap();
    assert_eq!(
        lgn.component.get("tsettle"),
        Some(&topo_spec::Value::Int(0))
    );
    let mut ex = LocalExchange::new();
    let mut net = Network::build(&spec, &WholeSheets, &mut ex).unwrap();
    net.run(Time::new(11, 10), &mut ex).unwrap();
    // tsettle 0: the LGN activates (and learns) on each input without
    // counting settling steps.
    assert_eq!(net.settle_state("LGNOn"), Some((0, false)));
    assert!(
        net.activity("LGNOn").iter().any(|&v| v > 0.0),
        "LGN responds"
    );
    check_split(&spec, 2, 2, 8);
}

/// The thread count of rayon's pool does not change a bit.
#[test]
fn gcal_is_bit_identical_for_any_thread_count() {
    let spec = gcal_spec();
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let mut ex = LocalExchange::new();
            let mut net = Network::build(&spec, &WholeSheets, &mut ex).unwrap();
            net.run(Time::from_int(10), &mut ex).unwrap();
            snapshot(&net)
        })
    };
    let one = run(1);
    let three = run(3);
    assert!(one == three, "1 thread and 3 threads differ");
}
