#!/usr/bin/env bash
# The whole test suite: unit tests, golden checks against Topographica's
# reference data (copied into the repo), and integration tests that start
# `mpirun` with several ranks and a single-node SLURM.
set -euo pipefail
cd "$(dirname "$0")/.."

# OpenMPI refuses to run as root without these; tests on a 2-core machine
# oversubscribe. ob1/vader skips the slow UCX probe on one host.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_pml=ob1 OMPI_MCA_btl=self,vader OMPI_MCA_rmaps_base_oversubscribe=1

cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps
# Integration tests spawn mpirun themselves; run test binaries one at a
# time so two MPI jobs never fight for the 2 cores' shared-memory segments.
cargo test --workspace --release -- --test-threads=2
