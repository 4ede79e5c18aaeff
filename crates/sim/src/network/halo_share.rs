//! Shared halos: projections that read the same source sheet at the same
//! moment (a sheet's lateral excitatory and inhibitory projections, say)
//! need nested rectangles of the same activity. Exchanging only the
//! largest and cutting the others out of it locally sends each boundary
//! unit once per step instead of once per projection, and halves the
//! messages of a GCAL or LISSOM settling step.
//!
//! The values a follower gets are the very values its own exchange would
//! have delivered, so results do not change by a bit. Every projection
//! keeps its registered halo (plans are cheap and `change_bounds` may make
//! a follower a leader again); only the exchange is skipped.

use super::Network;
use crate::exchange::{Block, Exchange, HaloId};

/// Whether `outer` contains `inner` (an empty rectangle is inside anything).
fn contains(outer: &Block, inner: &Block) -> bool {
    inner.is_empty() || outer.intersect(inner) == *inner
}

/// Collective: true when `local` holds on every rank.
fn on_every_rank(ex: &mut dyn Exchange, local: bool) -> bool {
    ex.max(if local { 0.0 } else { 1.0 }) == 0.0
}

/// The rule of `Network::share_halos` (private), shared with `topo-hpc plan`
/// (which answers `contains_everywhere` from every rank's rectangles
/// without communication). `outs` are the projections (any indices) that
/// read one source sheet's `Activity` through a registered halo;
/// `same_moment(j, k)`: `j` and `k` send at the same moment (the same
/// `Afferent` hold-back); `contains_everywhere(j, k)`: `j`'s needed
/// rectangle contains `k`'s on every rank (the engine's answer is a
/// collective, so it is called in the same order on every rank). Returns
/// `(follower, leader)` pairs, the leader being the root of its chain.
pub fn halo_leaders(
    outs: &[usize],
    same_moment: &dyn Fn(usize, usize) -> bool,
    contains_everywhere: &mut dyn FnMut(usize, usize) -> bool,
) -> Vec<(usize, usize)> {
    // Per position in `outs`, the position of its leader.
    let mut lead: Vec<Option<usize>> = vec![None; outs.len()];
    for (a, &k) in outs.iter().enumerate() {
        for (b, &j) in outs.iter().enumerate() {
            if j == k || !same_moment(j, k) || !contains_everywhere(j, k) {
                continue;
            }
            // Equal on every rank: the earlier one leads, so two equal
            // projections never follow each other.
            let equal = contains_everywhere(k, j);
            if !equal || j < k {
                lead[a] = Some(b);
                break;
            }
        }
    }
    // A leader may itself follow a larger one: point at the root. Each
    // step goes to a strictly larger rectangle or, among equal ones, an
    // earlier projection, so the walk ends.
    for a in 0..outs.len() {
        while let Some(b) = lead[a] {
            match lead[b] {
                Some(c) => lead[a] = Some(c),
                None => break,
            }
        }
    }
    outs.iter()
        .zip(lead)
        .filter_map(|(&k, l)| l.map(|b| (k, outs[b])))
        .collect()
}

impl Network {
    /// Collective. Decide for every projection whether its input is cut
    /// from another projection's exchanged buffer (its leader) instead of
    /// exchanged. A leader sends at the same moment as its follower (same
    /// source sheet, `Activity` port, same `Afferent` hold-back) and its
    /// needed rectangle contains the follower's on every rank; among equal
    /// rectangles the earlier projection leads. Called after the build and
    /// whenever a projection's rectangle changes.
    pub(super) fn share_halos(&mut self, ex: &mut dyn Exchange) {
        for p in &mut self.projs {
            p.halo_from = None;
        }
        if !self.halo_sharing {
            return;
        }
        for s in 0..self.sheets.len() {
            let outs: Vec<usize> = self.sheets[s]
                .out_projs
                .iter()
                .copied()
                .filter(|&pi| {
                    self.projs[pi].halo.is_some() && self.projs[pi].src_port == "Activity"
                })
                .collect();
            let projs = &self.projs;
            let pairs = halo_leaders(
                &outs,
                &|j, k| projs[j].afferent_port == projs[k].afferent_port,
                &mut |j, k| on_every_rank(ex, contains(&projs[j].cfs.needed, &projs[k].cfs.needed)),
            );
            for (k, j) in pairs {
                self.projs[k].halo_from = Some(j);
            }
        }
    }

    /// Collective. Turn halo sharing on (the default) or off. Off, every
    /// projection exchanges its own halo: for measuring what sharing
    /// saves, and for checking that it changes no value.
    pub fn set_halo_sharing(&mut self, on: bool, ex: &mut dyn Exchange) {
        self.halo_sharing = on;
        self.share_halos(ex);
    }

    /// How each projection gets its input across ranks, in connection
    /// order (for reports: which registered halos are really exchanged).
    pub fn halo_use(&self) -> Vec<HaloUse> {
        self.projs
            .iter()
            .map(|p| HaloUse {
                projection: format!("{}.{}", self.sheets[p.dest].name, p.name),
                halo: p.halo,
                shared_from: p.halo_from.map(|j| {
                    format!(
                        "{}.{}",
                        self.sheets[self.projs[j].dest].name, self.projs[j].name
                    )
                }),
            })
            .collect()
    }
}

/// One projection's halo, as [`Network::halo_use`] reports it.
#[derive(Clone, Debug, PartialEq)]
pub struct HaloUse {
    /// `Dest.Projection`.
    pub projection: String,
    /// Its registered halo (None for a generator source: no exchange).
    pub halo: Option<HaloId>,
    /// The projection whose exchanged buffer it reads instead of its own
    /// halo, if any.
    pub shared_from: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(r0: usize, r1: usize, c0: usize, c1: usize) -> Block {
        Block { r0, r1, c0, c1 }
    }

    #[test]
    fn containment() {
        assert!(contains(&b(0, 10, 0, 10), &b(2, 5, 3, 10)));
        assert!(!contains(&b(0, 10, 0, 10), &b(2, 11, 3, 10)));
        assert!(contains(&b(0, 10, 0, 10), &b(4, 4, 0, 0)));
        assert!(!contains(&b(4, 4, 0, 0), &b(0, 1, 0, 1)));
    }
}
