//! Exact simulation time.
//!
//! Topographica keeps time as an exact rational (gmpy `mpq`). The
//! time-dependent random streams hash the numerator and denominator of the
//! current time, so time must never be a float here: 0.05 is exactly 1/20.

use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::fmt;
use std::ops::{Add, Sub};

/// A non-negative-denominator rational number in lowest terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "[i64; 2]", try_from = "[i64; 2]")]
pub struct Time {
    num: i64,
    den: i64,
}

fn gcd(mut a: i128, mut b: i128) -> i128 {
    a = a.abs();
    b = b.abs();
    while b != 0 {
        let t = a % b;
        a = b;
        b = t;
    }
    a
}

impl Time {
    /// Zero.
    pub const ZERO: Time = Time { num: 0, den: 1 };

    /// `num/den` reduced to lowest terms. Panics if `den == 0` or the
    /// reduced value does not fit in `i64`.
    pub fn new(num: i64, den: i64) -> Time {
        Self::from_i128(num as i128, den as i128)
    }

    /// `num/den` reduced to lowest terms, or `None` when `den == 0` or the
    /// reduced value does not fit in `i64` (for times built from user
    /// input, where an overflow must be an error, not a panic or a wrap).
    pub fn checked_new(num: i128, den: i128) -> Option<Time> {
        if den == 0 {
            return None;
        }
        let g = gcd(num, den).max(1);
        let (n, d) = (num / g, den / g);
        let (n, d) = if d < 0 {
            (n.checked_neg()?, -d)
        } else {
            (n, d)
        };
        Some(Time {
            num: i64::try_from(n).ok()?,
            den: i64::try_from(d).ok()?,
        })
    }

    /// [`Time::from_f64`] for user input: `None` for a non-finite `x` or
    /// one whose simplest fraction does not fit in `i64`.
    pub fn checked_from_f64(x: f64) -> Option<Time> {
        if !x.is_finite() || (x != 0.0 && x.abs() < 1e-30) {
            return None;
        }
        if x == x.trunc() && x.abs() < 9.0e15 {
            return Some(Time::from_int(x as i64));
        }
        let (n, d) = simplest_ratio(x);
        Time::checked_new(n, d)
    }

    fn from_i128(num: i128, den: i128) -> Time {
        assert!(den != 0, "time with zero denominator");
        let g = gcd(num, den).max(1);
        let (mut n, mut d) = (num / g, den / g);
        if d < 0 {
            n = -n;
            d = -d;
        }
        Time {
            num: i64::try_from(n).expect("time numerator overflow"),
            den: i64::try_from(d).expect("time denominator overflow"),
        }
    }

    /// An integer time.
    pub fn from_int(v: i64) -> Time {
        Time { num: v, den: 1 }
    }

    /// The simplest rational within double precision of `x`, as gmpy-1's
    /// `mpq(float)` gives it (0.05 -> 1/20, 0.1 -> 1/10). Uses the
    /// Stern-Brocot / continued-fraction search for the simplest fraction in
    /// the interval of reals that round to `x`.
    pub fn from_f64(x: f64) -> Time {
        assert!(x.is_finite(), "time must be finite, got {x}");
        if x == x.trunc() && x.abs() < 9.0e15 {
            return Time::from_int(x as i64);
        }
        let (n, d) = simplest_ratio(x);
        Time::from_i128(n, d)
    }

    /// Numerator (lowest terms; carries the sign).
    pub fn numer(&self) -> i64 {
        self.num
    }

    /// Denominator (lowest terms; always positive).
    pub fn denom(&self) -> i64 {
        self.den
    }

    /// Nearest double.
    pub fn to_f64(&self) -> f64 {
        self.num as f64 / self.den as f64
    }

    /// Topographica's `timestr`: `%09.2f`, e.g. `000100.00`.
    pub fn timestr(&self) -> String {
        format!("{:09.2}", self.to_f64())
    }
}

/// The simplest fraction among the reals that round to `x` (see
/// [`Time::from_f64`]), not yet checked to fit in `i64`.
fn simplest_ratio(x: f64) -> (i128, i128) {
    // Interval of reals that round to x: half an ulp either side,
    // computed exactly (a float midpoint would round back to x).
    let (xn, xd) = to_ratio(x);
    let (pn, pd) = to_ratio(prev_f64(x));
    let (nn, nd) = to_ratio(next_f64(x));
    let mid = |an: i128, ad: i128, bn: i128, bd: i128| {
        // (a + b) / 2 with power-of-two denominators: bring to the larger.
        let d = ad.max(bd);
        (an * (d / ad) + bn * (d / bd), 2 * d)
    };
    let (ln, ld) = mid(pn, pd, xn, xd);
    let (hn, hd) = mid(xn, xd, nn, nd);
    simplest_in_open(ln, ld, hn, hd)
}

fn next_f64(x: f64) -> f64 {
    let b = x.to_bits();
    if x >= 0.0 {
        f64::from_bits(b + 1)
    } else {
        f64::from_bits(b - 1)
    }
}

fn prev_f64(x: f64) -> f64 {
    -next_f64(-x)
}

/// The exact binary fraction of a finite double (denominator a power of two,
/// capped at 2^120: times far below 1e-30 are not supported).
fn to_ratio(x: f64) -> (i128, i128) {
    // Exact binary fraction of x; endpoints have small enough exponents
    // for times used in simulations.
    let bits = x.to_bits();
    let sign = if bits >> 63 == 1 { -1 } else { 1 };
    let exp = ((bits >> 52) & 0x7ff) as i32;
    let mant = if exp == 0 {
        (bits & ((1 << 52) - 1)) << 1
    } else {
        (bits & ((1 << 52) - 1)) | (1 << 52)
    } as i128;
    let e = exp - 1075;
    if e >= 0 {
        (sign * (mant << e), 1)
    } else {
        let sh = (-e).min(120);
        let mut n = mant;
        let mut d: i128 = 1 << sh;
        let g = gcd(n, d);
        n /= g;
        d /= g;
        (sign * n, d)
    }
}

/// Simplest rational (smallest denominator) in the closed interval
/// [an/ad, bn/bd], with a <= b and positive denominators, by continued
/// fractions.
fn simplest_in_open(an: i128, ad: i128, bn: i128, bd: i128) -> (i128, i128) {
    if an <= 0 && bn >= 0 {
        return (0, 1);
    }
    if bn < 0 {
        let (n, d) = simplest_in_open(-bn, bd, -an, ad);
        return (-n, d);
    }
    let fl = an.div_euclid(ad);
    let ra = an - fl * ad; // a - fl = ra/ad, 0 <= ra < ad
    if ra == 0 {
        return (fl, 1);
    }
    // fl + 1 <= b ?
    if (fl + 1) * bd <= bn {
        return (fl + 1, 1);
    }
    let rb = bn - fl * bd; // b - fl = rb/bd, 0 < rb < bd
                           // x - fl in [ra/ad, rb/bd] <=> 1/(x - fl) in [bd/rb, ad/ra]
    let (n, d) = simplest_in_open(bd, rb, ad, ra);
    // x - fl = d/n
    (fl * n + d, n)
}

impl PartialOrd for Time {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Time {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.num as i128 * other.den as i128).cmp(&(other.num as i128 * self.den as i128))
    }
}

impl Add for Time {
    type Output = Time;
    fn add(self, o: Time) -> Time {
        Time::from_i128(
            self.num as i128 * o.den as i128 + o.num as i128 * self.den as i128,
            self.den as i128 * o.den as i128,
        )
    }
}

impl Sub for Time {
    type Output = Time;
    fn sub(self, o: Time) -> Time {
        Time::from_i128(
            self.num as i128 * o.den as i128 - o.num as i128 * self.den as i128,
            self.den as i128 * o.den as i128,
        )
    }
}

impl From<Time> for [i64; 2] {
    fn from(t: Time) -> [i64; 2] {
        [t.num, t.den]
    }
}

impl TryFrom<[i64; 2]> for Time {
    type Error = String;
    fn try_from(v: [i64; 2]) -> Result<Time, String> {
        if v[1] == 0 {
            return Err("time with zero denominator".into());
        }
        Ok(Time::new(v[0], v[1]))
    }
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.den == 1 {
            write!(f, "{}", self.num)
        } else {
            write!(f, "{}/{}", self.num, self.den)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_become_simplest_rationals() {
        assert_eq!(Time::from_f64(0.05), Time::new(1, 20));
        assert_eq!(Time::from_f64(0.1), Time::new(1, 10));
        assert_eq!(Time::from_f64(0.4), Time::new(2, 5));
        assert_eq!(Time::from_f64(0.175), Time::new(7, 40));
        assert_eq!(Time::from_f64(1.0 / 3.0), Time::new(1, 3));
        assert_eq!(Time::from_f64(2.5), Time::new(5, 2));
        assert_eq!(Time::from_f64(-0.05), Time::new(-1, 20));
        assert_eq!(Time::from_f64(0.25), Time::new(1, 4));
        assert_eq!(Time::from_f64(3.0), Time::from_int(3));
    }

    #[test]
    fn arithmetic_is_exact() {
        let mut t = Time::ZERO;
        for _ in 0..20 {
            t = t + Time::from_f64(0.05);
        }
        assert_eq!(t, Time::from_int(1));
        assert_eq!(Time::new(3, 20) - Time::new(1, 20), Time::new(1, 10));
        assert!(Time::new(1, 20) < Time::new(1, 10));
        assert_eq!(Time::from_int(100).timestr(), "000100.00");
    }
}
