#!/usr/bin/env bash
# Installs every system package topo-hpc needs on a fresh Debian 12 machine.
# Idempotent: packages already present are left alone, and apt is only
# refreshed when something is missing.
set -euo pipefail

PKGS=(
  build-essential pkg-config
  libopenmpi-dev openmpi-bin          # MPI (rsmpi links it via mpicc -show)
  libhdf5-openmpi-dev hdf5-tools      # parallel HDF5 (hdf5-metno mpio)
  libclang-dev clang                  # bindgen in mpi-sys / hdf5-metno-sys
  slurm-wlm munge                     # single-node SLURM for the job-script tests
  python3 python3-pip                 # h5py cross-checks in the test suite
  chromium                            # headless browser test of the run report
  fonts-dejavu-core                   # DejaVuSans.ttf: text of the plotters figures (ab_glyph)
)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: system packages present"
fi

# h5py reads our HDF5 files in the cross-language tests; xarray with the
# h5netcdf engine reads them the netCDF-4 way (tests/full/xarray_results.rs).
if ! python3 -c 'import h5py, numpy, xarray, h5netcdf' 2>/dev/null; then
  PY=(h5py numpy xarray h5netcdf)
  python3 -m pip install --quiet "${PY[@]}" || python3 -m pip install --quiet --break-system-packages "${PY[@]}"
fi

# Pre-build the fast test tier (every crate's test binaries), so that plain
# `cargo test` afterwards only runs tests. SETUP_NO_BUILD=1 skips it.
if [ -z "${SETUP_NO_BUILD:-}" ] && command -v cargo >/dev/null 2>&1; then
  echo "setup: building the fast test tier (cargo test --no-run)"
  (cd "$(dirname "$0")/.." && cargo test --no-run --quiet)
fi
