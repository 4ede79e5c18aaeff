//! The event loop (`Simulation.run`), event execution and the sheets'
//! activation, settling and learning.

use super::Network;
use crate::error::SimError;
use crate::exchange::{copy_rect, Exchange};
use crate::learning;
use crate::normalize::{joint_norm_totals, UnitFilter};
use crate::projection::{LearningKind, ResponseKind};
use crate::queue::EventKind;
use crate::response;
use crate::sheet::SheetKind;
use crate::transfer::TfContext;
use topo_pattern::pattern::{render, Overrides, Region};
use topo_spec::{Time, Value};

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
    /// `topo.sim.run(duration)`: start sheets on the first call, then
    /// execute events up to and including `now + duration`, calling
    /// `process_current_time` on every sheet whenever time is about to
    /// advance past a time at which events were delivered.
    pub fn run(&mut self, duration: Time, ex: &mut dyn Exchange) -> Result<(), SimError> {
        let result = self.run_events(duration, ex);
        // Also after an error: whoever looks at the state sees every
        // projection's activity as computed.
        self.resolve_pending_responses();
        result
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
                    for s in 0..self.sheets.len() {
                        self.process_current_time(s, ex)?;
                    }
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
            EventKind::Command { idx } => {
                self.resolve_pending_responses();
                self.run_command(idx, ex)?
            }
        }
        Ok(())
    }

    /// `GeneratorSheet.generate()`: render the pattern once over the canvas
    /// (own block plus the rectangles outgoing projections read), apply the
    /// (per-unit) output functions, and send.
    fn generate(&mut self, s: usize, ex: &mut dyn Exchange) -> Result<(), SimError> {
        let now = self.time;
        let sheet = &mut self.sheets[s];
        let SheetKind::Generator(g) = &mut sheet.kind else {
            return Ok(());
        };
        let cb = g.canvas_block;
        let region = Region {
            r0: cb.r0,
            r1: cb.r1,
            c0: cb.c0,
            c1: cb.c1,
        };
        render(
            &g.pattern,
            &Overrides::default(),
            &sheet.coords,
            region,
            &mut self.streams,
            now,
            &mut g.canvas,
        )
        .map_err(|e| SimError::Build(format!("{}: input pattern: {e}", sheet.name)))?;
        if sheet.apply_output_fns {
            for f in &sheet.output_fns {
                f.apply_stateless(&mut g.canvas);
            }
        }
        if !sheet.block.is_empty() {
            copy_rect(&cb, &g.canvas, &sheet.block, &mut sheet.activity);
        }
        self.probe_activated(s, None);
        self.send_output(s, ex);
        Ok(())
    }

    fn probe_activated(&mut self, s: usize, count: Option<usize>) {
        if let Some(rec) = self.recorder.as_mut() {
            let sheet = &self.sheets[s];
            let projections = sheet
                .in_projs
                .iter()
                .map(|&p| (self.projs[p].name.as_str(), &self.projs[p].activity[..]))
                .collect();
            rec(&Probe::Activated {
                time: self.time,
                sheet: &sheet.name,
                activation_count: count,
                activity: &sheet.activity,
                projections,
            });
        }
    }

    /// `send_output`: one event per outgoing projection carrying the source
    /// activity this rank's dest units read (SettlingCFSheet holds back
    /// 'Afferent' ports until `strict_tsettle` activations).
    fn send_output(&mut self, s: usize, ex: &mut dyn Exchange) {
        let now = self.time;
        let sheet = &self.sheets[s];
        let held_back = match &sheet.kind {
            SheetKind::Cf {
                settle: Some(st), ..
            } => st
                .strict_tsettle
                .is_some_and(|strict| st.activation_count < strict),
            _ => false,
        };
        let sends = |p: &crate::projection::Projection| {
            !(held_back && p.afferent_port) && p.src_port == "Activity"
        };
        // Leaders and unshared projections first: fill their buffers.
        for k in 0..sheet.out_projs.len() {
            let pi = sheet.out_projs[k];
            let p = &mut self.projs[pi];
            if !sends(p) || p.halo_from.is_some() {
                continue;
            }
            let buf = p.take_buffer();
            match (&sheet.kind, p.halo) {
                (SheetKind::Generator(g), _) => {
                    if !p.cfs.needed.is_empty() {
                        copy_rect(&g.canvas_block, &g.canvas, &p.cfs.needed, &mut p.pool[buf]);
                    }
                }
                (_, Some(h)) => ex.exchange(h, &sheet.activity, &mut p.pool[buf]),
                (_, None) => {}
            }
            p.outgoing = Some(buf);
        }
        // Followers cut their rectangle out of their leader's buffer: the
        // same values their own exchange would have brought.
        for k in 0..sheet.out_projs.len() {
            let pi = sheet.out_projs[k];
            let Some(li) = self.projs[pi].halo_from else {
                continue;
            };
            if !sends(&self.projs[pi]) {
                continue;
            }
            let buf = self.projs[pi].take_buffer();
            let (p, leader) = pair_mut(&mut self.projs, pi, li);
            if !p.cfs.needed.is_empty() {
                let lbuf = leader
                    .outgoing
                    .expect("a halo leader sends whenever its follower does");
                copy_rect(
                    &leader.cfs.needed,
                    &leader.pool[lbuf],
                    &p.cfs.needed,
                    &mut p.pool[buf],
                );
            }
            p.outgoing = Some(buf);
        }
        // Events in connection order, as Topographica queues them.
        for k in 0..sheet.out_projs.len() {
            let pi = sheet.out_projs[k];
            let p = &mut self.projs[pi];
            if let Some(buf) = p.outgoing.take() {
                self.queue
                    .push(now + p.delay, EventKind::Deliver { proj: pi, buf });
            }
        }
    }

    /// `input_event`: a new iteration of a settling sheet clears its and
    /// its projections' activity; the projection computes its response.
    fn deliver(&mut self, pi: usize, buf: usize, ex: &mut dyn Exchange) -> Result<(), SimError> {
        let d = self.projs[pi].dest;
        if let Some(rec) = self.recorder.as_mut() {
            let p = &self.projs[pi];
            rec(&Probe::Delivered {
                time: self.time,
                proj: &p.name,
                src: &self.sheets[p.src].name,
                dest: &self.sheets[d].name,
            });
        }
        // A delivery to a settling sheet that has activated `tsettle` times
        // is followed by the end of its iteration (process_current_time
        // learns, which reads the input but not this activity) and then by
        // the clearing of every projection activity at the next iteration's
        // first delivery: activate() cannot run in between (it needs a
        // delivery, which clears first) and no probe shows it. So the
        // response is owed, not computed, unless the run ends or a command
        // runs first (`resolve_pending_responses`). No collective is
        // skipped: dot products do not communicate.
        let mut owed = false;
        if let SheetKind::Cf {
            settle: Some(st), ..
        } = &mut self.sheets[d].kind
        {
            if st.new_iteration {
                st.new_iteration = false;
                self.sheets[d].activity.fill(0.0);
                for k in 0..self.sheets[d].in_projs.len() {
                    let q = self.sheets[d].in_projs[k];
                    self.projs[q].activity.fill(0.0);
                    self.projs[q].pending_response = false;
                }
            } else {
                owed = st.tsettle > 0 && st.activation_count == st.tsettle;
            }
        }
        let p = &mut self.projs[pi];
        p.accept(buf);
        if owed && p.response == ResponseKind::DotProduct {
            p.pending_response = true;
            self.sheets[d].new_input = true;
            return Ok(());
        }
        p.pending_response = false;
        let needed = p.cfs.needed;
        match p.response {
            ResponseKind::DotProduct => p.dot_product_response(),
            ResponseKind::Euclidean => {
                response::euclidean(&p.cfs, &p.input, &needed, p.strength, &mut p.activity, ex)
            }
        }
        self.sheets[d].new_input = true;
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

    /// `ProjectionSheet.activate`: combine the projections' activities by
    /// priority group, apply the output functions, send.
    fn activate(&mut self, s: usize, ex: &mut dyn Exchange) -> Result<(), SimError> {
        let now = self.time;
        let count = match &self.sheets[s].kind {
            SheetKind::Cf {
                settle: Some(st), ..
            } => Some(st.activation_count),
            _ => None,
        };
        {
            let sheet = &mut self.sheets[s];
            let projs = &self.projs;
            // Per unit: acc = op_g(acc, ((0 + a_p1) + a_p2) + ...) over the
            // groups in order, as before, but one projection at a time over
            // a chunk of units so that the adds vectorise.
            const CHUNK: usize = 64;
            for (k, out) in sheet.activity.chunks_mut(CHUNK).enumerate() {
                let base = k * CHUNK;
                let n = out.len();
                let mut acc = [0.0f64; CHUNK];
                for (_, members) in &sheet.groups {
                    let mut tmp = [0.0f64; CHUNK];
                    for &p in members {
                        let a = &projs[p].activity[base..base + n];
                        for (t, x) in tmp[..n].iter_mut().zip(a) {
                            *t += *x;
                        }
                    }
                    let op = projs[members[0]].op;
                    for (a, t) in acc[..n].iter_mut().zip(&tmp[..n]) {
                        *a = op.apply(*a, *t);
                    }
                }
                out.copy_from_slice(&acc[..n]);
            }
            if sheet.apply_output_fns {
                let shape = sheet.shape();
                let block = sheet.block;
                let streams = &mut self.streams;
                let mut value = |v: &Value| -> Result<f64, SimError> {
                    streams
                        .value(v, now)
                        .map_err(|e| SimError::Build(format!("dynamic value: {e}")))
                };
                let mut cx = TfContext {
                    now,
                    shape,
                    block,
                    ex: &mut *ex,
                    value: &mut value,
                };
                for f in sheet.output_fns.iter_mut() {
                    f.apply(&mut sheet.activity, &mut cx)?;
                }
            }
        }
        self.probe_activated(s, count);
        self.send_output(s, ex);
        Ok(())
    }

    /// Learning of a sheet: every projection learns, then the weights are
    /// normalised (jointly for JointNormalizingCFSheet and subclasses),
    /// active units only.
    fn learn(&mut self, s: usize, ex: &mut dyn Exchange) -> Result<(), SimError> {
        let _ = ex;
        let now = self.time;
        for k in 0..self.sheets[s].in_projs.len() {
            let pi = self.sheets[s].in_projs[k];
            let p = &mut self.projs[pi];
            let dest_act = &self.sheets[s].activity;
            let learns = p.has_input && p.learning != LearningKind::None;
            let lr = if learns {
                self.streams
                    .value(&p.learning_rate, now)
                    .map_err(|e| SimError::Build(format!("{}: learning_rate: {e}", p.name)))?
            } else {
                0.0
            };
            let needed = p.cfs.needed;
            match if learns {
                p.learning
            } else {
                LearningKind::None
            } {
                LearningKind::Hebbian => {
                    let alpha = lr / p.cfs.n_units as f64;
                    learning::hebbian(&mut p.cfs, &p.input, &needed, dest_act, alpha);
                }
                LearningKind::EuclideanHebbian => {
                    learning::euclidean_hebbian(&mut p.cfs, &p.input, &needed, dest_act, lr);
                }
                LearningKind::User => {
                    // CFPLF_Plugin.constant_sum_connection_rate
                    let rate = lr / p.cfs.n_units as f64;
                    if let Some(k) = p.user_learning.as_deref() {
                        crate::userfn::apply(k, &mut p.cfs, &p.input, &needed, dest_act, rate);
                    }
                }
                LearningKind::None => {}
            }
            if !matches!(self.sheets[s].kind, SheetKind::Cf { joint: true, .. }) {
                let filter = UnitFilter {
                    sheet_mask: None,
                    active: Some(dest_act),
                };
                for w in &p.wofs {
                    w.apply(&mut p.cfs, filter);
                }
            }
        }
        if matches!(self.sheets[s].kind, SheetKind::Cf { joint: true, .. }) {
            self.normalize(s, true);
        }
        for k in 0..self.sheets[s].in_projs.len() {
            let pi = self.sheets[s].in_projs[k];
            self.projs[pi].sync_learned(&self.sheets[s].activity);
        }
        if let Some(rec) = self.recorder.as_mut() {
            let count = match &self.sheets[s].kind {
                SheetKind::Cf {
                    settle: Some(st), ..
                } => Some(st.activation_count),
                _ => None,
            };
            rec(&Probe::Learned {
                time: now,
                sheet: &self.sheets[s].name,
                activation_count: count,
                activity: &self.sheets[s].activity,
            });
        }
        Ok(())
    }

    /// `JointNormalizingCFSheet._normalize_weights`: ungrouped projections
    /// individually, then each 'JointNormalize' group (first-seen order)
    /// with joint norm totals.
    pub(crate) fn normalize(&mut self, s: usize, active_only: bool) {
        let sheet = &self.sheets[s];
        let filter = UnitFilter {
            sheet_mask: None,
            active: if active_only {
                Some(&sheet.activity[..])
            } else {
                None
            },
        };
        for (gi, members) in sheet.norm_groups.iter().enumerate() {
            // Group 0 holds the projections normalised individually.
            if gi > 0 {
                // One small vector of references per joint group and
                // learning step (the only allocation of learning).
                let mut cfs: Vec<&mut crate::cf::ConnectionFields> = self
                    .projs
                    .iter_mut()
                    .enumerate()
                    .filter(|(i, _)| members.contains(i))
                    .map(|(_, p)| &mut p.cfs)
                    .collect();
                joint_norm_totals(&mut cfs, filter);
            }
            for &pi in members {
                let p = &mut self.projs[pi];
                for w in &p.wofs {
                    w.apply(&mut p.cfs, filter);
                }
                if !active_only {
                    p.weights_changed();
                }
            }
        }
    }
}

/// Two distinct elements of a slice, both mutable.
fn pair_mut<T>(v: &mut [T], a: usize, b: usize) -> (&mut T, &mut T) {
    assert_ne!(a, b, "pair_mut needs two distinct indices");
    if a < b {
        let (lo, hi) = v.split_at_mut(b);
        (&mut lo[a], &mut hi[0])
    } else {
        let (lo, hi) = v.split_at_mut(a);
        (&mut hi[0], &mut lo[b])
    }
}
