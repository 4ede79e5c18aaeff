//! MT19937, the Mersenne Twister shared by CPython's `random` module and
//! numpy's legacy `RandomState`.
//!
//! Both libraries use the reference generator of Matsumoto and Nishimura
//! unchanged; they differ only in how a seed becomes a state (see
//! [`Mt19937::new_genrand`] and [`Mt19937::new_by_array`]).

use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicBool, Ordering};

const N: usize = 624;
const M: usize = 397;
const MATRIX_A: u32 = 0x9908_b0df;
const UPPER_MASK: u32 = 0x8000_0000;
const LOWER_MASK: u32 = 0x7fff_ffff;

/// The seed `init_by_array` starts from (mt19937ar.c's constant).
const BY_ARRAY_BASE_SEED: u32 = 19_650_218;

/// `init_genrand(BY_ARRAY_BASE_SEED)`: the same 624 words every
/// `init_by_array` starts from, computed once at compile time instead of
/// by a 624-step serial multiply chain per seeding.
static BY_ARRAY_BASE: [u32; N] = genrand_words(BY_ARRAY_BASE_SEED);

static FAST_SEED_OFF: AtomicBool = AtomicBool::new(false);

/// Makes every MT19937 of this process seed and twist as the reference
/// algorithm is written (`true`): `init_by_array` recomputes its
/// `init_genrand(19650218)` start and carries its chains through memory,
/// and each twist regenerates all 624 words at once. `false` (the
/// default): the start is a compile-time table, the chains stay in
/// registers, a reseed reuses the state's storage, and a twist computes
/// only the words drawn so far (the rest when first needed). The same
/// words either way; for measuring one against the other (issue 14,
/// session 11: a time-dependent `numbergen.UniformRandom` reseeds with
/// `init_by_array` before each draw of two words, six times per GCAL
/// iteration on every rank; benches/RESULTS.md).
pub fn set_fast_seed_off(off: bool) {
    FAST_SEED_OFF.store(off, Ordering::Relaxed);
}

fn fast_seed() -> bool {
    !FAST_SEED_OFF.load(Ordering::Relaxed)
}

/// `init_genrand(seed)`'s 624 words (a `const fn` so that the
/// `init_by_array` start is a table).
const fn genrand_words(seed: u32) -> [u32; N] {
    let mut mt = [0u32; N];
    mt[0] = seed;
    let mut i = 1;
    while i < N {
        let prev = mt[i - 1];
        mt[i] = 1_812_433_253u32
            .wrapping_mul(prev ^ (prev >> 30))
            .wrapping_add(i as u32);
        i += 1;
    }
    mt
}

/// One MT19937 state: 624 words and the position of the next word.
///
/// A twist may be partial (see [`set_fast_seed_off`]): words
/// `0..twisted` of `mt` then belong to the new generation and the rest
/// still to the old one. That is exactly the state the reference's
/// in-place twist loop is in after `twisted` steps (new word `k` reads old
/// words `k` and `k+1` and word `k+397 mod 624`, which is old for
/// `k < 227` and already new otherwise), so finishing the loop later gives
/// the same words as running it at once.
#[derive(Clone, Serialize, Deserialize)]
#[serde(into = "MtState", try_from = "MtState")]
pub struct Mt19937 {
    mt: Box<[u32; N]>,
    index: usize,
    /// Words of the current generation computed so far (`N`: all).
    twisted: usize,
}

/// Serialised form of [`Mt19937`]: the 624 state words and the index of
/// the next word to temper (624 = a twist is due).
#[derive(Serialize, Deserialize)]
struct MtState {
    words: Vec<u32>,
    index: usize,
}

impl From<Mt19937> for MtState {
    fn from(mut m: Mt19937) -> MtState {
        m.finish_twist();
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
        Ok(Mt19937 {
            mt,
            index: s.index,
            twisted: N,
        })
    }
}

impl PartialEq for Mt19937 {
    /// The same stream: equal words once both twists are finished.
    fn eq(&self, other: &Mt19937) -> bool {
        self.index == other.index && self.finished().mt == other.finished().mt
    }
}

impl Eq for Mt19937 {}

impl std::fmt::Debug for Mt19937 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // 624 words are noise in a debug print; the head identifies a state.
        f.debug_struct("Mt19937")
            .field("head", &&self.finished().mt[..4])
            .field("index", &self.index)
            .finish()
    }
}

/// Keys seeded together by [`Mt19937::new_by_single_words`] (one AVX2
/// vector of 32-bit words).
pub const SEED_LANES: usize = 8;

/// `init_by_array`'s two passes for [`SEED_LANES`] one-word keys, word
/// `i` of lane `l` in `lanes[i][l]`: AVX2 where the CPU has it.
fn mix_in_single_words(lanes: &mut [[u32; SEED_LANES]], key: &[u32; SEED_LANES]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2.
        return unsafe { mix_in_single_words_avx2(lanes, key) };
    }
    mix_in_single_words_body(lanes, key)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn mix_in_single_words_avx2(lanes: &mut [[u32; SEED_LANES]], key: &[u32; SEED_LANES]) {
    mix_in_single_words_body(lanes, key)
}

/// One step of each pass on every lane: `(word ^ f(prev)) + term`.
#[inline(always)]
fn chain_step(
    prev: &mut [u32; SEED_LANES],
    word: &[u32; SEED_LANES],
    mul: u32,
    term: impl Fn(usize) -> u32,
) {
    for l in 0..SEED_LANES {
        let p = prev[l];
        prev[l] = (word[l] ^ (p ^ (p >> 30)).wrapping_mul(mul)).wrapping_add(term(l));
    }
}

#[inline(always)]
fn mix_in_single_words_body(lanes: &mut [[u32; SEED_LANES]], key: &[u32; SEED_LANES]) {
    // Pass 1 over init_genrand(19650218)'s words: N steps from i = 1 (a
    // one-word key: j stays 0, the term is the key), wrapping once so the
    // last step is i = 1 again (reading that word's first-pass value).
    let mut prev = [BY_ARRAY_BASE[0]; SEED_LANES];
    for i in 1..N {
        chain_step(&mut prev, &[BY_ARRAY_BASE[i]; SEED_LANES], 1_664_525, |l| {
            key[l]
        });
        lanes[i] = prev;
    }
    lanes[0] = prev;
    let w = lanes[1];
    chain_step(&mut prev, &w, 1_664_525, |l| key[l]);
    lanes[1] = prev;
    // Pass 2: N - 1 steps from i = 2, wrapping to end at i = 1; the term
    // is -i.
    for (i, lane) in lanes.iter_mut().enumerate().skip(2) {
        let w = *lane;
        chain_step(&mut prev, &w, 1_566_083_941, |_| (i as u32).wrapping_neg());
        *lane = prev;
    }
    lanes[0] = prev;
    let w = lanes[1];
    chain_step(&mut prev, &w, 1_566_083_941, |_| 1u32.wrapping_neg());
    lanes[1] = prev;
    lanes[0] = [0x8000_0000; SEED_LANES];
}

/// One step of the twist: the new word from word `k`'s upper bit, word
/// `k+1`'s lower bits and word `k+397`.
#[inline(always)]
fn mix(a: u32, b: u32, far: u32) -> u32 {
    let y = (a & UPPER_MASK) | (b & LOWER_MASK);
    far ^ (y >> 1) ^ if y & 1 != 0 { MATRIX_A } else { 0 }
}

/// MT19937's output tempering of a state word.
#[inline]
fn temper(mut y: u32) -> u32 {
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c_5680;
    y ^= (y << 15) & 0xefc6_0000;
    y ^ (y >> 18)
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
        Mt19937 {
            mt,
            index: N,
            twisted: N,
        }
    }

    /// The state `init_by_array(key)` makes: CPython's `seed(int)` (key =
    /// the 32-bit words of |int|, least significant first) and numpy's
    /// `RandomState(array or tuple)`. An empty key is treated as `[0]`, which
    /// is what CPython passes for a zero seed.
    pub fn new_by_array(key: &[u32]) -> Mt19937 {
        if !fast_seed() {
            return Mt19937::new_by_array_reference(key);
        }
        let mut s = Mt19937 {
            mt: Box::new(BY_ARRAY_BASE),
            index: N,
            twisted: N,
        };
        s.mix_in_key(key);
        s
    }

    /// [`Mt19937::new_by_array`] into this state's storage (no allocation).
    pub fn reseed_by_array(&mut self, key: &[u32]) {
        if !fast_seed() {
            *self = Mt19937::new_by_array_reference(key);
            return;
        }
        *self.mt = BY_ARRAY_BASE;
        self.index = N;
        self.twisted = N;
        self.mix_in_key(key);
    }

    /// `init_by_array` as mt19937ar.c writes it (each step reads the word
    /// the step before wrote back from memory).
    fn new_by_array_reference(key: &[u32]) -> Mt19937 {
        let key: &[u32] = if key.is_empty() { &[0] } else { key };
        let mut s = Mt19937::new_genrand(BY_ARRAY_BASE_SEED);
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

    /// `init_by_array`'s two mixing passes over `init_genrand(19650218)`'s
    /// words (already in `mt`), each a serial chain through the word
    /// before: that word is kept in a register, and the key term (which
    /// does not depend on the chain) is added as one precomputed sum.
    fn mix_in_key(&mut self, key: &[u32]) {
        let key: &[u32] = if key.is_empty() { &[0] } else { key };
        let mt = &mut *self.mt;
        let (mut i, mut j) = (1usize, 0usize);
        let mut prev = mt[0];
        for _ in 0..N.max(key.len()) {
            let term = key[j].wrapping_add(j as u32);
            prev = (mt[i] ^ (prev ^ (prev >> 30)).wrapping_mul(1_664_525)).wrapping_add(term);
            mt[i] = prev;
            i += 1;
            j += 1;
            if i >= N {
                // prev is mt[N - 1], now also mt[0]: the word before i = 1.
                mt[0] = prev;
                i = 1;
            }
            if j >= key.len() {
                j = 0;
            }
        }
        for _ in 0..N - 1 {
            prev =
                (mt[i] ^ (prev ^ (prev >> 30)).wrapping_mul(1_566_083_941)).wrapping_sub(i as u32);
            mt[i] = prev;
            i += 1;
            if i >= N {
                mt[0] = prev;
                i = 1;
            }
        }
        mt[0] = 0x8000_0000;
    }

    /// `init_by_array([w])` for each one-word key `w` of `words` (what a
    /// time-dependent Python `random.Random` is reseeded with: a 28-bit
    /// time hash), [`SEED_LANES`] keys at a time: the two mixing passes
    /// are serial chains of ~7 cycles a step for one key, so interleaving
    /// independent keys runs several chains in the time of one (in one
    /// vector with AVX2). Word for word [`Mt19937::new_by_array`]'s states.
    pub fn new_by_single_words(words: &[u32]) -> Vec<Mt19937> {
        let mut out = Vec::with_capacity(words.len());
        let mut lanes = vec![[0u32; SEED_LANES]; N];
        for group in words.chunks(SEED_LANES) {
            let mut key = [0u32; SEED_LANES];
            key[..group.len()].copy_from_slice(group);
            mix_in_single_words(&mut lanes, &key);
            for l in 0..group.len() {
                let mut mt = Box::new([0u32; N]);
                for (w, lane) in mt.iter_mut().zip(&lanes) {
                    *w = lane[l];
                }
                out.push(Mt19937 {
                    mt,
                    index: N,
                    twisted: N,
                });
            }
        }
        out
    }

    /// This state with its twist finished (borrowed if it is).
    fn finished(&self) -> std::borrow::Cow<'_, Mt19937> {
        if self.twisted == N {
            std::borrow::Cow::Borrowed(self)
        } else {
            let mut m = self.clone();
            m.finish_twist();
            std::borrow::Cow::Owned(m)
        }
    }

    /// Computes the words `twisted..end` of the current generation, in the
    /// reference loop's order.
    fn twist_to(&mut self, end: usize) {
        let mt = &mut self.mt;
        let mut k = self.twisted;
        // Words below N - M read old words k + 1 and k + M.
        while k < end.min(N - M) {
            mt[k] = mix(mt[k], mt[k + 1], mt[k + M]);
            k += 1;
        }
        // Words from N - M read the new word k + M - N.
        while k < end.min(N - 1) {
            mt[k] = mix(mt[k], mt[k + 1], mt[k + M - N]);
            k += 1;
        }
        if k < end {
            // The last word reads the new words 0 and M - 1.
            mt[N - 1] = mix(mt[N - 1], mt[0], mt[M - 1]);
            k = N;
        }
        self.twisted = k.max(self.twisted);
    }

    /// Computes every word of the current generation not computed yet.
    fn finish_twist(&mut self) {
        if self.twisted < N {
            self.twist_to(N);
        }
    }

    /// Starts the next generation (the "twist"): all of it at once if
    /// [`set_fast_seed_off`], else only as words are drawn.
    fn next_generation(&mut self) {
        self.finish_twist();
        self.twisted = 0;
        self.index = 0;
        if !fast_seed() {
            self.twist_to(N);
        }
    }

    /// Makes word `index` of the current generation available: computed
    /// in growing chunks (a reseeded stream usually draws 2 words; a bulk
    /// draw soon asks for the whole generation).
    #[cold]
    fn refill(&mut self) {
        if self.index >= N {
            self.next_generation();
        }
        if self.index >= self.twisted {
            let end = (self.index + 1).max(2 * self.twisted).clamp(8, N);
            self.twist_to(end);
        }
    }

    /// The next 32-bit output (`genrand_int32`).
    #[inline]
    pub fn next_u32(&mut self) -> u32 {
        // twisted <= N, so this also catches a due twist (index == N).
        if self.index >= self.twisted {
            self.refill();
        }
        let y = self.mt[self.index];
        self.index += 1;
        temper(y)
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
            self.next_generation();
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

    /// mt19937ar.c written out plainly (eager twist, chains through
    /// memory): the oracle the fast seeding and the lazy twist must match.
    struct Oracle {
        mt: Vec<u32>,
        index: usize,
    }

    impl Oracle {
        fn genrand(seed: u32) -> Oracle {
            let mut mt = vec![0u32; N];
            mt[0] = seed;
            for i in 1..N {
                mt[i] = 1_812_433_253u32
                    .wrapping_mul(mt[i - 1] ^ (mt[i - 1] >> 30))
                    .wrapping_add(i as u32);
            }
            Oracle { mt, index: N }
        }

        /// The seeding as mt19937ar.c writes it: the reference path kept
        /// behind [`set_fast_seed_off`] (its own copy here would be the
        /// same loop twice).
        fn by_array(key: &[u32]) -> Oracle {
            let s = Mt19937::new_by_array_reference(key);
            Oracle {
                mt: s.mt[..].to_vec(),
                index: N,
            }
        }

        fn next_u32(&mut self) -> u32 {
            if self.index >= N {
                for k in 0..N {
                    let y = (self.mt[k] & UPPER_MASK) | (self.mt[(k + 1) % N] & LOWER_MASK);
                    let mag = if y & 1 != 0 { MATRIX_A } else { 0 };
                    self.mt[k] = self.mt[(k + M) % N] ^ (y >> 1) ^ mag;
                }
                self.index = 0;
            }
            let y = self.mt[self.index];
            self.index += 1;
            temper(y)
        }
    }

    /// Keys of every length class `init_by_array` treats differently:
    /// empty (taken as `[0]`), 1 to 4 words (integer seeds), and around
    /// the 624-word state size (the key loop then runs longer).
    fn keys() -> Vec<Vec<u32>> {
        let mut x = 0x1234_5678u32;
        let mut word = move || {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x
        };
        let mut keys = vec![vec![], vec![0], vec![1], vec![u32::MAX], vec![0x0fff_ffff]];
        for len in [1, 1, 1, 2, 3, 4, 623, 624, 625, 1000, 1249] {
            keys.push((0..len).map(|_| word()).collect());
        }
        keys
    }

    /// Word counts around the twist's boundaries: inside the first lazy
    /// chunk, at N - M, at a generation's end, and several generations on.
    const COUNTS: [usize; 19] = [
        0, 1, 2, 3, 7, 8, 9, 16, 226, 227, 228, 623, 624, 625, 1247, 1248, 1249, 1873, 3000,
    ];

    #[test]
    fn fast_seeding_and_lazy_twist_equal_the_reference_word_for_word() {
        for key in keys() {
            let oracle_key: &[u32] = if key.is_empty() { &[0] } else { &key };
            let mut o = Oracle::by_array(oracle_key);
            let mut m = Mt19937::new_by_array(&key);
            assert_eq!(&m.mt[..], &o.mt[..], "state of key len {}", key.len());
            for k in 0..3000 {
                assert_eq!(
                    m.next_u32(),
                    o.next_u32(),
                    "key len {}, word {k}",
                    key.len()
                );
            }
        }
    }

    #[test]
    fn skips_from_a_lazy_twist_equal_the_reference() {
        for key in keys() {
            let oracle_key: &[u32] = if key.is_empty() { &[0] } else { &key };
            for drawn in COUNTS {
                for skipped in COUNTS {
                    let mut o = Oracle::by_array(oracle_key);
                    let mut m = Mt19937::new_by_array(&key);
                    for _ in 0..drawn {
                        assert_eq!(m.next_u32(), o.next_u32());
                    }
                    for _ in 0..skipped {
                        o.next_u32();
                    }
                    m.skip_u32(skipped as u64);
                    for k in 0..700 {
                        assert_eq!(
                            m.next_u32(),
                            o.next_u32(),
                            "key len {}, {drawn} drawn, {skipped} skipped, word {k}",
                            key.len()
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn reseeding_in_place_equals_a_new_state() {
        let mut m = Mt19937::new_by_array(&[7, 8]);
        for (n, key) in keys().iter().enumerate() {
            // Leave the old state mid-generation, lazily twisted.
            for _ in 0..COUNTS[n % COUNTS.len()] {
                m.next_u32();
            }
            m.reseed_by_array(key);
            let mut fresh = Mt19937::new_by_array(key);
            assert_eq!(m, fresh);
            for _ in 0..1300 {
                assert_eq!(m.next_u32(), fresh.next_u32());
            }
        }
    }

    #[test]
    fn a_lazy_twist_serialises_and_compares_as_the_finished_one() {
        for drawn in COUNTS {
            let mut lazy = Mt19937::new_by_array(&[42]);
            for _ in 0..drawn {
                lazy.next_u32();
            }
            let mut done = lazy.clone();
            done.finish_twist();
            assert_eq!(lazy, done, "{drawn} drawn");
            assert_eq!(format!("{lazy:?}"), format!("{done:?}"));
            let a: MtState = lazy.clone().into();
            let b: MtState = done.into();
            assert_eq!((a.words, a.index), (b.words, b.index));
            let mut back = Mt19937::try_from(MtState::from(lazy.clone())).unwrap();
            for _ in 0..1000 {
                assert_eq!(back.next_u32(), lazy.next_u32());
            }
        }
    }

    #[test]
    fn batched_one_word_seeding_equals_the_reference() {
        let mut x = 0x9e37_79b9u32;
        let mut words: Vec<u32> = vec![0, 1, 0x0fff_ffff, u32::MAX, 0x8000_0000];
        for _ in 0..40 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            words.push(x);
        }
        // Every group size up to two full groups and a partial one.
        for n in 0..=words.len() {
            let batch = Mt19937::new_by_single_words(&words[..n]);
            assert_eq!(batch.len(), n);
            for (w, mut m) in words[..n].iter().zip(batch) {
                let mut o = Oracle::by_array(&[*w]);
                assert_eq!(&m.mt[..], &o.mt[..], "key {w:#x} of {n}");
                for _ in 0..700 {
                    assert_eq!(m.next_u32(), o.next_u32());
                }
            }
        }
    }

    #[test]
    fn the_base_table_is_init_genrand_19650218() {
        assert_eq!(&BY_ARRAY_BASE[..], &Oracle::genrand(19_650_218).mt[..]);
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
