//! The integration tests of topo-analysis, one test binary (each binary links
//! the whole dependency tree once); a file a module. See tests/README.md
//! at the repository root for which tier a test belongs in.

mod common;

mod collation;
mod featuremapper_reference;
mod hypercolumns;
mod pinwheels;
mod plots;
