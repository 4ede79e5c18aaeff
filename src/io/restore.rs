//! Saving a running simulation to a snapshot and continuing from one, on
//! any number of ranks.

use super::h5::{Attr, H5File};
use super::snapshot::{self, Snapshot, SnapshotMeta};
use crate::par::Context;
use crate::session::Session;
use anyhow::{anyhow, bail, Context as _, Result};
use std::path::{Path, PathBuf};

/// The snapshot file name for a time: `<simname>_<timestr>.snapshot.h5`.
pub fn snapshot_name(simname: &str, timestr: &str) -> String {
    format!("{simname}_{timestr}.snapshot.h5")
}

/// Collective: write a snapshot of the current state into `dir`, and link
/// it from the run file (`/snapshots/<timestr>`) if one is given.
pub fn save_snapshot(
    ctx: &Context,
    sess: &mut Session,
    dir: &Path,
    simname: &str,
    run_file: Option<&Path>,
) -> Result<PathBuf> {
    let comm = ctx.h5_access();
    let t = sess.net.time();
    let name = snapshot_name(simname, &t.timestr());
    let path = dir.join(&name);
    let (arrays, state) = sess.net.export_state().map_err(|e| anyhow!("{e}"))?;
    let spec_json = serde_json::to_string(&sess.spec)?;
    let state_json = serde_json::to_string(&state)?;
    let meta = SnapshotMeta {
        spec_json: &spec_json,
        state_json: &state_json,
        attrs: vec![
            ("time".into(), Attr::F64(t.to_f64())),
            ("time_num".into(), Attr::I64(t.numer())),
            ("time_den".into(), Attr::I64(t.denom())),
            ("model".into(), Attr::Str(sess.spec.source.clone())),
            (
                "topo_hpc_version".into(),
                Attr::Str(env!("CARGO_PKG_VERSION").into()),
            ),
            ("ranks".into(), Attr::I64(ctx.size() as i64)),
            ("created".into(), Attr::Str(chrono::Utc::now().to_rfc3339())),
        ],
    };
    let spec = &sess.spec;
    snapshot::write_labelled(
        comm,
        ctx.is_root(),
        &|| ctx.barrier(),
        &path,
        &arrays,
        &meta,
        &|f| super::coords::label_snapshot(f, ctx.is_root(), spec),
    )
    .with_context(|| format!("saving snapshot {}", path.display()))?;
    if let Some(run) = run_file {
        let f = H5File::open_rw(run, comm)?;
        {
            // Every handle must be gone before the file closes.
            let g = f.ensure_group("snapshots")?;
            let link = t.timestr();
            if g.link_exists(&link) {
                g.unlink(&link)?;
            }
            g.link_external(&name, "/", &link)?;
        }
        f.close()?;
    }
    Ok(path)
}

/// Collective: continue from a snapshot (written by any number of ranks).
/// The spec must be the one the snapshot was taken from.
pub fn restore(ctx: &Context, sess: &mut Session, path: &Path) -> Result<()> {
    let comm = ctx.h5_access();
    let snap = Snapshot::open(path, comm)?;
    let spec: topo_spec::ModelSpec = serde_json::from_str(&snap.spec_json()?)
        .with_context(|| format!("{}: bad spec", path.display()))?;
    if !same_model(&spec, &sess.spec) {
        bail!(
            "snapshot {} was taken from a different model or parameters than the one given",
            path.display()
        );
    }
    let state: serde_json::Value = serde_json::from_str(&snap.state_json()?)
        .with_context(|| format!("{}: /meta/state_json is not valid JSON", path.display()))?;
    let mut read = |p: &str, start: &[usize], count: &[usize]| {
        let data = snap.read(p, start, count).map_err(|e| format!("{e:#}"))?;
        refuse_non_finite(&data, p).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(data)
    };
    sess.net
        .import_state(&state, &mut read, &mut sess.ex)
        .map_err(|e| anyhow!("{e}"))?;
    snap.close()?;
    Ok(())
}

/// A snapshot's arrays hold the state of a running simulation, which is
/// finite everywhere; a NaN or infinity means the file was damaged or
/// edited, and continuing would spread it silently.
fn refuse_non_finite(data: &topo_sim::state::ArrayData, p: &str) -> Result<(), String> {
    use topo_sim::state::ArrayData;
    let first = match data {
        ArrayData::F64(d) => d.iter().position(|x| !x.is_finite()),
        ArrayData::F32(d) => d.iter().position(|x| !x.is_finite()),
        ArrayData::I32(_) => None,
    };
    match first {
        Some(i) => Err(format!(
            "{p} holds a NaN or infinite value (element {i} of the part this rank reads); the snapshot is damaged and is not restored"
        )),
        None => Ok(()),
    }
}

/// Equal apart from where the file was loaded from.
fn same_model(a: &topo_spec::ModelSpec, b: &topo_spec::ModelSpec) -> bool {
    let mut a = a.clone();
    a.source = b.source.clone();
    a == *b
}

/// The newest complete snapshot in a run folder (never a `.tmp`).
pub fn newest_snapshot(dir: &Path) -> Result<Option<PathBuf>> {
    let mut best: Option<(f64, PathBuf)> = None;
    for e in std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let p = e?.path();
        let n = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let Some(stem) = n.strip_suffix(".snapshot.h5") else {
            continue;
        };
        let Some(ts) = stem.rsplit('_').next() else {
            continue;
        };
        if let Ok(t) = ts.parse::<f64>() {
            if best.as_ref().map(|(bt, _)| t > *bt).unwrap_or(true) {
                best = Some((t, p));
            }
        }
    }
    Ok(best.map(|(_, p)| p))
}
