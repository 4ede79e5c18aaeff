//! The size of rayon's global pool inside each rank.

use std::fmt;

/// Why the thread count cannot be set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ThreadsError {
    /// `--threads 0`.
    Zero,
    /// `SLURM_CPUS_PER_TASK` is not a positive integer.
    BadSlurmValue(String),
    /// rayon's global pool already exists (it can be built only once).
    AlreadyBuilt(String),
}

impl fmt::Display for ThreadsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ThreadsError::Zero => write!(f, "--threads must be at least 1"),
            ThreadsError::BadSlurmValue(v) => {
                write!(f, "SLURM_CPUS_PER_TASK={v:?} is not a positive integer")
            }
            ThreadsError::AlreadyBuilt(e) => write!(f, "cannot size the thread pool: {e}"),
        }
    }
}

impl std::error::Error for ThreadsError {}

/// The pool size to use: `--threads` if given, else `SLURM_CPUS_PER_TASK`
/// if set, else None (rayon's default: the CPUs this process may run on).
pub fn thread_count(
    requested: Option<usize>,
    slurm_cpus_per_task: Option<&str>,
) -> Result<Option<usize>, ThreadsError> {
    match (requested, slurm_cpus_per_task) {
        (Some(0), _) => Err(ThreadsError::Zero),
        (Some(n), _) => Ok(Some(n)),
        (None, Some(v)) => match v.trim().parse::<usize>() {
            Ok(n) if n > 0 => Ok(Some(n)),
            _ => Err(ThreadsError::BadSlurmValue(v.to_string())),
        },
        (None, None) => Ok(None),
    }
}

/// Build rayon's global pool from `--threads` or `SLURM_CPUS_PER_TASK`
/// ([`thread_count`]); returns the number of threads it has. Call once,
/// before any parallel work.
pub fn configure_threads(requested: Option<usize>) -> Result<usize, ThreadsError> {
    let slurm = std::env::var("SLURM_CPUS_PER_TASK").ok();
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(n) = thread_count(requested, slurm.as_deref())? {
        builder = builder.num_threads(n);
    }
    builder
        .build_global()
        .map_err(|e| ThreadsError::AlreadyBuilt(e.to_string()))?;
    Ok(rayon::current_num_threads())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flag_wins_over_slurm() {
        assert_eq!(thread_count(Some(3), Some("8")), Ok(Some(3)));
        assert_eq!(thread_count(None, Some("8")), Ok(Some(8)));
        assert_eq!(thread_count(None, Some(" 4\n")), Ok(Some(4)));
        assert_eq!(thread_count(None, None), Ok(None));
    }

    #[test]
    fn bad_values_are_errors() {
        assert_eq!(thread_count(Some(0), None), Err(ThreadsError::Zero));
        assert!(thread_count(None, Some("0")).is_err());
        assert!(thread_count(None, Some("two")).is_err());
        // A bad SLURM value does not matter when --threads is given.
        assert_eq!(thread_count(Some(2), Some("two")), Ok(Some(2)));
    }
}
