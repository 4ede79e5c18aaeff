//! numpy's summation order, shared by the patterns (the L1 norm of
//! `DivisiveNormalizeL1`) and the images (channel averages of `.npy`
//! files), so both sum exactly as numpy does.

/// `numpy.sum` of a contiguous float64 array, bit for bit: numpy adds with
/// its pairwise algorithm (8 accumulators in blocks of at most 128, halves
/// split at multiples of 8), not left to right.
pub fn numpy_sum(a: &[f64]) -> f64 {
    0.0 + pairwise(a)
}

fn pairwise(a: &[f64]) -> f64 {
    let n = a.len();
    if n < 8 {
        let mut res = 0.0;
        for v in a {
            res += v;
        }
        res
    } else if n <= 128 {
        let mut r = [0.0f64; 8];
        r.copy_from_slice(&a[..8]);
        let mut i = 8;
        while i < n - (n % 8) {
            for (j, acc) in r.iter_mut().enumerate() {
                *acc += a[i + j];
            }
            i += 8;
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for v in &a[i..] {
            res += v;
        }
        res
    } else {
        let mut n2 = n / 2;
        n2 -= n2 % 8;
        pairwise(&a[..n2]) + pairwise(&a[n2..])
    }
}
