//! Snapshots: the whole simulation state in one HDF5 file, written by all
//! ranks collectively in global coordinates, so that a run continues on any
//! number of ranks.
//!
//! Crash safety: the file is written under `<name>.tmp`, closed, synced to
//! disk, and only then renamed; a job killed mid-write never leaves a
//! truncated file under the final name.
//!
//! Layout (also in the README):
//! * `/meta/spec_json`, `/meta/state_json`: UTF-8 bytes (u8 datasets: a
//!   model's spec outgrows HDF5's 64 KiB attribute limit);
//! * root attributes: `time` (float), `time_num`, `time_den`, `model`,
//!   `parameters` (JSON), `topo_hpc_version`, `ranks`, `created`;
//! * one dataset per state array, at the path the engine names
//!   (`sheets/V1/activity`, `projections/V1.LateralInhibitory/weights`, ...).

use super::h5::{Attr, H5Access, H5File};
use anyhow::{anyhow, Context, Result};
use std::path::{Path, PathBuf};
use topo_sim::state::{ArrayData, LocalArray};

/// The temporary name a snapshot is written under.
pub fn temp_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".tmp");
    PathBuf::from(s)
}

/// What every snapshot carries besides the arrays.
pub struct SnapshotMeta<'a> {
    /// The model spec as JSON.
    pub spec_json: &'a str,
    /// Engine state that is not an array (time, events, streams...).
    pub state_json: &'a str,
    /// Root attributes.
    pub attrs: Vec<(String, Attr)>,
}

/// Collective over `comm`: write the snapshot. `is_root` ranks write the
/// JSON blobs; `sync` is a barrier the caller provides (MPI or no-op).
pub fn write(
    comm: H5Access,
    is_root: bool,
    barrier: &dyn Fn(),
    path: &Path,
    arrays: &[LocalArray],
    meta: &SnapshotMeta,
) -> Result<()> {
    write_labelled(comm, is_root, barrier, path, arrays, meta, &|_| Ok(()))
}

/// [`write()`], with `label` run (collectively) on the open file after the
/// arrays, before it is closed: the dimension scales of `io::coords`.
pub fn write_labelled(
    comm: H5Access,
    is_root: bool,
    barrier: &dyn Fn(),
    path: &Path,
    arrays: &[LocalArray],
    meta: &SnapshotMeta,
    label: &dyn Fn(&H5File) -> Result<()>,
) -> Result<()> {
    let tmp = temp_path(path);
    if is_root && tmp.exists() {
        // Left behind by a job killed while writing: never valid.
        std::fs::remove_file(&tmp)
            .with_context(|| format!("cannot remove stale {}", tmp.display()))?;
    }
    barrier();
    let written = write_tmp(comm, is_root, &tmp, arrays, meta, label);
    if let Err(e) = written {
        // Never leave a partial file, and say when the disk is full (HDF5
        // itself only says `H5Dwrite failed`).
        if is_root {
            let _ = std::fs::remove_file(&tmp);
        }
        let need = snapshot_bytes(arrays, meta);
        let dir = path.parent().unwrap_or(Path::new("."));
        return Err(match free_bytes(dir) {
            Some(free) if free < need.saturating_add(1 << 20) => e.context(format!(
                "ENOSPC: no space left on device: {free} bytes free in {}, the snapshot needs about {need}; {} removed",
                dir.display(),
                tmp.display()
            )),
            _ => e.context(format!("{} removed", tmp.display())),
        });
    }
    barrier();
    if is_root {
        std::fs::File::open(&tmp)
            .and_then(|h| h.sync_all())
            .with_context(|| format!("cannot sync {}", tmp.display()))?;
        std::fs::rename(&tmp, path)
            .with_context(|| format!("cannot rename snapshot to {}", path.display()))?;
    }
    barrier();
    Ok(())
}

/// The bytes a snapshot's data take (arrays in global shape, and the JSON).
fn snapshot_bytes(arrays: &[LocalArray], meta: &SnapshotMeta) -> u64 {
    let arrays: u64 = arrays
        .iter()
        .map(|a| {
            let n: u64 = a.global_shape.iter().map(|&d| d as u64).product();
            let w = match &a.data {
                ArrayData::F64(_) => 8,
                ArrayData::F32(_) | ArrayData::I32(_) => 4,
            };
            n * w
        })
        .sum();
    arrays + (meta.spec_json.len() + meta.state_json.len()) as u64
}

/// Bytes an unprivileged writer may still use on the file system of `dir`.
pub fn free_bytes(dir: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
    // SAFETY: statvfs fills the struct it is given; `c` is NUL-terminated.
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: as above: a NUL-terminated path and a struct to fill.
    if unsafe { libc::statvfs(c.as_ptr(), &mut st) } != 0 {
        return None;
    }
    Some(st.f_bavail as u64 * st.f_frsize as u64)
}

/// Collective: the snapshot's content into `tmp`, closed.
fn write_tmp(
    comm: H5Access,
    is_root: bool,
    tmp: &Path,
    arrays: &[LocalArray],
    meta: &SnapshotMeta,
    label: &dyn Fn(&H5File) -> Result<()>,
) -> Result<()> {
    let f = H5File::create_new(tmp, comm)?;
    let blob = |name: &str, text: &str| -> Result<()> {
        let bytes = text.as_bytes();
        let (count, data): (usize, &[u8]) = if is_root {
            (bytes.len(), bytes)
        } else {
            (0, &[])
        };
        f.write_block::<u8>(
            &format!("meta/{name}"),
            &[bytes.len()],
            &[0],
            &[count],
            data,
        )
    };
    blob("spec_json", meta.spec_json)?;
    blob("state_json", meta.state_json)?;
    for a in arrays {
        let slabs: Vec<(&[usize], &[usize])> = a
            .slabs
            .iter()
            .map(|s| (s.start.as_slice(), s.count.as_slice()))
            .collect();
        match &a.data {
            ArrayData::F64(d) => f.write_slabs(&a.path, &a.global_shape, &slabs, d),
            ArrayData::F32(d) => f.write_slabs(&a.path, &a.global_shape, &slabs, d),
            ArrayData::I32(d) => f.write_slabs(&a.path, &a.global_shape, &slabs, d),
        }
        .with_context(|| format!("writing {}", a.path))?;
    }
    label(&f)?;
    for (k, v) in &meta.attrs {
        f.set_attr("/", k, v)?;
    }
    f.close()?;
    Ok(())
}

/// An open snapshot for restoring (every rank reads what it owns).
pub struct Snapshot {
    file: H5File,
}

impl Snapshot {
    /// Collective: open.
    pub fn open(path: &Path, comm: H5Access) -> Result<Snapshot> {
        if !path.exists() {
            return Err(anyhow!("snapshot {} does not exist", path.display()));
        }
        Ok(Snapshot {
            file: H5File::open_read(path, comm)?,
        })
    }

    fn blob(&self, name: &str) -> Result<String> {
        let p = format!("meta/{name}");
        let n = self.file.shape(&p)?.first().copied().unwrap_or(0);
        let bytes = self.file.read_block::<u8>(&p, &[0], &[n])?;
        String::from_utf8(bytes).map_err(|e| anyhow!("{p} is not UTF-8: {e}"))
    }

    /// The model spec JSON.
    pub fn spec_json(&self) -> Result<String> {
        self.blob("spec_json")
    }

    /// The engine's non-array state JSON.
    pub fn state_json(&self) -> Result<String> {
        self.blob("state_json")
    }

    /// Read a hyperslab, in the element type the dataset has.
    pub fn read(&self, path: &str, start: &[usize], count: &[usize]) -> Result<ArrayData> {
        let ds = self
            .file
            .file()
            .dataset(path)
            .with_context(|| format!("snapshot has no {path}"))?;
        let dt = ds.dtype()?;
        let size = dt.size();
        let is_float = dt.is::<f64>() || dt.is::<f32>();
        Ok(if is_float && size == 8 {
            ArrayData::F64(self.file.read_block(path, start, count)?)
        } else if is_float && size == 4 {
            ArrayData::F32(self.file.read_block(path, start, count)?)
        } else {
            ArrayData::I32(self.file.read_block(path, start, count)?)
        })
    }

    /// A string attribute of the root.
    pub fn attr_str(&self, key: &str) -> Result<String> {
        self.file.attr_str("/", key)
    }

    /// Collective: close.
    pub fn close(self) -> Result<()> {
        self.file.close()
    }
}
