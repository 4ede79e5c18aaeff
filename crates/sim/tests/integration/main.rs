//! The integration tests of topo-sim, one test binary (each binary links
//! the whole dependency tree once); a file a module. See tests/README.md
//! at the repository root for which tier a test belongs in.

mod cf_support;
mod dyn_common;

mod array_views;
mod batched_responses;
mod cf_change_bounds;
mod cf_geometry;
mod cf_options;
mod cf_per_cf_draws;
mod cf_regions;
mod cf_weights;
mod choice_bound;
mod dyn_gcal;
mod dyn_lissom;
mod dyn_measure;
mod dyn_snapshot;
mod dyn_som;
mod dyn_split;
mod dyn_tiny;
mod group_op_slices;
mod halo_share;
mod input_pattern;
mod keep_awake;
mod lane_combine;
mod learn_simd;
mod memory_estimate;
mod normalize_joint;
mod overlap;
mod owed_responses;
mod push_choice;
mod push_chunks;
mod push_pull;
mod push_simd;
mod random_seed;
mod read_region;
mod shared_weights;
mod state_stack;
mod sync_skip;
mod trace_examples;
