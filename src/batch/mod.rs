//! run_batch: the output folder, its files and the batch loop.

pub mod legacy;
pub mod naming;
pub mod outlog;
pub mod preflight;
pub mod progress;
pub mod rank_checks;
pub mod rank_warnings;
pub mod report;
pub mod run;
pub mod times;
pub mod timing;
