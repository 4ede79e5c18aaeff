//! The sweep manifest: `manifest.json` in the sweep folder, the one record
//! of what the sweep is and how far it got.
//!
//! Every change is a read-modify-write under an exclusive lock on
//! `manifest.lock` (several SLURM array tasks update one manifest), and the
//! new text replaces the old by rename, so a job killed at any moment
//! leaves either the old or the new manifest, never half of one.

use super::space::{ParamValue, Point};
use anyhow::{anyhow, bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Format tag written into every manifest.
pub const FORMAT: &str = "topo-hpc-sweep/1";
/// File name of the manifest inside the sweep folder.
pub const MANIFEST: &str = "manifest.json";
/// File name of the lock guarding the manifest.
pub const LOCK: &str = "manifest.lock";

/// Where a run is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunState {
    /// Not started, or interrupted and due again.
    Pending,
    /// Started and not yet ended.
    Running,
    /// Ended with exit code 0.
    Done,
    /// Ended otherwise; launched again by the next invocation.
    Failed,
}

/// How every run of the sweep is started (fixed when the sweep is created,
/// so a resumed sweep or an array task runs exactly the same command).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LaunchConfig {
    /// Absolute path of the model file.
    pub model: PathBuf,
    /// `--times`, passed through.
    pub times: Option<String>,
    /// `--tag`, passed through.
    pub tag: Option<String>,
    /// Extra arguments given to every `topo-hpc run`.
    pub run_args: Vec<String>,
    /// MPI ranks per run (1: no MPI launcher).
    pub mpi_ranks: usize,
    /// MPI launcher command, `{ranks}` replaced (empty: the launcher's
    /// default).
    pub mpi_command: Option<String>,
}

/// One run of the sweep.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// Position in the sweep (the SLURM array index).
    pub index: usize,
    /// The run's parameters, in the space's order (a JSON object).
    #[serde(with = "ordered_map")]
    pub params: Vec<(String, ParamValue)>,
    /// The run's folder, relative to the sweep folder, once known.
    pub folder: Option<String>,
    /// Where the run is.
    pub state: RunState,
    /// Exit code of the last attempt (None: not ended, or killed by a
    /// signal).
    pub exit_code: Option<i32>,
    /// Start of the last attempt (RFC 3339, UTC).
    pub start: Option<String>,
    /// End of the last attempt.
    pub end: Option<String>,
    /// Wall time of the last attempt, seconds.
    pub seconds: Option<f64>,
    /// Attempts so far.
    pub attempts: u32,
    /// Host and process id of a running attempt (to tell a live run from
    /// one whose launcher died).
    pub host: Option<String>,
    /// Process id of a running attempt.
    pub pid: Option<u32>,
    /// SLURM job id (`<array job>_<index>`) that owns or will run it.
    pub slurm_job: Option<String>,
    /// Log file of the last attempt, relative to the sweep folder.
    pub log: Option<String>,
}

impl RunRecord {
    /// A fresh, pending run.
    pub fn new(index: usize, params: Point) -> RunRecord {
        RunRecord {
            index,
            params,
            folder: None,
            state: RunState::Pending,
            exit_code: None,
            start: None,
            end: None,
            seconds: None,
            attempts: 0,
            host: None,
            pid: None,
            slurm_job: None,
            log: None,
        }
    }

    /// `name=value` for each parameter, as given to `run -p`.
    pub fn param_args(&self) -> Vec<String> {
        self.params
            .iter()
            .map(|(n, v)| format!("{n}={}", v.to_arg()))
            .collect()
    }

    /// One line for listings.
    pub fn describe(&self) -> String {
        let p = self.param_args().join(" ");
        if p.is_empty() {
            "(model defaults)".to_string()
        } else {
            p
        }
    }
}

/// The whole manifest.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`FORMAT`].
    pub format: String,
    /// Script name (model file name without `.ty`).
    pub script: String,
    /// Timestamp shared by every run's folder (YYYYMMDDHHMM).
    pub timestamp: String,
    /// The `--param` arguments that made the space, in order.
    pub space: Vec<String>,
    /// How runs are started.
    pub config: LaunchConfig,
    /// Creation time (RFC 3339, UTC).
    pub created: String,
    /// Every run.
    pub runs: Vec<RunRecord>,
}

impl Manifest {
    /// Path of the manifest in a sweep folder.
    pub fn path(dir: &Path) -> PathBuf {
        dir.join(MANIFEST)
    }

    /// Read a sweep folder's manifest.
    pub fn load(dir: &Path) -> Result<Manifest> {
        let path = Manifest::path(dir);
        let text = fs::read_to_string(&path)
            .with_context(|| format!("cannot read the sweep manifest {}", path.display()))?;
        let m: Manifest = serde_json::from_str(&text)
            .with_context(|| format!("{} is not a sweep manifest", path.display()))?;
        if m.format != FORMAT {
            bail!(
                "{}: manifest format '{}', this topo-hpc reads '{FORMAT}'",
                path.display(),
                m.format
            );
        }
        Ok(m)
    }

    /// Write atomically: temp file in the same folder, fsync, rename.
    pub fn save(&self, dir: &Path) -> Result<()> {
        let path = Manifest::path(dir);
        let tmp = dir.join(format!(".{MANIFEST}.{}.tmp", std::process::id()));
        let text = serde_json::to_string_pretty(self)?;
        {
            let mut f =
                File::create(&tmp).with_context(|| format!("cannot write {}", tmp.display()))?;
            f.write_all(text.as_bytes())?;
            f.write_all(b"\n")?;
            f.sync_all()?;
        }
        fs::rename(&tmp, &path).with_context(|| format!("cannot replace {}", path.display()))?;
        Ok(())
    }

    /// The runs not done yet: failed ones, pending ones not queued in a live
    /// SLURM job, and running ones whose owner is gone (`is_live` decides).
    pub fn unfinished(&self, is_live: &dyn Fn(&RunRecord) -> bool) -> Vec<usize> {
        self.runs
            .iter()
            .filter(|r| match r.state {
                RunState::Done => false,
                RunState::Running => !is_live(r),
                RunState::Pending => r.slurm_job.is_none() || !is_live(r),
                RunState::Failed => true,
            })
            .map(|r| r.index)
            .collect()
    }

    /// Count runs in each state: (pending, running, done, failed).
    pub fn counts(&self) -> (usize, usize, usize, usize) {
        let n = |s| self.runs.iter().filter(|r| r.state == s).count();
        (
            n(RunState::Pending),
            n(RunState::Running),
            n(RunState::Done),
            n(RunState::Failed),
        )
    }
}

/// An exclusive lock on a sweep folder's manifest, released on drop.
pub struct ManifestLock {
    file: File,
}

impl ManifestLock {
    /// Block until the lock is ours.
    pub fn acquire(dir: &Path) -> Result<ManifestLock> {
        let path = dir.join(LOCK);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        file.lock()
            .map_err(|e| anyhow!("cannot lock {}: {e}", path.display()))?;
        Ok(ManifestLock { file })
    }
}

impl Drop for ManifestLock {
    fn drop(&mut self) {
        let _ = self.file.unlock();
    }
}

/// Read, change and write the manifest under the lock; returns what `f`
/// returns.
pub fn update<T>(dir: &Path, f: impl FnOnce(&mut Manifest) -> Result<T>) -> Result<T> {
    let _lock = ManifestLock::acquire(dir)?;
    let mut m = Manifest::load(dir)?;
    let out = f(&mut m)?;
    m.save(dir)?;
    Ok(out)
}

/// `Vec<(String, ParamValue)>` as a JSON object whose keys keep their order
/// both ways (serde_json's own maps would sort them).
mod ordered_map {
    use super::ParamValue;
    use serde::de::{MapAccess, Visitor};
    use serde::ser::SerializeMap;
    use serde::{Deserializer, Serializer};
    use std::fmt;

    pub fn serialize<S: Serializer>(v: &[(String, ParamValue)], s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(v.len()))?;
        for (k, x) in v {
            m.serialize_entry(k, x)?;
        }
        m.end()
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Vec<(String, ParamValue)>, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Vec<(String, ParamValue)>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of parameter values")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = a.next_entry::<String, ParamValue>()? {
                    out.push((k, v));
                }
                Ok(out)
            }
        }
        d.deserialize_map(V)
    }
}

/// Now, RFC 3339 UTC with seconds.
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Manifest {
        Manifest {
            format: FORMAT.into(),
            script: "tiny".into(),
            timestamp: "202601010000".into(),
            space: vec!["a=1,2".into()],
            config: LaunchConfig {
                model: "/m/tiny.ty".into(),
                times: Some("1,5".into()),
                tag: None,
                run_args: vec![],
                mpi_ranks: 1,
                mpi_command: None,
            },
            created: now(),
            runs: vec![
                RunRecord::new(0, vec![("a".into(), ParamValue::Int(1))]),
                RunRecord::new(
                    1,
                    vec![
                        ("a".into(), ParamValue::Float(2.0)),
                        ("0b".into(), ParamValue::Int(0)),
                    ],
                ),
            ],
        }
    }

    #[test]
    fn save_load_round_trip_and_no_temp_left() {
        let d = tempfile::tempdir().unwrap();
        let m = sample();
        m.save(d.path()).unwrap();
        assert_eq!(Manifest::load(d.path()).unwrap(), m);
        let names: Vec<String> = fs::read_dir(d.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, vec![MANIFEST.to_string()]);
    }

    #[test]
    fn update_changes_state_and_unfinished_follows() {
        let d = tempfile::tempdir().unwrap();
        sample().save(d.path()).unwrap();
        update(d.path(), |m| {
            m.runs[0].state = RunState::Done;
            m.runs[1].state = RunState::Running;
            Ok(())
        })
        .unwrap();
        let m = Manifest::load(d.path()).unwrap();
        assert_eq!(m.unfinished(&|_| true), Vec::<usize>::new());
        assert_eq!(m.unfinished(&|_| false), vec![1]);
        assert_eq!(m.counts(), (0, 1, 1, 0));
    }

    #[test]
    fn concurrent_updates_are_not_lost() {
        let d = tempfile::tempdir().unwrap();
        sample().save(d.path()).unwrap();
        let dir = d.path().to_path_buf();
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let dir = dir.clone();
                std::thread::spawn(move || {
                    for _ in 0..10 {
                        update(&dir, |m| {
                            m.runs[0].attempts += 1;
                            Ok(())
                        })
                        .unwrap();
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(Manifest::load(&dir).unwrap().runs[0].attempts, 80);
    }

    #[test]
    fn wrong_format_is_refused() {
        let d = tempfile::tempdir().unwrap();
        let mut m = sample();
        m.format = "other/9".into();
        m.save(d.path()).unwrap();
        let e = Manifest::load(d.path()).unwrap_err().to_string();
        assert!(e.contains("other/9"), "{e}");
    }
}
