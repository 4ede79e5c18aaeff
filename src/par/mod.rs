//! The parallel layer: the communicator, the process grid and halo plans.
