//! Sheets: generator sheets (render their input pattern) and projection
//! sheets (CFSheet, JointNormalizingCFSheet, SettlingCFSheet / LISSOM),
//! each holding the block of units this rank owns.

use crate::error::SimError;
use crate::exchange::Block;
use crate::ownership::Ownership;
use crate::params::Params;
use crate::transfer::TransferFn;
use serde::{Deserialize, Serialize};
use topo_pattern::coords::SheetCoords;
use topo_spec::{Component, SheetSpec, Time};

/// SettlingCFSheet's settling state and parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Settle {
    /// Activations per iteration.
    pub tsettle: usize,
    /// Hold back 'Afferent' outputs until this many activations.
    pub strict_tsettle: Option<usize>,
    /// When the (no-op) sheet mask is computed.
    pub mask_init_time: usize,
    /// Learn after every settling step instead of at the end.
    pub continuous_learning: bool,
    /// Settling steps done in this iteration.
    pub activation_count: usize,
    /// Whether the next input starts a new iteration.
    pub new_iteration: bool,
    /// Saved `(activation_count, new_iteration)` of state pushes.
    pub stack: Vec<(usize, bool)>,
}

/// What kind of sheet.
pub enum SheetKind {
    /// GeneratorSheet.
    Generator(Box<Generator>),
    /// A ProjectionSheet.
    Cf {
        /// JointNormalizingCFSheet semantics: normalisation at start and
        /// grouped normalisation after learning.
        joint: bool,
        /// Settling (SettlingCFSheet, LISSOM).
        settle: Option<Settle>,
    },
}

/// GeneratorSheet state.
pub struct Generator {
    /// `input_generator`.
    pub pattern: Component,
    /// Period (0: no periodic generation).
    pub period: Time,
    /// Phase.
    pub phase: Time,
    /// The rectangle rendered at each generation: the own block plus
    /// every rectangle the outgoing projections need on this rank.
    pub canvas_block: Block,
    /// Its values, row-major.
    pub canvas: Vec<f64>,
    /// The channel ports of a `ChannelGeneratorSheet` whose pattern has
    /// several channels.
    pub channels: Option<Box<crate::channel_sheet::Channels>>,
}

/// One sheet on this rank.
pub struct Sheet {
    /// Name.
    pub name: String,
    /// Canonical class.
    pub class: String,
    /// Geometry.
    pub coords: SheetCoords,
    /// The units this rank owns.
    pub own: Ownership,
    /// Activity of the owned units (laid out by [`Ownership`]).
    pub activity: Vec<f64>,
    /// Output functions.
    pub output_fns: Vec<TransferFn>,
    /// Whether activate() applies the output functions.
    pub apply_output_fns: bool,
    /// Plasticity.
    pub plastic: bool,
    /// Saved plasticity values.
    pub plastic_stack: Vec<bool>,
    /// Incoming projections, in connection order.
    pub in_projs: Vec<usize>,
    /// Outgoing projections, in connection order.
    pub out_projs: Vec<usize>,
    /// `new_input` of ProjectionSheet.
    pub new_input: bool,
    /// Kind-specific state.
    pub kind: SheetKind,
    /// Activity groups: `(priority, projections)` in ascending priority.
    pub groups: Vec<(f64, Vec<usize>)>,
    /// Weight-normalisation groups (`_grouped_in_projections('JointNormalize')`):
    /// first the projections normalised individually, then each joint group
    /// in first-seen order; projection indices in connection order.
    pub norm_groups: Vec<Vec<usize>>,
}

impl Sheet {
    /// Build the sheet of `spec` owning the units `own` of `coords`.
    pub fn new(
        spec: &SheetSpec,
        coords: SheetCoords,
        own: Ownership,
        now: Time,
    ) -> Result<Sheet, SimError> {
        let c = &spec.component;
        let p = Params::new(c, &spec.name);
        let n = own.len();
        let output_fns = p
            .objects("output_fns")?
            .into_iter()
            .map(|f| TransferFn::from_component(f, &spec.name, n, now, coords.xdensity()))
            .collect::<Result<Vec<_>, _>>()?;
        let short = c.short_class();
        let kind = match short {
            "GeneratorSheet" | "ChannelGeneratorSheet" => {
                let pattern = p.object("input_generator")?.clone();
                let channels = if short == "ChannelGeneratorSheet" {
                    crate::channel_sheet::Channels::of(c, &spec.name, n)?.map(Box::new)
                } else {
                    None
                };
                if let Some(f) = output_fns.iter().find(|f| !f.is_local()) {
                    return Err(SimError::Unsupported(format!(
                        "{}: generator sheet output function {f:?} needs the whole sheet",
                        spec.name
                    )));
                }
                SheetKind::Generator(Box::new(Generator {
                    pattern,
                    period: p.time_or("period", Time::from_int(1))?,
                    phase: p.time_or("phase", Time::from_int(0))?,
                    canvas_block: own.bounds(),
                    canvas: Vec::new(),
                    channels,
                }))
            }
            "CFSheet" | "ProjectionSheet" => SheetKind::Cf {
                joint: false,
                settle: None,
            },
            "JointNormalizingCFSheet" => SheetKind::Cf {
                joint: true,
                settle: None,
            },
            "SettlingCFSheet" | "LISSOM" => SheetKind::Cf {
                joint: true,
                settle: Some(Settle {
                    tsettle: p.usize_or("tsettle", 8)?,
                    strict_tsettle: match p.get("strict_tsettle") {
                        None | Some(topo_spec::Value::None) => None,
                        Some(_) => Some(p.usize_or("strict_tsettle", 0)?),
                    },
                    mask_init_time: p.usize_or("mask_init_time", 5)?,
                    continuous_learning: p.bool_or("continuous_learning", false)?,
                    activation_count: 0,
                    new_iteration: true,
                    stack: Vec::new(),
                }),
            },
            _ => {
                return Err(SimError::Unsupported(format!(
                    "{}: sheet class {}",
                    spec.name, c.class
                )))
            }
        };
        Ok(Sheet {
            name: spec.name.clone(),
            class: c.class.clone(),
            coords,
            own,
            activity: vec![0.0; n],
            output_fns,
            apply_output_fns: p.bool_or("apply_output_fns", true)?,
            plastic: p.bool_or("plastic", true)?,
            plastic_stack: Vec::new(),
            in_projs: Vec::new(),
            out_projs: Vec::new(),
            new_input: false,
            kind,
            groups: Vec::new(),
            norm_groups: Vec::new(),
        })
    }

    /// Whole-sheet shape.
    pub fn shape(&self) -> (usize, usize) {
        (self.coords.rows(), self.coords.cols())
    }

    /// Whether this is a generator sheet.
    pub fn is_generator(&self) -> bool {
        matches!(self.kind, SheetKind::Generator(_))
    }

    /// A settling sheet whose next delivery starts a new iteration (and
    /// clears its and its projections' activities).
    pub fn starts_iteration(&self) -> bool {
        matches!(&self.kind, SheetKind::Cf { settle: Some(st), .. } if st.new_iteration)
    }
}
