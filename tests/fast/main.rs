//! The fast tier of topo-hpc's own integration tests (plain `cargo test`):
//! no `mpirun`, no SLURM, no root, no browser; every process is the binary
//! alone. What needs those is in the full tier (tests/full, `--features
//! full-tests`). Which test goes where: tests/README.md.

#[path = "../support/run.rs"]
mod run_mpi;
// The fuzzers' one mutation engine, from topo-lang's tests.
#[path = "../../crates/lang/tests/integration/mutation.rs"]
mod mutation;

mod architecture;
mod cli_images;
mod cli_model;
mod cli_trace;
mod fuzz_campaign;
mod layout;
mod rf_measure;
