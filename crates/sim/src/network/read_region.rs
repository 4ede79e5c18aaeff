//! Units of a sheet that nothing reads during a run, computed only when
//! someone looks.
//!
//! Topographica sizes GCAL's LGN sheets to V1's area plus the afferent and
//! gain-control radii (60x60 at any cortex_density), but V1's afferent
//! CFs read only the middle 36x36 of each, whose gain control reads 46x46
//! of the LGN's first settling step. The rest of the LGN's activity is
//! seen only by whoever inspects the LGN (the end of a run, a command, a
//! snapshot), yet it was computed every iteration: about half of the
//! LGN's dot-product terms at cortex_density 48.
//!
//! For a sheet where this is safe (see [`Network::plan_read_regions`]),
//! the network finds the block of units anything reads during a run: the
//! union of the CFs of the projections to other sheets, grown by the
//! sheet's lateral CFs once per settling step after the first (a unit
//! read after step `k` needs its lateral inputs from step `k - 1`). Its
//! projections' responses then compute only the units in that block
//! (whole groups of the shared-weight path; the value of every computed
//! unit is the one the whole-sheet response gives), and the activity
//! outside it is owed. By induction over the settling steps every value
//! another sheet reads is the same, bit for bit: step `k`'s activity is
//! exact on the block shrunk by `tsettle - k` lateral reaches, which
//! contains what the other sheets read.
//!
//! What happened to the sheet since its iteration began is logged
//! (deliveries per projection, activations, lateral sends). Resolving
//! ([`Network::resolve_owed`], before every command and at the end of
//! every `run`) replays the iteration over every unit: the afferent
//! responses from their inputs (delivered once, at the iteration's start,
//! and still held), then each activation with its output functions
//! (pointwise and stateless, so recomputing them is exact), each followed
//! by the lateral inputs exchanged again and their responses. Lateral
//! events still in flight get their buffers refilled with the whole
//! activity. The exchanges happen at the same point on every rank: the
//! log is the same everywhere, because every rank executes the same
//! events. Anything outside the logged pattern (an afferent delivery in
//! the middle of an iteration, an iteration begun by or with a lateral
//! event of the last) resolves the sheet at that point and computes every
//! unit until the next regular iteration starts; a network with a
//! recorder computes every unit (a probe sees activities mid-iteration).
//!
//! One thing a resolve does not restore: the input buffer of a lateral
//! projection last delivered in an earlier iteration (a run that ends
//! after a new iteration began, before its first lateral delivery) keeps
//! what that iteration's exchange of the partly owed activity brought.
//! Nothing reads it: a projection's input is read by the response to its
//! delivery, which replaces it first, and these projections do not learn.

use super::Network;
use crate::error::SimError;
use crate::exchange::{Block, Exchange};
use crate::projection::{LearningKind, ResponseKind};
use crate::queue::EventKind;
use crate::sheet::SheetKind;

/// A sheet whose unread units are owed.
#[derive(Clone, Debug)]
pub(super) struct ReadRegion {
    /// The units computed during a run (sheet rows and columns).
    block: Block,
    /// The sheet's iteration so far.
    log: Log,
}

/// What happened to a sheet since its iteration began.
#[derive(Clone, Debug, Default)]
struct Log {
    /// The log covers the iteration from its start, and responses skip
    /// the unread units. False until an iteration starts, after anything
    /// outside the pattern, and while the switch is off.
    valid: bool,
    /// Some response skipped units since the iteration began.
    owed: bool,
    /// Activations in this iteration.
    activations: usize,
    /// Per incoming projection (position in the sheet's `in_projs`):
    /// deliveries in this iteration.
    delivered: Vec<usize>,
    /// Per incoming projection: sends in this iteration (laterals only).
    sent: Vec<usize>,
}

impl Log {
    fn start(n: usize) -> Log {
        Log {
            valid: true,
            owed: false,
            activations: 0,
            delivered: vec![0; n],
            sent: vec![0; n],
        }
    }
}

/// Collective: the smallest block containing every rank's `b`.
fn bounds_everywhere(ex: &mut dyn Exchange, b: Block) -> Block {
    let v = if b.is_empty() {
        [f64::NEG_INFINITY; 4]
    } else {
        [-(b.r0 as f64), -(b.c0 as f64), b.r1 as f64, b.c1 as f64]
    };
    let m = v.map(|x| ex.max(x));
    if m[2] == f64::NEG_INFINITY {
        return Block::default();
    }
    Block {
        r0: -m[0] as usize,
        c0: -m[1] as usize,
        r1: m[2] as usize,
        c1: m[3] as usize,
    }
}

impl Network {
    /// Owe the units of a sheet that nothing reads during a run (`true`,
    /// the default) or compute every unit (`false`): the same results
    /// bit for bit, for measuring one against the other and for the
    /// tests. Call it between runs (after `run` or `resolve_owed`).
    pub fn set_owe_unread(&mut self, on: bool) {
        self.owe_unread = on;
        for s in 0..self.regions.len() {
            if let Some(r) = self.regions[s].as_mut() {
                r.log.valid = false;
            }
            self.set_skip_unread(s, false);
        }
    }

    /// The block of `sheet`'s units that the network computes during a
    /// run, if it owes the others (see the module docs of `read_region`).
    pub fn read_region(&self, sheet: &str) -> Option<Block> {
        let s = self.sheets.iter().position(|x| x.name == sheet)?;
        self.regions.get(s)?.as_ref().map(|r| r.block)
    }

    /// The exchanges (registered halo, count) that resolving makes after a
    /// whole iteration of every sheet that owes units: each lateral
    /// projection's input once per settling step (see the module docs).
    /// What `topo-hpc plan` adds for the end of a run.
    pub fn resolve_exchanges(&self) -> Vec<(crate::exchange::HaloId, u64)> {
        let mut out = Vec::new();
        for (s, r) in self.regions.iter().enumerate() {
            if r.is_none() {
                continue;
            }
            let tsettle = match &self.sheets[s].kind {
                SheetKind::Cf {
                    settle: Some(st), ..
                } => st.tsettle as u64,
                _ => continue,
            };
            for &q in &self.sheets[s].in_projs {
                let p = &self.projs[q];
                if let (true, Some(h)) = (p.src == s, p.halo) {
                    out.push((h, tsettle));
                }
            }
        }
        out
    }

    /// Whether `s` may owe its unread units, on this rank's view: a
    /// settling sheet (not learning while it settles) whose output
    /// functions are pointwise and stateless, whose incoming projections
    /// are shared-weight dot products that do not learn, fed by generator
    /// sheets or, laterally, by itself with one common delay (so each
    /// lateral delivery carries the latest activation).
    fn may_owe(&self, s: usize) -> bool {
        let sheet = &self.sheets[s];
        let SheetKind::Cf {
            settle: Some(st), ..
        } = &sheet.kind
        else {
            return false;
        };
        if st.tsettle == 0 || st.continuous_learning {
            return false;
        }
        if sheet.apply_output_fns && !sheet.output_fns.iter().all(|f| f.is_pointwise()) {
            return false;
        }
        let mut delay = None;
        for &q in &sheet.in_projs {
            let p = &self.projs[q];
            if p.response != ResponseKind::DotProduct
                || p.cfs.shared.is_none()
                || p.learning != LearningKind::None
            {
                return false;
            }
            if p.src == s {
                if p.halo.is_none() || delay.is_some_and(|d| d != p.delay) {
                    return false;
                }
                delay = Some(p.delay);
            } else if !self.sheets[p.src].is_generator() {
                return false;
            }
        }
        true
    }

    /// Collective: finds the sheets that owe their unread units and the
    /// blocks they compute (see the module docs), and starts their logs
    /// invalid (every unit is computed until an iteration starts). At
    /// build and after every command (which may change CF bounds).
    pub(super) fn plan_read_regions(&mut self, ex: &mut dyn Exchange) {
        let n = self.sheets.len();
        let mut regions = vec![None; n];
        for (s, region) in regions.iter_mut().enumerate() {
            for k in 0..self.sheets[s].in_projs.len() {
                let q = self.sheets[s].in_projs[k];
                self.projs[q].read_units = None;
                self.projs[q].skip_unread = false;
            }
            let local = self.may_owe(s);
            if ex.max(if local { 0.0 } else { 1.0 }) != 0.0 {
                continue;
            }
            let sheet = &self.sheets[s];
            let mut read = Block::default();
            for &q in &sheet.out_projs {
                if self.projs[q].dest != s {
                    read = read.union_bounds(&self.projs[q].cfs.needed);
                }
            }
            let mut block = bounds_everywhere(ex, read);
            let tsettle = match &sheet.kind {
                SheetKind::Cf {
                    settle: Some(st), ..
                } => st.tsettle,
                _ => 1,
            };
            for _ in 1..tsettle {
                let mut grown = block;
                for &q in &sheet.in_projs {
                    let p = &self.projs[q];
                    if p.src != s {
                        continue;
                    }
                    for (u, &[r1, r2, c1, c2]) in p.cfs.slices.iter().enumerate() {
                        let (row, col) = p.cfs.dest_units.global(u);
                        if block.contains(row, col) {
                            let cf = Block {
                                r0: r1,
                                r1: r2,
                                c0: c1,
                                c1: c2,
                            };
                            grown = grown.union_bounds(&cf);
                        }
                    }
                }
                block = bounds_everywhere(ex, grown);
            }
            let (rows, cols) = sheet.shape();
            let whole = Block::full(rows, cols);
            let block = block.intersect(&whole);
            if block == whole {
                continue;
            }
            for k in 0..sheet.in_projs.len() {
                let q = self.sheets[s].in_projs[k];
                let p = &mut self.projs[q];
                let units = &p.cfs.dest_units;
                let mask = (0..units.len())
                    .map(|u| {
                        let (row, col) = units.global(u);
                        block.contains(row, col)
                    })
                    .collect();
                p.read_units = Some(mask);
            }
            *region = Some(ReadRegion {
                block,
                log: Log::default(),
            });
        }
        self.regions = regions;
    }

    /// Whether `s`'s projections skip its unread units from now on.
    fn set_skip_unread(&mut self, s: usize, on: bool) {
        for k in 0..self.sheets[s].in_projs.len() {
            let q = self.sheets[s].in_projs[k];
            self.projs[q].skip_unread = on;
        }
    }

    /// Forget every sheet's iteration log (after the state was replaced:
    /// a state pop, a snapshot import): every unit is computed until each
    /// sheet's next iteration starts.
    pub(super) fn forget_read_logs(&mut self) {
        for s in 0..self.regions.len() {
            if let Some(r) = self.regions[s].as_mut() {
                r.log.valid = false;
            }
            self.set_skip_unread(s, false);
        }
    }

    /// Logs the delivery of `pi`'s event in buffer `buf`, before `deliver`
    /// clears or computes anything: a delivery that starts an iteration
    /// starts the log; one outside the pattern resolves the sheet first
    /// and computes every unit until the next iteration. Collective only
    /// in that last case (every rank takes it at the same event).
    pub(super) fn region_delivery(
        &mut self,
        pi: usize,
        buf: usize,
        ex: &mut dyn Exchange,
    ) -> Result<(), SimError> {
        let d = self.projs[pi].dest;
        if self.regions.get(d).is_none_or(|r| r.is_none()) {
            return Ok(());
        }
        let starts = self.sheets[d].starts_iteration();
        let k = self.sheets[d]
            .in_projs
            .iter()
            .position(|&q| q == pi)
            .expect("a projection is among its dest's inputs");
        let lateral = self.projs[pi].src == d;
        let on = self.owe_unread && self.recorder.is_none();
        let n = self.sheets[d].in_projs.len();
        let log = &self.regions[d].as_ref().expect("checked").log;
        let regular = if starts || !log.valid {
            true
        } else if lateral {
            log.delivered[k] + 1 == log.activations && log.sent[k] == log.activations
        } else {
            log.activations == 0 && log.delivered[k] == 0
        };
        if starts {
            // An iteration begun by a lateral event (an afferent one came
            // in the middle of the last, say), or with one in flight,
            // meets an activation of the last: outside the pattern.
            let in_flight = self.queue.iter().any(|(_, e)| {
                matches!(*e, EventKind::Deliver { proj, .. }
                    if self.projs[proj].src == d && self.projs[proj].dest == d)
            });
            if lateral || in_flight {
                // Those events were sent in the last iteration: whole
                // values, if it owed units (its replay refills them).
                self.resolve_region(d, Some((pi, buf)), ex)?;
            }
            let r = self.regions[d].as_mut().expect("checked");
            r.log = if on && !lateral && !in_flight {
                Log::start(n)
            } else {
                Log::default()
            };
        } else if log.valid && !regular {
            self.resolve_region(d, Some((pi, buf)), ex)?;
            self.regions[d].as_mut().expect("checked").log.valid = false;
        }
        let r = self.regions[d].as_mut().expect("checked");
        let valid = r.log.valid;
        if valid {
            r.log.delivered[k] += 1;
            r.log.owed = true;
        }
        self.set_skip_unread(d, valid);
        Ok(())
    }

    /// Logs an activation of `s`.
    pub(super) fn region_activated(&mut self, s: usize) {
        if let Some(Some(r)) = self.regions.get_mut(s) {
            if r.log.valid {
                r.log.activations += 1;
            }
        }
    }

    /// Logs a send of `s` on its lateral projection `pi`.
    pub(super) fn region_sent(&mut self, s: usize, pi: usize) {
        if self.projs[pi].dest != s {
            return;
        }
        let Some(Some(r)) = self.regions.get(s) else {
            return;
        };
        if !r.log.valid {
            return;
        }
        let k = self.sheets[s]
            .in_projs
            .iter()
            .position(|&q| q == pi)
            .expect("a lateral projection is among its sheet's inputs");
        if let Some(Some(r)) = self.regions.get_mut(s) {
            r.log.sent[k] += 1;
        }
    }

    /// Collective: replays every owing sheet's iteration over all its
    /// units (see the module docs).
    pub(super) fn resolve_regions(&mut self, ex: &mut dyn Exchange) -> Result<(), SimError> {
        for s in 0..self.regions.len() {
            self.resolve_region(s, None, ex)?;
        }
        Ok(())
    }

    /// Replays `s`'s logged iteration over all its units, if it owes any:
    /// afterwards its activity, its projections' activities and inputs
    /// and its lateral events in flight (`current`: the one being
    /// delivered, taken off the queue) hold what computing every unit
    /// all along would have given. Collective when it replays.
    fn resolve_region(
        &mut self,
        s: usize,
        current: Option<(usize, usize)>,
        ex: &mut dyn Exchange,
    ) -> Result<(), SimError> {
        let log = match self.regions.get(s) {
            Some(Some(r)) if r.log.valid && r.log.owed => r.log.clone(),
            _ => return Ok(()),
        };
        self.set_skip_unread(s, false);
        let in_projs = self.sheets[s].in_projs.clone();
        // Lateral events in flight, oldest first: the last `sent - delivered`
        // of them carry this iteration's sends.
        let mut flying: Vec<Vec<usize>> = vec![Vec::new(); in_projs.len()];
        if let Some((pi, buf)) = current {
            if let Some(k) = in_projs.iter().position(|&q| q == pi) {
                flying[k].push(buf);
            }
        }
        for (_, e) in self.queue.iter() {
            if let EventKind::Deliver { proj, buf } = *e {
                if let Some(k) = in_projs.iter().position(|&q| q == proj) {
                    flying[k].push(buf);
                }
            }
        }
        for (k, &q) in in_projs.iter().enumerate() {
            let p = &mut self.projs[q];
            if p.src == s {
                p.activity.fill(0.0);
            } else if log.delivered[k] > 0 {
                p.dot_product_response();
            }
            p.pending_response = false;
        }
        for j in 1..=log.activations {
            self.combine_activity(s, ex)?;
            for (k, &q) in in_projs.iter().enumerate() {
                if self.projs[q].src != s {
                    continue;
                }
                let h = self.projs[q].halo.expect("checked by may_owe");
                if log.delivered[k] >= j {
                    let p = &mut self.projs[q];
                    ex.exchange(h, &self.sheets[s].activity, &mut p.input);
                    p.dot_product_response();
                } else if log.sent[k] >= j {
                    let in_flight = log.sent[k] - log.delivered[k];
                    let f = &flying[k];
                    let at = (f.len() + (j - log.delivered[k] - 1)).checked_sub(in_flight);
                    if let Some(&buf) = at.and_then(|i| f.get(i)) {
                        let p = &mut self.projs[q];
                        ex.exchange(h, &self.sheets[s].activity, &mut p.pool[buf]);
                    }
                }
            }
        }
        let r = self.regions[s].as_mut().expect("checked");
        r.log.owed = false;
        self.set_skip_unread(s, true);
        Ok(())
    }
}
