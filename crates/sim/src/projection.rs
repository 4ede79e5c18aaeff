//! A projection as the dynamics see it: its connection fields (built by
//! [`crate::cf`]), response, learning and weight normalisation, its
//! activity over the dest block, the input it last received, and the pool
//! of in-flight input buffers of events not yet delivered.

use crate::cf::ConnectionFields;
use crate::error::SimError;
use crate::exchange::{copy_rect, Block, HaloId};
use crate::normalize::WeightsOutputFn;
use crate::params::{port_is_afferent, port_parts, Params};
use crate::push::{PushLayout, PushScratch};
use std::sync::atomic::{AtomicBool, Ordering};
use topo_spec::{ConnectionSpec, Time, Value};

/// How a projection turns input into activity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResponseKind {
    /// `CFPRF_DotProduct` (any variant, or `CFPRF_Plugin(DotProduct)`).
    DotProduct,
    /// `CFPRF_EuclideanDistance`.
    Euclidean,
}

/// How a projection learns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LearningKind {
    /// No learning (`CFPLF_Identity`, shared weights).
    None,
    /// `CFPLF_Hebbian` or `CFPLF_Plugin(Hebbian)`.
    Hebbian,
    /// `CFPLF_EuclideanHebbian`.
    EuclideanHebbian,
    /// `CFPLF_Plugin` of a model file's own LearningFn class
    /// ([`Projection::user_learning`]).
    User,
    /// `CFPLF_Trace` ([`Projection::trace`]).
    Trace,
}

/// How the summed activity of one priority group combines with the
/// sheet's activity so far (`activity_group[1]`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum GroupOp {
    /// `numpy.add`.
    Add,
    /// `numpy.subtract`.
    Subtract,
    /// `numpy.multiply`.
    Multiply,
    /// `numpy.divide`.
    Divide,
    /// `numpy.maximum`.
    Maximum,
    /// `numpy.minimum`.
    Minimum,
    /// `DivideWithConstant(c)`: `x / (max(y, 0) + c)`.
    DivideWithConstant(f64),
    /// `MultiplyWithConstant(c)`: `x * max(y + c, 0)`.
    MultiplyWithConstant(f64),
}

impl GroupOp {
    /// `op(x, y)` elementwise, as numpy computes it.
    #[inline]
    pub fn apply(self, x: f64, y: f64) -> f64 {
        match self {
            GroupOp::Add => x + y,
            GroupOp::Subtract => x - y,
            GroupOp::Multiply => x * y,
            GroupOp::Divide => x / y,
            GroupOp::Maximum => {
                if x.is_nan() || y.is_nan() {
                    f64::NAN
                } else {
                    x.max(y)
                }
            }
            GroupOp::Minimum => {
                if x.is_nan() || y.is_nan() {
                    f64::NAN
                } else {
                    x.min(y)
                }
            }
            GroupOp::DivideWithConstant(c) => x / (y.max(0.0) + c),
            GroupOp::MultiplyWithConstant(c) => x * (y + c).max(0.0),
        }
    }

    /// `acc[i] = op(acc[i], y[i])` over the common length: [`GroupOp::apply`]
    /// element by element (the same bits), with the operation chosen once
    /// per slice instead of once per element, so that the loop has no
    /// jump per element and vectorises.
    pub fn apply_slice(self, acc: &mut [f64], y: &[f64]) {
        #[inline(always)]
        fn each(acc: &mut [f64], y: &[f64], f: impl Fn(f64, f64) -> f64) {
            for (a, t) in acc.iter_mut().zip(y) {
                *a = f(*a, *t);
            }
        }
        match self {
            GroupOp::Add => each(acc, y, |a, t| GroupOp::Add.apply(a, t)),
            GroupOp::Subtract => each(acc, y, |a, t| GroupOp::Subtract.apply(a, t)),
            GroupOp::Multiply => each(acc, y, |a, t| GroupOp::Multiply.apply(a, t)),
            GroupOp::Divide => each(acc, y, |a, t| GroupOp::Divide.apply(a, t)),
            GroupOp::Maximum => each(acc, y, |a, t| GroupOp::Maximum.apply(a, t)),
            GroupOp::Minimum => each(acc, y, |a, t| GroupOp::Minimum.apply(a, t)),
            GroupOp::DivideWithConstant(c) => {
                each(acc, y, |a, t| GroupOp::DivideWithConstant(c).apply(a, t))
            }
            GroupOp::MultiplyWithConstant(c) => {
                each(acc, y, |a, t| GroupOp::MultiplyWithConstant(c).apply(a, t))
            }
        }
    }
}

/// Set by [`set_group_op_per_element`]: `activate` combines the priority
/// groups with [`GroupOp::apply`] per element (the engine before).
static GROUP_OP_PER_ELEMENT: AtomicBool = AtomicBool::new(false);

/// Makes a sheet's activation combine its priority groups with
/// [`GroupOp::apply`] element by element (`true`, the engine before) or
/// with [`GroupOp::apply_slice`] (`false`, the default) in this process:
/// the same bits either way; for measuring one against the other.
pub fn set_group_op_per_element(on: bool) {
    GROUP_OP_PER_ELEMENT.store(on, Ordering::Relaxed);
}

/// Whether [`set_group_op_per_element`] asked for the per-element path.
pub fn group_op_per_element() -> bool {
    GROUP_OP_PER_ELEMENT.load(Ordering::Relaxed)
}

/// One projection on this rank.
pub struct Projection {
    /// Connection name.
    pub name: String,
    /// Source sheet index.
    pub src: usize,
    /// Destination sheet index.
    pub dest: usize,
    /// The spec it was built from (for `change_bounds`).
    pub spec: ConnectionSpec,
    /// Delay.
    pub delay: Time,
    /// Strength (negative for inhibition).
    pub strength: f64,
    /// Learning rate: a number or a numbergen component.
    pub learning_rate: Value,
    /// Response function.
    pub response: ResponseKind,
    /// Learning function.
    pub learning: LearningKind,
    /// The compiled user learning function of [`LearningKind::User`].
    pub user_learning: Option<std::sync::Arc<crate::userfn::LearningKernel>>,
    /// The traces of [`LearningKind::Trace`].
    pub trace: Option<crate::trace_learning::TraceLearning>,
    /// Weight output functions.
    pub wofs: Vec<WeightsOutputFn>,
    /// Connection fields of the local dest units.
    pub cfs: ConnectionFields,
    /// Activity over the local dest block (already times strength).
    pub activity: Vec<f64>,
    /// The input last delivered, row-major over `cfs.needed`.
    pub input: Vec<f64>,
    /// Scratch: the non-zero column span of each row of `input`, refilled
    /// by every dot-product response (see [`crate::response::dot_product`]).
    pub row_spans: Vec<[usize; 2]>,
    /// The weights stored per source for pushing sparse inputs (see
    /// [`crate::push`]), built at the first delivery that pushes and
    /// dropped whenever the weights change other than by learning.
    pub push: Option<PushLayout>,
    /// Pushing is off for good (the layout could not be built or kept).
    pub push_off: bool,
    /// The bound of `push` that lets [`crate::push_choice`] decide most
    /// deliveries in O(1); computed at the first delivery after `push` was
    /// (re)built, reset whenever `push` is replaced.
    pub push_bound: Option<crate::push_choice::SourceBound>,
    /// Compute a shared-weight response one unit at a time instead of in
    /// groups of adjacent units (same bits; for A/B measurements).
    pub shared_groups_off: bool,
    /// Which units of a shared-weight projection are computed in groups:
    /// made at the first response, dropped with [`Projection::weights_changed`].
    pub shared_plan: Option<crate::shared_weights::GroupPlan>,
    /// Scratch of the shared-weight response.

    /// Scratch of the push response.
    pub push_scratch: PushScratch,
    /// How the per-source copy is synced after learning: `None` as
    /// [`PushLayout::sync_units`] chooses, `Some(true)` by bands
    /// ([`PushLayout::sync_units_banded`]), `Some(false)` in unit order;
    /// the same bits, for the bench's A/B.
    pub push_sync_banded: Option<bool>,
    /// Syncs of the per-source copy after learning so far (the network
    /// skips them where learning changed no weight): for the tests.
    pub push_syncs: u64,
    /// The response to the current input is owed: it was delivered to a
    /// settling sheet that had finished its iteration, so the next event
    /// that can read `activity` is the clearing of the next iteration;
    /// computed only if something else reads it first (see
    /// `Network::resolve_pending_responses`).
    pub pending_response: bool,
    /// The local units whose response anyone reads during a run, when
    /// the network computes only those (its `read_region` module): a
    /// shared-weight response then leaves the others as they are. `None`:
    /// every unit is computed.
    pub read_units: Option<Vec<bool>>,
    /// Whether the next responses skip the units outside `read_units`.
    pub skip_unread: bool,
    /// Whether any input was delivered yet (`input_buffer is not None`).
    pub has_input: bool,
    /// Buffers of in-flight events.
    pub pool: Vec<Vec<f64>>,
    /// Free pool slots.
    pub free: Vec<usize>,
    /// Halo for non-generator sources.
    pub halo: Option<HaloId>,
    /// The projection whose exchanged buffer this one's input is cut
    /// from instead of exchanging its own halo (see `network::halo_share`).
    pub halo_from: Option<usize>,
    /// Scratch of `send_output`: the buffer filled for the event being sent.
    pub outgoing: Option<usize>,
    /// `activity_group[0]`.
    pub priority: f64,
    /// `activity_group[1]`.
    pub op: GroupOp,
    /// Joint-normalisation group (`dest_port[2]` with `dest_port[1] ==
    /// 'JointNormalize'`).
    pub joint_group: Option<String>,
    /// `dest_port[2] == 'Afferent'` (held back by `strict_tsettle`).
    pub afferent_port: bool,
    /// `src_port` (sheet port part).
    pub src_port: String,
}

fn owner(conn: &ConnectionSpec) -> String {
    format!("{}.{}", conn.dest, conn.name)
}

fn response_kind(conn: &ConnectionSpec) -> Result<ResponseKind, SimError> {
    let o = owner(conn);
    let p = Params::new(&conn.component, &o);
    let rf = p.object("response_fn")?;
    let short = rf.short_class();
    if short.starts_with("CFPRF_DotProduct") {
        return Ok(ResponseKind::DotProduct);
    }
    if short.starts_with("CFPRF_EuclideanDistance") {
        return Ok(ResponseKind::Euclidean);
    }
    if short == "CFPRF_Plugin" {
        let single = Params::new(rf, &o).object("single_cf_fn")?;
        if single.short_class() == "DotProduct" {
            return Ok(ResponseKind::DotProduct);
        }
        return Err(SimError::Unsupported(format!(
            "{o}: CFPRF_Plugin({})",
            single.class
        )));
    }
    Err(SimError::Unsupported(format!(
        "{o}: response_fn {}",
        rf.class
    )))
}

fn learning_kind(conn: &ConnectionSpec) -> Result<LearningKind, SimError> {
    let o = owner(conn);
    if conn.component.short_class() == "SharedWeightCFProjection" {
        return Ok(LearningKind::None);
    }
    let p = Params::new(&conn.component, &o);
    let Some(lf) = p.opt_object("learning_fn")? else {
        return Ok(LearningKind::None);
    };
    let short = lf.short_class();
    if short.starts_with("CFPLF_Hebbian") {
        return Ok(LearningKind::Hebbian);
    }
    if short.starts_with("CFPLF_EuclideanHebbian") {
        return Ok(LearningKind::EuclideanHebbian);
    }
    if short == "CFPLF_Trace" {
        return Ok(LearningKind::Trace);
    }
    if short.starts_with("CFPLF_Identity") {
        return Ok(LearningKind::None);
    }
    if short == "CFPLF_Plugin" {
        let single = Params::new(lf, &o).object("single_cf_fn")?;
        if single.class.starts_with("__main__.") {
            return Ok(LearningKind::User);
        }
        return match single.short_class() {
            // SampleHebbian only adds bookkeeping to plain Hebbian.
            "Hebbian" | "SampleHebbian" => Ok(LearningKind::Hebbian),
            "IdentityLF" => Ok(LearningKind::None),
            other => Err(SimError::Unsupported(format!("{o}: CFPLF_Plugin({other})"))),
        };
    }
    Err(SimError::Unsupported(format!(
        "{o}: learning_fn {}",
        lf.class
    )))
}

fn group_op(conn: &ConnectionSpec) -> Result<(f64, GroupOp), SimError> {
    let o = owner(conn);
    let bad = || SimError::BadParam {
        owner: o.clone(),
        param: "activity_group".into(),
        expected: "(priority, operator)".into(),
    };
    let v = match conn.component.get("activity_group") {
        None | Some(Value::None) => return Ok((0.5, GroupOp::Add)),
        Some(v) => v,
    };
    let items = v.as_seq().ok_or_else(bad)?;
    if items.len() != 2 {
        return Err(bad());
    }
    let prio = items[0].as_f64().ok_or_else(bad)?;
    let op = match &items[1] {
        Value::Function(f) => match f.as_str() {
            "numpy.add" => GroupOp::Add,
            "numpy.subtract" => GroupOp::Subtract,
            "numpy.multiply" => GroupOp::Multiply,
            "numpy.divide" => GroupOp::Divide,
            "numpy.maximum" => GroupOp::Maximum,
            "numpy.minimum" => GroupOp::Minimum,
            other => return Err(SimError::Unsupported(format!("{o}: operator {other}"))),
        },
        Value::Object(c) => {
            let c_val = Params::new(c, &o).f64_or("c", 1.0)?;
            match c.short_class() {
                "DivideWithConstant" => GroupOp::DivideWithConstant(c_val),
                "MultiplyWithConstant" => GroupOp::MultiplyWithConstant(c_val),
                other => return Err(SimError::Unsupported(format!("{o}: operator {other}"))),
            }
        }
        _ => return Err(bad()),
    };
    Ok((prio, op))
}

impl Projection {
    /// Wrap built connection fields with the dynamics of `conn`.
    pub fn new(
        conn: &ConnectionSpec,
        src: usize,
        dest: usize,
        cfs: ConnectionFields,
    ) -> Result<Projection, SimError> {
        let o = owner(conn);
        let p = Params::new(&conn.component, &o);
        let (priority, op) = group_op(conn)?;
        let (_, joint_group) = port_parts(conn.component.get("dest_port"));
        let (src_port, _) = port_parts(conn.component.get("src_port"));
        let wofs = WeightsOutputFn::list_from_value(conn.component.get("weights_output_fns"))
            .map_err(|e| SimError::Unsupported(format!("{o}: {e}")))?;
        let n_local = cfs.dest_units.len();
        let learning = learning_kind(conn)?;
        let trace = match learning {
            LearningKind::Trace => {
                let lf = p.object("learning_fn")?;
                let strength = Params::new(lf, &o).f64("trace_strength")?;
                Some(crate::trace_learning::TraceLearning::new(strength, n_local))
            }
            _ => None,
        };
        let needed_len = cfs.needed.len();
        let needed_rows = cfs.needed.rows();
        Ok(Projection {
            name: conn.name.clone(),
            src,
            dest,
            spec: conn.clone(),
            delay: p.time_or("delay", Time::from_int(0))?,
            strength: p.f64("strength")?,
            learning_rate: conn
                .component
                .get("learning_rate")
                .cloned()
                .unwrap_or(Value::Float(0.0)),
            response: response_kind(conn)?,
            learning,
            user_learning: None,
            trace,
            wofs,
            cfs,
            activity: vec![0.0; n_local],
            input: vec![0.0; needed_len],
            row_spans: vec![[0, 0]; needed_rows],
            pending_response: false,
            read_units: None,
            skip_unread: false,
            push: None,
            push_off: false,
            push_bound: None,
            shared_groups_off: false,
            shared_plan: None,
            push_scratch: PushScratch::default(),
            push_sync_banded: None,
            push_syncs: 0,
            has_input: false,
            pool: Vec::new(),
            free: Vec::new(),
            halo: None,
            halo_from: None,
            outgoing: None,
            priority,
            op,
            joint_group,
            afferent_port: port_is_afferent(conn.component.get("dest_port")),
            src_port,
        })
    }

    /// Drops the per-source copy of the weights after they changed other
    /// than by learning of active units (it is rebuilt when next needed),
    /// and the shared-weight group plan (the CF geometry may have changed).
    pub fn weights_changed(&mut self) {
        self.push = None;
        self.push_bound = None;
        self.shared_plan = None;
    }

    /// Builds the per-source copy of the weights now, on the current
    /// rayon pool (the first pushed delivery builds it otherwise): for
    /// timing the whole set-up. Nothing for shared-weight projections.
    pub fn build_push_layout(&mut self) {
        if !self.push_off && self.push.as_ref().is_none_or(|l| !l.fits(&self.cfs)) {
            self.push = PushLayout::build(&self.cfs);
            self.push_bound = None;
        }
    }

    /// `activity = strength * Σ w·x` of a dot-product response to the
    /// current input: pushed from the non-zero inputs when they are finite
    /// and the cost model of [`crate::push_choice`] finds pushing no
    /// slower, pulled otherwise; the same bits either way (see
    /// [`crate::push`]).
    pub fn dot_product_response(&mut self) {
        let needed = self.cfs.needed;
        let layout = self.push.as_ref().filter(|l| l.fits(&self.cfs));
        if let (Some(l), None) = (layout, self.push_bound) {
            // Once per copy, O(sources).
            self.push_bound = Some(crate::push_choice::SourceBound::of(l, needed.len()));
        }
        let push = !self.push_off
            && self.cfs.shared.is_none()
            && crate::push_choice::should_push_bounded(
                &self.input,
                &self.cfs,
                layout,
                self.push_bound.as_ref().filter(|_| layout.is_some()),
                &mut self.push_scratch,
            );
        if push && self.push.as_ref().is_none_or(|l| !l.fits(&self.cfs)) {
            // Built once, at the first pushed delivery (and again after
            // the weights were replaced); allocates only then.
            self.push = PushLayout::build(&self.cfs);
            self.push_bound = None;
            self.push_off = self.push.is_none();
        }
        if self.shared_groups_off && self.cfs.shared.is_some() {
            crate::response::shared_dot_product_per_unit(
                &self.cfs,
                &self.input,
                &needed,
                self.strength,
                &mut self.activity,
            );
            return;
        }
        if self.cfs.shared.is_some() {
            crate::shared_weights::dot_product_planned_in(
                &self.cfs,
                &mut self.shared_plan,
                &self.input,
                &needed,
                self.strength,
                &mut self.activity,
                &mut self.row_spans,
                self.read_units.as_deref().filter(|_| self.skip_unread),
            );
            return;
        }
        match (&self.push, push) {
            (Some(layout), true) => crate::push::push_dot_product(
                layout,
                &self.input,
                &needed,
                self.strength,
                &mut self.activity,
                &mut self.push_scratch,
            ),
            _ => crate::response::dot_product(
                &self.cfs,
                &self.input,
                &needed,
                self.strength,
                &mut self.activity,
                &mut self.row_spans,
            ),
        }
    }

    /// After learning: copies the CFs of the active units (the only ones
    /// learning and active-unit normalisation change) into the per-source
    /// copy, or stops pushing if that copy cannot represent them.
    pub fn sync_learned(&mut self, dest_activity: &[f64]) {
        if let Some(layout) = self.push.as_mut() {
            self.push_syncs += 1;
            let ok = match self.push_sync_banded {
                None => layout.sync_units(&self.cfs, dest_activity),
                Some(true) => layout.sync_units_banded(&self.cfs, dest_activity),
                Some(false) => layout.sync_units_unit_order(&self.cfs, dest_activity),
            };
            if !ok {
                self.push = None;
                self.push_bound = None;
                self.push_off = true;
            }
        }
    }

    /// A free in-flight buffer (grown on first use only).
    pub fn take_buffer(&mut self) -> usize {
        if let Some(i) = self.free.pop() {
            return i;
        }
        self.pool.push(vec![0.0; self.cfs.needed.len()]);
        self.pool.len() - 1
    }

    /// Make `buf` the current input and free the old one.
    pub fn accept(&mut self, buf: usize) {
        std::mem::swap(&mut self.input, &mut self.pool[buf]);
        self.free.push(buf);
        self.has_input = true;
    }

    /// After the CFs' `needed` rectangle changed from `old` (e.g. by
    /// `change_bounds`), cut every buffer down to the new rectangle (which
    /// lies inside the old one for a shrinking CF; anything else is
    /// zero-filled where the old buffer had no data).
    pub fn reshape_buffers(&mut self, old: Block) {
        let new = self.cfs.needed;
        if new == old {
            return;
        }
        let fix = |buf: &mut Vec<f64>| {
            let mut out = vec![0.0; new.len()];
            let inter = old.intersect(&new);
            if !inter.is_empty() && buf.len() == old.len() {
                let mut tmp = vec![0.0; inter.len()];
                copy_rect(&old, buf, &inter, &mut tmp);
                let w = inter.cols();
                for (k, r) in (inter.r0..inter.r1).enumerate() {
                    let d = (r - new.r0) * new.cols() + (inter.c0 - new.c0);
                    out[d..d + w].copy_from_slice(&tmp[k * w..(k + 1) * w]);
                }
            }
            *buf = out;
        };
        fix(&mut self.input);
        for b in self.pool.iter_mut() {
            fix(b);
        }
    }
}
