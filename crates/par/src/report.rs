//! The decomposition report: the grid, each rank's block of every sheet, and
//! the halo traffic of each rank (`topo-hpc run --decomposition-report`).

use crate::comm::HaloSummary;
use crate::grid::GridDecomposition;
use std::fmt::Write;
use topo_sim::ownership::Ownership;

/// A sheet as the decomposition sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct SheetGeometry {
    /// The sheet's name.
    pub name: String,
    /// Matrix rows.
    pub rows: usize,
    /// Matrix columns.
    pub cols: usize,
    /// True bounds (l, b, r, t).
    pub lbrt: [f64; 4],
}

/// Bytes of one activity value on the wire.
const VALUE_BYTES: usize = std::mem::size_of::<f64>();

/// The report as text. `halos` are the registered halos (one per projection
/// whose source activity crosses ranks); "per step" means one exchange of
/// each, i.e. one activation of every projection.
pub fn decomposition_report(
    decomp: &GridDecomposition,
    sheets: &[SheetGeometry],
    halos: &[HaloSummary],
) -> String {
    let grid = |q: usize, sh: &SheetGeometry| -> Ownership {
        decomp.block_of(q, sh.rows, sh.cols, sh.lbrt).into()
    };
    decomposition_report_owned(decomp, &grid, sheets, halos)
}

/// [`decomposition_report`] with every rank's units of each sheet given by
/// `owner(rank, sheet)` (an [`crate::Assignment`] that deals some sheets'
/// rows): a sheet whose units are not one rectangle is listed as its
/// bounding rows with the stripe and period of the dealing.
pub fn decomposition_report_owned(
    decomp: &GridDecomposition,
    owner: &dyn Fn(usize, &SheetGeometry) -> Ownership,
    sheets: &[SheetGeometry],
    halos: &[HaloSummary],
) -> String {
    let g = decomp.grid();
    let n = decomp.size();
    let [l, b, r, t] = decomp.cut_box();
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Decomposition: {n} rank(s) as a {} x {} grid (rows x cols)",
        g.rows, g.cols
    );
    let _ = writeln!(
        s,
        "Cut box l,b,r,t = {l}, {b}, {r}, {t}; x lines {:?}; y lines {:?}",
        decomp.x_lines(),
        decomp.y_lines()
    );
    for (k, h) in halos.iter().enumerate() {
        let total: usize = h.recv_units.iter().sum();
        let _ = writeln!(
            s,
            "Halo {k}: source {} ({}x{}), {} values = {} bytes per step over all ranks",
            h.sheet,
            h.rows,
            h.cols,
            total,
            total * VALUE_BYTES
        );
    }
    let recv_total = |q: usize| -> usize { halos.iter().map(|h| h.recv_units[q]).sum() };
    for q in 0..n {
        let (gr, gc) = g.coords(q);
        let _ = writeln!(s, "rank {q} (grid row {gr}, col {gc}):");
        for sh in sheets {
            let own = owner(q, sh);
            let bl = own.bounds();
            let dealt = if own.as_block().is_some() {
                String::new()
            } else {
                format!(
                    " (rows dealt in stripes of {} to {} ranks)",
                    own.rows.stripe, own.rows.period
                )
            };
            let _ = writeln!(
                s,
                "  {:<12} rows {:>5}..{:<5} cols {:>5}..{:<5} {:>9} units{dealt}",
                sh.name,
                bl.r0,
                bl.r1,
                bl.c0,
                bl.c1,
                own.len()
            );
        }
        let recv = recv_total(q);
        let sent: usize = halos.iter().map(|h| h.send_units[q]).sum();
        let msgs: usize = halos.iter().map(|h| h.recv_messages[q]).sum();
        let per_halo: Vec<usize> = halos
            .iter()
            .map(|h| h.recv_units[q] * VALUE_BYTES)
            .collect();
        let _ = writeln!(
            s,
            "  halo: receives {} bytes per step in {msgs} message(s) {per_halo:?}, sends {} bytes",
            recv * VALUE_BYTES,
            sent * VALUE_BYTES
        );
    }
    if n > 0 && !halos.is_empty() {
        let totals: Vec<usize> = (0..n).map(recv_total).collect();
        let max = totals.iter().max().copied().unwrap_or(0);
        let mean = totals.iter().sum::<usize>() as f64 / n as f64;
        let _ = writeln!(
            s,
            "Halo bytes per step per rank: max {}, mean {:.1}",
            max * VALUE_BYTES,
            mean * VALUE_BYTES as f64
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assignment::OwnedHaloPlan;
    use topo_sim::exchange::Block;
    use topo_sim::ownership::Ownership;

    #[test]
    fn the_report_names_every_rank_block_and_halo_volume() {
        let unit = [-0.5, -0.5, 0.5, 0.5];
        let d = GridDecomposition::new(4, 0, unit).unwrap();
        let sheets = [SheetGeometry {
            name: "V1".into(),
            rows: 8,
            cols: 8,
            lbrt: unit,
        }];
        // A one-unit halo around every 4x4 block: each rank receives
        // 4 + 4 + 1 = 9 values.
        let owns = d.all_blocks(8, 8, unit);
        let needs: Vec<Block> = owns
            .iter()
            .map(|b| Block {
                r0: b.r0.saturating_sub(1),
                r1: (b.r1 + 1).min(8),
                c0: b.c0.saturating_sub(1),
                c1: (b.c1 + 1).min(8),
            })
            .collect();
        let recv_units: Vec<usize> = (0..4)
            .map(|q| {
                let owners: Vec<Ownership> = owns.iter().map(|&b| b.into()).collect();
                OwnedHaloPlan::compute(q, &owners, &needs).recv_units()
            })
            .collect();
        assert_eq!(recv_units, vec![9; 4]);
        let halo = HaloSummary {
            sheet: "V1".into(),
            rows: 8,
            cols: 8,
            send_units: recv_units.clone(),
            recv_messages: vec![3; 4],
            send_messages: vec![3; 4],
            recv_units,
        };
        let text = decomposition_report(&d, &sheets, &[halo]);
        assert!(text.contains("4 rank(s) as a 2 x 2 grid"), "{text}");
        assert!(text.contains("rank 3 (grid row 1, col 1):"), "{text}");
        assert!(text.contains("rows     4..8     cols     4..8"), "{text}");
        assert!(
            text.contains("receives 72 bytes per step in 3 message(s)"),
            "{text}"
        );
        assert!(text.contains("max 72, mean 72.0"), "{text}");
        // V1's rows dealt cyclically: rank 3 owns rows 3 and 7, all columns.
        let dealt = |q: usize, sh: &SheetGeometry| {
            topo_sim::ownership::Dealing::Stripes { stripe: 1 }.owner_set(sh.rows, sh.cols, 4, q)
        };
        let text = decomposition_report_owned(&d, &dealt, &sheets, &[]);
        assert!(
            text.contains("rows     3..8     cols     0..8            16 units (rows dealt in stripes of 1 to 4 ranks)"),
            "{text}"
        );
    }
}
