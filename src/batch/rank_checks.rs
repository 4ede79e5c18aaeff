//! Conditions worth a warning that only the rank itself can see, recorded
//! as rank-local warnings ([`super::rank_warnings`]).

use super::rank_warnings::record;
use crate::host::hostname;
use crate::par::threads::CpuBudget;
use std::collections::HashSet;
#[cfg(test)]
use topo_sim::exchange::Block;
use topo_sim::ownership::Ownership;
use topo_sim::Network;
use topo_spec::Time;

/// Record a warning if this rank's thread pool has more threads than the
/// CPUs it may run on (`--threads` or `SLURM_CPUS_PER_TASK` larger than
/// the cores mpirun or SLURM bound the rank to).
pub fn check_threads() {
    if let Some(w) =
        CpuBudget::of_this_process().and_then(|b| b.oversubscription_warning(&hostname()))
    {
        record(w);
    }
}

/// Non-finite values in one rank's block of a sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NonFinite {
    /// How many.
    pub count: usize,
    /// The first one's unit in global matrix coordinates (row, column).
    pub first: (usize, usize),
}

/// The non-finite values of `activity`, the values of the owned units
/// (a block row-major, or rows dealt in stripes) in local order.
pub fn non_finite(activity: &[f64], own: impl Into<Ownership>) -> Option<NonFinite> {
    let own = own.into();
    let first = activity.iter().position(|v| !v.is_finite())?;
    let count = activity[first..].iter().filter(|v| !v.is_finite()).count();
    Some(NonFinite {
        count,
        first: own.global(first),
    })
}

/// Watches every sheet's activity in this rank's block after each run
/// segment: a NaN or infinity there spreads through the projections and
/// ruins the run, and only the rank holding the block sees where it began.
/// Each sheet is reported once per run (a broken sheet stays broken).
#[derive(Default)]
pub struct ActivityWatch {
    reported: HashSet<String>,
}

impl ActivityWatch {
    /// Check every sheet of `net` at time `t`; record a warning for each
    /// newly broken one.
    pub fn check(&mut self, net: &Network, t: Time) {
        for sheet in net.sheet_names() {
            if self.reported.contains(&sheet) {
                continue;
            }
            let Ok(block) = net.sheet_ownership(&sheet) else {
                continue;
            };
            if let Some(nf) = non_finite(net.activity(&sheet), block) {
                record(format!(
                    "sheet {sheet}: {} non-finite activity value(s) in this rank's block at time {}, the first at unit (row {}, col {})",
                    nf.count,
                    t.to_f64(),
                    nf.first.0,
                    nf.first.1
                ));
                self.reported.insert(sheet);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finite_blocks_are_fine() {
        let b = Block {
            r0: 0,
            r1: 2,
            c0: 0,
            c1: 2,
        };
        assert_eq!(non_finite(&[0.0, 1.0, -1e300, 0.5], b), None);
        assert_eq!(non_finite(&[], b), None);
    }

    #[test]
    fn the_first_non_finite_unit_is_named_in_global_coordinates() {
        // Rows 4..6, columns 10..13 of the sheet.
        let b = Block {
            r0: 4,
            r1: 6,
            c0: 10,
            c1: 13,
        };
        let a = [0.0, 0.0, 0.0, 0.0, f64::NAN, f64::INFINITY];
        assert_eq!(
            non_finite(&a, b),
            Some(NonFinite {
                count: 2,
                first: (5, 11)
            })
        );
        let a = [f64::NEG_INFINITY, 0.0, 0.0, 0.0, 0.0, 0.0];
        assert_eq!(
            non_finite(&a, b),
            Some(NonFinite {
                count: 1,
                first: (4, 10)
            })
        );
    }
}
