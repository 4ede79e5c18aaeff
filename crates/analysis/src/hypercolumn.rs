//! Hypercolumn size from the ring of a map's Fourier power spectrum and
//! the pinwheel density per hypercolumn² (featuremapper
//! `analysis/hypercolumns.py: PowerSpectrumAnalysis`, `analysis/raster.py:
//! fft_power`; Kaschube et al. 2010, Stevens et al. 2013).

use crate::error::{AnalysisError, Result};
use crate::fft::{fft2, fftshift, Complex};
use crate::grid::Grid;
use crate::lm::levenberg_marquardt;
use std::f64::consts::PI;

/// Evaluation budget of the fit (featuremapper passes `maxfev=10000`).
const MAX_EVALUATIONS: usize = 10_000;

/// Heavy-tail parameter of the gamma kernel of the map-quality metric
/// (featuremapper `gamma_k`).
pub const GAMMA_K: f64 = 1.8;

/// Power spectrum of a cyclic map as featuremapper's `fft_power` computes
/// it: values normalised to `[0, 1]` by the cyclic range `(lower, upper)`,
/// `|fftshift(fft2(x − 0.5))|`, inverted (`1 − s`) and rescaled so the
/// minimum is 0 and the maximum `max_power` — high power is dark (low).
pub fn fft_power(map: Grid<'_>, lower: f64, upper: f64, max_power: f64) -> Result<Vec<f64>> {
    if map.is_empty() {
        return Err(AnalysisError::InvalidParameter(
            "fft_power: empty map".into(),
        ));
    }
    let range = upper - lower;
    if !(range > 0.0 && range.is_finite()) {
        return Err(AnalysisError::InvalidParameter(format!(
            "fft_power: bad value range ({lower}, {upper})"
        )));
    }
    let input: Vec<Complex> = map
        .data()
        .iter()
        .map(|&v| Complex::new((v - lower) / range - 0.5, 0.0))
        .collect();
    let (rows, cols) = (map.rows(), map.cols());
    let spectrum = fftshift(&fft2(&input, rows, cols), rows, cols);
    let inverted: Vec<f64> = spectrum.iter().map(|z| 1.0 - z.norm()).collect();
    let min = inverted.iter().cloned().fold(f64::INFINITY, f64::min);
    let max = inverted.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let span = max - min;
    // numpy would give NaN for a constant spectrum (0/0); a flat zero
    // spectrum is the useful answer here.
    Ok(inverted
        .iter()
        .map(|v| {
            if span > 0.0 {
                max_power * (v - min) / span
            } else {
                0.0
            }
        })
        .collect())
}

/// Mean power per integer wavenumber of a square spectrum from
/// [`fft_power`] (featuremapper `wavenumber_spectrum`).
///
/// Reproduces featuremapper exactly, including its handling of even
/// sizes: the last row and column are dropped to make the size odd and
/// distances are measured from the centre of the cropped array, which for
/// an even input lies one pixel up-left of the DC term. Entry `k` is the
/// mean over pixels at distance `[k, k+1)`; the last entry also takes the
/// corners beyond it.
pub fn wavenumber_spectrum(spectrum: &[f64], dim: usize) -> Result<Vec<f64>> {
    if dim == 0 || spectrum.len() != dim * dim {
        return Err(AnalysisError::Shape {
            what: "square power spectrum".into(),
            expected: dim * dim,
            actual: spectrum.len(),
        });
    }
    let odd = if dim.is_multiple_of(2) { dim - 1 } else { dim };
    if odd == 0 {
        return Err(AnalysisError::InvalidParameter(
            "wavenumber spectrum needs a map of at least 2x2".into(),
        ));
    }
    let half = odd / 2;
    let nbins = half + 1;
    let mut sums = vec![0.0; nbins];
    let mut counts = vec![0usize; nbins];
    for r in 0..odd {
        for c in 0..odd {
            let (y, x) = (r as f64 - half as f64, c as f64 - half as f64);
            let d = (x * x + y * y).sqrt();
            // np.digitize against bins 0..=half, shifted to start at 0.
            let k = (d.floor() as usize).min(half);
            sums[k] += 1.0 - spectrum[r * dim + c];
            counts[k] += 1;
        }
    }
    Ok(sums
        .iter()
        .zip(&counts)
        .map(|(s, &n)| s / n as f64)
        .collect())
}

/// Kaschube et al. (2010) eq. 7:
/// `a0·exp(−(k−a1)²/(2·a2²)) + a3 + a4·k + a5·k²`.
pub fn kaschube_fn(k: f64, a: &[f64; 6]) -> f64 {
    let exponent = -((k - a[1]).powi(2)) / (2.0 * a[2].powi(2));
    a[0] * exponent.exp() + a[3] + a[4] * k + a[5] * k * k
}

/// Fits [`kaschube_fn`] to `amplitudes[k]` at `k = 0, 1, ...` by
/// Levenberg–Marquardt from `init`. `None` if the fit does not converge
/// or gives non-finite coefficients.
pub fn kaschube_fit(amplitudes: &[f64], init: [f64; 6]) -> Option<[f64; 6]> {
    let m = amplitudes.len();
    let residuals = |p: &[f64], out: &mut [f64]| {
        let a: [f64; 6] = p.try_into().expect("six parameters");
        for (k, o) in out.iter_mut().enumerate() {
            *o = kaschube_fn(k as f64, &a) - amplitudes[k];
        }
    };
    let jacobian = |p: &[f64], out: &mut [f64]| {
        for k in 0..m {
            let kf = k as f64;
            let d = kf - p[1];
            let e = (-(d * d) / (2.0 * p[2] * p[2])).exp();
            let row = &mut out[k * 6..(k + 1) * 6];
            row[0] = e;
            row[1] = p[0] * e * d / (p[2] * p[2]);
            row[2] = p[0] * e * d * d / (p[2] * p[2] * p[2]);
            row[3] = 1.0;
            row[4] = kf;
            row[5] = kf * kf;
        }
    };
    let fit = levenberg_marquardt(&init, m, residuals, jacobian, MAX_EVALUATIONS);
    let a: [f64; 6] = fit.params.as_slice().try_into().ok()?;
    (fit.converged && a.iter().all(|v| v.is_finite())).then_some(a)
}

/// The pinwheel-density quality metric of featuremapper (`gamma_metric`):
/// a gamma kernel with shape `k = 1.8` and mode π, scaled to 1 at π.
/// (featuremapper computes it and then stores 0 in its result table.)
pub fn gamma_metric(rho: f64) -> f64 {
    let theta = PI / (GAMMA_K - 1.0);
    // The Γ(k) and θ^k factors cancel in the ratio to the value at π.
    if rho <= 0.0 {
        return 0.0;
    }
    (rho / PI).powf(GAMMA_K - 1.0) * (-(rho - PI) / theta).exp()
}

/// Result of the power-spectrum analysis of one map.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Hypercolumns {
    /// Mean power per wavenumber `k = 0, 1, ...` (cycles per map width).
    pub amplitudes: Vec<f64>,
    /// Kaschube fit coefficients `a0..a5`, if the fit converged to a peak
    /// (`a0 > 0`) inside the measured wavenumbers (`0 < a1 <= k_last`).
    pub fit: Option<[f64; 6]>,
    /// Wavenumber of the ring: `a1` of a valid fit, else the arg-max for `k >= 1`.
    pub kmax: f64,
    /// `kmax` minus the arg-max wavenumber.
    pub k_delta: f64,
    /// Map width in units divided by `kmax` (the width itself if `kmax <= 1`).
    pub units_per_hypercolumn: f64,
    /// Sheet density divided by units per hypercolumn: hypercolumns per unit sheet length.
    pub cycles: f64,
}

/// Hypercolumn size of a square cyclic map with values in `[lower, upper)`
/// (`density`: units per unit sheet length, only used for `cycles`).
/// The fit starts, as featuremapper's, at
/// `[peak − mean, argmax_{k≥1}, 4, mean, 0, 0]`.
pub fn hypercolumns(map: Grid<'_>, lower: f64, upper: f64, density: f64) -> Result<Hypercolumns> {
    hypercolumns_with_init(map, lower, upper, density, None)
}

/// [`hypercolumns`] with featuremapper's `init_fit` option: explicit
/// starting coefficients `a0..a5` for the fit (e.g. Stevens et al. 2013
/// used `[0.35, 3.8, 1.3, 0.15, -0.003, 0]`); `None` for the automatic start.
pub fn hypercolumns_with_init(
    map: Grid<'_>,
    lower: f64,
    upper: f64,
    density: f64,
    init: Option<[f64; 6]>,
) -> Result<Hypercolumns> {
    if map.rows() != map.cols() {
        return Err(AnalysisError::InvalidParameter(format!(
            "hypercolumn analysis needs a square map, got {}x{}",
            map.rows(),
            map.cols()
        )));
    }
    let dim = map.rows();
    let spectrum = fft_power(map, lower, upper, 1.0)?;
    let amplitudes = wavenumber_spectrum(&spectrum, dim)?;
    if amplitudes.len() < 2 {
        return Err(AnalysisError::InvalidParameter(
            "hypercolumn analysis needs a map of at least 3x3".into(),
        ));
    }
    // First maximum over k >= 1, as np.argmax.
    let argmax = (1..amplitudes.len()).fold(1, |best, k| {
        if amplitudes[k] > amplitudes[best] {
            k
        } else {
            best
        }
    });
    let baseline = amplitudes.iter().sum::<f64>() / amplitudes.len() as f64;
    let height = amplitudes[argmax] - baseline;
    let init = init.unwrap_or([height, argmax as f64, 4.0, baseline, 0.0, 0.0]);
    // featuremapper accepts any a1 > 0. A peak beyond the measured
    // wavenumbers, or a negative Gaussian (a dip), is a fit that has
    // turned the Gaussian into background rather than finding the ring;
    // such fits fall back to the arg-max, as a failed fit does.
    let k_limit = (amplitudes.len() - 1) as f64;
    let fit =
        kaschube_fit(&amplitudes, init).filter(|a| a[0] > 0.0 && a[1] > 0.0 && a[1] <= k_limit);
    let kmax = fit.map_or(argmax as f64, |a| a[1]);
    let units_per_hypercolumn = if kmax <= 1.0 {
        dim as f64
    } else {
        dim as f64 / kmax
    };
    Ok(Hypercolumns {
        amplitudes,
        fit,
        kmax,
        k_delta: kmax - argmax as f64,
        units_per_hypercolumn,
        cycles: density / units_per_hypercolumn,
    })
}

/// Pinwheel density per hypercolumn² (Kaschube 2010: ≈ π in cat, tree
/// shrew and galago maps): `pinwheel_count / kmax²`.
pub fn pinwheel_density(pinwheel_count: usize, kmax: f64) -> f64 {
    pinwheel_count as f64 / (kmax * kmax)
}
