//! numpy's legacy `numpy.random.RandomState` (MT19937), for the draws
//! imagen's random patterns make.

use crate::mt::Mt19937;
use serde::{Deserialize, Serialize};

/// A `numpy.random.RandomState`, restricted to the uniform draws imagen uses.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NumpyRandomState {
    mt: Mt19937,
}

impl NumpyRandomState {
    /// `RandomState(seed)` / `seed(seed)` for an integer seed:
    /// `init_genrand(seed)` (not init_by_array, unlike Python's `random`).
    pub fn from_seed_u32(seed: u32) -> NumpyRandomState {
        NumpyRandomState {
            mt: Mt19937::new_genrand(seed),
        }
    }

    /// `RandomState(array)` / `RandomState(tuple)`: `init_by_array(words)`.
    /// numpy rejects an empty array; here it seeds as `[0]`.
    pub fn from_array(words: &[u32]) -> NumpyRandomState {
        NumpyRandomState {
            mt: Mt19937::new_by_array(words),
        }
    }

    /// imagen's class default `RandomState(seed=(500, 500))`.
    pub fn default_shared() -> NumpyRandomState {
        NumpyRandomState::from_array(&[500, 500])
    }

    /// `random_sample()`: a double in [0, 1) with 53 random bits.
    #[inline]
    pub fn random_sample(&mut self) -> f64 {
        self.mt.next_f64()
    }

    /// `uniform(lo, hi)` = `lo + (hi − lo)·random_sample()`; numpy computes
    /// the range `hi − lo` first, so `uniform(o, o + s)` is not `o + s·u`.
    #[inline]
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        let range = hi - lo;
        lo + range * self.random_sample()
    }

    /// `uniform(lo, hi, size=out.len())`, in C (row-major) order.
    pub fn fill_uniform(&mut self, lo: f64, hi: f64, out: &mut [f64]) {
        let range = hi - lo;
        for v in out {
            *v = lo + range * self.mt.next_f64();
        }
    }

    /// `random_sample(size=out.len())`.
    pub fn fill_random_sample(&mut self, out: &mut [f64]) {
        for v in out {
            *v = self.mt.next_f64();
        }
    }

    /// Advances the stream as if `n` doubles had been drawn (a rank that
    /// does not own some CFs still has to step past their draws).
    pub fn skip(&mut self, n_doubles: u64) {
        self.mt.skip_f64(n_doubles);
    }
}
