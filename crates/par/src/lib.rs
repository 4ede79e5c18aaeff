//! The parallel layer: the communicator, the process grid and halo plans.
//!
//! This is the only crate that names MPI. The rest of topo-hpc reaches the
//! other ranks through [`Context`] (a [`Communicator`]: [`Local`],
//! [`MpiCommunicator`] or [`DryRun`], chosen once at start-up) and opens
//! HDF5 files through its [`H5Access`]. The engine sees this crate through
//! [`topo_sim::exchange::Decomposition`] ([`GridDecomposition`]) and
//! [`topo_sim::exchange::Exchange`] ([`MpiExchange`]).
//!
//! Typical use in `main`:
//! ```no_run
//! use topo_par::{self as par, Context, GridDecomposition};
//! let ctx = Context::init();
//! par::configure_threads(None).unwrap_or_else(|e| ctx.fail(e));
//! let lbrts = [[-0.5, -0.5, 0.5, 0.5]];
//! let decomp = GridDecomposition::for_sheets(ctx.size(), ctx.rank(), &lbrts)
//!     .unwrap_or_else(|e| ctx.fail(e));
//! let mut ex = ctx.exchange();
//! // build the network with &decomp and &mut ex, run it ...
//! ctx.root_println("done");
//! ```

mod abort;
pub mod assignment;
pub mod comm;
pub mod communicator;
pub mod conformance;
pub mod context;
pub mod dry_run;
pub mod dry_run_exchange;
pub mod grid;
mod halo_messages;
pub mod hdf5_access;
pub mod launcher;
pub mod local;
pub mod model;
pub mod mpi_comm;
pub mod mpi_io_hints;
pub mod report;
pub mod sparse_halo;
pub mod threads;

pub use assignment::{Assignment, OwnedHaloPlan, PeerTransfer, SheetSplit, SplitChoice};
pub use comm::{ExchangeStats, HaloSummary, MpiExchange};
pub use communicator::{Communicator, Gathered, Kind};
pub use context::Context;
pub use dry_run::DryRun;
pub use dry_run_exchange::{DryRunExchange, PeerRects, RankOracle};
pub use grid::{cut_box_of, GridDecomposition, GridError, ProcessGrid};
pub use hdf5_access::{H5Access, TransferList};
pub use local::Local;
pub use model::{decomposition_for, model_geometry, ModelGeometryError};
pub use mpi_comm::MpiCommunicator;
pub use report::{decomposition_report, decomposition_report_owned, SheetGeometry};
pub use threads::{configure_threads, thread_count, ThreadsError};
