//! Helpers shared by the integration tests: a seeded generator and
//! synthetic orientation maps.
#![allow(dead_code)]

use std::f64::consts::PI;

/// SplitMix64: a small deterministic generator so synthetic maps are
/// reproducible without a dependency.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Orientation in [0, π) of the complex number (re, im): half its argument.
pub fn half_arg(re: f64, im: f64) -> f64 {
    (im.atan2(re) / 2.0).rem_euclid(PI)
}

/// Orientation map `arg(Π (w − w_k)^{±1}) / 2` on a `rows x cols` grid,
/// with `w = col + i·row` at unit centres: a pinwheel of charge ±1/2 at
/// every `(row, col, sign)`.
pub fn charge_map(rows: usize, cols: usize, charges: &[(f64, f64, i32)]) -> Vec<f64> {
    let mut out = Vec::with_capacity(rows * cols);
    for r in 0..rows {
        for c in 0..cols {
            let mut angle = 0.0;
            for &(cr, cc, sign) in charges {
                angle += sign as f64 * (r as f64 - cr).atan2(c as f64 - cc);
            }
            out.push((angle / 2.0).rem_euclid(PI));
        }
    }
    out
}

/// Orientation map from a superposition of `waves` plane waves of the
/// same wavelength (`cycles` periods across the `dim`-wide map) with
/// random directions and phases: the classic model of a cortical map,
/// expected to have π pinwheels per hypercolumn².
pub fn plane_wave_map(dim: usize, cycles: f64, waves: usize, seed: u64) -> Vec<f64> {
    let mut rng = Rng::new(seed);
    let k = 2.0 * PI * cycles / dim as f64;
    let params: Vec<(f64, f64, f64)> = (0..waves)
        .map(|j| {
            // Evenly spread directions with jitter cover the ring.
            let alpha = PI * (j as f64 + rng.uniform()) / waves as f64;
            let sign = if rng.uniform() < 0.5 { 1.0 } else { -1.0 };
            (
                k * alpha.cos() * sign,
                k * alpha.sin() * sign,
                2.0 * PI * rng.uniform(),
            )
        })
        .collect();
    let mut out = Vec::with_capacity(dim * dim);
    for r in 0..dim {
        for c in 0..dim {
            let (mut re, mut im) = (0.0, 0.0);
            for &(kx, ky, phi) in &params {
                let a = kx * c as f64 + ky * r as f64 + phi;
                re += a.cos();
                im += a.sin();
            }
            out.push(half_arg(re, im));
        }
    }
    out
}
