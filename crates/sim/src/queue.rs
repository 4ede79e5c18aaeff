//! Topographica's event queue: events sorted by exact time, FIFO among
//! equal times (`Simulation.enqueue_event` inserts after every event of
//! the same time).

use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use topo_spec::Time;

/// What an event does when it is executed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum EventKind {
    /// Deliver the data held in buffer `buf` of projection `proj`'s
    /// in-flight pool to that projection (an `EPConnectionEvent`).
    Deliver {
        /// Projection index.
        proj: usize,
        /// In-flight buffer index in the projection's pool.
        buf: usize,
    },
    /// A GeneratorSheet's `PeriodicEventSequence`: enqueue `Generate` now
    /// and itself again one period later.
    Periodic {
        /// Sheet index.
        sheet: usize,
        /// Period.
        period: Time,
    },
    /// `GeneratorSheet.generate()`.
    Generate {
        /// Sheet index.
        sheet: usize,
    },
    /// A scheduled command (index into the network's command list).
    Command {
        /// Command index.
        idx: usize,
    },
}

/// The queue: events in execution order (a sorted deque, as Topographica's
/// sorted list). Inserting after every event of the same time keeps FIFO
/// order; once its capacity covers the usual number of pending events
/// (a handful per projection) it never allocates again.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct EventQueue {
    events: VecDeque<(Time, EventKind)>,
}

impl EventQueue {
    /// An empty queue.
    pub fn new() -> Self {
        Self::default()
    }

    /// Insert after every queued event of the same or an earlier time.
    pub fn push(&mut self, time: Time, ev: EventKind) {
        let at = self.events.partition_point(|(t, _)| *t <= time);
        self.events.insert(at, (time, ev));
    }

    /// Time of the earliest event.
    pub fn peek_time(&self) -> Option<Time> {
        self.events.front().map(|(t, _)| *t)
    }

    /// Remove and return the earliest event.
    pub fn pop(&mut self) -> Option<(Time, EventKind)> {
        self.events.pop_front()
    }

    /// Number of queued events.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// True if nothing is queued.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The queued events in execution order, borrowed.
    pub fn iter(&self) -> impl Iterator<Item = &(Time, EventKind)> + '_ {
        self.events.iter()
    }

    /// Every queued event in execution order.
    pub fn events(&self) -> Vec<(Time, EventKind)> {
        self.events.iter().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifo_among_equal_times_and_sorted_by_time() {
        let mut q = EventQueue::new();
        let t = |n, d| Time::new(n, d);
        q.push(t(1, 10), EventKind::Command { idx: 0 });
        q.push(t(1, 20), EventKind::Command { idx: 1 });
        q.push(t(1, 10), EventKind::Command { idx: 2 });
        q.push(t(2, 20), EventKind::Command { idx: 3 });
        let order: Vec<usize> = std::iter::from_fn(|| q.pop())
            .map(|(_, e)| match e {
                EventKind::Command { idx } => idx,
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(order, vec![1, 0, 2, 3]);
        assert!(q.is_empty());
    }
}
