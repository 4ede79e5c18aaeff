//! Small closed-form patterns the engine evaluates itself.

/// imagen's `gaussian(x, y, xsigma, ysigma)` with its operation order:
/// `exp(-0.5*x/xs*x/xs + -0.5*y/ys*y/ys)`, zero if a sigma is zero.
pub fn gaussian(x: f64, y: f64, xsigma: f64, ysigma: f64) -> f64 {
    if xsigma == 0.0 || ysigma == 0.0 {
        return 0.0;
    }
    let xw = x / xsigma;
    let yh = y / ysigma;
    (-0.5 * xw * xw + -0.5 * yh * yh).exp()
}
