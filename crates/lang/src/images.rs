//! Files a model names: `param.resolve_path` and the load-time check of
//! `FileImage` patterns (the image is read here, once per process, so a
//! missing or unreadable file is an error at the line that names it).

use crate::interp::{Interp, R};
use crate::obj::{CompRef, Obj};
use std::path::{Path, PathBuf};

/// Where relative file names are looked up, in order: the working
/// directory, the model file's folder, then each entry of
/// `$TOPO_HPC_PATH` (colon-separated), as `param.resolve_path` searches
/// `param.resolve_path.search_paths`.
pub(crate) fn search_dirs(model_file: &str) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Ok(cwd) = std::env::current_dir() {
        dirs.push(cwd);
    }
    if let Some(parent) = Path::new(model_file).parent() {
        let parent = if parent.as_os_str().is_empty() {
            Path::new(".")
        } else {
            parent
        };
        let abs = std::env::current_dir()
            .map(|c| c.join(parent))
            .unwrap_or_else(|_| parent.to_path_buf());
        if !dirs.contains(&abs) {
            dirs.push(abs);
        }
    }
    if let Some(extra) = std::env::var_os("TOPO_HPC_PATH") {
        for d in std::env::split_paths(&extra) {
            if !d.as_os_str().is_empty() && !dirs.contains(&d) {
                dirs.push(d);
            }
        }
    }
    dirs
}

impl Interp {
    /// `param.resolve_path(name)`: the path of an existing file, absolute.
    pub(crate) fn resolve_file(&self, name: &str, off: usize) -> R<String> {
        let dirs = search_dirs(&self.src.name);
        let found = topo_pattern::image::resolve_path(name, &dirs).map_err(|e| self.err(off, e))?;
        let abs = if found.is_absolute() {
            found
        } else {
            std::env::current_dir()
                .map(|c| c.join(&found))
                .unwrap_or(found)
        };
        Ok(abs.display().to_string())
    }

    /// A new `FileImage`: its file resolved (stored as the resolved path)
    /// and read now, its sampler's `size_normalization` checked.
    pub(crate) fn check_file_image(&mut self, comp: &CompRef, off: usize) -> R<()> {
        let name = match comp.borrow().params.get("filename") {
            Some(Obj::Str(s)) => s.clone(),
            _ => return Err(self.err(off, "FileImage: filename must be a string")),
        };
        let path = self.resolve_file(&name, off)?;
        topo_pattern::image::load(Path::new(&path))
            .map_err(|e| self.err(off, format!("FileImage: {e}")))?;
        if let Some(Obj::Comp(s)) = comp.borrow().params.get("pattern_sampler") {
            if let Some(Obj::Str(n)) = s.borrow().params.get("size_normalization") {
                if topo_pattern::pattern::SizeNormalization::parse(n).is_none() {
                    return Err(self.err(
                        off,
                        format!(
                            "PatternSampler: size_normalization '{n}' is not one of \
                             'original', 'stretch_to_fit', 'fit_shortest', 'fit_longest'"
                        ),
                    ));
                }
            }
        }
        comp.borrow_mut()
            .params
            .insert("filename".into(), Obj::Str(path));
        Ok(())
    }
}
