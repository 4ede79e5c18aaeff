//! Every sheet of the reference models (`tests/data/geometry_sheets.json`,
//! from Topographica's `geometry.json`): true bounds, densities, shape and
//! unit centres from the nominal bounds and density, exactly (bit for bit).

use crate::common;

use common::{floats, load};
use topo_pattern::{BoundingBox, SheetCoords};

#[test]
fn every_sheet_matches_exactly() {
    let geo = load("geometry_sheets.json");
    let mut n = 0;
    for (model, sheets) in geo["models"].as_object().unwrap() {
        for (name, s) in sheets.as_object().unwrap() {
            let label = format!("{model} {name}");
            let nb = floats(&s["nominal_bounds_lbrt"]);
            let nominal = BoundingBox::from_lbrt([nb[0], nb[1], nb[2], nb[3]]);
            let density = s["nominal_density"].as_f64().unwrap();
            let scs = SheetCoords::from_nominal(nominal, density).unwrap();
            let tb = floats(&s["true_bounds_lbrt"]);
            assert_eq!(scs.bounds().lbrt().to_vec(), tb, "{label}: true bounds");
            assert_eq!(
                scs.xdensity(),
                s["xdensity"].as_f64().unwrap(),
                "{label}: xdensity"
            );
            assert_eq!(
                scs.ydensity(),
                s["ydensity"].as_f64().unwrap(),
                "{label}: ydensity"
            );
            let shape = floats(&s["shape"]);
            assert_eq!(
                (scs.rows() as f64, scs.cols() as f64),
                (shape[0], shape[1]),
                "{label}: shape"
            );
            let xs = scs.x_centres();
            for (c, (got, want)) in xs.iter().zip(floats(&s["column_centre_x"])).enumerate() {
                assert_eq!(*got, want, "{label}: x centre of column {c}");
            }
            let ys = scs.y_centres();
            for (r, (got, want)) in ys.iter().zip(floats(&s["row_centre_y"])).enumerate() {
                assert_eq!(*got, want, "{label}: y centre of row {r}");
            }
            assert_eq!(xs.len(), scs.cols());
            assert_eq!(ys.len(), scs.rows());
            // Each centre maps back to its own unit.
            for (r, y) in ys.iter().enumerate() {
                for (c, x) in xs.iter().enumerate() {
                    assert_eq!(scs.sheet2matrixidx(*x, *y), (r as i64, c as i64), "{label}");
                }
            }
            n += 1;
        }
    }
    assert_eq!(n, 12, "sheets checked");
}
