//! [`H5Access`]: how a rank opens HDF5 files, decided by its communicator:
//! parallel HDF5 (the MPI-IO driver over the job's ranks, collective
//! transfers) under MPI, HDF5's default serial driver otherwise. The I/O
//! code opens every file through this, so it never checks for MPI itself.

use hdf5::plist::file_access::FileAccessBuilder;
use hdf5_sys::h5i::hid_t;
use hdf5_sys::h5p::{
    H5FD_mpio_xfer_t, H5Pclose, H5Pcreate, H5Pset_dxpl_mpio, H5P_CLS_DATASET_XFER, H5P_DEFAULT,
};

/// How to open HDF5 files on this rank (cheap to copy; valid while the
/// communicator that made it lives).
#[derive(Clone, Copy, Debug)]
pub struct H5Access {
    /// The communicator for MPI-IO (None: serial).
    comm: Option<mpi::ffi::MPI_Comm>,
}

impl H5Access {
    /// Serial HDF5 (one process, or no shared files).
    pub fn serial() -> H5Access {
        H5Access { comm: None }
    }

    /// Parallel HDF5 over `comm`.
    pub(crate) fn parallel(comm: mpi::ffi::MPI_Comm) -> H5Access {
        H5Access { comm: Some(comm) }
    }

    /// Whether files are opened with MPI-IO (every open, close and metadata
    /// change is then collective).
    pub fn is_parallel(&self) -> bool {
        self.comm.is_some()
    }

    /// Set the file driver: MPI-IO over the communicator, or left at the
    /// serial default. For `hdf5::File::with_options().with_fapl(..)`.
    pub fn file_access<'a>(&self, fapl: &'a mut FileAccessBuilder) -> &'a mut FileAccessBuilder {
        match self.comm {
            Some(comm) => fapl.mpio(comm, None),
            None => fapl,
        }
    }

    /// A data-transfer property list for this rank's part of a write that
    /// every rank makes together: collective MPI-IO, or the default.
    pub fn collective_transfer(&self) -> Result<TransferList, String> {
        if self.comm.is_none() {
            return Ok(TransferList(None));
        }
        // SAFETY: H5Pcreate takes a property-list class id, which the
        // global H5P_CLS_DATASET_XFER is once the library is open (its
        // deref opens it); a negative result is checked below. The caller
        // holds HDF5's lock (hdf5::sync::sync) around raw calls.
        let dxpl = unsafe { H5Pcreate(*H5P_CLS_DATASET_XFER) };
        if dxpl < 0 {
            return Err("H5Pcreate(dataset transfer) failed".into());
        }
        let list = TransferList(Some(dxpl));
        // SAFETY: `dxpl` is a valid dataset-transfer list (checked above),
        // closed by `list`'s Drop, not here.
        let r = unsafe { H5Pset_dxpl_mpio(dxpl, H5FD_mpio_xfer_t::H5FD_MPIO_COLLECTIVE) };
        if r < 0 {
            return Err(format!("H5Pset_dxpl_mpio failed ({r})"));
        }
        Ok(list)
    }
}

/// A dataset-transfer property list (closed when dropped), or HDF5's
/// default one. Drop it while holding HDF5's lock, as it was made.
pub struct TransferList(Option<hid_t>);

impl TransferList {
    /// The id to pass as `dxpl_id`.
    pub fn id(&self) -> hid_t {
        self.0.unwrap_or(H5P_DEFAULT)
    }
}

impl Drop for TransferList {
    fn drop(&mut self) {
        if let Some(id) = self.0 {
            // SAFETY: `id` came from a successful H5Pcreate and is closed
            // only here, once.
            unsafe {
                H5Pclose(id);
            }
        }
    }
}
