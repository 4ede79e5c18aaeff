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
        // MPI_Get_library_version may be called before MPI_Init.
        let mpi = mpi::environment::library_version()
            .map(|s| {
                let first = s.trim_end_matches('\0').lines().next().unwrap_or("");
                first.split(',').next().unwrap_or("").trim().to_string()
            })
            .unwrap_or_else(|_| "unknown".into());
        let (major, minor) = mpi::environment::version();
        format!("{SHORT}\nMPI: {mpi} (MPI standard {major}.{minor})\nHDF5: {a}.{b}.{c}")
    })
}
