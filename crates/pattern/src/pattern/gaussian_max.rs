//! A `numpy.maximum` Composite of plain Gaussians (GCAL's training
//! pattern) with one `exp` per pixel instead of one per Gaussian per
//! pixel, bit for bit the generic evaluation's values.
//!
//! The generic path renders each Gaussian (`exp` of its exponent, then
//! scale and offset) and folds them with `numpy.maximum`. Here every
//! parameter is read first, in the generic order (the pixels read no
//! parameter, so only the reads' order matters), then each pixel's
//! exponents are computed with the generic operations, and only the
//! Gaussians whose exponent is within [`MARGIN`] of the largest have their
//! `exp` taken. That leaves the maximum unchanged when
//!
//! - every Gaussian has the same scale `s > 0` and the same offset (so
//!   `v ↦ v·s + offset` is monotone: a smaller `exp` cannot give a larger
//!   value, and equal values have equal bits, all being `>= +0`);
//! - the largest exponent `a` is at least [`NORMAL_FLOOR`], so its `exp`
//!   is a normal double: an exponent below `a − MARGIN` has a true `exp`
//!   smaller by a factor `e^(−2^−20)`, about 1 − 10⁻⁶, a gap 10¹⁰ times
//!   any libm's error of a few ulps (2⁻⁵² relative each), so its computed
//!   `exp` is strictly smaller too;
//! - no exponent is NaN (NaN wins numpy.maximum in the first operand).
//!
//! Otherwise (other scales or offsets, a zero sigma, a NaN, or the
//! largest exponent below the floor) every Gaussian's value is computed
//! and folded exactly as the generic path does, except that an exponent
//! below [`EXP_ZERO_BELOW`] gives `+0.0` without calling `exp`.
//!
//! Issue 14 session 11: GCAL's rank block of the retina went from two
//! `exp` calls a pixel (47 % of its render) to about 1.02
//! (benches/RESULTS.md).

use super::call::{attr, num, rotated_block, Call, Ctx};
use super::composite::{numpy_maximum, sub_call};
use super::{shapes, PatternError, Randomness, Region};
use topo_spec::Component;

/// How far below the largest exponent another one must be for its `exp`
/// to be skipped (2⁻²⁰: see the module docs for why any libm's error is
/// far smaller).
const MARGIN: f64 = 1.0 / 1_048_576.0;

/// The smallest largest-exponent for which the others may be skipped:
/// `exp(−700)` ≈ 9.9e−305 is normal (the normal range ends at
/// `exp(−708.39)`), so the relative-error argument holds.
const NORMAL_FLOOR: f64 = -700.0;

/// Below this exponent `exp` is `+0.0`: `exp(−746)` is 2^−1076.25, under
/// 0.42 of 2^−1075, the half of the smallest subnormal below which the
/// nearest double is 0 (`ln 2^−1075` = −745.1332191019412…); even a
/// result off by a factor of two rounds to 0. Tested on both sides
/// (`exp_is_zero_below_the_threshold`).
pub(crate) const EXP_ZERO_BELOW: f64 = -746.0;

/// One Gaussian of the composite, as its generic evaluation would see it.
struct Gaussian {
    x: f64,
    y: f64,
    sin: f64,
    cos: f64,
    size: f64,
    aspect: f64,
    xsigma: f64,
    ysigma: f64,
    scale: f64,
    offset: f64,
}

impl Gaussian {
    /// The parameter reads of `eval(pg, sub)` after `sub_call`: the
    /// aspect ratio (`Gaussian.function`), then `finish`'s scale and
    /// offset (pg has no `mask_shape`, and the sub-call's mask is None).
    fn read<R: Randomness + ?Sized>(
        pg: &Component,
        sub: &Call<'_>,
        ctx: &mut Ctx<'_, '_, R>,
    ) -> Result<Gaussian, PatternError> {
        let (x, y, orientation, size) = match (sub.x, sub.y, sub.orientation, sub.size) {
            (Some(x), Some(y), Some(o), Some(s)) => (x, y, o, s),
            _ => unreachable!("sub_call sets position, orientation and size"),
        };
        let aspect = num(pg, "aspect_ratio", sub.aspect_ratio, ctx)?;
        let scale = attr(pg, "scale", ctx)?;
        let offset = attr(pg, "offset", ctx)?;
        let ysigma = size / 2.0;
        Ok(Gaussian {
            x,
            y,
            sin: orientation.sin(),
            cos: orientation.cos(),
            size,
            aspect,
            xsigma: aspect * ysigma,
            ysigma,
            scale,
            offset,
        })
    }

    /// `finish`'s scale and offset of one value.
    #[inline]
    fn finish(&self, mut v: f64) -> f64 {
        if self.scale != 1.0 {
            v *= self.scale;
        }
        if self.offset != 0.0 {
            v += self.offset;
        }
        v
    }
}

/// `Composite.function` for a maximum of plain Gaussians (see the module
/// docs), the generators' reads in imagen's order.
pub(crate) fn render<R: Randomness + ?Sized>(
    gen: &Component,
    call: &Call<'_>,
    generators: &[&Component],
    region: Region,
    ctx: &mut Ctx<'_, '_, R>,
) -> Result<Vec<f64>, PatternError> {
    let mut gs = Vec::with_capacity(generators.len());
    for pg in generators {
        let sub = sub_call(gen, call, pg, None, ctx)?;
        gs.push(Gaussian::read(pg, &sub, ctx)?);
    }
    let first = &gs[0];
    let uniform = gs.iter().all(|g| {
        g.scale.to_bits() == first.scale.to_bits()
            && g.offset.to_bits() == first.offset.to_bits()
            && g.xsigma != 0.0
            && g.ysigma != 0.0
    }) && first.scale > 0.0
        && first.scale.is_finite()
        && first.offset.is_finite();
    if !uniform {
        return Ok(fold_all(&gs, region, ctx));
    }
    Ok(largest_only(&gs, region, ctx))
}

/// Every Gaussian rendered as the generic path renders it, folded with
/// numpy.maximum.
fn fold_all<R: Randomness + ?Sized>(
    gs: &[Gaussian],
    region: Region,
    ctx: &mut Ctx<'_, '_, R>,
) -> Vec<f64> {
    let mut acc: Option<Vec<f64>> = None;
    for g in gs {
        let (px, py) = rotated_block(ctx.grid, region, g.x, g.y, g.sin, g.cos);
        let mut v = shapes::gaussian(&px, &py, g.size, g.aspect);
        for e in v.iter_mut() {
            *e = g.finish(*e);
        }
        acc = Some(match acc {
            None => v,
            Some(mut a) => {
                for (x, y) in a.iter_mut().zip(v) {
                    *x = numpy_maximum(*x, y);
                }
                a
            }
        });
    }
    acc.unwrap_or_default()
}

/// The pixels row by row: each Gaussian's exponents of the row (the
/// generic operations: rotated coordinates, then
/// `-0.5·(x/xσ)² + -0.5·(y/yσ)²`), then one value per pixel.
fn largest_only<R: Randomness + ?Sized>(
    gs: &[Gaussian],
    region: Region,
    ctx: &mut Ctx<'_, '_, R>,
) -> Vec<f64> {
    let grid = ctx.grid;
    let cols = region.cols();
    let mut out = vec![0.0; region.len()];
    if cols == 0 {
        return out;
    }
    // Per Gaussian: cos·x and sin·x of each column, as transformed_coords.
    let mut col_terms = vec![0.0; 2 * cols * gs.len()];
    for (g, terms) in gs.iter().zip(col_terms.chunks_exact_mut(2 * cols)) {
        let (cos_x, sin_x) = terms.split_at_mut(cols);
        for (j, c) in (region.c0..region.c1).enumerate() {
            let v = grid.matrixidx2sheet(0, c as i64).0 - g.x;
            cos_x[j] = g.cos * v;
            sin_x[j] = g.sin * v;
        }
    }
    let mut exps = vec![0.0; cols * gs.len()];
    let mut single = vec![false; cols];
    for (r, row) in (region.r0..region.r1).zip(out.chunks_exact_mut(cols)) {
        let yc = grid.matrixidx2sheet(r as i64, 0).1;
        for ((g, terms), e) in gs
            .iter()
            .zip(col_terms.chunks_exact(2 * cols))
            .zip(exps.chunks_exact_mut(cols))
        {
            let (cos_x, sin_x) = terms.split_at(cols);
            row_exponents(g, yc - g.y, cos_x, sin_x, e);
        }
        largest_exponents(&exps, row, &mut single);
        // row holds each pixel's largest exponent; one exp where that
        // Gaussian alone can be the maximum, the full fold elsewhere.
        let g = &gs[0];
        for (j, (v, &one)) in row.iter_mut().zip(&single).enumerate() {
            *v = if one {
                g.finish(v.exp())
            } else {
                pixel(gs, |k| exps[k * cols + j])
            };
        }
    }
    out
}

/// Per pixel of a row (`exps` holds each Gaussian's row of exponents):
/// the largest exponent into `largest`, and into `single` whether that
/// Gaussian alone can give the maximum (no NaN, the largest at least
/// [`NORMAL_FLOOR`], every other exponent below it by more than
/// [`MARGIN`]). Branch-free, so the compiler vectorises it.
fn largest_exponents(exps: &[f64], largest: &mut [f64], single: &mut [bool]) {
    let cols = largest.len();
    largest.copy_from_slice(&exps[..cols]);
    for e in exps[cols..].chunks_exact(cols) {
        for (l, &a) in largest.iter_mut().zip(e) {
            *l = if a > *l { a } else { *l };
        }
    }
    for (j, (s, &l)) in single.iter_mut().zip(largest.iter()).enumerate() {
        // A NaN exponent counts as close (it must reach the fold).
        let mut close = 0u32;
        for e in exps.chunks_exact(cols) {
            close += u32::from(e[j] >= l - MARGIN || e[j].is_nan());
        }
        *s = close == 1 && l >= NORMAL_FLOOR;
    }
}

/// One row of a Gaussian's exponents, the operations of
/// `transformed_coords` then `shapes::gaussian`: with AVX-512F or AVX
/// where the CPU has them (the two divisions a pixel bound the loop:
/// 2 doubles a `divpd` on the x86-64 baseline, 8 with AVX-512; IEEE
/// division is exact whatever the width).
fn row_exponents(g: &Gaussian, yr: f64, cos_x: &[f64], sin_x: &[f64], out: &mut [f64]) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU has AVX-512F.
            return unsafe { row_exponents_avx512(g, yr, cos_x, sin_x, out) };
        }
        if std::arch::is_x86_feature_detected!("avx") {
            // SAFETY: the CPU has AVX.
            return unsafe { row_exponents_avx(g, yr, cos_x, sin_x, out) };
        }
    }
    row_exponents_body(g, yr, cos_x, sin_x, out)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn row_exponents_avx512(
    g: &Gaussian,
    yr: f64,
    cos_x: &[f64],
    sin_x: &[f64],
    out: &mut [f64],
) {
    row_exponents_body(g, yr, cos_x, sin_x, out)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
unsafe fn row_exponents_avx(g: &Gaussian, yr: f64, cos_x: &[f64], sin_x: &[f64], out: &mut [f64]) {
    row_exponents_body(g, yr, cos_x, sin_x, out)
}

#[inline(always)]
fn row_exponents_body(g: &Gaussian, yr: f64, cos_x: &[f64], sin_x: &[f64], out: &mut [f64]) {
    let (sin_y, cos_y) = (g.sin * yr, g.cos * yr);
    for ((o, cx), sx) in out.iter_mut().zip(cos_x).zip(sin_x) {
        let px = sin_y + cx;
        let py = cos_y - sx;
        let x_w = px / g.xsigma;
        let y_h = py / g.ysigma;
        *o = -0.5 * x_w * x_w + -0.5 * y_h * y_h;
    }
}

/// The maximum over the Gaussians of one pixel given their exponents
/// (`exponent(k)`), taking `exp` only where it can matter.
#[inline]
fn pixel(gs: &[Gaussian], exponent: impl Fn(usize) -> f64) -> f64 {
    let mut largest = exponent(0);
    let mut nan = largest.is_nan();
    for k in 1..gs.len() {
        let a = exponent(k);
        nan |= a.is_nan();
        if a > largest {
            largest = a;
        }
    }
    let skip_below = if !nan && largest >= NORMAL_FLOOR {
        largest - MARGIN
    } else {
        f64::NEG_INFINITY
    };
    let mut acc: Option<f64> = None;
    for (k, g) in gs.iter().enumerate() {
        let a = exponent(k);
        // NaN compares false here and is kept (only without a NaN is
        // skip_below finite).
        if a < skip_below {
            continue;
        }
        let v = g.finish(exp_or_zero(a));
        acc = Some(match acc {
            None => v,
            Some(p) => numpy_maximum(p, v),
        });
    }
    acc.unwrap_or(0.0)
}

/// `a.exp()`, without the call where it is `+0.0` (see [`EXP_ZERO_BELOW`]).
#[inline]
fn exp_or_zero(a: f64) -> f64 {
    if a < EXP_ZERO_BELOW {
        0.0
    } else {
        a.exp()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_is_zero_below_the_threshold() {
        // The exact threshold: below ln(2^-1075) the nearest double is 0,
        // above it the smallest subnormal.
        let ln_half_min = -1075.0 * std::f64::consts::LN_2;
        assert_eq!(ln_half_min, -745.133_219_101_941_2);
        assert_eq!(
            (-745.133f64).exp(),
            f64::from_bits(1),
            "just above: 2^-1074"
        );
        assert_eq!((-745.14f64).exp(), 0.0, "just below");
        // Ours, with margin: at it, just below it, and far below.
        let mut x = EXP_ZERO_BELOW;
        assert_eq!(x.exp().to_bits(), 0);
        for _ in 0..100_000 {
            x = f64::from_bits(x.to_bits() + 1_000_003); // more negative
            assert_eq!(x.exp().to_bits(), 0, "exp({x})");
        }
        for x in [
            -746.5,
            -800.0,
            -1024.0,
            -1e5,
            -1e300,
            f64::MIN,
            f64::NEG_INFINITY,
        ] {
            assert_eq!(x.exp().to_bits(), 0, "exp({x})");
            assert_eq!(exp_or_zero(x).to_bits(), 0);
        }
        // Just above ours, exp is still called (and still 0 there).
        let above = f64::from_bits(EXP_ZERO_BELOW.to_bits() - 1);
        assert!(above > EXP_ZERO_BELOW);
        assert_eq!(exp_or_zero(above).to_bits(), above.exp().to_bits());
    }
}
