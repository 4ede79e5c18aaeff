//! Snapshots: export at an iteration boundary on one decomposition,
//! import on another, continue: bit-identical to the uninterrupted run.

use crate::dyn_common;

use dyn_common::threads::{Board, Dealt, Grid, ThreadExchange};
use dyn_common::*;
use std::collections::BTreeMap;
use topo_sim::exchange::{Decomposition, LocalExchange, WholeSheets};
use topo_sim::ownership::{Dealing, Ownership};
use topo_sim::state::{ArrayData, LocalArray};
use topo_sim::Network;
use topo_spec::{ModelSpec, Time};

/// Global arrays assembled from every rank's hyperslabs.
#[derive(Default)]
struct Store(BTreeMap<String, (Vec<usize>, ArrayData)>);

fn strides(shape: &[usize]) -> Vec<usize> {
    let mut s = vec![1; shape.len()];
    for i in (0..shape.len().saturating_sub(1)).rev() {
        s[i] = s[i + 1] * shape[i + 1];
    }
    s
}

/// Row-major offsets (in the global array) of a hyperslab's elements.
fn offsets(shape: &[usize], start: &[usize], count: &[usize]) -> Vec<usize> {
    let st = strides(shape);
    let mut out = vec![0usize];
    for d in 0..shape.len() {
        let mut next = Vec::with_capacity(out.len() * count[d]);
        for &o in &out {
            for k in 0..count[d] {
                next.push(o + (start[d] + k) * st[d]);
            }
        }
        out = next;
    }
    if count.contains(&0) {
        out.clear();
    }
    out
}

impl Store {
    fn put(&mut self, a: &LocalArray) {
        let n: usize = a.global_shape.iter().product();
        let e = self.0.entry(a.path.clone()).or_insert_with(|| {
            let z = match &a.data {
                ArrayData::F64(_) => ArrayData::F64(vec![0.0; n]),
                ArrayData::F32(_) => ArrayData::F32(vec![0.0; n]),
                ArrayData::I32(_) => ArrayData::I32(vec![0; n]),
            };
            (a.global_shape.clone(), z)
        });
        let offs: Vec<usize> = a
            .slabs
            .iter()
            .flat_map(|sl| offsets(&a.global_shape, &sl.start, &sl.count))
            .collect();
        assert_eq!(offs.len(), a.data.len(), "{}: slabs and data", a.path);
        match (&mut e.1, &a.data) {
            (ArrayData::F64(g), ArrayData::F64(l)) => {
                offs.iter().zip(l).for_each(|(&o, v)| g[o] = *v)
            }
            (ArrayData::F32(g), ArrayData::F32(l)) => {
                offs.iter().zip(l).for_each(|(&o, v)| g[o] = *v)
            }
            (ArrayData::I32(g), ArrayData::I32(l)) => {
                offs.iter().zip(l).for_each(|(&o, v)| g[o] = *v)
            }
            _ => panic!("{}: type changed", a.path),
        }
    }

    fn get(&self, path: &str, start: &[usize], count: &[usize]) -> Result<ArrayData, String> {
        let (shape, data) = self.0.get(path).ok_or_else(|| format!("no array {path}"))?;
        let offs = offsets(shape, start, count);
        Ok(match data {
            ArrayData::F64(g) => ArrayData::F64(offs.iter().map(|&o| g[o]).collect()),
            ArrayData::F32(g) => ArrayData::F32(offs.iter().map(|&o| g[o]).collect()),
            ArrayData::I32(g) => ArrayData::I32(offs.iter().map(|&o| g[o]).collect()),
        })
    }
}

type MakeDecomp<'a> = &'a (dyn Fn(usize) -> Box<dyn Decomposition + Send> + Sync);

fn check_restore(spec: &ModelSpec, t_save: i64, t_end: i64, pr: usize, pc: usize) {
    check_restore_by(spec, t_save, t_end, pr * pc, &|rank| {
        Box::new(Grid { rank, pr, pc })
    });
}

/// Run `spec` whole to `t_save`, snapshot, restore on `n` ranks split by
/// `make`, run both to `t_end`; compare every sheet's activity bit for bit.
fn check_restore_by(spec: &ModelSpec, t_save: i64, t_end: i64, n: usize, make: MakeDecomp<'_>) {
    let mut ex = LocalExchange::new();
    let mut whole = Network::build(spec, &WholeSheets, &mut ex).unwrap();
    whole.run(Time::from_int(t_save), &mut ex).unwrap();
    let (arrays, meta) = whole.export_state().unwrap();
    let meta: serde_json::Value =
        serde_json::from_str(&serde_json::to_string(&meta).unwrap()).unwrap();
    let mut store = Store::default();
    arrays.iter().for_each(|a| store.put(a));
    whole.run(Time::from_int(t_end - t_save), &mut ex).unwrap();
    let board = Board::new(n);
    let store = &store;
    let meta = &meta;
    let results: Vec<Vec<(String, Ownership, Vec<f64>)>> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..n)
            .map(|rank| {
                let board = board.clone();
                s.spawn(move || {
                    let mut ex = ThreadExchange::new(rank, n, board);
                    let decomp = make(rank);
                    let mut net = Network::build(spec, &*decomp, &mut ex).unwrap();
                    net.import_state(meta, &mut |p, st, c| store.get(p, st, c), &mut ex)
                        .unwrap();
                    assert_eq!(net.time(), Time::from_int(t_save));
                    net.run(Time::from_int(t_end - t_save), &mut ex).unwrap();
                    net.sheet_names()
                        .into_iter()
                        .map(|sn| {
                            (
                                sn.clone(),
                                net.sheet_ownership(&sn).unwrap(),
                                net.activity(&sn).to_vec(),
                            )
                        })
                        .collect()
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for r in results {
        for (name, own, act) in r {
            let (_, cols) = whole.sheet_shape(&name).unwrap();
            let wa = whole.activity(&name);
            assert_eq!(act.len(), own.len(), "{name}");
            for (k, a) in act.iter().enumerate() {
                let (row, col) = own.global(k);
                assert_eq!(
                    a.to_bits(),
                    wa[row * cols + col].to_bits(),
                    "{name} ({row},{col})"
                );
            }
        }
    }
}

#[test]
fn gcal_snapshot_restores_on_2x2() {
    check_restore(&gcal_spec(), 10, 14, 2, 2);
}

#[test]
fn lissom_snapshot_after_change_bounds_restores_on_2x2() {
    check_restore(&lissom_oo_or_spec(), 101, 103, 2, 2);
}

#[test]
fn som_snapshot_restores_on_3x1() {
    check_restore(&som_spec(), 5, 9, 3, 1);
}

#[test]
fn gcal_snapshot_restores_on_rows_dealt_in_stripes() {
    for (n, stripe) in [(2, 1), (3, 2)] {
        check_restore_by(&gcal_spec(), 10, 14, n, &|rank| {
            Box::new(Dealt {
                rank,
                size: n,
                dealing: Dealing::Stripes { stripe },
            })
        });
    }
}

/// Every rank's exported hyperslabs, assembled, are the one-rank export:
/// the same paths, shapes and values bit for bit, whatever the split.
#[test]
fn striped_exports_assemble_to_the_whole_export() {
    let spec = gcal_spec();
    let t = 6;
    let mut ex = LocalExchange::new();
    let mut whole = Network::build(&spec, &WholeSheets, &mut ex).unwrap();
    whole.run(Time::from_int(t), &mut ex).unwrap();
    let (arrays, _) = whole.export_state().unwrap();
    let mut want = Store::default();
    arrays.iter().for_each(|a| want.put(a));
    for (n, dealing) in [
        (3, Dealing::Stripes { stripe: 1 }),
        (2, Dealing::Stripes { stripe: 3 }),
        (2, Dealing::ColBlocks),
    ] {
        let board = Board::new(n);
        let spec = &spec;
        let parts: Vec<Vec<LocalArray>> = std::thread::scope(|s| {
            let hs: Vec<_> = (0..n)
                .map(|rank| {
                    let board = board.clone();
                    s.spawn(move || {
                        let mut ex = ThreadExchange::new(rank, n, board);
                        let d = Dealt {
                            rank,
                            size: n,
                            dealing,
                        };
                        let mut net = Network::build(spec, &d, &mut ex).unwrap();
                        net.run(Time::from_int(t), &mut ex).unwrap();
                        net.export_state().unwrap().0
                    })
                })
                .collect();
            hs.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let mut got = Store::default();
        for a in parts.iter().flatten() {
            got.put(a);
        }
        assert_eq!(
            got.0.keys().collect::<Vec<_>>(),
            want.0.keys().collect::<Vec<_>>()
        );
        for (k, (shape, data)) in &want.0 {
            let (gs, gd) = &got.0[k];
            assert_eq!(gs, shape, "{k} {dealing:?}");
            let bits = |d: &ArrayData| -> Vec<u64> {
                match d {
                    ArrayData::F64(v) => v.iter().map(|x| x.to_bits()).collect(),
                    ArrayData::F32(v) => v.iter().map(|x| x.to_bits() as u64).collect(),
                    ArrayData::I32(v) => v.iter().map(|&x| x as u32 as u64).collect(),
                }
            };
            assert!(
                bits(gd) == bits(data),
                "{k} differs with {dealing:?} on {n}"
            );
        }
    }
}

#[test]
fn snapshot_with_activity_in_flight_is_refused() {
    let spec = tiny_spec(24.0, 5.0);
    let mut ex = LocalExchange::new();
    let mut net = Network::build(&spec, &WholeSheets, &mut ex).unwrap();
    // Retina sends at 0.05; the event arrives at 0.10.
    net.run(Time::new(7, 100), &mut ex).unwrap();
    assert!(net.export_state().is_err());
    net.run(Time::new(93, 100), &mut ex).unwrap();
    assert!(net.export_state().is_ok());
}
