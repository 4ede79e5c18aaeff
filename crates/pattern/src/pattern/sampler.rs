//! imagen's `PatternSampler` (imagen/image.py): an image scaled by
//! `size_normalization` and the pattern's width and height, sampled at
//! the nearest pixel, with a background value outside it.

use super::call::components;
use super::output_fns;
use super::PatternError;
use crate::image::{self, Image};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};
use topo_spec::{Component, Value};

/// `PatternSampler.size_normalization`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SizeNormalization {
    /// One image pixel per sheet unit at size 1.
    Original,
    /// Both dimensions stretched to the unit square.
    StretchToFit,
    /// The shorter dimension fills the unit length.
    FitShortest,
    /// The longer dimension fills the unit length.
    FitLongest,
}

impl SizeNormalization {
    /// The value of the ObjectSelector, or `None` if it is not one of
    /// imagen's four names.
    pub fn parse(s: &str) -> Option<SizeNormalization> {
        Some(match s {
            "original" => SizeNormalization::Original,
            "stretch_to_fit" => SizeNormalization::StretchToFit,
            "fit_shortest" => SizeNormalization::FitShortest,
            "fit_longest" => SizeNormalization::FitLongest,
            _ => return None,
        })
    }
}

/// An image after `whole_pattern_output_fns`, with its background value.
#[derive(Debug)]
pub(crate) struct Prepared {
    rows: usize,
    cols: usize,
    data: Vec<f64>,
    background: f64,
}

/// The sampler's settings read from its component.
pub(crate) struct Sampler<'c> {
    normalization: SizeNormalization,
    output_fns: Vec<&'c Component>,
    edge_average: bool,
}

impl<'c> Sampler<'c> {
    pub(crate) fn of(c: &'c Component) -> Result<Sampler<'c>, PatternError> {
        let normalization = c
            .get("size_normalization")
            .and_then(Value::as_str)
            .and_then(SizeNormalization::parse)
            .ok_or_else(|| {
                PatternError::param(
                    c,
                    "size_normalization",
                    "one of 'original', 'stretch_to_fit', 'fit_shortest', 'fit_longest'",
                )
            })?;
        let edge_average = match c.get("background_value_fn") {
            None | Some(Value::None) => false,
            Some(Value::Function(f)) if f == "imagen.image.edge_average" => true,
            Some(_) => {
                return Err(PatternError::param(
                    c,
                    "background_value_fn",
                    "None or imagen.image.edge_average",
                ))
            }
        };
        Ok(Sampler {
            normalization,
            output_fns: components(c, "whole_pattern_output_fns")?,
            edge_average,
        })
    }

    /// The image in `path` (its grayscale array, or with `channel` that
    /// channel of [`Image::channels`], as `GenericImage._process_channels`
    /// hands each to the sampler) prepared for this sampler: read once
    /// per process, normalized once per distinct sampler setting.
    pub(crate) fn prepare(
        &self,
        path: &str,
        channel: Option<usize>,
    ) -> Result<Arc<Prepared>, PatternError> {
        let mut key = format!("{path}\u{0}{}\u{0}{channel:?}", self.edge_average);
        for f in &self.output_fns {
            key.push_str(&format!("\u{0}{}:{:?}", f.class, f.get("norm_value")));
        }
        type Cache = Mutex<HashMap<String, Arc<Prepared>>>;
        static PREPARED: OnceLock<Cache> = OnceLock::new();
        let cache = PREPARED.get_or_init(Default::default);
        if let Some(p) = cache.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
            return Ok(p.clone());
        }
        let img = image::load(Path::new(path)).map_err(|e| PatternError::Image(e.to_string()))?;
        let data = match channel {
            None => &img.gray,
            Some(k) => img.channels.get(k).ok_or_else(|| {
                PatternError::Image(format!(
                    "image {path} has {} channels, not channel {k}",
                    img.channels.len()
                ))
            })?,
        };
        let prepared = Arc::new(self.prepare_image(&img, data)?);
        let mut g = cache.lock().unwrap_or_else(|p| p.into_inner());
        Ok(g.entry(key).or_insert(prepared).clone())
    }

    /// `PatternSampler.__call__` up to sampling: a float copy of the
    /// image, the whole-pattern output functions in order, then the
    /// background value.
    fn prepare_image(&self, img: &Image, data: &[f64]) -> Result<Prepared, PatternError> {
        let mut data = data.to_vec();
        for f in &self.output_fns {
            output_fns::apply_one(f, &mut data, "PatternSampler.whole_pattern_output_fns")?;
        }
        let background = if self.edge_average {
            edge_average(&data, img.rows, img.cols)
        } else {
            0.0
        };
        Ok(Prepared {
            rows: img.rows,
            cols: img.cols,
            data,
            background,
        })
    }

    /// Sample the prepared image at pattern coordinates `(px, py)` of a
    /// sheet with densities `(xd, yd)`, the image `width` x `height` in
    /// sheet units.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn sample(
        &self,
        img: &Prepared,
        px: &[f64],
        py: &[f64],
        xd: f64,
        yd: f64,
        width: f64,
        height: f64,
    ) -> Vec<f64> {
        let (rows, cols) = (img.rows, img.cols);
        if width == 0.0 || height == 0.0 || rows == 0 || cols == 0 {
            return vec![img.background; px.len()];
        }
        let (rf, cf) = (rows as f64, cols as f64);
        let (sx, sy) = match self.normalization {
            SizeNormalization::Original => (None, None),
            SizeNormalization::StretchToFit => (Some(cf / xd), Some(rf / yd)),
            SizeNormalization::FitShortest => {
                let sf = if rows < cols { rf / yd } else { cf / xd };
                (Some(sf), Some(sf))
            }
            SizeNormalization::FitLongest => {
                let sf = if rows < cols { cf / xd } else { rf / yd };
                (Some(sf), Some(sf))
            }
        };
        // The image's own SheetCoordinateSystem: density 1, bounds
        // (-cols/2, -rows/2, cols/2, rows/2).
        let (left, bottom, right, top) = (-cf / 2.0, -rf / 2.0, cf / 2.0, rf / 2.0);
        px.iter()
            .zip(py)
            .map(|(&x0, &y0)| {
                let mut x = x0 * xd;
                let mut y = y0 * yd;
                if let (Some(a), Some(b)) = (sx, sy) {
                    x *= a;
                    y *= b;
                }
                x /= width;
                y /= height;
                if x >= left && x < right && y > bottom && y <= top {
                    let r = ((top - y) * 1.0).floor().clamp(0.0, rf - 1.0) as usize;
                    let c = ((x - left) * 1.0).floor().clamp(0.0, cf - 1.0) as usize;
                    img.data[r * cols + c]
                } else {
                    img.background
                }
            })
            .collect()
    }
}

/// imagen's `edge_average`: the mean of the border pixels (each sum is
/// numpy's pairwise sum; the four sums are added top, bottom, left,
/// right).
fn edge_average(a: &[f64], rows: usize, cols: usize) -> f64 {
    if rows * cols < 2 {
        return a.first().copied().unwrap_or(f64::NAN);
    }
    let top = &a[..cols];
    let bottom = &a[(rows - 1) * cols..];
    let inner = rows.saturating_sub(2);
    let left: Vec<f64> = (1..=inner).map(|r| a[r * cols]).collect();
    let right: Vec<f64> = (1..=inner).map(|r| a[r * cols + cols - 1]).collect();
    let sum = crate::summation::numpy_sum(top)
        + crate::summation::numpy_sum(bottom)
        + crate::summation::numpy_sum(&left)
        + crate::summation::numpy_sum(&right);
    let n = top.len() + bottom.len() + left.len() + right.len();
    sum / n as f64
}
