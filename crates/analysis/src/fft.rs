//! Discrete Fourier transforms of any length (mixed-radix Cooley–Tukey,
//! direct DFT for prime lengths), enough for power spectra of sheet-sized
//! maps without an external FFT crate.

use std::f64::consts::PI;

/// A complex number (re, im).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Complex {
    /// Real part.
    pub re: f64,
    /// Imaginary part.
    pub im: f64,
}

impl Complex {
    /// `re + i·im`.
    pub fn new(re: f64, im: f64) -> Self {
        Complex { re, im }
    }

    /// Modulus `|z|`.
    pub fn norm(self) -> f64 {
        self.re.hypot(self.im)
    }

    #[inline]
    fn mul(self, o: Complex) -> Complex {
        Complex::new(
            self.re * o.re - self.im * o.im,
            self.re * o.im + self.im * o.re,
        )
    }
}

fn smallest_factor(n: usize) -> usize {
    let mut p = 2;
    while p * p <= n {
        if n.is_multiple_of(p) {
            return p;
        }
        p += 1;
    }
    n
}

/// Forward DFT `X[k] = Σ_j x[j]·exp(−2πi·jk/n)` (numpy `fft.fft` convention).
pub fn fft(input: &[Complex]) -> Vec<Complex> {
    let n = input.len();
    if n <= 1 {
        return input.to_vec();
    }
    // Twiddles from the exact index t = (a·b) mod n keep the error at the
    // level of one sin/cos evaluation whatever the length.
    let twiddle: Vec<Complex> = (0..n)
        .map(|t| {
            let a = -2.0 * PI * t as f64 / n as f64;
            Complex::new(a.cos(), a.sin())
        })
        .collect();
    let p = smallest_factor(n);
    if p == n {
        return (0..n)
            .map(|k| {
                input
                    .iter()
                    .enumerate()
                    .fold(Complex::default(), |acc, (j, &x)| {
                        let w = x.mul(twiddle[(j * k) % n]);
                        Complex::new(acc.re + w.re, acc.im + w.im)
                    })
            })
            .collect();
    }
    let m = n / p;
    let subs: Vec<Vec<Complex>> = (0..p)
        .map(|r| fft(&input.iter().skip(r).step_by(p).cloned().collect::<Vec<_>>()))
        .collect();
    (0..n)
        .map(|k| {
            subs.iter()
                .enumerate()
                .fold(Complex::default(), |acc, (r, y)| {
                    let w = y[k % m].mul(twiddle[(r * k) % n]);
                    Complex::new(acc.re + w.re, acc.im + w.im)
                })
        })
        .collect()
}

/// 2-D forward DFT of a row-major `rows x cols` array (numpy `fft.fft2`).
pub fn fft2(data: &[Complex], rows: usize, cols: usize) -> Vec<Complex> {
    let mut out = Vec::with_capacity(rows * cols);
    for r in 0..rows {
        out.extend(fft(&data[r * cols..(r + 1) * cols]));
    }
    let mut column = vec![Complex::default(); rows];
    for c in 0..cols {
        for r in 0..rows {
            column[r] = out[r * cols + c];
        }
        for (r, v) in fft(&column).into_iter().enumerate() {
            out[r * cols + c] = v;
        }
    }
    out
}

/// numpy `fft.fftshift` of a row-major array: moves the zero-frequency
/// term to index `(rows/2, cols/2)`.
pub fn fftshift<T: Copy>(data: &[T], rows: usize, cols: usize) -> Vec<T> {
    let mut out = data.to_vec();
    for r in 0..rows {
        for c in 0..cols {
            out[((r + rows / 2) % rows) * cols + (c + cols / 2) % cols] = data[r * cols + c];
        }
    }
    out
}
