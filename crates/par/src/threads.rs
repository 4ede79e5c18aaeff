//! The size of rayon's global pool inside each rank.

use std::fmt;

/// Why the thread count cannot be set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ThreadsError {
    /// `--threads 0`.
    Zero,
    /// More threads than [`MAX_THREADS`] (from `--threads` or SLURM).
    TooMany(usize),
    /// `SLURM_CPUS_PER_TASK` is not a positive integer.
    BadSlurmValue(String),
    /// rayon's global pool already exists (it can be built only once).
    AlreadyBuilt(String),
}

impl fmt::Display for ThreadsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ThreadsError::Zero => write!(f, "--threads must be at least 1"),
            ThreadsError::TooMany(n) => write!(
                f,
                "{n} threads per rank is more than topo-hpc allows ({MAX_THREADS}); give the CPUs each rank has"
            ),
            ThreadsError::BadSlurmValue(v) => {
                write!(f, "SLURM_CPUS_PER_TASK={v:?} is not a positive integer")
            }
            ThreadsError::AlreadyBuilt(e) => write!(f, "cannot size the thread pool: {e}"),
        }
    }
}

impl std::error::Error for ThreadsError {}

/// The most threads one rank may start: far above any node's cores, far
/// below what exhausts the process table (`--threads 100000` started
/// thousands of threads before failing).
pub const MAX_THREADS: usize = 1024;

/// The pool size to use: `--threads` if given, else `SLURM_CPUS_PER_TASK`
/// if set, else None (rayon's default: the CPUs this process may run on).
pub fn thread_count(
    requested: Option<usize>,
    slurm_cpus_per_task: Option<&str>,
) -> Result<Option<usize>, ThreadsError> {
    match (requested, slurm_cpus_per_task) {
        (Some(0), _) => Err(ThreadsError::Zero),
        (Some(n), _) if n > MAX_THREADS => Err(ThreadsError::TooMany(n)),
        (Some(n), _) => Ok(Some(n)),
        (None, Some(v)) => match v.trim().parse::<usize>() {
            Ok(n) if n > MAX_THREADS => Err(ThreadsError::TooMany(n)),
            Ok(n) if n > 0 => Ok(Some(n)),
            _ => Err(ThreadsError::BadSlurmValue(v.to_string())),
        },
        (None, None) => Ok(None),
    }
}

/// Build rayon's global pool from `--threads` or `SLURM_CPUS_PER_TASK`
/// ([`thread_count`]); returns the number of threads it has. Call once,
/// from the thread that steps the model (the main thread, which also makes
/// the MPI calls), before any parallel work.
///
/// The calling thread becomes the pool's worker 0, so `--threads N` means N
/// threads in all, the caller included. A parallel loop started from
/// outside a pool is handed to a worker, and the caller sleeps on a latch
/// until the loop ends: two thread switches per loop. At cortex_density 48
/// a GCAL iteration starts ~70 loops of 5–60 µs each, and those switches
/// were a fifth of its time on 1 thread (benches/RESULTS.md, "Issue 14,
/// session 8 (wake)"). From inside the pool the caller runs the loop
/// itself and the other workers only steal from it. Which thread runs a
/// piece of work never changes a result.
///
/// The caller does not look for other threads' work unless it waits
/// inside the pool (in a join): with one thread, parallel work started
/// from another thread while the caller blocks on that thread outside
/// rayon (e.g. in `JoinHandle::join`) would never run. Nothing does that
/// today (the interpreter's thread, `topo_lang`'s big-stack thread, runs
/// no parallel loops).
pub fn configure_threads(requested: Option<usize>) -> Result<usize, ThreadsError> {
    let slurm = std::env::var("SLURM_CPUS_PER_TASK").ok();
    let mut builder = rayon::ThreadPoolBuilder::new().use_current_thread();
    if let Some(n) = thread_count(requested, slurm.as_deref())? {
        builder = builder.num_threads(n);
    }
    builder
        .build_global()
        .map_err(|e| ThreadsError::AlreadyBuilt(e.to_string()))?;
    Ok(rayon::current_num_threads())
}

/// This process's thread pool against the CPUs it may run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CpuBudget {
    /// Threads in rayon's global pool.
    pub threads: usize,
    /// CPUs this process may run on (its affinity mask, on Linux).
    pub cpus: usize,
}

impl CpuBudget {
    /// This process's: rayon's global pool (built with its defaults if
    /// [`configure_threads`] was not called) against
    /// `std::thread::available_parallelism`, which respects the affinity
    /// mask and cgroup quota that mpirun or SLURM set for this rank. None
    /// if the CPU count cannot be read.
    pub fn of_this_process() -> Option<CpuBudget> {
        let cpus = std::thread::available_parallelism().ok()?.get();
        Some(CpuBudget {
            threads: rayon::current_num_threads(),
            cpus,
        })
    }

    /// The warning a user wants when the pool has more threads than CPUs
    /// (they then take turns, and the rank is slower than with fewer
    /// threads); None when it fits. `host` names the machine, since on
    /// heterogeneous nodes this differs from rank to rank.
    pub fn oversubscription_warning(&self, host: &str) -> Option<String> {
        (self.threads > self.cpus).then(|| {
            format!(
                "{} threads on {} available CPU{} (host {host}): the rank is oversubscribed; \
                 lower --threads or SLURM_CPUS_PER_TASK, or give the rank more cores \
                 (mpirun --bind-to none or --map-by slot:PE=N)",
                self.threads,
                self.cpus,
                if self.cpus == 1 { "" } else { "s" }
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oversubscription_is_more_threads_than_cpus() {
        let b = |threads, cpus| CpuBudget { threads, cpus };
        assert_eq!(b(2, 2).oversubscription_warning("h"), None);
        assert_eq!(b(1, 8).oversubscription_warning("h"), None);
        let w = b(64, 2).oversubscription_warning("node7").unwrap();
        assert!(
            w.starts_with(
                "64 threads on 2 available CPUs (host node7): the rank is oversubscribed"
            ),
            "{w}"
        );
        let w = b(2, 1).oversubscription_warning("h").unwrap();
        assert!(
            w.starts_with("2 threads on 1 available CPU (host h)"),
            "{w}"
        );
    }

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
