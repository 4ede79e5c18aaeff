//! The decomposition of a whole model: every sheet's geometry from the spec
//! (the same true bounds and shape the engine computes), and the grid that
//! cuts them all along common lines.

use crate::grid::{GridDecomposition, GridError};
use crate::report::SheetGeometry;
use std::fmt;
use topo_spec::{ModelSpec, SheetSpec};

/// Why a model's geometry cannot be computed.
#[derive(Debug, Clone, PartialEq)]
pub enum ModelGeometryError {
    /// A sheet parameter is missing or malformed.
    Sheet {
        /// The sheet.
        sheet: String,
        /// What is wrong.
        message: String,
    },
    /// The grid cannot be made.
    Grid(GridError),
}

impl fmt::Display for ModelGeometryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModelGeometryError::Sheet { sheet, message } => write!(f, "sheet {sheet}: {message}"),
            ModelGeometryError::Grid(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ModelGeometryError {}

/// One sheet's true bounds and shape (Topographica's density equalisation).
pub fn sheet_geometry(s: &SheetSpec) -> Result<SheetGeometry, ModelGeometryError> {
    let err = |message: String| ModelGeometryError::Sheet {
        sheet: s.name.clone(),
        message,
    };
    let coords = topo_sim::sheet_coords(s).map_err(|e| err(e.to_string()))?;
    Ok(SheetGeometry {
        name: s.name.clone(),
        rows: coords.rows(),
        cols: coords.cols(),
        lbrt: coords.bounds().lbrt(),
    })
}

/// Every sheet's geometry, in spec order.
pub fn model_geometry(spec: &ModelSpec) -> Result<Vec<SheetGeometry>, ModelGeometryError> {
    spec.sheets.iter().map(sheet_geometry).collect()
}

/// The decomposition of `spec` over `size` ranks as seen by `rank`: the
/// common box of all sheets cut into a near-square grid.
pub fn decomposition_for(
    spec: &ModelSpec,
    size: usize,
    rank: usize,
) -> Result<GridDecomposition, ModelGeometryError> {
    let lbrts: Vec<[f64; 4]> = model_geometry(spec)?.iter().map(|g| g.lbrt).collect();
    GridDecomposition::for_sheets(size, rank, &lbrts).map_err(ModelGeometryError::Grid)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use topo_spec::{Component, Value};

    fn sheet(name: &str, radius: f64, density: f64) -> SheetSpec {
        let mut params = BTreeMap::new();
        params.insert(
            "nominal_bounds".to_string(),
            Value::BoundingBox([-radius, -radius, radius, radius]),
        );
        params.insert("nominal_density".to_string(), Value::Float(density));
        SheetSpec {
            name: name.into(),
            component: Component {
                class: "topo.base.generatorsheet.GeneratorSheet".into(),
                id: 1,
                params,
            },
        }
    }

    #[test]
    fn geometry_follows_topographica_sizing() {
        // holoviews core/sheetcoords.py, SheetCoordinateSystem's
        // __equalize_densities: radius 1.27083 at density 24 is 60x60
        // (int() of 60.9998 loses a unit); radius 0.5 at density 8 is 8x8.
        let g = sheet_geometry(&sheet("LGNOn", 1.27083, 24.0)).unwrap();
        assert_eq!((g.rows, g.cols), (60, 60));
        let g = sheet_geometry(&sheet("V1", 0.5, 8.0)).unwrap();
        assert_eq!((g.rows, g.cols), (8, 8));
        assert_eq!(g.lbrt, [-0.5, -0.5, 0.5, 0.5]);
    }

    #[test]
    fn the_cut_box_is_the_cortex() {
        let spec = ModelSpec {
            sheets: vec![
                sheet("Retina", 1.64583, 24.0),
                sheet("LGNOn", 1.27083, 24.0),
                sheet("V1", 0.5, 8.0),
            ],
            ..Default::default()
        };
        let d = decomposition_for(&spec, 4, 3).unwrap();
        assert_eq!(d.cut_box(), [-0.5, -0.5, 0.5, 0.5]);
        assert_eq!(d.rank(), 3);
    }

    #[test]
    fn a_bad_sheet_is_an_error() {
        let mut s = sheet("V1", 0.5, 8.0);
        s.component.params.remove("nominal_density");
        assert!(sheet_geometry(&s).is_err());
    }
}
