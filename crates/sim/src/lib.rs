//! The topo-hpc engine: sheets, connection fields, projections, learning
//! and Topographica's event timing, working on the units this rank owns.
//!
//! The engine never calls MPI: everything that crosses ranks goes through
//! the [`exchange::Exchange`] trait, implemented by the root crate's `par`
//! module (MPI) and by [`exchange::LocalExchange`] (one process).

pub mod cf;
pub mod exchange;
pub mod normalize;
pub mod state;
