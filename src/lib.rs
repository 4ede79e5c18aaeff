//! topo-hpc: Topographica cortical-map models on supercomputers.
//!
//! The library behind the `topo-hpc` binary. Data flows one way:
//! model file ([`topo_lang`]) -> [`topo_spec::ModelSpec`] -> engine
//! ([`topo_sim`]) -> outputs. The parallel layer ([`par`]) owns MPI and knows
//! nothing of `.ty` syntax; the interpreter knows nothing of MPI.

pub mod cli;
pub mod par;
pub mod paths;
pub mod plan;
pub mod sweep;

pub use topo_analysis as analysis;
pub use topo_lang as lang;
pub use topo_numbergen as numbergen;
pub use topo_pattern as pattern;
pub use topo_sim as sim;
pub use topo_spec as spec;

pub mod analysis_fn;
pub mod balance;
pub mod batch;
pub mod console;
pub mod figures;
pub mod footprint;
pub mod geometry;
pub mod host;
pub mod io;
pub mod memory_estimate;
pub mod outlog;
pub mod session;
pub mod shell;
pub mod timing;
