//! The hostile-input suite (issue 16): for each class of bad input or
//! hostile circumstance, several cases, each asserting the clear error or
//! the survival, and that nothing outside the output root changed.
//!
//! Cases run the real binary (one process, or under `mpirun`) on the tiny
//! example with few steps; the whole suite takes well under two minutes.

mod common;

mod before_folder;
mod collate;
mod disk_full;
mod links;
mod locks;
mod long_paths;
mod output;
mod sandbox;
mod signals;
mod snapshots;
mod sweeps;
