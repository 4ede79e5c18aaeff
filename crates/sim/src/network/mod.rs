//! The network of one rank: the sheets' blocks it owns, the projections
//! into them, the event queue and the random streams, run with
//! Topographica's event semantics (topo/base/simulation.py: `Simulation.run`,
//! `enqueue_event`; the sheets' `input_event` / `process_current_time` in
//! topo/base/generatorsheet.py, topo/base/projection.py: `ProjectionSheet`
//! and topo/sheet/__init__.py: `SettlingCFSheet`).
//!
//! Every rank holds the same event queue and executes the same events in
//! the same order; only the arrays are partitioned. Everything that
//! crosses ranks (source activity for a projection, the sheet-wide
//! maximum of the Euclidean response, KernelMax's winner, a sheet-wide L1
//! norm) goes through the [`Exchange`] collectives at the point where the
//! whole-sheet code would read it, so all ranks call them in the same
//! order.

mod batched_responses;
mod build;
mod commands;
mod event_loop;
mod halo_share;
mod measure;
mod pending_sends;
mod read_region;
mod sheet_ops;
mod snapshot;
mod state_stack;

pub use build::sheet_coords;
pub use event_loop::Probe;
pub use halo_share::{halo_leaders, HaloUse};
pub use snapshot::{InFlight, ReadSlab};

use crate::error::SimError;
use crate::exchange::{Block, Exchange};
use crate::ownership::Ownership;
use crate::projection::Projection;
use crate::queue::EventQueue;
use crate::sheet::{Sheet, SheetKind};
use crate::transfer::TransferFn;
use ndarray::{Array2, ArrayView2};
use topo_numbergen::Streams;
use topo_spec::{ModelSpec, ScheduledCommand, Time};

/// A callback that observes the simulation (stage tests, traces).
pub type Recorder = Box<dyn FnMut(&Probe<'_>) + Send>;

/// The part of a model this rank simulates.
pub struct Network {
    spec: ModelSpec,
    time: Time,
    queue: EventQueue,
    sheets: Vec<Sheet>,
    projs: Vec<Projection>,
    commands: Vec<ScheduledCommand>,
    streams: Streams,
    started: bool,
    recorder: Option<Recorder>,
    event_stack: Vec<(Time, EventQueue)>,
    halo_sharing: bool,
    state_stack: Vec<state_stack::SavedDynamics>,
    /// Exchanges started by sends and not yet finished.
    pending: pending_sends::PendingSends,
    /// Dot-product responses queued to the end of the step's events.
    batched: batched_responses::BatchedResponses,
    /// Workers poll instead of sleeping during `run` (crate::par_policy).
    keep_awake: bool,
    /// Sync every projection's per-source copy after learning, also
    /// where learning changed no weight (`set_always_sync`).
    always_sync: bool,
    /// Per sheet: the units computed during a run, if it owes the others
    /// (`read_region`).
    regions: Vec<Option<read_region::ReadRegion>>,
    /// Whether sheets owe their unread units (`set_owe_unread`).
    owe_unread: bool,
}

impl Network {
    /// Simulation time.
    pub fn time(&self) -> Time {
        self.time
    }

    /// The spec the network was built from.
    pub fn spec(&self) -> &ModelSpec {
        &self.spec
    }

    /// Sheet names in the order they were added.
    pub fn sheet_names(&self) -> Vec<String> {
        self.sheets.iter().map(|s| s.name.clone()).collect()
    }

    fn sheet_index(&self, name: &str) -> Result<usize, SimError> {
        self.sheets
            .iter()
            .position(|s| s.name == name)
            .ok_or_else(|| SimError::Unknown(format!("sheet {name}")))
    }

    fn sheet_ref(&self, name: &str) -> Result<&Sheet, SimError> {
        self.sheet_index(name).map(|i| &self.sheets[i])
    }

    /// Whole-sheet shape `(rows, cols)`.
    pub fn sheet_shape(&self, name: &str) -> Result<(usize, usize), SimError> {
        self.sheet_ref(name).map(Sheet::shape)
    }

    /// The one rectangle of the sheet this rank owns; an error when its
    /// units are rows dealt in stripes (writers of one hyperslab per rank
    /// need a rectangle; see [`Network::sheet_ownership`]).
    pub fn sheet_block(&self, name: &str) -> Result<Block, SimError> {
        let own = self.sheet_ownership(name)?;
        own.as_block().ok_or_else(|| {
            SimError::Unsupported(format!(
                "sheet {name}: this rank owns rows dealt in stripes ({:?}), not one \
                 rectangle; writing it as one hyperslab needs the grid split",
                own.rows
            ))
        })
    }

    /// The units of the sheet this rank owns (the layout of
    /// [`Network::activity`]).
    pub fn sheet_ownership(&self, name: &str) -> Result<Ownership, SimError> {
        self.sheet_ref(name).map(|s| s.own)
    }

    /// True bounds `[l, b, r, t]` and x density of a sheet.
    pub fn sheet_bounds(&self, name: &str) -> Result<([f64; 4], f64), SimError> {
        self.sheet_ref(name)
            .map(|s| (s.coords.bounds().lbrt(), s.coords.xdensity()))
    }

    /// Activity of the local block, row-major (empty for an unknown sheet).
    pub fn activity(&self, sheet: &str) -> &[f64] {
        self.sheet_ref(sheet)
            .map(|s| &s.activity[..])
            .unwrap_or(&[])
    }

    /// Activity of the locally owned units as an `owned rows x cols` view
    /// (the engine's own kernels keep the row-major slice, [`Network::activity`]).
    pub fn activity_view(&self, sheet: &str) -> Result<ArrayView2<'_, f64>, SimError> {
        let s = self.sheet_ref(sheet)?;
        ArrayView2::from_shape((s.own.rows.len(), s.own.cols()), &s.activity[..])
            .map_err(|e| SimError::Unknown(format!("activity of {sheet}: {e}")))
    }

    /// The whole sheet's activity as a `rows x cols` array on every rank
    /// (collective).
    pub fn gather_activity_array(
        &self,
        sheet: &str,
        ex: &mut dyn Exchange,
    ) -> Result<Array2<f64>, SimError> {
        let (rows, cols) = self.sheet_ref(sheet)?.shape();
        let all = self.gather_activity(sheet, ex)?;
        Array2::from_shape_vec((rows, cols), all)
            .map_err(|e| SimError::Unknown(format!("activity of {sheet}: {e}")))
    }

    /// The whole sheet's activity on every rank (collective).
    pub fn gather_activity(
        &self,
        sheet: &str,
        ex: &mut dyn Exchange,
    ) -> Result<Vec<f64>, SimError> {
        let s = self.sheet_ref(sheet)?;
        let (rows, cols) = s.shape();
        Ok(ex.allgather_sheet(rows, cols, &s.own, &s.activity))
    }

    /// `(dest sheet, name)` of every projection, in connection order.
    pub fn projection_names(&self) -> Vec<(String, String)> {
        self.projs
            .iter()
            .map(|p| (self.sheets[p.dest].name.clone(), p.name.clone()))
            .collect()
    }

    fn proj_index(&self, dest: &str, name: &str) -> Result<usize, SimError> {
        self.projs
            .iter()
            .position(|p| p.name == name && self.sheets[p.dest].name == dest)
            .ok_or_else(|| SimError::Unknown(format!("projection {dest}.{name}")))
    }

    /// A projection (its connection fields hold the local weights).
    pub fn projection(&self, dest: &str, name: &str) -> Result<&Projection, SimError> {
        self.proj_index(dest, name).map(|i| &self.projs[i])
    }

    /// Mutable access to a projection (tests, analysis tools).
    pub fn projection_mut(&mut self, dest: &str, name: &str) -> Result<&mut Projection, SimError> {
        let i = self.proj_index(dest, name)?;
        // The caller may change the weights: drop their per-source copy.
        self.projs[i].weights_changed();
        Ok(&mut self.projs[i])
    }

    /// Per local unit, the f64 row-major sum of the unit's weights.
    pub fn weight_sums(&self, dest: &str, name: &str) -> Result<Vec<f64>, SimError> {
        let p = self.projection(dest, name)?;
        Ok((0..p.cfs.len()).map(|u| p.cfs.unit_sum(u)).collect())
    }

    /// The homeostatic thresholds of a sheet's local block, if its output
    /// functions include a HomeostaticResponse.
    pub fn thresholds(&self, sheet: &str) -> Option<&[f64]> {
        self.sheet_ref(sheet)
            .ok()?
            .output_fns
            .iter()
            .find_map(|f| match f {
                TransferFn::Homeostatic(h) => Some(&h.t[..]),
                _ => None,
            })
    }

    /// The output functions of a sheet (with their state).
    pub fn output_fns(&self, sheet: &str) -> Result<&[TransferFn], SimError> {
        self.sheet_ref(sheet).map(|s| &s.output_fns[..])
    }

    /// SettlingCFSheet counters `(activation_count, new_iteration)`.
    pub fn settle_state(&self, sheet: &str) -> Option<(usize, bool)> {
        match &self.sheet_ref(sheet).ok()?.kind {
            SheetKind::Cf {
                settle: Some(s), ..
            } => Some((s.activation_count, s.new_iteration)),
            _ => None,
        }
    }

    /// The random streams.
    pub fn streams(&self) -> &Streams {
        &self.streams
    }

    /// The random streams, to change: featuremapper's `measure_rfs`
    /// leaves imagen's shared stream where its noise left it after the
    /// rest of the state is restored.
    pub fn streams_mut(&mut self) -> &mut Streams {
        &mut self.streams
    }

    /// Number of pending events.
    pub fn pending_events(&self) -> usize {
        self.queue.len()
    }

    /// Install (or remove) an observer. With one, sheets compute every
    /// unit from their next iteration on (a probe sees a sheet between
    /// its settling steps, where owed units would show): install it
    /// before running, or after a `run`.
    pub fn set_recorder(&mut self, r: Option<Recorder>) {
        self.recorder = r;
    }

    /// `override_plasticity_state(new)` on every sheet, its output
    /// functions and projections (topo/base/projection.py:
    /// `ProjectionSheet.override_plasticity_state`).
    pub fn push_plasticity(&mut self, plastic: bool) {
        for s in &mut self.sheets {
            s.plastic_stack.push(s.plastic);
            s.plastic = plastic;
            for f in &mut s.output_fns {
                if let TransferFn::Homeostatic(h) = f {
                    h.plastic_stack.push(h.plastic);
                    h.plastic = plastic;
                }
            }
        }
    }

    /// `restore_plasticity_state()`: undo the last [`Network::push_plasticity`].
    pub fn pop_plasticity(&mut self) {
        for s in &mut self.sheets {
            if let Some(p) = s.plastic_stack.pop() {
                s.plastic = p;
            }
            for f in &mut s.output_fns {
                if let TransferFn::Homeostatic(h) = f {
                    if let Some(p) = h.plastic_stack.pop() {
                        h.plastic = p;
                    }
                }
            }
        }
    }

    /// Whether a sheet applies its output functions when it activates.
    pub fn set_apply_output_fns(&mut self, sheet: &str, on: bool) -> Result<(), SimError> {
        let i = self.sheet_index(sheet)?;
        self.sheets[i].apply_output_fns = on;
        Ok(())
    }
}
