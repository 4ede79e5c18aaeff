//! Topographica's event queue: events sorted by exact time, FIFO among
//! equal times (`Simulation.enqueue_event` inserts after every event of
//! the same time).

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};
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

/// The queue: a map from time to the FIFO of that time's events.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct EventQueue {
    slots: BTreeMap<Time, VecDeque<EventKind>>,
    len: usize,
}

impl EventQueue {
    /// An empty queue.
    pub fn new() -> Self {
        Self::default()
    }

    /// Insert after every queued event of the same time.
    pub fn push(&mut self, time: Time, ev: EventKind) {
        self.slots.entry(time).or_default().push_back(ev);
        self.len += 1;
    }

    /// Time of the earliest event.
    pub fn peek_time(&self) -> Option<Time> {
        self.slots.keys().next().copied()
    }

    /// Remove and return the earliest event.
    pub fn pop(&mut self) -> Option<(Time, EventKind)> {
        let mut entry = self.slots.first_entry()?;
        let t = *entry.key();
        let ev = entry.get_mut().pop_front();
        if entry.get().is_empty() {
            entry.remove();
        }
        self.len -= 1;
        ev.map(|e| (t, e))
    }

    /// Number of queued events.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True if nothing is queued.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Every queued event in execution order.
    pub fn events(&self) -> Vec<(Time, EventKind)> {
        self.slots
            .iter()
            .flat_map(|(t, q)| q.iter().map(move |e| (*t, e.clone())))
            .collect()
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
