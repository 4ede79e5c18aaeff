//! The integration tests of topo-lang, one test binary (each binary links
//! the whole dependency tree once); a file a module. See tests/README.md
//! at the repository root for which tier a test belongs in.

mod common;
mod mutation;

mod commands;
mod dynamic_time;
mod errors;
mod fuzz;
mod gcal_colour;
mod gcal_dataset;
mod gcal_dr;
mod gcal_sf;
mod golden;
mod images;
mod language;
mod library;
mod model_subclass;
mod models;
mod random_seed;
mod repr;
mod userclass;
