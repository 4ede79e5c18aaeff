//! The collated figure of `collate --plot R --against P`: one result
//! against one swept parameter, a line per analysis time and per
//! combination of the other swept parameters, drawn by
//! [`crate::figures`] (plotters) as PNG, or as SVG when the figure's file
//! name ends in `.svg`.

use super::table::Table;
use crate::figures::{line_png, LineFigure, Series};
use anyhow::{bail, Context, Result};
use std::path::Path;

/// The series of `result` against `param` (only analysis time `at` when
/// given), after checking both name columns of the table.
pub fn selected_series(
    t: &Table,
    result: &str,
    param: &str,
    at: Option<&str>,
) -> Result<Vec<Series>> {
    if !t.params.iter().any(|p| p == param) {
        bail!(
            "'{param}' is not a swept parameter (swept: {})",
            t.params.join(", ")
        );
    }
    if !t.results.iter().any(|r| r == result) {
        bail!(
            "no result named '{result}' (found: {})",
            t.results.join(", ")
        );
    }
    let at: Option<f64> = match at {
        Some(s) => Some(
            s.parse()
                .with_context(|| format!("--at '{s}' is not a time"))?,
        ),
        None => None,
    };
    let mut series = series_against(t, result, param);
    if let Some(a) = at {
        // Labels start with the time as `series_against` formats it.
        series.retain(|s| s.0 == format!("T={a}") || s.0.starts_with(&format!("T={a} ")));
    }
    if series.is_empty() {
        bail!("no run has both a numeric '{param}' and '{result}'");
    }
    Ok(series)
}

/// The figure's titles: `R vs P`, x = the parameter, y = the result.
pub fn figure<'a>(title: &'a str, result: &'a str, param: &'a str, log_x: bool) -> LineFigure<'a> {
    LineFigure {
        title,
        x_label: param,
        y_label: result,
        log_x,
    }
}

/// Plot `result` against `param` from the table into the PNG file `path`.
pub fn plot_result(
    t: &Table,
    result: &str,
    param: &str,
    at: Option<&str>,
    log_x: bool,
    path: &Path,
) -> Result<()> {
    let series = selected_series(t, result, param, at)?;
    let title = format!("{result} vs {param}");
    line_png(&figure(&title, result, param, log_x), &series, path)
}

/// Series of `result` against `param`: one per analysis time and per
/// combination of the other swept parameters.
pub fn series_against(t: &Table, result: &str, param: &str) -> Vec<Series> {
    type Key = (f64, String);
    let mut out: Vec<(Key, Vec<(f64, f64)>)> = Vec::new();
    for row in &t.rows {
        let Some(time) = row.time else { continue };
        let x = row
            .params
            .iter()
            .find(|(n, _)| n == param)
            .and_then(|(_, v)| v.as_f64());
        let (Some(x), Some(&y)) = (x, row.results.get(result)) else {
            continue;
        };
        if !y.is_finite() {
            continue;
        }
        let others: Vec<String> = row
            .params
            .iter()
            .filter(|(n, _)| n != param)
            .map(|(n, v)| format!("{n}={}", v.to_arg()))
            .collect();
        let key = (time, others.join(" "));
        match out.iter_mut().find(|s| s.0 == key) {
            Some(s) => s.1.push((x, y)),
            None => out.push((key, vec![(x, y)])),
        }
    }
    out.sort_by(|a, b| a.0 .0.total_cmp(&b.0 .0).then(a.0 .1.cmp(&b.0 .1)));
    out.into_iter()
        .map(|((time, others), p)| {
            let mut label = format!("T={time}");
            if !others.is_empty() {
                label.push(' ');
                label.push_str(&others);
            }
            (label, p)
        })
        .collect()
}
