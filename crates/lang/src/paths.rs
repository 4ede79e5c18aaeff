//! Read-only file lookup for model files (`param.resolve_path`,
//! `os.path.exists`): the one place that decides where a relative path is
//! searched, so that the command line's search path can be wired in here.

use std::path::{Path, PathBuf};

/// Finds `name` the way param's `resolve_path` (param/__init__.py,
/// `resolve_path`: each folder of `search_paths` in turn) does for a model
/// file: an absolute path as it is; a relative one in the model file's
/// folder, the working directory, then each folder of `$TOPO_HPC_PATH`
/// (separated by `:`). `want_file` asks for a file (else a folder).
/// `None` if nothing exists.
pub fn resolve_path(name: &str, model_file: &Path, want_file: bool) -> Option<PathBuf> {
    let expanded = match (name.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => PathBuf::from(name),
    };
    let ok = |p: &Path| if want_file { p.is_file() } else { p.is_dir() };
    if expanded.is_absolute() {
        return ok(&expanded).then_some(expanded);
    }
    let mut roots: Vec<PathBuf> = Vec::new();
    if let Some(dir) = model_file.parent() {
        roots.push(if dir.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            dir.to_path_buf()
        });
    }
    roots.push(PathBuf::from("."));
    if let Some(extra) = std::env::var_os("TOPO_HPC_PATH") {
        roots.extend(std::env::split_paths(&extra).filter(|p| !p.as_os_str().is_empty()));
    }
    roots.into_iter().map(|r| r.join(&expanded)).find(|p| ok(p))
}
