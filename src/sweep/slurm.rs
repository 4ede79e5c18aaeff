//! The SLURM launcher: one job array, one array task per unfinished run.
//!
//! Each task runs `topo-hpc sweep --resume <sweep> --run-index <i>`, which
//! runs that one run in the foreground and records it in the shared
//! manifest (under its lock). A task's MPI ranks are `srun --mpi=pmix`
//! steps inside the task's allocation (`--ntasks` is the rank count).

use super::manifest::{self, Manifest};
use super::runner::shell_join;
use anyhow::{bail, Context, Result};
use std::path::Path;
use std::process::Command;

/// Array indices as SLURM writes them: `0-3,5,7-8`.
pub fn array_spec(indices: &[usize]) -> String {
    let mut sorted = indices.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut parts = Vec::new();
    let mut i = 0;
    while i < sorted.len() {
        let mut j = i;
        while j + 1 < sorted.len() && sorted[j + 1] == sorted[j] + 1 {
            j += 1;
        }
        parts.push(if i == j {
            sorted[i].to_string()
        } else {
            format!("{}-{}", sorted[i], sorted[j])
        });
        i = j + 1;
    }
    parts.join(",")
}

/// The array job script for `indices` of the sweep in `dir`.
/// `throttle` (from `-j`) limits how many tasks run at once (`%N`);
/// `extra` are further sbatch options, one per `#SBATCH` line.
pub fn array_script(
    m: &Manifest,
    dir: &Path,
    indices: &[usize],
    throttle: Option<usize>,
    extra: &[String],
) -> Result<String> {
    let exe = std::env::current_exe().context("cannot find the topo-hpc executable")?;
    let mut array = array_spec(indices);
    if let Some(n) = throttle.filter(|n| *n > 0) {
        array.push_str(&format!("%{n}"));
    }
    let mut s = String::new();
    s.push_str("#!/bin/bash\n");
    s.push_str("# Written by `topo-hpc sweep --launcher slurm`: one array task per run.\n");
    s.push_str(&format!("#SBATCH --job-name={}_sweep\n", m.script));
    s.push_str(&format!("#SBATCH --array={array}\n"));
    s.push_str(&format!(
        "#SBATCH --output={}/logs/slurm-%A_%a.out\n",
        dir.display()
    ));
    s.push_str(&format!("#SBATCH --ntasks={}\n", m.config.mpi_ranks.max(1)));
    for e in extra {
        s.push_str(&format!("#SBATCH {e}\n"));
    }
    s.push_str("set -euo pipefail\n");
    s.push_str("# Rayon threads per rank follow --cpus-per-task when it is given.\n");
    let cmd = vec![
        exe.to_string_lossy().into_owned(),
        "sweep".into(),
        "--resume".into(),
        dir.to_string_lossy().into_owned(),
        "--run-index".into(),
    ];
    s.push_str(&format!(
        "exec {} \"$SLURM_ARRAY_TASK_ID\"\n",
        shell_join(&cmd)
    ));
    Ok(s)
}

/// Write the script into the sweep folder, submit it, and record the array
/// job on every submitted run. Returns the job id.
pub fn submit(dir: &Path, script: &str, indices: &[usize]) -> Result<String> {
    let logs = dir.join("logs");
    std::fs::create_dir_all(&logs)?;
    let path = dir.join("sweep.sbatch");
    std::fs::write(&path, script).with_context(|| format!("cannot write {}", path.display()))?;
    let out = Command::new("sbatch")
        .arg("--parsable")
        .arg(&path)
        .output()
        .context("cannot run sbatch (is SLURM installed and SLURM_CONF set?)")?;
    if !out.status.success() {
        bail!(
            "sbatch refused {}: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let job = text
        .trim()
        .split(';')
        .next()
        .filter(|j| !j.is_empty())
        .with_context(|| format!("sbatch printed no job id: '{}'", text.trim()))?
        .to_string();
    manifest::update(dir, |m| {
        for &i in indices {
            let r = &mut m.runs[i];
            r.slurm_job = Some(format!("{job}_{i}"));
            if r.state != manifest::RunState::Running {
                r.state = manifest::RunState::Pending;
            }
        }
        Ok(())
    })?;
    Ok(job)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn array_specs() {
        assert_eq!(array_spec(&[0, 1, 2, 3]), "0-3");
        assert_eq!(array_spec(&[5, 0, 1, 3, 7, 8]), "0-1,3,5,7-8");
        assert_eq!(array_spec(&[4]), "4");
    }
}
