//! The topo-hpc engine: sheets, connection fields, projections, learning
//! and Topographica's event timing, working on the units this rank owns.
//!
//! The engine never calls MPI: everything that crosses ranks goes through
//! the [`exchange::Exchange`] trait, implemented by the root crate's `par`
//! module (MPI) and by [`exchange::LocalExchange`] (one process).

pub mod cf;
pub mod channel_sheet;
pub mod error;
pub mod exchange;
pub mod kernel;
pub mod learn_simd;
pub mod learning;
pub mod memory;
pub mod network;
pub mod normalize;
pub mod ownership;
pub mod par_policy;
pub mod params;
pub mod projection;
pub mod push;
pub mod push_choice;
pub mod push_simd;
pub mod queue;
pub mod response;
pub mod shared_weights;
pub mod sheet;
pub mod state;
pub mod trace_learning;
pub mod transfer;
pub mod userfn;

pub use error::SimError;
pub use network::{sheet_coords, HaloUse, Network, Probe, Recorder};
