//! The collated table of a sweep: one row per run and analysis time. Made
//! by `collate`, drawn by `plot` and `report` (its own module, so that
//! neither drawing module depends on the collation that feeds it).

use super::space::ParamValue;
use std::collections::BTreeMap;

/// One row of the table.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// Run index.
    pub run: usize,
    /// Run folder (relative to the sweep), "" if unknown.
    pub folder: String,
    /// Run state.
    pub state: String,
    /// Parameters of the run.
    pub params: Vec<(String, ParamValue)>,
    /// Analysis time (None: the run has no results).
    pub time: Option<f64>,
    /// Result name -> value.
    pub results: BTreeMap<String, f64>,
}

/// The collated table.
#[derive(Clone, Debug, Default)]
pub struct Table {
    /// Swept parameter names, in order of first appearance.
    pub params: Vec<String>,
    /// Result names, sorted.
    pub results: Vec<String>,
    /// Rows: by run, then by time.
    pub rows: Vec<Row>,
}
