//! param's `numbergen.Hash`: the md5 hash that seeds time-dependent streams.
//!
//! The digest starts from the UTF-8 name; each input rational contributes its
//! numerator and denominator (lowest terms, each taken modulo 2^32) as
//! big-endian unsigned 32-bit words; the result is the integer of the first
//! 7 hex digits of the digest (28 bits).

use md5::{Digest, Md5};
use topo_spec::Time;

/// param's default `param.random_seed`, the second input of every time
/// hash unless a model sets another ([`crate::Streams::with_random_seed`]).
pub const PARAM_RANDOM_SEED: i64 = topo_spec::ParamRandomSeed::DEFAULT.0;

/// `Hash(name, input_count=values.len())(*values)` for rationals given as
/// `(numerator, denominator)` in lowest terms (an integer `v` is `(v, 1)`).
pub fn hash_rationals(name: &str, values: &[(i64, i64)]) -> u32 {
    let mut md5 = Md5::new();
    md5.update(name.as_bytes());
    for &(num, den) in values {
        // Python's `%` with a positive modulus is the Euclidean remainder.
        md5.update((num.rem_euclid(1 << 32) as u32).to_be_bytes());
        md5.update((den.rem_euclid(1 << 32) as u32).to_be_bytes());
    }
    let d = md5.finalize();
    (u32::from(d[0]) << 20)
        | (u32::from(d[1]) << 12)
        | (u32::from(d[2]) << 4)
        | (u32::from(d[3]) >> 4)
}

/// The seed of a time-dependent stream called `name` at time `t` with
/// global seed `seed` (`param.random_seed`, by default [`PARAM_RANDOM_SEED`]).
pub fn time_hash(name: &str, t: Time, seed: i64) -> u32 {
    hash_rationals(name, &[(t.numer(), t.denom()), (seed, 1)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seven_hex_digits_of_md5() {
        // md5("") = d41d8cd98f00b204e9800998ecf8427e: first 7 digits d41d8cd.
        assert_eq!(hash_rationals("", &[]), 0xd41d8cd);
        // md5("abc") = 900150983cd24fb0d6963f7d28e17f72.
        assert_eq!(hash_rationals("abc", &[]), 0x9001509);
    }
}
