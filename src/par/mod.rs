//! The parallel layer, now the `topo-par` crate (`crates/par`): re-exported
//! here so that `crate::par::...` paths keep working.

pub use topo_par::*;
