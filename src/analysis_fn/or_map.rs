//! Orientation maps, pinwheels and weight plots at an analysis time.

use super::AnalysisPlan;
use crate::batch::outlog::OutLog;
use crate::io::h5::H5File;
use crate::par::Context;
use crate::session::Session;
use anyhow::Result;
use std::path::Path;

/// Collective: the map-measuring parts of the plan.
#[allow(clippy::too_many_arguments)]
pub fn run(
    _ctx: &Context,
    _sess: &mut Session,
    _plan: &AnalysisPlan,
    _f: &H5File,
    _group: &str,
    _dir: &Path,
    _base: &str,
    log: &OutLog,
) -> Result<()> {
    log.warning(
        "orientation-map analysis is not available in this build; only activity was analysed",
    );
    Ok(())
}
