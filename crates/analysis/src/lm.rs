//! A small Levenberg–Marquardt least-squares solver (the role of scipy's
//! `curve_fit`/MINPACK `lmdif` in featuremapper's hypercolumn fit).

/// Outcome of a fit.
#[derive(Debug, Clone, PartialEq)]
pub struct FitResult {
    /// Fitted parameters.
    pub params: Vec<f64>,
    /// Sum of squared residuals at `params`.
    pub cost: f64,
    /// Whether a convergence criterion was met before the evaluation budget ran out.
    pub converged: bool,
    /// Number of model evaluations (residual vectors) used.
    pub evaluations: usize,
}

/// Relative tolerances on the cost reduction and on the step, as scipy's
/// defaults (`ftol = xtol = 1.49012e-8`).
const TOL: f64 = 1.49012e-8;

/// Starting damping. Strong enough that the first steps are short
/// (between Gauss–Newton and gradient descent): from featuremapper's
/// broad initial Gaussian (a2 = 4) an undamped first step can throw the
/// peak far outside the spectrum into a useless local minimum, which
/// MINPACK's trust region prevents in scipy. Measured on 200 synthetic
/// maps: 1e-3 lost 14 fits that 1e-1 .. 1e2 all find.
const INITIAL_DAMPING: f64 = 1.0;

fn cost(residuals: &[f64]) -> f64 {
    residuals.iter().map(|r| r * r).sum()
}

/// Solves `a·x = b` (n x n, row-major) by Gaussian elimination with
/// partial pivoting; `None` if singular.
fn solve(mut a: Vec<f64>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let n = b.len();
    for col in 0..n {
        let pivot =
            (col..n).max_by(|&i, &j| a[i * n + col].abs().total_cmp(&a[j * n + col].abs()))?;
        if a[pivot * n + col] == 0.0 || !a[pivot * n + col].is_finite() {
            return None;
        }
        if pivot != col {
            for k in 0..n {
                a.swap(col * n + k, pivot * n + k);
            }
            b.swap(col, pivot);
        }
        for row in col + 1..n {
            let f = a[row * n + col] / a[col * n + col];
            for k in col..n {
                a[row * n + k] -= f * a[col * n + k];
            }
            b[row] -= f * b[col];
        }
    }
    let mut x = vec![0.0; n];
    for row in (0..n).rev() {
        let s: f64 = (row + 1..n).map(|k| a[row * n + k] * x[k]).sum();
        x[row] = (b[row] - s) / a[row * n + row];
    }
    Some(x)
}

/// Minimises Σ residual² over the parameters, starting at `init`.
///
/// `residuals(p, out)` fills the residual vector (length `m`);
/// `jacobian(p, out)` fills the `m x n` row-major Jacobian of the
/// residuals. Marquardt's scaling (damping proportional to the diagonal
/// of JᵀJ) makes the steps invariant to parameter units. Stops when the
/// relative cost reduction or the relative step falls below 1.49e-8, or
/// after `max_evaluations` residual evaluations.
pub fn levenberg_marquardt<R, J>(
    init: &[f64],
    m: usize,
    mut residuals: R,
    mut jacobian: J,
    max_evaluations: usize,
) -> FitResult
where
    R: FnMut(&[f64], &mut [f64]),
    J: FnMut(&[f64], &mut [f64]),
{
    let n = init.len();
    let mut p = init.to_vec();
    let mut r = vec![0.0; m];
    let mut jac = vec![0.0; m * n];
    residuals(&p, &mut r);
    let mut evaluations = 1;
    let mut c = cost(&r);
    let mut lambda = INITIAL_DAMPING;
    let mut converged = false;
    let mut trial = vec![0.0; n];
    let mut r_trial = vec![0.0; m];
    while evaluations < max_evaluations && c.is_finite() {
        jacobian(&p, &mut jac);
        // Normal equations JᵀJ and Jᵀr.
        let mut jtj = vec![0.0; n * n];
        let mut jtr = vec![0.0; n];
        for i in 0..m {
            let row = &jac[i * n..(i + 1) * n];
            for a in 0..n {
                jtr[a] += row[a] * r[i];
                for b in 0..n {
                    jtj[a * n + b] += row[a] * row[b];
                }
            }
        }
        if c == 0.0 || jtr.iter().all(|g| *g == 0.0) {
            converged = true;
            break;
        }
        let mut improved = false;
        while evaluations < max_evaluations {
            let mut damped = jtj.clone();
            for a in 0..n {
                let d = jtj[a * n + a];
                damped[a * n + a] = d + lambda * if d > 0.0 { d } else { 1.0 };
            }
            let rhs: Vec<f64> = jtr.iter().map(|g| -g).collect();
            let Some(step) = solve(damped, rhs) else {
                lambda *= 10.0;
                if lambda > 1e16 {
                    break;
                }
                continue;
            };
            for a in 0..n {
                trial[a] = p[a] + step[a];
            }
            residuals(&trial, &mut r_trial);
            evaluations += 1;
            let c_trial = cost(&r_trial);
            if c_trial.is_finite() && c_trial < c {
                let step_norm = step.iter().map(|s| s * s).sum::<f64>().sqrt();
                let p_norm = p.iter().map(|v| v * v).sum::<f64>().sqrt();
                let small_cost = (c - c_trial) <= TOL * c;
                let small_step = step_norm <= TOL * (p_norm + TOL);
                p.copy_from_slice(&trial);
                r.copy_from_slice(&r_trial);
                c = c_trial;
                lambda = (lambda / 10.0).max(1e-15);
                improved = true;
                if small_cost || small_step {
                    converged = true;
                }
                break;
            }
            lambda *= 10.0;
            if lambda > 1e16 {
                break;
            }
        }
        if converged {
            break;
        }
        if !improved {
            // No downhill step exists at any damping: a (local) minimum.
            converged = lambda > 1e16;
            break;
        }
    }
    FitResult {
        params: p,
        cost: c,
        converged,
        evaluations,
    }
}
