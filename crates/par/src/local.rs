//! [`Local`]: one process, no MPI. Every collective is the one-rank answer;
//! HDF5 files are opened serially. The default in unit tests and the tools
//! that run on a login node (`inspect`, `sweep`, ...).

use crate::communicator::{Communicator, Gathered, Kind};
use crate::hdf5_access::H5Access;
use std::time::Duration;

/// The one-process communicator.
#[derive(Clone, Copy, Debug, Default)]
pub struct Local;

impl Communicator for Local {
    fn kind(&self) -> Kind {
        Kind::Local
    }

    fn rank(&self) -> usize {
        0
    }

    fn size(&self) -> usize {
        1
    }

    fn barrier(&self) {}

    fn all_ok(&self, ok: bool) -> bool {
        ok
    }

    fn broadcast_string(&self, s: &str) -> String {
        s.to_string()
    }

    fn gather(&self, bytes: &[u8]) -> Option<Vec<Vec<u8>>> {
        Some(vec![bytes.to_vec()])
    }

    fn gather_within(&self, bytes: &[u8], _wait: Duration) -> Gathered {
        Gathered::All(vec![bytes.to_vec()])
    }

    fn h5_access(&self) -> H5Access {
        H5Access::serial()
    }

    fn abort(&self, msg: &str, code: i32) -> ! {
        crate::abort::report_and_exit(msg, code)
    }
}
