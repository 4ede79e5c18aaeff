//! run_batch: the output folder, its files and the batch loop.

pub mod naming;
pub mod preflight;
pub mod progress;
pub mod rank_checks;
pub mod rank_warnings;
pub mod report;
pub mod run;
pub mod times;

// The `.out` log is used below batch too (analysis_fn writes to it):
// it lives at the crate root; this keeps `batch::outlog` paths working.
pub use crate::outlog;
