//! run_batch: the output folder, its files and the batch loop.

pub mod naming;
pub mod outlog;
pub mod times;
