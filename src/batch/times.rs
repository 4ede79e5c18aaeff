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
        scaled_default(f)
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

/// The default list scaled by `factor`.
pub fn scaled_default(factor: f64) -> Vec<Time> {
    let f = Time::from_f64(factor);
    DEFAULT_TIMES
        .iter()
        .map(|&t| {
            let x = Time::from_int(t);
            Time::new(x.numer() * f.numer(), f.denom())
        })
        .collect()
}

/// A list of times, checked to be non-decreasing.
pub fn times_from_list(values: &[f64]) -> Result<Vec<Time>, String> {
    let times: Vec<Time> = values.iter().map(|&v| Time::from_f64(v)).collect();
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
