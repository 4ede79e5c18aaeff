//! run_batch's `times`: when the analysis runs and when the run ends.

use topo_spec::Time;

/// Topographica's default analysis times, scaled by a number `times`.
pub const DEFAULT_TIMES: [i64; 10] = [0, 50, 100, 500, 1000, 2000, 3000, 4000, 5000, 10000];

/// The largest analysis time accepted: 10^12 iterations (a million years of
/// a 1 ms step; past it times lose their fractional part in a float, and
/// Topographica's `%09.2f` folder-time strings stop being distinct).
pub const MAX_TIME: f64 = 1e12;

/// Parse `--times`: a single number scales [`DEFAULT_TIMES`]; a comma
/// separated list (optionally in brackets) is used as given. Times must be
/// finite, non-negative and non-decreasing (the run only moves forward).
pub fn parse_times(text: &str) -> Result<Vec<Time>, String> {
    let t = text.trim();
    let is_list = t.contains(',') || t.starts_with('[');
    let inner = t.trim_start_matches('[').trim_end_matches(']');
    let mut values = Vec::new();
    for part in inner.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let v: f64 = part
            .parse()
            .map_err(|_| format!("bad times '{text}': '{part}' is not a number"))?;
        if !v.is_finite() || v < 0.0 {
            return Err(format!(
                "bad times '{text}': {part} is not a finite, non-negative time"
            ));
        }
        if v > MAX_TIME {
            return Err(format!(
                "bad times '{text}': {part} is beyond the largest time, {MAX_TIME:e}"
            ));
        }
        values.push(v);
    }
    if values.is_empty() {
        return Err(format!("bad times '{text}': no time given"));
    }
    let times = if is_list {
        times_from_list(&values)?
    } else {
        let f = values[0];
        if f * (DEFAULT_TIMES[9] as f64) > MAX_TIME {
            return Err(format!(
                "bad times '{text}': scaling the default list by {f} passes the largest time, {MAX_TIME:e}"
            ));
        }
        scaled_default(f)?
    };
    validate(&times)?;
    Ok(times)
}

/// Times a run can record: at least one, non-decreasing, no two the same
/// and no two with the same folder time string (`%09.2f`; `1.001` and
/// `1.002` would write the same files), and the last one after 0 (a run
/// that ends at 0 trains nothing). Checked before the run folder exists:
/// a collision found after training failed with an HDF5 error.
pub fn validate(times: &[Time]) -> Result<(), String> {
    if times.is_empty() {
        return Err("bad times: the list is empty".into());
    }
    for w in times.windows(2) {
        if w[1] < w[0] {
            return Err(format!(
                "bad times: {} comes after {}; times must not decrease",
                w[1].to_f64(),
                w[0].to_f64()
            ));
        }
        if w[1].timestr() == w[0].timestr() {
            return Err(format!(
                "bad times: {} and {} are the same analysis time (both write files named {}); give each time once, at least 0.01 apart",
                w[0].to_f64(),
                w[1].to_f64(),
                w[0].timestr()
            ));
        }
    }
    for t in times {
        if t.to_f64() > MAX_TIME {
            return Err(format!(
                "bad times: {} is beyond the largest time, {MAX_TIME:e}",
                t.to_f64()
            ));
        }
    }
    Ok(())
}

/// The default list scaled by `factor`, exactly: `factor` as the simplest
/// fraction that rounds to it (as Topographica's `mpq`), times each default.
/// A factor whose products do not fit a 64-bit fraction is an error (an
/// unchecked product wrapped around in release builds).
pub fn scaled_default(factor: f64) -> Result<Vec<Time>, String> {
    let f = checked_time(factor)?;
    DEFAULT_TIMES
        .iter()
        .map(|&t| {
            i128::from(t)
                .checked_mul(i128::from(f.numer()))
                .and_then(|n| Time::checked_new(n, i128::from(f.denom())))
                .ok_or_else(|| {
                    format!(
                        "bad times: scaling the default time {t} by {factor} gives a time too large to hold exactly"
                    )
                })
        })
        .collect()
}

/// A time from a number given by the user: finite, non-negative, and a
/// fraction that fits 64 bits.
fn checked_time(v: f64) -> Result<Time, String> {
    if !v.is_finite() || v < 0.0 {
        return Err(format!("bad times: {v} is not a finite, non-negative time"));
    }
    Time::checked_from_f64(v).ok_or_else(|| {
        format!("bad times: {v} cannot be held as an exact time (too small or too finely divided)")
    })
}

/// A list of times, checked to be finite, non-negative, exact and
/// non-decreasing.
pub fn times_from_list(values: &[f64]) -> Result<Vec<Time>, String> {
    let times: Vec<Time> = values
        .iter()
        .map(|&v| checked_time(v))
        .collect::<Result<_, _>>()?;
    for w in times.windows(2) {
        if w[1] < w[0] {
            return Err(format!(
                "bad times: {} comes after {}; times must not decrease",
                w[1].to_f64(),
                w[0].to_f64()
            ));
        }
    }
    Ok(times)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_scales_default_list() {
        let t = parse_times("2").unwrap();
        assert_eq!(t.len(), 10);
        assert_eq!(t[9], Time::from_int(20000));
        let h = parse_times("0.001").unwrap();
        assert_eq!(h[1], Time::new(1, 20));
    }

    #[test]
    fn list_is_used_as_given() {
        assert_eq!(
            parse_times("1,5,10").unwrap(),
            vec![Time::from_int(1), Time::from_int(5), Time::from_int(10)]
        );
        assert_eq!(
            parse_times("[0.5, 2.8]").unwrap(),
            vec![Time::new(1, 2), Time::new(14, 5)]
        );
    }

    #[test]
    fn bad_times_are_refused() {
        assert!(parse_times("1,x")
            .unwrap_err()
            .contains("'x' is not a number"));
        assert!(parse_times("5,1")
            .unwrap_err()
            .contains("must not decrease"));
        assert!(parse_times("-1").is_err());
        assert!(parse_times("").is_err());
        assert!(parse_times("nan").is_err());
    }

    #[test]
    fn scaling_that_overflows_is_an_error() {
        // The simplest fraction of 3.0000000000000004 (one ulp above 3) is
        // 4503599627370499/1501199875790166: times 10000 its numerator
        // passes i64 (an unchecked product wrapped around in release).
        let e = scaled_default(3.0000000000000004).unwrap_err();
        assert!(e.contains("too large to hold exactly"), "{e}");
        assert!(parse_times("3.0000000000000004").is_err());
        assert_eq!(scaled_default(2.0).unwrap()[9], Time::from_int(20000));
        for bad in [f64::NAN, f64::INFINITY, -1.0, 1e-300] {
            assert!(scaled_default(bad).is_err(), "{bad}");
            assert!(times_from_list(&[1.0, bad]).is_err(), "{bad}");
        }
    }

    #[test]
    fn colliding_and_huge_times_are_refused() {
        for bad in ["1,1,2", "0", "0,0", "1.001,1.002", "1e300", "1,1e13", "1e9"] {
            assert!(parse_times(bad).is_err(), "{bad} accepted");
        }
        assert!(parse_times("1,1,2")
            .unwrap_err()
            .contains("same analysis time"));
        assert!(parse_times("1e300").unwrap_err().contains("largest time"));
        assert!(parse_times("0,0.01,1e12").is_ok());
    }
}
