//! The event loop: `Simulation.run` (topo/base/simulation.py,
//! `Simulation.run`) and the dispatch of each event to the sheet operations
//! in [`super::sheet_ops`].
//!
//! One step (one value of simulation time `t`) runs in these phases, in
//! this order, identically on every rank:
//!
//! 1. **Start** (first `run` only): generator sheets queue their periodic
//!    events; joint-normalising sheets normalise their initial weights.
//! 2. **Events at `t`**, popped in queue order (time, then insertion order),
//!    each executed completely before the next:
//!    - `Periodic`: queue a `Generate` at `t` and the next `Periodic` at
//!      `t + period`;
//!    - `Generate`: the generator sheet renders its pattern over its canvas,
//!      applies its output functions and sends (see *send* below);
//!    - `Deliver`: the projection takes the delivered source activity (its
//!      halo) and computes its response (dot products are deferred while a
//!      settling sheet's iteration ends, see `deliver`, and, if batching
//!      is on, otherwise queued to the end of this phase and computed
//!      together, see [`super::batched_responses`]); the dest sheet is
//!      marked `new_input`;
//!    - `Command`: pending responses are resolved, then the scheduled
//!      command runs.
//!
//!    *Send* (after a generate or an activate): for each outgoing
//!    projection in connection order, the source activity its dest units
//!    read on this rank is assembled (a local copy for generators, the
//!    collective halo exchange otherwise, started here and finished at
//!    the end of phase 3, see [`super::pending_sends`]; halo followers
//!    cut theirs from their leader's), then one `Deliver` event per
//!    projection is queued at `t + delay`.
//! 3. **process_current_time**, once time is about to advance past `t` and
//!    some event ran at `t`: the queued dot-product responses, if any,
//!    are computed (one parallel region), then every sheet with new input, in sheet order,
//!    activates (combines its projections' activities by priority group,
//!    applies its output functions, which may use collectives, and sends)
//!    and learns (learning rule, then weight normalisation, joint for
//!    JointNormalizingCFSheet) — or, for a settling sheet, settles one step
//!    or ends its iteration (topo/sheet/lissom.py,
//!    `SettlingCFSheet.process_current_time`).
//! 4. **Advance** time to the next queued event (never past `now +
//!    duration`); after the last step time is set to `now + duration`.
//!
//! Every collective (halo exchange, max, argmax, allgather) happens inside
//! these phases at the same point on every rank, because every rank holds
//! the same queue and executes the same events in the same order.

use super::Network;
use crate::error::SimError;
use crate::exchange::Exchange;
use crate::queue::EventKind;
use crate::sheet::SheetKind;
use topo_spec::Time;

/// What a recorder sees.
#[derive(Debug)]
pub enum Probe<'a> {
    /// A sheet activated (right before its output is sent), or a
    /// generator sheet generated.
    Activated {
        /// Time.
        time: Time,
        /// Sheet.
        sheet: &'a str,
        /// Settle counter before the increment (settling sheets).
        activation_count: Option<usize>,
        /// Local activity after the output functions.
        activity: &'a [f64],
        /// Each incoming projection's local activity.
        projections: Vec<(&'a str, &'a [f64])>,
    },
    /// A sheet learned (after weight normalisation).
    Learned {
        /// Time.
        time: Time,
        /// Sheet.
        sheet: &'a str,
        /// Settle counter (settling sheets).
        activation_count: Option<usize>,
        /// Local activity used for learning.
        activity: &'a [f64],
    },
    /// An event delivered input to a projection.
    Delivered {
        /// Time.
        time: Time,
        /// Projection name.
        proj: &'a str,
        /// Source sheet.
        src: &'a str,
        /// Destination sheet.
        dest: &'a str,
    },
}

impl Network {
    /// Keep the pool's other workers polling for work instead of sleeping
    /// while `run` runs ([`crate::par_policy::KeepAwake`]): off by default
    /// (or `TOPO_HPC_KEEP_AWAKE=1`). Changes no result; local to this rank.
    pub fn set_keep_awake(&mut self, on: bool) {
        self.keep_awake = on;
    }

    /// `topo.sim.run(duration)`: start sheets on the first call, then
    /// execute events up to and including `now + duration`, calling
    /// `process_current_time` on every sheet whenever time is about to
    /// advance past a time at which events were delivered.
    pub fn run(&mut self, duration: Time, ex: &mut dyn Exchange) -> Result<(), SimError> {
        let result = self.run_ahead(duration, ex);
        // Also after an error: whoever looks at the state sees every
        // projection's activity as computed.
        let resolved = self.resolve_owed(ex);
        result.and(resolved)
    }

    /// [`Network::run`] for a caller that runs on right after and does not
    /// look at the state in between (the batch loop's one iteration at a
    /// time): what is owed to the end of a run (see
    /// [`Network::resolve_owed`]) stays owed, as it does inside one long
    /// run, until the next run's events clear it or `resolve_owed`
    /// computes it. Runs of `run_ahead` then `resolve_owed` end in the
    /// same state, bit for bit, as one `run` of their total duration.
    /// Collective.
    pub fn run_ahead(&mut self, duration: Time, ex: &mut dyn Exchange) -> Result<(), SimError> {
        // The pool's other workers poll instead of sleeping while the
        // events run, if switched on (crate::par_policy).
        let _awake = crate::par_policy::KeepAwake::start(self.keep_awake);
        let result = self.run_events(duration, ex);
        // After an error too: no exchange stays in flight.
        self.finish_sends(ex);
        result
    }

    /// Computes what the event loop leaves owed because nothing inside a
    /// run reads it (each settling sheet's last responses of an
    /// iteration, and the units of a sheet that no other sheet reads, see
    /// the `read_region` module): afterwards every activity is what
    /// Topographica would hold. [`Network::run`] and every command do
    /// this first; after [`Network::run_ahead`] the caller must, before
    /// reading the state. Collective; a no-op when nothing is owed.
    pub fn resolve_owed(&mut self, ex: &mut dyn Exchange) -> Result<(), SimError> {
        self.finish_sends(ex);
        // Queued responses first: computed after the replay, a queued
        // response of an owing sheet would skip its unread units again.
        self.resolve_queued_responses();
        self.resolve_regions(ex)?;
        self.resolve_pending_responses();
        Ok(())
    }

    fn run_events(&mut self, duration: Time, ex: &mut dyn Exchange) -> Result<(), SimError> {
        if !self.started {
            self.started = true;
            self.start(ex)?;
        }
        let stop = if duration < Time::from_int(0) {
            self.time
        } else {
            self.time + duration
        };
        let mut did_event = false;
        while let Some(head) = self.queue.peek_time() {
            if self.time > stop {
                break;
            }
            if head < self.time {
                self.queue.pop();
            } else if head > self.time {
                if did_event {
                    did_event = false;
                    self.resolve_queued_responses();
                    for s in 0..self.sheets.len() {
                        self.process_current_time(s, ex)?;
                    }
                    self.finish_sends(ex);
                }
                if let Some(h) = self.queue.peek_time() {
                    if h > self.time {
                        self.time = h;
                    }
                }
            } else {
                let (_, ev) = self.queue.pop().expect("peeked");
                self.execute(ev, ex)?;
                did_event = true;
            }
        }
        self.time = stop;
        Ok(())
    }

    /// Computes the responses deferred by `deliver` (`pending_response`):
    /// before anything but the event loop can read projection activities
    /// (the end of `run`, a command).
    pub(crate) fn resolve_pending_responses(&mut self) {
        self.resolve_queued_responses();
        for p in self.projs.iter_mut().filter(|p| p.pending_response) {
            p.pending_response = false;
            p.dot_product_response();
        }
    }

    fn start(&mut self, ex: &mut dyn Exchange) -> Result<(), SimError> {
        for s in 0..self.sheets.len() {
            match &self.sheets[s].kind {
                SheetKind::Generator(g) => {
                    if g.period > Time::from_int(0) {
                        let (t, period) = (self.time + g.phase, g.period);
                        self.queue.push(t, EventKind::Periodic { sheet: s, period });
                    }
                }
                SheetKind::Cf { joint: true, .. } => self.normalize(s, false),
                SheetKind::Cf { .. } => {}
            }
        }
        let _ = ex;
        Ok(())
    }

    fn execute(&mut self, ev: EventKind, ex: &mut dyn Exchange) -> Result<(), SimError> {
        match ev {
            EventKind::Periodic { sheet, period } => {
                self.queue.push(self.time, EventKind::Generate { sheet });
                self.queue
                    .push(self.time + period, EventKind::Periodic { sheet, period });
            }
            EventKind::Generate { sheet } => self.generate(sheet, ex)?,
            EventKind::Deliver { proj, buf } => self.deliver(proj, buf, ex)?,
            EventKind::Command { idx } => self.run_command(idx, ex)?,
        }
        Ok(())
    }

    fn process_current_time(&mut self, s: usize, ex: &mut dyn Exchange) -> Result<(), SimError> {
        if !self.sheets[s].new_input {
            return Ok(());
        }
        let plastic = self.sheets[s].plastic;
        self.sheets[s].new_input = false;
        enum Step {
            ActivateLearn { learn: bool },
            EndOfIteration { learn: bool },
            Settle { continuous: bool },
        }
        let step = match &mut self.sheets[s].kind {
            SheetKind::Generator(_) => return Ok(()),
            SheetKind::Cf { settle: None, .. } => Step::ActivateLearn { learn: plastic },
            // mask_init_time: the sheet mask is a plain SheetMask here,
            // whose calculate() does nothing.
            SheetKind::Cf {
                settle: Some(st), ..
            } => {
                if st.tsettle == 0 {
                    // Topographica learns here whatever `plastic` says.
                    Step::ActivateLearn { learn: true }
                } else if st.activation_count == st.tsettle {
                    st.activation_count = 0;
                    st.new_iteration = true;
                    Step::EndOfIteration {
                        learn: plastic && !st.continuous_learning,
                    }
                } else {
                    Step::Settle {
                        continuous: st.continuous_learning,
                    }
                }
            }
        };
        match step {
            Step::ActivateLearn { learn } => {
                self.activate(s, ex)?;
                if learn {
                    self.learn(s, ex)?;
                }
            }
            Step::EndOfIteration { learn } => {
                if learn {
                    self.learn(s, ex)?;
                }
            }
            Step::Settle { continuous } => {
                self.activate(s, ex)?;
                if let SheetKind::Cf {
                    settle: Some(st), ..
                } = &mut self.sheets[s].kind
                {
                    st.activation_count += 1;
                }
                if plastic && continuous {
                    self.learn(s, ex)?;
                }
            }
        }
        Ok(())
    }
}
