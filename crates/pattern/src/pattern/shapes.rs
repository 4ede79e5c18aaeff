//! The element-wise shape functions of imagen (`imagen/__init__.py`
//! `function` methods and `patternfn.py`), written with the same operation
//! order as numpy evaluates them so the results are bit-identical.

use std::f64::consts::PI;

/// `Gaussian.function`: `exp(-0.5 (x/xσ)² - 0.5 (y/yσ)²)`, yσ = size/2,
/// xσ = aspect·yσ; all zeros when a sigma is 0.
pub(crate) fn gaussian(px: &[f64], py: &[f64], size: f64, aspect: f64) -> Vec<f64> {
    let ysigma = size / 2.0;
    let xsigma = aspect * ysigma;
    if xsigma == 0.0 || ysigma == 0.0 {
        return px.iter().map(|x| x * 0.0).collect();
    }
    if super::fast_gaussians_on() {
        let mut out = vec![0.0; px.len()];
        gaussian_exponents(px, py, xsigma, ysigma, &mut out);
        for v in out.iter_mut() {
            *v = v.exp();
        }
        return out;
    }
    px.iter()
        .zip(py)
        .map(|(x, y)| {
            let x_w = x / xsigma;
            let y_h = y / ysigma;
            (-0.5 * x_w * x_w + -0.5 * y_h * y_h).exp()
        })
        .collect()
}

/// The exponents `-0.5 (x/xσ)² - 0.5 (y/yσ)²` of [`gaussian`], with the
/// same operations in the same order, in a loop of their own (no call
/// inside, so the divisions are vectorised; issue 14 session 11).
pub(crate) fn gaussian_exponents(
    px: &[f64],
    py: &[f64],
    xsigma: f64,
    ysigma: f64,
    out: &mut [f64],
) {
    for ((o, x), y) in out.iter_mut().zip(px).zip(py) {
        let x_w = x / xsigma;
        let y_h = y / ysigma;
        *o = -0.5 * x_w * x_w + -0.5 * y_h * y_h;
    }
}

/// `Disk.function` / `patternfn.disk`: 1 inside the ellipse of height
/// `size` and width `size·aspect`, Gaussian fall-off of width `smoothing`
/// outside (none if 0).
pub(crate) fn disk(px: &[f64], py: &[f64], size: f64, aspect: f64, smoothing: f64) -> Vec<f64> {
    if aspect == 0.0 {
        return px.iter().map(|x| x * 0.0).collect();
    }
    let radius = size / 2.0;
    let sigmasq = smoothing * smoothing;
    px.iter()
        .zip(py)
        .map(|(px, y)| {
            let x = px / aspect;
            let outside = (x * x + y * y).sqrt() - radius;
            let falloff = if sigmasq == 0.0 {
                x * 0.0
            } else {
                (-outside * outside / (2.0 * sigmasq)).exp()
            };
            if outside <= 0.0 {
                1.0
            } else {
                falloff
            }
        })
        .collect()
}

/// `patternfn.line`: 1 within `thickness/2` of the line y = 0, Gaussian
/// fall-off of width `smoothing` beyond; the same per-point function user
/// pattern generators call ([`topo_spec::userclass::line`]).
pub(crate) fn line(py: &[f64], thickness: f64, smoothing: f64) -> Vec<f64> {
    py.iter()
        .map(|&y| topo_spec::userclass::line(y, thickness, smoothing))
        .collect()
}

/// `Line.function` with `enforce_minimal_thickness`: the thickness is at
/// least one pixel, and the line is shifted by half a pixel when that turns
/// on fewer pixels (so it never doubles). `py` must cover the whole grid.
pub(crate) fn line_minimal(
    py: &[f64],
    thickness: f64,
    smoothing: f64,
    xdensity: f64,
    ydensity: f64,
) -> Vec<f64> {
    let pixel = (1.0 / xdensity).max(1.0 / ydensity);
    let effective = if pixel > thickness { pixel } else { thickness };
    let count = |ys: &[f64]| -> f64 { line(ys, effective, 0.0).iter().sum() };
    let shifted: Vec<f64> = py.iter().map(|y| y + pixel / 2.0).collect();
    let chosen = if count(py) < count(&shifted) {
        py
    } else {
        &shifted[..]
    };
    line(chosen, effective, smoothing)
}

/// `SineGrating.function`: `0.5 + 0.5 sin(2π·frequency·y + phase)`.
pub(crate) fn sine_grating(py: &[f64], frequency: f64, phase: f64) -> Vec<f64> {
    let k = frequency * 2.0 * PI;
    py.iter()
        .map(|y| 0.5 + 0.5 * (k * y + phase).sin())
        .collect()
}
