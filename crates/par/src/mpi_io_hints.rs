//! MPI-IO settings that must be in place before `MPI_Init`.
//!
//! OpenMPI's OMPIO opens a *shared file pointer* component inside every
//! `MPI_File_open`, although HDF5 never uses shared file pointers. Two of
//! the three components build lock/segment file names in fixed-size
//! buffers (`sharedfp/lockedfile`, `sharedfp/sm` in OpenMPI 4.1): a run
//! folder path over ~240 characters aborted the run with `*** buffer
//! overflow detected ***`, at run-file creation or at the final snapshot.
//! The `individual` component sizes its names from the path and creates no
//! file at open, so it is selected here. OpenMPI reads `OMPI_MCA_*` from the
//! environment during `MPI_Init`; a value the user set is left alone. Other
//! MPI libraries ignore the variable.

/// The component chosen, and the variable that chooses it.
pub const SHAREDFP_VAR: &str = "OMPI_MCA_sharedfp";
/// See the module documentation.
pub const SHAREDFP_COMPONENT: &str = "individual";

/// Set the MPI-IO choices in this process's environment. Call before
/// `MPI_Init`, while the process has one thread.
pub fn before_mpi_init() {
    if std::env::var_os(SHAREDFP_VAR).is_none() {
        std::env::set_var(SHAREDFP_VAR, SHAREDFP_COMPONENT);
    }
}
