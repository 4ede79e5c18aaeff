//! The messages of one halo exchange, made from an [`OwnedHaloPlan`]: one
//! message per peer, its rectangles packed in plan order. Shared by
//! [`crate::MpiExchange`], which sends them, and
//! [`crate::DryRunExchange`], which only counts them, so that the
//! planner's counts are the exchange's by construction
//! (tests/full/plan_exchange.rs checks them against a real run).

use crate::assignment::OwnedHaloPlan;
use crate::comm::ExchangeStats;
use topo_sim::exchange::Block;
use topo_sim::ownership::{copy_owned_to_rect, Ownership};

/// Packs this rank's message to every peer of `plan.sends`, one after the
/// other, into `send_buf` (`plan.send_units()` values), from `local`
/// (this rank's units, laid out by `own`).
pub(crate) fn pack_sends(
    plan: &OwnedHaloPlan,
    own: &Ownership,
    local: &[f64],
    send_buf: &mut [f64],
) {
    let mut off = 0;
    for t in &plan.sends {
        for rect in &t.rects {
            let n = rect.len();
            copy_owned_to_rect(own, local, rect, &mut send_buf[off..off + n], rect);
            off += n;
        }
    }
}

/// Copies the parts of `needed` this rank owns from `local` into `out`
/// (row-major over `needed`).
pub(crate) fn copy_local(
    plan: &OwnedHaloPlan,
    own: &Ownership,
    local: &[f64],
    needed: &Block,
    out: &mut [f64],
) {
    for rect in &plan.local {
        copy_owned_to_rect(own, local, needed, out, rect);
    }
}

/// Adds one exchange of `plan` to the counters: one message per peer,
/// the units of its rectangles.
pub(crate) fn count(stats: &mut ExchangeStats, plan: &OwnedHaloPlan) {
    stats.calls += 1;
    stats.units_received += plan.recv_units() as u64;
    stats.units_sent += plan.send_units() as u64;
    stats.messages_received += plan.recvs.len() as u64;
    stats.messages_sent += plan.sends.len() as u64;
}

#[cfg(test)]
mod tests {
    use super::*;
    use topo_sim::ownership::Dealing;

    #[test]
    fn messages_carry_the_sent_rectangles_in_plan_order() {
        // 6x3 sheet, rows dealt to 2 ranks; rank 0 owns rows 0, 2, 4 and
        // rank 1 needs rows 1..5.
        let owns = Dealing::Stripes { stripe: 1 }.all(6, 3, 2);
        let needs = vec![
            Block::full(6, 3),
            Block {
                r0: 1,
                r1: 5,
                c0: 0,
                c1: 3,
            },
        ];
        let plan = OwnedHaloPlan::compute(0, &owns, &needs);
        let local: Vec<f64> = (0..9).map(f64::from).collect();
        let mut buf = vec![-1.0; plan.send_units()];
        pack_sends(&plan, &owns[0], &local, &mut buf);
        // Rows 2 and 4 of the sheet are rank 0's second and third rows.
        assert_eq!(buf, vec![3.0, 4.0, 5.0, 6.0, 7.0, 8.0]);
        let mut st = ExchangeStats::default();
        count(&mut st, &plan);
        assert_eq!((st.units_sent, st.messages_sent), (6, 1));
        assert_eq!((st.units_received, st.messages_received), (9, 1));
        let mut out = vec![-1.0; 18];
        copy_local(&plan, &owns[0], &local, &needs[0], &mut out);
        assert_eq!(&out[..3], &[0.0, 1.0, 2.0]);
        assert_eq!(&out[3..6], &[-1.0; 3]);
    }
}
