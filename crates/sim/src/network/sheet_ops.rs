//! The sheet operations the event loop ([`super::event_loop`]) calls:
//! generating, sending, delivering, activating, learning and normalising
//! (topo/base/sheet.py, topo/base/projection.py `ProjectionSheet`,
//! topo/sheet/__init__.py `JointNormalizingCFSheet`).

use super::event_loop::Probe;
use super::Network;
use crate::error::SimError;
use crate::exchange::{copy_rect, Exchange};
use crate::learning;
use crate::normalize::{joint_norm_totals, UnitFilter};
use crate::ownership::copy_rect_to_owned;
use crate::projection::{LearningKind, ResponseKind};
use crate::queue::EventKind;
use crate::response;
use crate::sheet::SheetKind;
use crate::transfer::TfContext;
use topo_pattern::pattern::{render, render_channels, Overrides, Region};
use topo_spec::Value;

impl Network {
    /// `GeneratorSheet.generate()`: render the pattern once over the canvas
    /// (own block plus the rectangles outgoing projections read), apply the
    /// (per-unit) output functions, and send.
    pub(super) fn generate(&mut self, s: usize, ex: &mut dyn Exchange) -> Result<(), SimError> {
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
        if !sheet.own.is_empty() {
            copy_rect_to_owned(&cb, &g.canvas, &sheet.own, &mut sheet.activity);
        }
        // ChannelGeneratorSheet.generate: the channels of the same call,
        // then the sheet's output functions on each.
        if let Some(ch) = g.channels.as_mut().filter(|c| c.active) {
            render_channels(
                &g.pattern,
                &Overrides::default(),
                &sheet.coords,
                region,
                &mut self.streams,
                now,
                &mut ch.canvases,
            )
            .map_err(|e| SimError::Build(format!("{}: input pattern channels: {e}", sheet.name)))?;
            for (canvas, act) in ch.canvases.iter_mut().zip(ch.activity.iter_mut()) {
                if sheet.apply_output_fns {
                    for f in &sheet.output_fns {
                        f.apply_stateless(canvas);
                    }
                }
                if !sheet.own.is_empty() {
                    copy_rect_to_owned(&cb, canvas, &sheet.own, act);
                }
            }
        }
        self.probe_activated(s, None);
        self.send_output(s, ex);
        // An event, not the phase: its deliveries may run at this very
        // time, so nothing waits for the phase's end.
        self.finish_sends(ex);
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
        // A channel generator sheet also sends on its active channel
        // ports (`Activity<i>`).
        let channel_of = |p: &crate::projection::Projection| match &sheet.kind {
            SheetKind::Generator(g) => g
                .channels
                .as_ref()
                .filter(|c| c.active)
                .and_then(|_| crate::channel_sheet::port_channel(&p.src_port)),
            _ => None,
        };
        let sends = |p: &crate::projection::Projection| {
            !(held_back && p.afferent_port) && (p.src_port == "Activity" || channel_of(p).is_some())
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
                        let canvas =
                            match (&g.channels, crate::channel_sheet::port_channel(&p.src_port)) {
                                (Some(ch), Some(i)) => &ch.canvases[i],
                                _ => &g.canvas,
                            };
                        copy_rect(&g.canvas_block, canvas, &p.cfs.needed, &mut p.pool[buf]);
                    }
                }
                // Finished with the step's phase (`finish_sends`):
                // computing overlaps the messages.
                (_, Some(h)) => {
                    ex.start_exchange(h, &sheet.activity, &mut p.pool[buf]);
                    self.pending.exchange(pi, buf, h);
                }
                (_, None) => {}
            }
            p.outgoing = Some(buf);
        }
        // Followers cut their rectangle out of their leader's buffer once
        // it is complete (`finish_sends`).
        for k in 0..sheet.out_projs.len() {
            let pi = sheet.out_projs[k];
            let Some(li) = self.projs[pi].halo_from else {
                continue;
            };
            if !sends(&self.projs[pi]) {
                continue;
            }
            let buf = self.projs[pi].take_buffer();
            if !self.projs[pi].cfs.needed.is_empty() {
                let lbuf = self.projs[li]
                    .outgoing
                    .expect("a halo leader sends whenever its follower does");
                self.pending.follower(pi, buf, li, lbuf);
            }
            self.projs[pi].outgoing = Some(buf);
        }
        // Events in connection order, as Topographica queues them.
        for k in 0..self.sheets[s].out_projs.len() {
            let pi = self.sheets[s].out_projs[k];
            let p = &mut self.projs[pi];
            if let Some(buf) = p.outgoing.take() {
                self.queue
                    .push(now + p.delay, EventKind::Deliver { proj: pi, buf });
                self.region_sent(s, pi);
            }
        }
    }

    /// `input_event`: a new iteration of a settling sheet clears its and
    /// its projections' activity; the projection computes its response.
    pub(super) fn deliver(
        &mut self,
        pi: usize,
        buf: usize,
        ex: &mut dyn Exchange,
    ) -> Result<(), SimError> {
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
        //
        // A second delivery to a projection at the same time, or the
        // clearing below, comes after the queued responses it would
        // otherwise overtake (neither happens in a settling model's
        // steady state).
        self.region_delivery(pi, buf, ex)?;
        let clears = self.sheets[d].starts_iteration();
        if self.batched.is_queued(pi) || (clears && self.batched.any()) {
            self.resolve_queued_responses();
        }
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
            ResponseKind::DotProduct if self.batched.on => self.batched.queue(pi),
            ResponseKind::DotProduct => p.dot_product_response(),
            ResponseKind::Euclidean => {
                response::euclidean(&p.cfs, &p.input, &needed, p.strength, &mut p.activity, ex)
            }
        }
        self.sheets[d].new_input = true;
        Ok(())
    }

    /// `ProjectionSheet.activate`: combine the projections' activities by
    /// priority group, apply the output functions, send.
    pub(super) fn activate(&mut self, s: usize, ex: &mut dyn Exchange) -> Result<(), SimError> {
        let count = match &self.sheets[s].kind {
            SheetKind::Cf {
                settle: Some(st), ..
            } => Some(st.activation_count),
            _ => None,
        };
        self.combine_activity(s, ex)?;
        self.region_activated(s);
        self.probe_activated(s, count);
        self.send_output(s, ex);
        if !self.pending.overlap {
            self.finish_sends(ex);
        }
        Ok(())
    }

    /// The sheet's activity from its projections' activities (by priority
    /// group) and its output functions: `activate` without the probe and
    /// the sends.
    pub(super) fn combine_activity(
        &mut self,
        s: usize,
        ex: &mut dyn Exchange,
    ) -> Result<(), SimError> {
        let now = self.time;
        {
            let sheet = &mut self.sheets[s];
            let projs = &self.projs;
            // Per unit: acc = op_g(acc, ((0 + a_p1) + a_p2) + ...) over the
            // groups in order, as before, but one projection at a time over
            // a chunk of units so that the adds vectorise.
            const CHUNK: usize = 64;
            let per_element = crate::projection::group_op_per_element();
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
                    if per_element {
                        for (a, t) in acc[..n].iter_mut().zip(&tmp[..n]) {
                            *a = op.apply(*a, *t);
                        }
                    } else {
                        op.apply_slice(&mut acc[..n], &tmp[..n]);
                    }
                }
                out.copy_from_slice(&acc[..n]);
            }
            if sheet.apply_output_fns {
                let shape = sheet.shape();
                let own = sheet.own;
                let streams = &mut self.streams;
                let mut value = |v: &Value| -> Result<f64, SimError> {
                    streams
                        .value(v, now)
                        .map_err(|e| SimError::Build(format!("dynamic value: {e}")))
                };
                let mut cx = TfContext {
                    now,
                    shape,
                    own,
                    ex: &mut *ex,
                    value: &mut value,
                };
                for f in sheet.output_fns.iter_mut() {
                    f.apply(&mut sheet.activity, &mut cx)?;
                }
            }
        }
        Ok(())
    }

    /// Syncs every projection's per-source copy after learning (`true`),
    /// or only those whose weights learning or normalisation may have
    /// changed (`false`, the default): the same bits either way (a sync
    /// of unchanged weights copies the values already there); for
    /// measuring one against the other and for the tests.
    pub fn set_always_sync(&mut self, on: bool) {
        self.always_sync = on;
    }

    /// Learning of a sheet: every projection learns, then the weights are
    /// normalised (jointly for JointNormalizingCFSheet and subclasses),
    /// active units only.
    pub(super) fn learn(&mut self, s: usize, ex: &mut dyn Exchange) -> Result<(), SimError> {
        let _ = ex;
        let now = self.time;
        let joint = matches!(self.sheets[s].kind, SheetKind::Cf { joint: true, .. });
        // Projections (bit k of in_projs) normalised already by
        // `hebbian_l1_kernel` (the first 64; any others take two passes).
        let mut fused = 0u64;
        // Projections (bit k of in_projs, the first 64; any others count
        // as changed) whose weights learning or normalisation may have
        // changed: the others' per-source copies need no sync. GCAL's
        // lateral excitatory projection (learning rate 0, every CF's L1
        // total exactly 1) syncs nothing.
        let mut changed = 0u64;
        for k in 0..self.sheets[s].in_projs.len() {
            let pi = self.sheets[s].in_projs[k];
            let alone = !joint || self.sheets[s].norm_groups[0].contains(&pi);
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
                    if k < 64 && alone && learning::fuses_l1_kernel(&p.cfs, &p.wofs, alpha) {
                        learning::hebbian_l1_kernel(&mut p.cfs, &p.input, &needed, dest_act, alpha);
                        fused |= 1 << k;
                    } else {
                        learning::hebbian(&mut p.cfs, &p.input, &needed, dest_act, alpha);
                    }
                    // `hebbian` changes nothing at a rate of 0.
                    if alpha != 0.0 {
                        changed |= 1 << k.min(63);
                    }
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
                LearningKind::Trace => {
                    // CFPLearningFn.constant_sum_connection_rate
                    let rate = lr / p.cfs.n_units as f64;
                    if let Some(t) = p.trace.as_mut() {
                        crate::trace_learning::apply(
                            t, &mut p.cfs, &p.input, &needed, dest_act, rate,
                        );
                    }
                }
                LearningKind::None => {}
            }
            if !matches!(p.learning, LearningKind::Hebbian | LearningKind::None) && learns {
                changed |= 1 << k.min(63);
            }
            if !joint && fused & (1 << k.min(63)) == 0 {
                let filter = UnitFilter {
                    sheet_mask: None,
                    active: Some(dest_act),
                };
                for w in &p.wofs {
                    if w.apply(&mut p.cfs, filter) {
                        changed |= 1 << k.min(63);
                    }
                }
            }
        }
        if joint {
            changed |= self.normalize_except(s, true, fused);
        }
        for k in 0..self.sheets[s].in_projs.len() {
            let pi = self.sheets[s].in_projs[k];
            if k >= 64 || changed & (1 << k) != 0 || self.always_sync {
                self.projs[pi].sync_learned(&self.sheets[s].activity);
            }
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
        self.normalize_except(s, active_only, 0);
    }

    /// [`Self::normalize`] except the individually normalised projections
    /// of `done` (bit k: the sheet's `in_projs[k]`), which learning has
    /// normalised already.
    ///
    /// Returns the projections (bit k of in_projs, the first 64; all bits
    /// set if there are more) whose weights it may have changed.
    fn normalize_except(&mut self, s: usize, active_only: bool, done: u64) -> u64 {
        let mut changed = if self.sheets[s].in_projs.len() > 64 {
            u64::MAX
        } else {
            0
        };
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
                if gi == 0 && done != 0 {
                    let k = sheet.in_projs.iter().position(|&q| q == pi);
                    if k.is_some_and(|k| k < 64 && done & (1 << k) != 0) {
                        continue;
                    }
                }
                let p = &mut self.projs[pi];
                let mut any = false;
                for w in &p.wofs {
                    any |= w.apply(&mut p.cfs, filter);
                }
                if !active_only {
                    p.weights_changed();
                }
                if any {
                    match sheet.in_projs.iter().position(|&q| q == pi) {
                        Some(k) if k < 64 => changed |= 1 << k,
                        _ => changed = u64::MAX,
                    }
                }
            }
        }
        changed
    }
}

/// Two distinct elements of a slice, both mutable.
pub(super) fn pair_mut<T>(v: &mut [T], a: usize, b: usize) -> (&mut T, &mut T) {
    assert_ne!(a, b, "pair_mut needs two distinct indices");
    if a < b {
        let (lo, hi) = v.split_at_mut(b);
        (&mut lo[a], &mut hi[0])
    } else {
        let (lo, hi) = v.split_at_mut(a);
        (&mut hi[0], &mut lo[b])
    }
}
