//! Network construction from a ModelSpec for this rank's blocks.

use super::Network;
use crate::cf;
use crate::error::SimError;
use crate::exchange::{Decomposition, Exchange};
use crate::params::Params;
use crate::projection::Projection;
use crate::queue::{EventKind, EventQueue};
use crate::sheet::{Sheet, SheetKind};
use topo_numbergen::Streams;
use topo_pattern::coords::{BoundingBox, SheetCoords};
use topo_spec::{ModelSpec, Time, Value};

/// A sheet's coordinate system (true bounds after density equalisation,
/// shape) from its spec's `nominal_bounds` and `nominal_density`. The one
/// place this is computed, so the engine, the decomposition and the
/// analysis always agree on a sheet's shape.
pub fn sheet_coords(spec: &topo_spec::SheetSpec) -> Result<SheetCoords, SimError> {
    let p = Params::new(&spec.component, &spec.name);
    let bounds = match p.get("nominal_bounds") {
        Some(Value::BoundingBox(b)) => BoundingBox::from_lbrt(*b),
        _ => {
            return Err(SimError::BadParam {
                owner: spec.name.clone(),
                param: "nominal_bounds".into(),
                expected: "a BoundingBox".into(),
            })
        }
    };
    let density = p.f64("nominal_density")?;
    SheetCoords::from_nominal(bounds, density)
        .map_err(|e| SimError::Build(format!("{}: {e}", spec.name)))
}

impl Network {
    /// Build the blocks `decomp` gives this rank. Collective: every rank
    /// builds every projection in spec order and registers the same halos.
    pub fn build(
        spec: &ModelSpec,
        decomp: &dyn Decomposition,
        ex: &mut dyn Exchange,
    ) -> Result<Network, SimError> {
        let now = Time::from_int(0);
        let mut streams = Streams::new(spec.shared_random_seed.as_deref())
            .with_random_seed(spec.param_random_seed.0)
            .with_user_classes(std::sync::Arc::new(spec.user_classes.clone()));
        let mut sheets = Vec::with_capacity(spec.sheets.len());
        for s in &spec.sheets {
            let coords = sheet_coords(s)?;
            let own = decomp.ownership(
                &s.name,
                coords.rows(),
                coords.cols(),
                coords.bounds().lbrt(),
            );
            let block = own.bounds();
            if block.r1 > coords.rows() || block.c1 > coords.cols() {
                return Err(SimError::Build(format!(
                    "{}: units {own:?} outside the {}x{} sheet",
                    s.name,
                    coords.rows(),
                    coords.cols()
                )));
            }
            sheets.push(Sheet::new(s, coords, own, now)?);
        }
        let find = |name: &str, sheets: &[Sheet]| {
            sheets
                .iter()
                .position(|s| s.name == name)
                .ok_or_else(|| SimError::Unknown(format!("sheet {name}")))
        };
        let mut projs: Vec<Projection> = Vec::with_capacity(spec.connections.len());
        for conn in &spec.connections {
            let si = find(&conn.src, &sheets)?;
            let di = find(&conn.dest, &sheets)?;
            if sheets[di].is_generator() {
                return Err(SimError::Unsupported(format!(
                    "{}.{}: a GeneratorSheet cannot receive projections",
                    conn.dest, conn.name
                )));
            }
            check_src_port(conn, &sheets[si])?;
            let cfs = cf::build_owned(
                conn,
                &sheets[si].coords,
                &sheets[di].coords,
                sheets[di].own,
                &mut streams,
            )
            .map_err(|e| SimError::Build(e.to_string()))?;
            let mut p = Projection::new(conn, si, di, cfs)?;
            if p.learning == crate::projection::LearningKind::User {
                let k = crate::userfn::plugin_kernel(conn, &spec.user_classes)
                    .map_err(SimError::Unsupported)?
                    .ok_or_else(|| {
                        SimError::Unsupported(format!(
                            "{}.{}: the model's learning function class is missing from the spec",
                            conn.dest, conn.name
                        ))
                    })?;
                p.user_learning = Some(std::sync::Arc::new(k));
            }
            if !sheets[si].is_generator() {
                let (rows, cols) = sheets[si].shape();
                p.halo = Some(ex.register(&conn.src, rows, cols, &sheets[si].own, p.cfs.needed));
            }
            let pi = projs.len();
            sheets[si].out_projs.push(pi);
            sheets[di].in_projs.push(pi);
            projs.push(p);
        }
        for s in sheets.iter_mut() {
            // Activity groups in ascending priority (a stable sort keeps
            // connection order inside a group).
            let mut groups: Vec<(f64, Vec<usize>)> = Vec::new();
            for &pi in &s.in_projs {
                let pr = projs[pi].priority;
                match groups.iter_mut().find(|(q, _)| *q == pr) {
                    Some((_, v)) => v.push(pi),
                    None => groups.push((pr, vec![pi])),
                }
            }
            groups.sort_by(|a, b| a.0.total_cmp(&b.0));
            s.groups = groups;
            let mut names: Vec<Option<String>> = vec![None];
            let mut norm_groups: Vec<Vec<usize>> = vec![Vec::new()];
            for &pi in &s.in_projs {
                let g = &projs[pi].joint_group;
                match names.iter().position(|n| n == g) {
                    Some(k) => norm_groups[k].push(pi),
                    None => {
                        names.push(g.clone());
                        norm_groups.push(vec![pi]);
                    }
                }
            }
            s.norm_groups = norm_groups;
            let block = s.own.bounds();
            let outs = s.out_projs.clone();
            if let SheetKind::Generator(g) = &mut s.kind {
                let mut cb = block;
                for &pi in &outs {
                    cb = cb.union_bounds(&projs[pi].cfs.needed);
                }
                g.canvas_block = cb;
                g.canvas = vec![0.0; cb.len()];
                if let Some(ch) = &mut g.channels {
                    for c in ch.canvases.iter_mut() {
                        *c = vec![0.0; cb.len()];
                    }
                }
            }
        }
        let mut queue = EventQueue::new();
        for (idx, c) in spec.scheduled.iter().enumerate() {
            queue.push(c.time, EventKind::Command { idx });
        }
        let mut net = Network {
            spec: spec.clone(),
            time: now,
            queue,
            sheets,
            projs,
            commands: spec.scheduled.clone(),
            streams,
            started: false,
            recorder: None,
            event_stack: Vec::new(),
            halo_sharing: true,
            state_stack: Vec::new(),
            pending: Default::default(),
            batched: Default::default(),
            keep_awake: crate::par_policy::keep_awake_from_env(),
            always_sync: false,
            regions: Vec::new(),
            owe_unread: true,
        };
        net.share_halos(ex);
        net.plan_read_regions(ex);
        Ok(net)
    }
}

/// A projection's `src_port` must be one the source sheet sends on:
/// `Activity`, or `Activity<i>` of a channel generator sheet's channel
/// ports (Topographica's `EventProcessor._src_connect` refuses others).
fn check_src_port(
    conn: &topo_spec::ConnectionSpec,
    src: &crate::sheet::Sheet,
) -> Result<(), SimError> {
    let (port, _) = crate::params::port_parts(conn.component.get("src_port"));
    if port == "Activity" {
        return Ok(());
    }
    let channels = match &src.kind {
        SheetKind::Generator(g) => g.channels.as_ref().map_or(0, |c| c.len()),
        _ => 0,
    };
    match crate::channel_sheet::port_channel(&port) {
        Some(i) if i < channels => Ok(()),
        _ => Err(SimError::Unsupported(format!(
            "{}.{}: {} has no output port '{port}' (its ports: Activity{})",
            conn.dest,
            conn.name,
            conn.src,
            (0..channels)
                .map(|i| format!(", Activity{i}"))
                .collect::<String>()
        ))),
    }
}
