//! Scheduled commands (`schedule_command`, the LISSOM schedule).

use super::Network;
use crate::cf;
use crate::error::SimError;
use crate::exchange::Exchange;
use crate::sheet::SheetKind;
use crate::transfer::TransferFn;
use topo_pattern::coords::BoundingBox;
use topo_spec::{SimCommand, Value};

fn num(v: &Value, what: &str) -> Result<f64, SimError> {
    v.as_f64()
        .ok_or_else(|| SimError::Unsupported(format!("{what}: non-numeric value {v:?}")))
}

impl Network {
    pub(super) fn run_command(
        &mut self,
        idx: usize,
        ex: &mut dyn Exchange,
    ) -> Result<(), SimError> {
        let cmd = self.commands[idx].command.clone();
        self.apply_command(&cmd, ex)
    }

    /// Execute one command now (also usable outside the schedule). What
    /// runs owe is resolved first (a command may read anything), and the
    /// sheets' read regions are planned again after (it may change CF
    /// bounds). Collective.
    pub fn apply_command(
        &mut self,
        cmd: &SimCommand,
        ex: &mut dyn Exchange,
    ) -> Result<(), SimError> {
        self.resolve_owed(ex)?;
        let result = self.apply_command_now(cmd, ex);
        self.plan_read_regions(ex);
        result
    }

    fn apply_command_now(
        &mut self,
        cmd: &SimCommand,
        ex: &mut dyn Exchange,
    ) -> Result<(), SimError> {
        match cmd {
            SimCommand::Pass => {}
            SimCommand::ChangeBounds {
                sheet,
                projection,
                bounds,
            } => {
                let pi = self.proj_index(sheet, projection)?;
                let (si, di) = (self.projs[pi].src, self.projs[pi].dest);
                let old_needed = self.projs[pi].cfs.needed;
                let p = &mut self.projs[pi];
                let changed = cf::change_bounds(
                    &mut p.cfs,
                    &p.spec,
                    BoundingBox::from_lbrt(*bounds),
                    &self.sheets[si].coords,
                    &self.sheets[di].coords,
                )
                .map_err(|e| SimError::Build(e.to_string()))?;
                p.weights_changed();
                // Registering a halo is collective: decide together, since a
                // rank without units of the sheet sees no change locally.
                let moved_here = changed && p.cfs.needed != old_needed;
                if ex.max(if moved_here { 1.0 } else { 0.0 }) > 0.0 {
                    let p = &mut self.projs[pi];
                    p.reshape_buffers(old_needed);
                    if p.halo.is_some() {
                        let (rows, cols) = self.sheets[si].shape();
                        p.halo = Some(ex.register(
                            &self.sheets[si].name,
                            rows,
                            cols,
                            &self.sheets[si].own,
                            p.cfs.needed,
                        ));
                    }
                    // Nesting of the sheet's rectangles may have changed.
                    self.share_halos(ex);
                }
                let mut cb = self.sheets[si].own.bounds();
                for &q in &self.sheets[si].out_projs {
                    cb = cb.union_bounds(&self.projs[q].cfs.needed);
                }
                if let SheetKind::Generator(g) = &mut self.sheets[si].kind {
                    if cb != g.canvas_block {
                        g.canvas_block = cb;
                        g.canvas = vec![0.0; cb.len()];
                        if let Some(ch) = &mut g.channels {
                            for c in ch.canvases.iter_mut() {
                                *c = vec![0.0; cb.len()];
                            }
                        }
                    }
                }
            }
            SimCommand::SetProjectionParam {
                sheet,
                projection,
                param,
                value,
            } => {
                let pi = self.proj_index(sheet, projection)?;
                let p = &mut self.projs[pi];
                match param.as_str() {
                    "learning_rate" => p.learning_rate = value.clone(),
                    "strength" => p.strength = num(value, "strength")?,
                    other => {
                        return Err(SimError::Unsupported(format!(
                            "setting projection parameter {other}"
                        )))
                    }
                }
            }
            SimCommand::SetLearningRatePerUnit {
                sheet,
                projection,
                per_unit,
            } => {
                let pi = self.proj_index(sheet, projection)?;
                let p = &mut self.projs[pi];
                p.learning_rate = Value::Float(per_unit * p.cfs.n_units as f64);
            }
            SimCommand::SetSheetParam {
                sheet,
                param,
                value,
            } => {
                let si = self.sheet_index(sheet)?;
                let s = &mut self.sheets[si];
                match (param.as_str(), &mut s.kind) {
                    ("plastic", _) => {
                        s.plastic = value.as_bool().unwrap_or(num(value, "plastic")? != 0.0)
                    }
                    ("apply_output_fns", _) => s.apply_output_fns = value.as_bool().unwrap_or(true),
                    (
                        "tsettle",
                        SheetKind::Cf {
                            settle: Some(st), ..
                        },
                    ) => st.tsettle = num(value, "tsettle")? as usize,
                    (
                        "strict_tsettle",
                        SheetKind::Cf {
                            settle: Some(st), ..
                        },
                    ) => {
                        st.strict_tsettle = match value {
                            Value::None => None,
                            v => Some(num(v, "strict_tsettle")? as usize),
                        }
                    }
                    (
                        "continuous_learning",
                        SheetKind::Cf {
                            settle: Some(st), ..
                        },
                    ) => st.continuous_learning = value.as_bool().unwrap_or(false),
                    (other, _) => {
                        return Err(SimError::Unsupported(format!(
                            "setting sheet parameter {other} of {sheet}"
                        )))
                    }
                }
            }
            SimCommand::SetOutputFnParam {
                sheet,
                index,
                param,
                value,
            } => {
                let si = self.sheet_index(sheet)?;
                let f = self.sheets[si]
                    .output_fns
                    .get_mut(*index)
                    .ok_or_else(|| SimError::Unknown(format!("{sheet}.output_fns[{index}]")))?;
                let v = num(value, param)?;
                match (f, param.as_str()) {
                    (TransferFn::PiecewiseLinear { lower, .. }, "lower_bound") => *lower = v,
                    (TransferFn::PiecewiseLinear { upper, .. }, "upper_bound") => *upper = v,
                    (TransferFn::HalfRectify { t_init, .. }, "t_init") => *t_init = v,
                    (TransferFn::HalfRectify { gain, .. }, "gain") => *gain = v,
                    (TransferFn::Homeostatic(h), "learning_rate") => h.learning_rate = v,
                    (TransferFn::Homeostatic(h), "target_activity") => h.target_activity = v,
                    (TransferFn::Homeostatic(h), "smoothing") => h.smoothing = v,
                    (f, p) => {
                        return Err(SimError::Unsupported(format!(
                            "setting {p} of output function {f:?}"
                        )))
                    }
                }
            }
        }
        Ok(())
    }
}
