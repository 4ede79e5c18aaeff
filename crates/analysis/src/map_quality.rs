//! Pinwheels plus hypercolumn size of one orientation map: the numbers
//! the batch log reports (count, kmax, density per hypercolumn²).

use crate::contour::Extent;
use crate::error::Result;
use crate::grid::Grid;
use crate::hypercolumn::{gamma_metric, hypercolumns, pinwheel_density, Hypercolumns};
use crate::pinwheels::{find_pinwheels, Pinwheels};

/// Pinwheel analysis of a cyclic preference map.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MapQuality {
    /// Pinwheel positions and the contours they come from.
    pub pinwheels: Pinwheels,
    /// Power-spectrum ring and hypercolumn size.
    pub hypercolumns: Hypercolumns,
    /// Pinwheels per hypercolumn² (`count / kmax²`).
    pub rho: f64,
    /// [`gamma_metric`] of `rho` (1 at π).
    pub rho_metric: f64,
}

impl MapQuality {
    /// One line for the batch log, e.g. `V1: 115 pinwheels, kmax 5.700,
    /// 8.60 units per hypercolumn, pinwheel density 3.539 per hypercolumn²
    /// (metric 0.994)`; says when the ring fit failed and kmax is the arg-max.
    pub fn summary(&self, sheet: &str) -> String {
        let fit = if self.hypercolumns.fit.is_some() {
            ""
        } else {
            " [ring fit failed: kmax is the spectrum's arg-max]"
        };
        format!(
            "{sheet}: {} pinwheels, kmax {:.3}, {:.2} units per hypercolumn, pinwheel density {:.3} per hypercolumn² (metric {:.3}){fit}",
            self.pinwheels.count(),
            self.hypercolumns.kmax,
            self.hypercolumns.units_per_hypercolumn,
            self.rho,
            self.rho_metric
        )
    }
}

/// Runs [`find_pinwheels`] and [`hypercolumns`] on a square map with
/// values in `[0, range)`; `density` is the sheet's units per unit length.
pub fn map_quality(preference: Grid<'_>, range: f64, density: f64) -> Result<MapQuality> {
    let extent = Extent::pixels(preference.rows(), preference.cols());
    let pinwheels = find_pinwheels(preference, range, extent)?;
    let hypercolumns = hypercolumns(preference, 0.0, range, density)?;
    let rho = pinwheel_density(pinwheels.count(), hypercolumns.kmax);
    Ok(MapQuality {
        pinwheels,
        hypercolumns,
        rho,
        rho_metric: gamma_metric(rho),
    })
}
