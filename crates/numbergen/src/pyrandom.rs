//! Python's `random.Random`, as numbergen's generators use it.
//!
//! Integer seeding, `random()`, `uniform()` and the Gaussian variates follow
//! CPython exactly. `randint` and `choice` follow **Python 2**'s arithmetic
//! (`int(random() * width)`), which Topographica ran under; Python 3's
//! bit-based versions give different numbers.

use crate::mt::Mt19937;
use crate::StreamError;
use serde::{Deserialize, Serialize};

/// Python 2's `hash((500, 500))` on 64-bit builds: the effective seed of
/// numbergen's default `random.Random((500, 500))`.
pub const DEFAULT_TUPLE_SEED: i128 = 3_713_379_326_836_600_331;

/// `random.NV_MAGICCONST` = 4·e^(−1/2)/√2, rounded as CPython computes it.
fn nv_magicconst() -> f64 {
    4.0 * (-0.5f64).exp() / 2.0f64.sqrt()
}

const TWOPI: f64 = 2.0 * std::f64::consts::PI;

/// A Python `random.Random` instance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PyRandom {
    mt: Mt19937,
    /// The second value of the last `gauss()` pair, as CPython keeps it.
    #[serde(with = "f64_bits")]
    gauss_next: Option<f64>,
}

/// An optional double serialised as its raw bits (exact in any format).
mod f64_bits {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
        v.map(f64::to_bits).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
        Ok(Option::<u64>::deserialize(d)?.map(f64::from_bits))
    }
}

/// The init_by_array key CPython builds from an integer seed: the 32-bit
/// words of |seed|, least significant first, at least one word.
pub fn seed_words(seed: i128) -> Vec<u32> {
    let (words, len) = seed_word_array(seed);
    words[..len].to_vec()
}

/// [`seed_words`] in a fixed array (|i128| has at most 4 words) and the
/// count used, for reseeding without an allocation.
fn seed_word_array(seed: i128) -> ([u32; 4], usize) {
    let mut n = seed.unsigned_abs();
    let mut words = [0u32; 4];
    let mut len = 0;
    while n > 0 {
        words[len] = n as u32;
        len += 1;
        n >>= 32;
    }
    (words, len.max(1))
}

impl PyRandom {
    /// `random.Random(seed)` for an integer seed.
    pub fn from_seed_i128(seed: i128) -> PyRandom {
        let (words, len) = seed_word_array(seed);
        PyRandom::from_seed_words(&words[..len])
    }

    /// A generator seeded with `init_by_array(words)` directly.
    pub fn from_seed_words(words: &[u32]) -> PyRandom {
        PyRandom {
            mt: Mt19937::new_by_array(words),
            gauss_next: None,
        }
    }

    /// numbergen's class default `random.Random((500, 500))` under Python 2.
    pub fn default_tuple_seeded() -> PyRandom {
        PyRandom::from_seed_i128(DEFAULT_TUPLE_SEED)
    }

    /// `self.seed(seed)` for an integer seed (also forgets `gauss_next`).
    pub fn seed_i128(&mut self, seed: i128) {
        let (words, len) = seed_word_array(seed);
        self.mt.reseed_by_array(&words[..len]);
        self.gauss_next = None;
    }

    /// `self.seed(...)` with a state seeded elsewhere (the same as
    /// [`PyRandom::seed_i128`] of the key that made it).
    pub(crate) fn set_seeded(&mut self, mt: Mt19937) {
        self.mt = mt;
        self.gauss_next = None;
    }

    /// `random()`: a double in [0, 1) with 53 random bits.
    #[inline]
    pub fn random(&mut self) -> f64 {
        self.mt.next_f64()
    }

    /// `uniform(a, b)` = `a + (b − a)·random()`.
    pub fn uniform(&mut self, a: f64, b: f64) -> f64 {
        a + (b - a) * self.random()
    }

    /// Python 2's `randint(a, b)` = `a + int(random()·(b + 1 − a))`.
    /// Errors on an empty range, or one of 2^53 or more values (Python then
    /// switches to a bit-based method not reproduced here).
    pub fn randint_py2(&mut self, a: i64, b: i64) -> Result<i64, StreamError> {
        let width = (b as i128) + 1 - (a as i128);
        if width <= 0 {
            return Err(StreamError::Invalid(format!(
                "empty range for randint({a}, {b})"
            )));
        }
        if width >= 1 << 53 {
            return Err(StreamError::Unsupported(format!(
                "randint({a}, {b}) spans 2^53 or more values"
            )));
        }
        Ok(a + (self.random() * width as f64) as i64)
    }

    /// The index Python 2's `choice(seq)` picks: `int(random()·n)`. Errors
    /// (after drawing, as Python does) when `n == 0`.
    pub fn choice_index_py2(&mut self, n: usize) -> Result<usize, StreamError> {
        let i = (self.random() * n as f64) as usize;
        if n == 0 {
            return Err(StreamError::Invalid("choice from an empty list".into()));
        }
        Ok(i)
    }

    /// `normalvariate(mu, sigma)`: Kinderman and Monahan's ratio method,
    /// two or more `random()` per value.
    pub fn normalvariate(&mut self, mu: f64, sigma: f64) -> f64 {
        let magic = nv_magicconst();
        loop {
            let u1 = self.random();
            let u2 = 1.0 - self.random();
            let z = magic * (u1 - 0.5) / u2;
            let zz = z * z / 4.0;
            if zz <= -u2.ln() {
                return mu + z * sigma;
            }
        }
    }

    /// `gauss(mu, sigma)`: Box–Muller, keeping the second value of each pair
    /// for the next call.
    pub fn gauss(&mut self, mu: f64, sigma: f64) -> f64 {
        let z = match self.gauss_next.take() {
            Some(z) => z,
            None => {
                let x2pi = self.random() * TWOPI;
                let g2rad = (-2.0 * (1.0 - self.random()).ln()).sqrt();
                self.gauss_next = Some(x2pi.sin() * g2rad);
                x2pi.cos() * g2rad
            }
        };
        mu + z * sigma
    }

    /// `vonmisesvariate(mu, kappa)` as in CPython 2.7.4+/3.x (Best and
    /// Fisher's method); not covered by reference data.
    pub fn vonmisesvariate(&mut self, mu: f64, kappa: f64) -> f64 {
        if kappa <= 1e-6 {
            return TWOPI * self.random();
        }
        let s = 0.5 / kappa;
        let r = s + (1.0 + s * s).sqrt();
        let z = loop {
            let u1 = self.random();
            let z = (std::f64::consts::PI * u1).cos();
            let d = z / (r + z);
            let u2 = self.random();
            if u2 < 1.0 - d * d || u2 <= (1.0 - d) * d.exp() {
                break z;
            }
        };
        let q = 1.0 / r;
        let f = (q + z) / (1.0 + q * z);
        let theta = if self.random() > 0.5 {
            mu + f.acos()
        } else {
            mu - f.acos()
        };
        crate::pyops::py_fmod(theta, TWOPI)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_words_split_like_cpython() {
        assert_eq!(seed_words(0), vec![0]);
        assert_eq!(seed_words(-5), vec![5]);
        assert_eq!(seed_words(1 << 32), vec![0, 1]);
        assert_eq!(
            seed_words(DEFAULT_TUPLE_SEED),
            vec![
                (DEFAULT_TUPLE_SEED & 0xffff_ffff) as u32,
                (DEFAULT_TUPLE_SEED >> 32) as u32
            ]
        );
    }

    #[test]
    fn nv_magicconst_matches_cpython() {
        // repr(random.NV_MAGICCONST) in CPython.
        assert_eq!(nv_magicconst(), 1.7155277699214135);
    }
}
