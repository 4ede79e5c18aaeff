//! Region evaluation: building the connection fields of the units of any
//! block of the dest sheets gives bit-for-bit the whole-sheet build's
//! weights, masks, slices and kernel views for those units, also after the
//! start-up (joint) normalisation, and leaves the random streams in the same
//! state (so later projections and patterns are unaffected by the split).

use crate::cf_support;

use cf_support::{load, local, MODELS};
use topo_sim::cf::{self, ConnectionFields};
use topo_sim::exchange::Block;

/// Cut points of `n` into uneven parts (a 1-unit strip, a middle cut, and
/// an empty part when `n` is small).
fn cuts(n: usize, parts: usize) -> Vec<usize> {
    let mut v = vec![0, 1.min(n)];
    for k in 1..parts {
        v.push((n * k / parts + 1).min(n));
    }
    v.push(n);
    v.push(n); // an empty last part
    v
}

fn blocks(rows: usize, cols: usize) -> Vec<Block> {
    let rc = cuts(rows, 2);
    let cc = cuts(cols, 3);
    let mut out = Vec::new();
    for i in 0..rc.len() - 1 {
        for j in 0..cc.len() - 1 {
            out.push(Block {
                r0: rc[i],
                r1: rc[i + 1],
                c0: cc[j],
                c1: cc[j + 1],
            });
        }
    }
    out
}

fn same_unit(key: &str, whole: &ConnectionFields, part: &ConnectionFields, r: usize, c: usize) {
    let w = local(whole, r, c);
    let p = local(part, r, c);
    assert_eq!(whole.slices[w], part.slices[p], "{key} ({r},{c}) slice");
    assert_eq!(whole.unit_xy[w], part.unit_xy[p], "{key} ({r},{c}) centre");
    if whole.shared.is_some() {
        assert_eq!(
            whole.kernel_views[w], part.kernel_views[p],
            "{key} ({r},{c}) view"
        );
        return;
    }
    let (a, b) = (whole.unit_weights(w), part.unit_weights(p));
    if let Some(k) = (0..a.len()).find(|&k| a[k].to_bits() != b[k].to_bits()) {
        panic!(
            "{key} unit ({r},{c}): weight {k} whole {} block {}",
            a[k], b[k]
        );
    }
    assert_eq!(a.len(), b.len(), "{key} ({r},{c}) size");
    assert_eq!(
        whole.unit_mask(w),
        part.unit_mask(p),
        "{key} ({r},{c}) mask"
    );
}

#[test]
fn any_block_split_is_bit_identical_to_the_whole_sheet() {
    for m in MODELS {
        let model = load(m);
        let mut whole = model.build_whole();
        let mut whole_streams = model.streams();
        for (_, c) in &model.conns {
            let d = model.dest(c);
            cf::build(
                c,
                model.src(c),
                d,
                Block::full(d.rows(), d.cols()),
                &mut whole_streams,
            )
            .unwrap();
        }
        model.start(&mut whole);
        // Every dest sheet is split the same way (block index k of each).
        let n_blocks = blocks(5, 5).len();
        for k in 0..n_blocks {
            let mut streams = model.streams();
            let mut parts = Vec::new();
            for (key, c) in &model.conns {
                let d = model.dest(c);
                let b = blocks(d.rows(), d.cols())[k];
                let cfs = cf::build(c, model.src(c), d, b, &mut streams)
                    .unwrap_or_else(|e| panic!("{m} {key} block {b:?}: {e}"));
                assert_eq!(cfs.len(), b.len(), "{m} {key}: unit count of {b:?}");
                parts.push((key.clone(), cfs));
            }
            assert!(
                streams == whole_streams,
                "{m}: streams after a block build differ from the whole build (block {k})"
            );
            model.start(&mut parts);
            for ((key, w), (_, p)) in whole.iter().zip(&parts) {
                let b = p.dest_block;
                for r in b.r0..b.r1 {
                    for c in b.c0..b.c1 {
                        same_unit(&format!("{m} {key}"), w, p, r, c);
                    }
                }
                if let Some(kw) = &w.shared {
                    assert_eq!(Some(kw), p.shared.as_ref(), "{m} {key}: kernel");
                }
                assert_eq!(w.n_units, p.n_units, "{m} {key}: n_units");
            }
        }
    }
}

#[test]
fn needed_rectangle_covers_exactly_the_slices() {
    let model = load("B_lissom_oo_or");
    let mut streams = model.streams();
    for (key, c) in &model.conns {
        let b = Block {
            r0: 2,
            r1: 4,
            c0: 0,
            c1: 3,
        };
        let cfs = cf::build(c, model.src(c), model.dest(c), b, &mut streams).unwrap();
        let r0 = cfs.slices.iter().map(|s| s[0]).min().unwrap();
        let r1 = cfs.slices.iter().map(|s| s[1]).max().unwrap();
        let c0 = cfs.slices.iter().map(|s| s[2]).min().unwrap();
        let c1 = cfs.slices.iter().map(|s| s[3]).max().unwrap();
        assert_eq!(cfs.needed, Block { r0, r1, c0, c1 }, "{key}");
    }
}
