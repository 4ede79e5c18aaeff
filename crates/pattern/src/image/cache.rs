//! One copy of each image per process, and `param.resolve_path`.

use super::{decode, Image, ImageError};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

type Cache = Mutex<HashMap<PathBuf, Arc<Image>>>;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// The image in `path`, read and decoded on first use; later calls (from
/// any thread) share that copy. A failed read is not cached.
pub fn load(path: &Path) -> Result<Arc<Image>, ImageError> {
    let key = path.to_path_buf();
    {
        let g = cache().lock().unwrap_or_else(|p| p.into_inner());
        if let Some(img) = g.get(&key) {
            return Ok(img.clone());
        }
    }
    let bytes = std::fs::read(path).map_err(|e| ImageError::new(path, e.to_string()))?;
    let img = Arc::new(decode(path, &bytes)?);
    let mut g = cache().lock().unwrap_or_else(|p| p.into_inner());
    Ok(g.entry(key).or_insert(img).clone())
}

/// `param.resolve_path(name)` for files: an absolute path that exists is
/// returned as it is; a relative one is tried in each of `search_dirs` in
/// order (param's `search_paths`; Topographica puts the working directory
/// first) and the first existing file wins. The error lists the places
/// tried.
pub fn resolve_path(name: &str, search_dirs: &[PathBuf]) -> Result<PathBuf, String> {
    let p = Path::new(name);
    if p.is_absolute() {
        return if p.is_file() {
            Ok(p.to_path_buf())
        } else {
            Err(format!("file '{name}' was not found"))
        };
    }
    for dir in search_dirs {
        let candidate = dir.join(p);
        if candidate.is_file() {
            return Ok(candidate);
        }
    }
    let tried: Vec<String> = search_dirs
        .iter()
        .map(|d| d.display().to_string())
        .collect();
    Err(format!(
        "file '{name}' was not found in any of: {}",
        if tried.is_empty() {
            "(no search directories)".to_string()
        } else {
            tried.join(", ")
        }
    ))
}
