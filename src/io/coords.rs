//! Coordinates for the arrays of run files and snapshots, the netCDF-4 way:
//! HDF5 dimension scales (`CLASS=DIMENSION_SCALE`, `DIMENSION_LIST` on the
//! array, `REFERENCE_LIST` on the scale), written with the HDF5 high-level
//! library's `H5DSset_scale`/`H5DSattach_scale` exactly as h5py and
//! netCDF-C write them, so that h5netcdf (and so xarray) reads every sheet
//! group as a labelled dataset.
//!
//! Every 2-D array of a sheet (any name: whatever the analysis writes) gets
//! the sheet's `y` and `x` scales, the sheet coordinates of unit centres
//! (row 0 = top = largest y, as the arrays themselves); one-element results
//! in an analysis group get the `time` dimension; any further axis gets an
//! index scale of its own (`cf_offset` for weights). The labelling is a set
//! of metadata operations, so in parallel HDF5 every rank makes it with the
//! same arguments in the same order: the walk visits members sorted by name
//! and decides from the file's metadata alone, which all ranks share.

use super::h5::{Attr, H5File};
use anyhow::{anyhow, Context as _, Result};
use hdf5_sys::h5::herr_t;
use hdf5_sys::h5i::hid_t;
use std::ffi::CString;
use std::os::raw::{c_char, c_uint};
use topo_spec::ModelSpec;

#[link(name = "hdf5_hl")]
extern "C" {
    fn H5DSset_scale(dsid: hid_t, dimname: *const c_char) -> herr_t;
    fn H5DSattach_scale(did: hid_t, dsid: hid_t, idx: c_uint) -> herr_t;
    fn H5DSis_scale(did: hid_t) -> i32;
}

/// The coordinates of a sheet's unit centres.
#[derive(Clone, Debug, PartialEq)]
pub struct SheetAxes {
    /// Sheet name.
    pub sheet: String,
    /// y of each row's centre, top row first (decreasing).
    pub y: Vec<f64>,
    /// x of each column's centre, left to right.
    pub x: Vec<f64>,
}

impl SheetAxes {
    /// Every sheet of `spec`, from its nominal bounds and density.
    pub fn of_model(spec: &ModelSpec) -> Result<Vec<SheetAxes>> {
        spec.sheets
            .iter()
            .map(|s| {
                let c = topo_sim::sheet_coords(s).map_err(|e| anyhow!("{e}"))?;
                Ok(SheetAxes {
                    sheet: s.name.clone(),
                    y: c.y_centres(),
                    x: c.x_centres(),
                })
            })
            .collect()
    }
}

/// Collective: label every array under `group` (recursively) with `axes`
/// (when given) and, when `time` is given, one-element arrays with a
/// one-element `time` dimension. Arrays already labelled are left alone,
/// so a group may be labelled again after more arrays were written.
pub fn label_group(
    f: &H5File,
    is_root: bool,
    group: &str,
    axes: Option<&SheetAxes>,
    time: Option<f64>,
) -> Result<()> {
    let g = f
        .file()
        .group(group)
        .with_context(|| format!("no group {group}"))?;
    let mut names = g.member_names()?;
    names.sort();
    let mut arrays = Vec::new();
    for n in names {
        let path = format!("{group}/{n}");
        if let Ok(ds) = g.dataset(&n) {
            if !is_scale(&ds) && ds.attr("DIMENSION_LIST").is_err() {
                arrays.push((n, ds.shape()));
            }
        } else if g.group(&n).is_ok() {
            label_group(f, is_root, &path, axes, time)?;
        }
    }
    for (name, shape) in arrays {
        let dims = dims_of(&name, &shape, axes, time);
        for (k, (dim, values)) in dims.iter().enumerate() {
            let scale = format!("{group}/{dim}");
            if f.file().dataset(&scale).is_err() {
                make_scale(f, is_root, &scale, dim, values)?;
            }
            attach(f, &format!("{group}/{name}"), &scale, k)?;
        }
        let (long_name, units) = describe(&name);
        let path = format!("{group}/{name}");
        f.set_attr(&path, "long_name", &Attr::Str(long_name))?;
        if let Some(u) = units {
            f.set_attr(&path, "units", &Attr::Str(u.into()))?;
        }
    }
    Ok(())
}

/// Collective: label one analysis time's group of the run file
/// (`analysis/<timestr>`): each sheet's group gets that sheet's axes and the
/// time.
pub fn label_analysis(
    f: &H5File,
    is_root: bool,
    group: &str,
    spec: &ModelSpec,
    time: f64,
) -> Result<()> {
    let axes = SheetAxes::of_model(spec)?;
    let g = f.file().group(group)?;
    let mut names = g.member_names()?;
    names.sort();
    for n in names {
        let path = format!("{group}/{n}");
        if g.group(&n).is_ok() {
            label_group(
                f,
                is_root,
                &path,
                axes.iter().find(|a| a.sheet == n),
                Some(time),
            )?;
        }
    }
    Ok(())
}

/// Collective: label a snapshot being written: `sheets/<S>/...` with S's
/// axes, `projections/<D>.<P>/...` with the destination D's, the rest with
/// index scales.
pub fn label_snapshot(f: &H5File, is_root: bool, spec: &ModelSpec) -> Result<()> {
    let axes = SheetAxes::of_model(spec)?;
    let root = f.file().as_group()?;
    let mut tops = root.member_names()?;
    tops.sort();
    for top in tops {
        let Ok(g) = root.group(&top) else { continue };
        match top.as_str() {
            "sheets" | "projections" => {
                let mut names = g.member_names()?;
                names.sort();
                for n in names {
                    let sheet = n.split('.').next().unwrap_or(&n);
                    let a = axes.iter().find(|a| a.sheet == sheet);
                    label_group(f, is_root, &format!("{top}/{n}"), a, None)?;
                }
            }
            _ => label_group(f, is_root, &top, None, None)?,
        }
    }
    Ok(())
}

fn is_scale(ds: &hdf5::Dataset) -> bool {
    // SAFETY: `ds` is an open dataset while borrowed; HDF5's lock is held.
    hdf5::sync::sync(|| unsafe { H5DSis_scale(ds.id()) > 0 })
}

/// The dimensions of array `name` of `shape`: names and coordinate values.
fn dims_of(
    name: &str,
    shape: &[usize],
    axes: Option<&SheetAxes>,
    time: Option<f64>,
) -> Vec<(String, Vec<f64>)> {
    let index = |n: usize| (0..n).map(|i| i as f64).collect::<Vec<_>>();
    let mut out = Vec::with_capacity(shape.len());
    let mut rest = 0;
    if let Some(a) = axes {
        if shape.len() >= 2 && shape[0] == a.y.len() && shape[1] == a.x.len() {
            out.push(("y".to_string(), a.y.clone()));
            out.push(("x".to_string(), a.x.clone()));
            rest = 2;
        }
    }
    if let (Some(t), [1]) = (time, shape) {
        return vec![("time".to_string(), vec![t])];
    }
    let extra = shape.len() - rest;
    for (k, &n) in shape.iter().enumerate().skip(rest) {
        let dim = match (name, extra) {
            ("weights", 1) => "cf_offset".to_string(),
            ("slices", 1) => "slice_bound".to_string(),
            _ => format!("{name}_dim{}", k - rest),
        };
        out.push((dim, index(n)));
    }
    out
}

/// `long_name` and `units` of the arrays topo-hpc writes; any other name
/// gets its own name as long name and no units.
fn describe(name: &str) -> (String, Option<&'static str>) {
    let (l, u) = match name {
        "activity" => ("activity", Some("1")),
        "mean_activity" => ("mean activity over the sheet", Some("1")),
        "OrientationPreference" => ("orientation preference", Some("radian")),
        "OrientationSelectivity" => ("orientation selectivity", Some("1")),
        "pinwheel_count" => ("number of pinwheels", Some("1")),
        "pinwheel_density" => ("pinwheels per hypercolumn area", Some("hypercolumn-2")),
        "kmax" => ("peak wavenumber of the map's power spectrum", None),
        "units_per_hypercolumn" => ("units per hypercolumn width", Some("1")),
        "weights" => ("connection field weights, cropped CF row-major", Some("1")),
        "slices" => ("CF bounds (r1, r2, c1, c2) in the source matrix", Some("1")),
        _ => return (name.replace('_', " "), None),
    };
    (l.to_string(), u)
}

/// Collective: the scale dataset `path` (rank 0 writes the values) named
/// `dim`, with its units and long name.
fn make_scale(f: &H5File, is_root: bool, path: &str, dim: &str, values: &[f64]) -> Result<()> {
    let n = values.len();
    let (count, data): (usize, &[f64]) = if is_root { (n, values) } else { (0, &[]) };
    f.write_block(path, &[n], &[0], &[count], data)?;
    let ds = f.file().dataset(path)?;
    let cname = CString::new(dim)?;
    // SAFETY: an open dataset and a NUL-terminated name; HDF5's lock is held.
    let r = hdf5::sync::sync(|| unsafe { H5DSset_scale(ds.id(), cname.as_ptr()) });
    if r < 0 {
        return Err(anyhow!("H5DSset_scale failed for {path}"));
    }
    let (long_name, units) = match dim {
        "y" => (
            "y: sheet coordinate of the unit centres, top row first",
            "sheet unit",
        ),
        "x" => ("x: sheet coordinate of the unit centres", "sheet unit"),
        "time" => ("simulation time", "iteration"),
        _ => ("index", "1"),
    };
    f.set_attr(path, "long_name", &Attr::Str(long_name.into()))?;
    f.set_attr(path, "units", &Attr::Str(units.into()))?;
    if dim == "y" || dim == "x" {
        f.set_attr(path, "axis", &Attr::Str(dim.to_uppercase()))?;
    }
    Ok(())
}

fn attach(f: &H5File, array: &str, scale: &str, k: usize) -> Result<()> {
    let a = f.file().dataset(array)?;
    let s = f.file().dataset(scale)?;
    // SAFETY: two open datasets of this file; `k` is checked by HDF5
    // against the array's rank (a negative result is an error below).
    let r = hdf5::sync::sync(|| unsafe { H5DSattach_scale(a.id(), s.id(), k as c_uint) });
    if r < 0 {
        return Err(anyhow!("H5DSattach_scale({array}, {scale}, {k}) failed"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn axes() -> SheetAxes {
        SheetAxes {
            sheet: "V1".into(),
            y: vec![0.25, -0.25],
            x: vec![-0.25, 0.25, 0.75],
        }
    }

    #[test]
    fn sheet_arrays_get_y_and_x_then_their_own_axes() {
        let a = axes();
        let d = dims_of("activity", &[2, 3], Some(&a), Some(5.0));
        assert_eq!(d[0], ("y".into(), a.y.clone()));
        assert_eq!(d[1], ("x".into(), a.x.clone()));
        let w = dims_of("weights", &[2, 3, 9], Some(&a), None);
        assert_eq!(w.len(), 3);
        assert_eq!(w[2].0, "cf_offset");
        assert_eq!(w[2].1.len(), 9);
    }

    #[test]
    fn scalars_get_time_and_odd_shapes_an_index() {
        let a = axes();
        assert_eq!(
            dims_of("mean_activity", &[1], Some(&a), Some(100.0)),
            vec![("time".to_string(), vec![100.0])]
        );
        // Transposed shape: not the sheet's, so plain index dimensions.
        let d = dims_of("thing", &[3, 2], Some(&a), None);
        assert_eq!(d[0].0, "thing_dim0");
        assert_eq!(d[1].0, "thing_dim1");
        assert_eq!(d[1].1, vec![0.0, 1.0]);
    }
}
