//! [`Communicator`]: the one interface through which the rest of topo-hpc
//! reaches the other ranks of a job (modelled on arbor's
//! `distributed_context`: one interface, one implementation per way of
//! running).
//!
//! Implementations: [`crate::Local`] (one process, no MPI: tools and unit
//! tests), [`crate::MpiCommunicator`] (all ranks of `MPI_COMM_WORLD`) and
//! [`crate::DryRun`] (pretends to be rank `r` of `N`, exchanges nothing).
//! The choice is made once, when the [`crate::Context`] is made.
//!
//! # Invariants (every implementation)
//! - `rank() < size()`, and both stay fixed for the communicator's life.
//! - The collectives ([`Communicator::barrier`], [`Communicator::all_ok`],
//!   [`Communicator::broadcast_string`], [`Communicator::gather`]) are
//!   called by every rank, in the same order; each answers as if all
//!   `size()` ranks took part. Calling one on some ranks only hangs the job
//!   (MPI) — use [`Communicator::gather_within`] when that may happen.
//! - `all_ok` returns the same value on every rank: the AND of all inputs.
//! - `broadcast_string` returns rank 0's text on every rank.
//! - `gather` returns `Some` (every rank's bytes, in rank order) on rank 0
//!   and `None` on every other rank.
//! - `gather_within` returns within about `wait` and never matches a
//!   collective of the others.
//! - `abort` does not return: it ends every rank of the job.

use crate::hdf5_access::H5Access;
use std::time::Duration;

/// The kinds of communicator (for messages and the rare caller that must
/// know, such as `--version`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// One process, no MPI.
    Local,
    /// MPI over all ranks of the job.
    Mpi,
    /// A single process pretending to be one rank of a larger job.
    DryRun,
}

/// One rank's view of the job. See the module documentation for the
/// invariants every implementation keeps.
pub trait Communicator {
    /// Which implementation this is.
    fn kind(&self) -> Kind;

    /// This process's rank, `0..size()`.
    fn rank(&self) -> usize;

    /// Number of ranks.
    fn size(&self) -> usize;

    /// Collective: wait for every rank.
    fn barrier(&self);

    /// Collective: true on every rank iff `ok` is true on every rank. Lets
    /// ranks agree on an outcome before a step that all must take or skip.
    fn all_ok(&self, ok: bool) -> bool;

    /// Collective: rank 0's string on every rank.
    fn broadcast_string(&self, s: &str) -> String;

    /// Collective: every rank's `bytes` on rank 0, in rank order (`None` on
    /// the other ranks). Any rank may send nothing; the total must stay
    /// under 2 GiB (MPI's count limit), later ranks arrive empty beyond it.
    fn gather(&self, bytes: &[u8]) -> Option<Vec<Vec<u8>>>;

    /// [`Communicator::gather`] for a moment when it is unknown whether
    /// every rank will come (an error that may be this rank's alone): the
    /// gather happens only if every rank calls this within `wait`, apart
    /// from every other collective, so it never mismatches one the other
    /// ranks are in. A rank that gives up should end the job soon.
    fn gather_within(&self, bytes: &[u8], wait: Duration) -> Gathered;

    /// How this rank opens HDF5 files: parallel HDF5 (MPI-IO) over this
    /// communicator, or serial HDF5.
    fn h5_access(&self) -> H5Access;

    /// End the whole job: print `msg` with the rank on stderr (one line)
    /// and make every rank exit with `code`.
    fn abort(&self, msg: &str, code: i32) -> !;
}

/// What [`Communicator::gather_within`] achieved on this rank.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gathered {
    /// Rank 0 (or the only rank): every rank's bytes, in rank order.
    All(Vec<Vec<u8>>),
    /// Another rank: its bytes went to rank 0.
    Sent,
    /// Not every rank came in time: nothing was exchanged.
    Incomplete,
}
