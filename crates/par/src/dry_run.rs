//! [`DryRun`]: one process pretending to be rank `r` of `N`, for planning a
//! job without running it. Nothing is communicated: every collective is
//! answered as `N` identical ranks would answer it (each rank holding this
//! rank's input). HDF5 files are opened serially.
//!
//! The engine's halo exchange of a dry run is the planner's own (it derives
//! every rank's plan from the decomposition); [`crate::Context::exchange`]
//! does not make one.

use crate::communicator::{Communicator, Gathered, Kind};
use crate::hdf5_access::H5Access;
use std::time::Duration;

/// Rank `rank` of a pretended job of `size` ranks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DryRun {
    rank: usize,
    size: usize,
}

impl DryRun {
    /// Rank `rank` of `size`; `None` unless `rank < size`.
    pub fn new(rank: usize, size: usize) -> Option<DryRun> {
        (rank < size).then_some(DryRun { rank, size })
    }
}

impl Communicator for DryRun {
    fn kind(&self) -> Kind {
        Kind::DryRun
    }

    fn rank(&self) -> usize {
        self.rank
    }

    fn size(&self) -> usize {
        self.size
    }

    fn barrier(&self) {}

    fn all_ok(&self, ok: bool) -> bool {
        ok
    }

    fn broadcast_string(&self, s: &str) -> String {
        s.to_string()
    }

    fn gather(&self, bytes: &[u8]) -> Option<Vec<Vec<u8>>> {
        (self.rank == 0).then(|| vec![bytes.to_vec(); self.size])
    }

    fn gather_within(&self, bytes: &[u8], _wait: Duration) -> Gathered {
        match self.gather(bytes) {
            Some(all) => Gathered::All(all),
            None => Gathered::Sent,
        }
    }

    fn h5_access(&self) -> H5Access {
        H5Access::serial()
    }

    fn abort(&self, msg: &str, code: i32) -> ! {
        crate::abort::report_and_exit(msg, code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collectives_answer_as_identical_ranks() {
        assert!(DryRun::new(3, 3).is_none());
        let root = DryRun::new(0, 3).unwrap();
        assert_eq!((root.rank(), root.size()), (0, 3));
        assert_eq!(root.gather(b"ab"), Some(vec![b"ab".to_vec(); 3]));
        assert_eq!(
            root.gather_within(b"", Duration::ZERO),
            Gathered::All(vec![Vec::new(); 3])
        );
        let other = DryRun::new(2, 3).unwrap();
        assert_eq!(other.gather(b"ab"), None);
        assert_eq!(other.gather_within(b"x", Duration::ZERO), Gathered::Sent);
        assert!(!other.all_ok(false) && other.all_ok(true));
        assert_eq!(other.broadcast_string("t"), "t");
        assert!(!other.h5_access().is_parallel());
    }
}
