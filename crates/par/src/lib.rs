//! The parallel layer: the communicator, the process grid and halo plans.
//!
//! This is the only module that calls MPI. The engine sees it through
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

pub mod comm;
pub mod context;
pub mod grid;
pub mod model;
pub mod mpi_io_hints;
pub mod plan;
pub mod report;
pub mod threads;

pub use comm::{ExchangeStats, HaloSummary, MpiExchange};
pub use context::Context;
pub use grid::{cut_box_of, GridDecomposition, GridError, ProcessGrid};
pub use model::{decomposition_for, model_geometry, ModelGeometryError};
pub use plan::HaloPlan;
pub use report::{decomposition_report, SheetGeometry};
pub use threads::{configure_threads, thread_count, ThreadsError};
