#!/usr/bin/env bash
# The whole test suite, both tiers (tests/README.md):
#   fast tier  plain `cargo test`: every crate's unit tests, golden checks
#              against Topographica's reference data (copied into the repo)
#              and one-process runs; no mpirun, no SLURM, no root.
#   full tier  `--features full-tests`: integration tests that start
#              `mpirun` with several ranks, a single-node SLURM, the hostile
#              suite, long runs and the h5py/xarray/browser cross-checks.
# Both tiers use the same (test/dev) profile, so the full tier recompiles
# only this package (for the feature), not the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."

# OpenMPI refuses to run as root without these; tests on a 2-core machine
# oversubscribe. ob1/vader skips the slow UCX probe on one host.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_pml=ob1 OMPI_MCA_btl=self,vader OMPI_MCA_rmaps_base_oversubscribe=1

cargo fmt --all -- --check
cargo clippy --workspace --all-targets --features topo-hpc/full-tests -- -D warnings
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps
cargo test
# Tests in the full tier start mpirun themselves: two at a time, so MPI
# jobs do not pile up on the 2 cores' shared-memory segments.
cargo test --features full-tests --test full -- --test-threads=2 --skip sweep_slurm::
# The SLURM harness is timed (a signal 60-90 s into a 2-minute job limit,
# a requeue noticed by polling): it runs alone, as it did in a binary of
# its own.
cargo test --features full-tests --test full -- sweep_slurm::
