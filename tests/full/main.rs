//! The full tier of topo-hpc's own integration tests: `mpirun` with
//! several ranks, a single-node SLURM, the hostile-input suite, long runs,
//! and the cross-checks that read our files with h5py, xarray and a
//! headless browser. Built and run only with `--features full-tests`
//! (`scripts/test.sh` and CI); see tests/README.md.

#[path = "../support/run.rs"]
mod run_mpi;

mod analysis_cmdline;
mod analysis_gcal;
mod analysis_user;
mod cli_batch;
mod cli_habits;
mod cli_restore;
mod cli_trace;
mod cli_userclass;
mod coord_mappers;
mod gcal_opt_kernels;
mod h5_snapshot;
mod hostile;
mod inputs_model_gcal_colour;
mod inputs_model_gcal_colour_images;
mod inputs_model_gcal_dr;
mod inputs_model_gcal_eyes;
mod inputs_model_gcal_sf;
mod inputs_natural_images;
mod inputs_two_eyes;
mod library_models;
mod lissom_own_models;
mod maps_class_defaults;
mod maps_every_measurement;
mod maps_eyes_colour;
mod maps_topographica;
mod model_gcal_ranks;
mod par_model;
mod par_mpi;
mod par_snapshot_two_eyes;
mod per_cf_weights;
mod plan_exchange;
mod rank_warnings;
mod report_browser;
mod rf_ranks;
mod snapshot_arrays;
mod sweep_cli;
mod sweep_local;
mod sweep_slurm;
mod trace_learning;
mod traces_all_sheets;
mod user_patterns;
mod xarray_results;
