//! The integration tests of topo-numbergen, one test binary (each binary links
//! the whole dependency tree once); a file a module. See tests/README.md
//! at the repository root for which tier a test belongs in.

mod common;

mod errors;
mod prepared_draws;
mod python_numbergen;
mod random_seed;
mod reference_inputs;
mod reference_numbergen;
mod snapshot_roundtrip;
