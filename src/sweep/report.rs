//! `sweep.html` in a sweep folder, written by `collate`: the collated table
//! (sortable by any column with a click, plain inline JavaScript), a link
//! to each run's `index.html`, and one SVG figure per result against each
//! numeric swept parameter (a line per analysis time and per combination
//! of the other parameters). Self-contained; written atomically.

use super::plot::series_against;
use super::table::Table;
use crate::batch::report::{esc, write_atomic, STYLE_AND_CHECK};
use crate::figures::{line_svg, LineFigure};
use anyhow::Result;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Most figures on the page (results x parameters).
const MAX_FIGURES: usize = 24;

const SORT_SCRIPT: &str = r#"<script>
document.addEventListener('DOMContentLoaded', function () {
  var table = document.getElementById('collated');
  if (!table) return;
  table.querySelectorAll('th[data-col]').forEach(function (th) {
    th.addEventListener('click', function () {
      var col = +th.getAttribute('data-col');
      var up = th.getAttribute('data-sort') !== 'asc';
      table.querySelectorAll('th[data-col]').forEach(function (h) { h.removeAttribute('data-sort'); });
      th.setAttribute('data-sort', up ? 'asc' : 'desc');
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[col].textContent, y = b.cells[col].textContent;
        var nx = parseFloat(x), ny = parseFloat(y);
        var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
        return up ? c : -c;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
});
</script>"#;

/// `collate --plot R --against P --figure F.svg`: the figure drawn with
/// plotters (only analysis time `at` when given).
pub fn plot_svg(
    t: &Table,
    result: &str,
    param: &str,
    at: Option<&str>,
    log_x: bool,
    path: &Path,
) -> Result<()> {
    let series = super::plot::selected_series(t, result, param, at)?;
    let title = format!("{result} vs {param}");
    let fig = super::plot::figure(&title, result, param, log_x);
    write_atomic(path, &line_svg(&fig, &series)?)
}

/// A file-name-safe form of a column name.
fn safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Write `sweep.html` (and its SVG figures) into `dir`; `log_x` says which
/// parameters were swept on a log scale.
pub fn write_sweep_html(dir: &Path, t: &Table, log_x: &dyn Fn(&str) -> bool) -> Result<PathBuf> {
    let mut figures = Vec::new();
    'outer: for p in &t.params {
        for r in &t.results {
            if figures.len() >= MAX_FIGURES {
                break 'outer;
            }
            let series = series_against(t, r, p);
            if series.is_empty() {
                continue;
            }
            let title = format!("{r} vs {p}");
            let fig = LineFigure {
                title: &title,
                x_label: p,
                y_label: r,
                log_x: log_x(p),
            };
            let Ok(svg) = line_svg(&fig, &series) else {
                continue;
            };
            let file = format!("sweep_{}_vs_{}.svg", safe(r), safe(p));
            write_atomic(&dir.join(&file), &svg)?;
            figures.push((file, title));
        }
    }
    let mut h = String::with_capacity(16 * 1024);
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>sweep {}</title>\n{STYLE_AND_CHECK}\n{SORT_SCRIPT}\n</head>\n<body>\n<h1>Sweep {}</h1>\n<p>{} rows; click a column heading to sort.</p>\n",
        esc(&name),
        esc(&name),
        t.rows.len()
    );
    let mut header = vec!["run".to_string(), "state".into()];
    header.extend(t.params.iter().cloned());
    header.push("time".into());
    header.extend(t.results.iter().cloned());
    h.push_str("<table id=\"collated\"><thead><tr>");
    for (i, c) in header.iter().enumerate() {
        let _ = write!(h, "<th data-col=\"{i}\">{}</th>", esc(c));
    }
    h.push_str("</tr></thead><tbody>\n");
    for r in &t.rows {
        let run = if r.folder.is_empty() {
            r.run.to_string()
        } else {
            format!("<a href=\"{}/index.html\">{}</a>", esc(&r.folder), r.run)
        };
        let _ = write!(h, "<tr><td>{run}</td><td>{}</td>", esc(&r.state));
        for p in &t.params {
            let v = r
                .params
                .iter()
                .find(|(n, _)| n == p)
                .map(|(_, v)| v.to_arg())
                .unwrap_or_default();
            let _ = write!(h, "<td>{}</td>", esc(&v));
        }
        let _ = write!(
            h,
            "<td>{}</td>",
            r.time.map(|t| format!("{t}")).unwrap_or_default()
        );
        for name in &t.results {
            let v = r
                .results
                .get(name)
                .map(|v| format!("{v}"))
                .unwrap_or_default();
            let _ = write!(h, "<td>{}</td>", esc(&v));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table>\n");
    if !figures.is_empty() {
        h.push_str("<h2>Figures</h2>\n");
        for (f, cap) in &figures {
            let _ = writeln!(
                h,
                "<figure><img src=\"{}\" alt=\"{}\" width=\"640\" height=\"400\"><figcaption>{}</figcaption></figure>",
                esc(f),
                esc(cap),
                esc(cap)
            );
        }
    }
    h.push_str("</body></html>\n");
    let path = dir.join("sweep.html");
    write_atomic(&path, &h)?;
    Ok(path)
}
