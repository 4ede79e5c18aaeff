//! `topo-hpc trace`: activity at given times as JSON in the shape of
//! Topographica's training-test data, and the comparison against such a
//! file with Topographica's own criterion.

use serde_json::{json, Map, Value as Json};

/// Topographica's training tests use numpy's
/// `assert_array_almost_equal(..., decimal=6)`: |a - b| < 1.5e-6.
pub const DECIMAL6: f64 = 1.5e-6;

/// The key Topographica's data uses for a time: integers without a fraction.
pub fn time_key(t: f64) -> String {
    if t == t.trunc() {
        format!("{}", t as i64)
    } else {
        format!("{t}")
    }
}

/// A row-major block as nested JSON rows.
pub fn rows_json(data: &[f64], rows: usize, cols: usize) -> Json {
    Json::Array(
        (0..rows)
            .map(|r| {
                Json::Array(
                    data[r * cols..(r + 1) * cols]
                        .iter()
                        .map(|&v| json!(v))
                        .collect(),
                )
            })
            .collect(),
    )
}

/// Recorded activity: per sheet, per time, the whole matrix.
pub struct Recording {
    /// Model file name.
    pub model: String,
    /// `-p` parameters as given.
    pub args: Vec<(String, Json)>,
    /// Absolute times.
    pub times: Vec<f64>,
    /// Sheets in the order asked; the first is `look_at`.
    pub sheets: Vec<String>,
    /// `(sheet, time index) -> (rows, cols, data)`.
    pub data: Vec<Vec<(usize, usize, Vec<f64>)>>,
}

impl Recording {
    /// The JSON document: Topographica's shape (`model`, `args`, `run_for`,
    /// `look_at`, `activity` for the first sheet) plus `sheets` with every
    /// recorded sheet.
    pub fn to_json(&self) -> Json {
        let mut run_for = Vec::new();
        let mut prev = 0.0;
        for &t in &self.times {
            run_for.push(json!(t - prev));
            prev = t;
        }
        let per_sheet = |s: usize| {
            let mut m = Map::new();
            for (i, &t) in self.times.iter().enumerate() {
                let (r, c, d) = &self.data[s][i];
                m.insert(time_key(t), rows_json(d, *r, *c));
            }
            Json::Object(m)
        };
        let mut sheets = Map::new();
        for (s, name) in self.sheets.iter().enumerate() {
            sheets.insert(name.clone(), per_sheet(s));
        }
        json!({
            "model": self.model,
            "args": Json::Object(self.args.iter().cloned().collect()),
            "run_for": run_for,
            "look_at": self.sheets.first(),
            "activity": per_sheet(0),
            "sheets": sheets,
        })
    }
}

fn flatten(v: &Json, out: &mut Vec<f64>) -> Result<(), String> {
    match v {
        Json::Array(items) => {
            for i in items {
                flatten(i, out)?;
            }
            Ok(())
        }
        Json::Number(n) => {
            out.push(n.as_f64().ok_or("non-float number")?);
            Ok(())
        }
        other => Err(format!("expected numbers, found {other}")),
    }
}

/// Max |diff| per reference time of the `look_at` sheet's activity. Errors
/// name a missing time or a shape mismatch.
pub fn compare(reference: &Json, ours: &Json) -> Result<Vec<(String, f64)>, String> {
    let r_act = reference
        .get("activity")
        .and_then(Json::as_object)
        .ok_or("reference has no 'activity' object")?;
    let o_act = ours
        .get("activity")
        .and_then(Json::as_object)
        .ok_or("no 'activity' recorded")?;
    let mut keys: Vec<&String> = r_act.keys().collect();
    keys.sort_by(|a, b| {
        let fa: f64 = a.parse().unwrap_or(f64::MAX);
        let fb: f64 = b.parse().unwrap_or(f64::MAX);
        fa.total_cmp(&fb)
    });
    let mut out = Vec::new();
    for k in keys {
        let o = o_act
            .get(k)
            .ok_or_else(|| format!("time {k} of the reference was not recorded (use --times)"))?;
        let (mut a, mut b) = (Vec::new(), Vec::new());
        flatten(&r_act[k], &mut a)?;
        flatten(o, &mut b)?;
        if a.len() != b.len() {
            return Err(format!(
                "time {k}: reference has {} values, the run {}: different densities?",
                a.len(),
                b.len()
            ));
        }
        let d = a
            .iter()
            .zip(&b)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f64::max);
        out.push((k.clone(), d));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(v: f64) -> Recording {
        Recording {
            model: "m.ty".into(),
            args: vec![("cortex_density".into(), json!(2))],
            times: vec![1.0, 100.0],
            sheets: vec!["V1".into()],
            data: vec![vec![(1, 2, vec![0.5, v]), (1, 2, vec![0.0, 1.0])]],
        }
    }

    #[test]
    fn json_has_topographica_shape() {
        let j = rec(0.25).to_json();
        assert_eq!(j["run_for"], json!([1.0, 99.0]));
        assert_eq!(j["look_at"], json!("V1"));
        assert_eq!(j["activity"]["1"], json!([[0.5, 0.25]]));
        assert_eq!(j["sheets"]["V1"]["100"], json!([[0.0, 1.0]]));
    }

    #[test]
    fn comparison_reports_max_diff_per_time() {
        let d = compare(&rec(0.25).to_json(), &rec(0.25 + 1e-3).to_json()).unwrap();
        assert_eq!(d[0].0, "1");
        assert!((d[0].1 - 1e-3).abs() < 1e-12);
        assert_eq!(d[1].1, 0.0);
        let mut short = rec(0.0).to_json();
        short["activity"]["1"] = json!([[0.5]]);
        assert!(compare(&rec(0.0).to_json(), &short)
            .unwrap_err()
            .contains("different densities"));
    }
}
