//! Snapshots: the network's state as global arrays (each rank holds the
//! hyperslab of its blocks) plus a JSON document of everything else, so a
//! run can be saved at an iteration boundary and continued, bit for bit,
//! on any number of ranks.
//!
//! Array paths (global shapes):
//! - `sheets/S/activity` `[rows, cols]` f64
//! - `sheets/S/channels/i/activity` `[rows, cols]` f64 (channel port
//!   `Activity<i>` of a channel generator sheet)
//! - `sheets/S/output_fns/i/{t,y_avg,y_avg_prev,x_prev}` `[rows, cols]` f64
//!   (HomeostaticResponse state)
//! - `projections/D.P/activity` `[rows, cols]` f64 (dest sheet shape)
//! - `projections/D.P/weights` `[rows, cols, tr*tc]` f32: each unit's
//!   cropped CF row-major at the start, zero padded (`tr x tc` = template)
//! - `projections/D.P/slices` `[rows, cols, 4]` i32
//! - `projections/D.P/norm_total` `[rows, cols]` f64,
//!   `projections/D.P/has_norm_total` `[rows, cols]` i32
//! - `projections/D.P/traces` `[rows, cols]` f64 (CFPLF_Trace's traces,
//!   only for projections that learn with it)
//!
//! Shared-weight kernels are not stored: they never change after
//! construction. Connection-field geometry changed by scheduled
//! `change_bounds` commands is rebuilt on import by replaying those
//! commands, then checked against the stored slices.
//!
//! Limitation: a snapshot must be taken when no event carries activity in
//! flight (true at integer times for every model here: the last delivery
//! of an iteration happens before the next presentation), and the input
//! buffers projections keep for learning are not stored (every model here
//! delivers new input before it learns again).

use super::Network;
use crate::error::SimError;
use crate::exchange::Exchange;
use crate::ownership::Ownership;
use crate::queue::{EventKind, EventQueue};
use crate::sheet::{Settle, SheetKind};
use crate::state::{ArrayData, Hyperslab, LocalArray};
use crate::transfer::TransferFn;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use topo_numbergen::Streams;
use topo_spec::{SimCommand, Time, Value};

/// Reads the hyperslab `(path, start, count)` of a stored global array.
pub type ReadSlab<'a> = dyn FnMut(&str, &[usize], &[usize]) -> Result<ArrayData, String> + 'a;

const FORMAT: &str = "topo-sim-state-1";

#[derive(Serialize, Deserialize)]
struct SheetMeta {
    plastic: bool,
    plastic_stack: Vec<bool>,
    apply_output_fns: bool,
    new_input: bool,
    settle: Option<Settle>,
    output_fns: Vec<TransferFn>,
}

#[derive(Serialize, Deserialize)]
struct ProjMeta {
    strength: f64,
    learning_rate: Value,
    has_input: bool,
    n_units: usize,
    template_shape: (usize, usize),
}

#[derive(Serialize, Deserialize)]
struct Meta {
    format: String,
    time: [i64; 2],
    started: bool,
    events: Vec<([i64; 2], EventKind)>,
    executed_commands: Vec<usize>,
    streams: Streams,
    sheets: Vec<(String, SheetMeta)>,
    projections: Vec<(String, ProjMeta)>,
}

fn err(m: impl Into<String>) -> SimError {
    SimError::State(m.into())
}

/// Where one rank's part of a per-unit array with `extra` trailing
/// dimensions lies in the file: the global shape and one hyperslab per
/// run of owned rows (a rectangle of units is one; rows dealt in stripes
/// are one per stripe), in local-data order.
fn slabs(shape: (usize, usize), own: &Ownership, extra: &[usize]) -> (Vec<usize>, Vec<Hyperslab>) {
    let mut g = vec![shape.0, shape.1];
    g.extend_from_slice(extra);
    let slabs = own
        .blocks()
        .map(|b| {
            let mut start = vec![b.r0, b.c0];
            let mut count = vec![b.rows(), b.cols()];
            start.extend(extra.iter().map(|_| 0));
            count.extend_from_slice(extra);
            Hyperslab { start, count }
        })
        .collect();
    (g, slabs)
}

/// Reads this rank's `slabs` of array `path` and concatenates them; with
/// no slab (the rank owns nothing) one empty read gives the element type.
fn read_slabs(
    read: &mut ReadSlab<'_>,
    path: &str,
    rank: usize,
    slabs: &[Hyperslab],
) -> Result<ArrayData, SimError> {
    let e = |m: String| err(format!("{path}: {m}"));
    let Some((first, rest)) = slabs.split_first() else {
        return read(path, &vec![0; rank], &vec![0; rank]).map_err(e);
    };
    let mut data = read(path, &first.start, &first.count).map_err(e)?;
    for s in rest {
        let more = read(path, &s.start, &s.count).map_err(e)?;
        data.append(more).map_err(e)?;
    }
    Ok(data)
}

fn without_arrays(f: &TransferFn) -> TransferFn {
    let mut f = f.clone();
    if let TransferFn::Homeostatic(h) = &mut f {
        h.t.clear();
        h.y_avg.clear();
        h.y_avg_prev.clear();
        h.x_prev.clear();
    }
    f
}

/// One rank's activity in flight: each projection's event buffers, free
/// slots and last delivered input (see [`Network::export_state_in_flight`]).
pub struct InFlight {
    projs: Vec<ProjInFlight>,
}

struct ProjInFlight {
    pool: Vec<Vec<f64>>,
    free: Vec<usize>,
    input: Vec<f64>,
    has_input: bool,
}

impl Network {
    fn proj_key(&self, pi: usize) -> String {
        let p = &self.projs[pi];
        format!("{}.{}", self.sheets[p.dest].name, p.name)
    }

    /// Everything needed to continue bit-identically. Every rank returns
    /// the same paths in the same order (empty blocks give count 0).
    /// Fails if activity is in flight (see the module docs).
    pub fn export_state(&self) -> Result<(Vec<LocalArray>, Json), SimError> {
        if self.activity_in_flight() {
            return Err(err(format!(
                "activity is in flight at t={}: snapshots are taken between iterations",
                self.time
            )));
        }
        self.export_unchecked()
    }

    /// Whether an event carries activity in flight (then
    /// [`Network::export_state`] refuses).
    pub fn activity_in_flight(&self) -> bool {
        self.queue
            .events()
            .iter()
            .any(|(_, e)| matches!(e, EventKind::Deliver { .. }))
    }

    /// [`Network::export_state`] at any moment, with this rank's activity
    /// in flight and each projection's last input ([`InFlight`]), for a
    /// measurement made between the events of an iteration (featuremapper's
    /// pattern_response pushes and pops the whole simulation state,
    /// queued events included). The arrays hold no in-flight data: restore
    /// with [`Network::import_state`] then [`Network::import_in_flight`]
    /// on the same decomposition.
    pub fn export_state_in_flight(&self) -> Result<(Vec<LocalArray>, Json, InFlight), SimError> {
        let (arrays, meta) = self.export_unchecked()?;
        let projs = self
            .projs
            .iter()
            .map(|p| ProjInFlight {
                pool: p.pool.clone(),
                free: p.free.clone(),
                input: p.input.clone(),
                has_input: p.has_input,
            })
            .collect();
        Ok((arrays, meta, InFlight { projs }))
    }

    /// Puts back what [`Network::export_state_in_flight`] saved, after
    /// [`Network::import_state`] restored the queue that refers to it.
    pub fn import_in_flight(&mut self, f: InFlight) -> Result<(), SimError> {
        if f.projs.len() != self.projs.len() {
            return Err(err("in-flight state of a different network"));
        }
        for (p, s) in self.projs.iter_mut().zip(f.projs) {
            if s.pool.iter().any(|b| b.len() != p.cfs.needed.len()) {
                return Err(err("in-flight state of a different decomposition"));
            }
            p.pool = s.pool;
            p.free = s.free;
            p.input = s.input;
            p.has_input = s.has_input;
        }
        Ok(())
    }

    fn export_unchecked(&self) -> Result<(Vec<LocalArray>, Json), SimError> {
        let events = self.queue.events();
        let mut arrays = Vec::new();
        for s in &self.sheets {
            let (g, sl) = slabs(s.shape(), &s.own, &[]);
            arrays.push(LocalArray {
                path: format!("sheets/{}/activity", s.name),
                global_shape: g.clone(),
                slabs: sl.clone(),
                data: ArrayData::F64(s.activity.clone()),
            });
            if let SheetKind::Generator(gen) = &s.kind {
                for (i, a) in gen
                    .channels
                    .iter()
                    .flat_map(|c| c.activity.iter())
                    .enumerate()
                {
                    arrays.push(LocalArray {
                        path: format!("sheets/{}/channels/{i}/activity", s.name),
                        global_shape: g.clone(),
                        slabs: sl.clone(),
                        data: ArrayData::F64(a.clone()),
                    });
                }
            }
            for (i, f) in s.output_fns.iter().enumerate() {
                if let TransferFn::Homeostatic(h) = f {
                    for (name, v) in [
                        ("t", &h.t),
                        ("y_avg", &h.y_avg),
                        ("y_avg_prev", &h.y_avg_prev),
                        ("x_prev", &h.x_prev),
                    ] {
                        arrays.push(LocalArray {
                            path: format!("sheets/{}/output_fns/{i}/{name}", s.name),
                            global_shape: g.clone(),
                            slabs: sl.clone(),
                            data: ArrayData::F64(v.clone()),
                        });
                    }
                }
            }
        }
        for pi in 0..self.projs.len() {
            let p = &self.projs[pi];
            let key = self.proj_key(pi);
            let d = &self.sheets[p.dest];
            let (g, sl) = slabs(d.shape(), &d.own, &[]);
            arrays.push(LocalArray {
                path: format!("projections/{key}/activity"),
                global_shape: g.clone(),
                slabs: sl.clone(),
                data: ArrayData::F64(p.activity.clone()),
            });
            if p.cfs.shared.is_some() {
                continue;
            }
            let (tr, tc) = p.cfs.template_shape;
            let t = tr * tc;
            let mut w = vec![0.0f32; p.cfs.len() * t];
            let mut sli = Vec::with_capacity(p.cfs.len() * 4);
            for u in 0..p.cfs.len() {
                let cw = p.cfs.unit_weights(u);
                w[u * t..u * t + cw.len()].copy_from_slice(cw);
                sli.extend(p.cfs.slices[u].iter().map(|&v| v as i32));
            }
            let (gw, sw) = slabs(d.shape(), &d.own, &[t]);
            arrays.push(LocalArray {
                path: format!("projections/{key}/weights"),
                global_shape: gw,
                slabs: sw,
                data: ArrayData::F32(w),
            });
            let (gs, ss) = slabs(d.shape(), &d.own, &[4]);
            arrays.push(LocalArray {
                path: format!("projections/{key}/slices"),
                global_shape: gs,
                slabs: ss,
                data: ArrayData::I32(sli),
            });
            arrays.push(LocalArray {
                path: format!("projections/{key}/norm_total"),
                global_shape: g.clone(),
                slabs: sl.clone(),
                data: ArrayData::F64(p.cfs.norm_total.clone()),
            });
            if let Some(tr) = &p.trace {
                // CFPLF_Trace's traces carry learning from one step to the next
                arrays.push(LocalArray {
                    path: format!("projections/{key}/traces"),
                    global_shape: g.clone(),
                    slabs: sl.clone(),
                    data: ArrayData::F64(tr.traces.clone()),
                });
            }
            arrays.push(LocalArray {
                path: format!("projections/{key}/has_norm_total"),
                global_shape: g,
                slabs: sl,
                data: ArrayData::I32(p.cfs.has_norm_total.iter().map(|&b| b as i32).collect()),
            });
        }
        let pending: Vec<usize> = events
            .iter()
            .filter_map(|(_, e)| match e {
                EventKind::Command { idx } => Some(*idx),
                _ => None,
            })
            .collect();
        let meta = Meta {
            format: FORMAT.into(),
            time: self.time.into(),
            started: self.started,
            events: events
                .iter()
                .map(|(t, e)| ((*t).into(), e.clone()))
                .collect(),
            executed_commands: (0..self.commands.len())
                .filter(|i| !pending.contains(i))
                .collect(),
            streams: self.streams.clone(),
            sheets: self
                .sheets
                .iter()
                .map(|s| {
                    (
                        s.name.clone(),
                        SheetMeta {
                            plastic: s.plastic,
                            plastic_stack: s.plastic_stack.clone(),
                            apply_output_fns: s.apply_output_fns,
                            new_input: s.new_input,
                            settle: match &s.kind {
                                SheetKind::Cf { settle, .. } => settle.clone(),
                                _ => None,
                            },
                            output_fns: s.output_fns.iter().map(without_arrays).collect(),
                        },
                    )
                })
                .collect(),
            projections: (0..self.projs.len())
                .map(|pi| {
                    let p = &self.projs[pi];
                    (
                        self.proj_key(pi),
                        ProjMeta {
                            strength: p.strength,
                            learning_rate: p.learning_rate.clone(),
                            has_input: p.has_input,
                            n_units: p.cfs.n_units,
                            template_shape: p.cfs.template_shape,
                        },
                    )
                })
                .collect(),
        };
        let json = serde_json::to_value(&meta).map_err(|e| err(e.to_string()))?;
        Ok((arrays, json))
    }

    /// Overwrite the state of a freshly built network (same spec, any
    /// decomposition) with a snapshot. `read(path, start, count)` returns
    /// that hyperslab. Collective (it replays `change_bounds`, which
    /// registers new halos).
    pub fn import_state(
        &mut self,
        meta: &Json,
        read: &mut ReadSlab<'_>,
        ex: &mut dyn Exchange,
    ) -> Result<(), SimError> {
        let meta: Meta = serde_json::from_value(meta.clone()).map_err(|e| err(e.to_string()))?;
        if meta.format != FORMAT {
            return Err(err(format!("unknown snapshot format {}", meta.format)));
        }
        if self.started || self.time != Time::from_int(0) {
            return Err(err("import_state needs a freshly built network"));
        }
        for &idx in &meta.executed_commands {
            let cmd = self
                .commands
                .get(idx)
                .ok_or_else(|| err(format!("scheduled command {idx} does not exist")))?
                .command
                .clone();
            if matches!(cmd, SimCommand::ChangeBounds { .. }) {
                self.apply_command(&cmd, ex)?;
            }
        }
        let mut get = |path: &str, sl: &(Vec<usize>, Vec<Hyperslab>)| {
            read_slabs(read, path, sl.0.len(), &sl.1)
        };
        let f64s = |a: ArrayData, n: usize, path: &str| match a {
            ArrayData::F64(v) if v.len() == n => Ok(v),
            _ => Err(err(format!("{path}: expected {n} doubles"))),
        };
        if meta.sheets.len() != self.sheets.len() {
            return Err(err("the snapshot has other sheets than the model"));
        }
        for (si, (name, sm)) in meta.sheets.into_iter().enumerate() {
            let s = &mut self.sheets[si];
            if s.name != name {
                return Err(err(format!("sheet {name} is {} in the model", s.name)));
            }
            let sl = slabs(s.shape(), &s.own, &[]);
            let n = s.own.len();
            let path = format!("sheets/{name}/activity");
            s.activity = f64s(get(&path, &sl)?, n, &path)?;
            if let SheetKind::Generator(gen) = &mut s.kind {
                for (i, a) in gen
                    .channels
                    .iter_mut()
                    .flat_map(|c| c.activity.iter_mut())
                    .enumerate()
                {
                    let path = format!("sheets/{name}/channels/{i}/activity");
                    *a = f64s(get(&path, &sl)?, n, &path)?;
                }
            }
            s.plastic = sm.plastic;
            s.plastic_stack = sm.plastic_stack;
            s.apply_output_fns = sm.apply_output_fns;
            s.new_input = sm.new_input;
            if let SheetKind::Cf { settle, .. } = &mut s.kind {
                *settle = sm.settle;
            }
            if sm.output_fns.len() != s.output_fns.len() {
                return Err(err(format!("{name}: other output functions")));
            }
            for (i, mut f) in sm.output_fns.into_iter().enumerate() {
                if let TransferFn::Homeostatic(h) = &mut f {
                    for (field, v) in [
                        ("t", &mut h.t),
                        ("y_avg", &mut h.y_avg),
                        ("y_avg_prev", &mut h.y_avg_prev),
                        ("x_prev", &mut h.x_prev),
                    ] {
                        let path = format!("sheets/{name}/output_fns/{i}/{field}");
                        *v = f64s(get(&path, &sl)?, n, &path)?;
                    }
                }
                s.output_fns[i] = f;
            }
        }
        if meta.projections.len() != self.projs.len() {
            return Err(err("the snapshot has other projections than the model"));
        }
        for (pi, (key, pm)) in meta.projections.into_iter().enumerate() {
            if self.proj_key(pi) != key {
                return Err(err(format!(
                    "projection {key} is {} in the model",
                    self.proj_key(pi)
                )));
            }
            let d = self.projs[pi].dest;
            let shape = self.sheets[d].shape();
            let block = self.sheets[d].own;
            let p = &mut self.projs[pi];
            let n = block.len();
            let sl = slabs(shape, &block, &[]);
            let path = format!("projections/{key}/activity");
            p.activity = f64s(get(&path, &sl)?, n, &path)?;
            p.strength = pm.strength;
            p.learning_rate = pm.learning_rate;
            p.has_input = pm.has_input;
            p.weights_changed();
            if p.cfs.shared.is_some() {
                continue;
            }
            if p.cfs.n_units != pm.n_units || p.cfs.template_shape != pm.template_shape {
                return Err(err(format!(
                    "{key}: connection fields differ after replaying change_bounds"
                )));
            }
            let (tr, tc) = pm.template_shape;
            let t = tr * tc;
            let path = format!("projections/{key}/slices");
            match get(&path, &slabs(shape, &block, &[4]))? {
                ArrayData::I32(v) if v.len() == n * 4 => {
                    for u in 0..n {
                        let want: Vec<usize> =
                            v[u * 4..u * 4 + 4].iter().map(|&x| x as usize).collect();
                        if want[..] != p.cfs.slices[u][..] {
                            return Err(err(format!("{key}: slice of local unit {u} differs")));
                        }
                    }
                }
                _ => return Err(err(format!("{path}: expected {} ints", n * 4))),
            }
            let path = format!("projections/{key}/weights");
            match get(&path, &slabs(shape, &block, &[t]))? {
                ArrayData::F32(v) if v.len() == n * t => {
                    for u in 0..n {
                        let (o0, o1) = (p.cfs.offsets[u], p.cfs.offsets[u + 1]);
                        p.cfs.weights[o0..o1].copy_from_slice(&v[u * t..u * t + (o1 - o0)]);
                    }
                }
                _ => return Err(err(format!("{path}: expected {} floats", n * t))),
            }
            let path = format!("projections/{key}/norm_total");
            p.cfs.norm_total = f64s(get(&path, &sl)?, n, &path)?;
            if let Some(tr) = p.trace.as_mut() {
                let path = format!("projections/{key}/traces");
                tr.traces = f64s(get(&path, &sl)?, n, &path)?;
            }
            let path = format!("projections/{key}/has_norm_total");
            match get(&path, &sl)? {
                ArrayData::I32(v) if v.len() == n => {
                    p.cfs.has_norm_total = v.iter().map(|&x| x != 0).collect()
                }
                _ => return Err(err(format!("{path}: expected {n} ints"))),
            }
        }
        self.time = Time::try_from(meta.time).map_err(|e| err(format!("time: {e:?}")))?;
        self.started = meta.started;
        let user_classes = self.streams.user_classes();
        self.streams = meta.streams.with_user_classes(user_classes);
        let mut q = EventQueue::new();
        for (t, e) in meta.events {
            let t = Time::try_from(t).map_err(|e| err(format!("event time: {e:?}")))?;
            q.push(t, e);
        }
        self.queue = q;
        // CF bounds may have changed, and the imported state is whole.
        self.plan_read_regions(ex);
        Ok(())
    }
}
