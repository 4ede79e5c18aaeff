//! Printing that never stops a run.
//!
//! `println!` panics when stdout is gone (`topo-hpc run ... | head` closes
//! the pipe; Rust ignores SIGPIPE, so the write fails with EPIPE), and a
//! panic ends the whole MPI job. A run's record is its `.out` file; the
//! terminal copy is best effort, so a failed terminal write is dropped.
//!
//! A run's log (the terminal copy of the `.out`, [`log_line`]) goes to
//! stdout, as Topographica's batch output does, except under an MPI
//! launcher ([`topo_par::launcher`]): there the ranks' stdout passes
//! through the launcher, and Open MPI's `mpirun` aborts the whole job when
//! its own stdout is a closed pipe (more than ten SIGPIPEs; even one line
//! may end mpirun), which no rank can see or prevent. Under a launcher the
//! log therefore goes to stderr, and a run writes nothing to stdout.
//! Commands whose stdout is data (`model --json`, `plan`, `trace`, ...)
//! use [`out_line`] and keep stdout everywhere.

use std::io::Write;

/// `text` and a newline on stdout; errors ignored.
pub fn out_line(text: &str) {
    let mut o = std::io::stdout().lock();
    let _ = writeln!(o, "{text}");
}

/// `text` on stdout without a newline; errors ignored.
pub fn out(text: &str) {
    let mut o = std::io::stdout().lock();
    let _ = write!(o, "{text}");
    let _ = o.flush();
}

/// `text` and a newline on stderr; errors ignored.
pub fn err_line(text: &str) {
    let mut e = std::io::stderr().lock();
    let _ = writeln!(e, "{text}");
}

/// A line of a run's log on the terminal: stdout, or stderr under an MPI
/// launcher (see the module docs); errors ignored.
pub fn log_line(text: &str) {
    if log_to_stderr() {
        err_line(text);
    } else {
        out_line(text);
    }
}

/// Whether the run log's terminal copy goes to stderr: this process was
/// started by an MPI launcher ([`topo_par::launcher::launched_by`], read
/// before `MPI_Init`).
pub fn log_to_stderr() -> bool {
    topo_par::launcher::launched_by().is_some()
}
