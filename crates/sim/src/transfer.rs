//! Sheet output functions (Topographica's TransferFns), applied in place
//! to the block of a sheet this rank owns.
//!
//! Most are per unit. Two need the whole sheet: `DivisiveNormalizeL1`
//! (the sheet sum) and `KernelMax` (the global winner); they use the
//! [`Exchange`] collectives so every decomposition gets the same numbers.

use crate::error::SimError;
use crate::exchange::Exchange;
use crate::params::Params;
use serde::{Deserialize, Serialize};
use topo_spec::{Component, Time, Value};

/// `HomeostaticResponse` / `AdaptiveThreshold` state and parameters for
/// the local block (`topo/transferfn/misc.py: AdaptiveThreshold`, of which
/// `HomeostaticResponse` is an alias).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Homeostatic {
    /// Initial threshold.
    pub t_init: f64,
    /// Target average activity.
    pub target_activity: f64,
    /// Threshold learning rate.
    pub learning_rate: f64,
    /// Weight of the previous average in the exponential smoothing.
    pub smoothing: f64,
    /// Slope above threshold.
    pub linear_slope: f64,
    /// Update period.
    pub period: Time,
    /// Whether updates change the state (plasticity).
    pub plastic: bool,
    /// Saved `plastic` values of `push_plasticity`.
    pub plastic_stack: Vec<bool>,
    /// True until the first call.
    pub first_call: bool,
    /// The next time after which the threshold is updated.
    pub next_update: Time,
    /// Thresholds `t`.
    pub t: Vec<f64>,
    /// Smoothed average activity `y_avg`.
    pub y_avg: Vec<f64>,
    /// `_y_avg_prev`.
    pub y_avg_prev: Vec<f64>,
    /// `_x_prev`: the thresholded output of the previous call.
    pub x_prev: Vec<f64>,
}

impl Homeostatic {
    fn apply(&mut self, x: &mut [f64], now: Time) {
        if self.first_call {
            self.first_call = false;
            self.x_prev.copy_from_slice(x);
            self.y_avg_prev.fill(self.target_activity);
            self.t.fill(self.t_init);
            self.y_avg.fill(self.target_activity);
        }
        if now > self.next_update {
            self.next_update = self.next_update + self.period;
            if self.plastic {
                let s = self.smoothing;
                for i in 0..x.len() {
                    let y = (1.0 - s) * self.x_prev[i] + s * self.y_avg_prev[i];
                    self.y_avg[i] = y;
                    self.t[i] += self.learning_rate * (y - self.target_activity);
                }
            } else {
                self.y_avg.copy_from_slice(&self.y_avg_prev);
            }
            self.y_avg_prev.copy_from_slice(&self.y_avg);
        }
        for (v, t) in x.iter_mut().zip(&self.t) {
            *v -= t;
            *v = v.max(0.0);
        }
        if self.linear_slope != 1.0 {
            for v in x.iter_mut() {
                *v *= self.linear_slope;
            }
        }
        self.x_prev.copy_from_slice(x);
    }
}

/// `KernelMax` (SOM winner-take-all with a Gaussian neighbourhood).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KernelMax {
    /// The sheet density the kernel radius is scaled by.
    pub density: f64,
    /// Multiplier of the radius giving the crop radius.
    pub crop_radius_multiplier: f64,
    /// The kernel radius (a number or a numbergen generator).
    pub kernel_radius: Value,
}

/// One output function.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum TransferFn {
    /// No-op.
    Identity,
    /// Clip `(x - lower) / (upper - lower)` to [0, 1].
    PiecewiseLinear {
        /// Lower bound.
        lower: f64,
        /// Upper bound.
        upper: f64,
    },
    /// `max(x - t, 0) * gain` with a constant threshold.
    HalfRectify {
        /// Threshold.
        t_init: f64,
        /// Gain.
        gain: f64,
    },
    /// Divide by the L1 norm of the whole sheet.
    DivisiveNormalizeL1 {
        /// Target norm.
        norm_value: f64,
    },
    /// Adaptive threshold.
    Homeostatic(Box<Homeostatic>),
    /// Winner-take-all with a Gaussian neighbourhood.
    KernelMax(Box<KernelMax>),
}

/// What a transfer function needs beyond the activity.
pub struct TfContext<'a> {
    /// Simulation time of the call.
    pub now: Time,
    /// Whole sheet shape.
    pub shape: (usize, usize),
    /// The units this rank owns.
    pub own: crate::ownership::Ownership,
    /// Collectives.
    pub ex: &'a mut dyn Exchange,
    /// Value of a number or numbergen component at the current time.
    pub value: &'a mut dyn FnMut(&Value) -> Result<f64, SimError>,
}

impl TransferFn {
    /// Build from a component; `n_local` is the number of local units,
    /// `now` the construction time (AdaptiveThreshold's first timestamp),
    /// `density` the sheet's xdensity (KernelMax).
    pub fn from_component(
        c: &Component,
        owner: &str,
        n_local: usize,
        now: Time,
        density: f64,
    ) -> Result<TransferFn, SimError> {
        let p = Params::new(c, owner);
        Ok(match c.short_class() {
            "IdentityTF" => TransferFn::Identity,
            "PiecewiseLinear" => TransferFn::PiecewiseLinear {
                lower: p.f64("lower_bound")?,
                upper: p.f64("upper_bound")?,
            },
            "HalfRectify" => {
                if p.bool_or("randomized_init", false)? {
                    return Err(SimError::Unsupported(format!(
                        "{owner}: HalfRectify(randomized_init=True)"
                    )));
                }
                TransferFn::HalfRectify {
                    t_init: p.f64_or("t_init", 0.0)?,
                    gain: p.f64_or("gain", 1.0)?,
                }
            }
            "DivisiveNormalizeL1" => TransferFn::DivisiveNormalizeL1 {
                norm_value: p.f64_or("norm_value", 1.0)?,
            },
            "HomeostaticResponse" | "AdaptiveThreshold" => {
                if p.bool_or("randomized_init", false)? {
                    return Err(SimError::Unsupported(format!(
                        "{owner}: HomeostaticResponse(randomized_init=True)"
                    )));
                }
                let period = p.time_or("period", Time::from_int(1))?;
                TransferFn::Homeostatic(Box::new(Homeostatic {
                    t_init: p.f64("t_init")?,
                    target_activity: p.f64("target_activity")?,
                    learning_rate: p.f64("learning_rate")?,
                    smoothing: p.f64("smoothing")?,
                    linear_slope: p.f64_or("linear_slope", 1.0)?,
                    period,
                    plastic: p.bool_or("plastic", true)?,
                    plastic_stack: Vec::new(),
                    first_call: true,
                    next_update: now + period,
                    t: vec![0.0; n_local],
                    y_avg: vec![0.0; n_local],
                    y_avg_prev: vec![0.0; n_local],
                    x_prev: vec![0.0; n_local],
                }))
            }
            "KernelMax" => TransferFn::KernelMax(Box::new(KernelMax {
                density: p.opt_f64("density")?.unwrap_or(density),
                crop_radius_multiplier: p.f64_or("crop_radius_multiplier", 3.0)?,
                kernel_radius: p.get("kernel_radius").cloned().ok_or_else(|| {
                    SimError::BadParam {
                        owner: owner.into(),
                        param: "kernel_radius".into(),
                        expected: "a number or generator".into(),
                    }
                })?,
            })),
            other => {
                return Err(SimError::Unsupported(format!(
                    "{owner}: output function {other} ({})",
                    c.class
                )))
            }
        })
    }

    /// True if the function needs no other unit than the one it changes
    /// (so it can run on any rectangle, e.g. of a generator sheet).
    pub fn is_local(&self) -> bool {
        !matches!(
            self,
            TransferFn::DivisiveNormalizeL1 { .. } | TransferFn::KernelMax(_)
        )
    }

    /// Whether each output depends only on the same unit's input, the same
    /// way at every call (no state, no random draws, no time): applying it
    /// again to the same values gives the same bits.
    pub fn is_pointwise(&self) -> bool {
        matches!(
            self,
            TransferFn::Identity
                | TransferFn::PiecewiseLinear { .. }
                | TransferFn::HalfRectify { .. }
        )
    }

    /// Apply a per-unit function to values outside the sheet block
    /// bookkeeping (generator rectangles). Only for [`Self::is_local`]
    /// functions without state.
    pub fn apply_stateless(&self, x: &mut [f64]) {
        match self {
            TransferFn::PiecewiseLinear { lower, upper } => piecewise_linear(x, *lower, *upper),
            TransferFn::HalfRectify { t_init, gain } => half_rectify(x, *t_init, *gain),
            _ => {}
        }
    }

    /// Apply in place to the local block.
    pub fn apply(&mut self, x: &mut [f64], cx: &mut TfContext<'_>) -> Result<(), SimError> {
        match self {
            TransferFn::Identity => {}
            TransferFn::PiecewiseLinear { lower, upper } => piecewise_linear(x, *lower, *upper),
            TransferFn::HalfRectify { t_init, gain } => half_rectify(x, *t_init, *gain),
            TransferFn::DivisiveNormalizeL1 { norm_value } => {
                // The sheet sum must not depend on the decomposition: gather
                // the sheet and add |x| in row-major order on every rank.
                let (rows, cols) = cx.shape;
                let s = cx.ex.sheet_abs_sum(rows, cols, &cx.own, x);
                if s != 0.0 {
                    let f = *norm_value / s;
                    for v in x.iter_mut() {
                        *v *= f;
                    }
                }
            }
            TransferFn::Homeostatic(h) => h.apply(x, cx.now),
            TransferFn::KernelMax(k) => {
                let kr = (cx.value)(&k.kernel_radius)?;
                kernel_max(
                    x,
                    cx.shape,
                    &cx.own,
                    k.density * kr,
                    k.crop_radius_multiplier,
                    cx.ex,
                );
            }
        }
        Ok(())
    }
}

/// `PiecewiseLinear` in numpy's order: subtract, multiply by the
/// reciprocal, clip.
pub fn piecewise_linear(x: &mut [f64], lower: f64, upper: f64) {
    let fact = 1.0 / (upper - lower);
    for v in x.iter_mut() {
        let y = (*v - lower) * fact;
        *v = y.clamp(0.0, 1.0);
    }
}

/// `HalfRectify` with a constant threshold.
pub fn half_rectify(x: &mut [f64], t: f64, gain: f64) {
    for v in x.iter_mut() {
        *v = (*v - t).max(0.0) * gain;
    }
}

/// KernelMax on the local units: the global winner (first maximum in
/// row-major order) gets a Gaussian neighbourhood of radius `radius`
/// (matrix units), everything else is zero.
fn kernel_max(
    x: &mut [f64],
    shape: (usize, usize),
    own: &crate::ownership::Ownership,
    radius: f64,
    crop_mult: f64,
    ex: &mut dyn Exchange,
) {
    let (rows, cols) = shape;
    let mut best = f64::NEG_INFINITY;
    let mut best_idx = usize::MAX;
    // Local order is row-major over the owned rows, so the first local
    // maximum is also the first in the sheet's row-major order.
    for (i, v) in x.iter().enumerate() {
        if *v > best {
            best = *v;
            let (r, c) = own.global(i);
            best_idx = r * cols + c;
        }
    }
    let (_, gidx) = ex.argmax(best, best_idx);
    x.fill(0.0);
    if gidx == usize::MAX {
        return;
    }
    let (wr, wc) = ((gidx / cols) as i64, (gidx % cols) as i64);
    let crop = (1.25f64).max(radius * crop_mult) as i64;
    let (rows_i, cols_i) = (rows as i64, cols as i64);
    let wy = rows_i - wr - 1;
    let cmin = (wc - crop).max(0);
    let cmax = (wc + crop + 1).min(cols_i);
    let rmin = (wr - crop).max(0);
    let rmax = (wr + crop + 1).min(rows_i);
    let ymax = (wy + crop + 1).min(rows_i);
    // imagen Gaussian(size=2r, aspect_ratio=1) sampled at unit centres of
    // the box (density 1): ysigma = xsigma = r.
    let sigma = (2.0 * radius) / 2.0;
    let (gx, gy) = (wc as f64 + 0.5, wy as f64 + 0.5);
    for r in rmin..rmax {
        let k = r - rmin;
        let y = (ymax as f64 - 0.5) - k as f64;
        for c in cmin.max(own.c0 as i64)..cmax.min(own.c1 as i64) {
            let Some(li) = own.local_index(r as usize, c as usize) else {
                continue;
            };
            let xx = c as f64 + 0.5;
            let v = crate::kernel::gaussian(xx - gx, y - gy, sigma, sigma);
            x[li] = v;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn piecewise_linear_clips_and_scales() {
        let mut x = vec![-1.0, 0.1, 0.375, 0.65, 2.0];
        piecewise_linear(&mut x, 0.1, 0.65);
        assert_eq!(x[0], 0.0);
        assert_eq!(x[1], 0.0);
        assert!((x[2] - 0.5).abs() < 1e-15);
        assert_eq!(x[4], 1.0);
    }

    #[test]
    fn homeostatic_updates_after_period_using_previous_output() {
        let mut h = Homeostatic {
            t_init: 0.15,
            target_activity: 0.024,
            learning_rate: 0.01,
            smoothing: 0.991,
            linear_slope: 1.0,
            period: Time::from_int(1),
            plastic: true,
            plastic_stack: vec![],
            first_call: true,
            next_update: Time::from_int(1),
            t: vec![0.0; 1],
            y_avg: vec![0.0; 1],
            y_avg_prev: vec![0.0; 1],
            x_prev: vec![0.0; 1],
        };
        let mut x = [0.5];
        h.apply(&mut x, Time::new(1, 5));
        assert!((x[0] - 0.35).abs() < 1e-15);
        // At t=1 (not strictly after 1) no update.
        let mut x = [0.5];
        h.apply(&mut x, Time::from_int(1));
        assert_eq!(h.t[0], 0.15);
        let mut x = [0.5];
        h.apply(&mut x, Time::new(6, 5));
        let y = (1.0 - 0.991) * 0.35 + 0.991 * 0.024;
        assert_eq!(h.t[0], 0.15 + 0.01 * (y - 0.024));
        assert_eq!(h.next_update, Time::from_int(2));
    }
}
