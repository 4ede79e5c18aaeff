//! `ModelGCAL`'s training-pattern datasets beyond `'Gaussian'`: the image
//! folders `VisualInputModel.training_pattern_setup`
//! (topo/submodel/earlyvision.py) hands to imagen's
//! `PatternCoordinatorImages` (imagen/patterncoordinator.py), and which
//! image files that class picks from a folder.

use crate::interp::{Interp, R};
use std::path::{Path, PathBuf};

/// The image folder of each image dataset, as `training_pattern_setup`
/// names it (topo/submodel/earlyvision.py).
pub(crate) fn dataset_folder(dataset: &str) -> Option<&'static str> {
    match dataset {
        "Nature" => Some("images/shouval"),
        "FoliageA" => Some("images/mcgill/foliage_a_combined"),
        "FoliageB" => Some("images/mcgill/foliage_b_combined"),
        _ => None,
    }
}

/// The files a folder holds as Python's `sorted(glob.glob(folder+"/*.*"))`
/// lists them: every entry whose name has a dot and does not start with
/// one, in code-point order of the name.
fn glob_dot_names(folder: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut names: Vec<String> = std::fs::read_dir(folder)?
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| !n.starts_with('.') && n.contains('.'))
        .collect();
    names.sort();
    Ok(names.into_iter().map(|n| folder.join(n)).collect())
}

impl Interp {
    /// The image files of `dataset` that `PatternCoordinatorImages` makes
    /// `FileImage`s of: `param.resolve_path(folder, path_to_file=False)`,
    /// then (with no `MANIFEST_json` in it) the sorted `*.*` files, of
    /// which `_create_patterns` keeps the first `patterns_per_label`
    /// (earlyvision.py passes `int(num_inputs*area*area)`, so ModelGCAL's
    /// default takes two images, not the whole folder).
    pub(crate) fn dataset_images(
        &self,
        class: &str,
        dataset: &str,
        patterns_per_label: usize,
        off: usize,
    ) -> R<Vec<String>> {
        let Some(name) = dataset_folder(dataset) else {
            return Err(self.err(
                off,
                format!(
                    "{class}: dataset '{dataset}' is not one of 'Gaussian', 'Nature', 'FoliageA', 'FoliageB'"
                ),
            ));
        };
        let folder = crate::paths::resolve_path(name, Path::new(&self.model_path), false)
            .ok_or_else(|| {
                self.err(
                    off,
                    format!(
                        "{class}: dataset '{dataset}' needs the folder '{name}', which was not found in \
                         the model's folder, the working directory or $TOPO_HPC_PATH"
                    ),
                )
            })?;
        if folder.join("MANIFEST_json").exists() {
            // PatternCoordinatorImages evaluates the manifest's
            // placeholder_mapping as Python code; topo-hpc does not.
            return Err(self.err(
                off,
                format!(
                    "{class}: dataset '{dataset}': {} has a MANIFEST_json, which topo-hpc does not read",
                    folder.display()
                ),
            ));
        }
        let files = glob_dot_names(&folder).map_err(|e| {
            self.err(
                off,
                format!(
                    "{class}: dataset '{dataset}': cannot list {}: {e}",
                    folder.display()
                ),
            )
        })?;
        if patterns_per_label == 0 {
            return Err(self.err(
                off,
                format!("{class}: dataset '{dataset}': int(num_inputs*area*area) is 0, so no images are chosen"),
            ));
        }
        if files.is_empty() {
            return Err(self.err(
                off,
                format!(
                    "{class}: dataset '{dataset}': no image files (*.*) in {}",
                    folder.display()
                ),
            ));
        }
        let abs = |p: PathBuf| {
            if p.is_absolute() {
                p
            } else {
                std::env::current_dir().map(|c| c.join(&p)).unwrap_or(p)
            }
        };
        Ok(files
            .into_iter()
            .take(patterns_per_label)
            .map(|p| abs(p).display().to_string())
            .collect())
    }
}
