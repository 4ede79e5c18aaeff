//! Dot-product responses computed together, one parallel region per step
//! instead of one (or two) per delivery.
//!
//! `deliver` (topo/base/projection.py, `Projection.input_event` calling
//! `activate`) computes the response at once in Topographica. Nothing
//! reads a projection's activity before the step's events are over,
//! though: the other events at the same time deliver to other projections
//! or generate patterns, a command resolves what is outstanding first
//! (as it does for owed responses), and the sheets read their
//! projections only in `process_current_time`. So, when switched on
//! ([`Network::set_batched_responses`]), the dot-product
//! responses of a step are queued here and computed just before that
//! phase (or before a command, or the end of `run`), all in one rayon
//! region: each projection's response is a task (its own kernels' inner
//! parallel loops then split on an already-busy pool). At
//! cortex_density 48 a fork/join of an idle pool costs ~10 µs, about a
//! V1 lateral kernel's own time, and V1's two lateral projections are
//! delivered at the same step.
//!
//! Every response reads only its projection's input and weights and
//! writes only its activity and scratch, so the values are those of
//! responses computed one by one, whatever the thread count; the order
//! of the collectives is untouched (Euclidean responses, which take a
//! collective maximum, are still computed at delivery).

use super::Network;
use crate::projection::Projection;

/// The queued responses and the switch (off by default: measured no
/// faster at cortex_density 48 on this 2-core machine under load, see
/// benches/RESULTS.md, issue 14 session 7).
#[derive(Default)]
pub(super) struct BatchedResponses {
    /// Projections whose response to their current input is queued, in
    /// delivery order (at most one entry per projection; the capacity is
    /// kept, so queueing does not allocate after the first steps).
    queued: Vec<usize>,
    /// Off: every response is computed at its delivery (for measuring
    /// what batching gains, and for showing it changes no bit).
    pub(super) on: bool,
}

impl BatchedResponses {
    /// Whether projection `pi`'s response is queued.
    pub(super) fn is_queued(&self, pi: usize) -> bool {
        self.queued.contains(&pi)
    }

    /// Whether any response is queued.
    pub(super) fn any(&self) -> bool {
        !self.queued.is_empty()
    }

    /// Queues projection `pi`'s response (it must not be queued already).
    pub(super) fn queue(&mut self, pi: usize) {
        debug_assert!(!self.is_queued(pi));
        self.queued.push(pi);
    }
}

impl Network {
    /// Computes every dot-product response at its delivery (`false`, the
    /// default) or batched per step (`true`). Local to this rank and free
    /// of collectives; the results are the same bits either way.
    pub fn set_batched_responses(&mut self, on: bool) {
        self.resolve_queued_responses();
        self.batched.on = on;
    }

    /// Computes the queued responses, in one parallel region when there
    /// are several.
    pub(super) fn resolve_queued_responses(&mut self) {
        match self.batched.queued.len() {
            0 => {}
            1 => self.projs[self.batched.queued[0]].dot_product_response(),
            _ => respond_split(&mut self.projs, 0, &self.batched.queued),
        }
        self.batched.queued.clear();
    }
}

/// Computes the responses of the queued projections among `projs` (the
/// projections from index `base`), halving the queued ones at each
/// `rayon::join`: one task per response, no allocation.
fn respond_split(projs: &mut [Projection], base: usize, queued: &[usize]) {
    let here = |i: &usize| (base..base + projs.len()).contains(i);
    let n = queued.iter().filter(|i| here(i)).count();
    match n {
        0 => {}
        1 => {
            let i = *queued.iter().find(|i| here(i)).expect("counted");
            projs[i - base].dot_product_response();
        }
        _ => {
            // Split after the (n / 2)-th queued projection in index order.
            let mut seen = 0;
            let mut cut = 0;
            for (k, i) in (base..base + projs.len()).enumerate() {
                if queued.contains(&i) {
                    seen += 1;
                    if seen == n / 2 {
                        cut = k + 1;
                        break;
                    }
                }
            }
            let (lo, hi) = projs.split_at_mut(cut);
            rayon::join(
                || respond_split(lo, base, queued),
                || respond_split(hi, base + cut, queued),
            );
        }
    }
}
