//! Printing that never stops a run.
//!
//! `println!` panics when stdout is gone (`topo-hpc run ... | head` closes
//! the pipe; Rust ignores SIGPIPE, so the write fails with EPIPE), and a
//! panic ends the whole MPI job. A run's record is its `.out` file; the
//! terminal copy is best effort, so a failed terminal write is dropped.

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
