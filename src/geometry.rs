//! `topo-hpc model --geometry`: every sheet's true bounds, density and
//! shape, and every projection's slice template and learning-rate divisor,
//! exactly as Topographica sizes them.

use crate::session::model_geometry;
use anyhow::{anyhow, Result};
use serde::Serialize;
use std::collections::BTreeMap;
use topo_sim::exchange::{Block, Decomposition, LocalExchange};
use topo_sim::Network;
use topo_spec::ModelSpec;

/// One sheet's entry in the [`GeometryReport`]: its geometry as Topographica
/// computes it, with both densities.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct SheetEntry {
    /// True bounds `[l, b, r, t]`.
    pub bounds: [f64; 4],
    /// Density along x.
    pub xdensity: f64,
    /// Density along y.
    pub ydensity: f64,
    /// `[rows, cols]`.
    pub shape: [usize; 2],
}

/// One projection's entry in the [`GeometryReport`].
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct ProjectionEntry {
    /// Source sheet.
    pub src: String,
    /// Slice template `[rows, cols]` (odd).
    pub template_shape: [usize; 2],
    /// Learning-rate divisor.
    pub n_units: usize,
}

/// The whole report (`--geometry --json` prints it as is).
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct GeometryReport {
    /// By sheet name.
    pub sheets: BTreeMap<String, SheetEntry>,
    /// By `DEST.NAME`.
    pub projections: BTreeMap<String, ProjectionEntry>,
}

/// Owns nothing: templates are computed, no unit's weights are drawn.
struct NoUnits;

impl Decomposition for NoUnits {
    fn block(&self, _sheet: &str, _rows: usize, _cols: usize, _lbrt: [f64; 4]) -> Block {
        Block::default()
    }
}

/// Compute the report from a spec (cheap even for large models: no weights
/// are generated).
pub fn geometry_report(spec: &ModelSpec) -> Result<GeometryReport> {
    let mut sheets = BTreeMap::new();
    for (s, g) in spec.sheets.iter().zip(model_geometry(spec)?) {
        let c = crate::session::sheet_coords(s)?;
        sheets.insert(
            g.name.clone(),
            SheetEntry {
                bounds: g.lbrt,
                xdensity: c.xdensity(),
                ydensity: c.ydensity(),
                shape: [g.rows, g.cols],
            },
        );
    }
    let net =
        Network::build(spec, &NoUnits, &mut LocalExchange::new()).map_err(|e| anyhow!("{e}"))?;
    let mut projections = BTreeMap::new();
    for (dest, name) in net.projection_names() {
        let p = net.projection(&dest, &name).map_err(|e| anyhow!("{e}"))?;
        projections.insert(
            format!("{dest}.{name}"),
            ProjectionEntry {
                src: p.spec.src.clone(),
                template_shape: [p.cfs.template_shape.0, p.cfs.template_shape.1],
                n_units: p.cfs.n_units,
            },
        );
    }
    Ok(GeometryReport {
        sheets,
        projections,
    })
}

/// Human-readable form.
pub fn geometry_text(g: &GeometryReport) -> String {
    let mut s = String::from("Sheets:\n");
    for (name, sh) in &g.sheets {
        s += &format!(
            "  {name:<12} bounds [{:.6}, {:.6}, {:.6}, {:.6}] density {:.6} x {:.6} shape {} x {}\n",
            sh.bounds[0], sh.bounds[1], sh.bounds[2], sh.bounds[3], sh.xdensity, sh.ydensity, sh.shape[0], sh.shape[1]
        );
    }
    s += "Projections:\n";
    for (name, p) in &g.projections {
        s += &format!(
            "  {name:<28} from {:<8} template {} x {} n_units {}\n",
            p.src, p.template_shape[0], p.template_shape[1], p.n_units
        );
    }
    s
}
