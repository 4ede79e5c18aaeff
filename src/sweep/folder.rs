//! Where a sweep and its runs live.
//!
//! The sweep folder is `<output>/<timestamp>_<script>_sweep[_<tag>]/`; every
//! run is a `topo-hpc run --output-path <sweep folder>`, so its run_batch
//! folder (`<timestamp>_<script>[_<tag>],name=value...`) sits inside, and
//! archiving the sweep folder archives everything.
//!
//! Re-running a sweep: the same command again finds the newest sweep folder
//! under the output root whose manifest has the same model, times, tag, run
//! arguments and runs, and continues it (launching only what is not done);
//! `--resume DIR` names the folder explicitly and `--new` always starts a
//! fresh one. Matching on the manifest (not on the folder name) is what
//! lets a plain re-run work after the minute in the timestamp has passed.

use super::manifest::{Manifest, RunRecord};
use super::space::ParamValue;
use crate::batch::naming::{safe_component, NameOptions};
use std::path::{Path, PathBuf};
use topo_spec::Value;

/// The sweep folder's name.
pub fn sweep_dirname(timestamp: &str, script: &str, tag: Option<&str>) -> String {
    let mut s = format!("{timestamp}_{script}_sweep");
    if let Some(t) = tag.filter(|t| !t.is_empty()) {
        s.push('_');
        s.push_str(&safe_component(t));
    }
    s
}

/// The script name of a model file: its file name without `.ty`.
pub fn script_name(model: &Path) -> String {
    let name = model
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "model".into());
    name.strip_suffix(".ty").unwrap_or(&name).to_string()
}

/// The folder name run_batch will give this run, when its values are plain
/// numbers (other expressions are named by the model's own evaluation, so
/// they are found after the run instead).
pub fn predicted_run_folder(m: &Manifest, run: &RunRecord) -> Option<String> {
    let mut opts = NameOptions::new(&m.script, &m.timestamp);
    opts.tag = m.config.tag.clone().unwrap_or_default();
    let mut params = Vec::new();
    for (n, v) in &run.params {
        let value = match v {
            ParamValue::Int(i) => Value::Int(*i),
            ParamValue::Float(f) => Value::Float(*f),
            ParamValue::Expr(_) => return None,
        };
        params.push((n.clone(), value));
    }
    Some(opts.dirname(&params))
}

/// Find a finished run's folder: the predicted name if it exists, else the
/// one folder of this sweep's simname that names every parameter of the run
/// and that no other run has claimed.
pub fn find_run_folder(dir: &Path, m: &Manifest, run: &RunRecord) -> Option<String> {
    if let Some(p) = predicted_run_folder(m, run) {
        if dir.join(&p).is_dir() {
            return Some(p);
        }
    }
    let mut opts = NameOptions::new(&m.script, &m.timestamp);
    opts.tag = m.config.tag.clone().unwrap_or_default();
    let simname = opts.simname();
    let claimed: Vec<&str> = m
        .runs
        .iter()
        .filter(|r| r.index != run.index)
        .filter_map(|r| r.folder.as_deref())
        .collect();
    let candidates: Vec<String> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(&simname))
        .filter(|n| !claimed.contains(&n.as_str()))
        .filter(|n| {
            run.params
                .iter()
                .all(|(p, _)| n.contains(&format!(",{p}=")))
        })
        .collect();
    match candidates.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    }
}

/// The newest sweep folder under `root` whose manifest describes the same
/// sweep as `want` (same model, times, tag, run arguments and runs).
pub fn find_matching_sweep(root: &Path, want: &Manifest) -> Option<PathBuf> {
    let suffix = sweep_dirname("", &want.script, want.config.tag.as_deref());
    let mut found: Vec<(String, PathBuf)> = std::fs::read_dir(root)
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .filter(|(n, p)| n.ends_with(&suffix) && p.join(super::manifest::MANIFEST).is_file())
        .filter(|(_, p)| {
            Manifest::load(p)
                .map(|m| same_sweep(&m, want))
                .unwrap_or(false)
        })
        .collect();
    found.sort();
    found.pop().map(|(_, p)| p)
}

/// Two manifests describe the same runs of the same model.
pub fn same_sweep(a: &Manifest, b: &Manifest) -> bool {
    a.script == b.script
        && a.config.model == b.config.model
        && a.config.times == b.config.times
        && a.config.tag == b.config.tag
        && a.config.run_args == b.config.run_args
        && a.runs.len() == b.runs.len()
        && a.runs
            .iter()
            .zip(&b.runs)
            .all(|(x, y)| x.params == y.params)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::manifest::{LaunchConfig, FORMAT};

    fn manifest(ts: &str, tag: Option<&str>, values: &[i64]) -> Manifest {
        Manifest {
            format: FORMAT.into(),
            script: "tiny".into(),
            timestamp: ts.into(),
            space: vec![],
            config: LaunchConfig {
                model: "/x/tiny.ty".into(),
                times: None,
                tag: tag.map(str::to_string),
                run_args: vec![],
                mpi_ranks: 1,
                mpi_command: None,
            },
            created: String::new(),
            runs: values
                .iter()
                .enumerate()
                .map(|(i, v)| RunRecord::new(i, vec![("a".into(), ParamValue::Int(*v))]))
                .collect(),
        }
    }

    #[test]
    fn names() {
        assert_eq!(
            sweep_dirname("202601011200", "tiny", None),
            "202601011200_tiny_sweep"
        );
        assert_eq!(sweep_dirname("1", "tiny", Some("x/y")), "1_tiny_sweep_x_y");
        assert_eq!(script_name(Path::new("/a/b/gcal.ty")), "gcal");
        let m = manifest("202601011200", Some("t"), &[3]);
        assert_eq!(
            predicted_run_folder(&m, &m.runs[0]).unwrap(),
            "202601011200_tiny_t,a=3"
        );
    }

    #[test]
    fn matching_sweep_is_the_newest_with_the_same_runs() {
        let root = tempfile::tempdir().unwrap();
        for (ts, vals) in [
            ("202601010000", &[1, 2][..]),
            ("202601020000", &[1, 2]),
            ("202601030000", &[1, 3]),
        ] {
            let m = manifest(ts, None, vals);
            let d = root.path().join(sweep_dirname(ts, "tiny", None));
            std::fs::create_dir(&d).unwrap();
            m.save(&d).unwrap();
        }
        let want = manifest("209912312359", None, &[1, 2]);
        let got = find_matching_sweep(root.path(), &want).unwrap();
        assert!(got.ends_with("202601020000_tiny_sweep"), "{got:?}");
        let other_tag = manifest("209912312359", Some("t"), &[1, 2]);
        assert!(find_matching_sweep(root.path(), &other_tag).is_none());
    }

    #[test]
    fn run_folder_found_by_prediction_or_parameters() {
        let d = tempfile::tempdir().unwrap();
        let mut m = manifest("202601010000", None, &[1, 2]);
        std::fs::create_dir(d.path().join("202601010000_tiny,a=1")).unwrap();
        assert_eq!(
            find_run_folder(d.path(), &m, &m.runs[0]).as_deref(),
            Some("202601010000_tiny,a=1")
        );
        // An expression value: found by its parameter names, unless claimed.
        m.runs[1].params[0].1 = ParamValue::Expr("2*1".into());
        std::fs::create_dir(d.path().join("202601010000_tiny,a=2")).unwrap();
        m.runs[0].folder = Some("202601010000_tiny,a=1".into());
        assert_eq!(
            find_run_folder(d.path(), &m, &m.runs[1]).as_deref(),
            Some("202601010000_tiny,a=2")
        );
    }
}
