//! run_batch's `times`: when the analysis runs and when the run ends.

use topo_spec::Time;

/// Topographica's default analysis times, scaled by a number `times`.
pub const DEFAULT_TIMES: [i64; 10] = [0, 50, 100, 500, 1000, 2000, 3000, 4000, 5000, 10000];

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
        values.push(v);
    }
    if values.is_empty() {
        return Err(format!("bad times '{text}': no time given"));
    }
    if is_list {
        times_from_list(&values)
    } else {
        Ok(scaled_default(values[0]))
    }
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
}
