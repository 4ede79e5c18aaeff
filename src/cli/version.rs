//! `topo-hpc --version`: the package version and git revision (`-V`), and
//! with `--version` also the MPI and HDF5 libraries linked (asked from the
//! libraries themselves, so it tells what runs, not what was built on).

use std::sync::OnceLock;

/// `0.1.0 (git 1a2b3c4d5e6f)`.
pub const SHORT: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (git ",
    env!("TOPO_HPC_GIT_REV"),
    ")"
);

/// The short version, then one line per linked library.
pub fn long() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(|| {
        let (a, b, c) = hdf5::library_version();
        let mpi = topo_par::mpi_comm::library_version();
        format!("{SHORT}\nMPI: {mpi}\nHDF5: {a}.{b}.{c}")
    })
}
