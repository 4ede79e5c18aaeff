//! MT19937, the Mersenne Twister shared by CPython's `random` module and
//! numpy's legacy `RandomState`.
//!
//! Both libraries use the reference generator of Matsumoto and Nishimura
//! unchanged; they differ only in how a seed becomes a state (see
//! [`Mt19937::new_genrand`] and [`Mt19937::new_by_array`]).

use serde::{Deserialize, Serialize};

const N: usize = 624;
const M: usize = 397;
const MATRIX_A: u32 = 0x9908_b0df;
const UPPER_MASK: u32 = 0x8000_0000;
const LOWER_MASK: u32 = 0x7fff_ffff;

/// One MT19937 state: 624 words and the position of the next word.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "MtState", try_from = "MtState")]
pub struct Mt19937 {
    mt: Box<[u32; N]>,
    index: usize,
}

/// Serialised form of [`Mt19937`]: the 624 state words and the index of
/// the next word to temper (624 = a twist is due).
#[derive(Serialize, Deserialize)]
struct MtState {
    words: Vec<u32>,
    index: usize,
}

impl From<Mt19937> for MtState {
    fn from(m: Mt19937) -> MtState {
        MtState {
            words: m.mt.to_vec(),
            index: m.index,
        }
    }
}

impl TryFrom<MtState> for Mt19937 {
    type Error = String;
    fn try_from(s: MtState) -> Result<Mt19937, String> {
        let len = s.words.len();
        let mt: Box<[u32; N]> = s
            .words
            .into_boxed_slice()
            .try_into()
            .map_err(|_| format!("MT19937 state must have {N} words, got {len}"))?;
        if s.index > N {
            return Err(format!("MT19937 index {} out of range 0..={N}", s.index));
        }
        Ok(Mt19937 { mt, index: s.index })
    }
}

impl std::fmt::Debug for Mt19937 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // 624 words are noise in a debug print; the head identifies a state.
        f.debug_struct("Mt19937")
            .field("head", &&self.mt[..4])
            .field("index", &self.index)
            .finish()
    }
}

impl Mt19937 {
    /// The state `init_genrand(seed)` makes: numpy's `RandomState(int)`.
    pub fn new_genrand(seed: u32) -> Mt19937 {
        let mut mt = Box::new([0u32; N]);
        mt[0] = seed;
        for i in 1..N {
            let prev = mt[i - 1];
            mt[i] = 1_812_433_253u32
                .wrapping_mul(prev ^ (prev >> 30))
                .wrapping_add(i as u32);
        }
        Mt19937 { mt, index: N }
    }

    /// The state `init_by_array(key)` makes: CPython's `seed(int)` (key =
    /// the 32-bit words of |int|, least significant first) and numpy's
    /// `RandomState(array or tuple)`. An empty key is treated as `[0]`, which
    /// is what CPython passes for a zero seed.
    pub fn new_by_array(key: &[u32]) -> Mt19937 {
        let key: &[u32] = if key.is_empty() { &[0] } else { key };
        let mut s = Mt19937::new_genrand(19_650_218);
        let mt = &mut s.mt;
        let (mut i, mut j) = (1usize, 0usize);
        for _ in 0..N.max(key.len()) {
            let prev = mt[i - 1];
            mt[i] = (mt[i] ^ (prev ^ (prev >> 30)).wrapping_mul(1_664_525))
                .wrapping_add(key[j])
                .wrapping_add(j as u32);
            i += 1;
            j += 1;
            if i >= N {
                mt[0] = mt[N - 1];
                i = 1;
            }
            if j >= key.len() {
                j = 0;
            }
        }
        for _ in 0..N - 1 {
            let prev = mt[i - 1];
            mt[i] =
                (mt[i] ^ (prev ^ (prev >> 30)).wrapping_mul(1_566_083_941)).wrapping_sub(i as u32);
            i += 1;
            if i >= N {
                mt[0] = mt[N - 1];
                i = 1;
            }
        }
        mt[0] = 0x8000_0000;
        s.index = N;
        s
    }

    /// Regenerates all 624 words (the "twist").
    fn twist(&mut self) {
        let mt = &mut self.mt;
        let mix = |a: u32, b: u32, far: u32| {
            let y = (a & UPPER_MASK) | (b & LOWER_MASK);
            far ^ (y >> 1) ^ if y & 1 != 0 { MATRIX_A } else { 0 }
        };
        for k in 0..N - M {
            mt[k] = mix(mt[k], mt[k + 1], mt[k + M]);
        }
        for k in N - M..N - 1 {
            mt[k] = mix(mt[k], mt[k + 1], mt[k + M - N]);
        }
        mt[N - 1] = mix(mt[N - 1], mt[0], mt[M - 1]);
        self.index = 0;
    }

    /// The next 32-bit output (`genrand_int32`).
    #[inline]
    pub fn next_u32(&mut self) -> u32 {
        if self.index >= N {
            self.twist();
        }
        let mut y = self.mt[self.index];
        self.index += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    /// The next double in [0, 1) with 53 random bits, from two words:
    /// `(a·2^26 + b) / 2^53` with `a = w1 >> 5`, `b = w2 >> 6` (CPython's
    /// `random()` and numpy's `random_sample()`).
    #[inline]
    pub fn next_f64(&mut self) -> f64 {
        let a = (self.next_u32() >> 5) as f64;
        let b = (self.next_u32() >> 6) as f64;
        (a * 67_108_864.0 + b) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// Advances the stream by `n` 32-bit words without tempering them.
    pub fn skip_u32(&mut self, mut n: u64) {
        let avail = (N - self.index) as u64;
        if n <= avail {
            self.index += n as usize;
            return;
        }
        n -= avail;
        self.index = N;
        while n > 0 {
            self.twist();
            let take = n.min(N as u64);
            self.index = take as usize;
            n -= take;
        }
    }

    /// Advances the stream by `n` doubles (2n words), as if `next_f64` had
    /// been called `n` times.
    pub fn skip_f64(&mut self, n: u64) {
        self.skip_u32(n.saturating_mul(2));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_first_outputs_of_init_genrand_5489() {
        // mt19937ar.c's default seed; the first output is the well-known
        // 3499211612 and the 10000th is 4123659995 (C++11 std::mt19937).
        let mut m = Mt19937::new_genrand(5489);
        assert_eq!(m.next_u32(), 3_499_211_612);
        assert_eq!(m.next_u32(), 581_869_302);
        for _ in 2..9999 {
            m.next_u32();
        }
        assert_eq!(m.next_u32(), 4_123_659_995);
    }

    #[test]
    fn reference_outputs_of_init_by_array() {
        // mt19937ar.c's main(): init_by_array({0x123,0x234,0x345,0x456}),
        // first outputs listed in mt19937ar.out.
        let mut m = Mt19937::new_by_array(&[0x123, 0x234, 0x345, 0x456]);
        let expect = [
            1_067_595_299u32,
            955_945_823,
            477_289_528,
            4_107_218_783,
            4_228_976_476,
        ];
        for e in expect {
            assert_eq!(m.next_u32(), e);
        }
    }

    #[test]
    fn skipping_equals_drawing() {
        for n in [0u64, 1, 5, 311, 312, 313, 623, 624, 625, 1000, 5000] {
            let mut a = Mt19937::new_genrand(42);
            let mut b = a.clone();
            a.next_u32();
            b.next_u32();
            for _ in 0..n {
                a.next_f64();
            }
            b.skip_f64(n);
            assert_eq!(a.next_u32(), b.next_u32(), "skip of {n} doubles");
        }
    }
}
