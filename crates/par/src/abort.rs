//! Reporting the failure that ends a job: one line on stderr naming the
//! rank, then exit (without MPI) or `MPI_Abort` (see [`crate::mpi_comm`]).

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The rank and size messages name (set once MPI is up; 0 of 1 before).
static RANK: AtomicUsize = AtomicUsize::new(0);
static SIZE: AtomicUsize = AtomicUsize::new(1);

/// Record this process's rank for [`rank_prefix`].
pub(crate) fn set_rank(rank: usize, size: usize) {
    RANK.store(rank, Ordering::SeqCst);
    SIZE.store(size, Ordering::SeqCst);
}

/// This process's rank as recorded.
pub(crate) fn rank() -> usize {
    RANK.load(Ordering::SeqCst)
}

/// The prefix naming this rank in messages.
fn rank_prefix() -> String {
    format!(
        "topo-hpc rank {} of {}",
        RANK.load(Ordering::SeqCst),
        SIZE.load(Ordering::SeqCst)
    )
}

/// Print `msg` with the rank prefix on stderr, in one write so that the
/// line reaches mpirun whole, not interleaved with other ranks' output;
/// then flush stdout.
pub(crate) fn report(msg: &str) {
    let line = format!("{}: {msg}\n", rank_prefix());
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(line.as_bytes());
    let _ = err.flush();
    drop(err);
    let _ = std::io::stdout().flush();
}

/// [`report`], then end this process (the whole job when it has one rank).
pub(crate) fn report_and_exit(msg: &str, code: i32) -> ! {
    report(msg);
    std::process::exit(code)
}
