//! run_batch: the output folder, its files and the batch loop.

pub mod naming;
