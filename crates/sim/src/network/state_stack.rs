//! `Simulation.state_push` / `state_pop`: what featuremapper's
//! `pattern_response` saves before each presentation and restores after
//! it, so every stimulus of a map measurement meets the network in the
//! same state: the event queue and time (as `event_push`), each sheet's
//! activity and output-function state (homeostatic averages, thresholds,
//! previous output, next update time), SettlingCFSheet's counters, and
//! each projection's activity. Weights are not saved: measurement runs
//! without plasticity, as in Topographica.

use super::Network;
use crate::error::SimError;
use crate::sheet::SheetKind;
use crate::transfer::TransferFn;

/// One `state_push` of the sheets and projections (each projection's
/// activity and whether its response is owed).
pub(super) struct SavedDynamics {
    sheets: Vec<(Vec<f64>, Vec<TransferFn>, bool)>,
    projections: Vec<(Vec<f64>, bool)>,
}

impl Network {
    /// `Simulation.state_push`: save the events and time, and every
    /// sheet's and projection's dynamic state (see the module docs). On a
    /// resolved state (after `run`, or `run_ahead` and `resolve_owed`):
    /// the pop forgets what runs in between owed.
    pub fn state_push(&mut self) {
        self.event_push();
        let sheets = self
            .sheets
            .iter_mut()
            .map(|s| {
                if let SheetKind::Cf {
                    settle: Some(st), ..
                } = &mut s.kind
                {
                    st.stack.push((st.activation_count, st.new_iteration));
                }
                (s.activity.clone(), s.output_fns.clone(), s.new_input)
            })
            .collect();
        let projections = self
            .projs
            .iter()
            .map(|p| (p.activity.clone(), p.pending_response))
            .collect();
        self.state_stack.push(SavedDynamics {
            sheets,
            projections,
        });
    }

    /// `Simulation.state_pop`: restore what the last
    /// [`Network::state_push`] saved.
    pub fn state_pop(&mut self) -> Result<(), SimError> {
        let saved = self
            .state_stack
            .pop()
            .ok_or_else(|| SimError::State("state_pop without state_push".into()))?;
        for (s, (activity, fns, new_input)) in self.sheets.iter_mut().zip(saved.sheets) {
            s.activity = activity;
            s.output_fns = fns;
            s.new_input = new_input;
            if let SheetKind::Cf {
                settle: Some(st), ..
            } = &mut s.kind
            {
                if let Some((count, new_iteration)) = st.stack.pop() {
                    st.activation_count = count;
                    st.new_iteration = new_iteration;
                }
            }
        }
        for (p, (activity, pending)) in self.projs.iter_mut().zip(saved.projections) {
            p.activity = activity;
            p.pending_response = pending;
        }
        // The units a sheet owed after the push were owed to the state
        // now gone; push on a resolved state (after `run`, not
        // `run_ahead`), and what is restored is whole.
        self.forget_read_logs();
        self.event_pop()
    }
}
