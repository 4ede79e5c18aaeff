//! Output functions applied to a whole pattern.

use super::call::components;
use super::PatternError;
use topo_spec::Component;

pub use crate::summation::numpy_sum;

/// Apply a pattern's `output_fns` in order to the whole-grid `values`.
pub(crate) fn apply(gen: &Component, values: &mut [f64]) -> Result<(), PatternError> {
    for f in components(gen, "output_fns")? {
        apply_one(f, values, &gen.class)?;
    }
    Ok(())
}

/// Apply one transfer function to a whole array in place (`owner` names
/// where it was found, for the error message).
pub(crate) fn apply_one(
    f: &Component,
    values: &mut [f64],
    owner: &str,
) -> Result<(), PatternError> {
    let norm = || {
        f.f64("norm_value")
            .ok_or_else(|| PatternError::param(f, "norm_value", "a number"))
    };
    match f.short_class() {
        "DivisiveNormalizeL1" => divisive_normalize_l1(values, norm()?),
        "DivisiveNormalizeLinf" => divisive_normalize_linf(values, norm()?),
        "IdentityTF" => {}
        _ => {
            return Err(PatternError::Unsupported(format!(
                "output function {} on {owner}",
                f.class
            )))
        }
    }
    Ok(())
}

/// `DivisiveNormalizeLinf` (imagen/transferfn): scale so the largest
/// absolute value is `norm` (unchanged if all are 0).
fn divisive_normalize_linf(values: &mut [f64], norm: f64) {
    let max = values.iter().fold(f64::NEG_INFINITY, |m, v| m.max(v.abs()));
    let current = 1.0 * max;
    if current != 0.0 && !values.is_empty() {
        let factor = norm / current;
        for v in values.iter_mut() {
            *v *= factor;
        }
    }
}

/// `DivisiveNormalizeL1`: scale so the sum of absolute values is `norm`
/// (unchanged if that sum is 0).
fn divisive_normalize_l1(values: &mut [f64], norm: f64) {
    let abs: Vec<f64> = values.iter().map(|v| v.abs()).collect();
    let current = 1.0 * numpy_sum(&abs);
    if current != 0.0 {
        let factor = norm / current;
        for v in values.iter_mut() {
            *v *= factor;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pairwise order is observable: 1e16 + 1 + ... loses the ones when
    /// added left to right but not when the ones are summed first.
    #[test]
    fn pairwise_order_differs_from_left_fold() {
        let mut a = vec![1.0; 300];
        a[0] = 1e16;
        let left: f64 = a.iter().fold(0.0, |s, v| s + v);
        assert_eq!(left, 1e16);
        // Blocks: [0..144) and [144..300); the first block's eight
        // accumulators each hold 1e16 or 17 ones before combining.
        assert!(numpy_sum(&a) > 1e16);
    }

    #[test]
    fn small_arrays_add_in_order() {
        assert_eq!(numpy_sum(&[1.0, 2.0, 3.0]), 6.0);
        assert_eq!(numpy_sum(&[]), 0.0);
    }
}
