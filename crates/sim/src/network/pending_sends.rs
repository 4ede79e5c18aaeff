//! Overlap of the halo exchange with computation: a sheet's send starts
//! the exchanges of its outgoing projections ([`Exchange::start_exchange`])
//! and queues their deliveries; the exchanges are finished, and halo
//! followers cut their rectangles from their leaders' buffers, once the
//! `process_current_time` phase of the step is over
//! ([`Network::finish_sends`]). In between runs the work that needs no
//! halo of this step: the sending sheet's learning (which reads its
//! incoming projections' inputs, not its output) and the activation,
//! output functions, sends and learning of the sheets after it in sheet
//! order (each reads only its own projections' activities, computed from
//! deliveries already made). The buffers are read only by the queued
//! `Deliver` events, which run after the phase ends (a delivery is
//! queued at `t + delay`, and even a zero delay runs after the phase), so
//! every value and every addition is the same as with a blocking
//! exchange: results stay bit-identical.
//!
//! Nothing here allocates in the step loop: the lists keep their
//! capacity (at most one entry per projection).

use super::sheet_ops::pair_mut;
use super::Network;
use crate::exchange::{copy_rect, Exchange, HaloId};

/// The exchanges started and not yet finished, in start order.
pub(super) struct PendingSends {
    /// Leaders and unshared projections: `(projection, buffer, halo)`.
    exchanges: Vec<(usize, usize, HaloId)>,
    /// Halo followers: `(projection, buffer, leader, leader's buffer)`.
    followers: Vec<(usize, usize, usize, usize)>,
    /// Off: every send finishes its exchanges at once (for measuring
    /// what the overlap gains, and for showing it changes no bit).
    pub(super) overlap: bool,
}

impl Default for PendingSends {
    fn default() -> Self {
        PendingSends {
            exchanges: Vec::new(),
            followers: Vec::new(),
            overlap: true,
        }
    }
}

impl PendingSends {
    /// Projection `proj`'s buffer `buf` is being filled by halo `halo`.
    pub(super) fn exchange(&mut self, proj: usize, buf: usize, halo: HaloId) {
        self.exchanges.push((proj, buf, halo));
    }

    /// Follower `proj`'s buffer `buf` is cut from `leader`'s buffer
    /// `leader_buf` once that one is complete.
    pub(super) fn follower(&mut self, proj: usize, buf: usize, leader: usize, leader_buf: usize) {
        self.followers.push((proj, buf, leader, leader_buf));
    }
}

impl Network {
    /// Overlap exchanges with computation (the default) or finish each
    /// send's exchanges at once. Local to this rank and free of
    /// collectives, but every rank should choose the same for the timings
    /// to mean anything; the results are the same bits either way.
    pub fn set_overlap(&mut self, on: bool) {
        self.pending.overlap = on;
    }

    /// Finishes every started exchange in start order, then fills the
    /// followers' buffers: the same values their own exchange would have
    /// brought. Called at the end of the `process_current_time` phase
    /// and at the end of `run` (so nothing stays in flight).
    pub(super) fn finish_sends(&mut self, ex: &mut dyn Exchange) {
        for k in 0..self.pending.exchanges.len() {
            let (pi, buf, h) = self.pending.exchanges[k];
            ex.finish_exchange(h, &mut self.projs[pi].pool[buf]);
        }
        self.pending.exchanges.clear();
        for k in 0..self.pending.followers.len() {
            let (pi, buf, li, lbuf) = self.pending.followers[k];
            let (p, leader) = pair_mut(&mut self.projs, pi, li);
            if !p.cfs.needed.is_empty() {
                copy_rect(
                    &leader.cfs.needed,
                    &leader.pool[lbuf],
                    &p.cfs.needed,
                    &mut p.pool[buf],
                );
            }
        }
        self.pending.followers.clear();
    }
}
