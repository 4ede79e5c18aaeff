//! Output: the run's HDF5 file (parallel, collective) and text files.

pub mod coords;
pub mod folder_guard;
pub mod h5;
pub mod restore;
pub mod snapshot;
