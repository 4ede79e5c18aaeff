//! `--archive`: a finished sweep as one tar.gz (manifest, logs, run
//! folders with their `.out` and HDF5 files, collated tables).

use super::manifest::{Manifest, LOCK};
use anyhow::{bail, Context, Result};
use flate2::write::GzEncoder;
use flate2::Compression;
use std::fs::File;
use std::path::{Path, PathBuf};

/// Pack the sweep in `dir` into `target` (default: `<dir>.tar.gz` beside
/// it). Refuses while runs are pending or running; failed runs are packed
/// as they are (their logs are the point). Lock and temporary files are
/// left out. Returns the archive's path.
pub fn archive(dir: &Path, target: Option<&Path>) -> Result<PathBuf> {
    let m = Manifest::load(dir)?;
    let (pending, running, _, failed) = m.counts();
    if pending + running > 0 {
        bail!(
            "the sweep is not finished ({pending} pending, {running} running): \
             finish or resume it before archiving"
        );
    }
    if failed > 0 {
        eprintln!("note: archiving a sweep with {failed} failed run(s)");
    }
    let dir = std::path::absolute(dir)?;
    let name = dir
        .file_name()
        .context("the sweep folder has no name")?
        .to_owned();
    let out = match target {
        Some(t) => t.to_path_buf(),
        None => dir.with_file_name(format!("{}.tar.gz", name.to_string_lossy())),
    };
    let tmp = out.with_extension("partial");
    {
        let file =
            File::create(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
        let mut tar = tar::Builder::new(GzEncoder::new(file, Compression::default()));
        tar.follow_symlinks(false);
        add_tree(&mut tar, &dir, Path::new(&name), &out)?;
        let gz = tar.into_inner()?;
        gz.finish()?.sync_all()?;
    }
    std::fs::rename(&tmp, &out)?;
    Ok(out)
}

fn add_tree<W: std::io::Write>(
    tar: &mut tar::Builder<W>,
    src: &Path,
    name: &Path,
    exclude: &Path,
) -> Result<()> {
    tar.append_dir(name, src)?;
    let mut entries: Vec<_> = std::fs::read_dir(src)?.filter_map(|e| e.ok()).collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let path = e.path();
        let fname = e.file_name();
        let s = fname.to_string_lossy();
        if s == LOCK
            || s == crate::io::folder_guard::SWEEP_LOCK
            || s == crate::io::folder_guard::RUN_LOCK
            || s.ends_with(".tmp")
            || s.ends_with(".partial")
            || path == exclude
        {
            continue;
        }
        let inner = name.join(&fname);
        if e.file_type()?.is_dir() {
            add_tree(tar, &path, &inner, exclude)?;
        } else {
            tar.append_path_with_name(&path, &inner)
                .with_context(|| format!("cannot pack {}", path.display()))?;
        }
    }
    Ok(())
}
