//! The run report: `index.html` in the run folder, a self-contained page
//! (inline style and script, no network) that rank 0 rewrites as the run
//! goes — at the start, after every analysis time and at the end — with the
//! command line, parameters, progress and timings, warnings, the analysis
//! images of every time with captions, figures over training time (SVG
//! files beside it) and the `.out` log.
//!
//! Every file is written under a temporary name and renamed, so a browser
//! reloading the page never reads half a file.

use crate::figures::{line_svg, LineFigure, Series};
use crate::par::Context;
use crate::session::Session;
use anyhow::{Context as _, Result};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Per-sheet numbers at one analysis time.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SheetStats {
    /// Sheet name.
    pub sheet: String,
    /// Mean activity over the sheet.
    pub mean_activity: f64,
    /// Mean homeostatic threshold (sheets with an adaptive threshold).
    pub mean_threshold: Option<f64>,
    /// Pinwheels per hypercolumn² (sheets whose map was measured).
    pub pinwheel_density: Option<f64>,
}

/// One analysis time done.
#[derive(Clone, Debug)]
struct TimeEntry {
    time: f64,
    timestr: String,
    elapsed: f64,
    sheets: Vec<SheetStats>,
}

/// Rank 0's run report (inert on other ranks, which only take part in the
/// collective statistics).
pub struct RunReport {
    active: bool,
    dir: PathBuf,
    simname: String,
    command: String,
    model: String,
    ranks: usize,
    params: Vec<(String, String)>,
    times: Vec<f64>,
    started_utc: String,
    started: Instant,
    done: Vec<TimeEntry>,
    status: String,
}

/// Collective: each sheet's mean activity and mean homeostatic threshold,
/// summed over ranks in rank order (rank 0 gets the numbers; others an
/// empty list).
pub fn sheet_stats(ctx: &Context, sess: &Session) -> Vec<SheetStats> {
    let names = sess.net.sheet_names();
    let mut mine = Vec::with_capacity(names.len() * 32);
    for s in &names {
        let a = sess.net.activity(s);
        let t = sess.net.thresholds(s).unwrap_or(&[]);
        for v in [
            a.iter().sum::<f64>(),
            a.len() as f64,
            t.iter().sum::<f64>(),
            t.len() as f64,
        ] {
            mine.extend_from_slice(&v.to_le_bytes());
        }
    }
    let Some(all) = ctx.gather(&mine) else {
        return Vec::new();
    };
    let mut sums = vec![[0.0f64; 4]; names.len()];
    for bytes in &all {
        for (i, chunk) in bytes.chunks_exact(8).enumerate() {
            let v = f64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
            if let Some(s) = sums.get_mut(i / 4) {
                s[i % 4] += v;
            }
        }
    }
    names
        .into_iter()
        .zip(sums)
        .map(|(sheet, [a, n, t, m])| SheetStats {
            sheet,
            mean_activity: a / n.max(1.0),
            mean_threshold: (m > 0.0).then(|| t / m),
            pinwheel_density: None,
        })
        .collect()
}

/// `analysis/<timestr>/<sheet>/pinwheel_density` of a closed run file, read
/// by one process.
fn pinwheel_density(h5: &Path, timestr: &str, sheet: &str) -> Option<f64> {
    let f = hdf5::File::open(h5).ok()?;
    let ds = f
        .dataset(&format!("analysis/{timestr}/{sheet}/pinwheel_density"))
        .ok()?;
    ds.read_raw::<f64>().ok()?.first().copied()
}

/// Text for HTML.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// Write `text` to `path` through a temporary file and a rename.
pub fn write_atomic(path: &Path, text: &str) -> Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp"));
    std::fs::write(&tmp, text).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))
}

/// The page's shared style and its image check: once the page has loaded,
/// `<body data-images>` says `ok` when every image decoded, else how many
/// did not (a headless browser's DOM dump shows it).
pub const STYLE_AND_CHECK: &str = r#"<style>
body{font-family:sans-serif;margin:1.5em;max-width:75em;color:#222}
h1{font-size:1.4em}h2{font-size:1.15em;border-bottom:1px solid #ccc;margin-top:1.6em}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}
th[data-col]{cursor:pointer;background:#f4f4f4}
figure{display:inline-block;margin:0 1em 1em 0;vertical-align:top}
figure img{image-rendering:pixelated;max-width:640px;border:1px solid #ddd}
figcaption{font-size:.85em;max-width:300px}
pre{background:#f7f7f7;padding:.6em;overflow-x:auto;font-size:.85em}
.warn{color:#a40}
</style>
<script>
window.addEventListener('load', function () {
  var bad = 0;
  for (var i = 0; i < document.images.length; i++) {
    var im = document.images[i];
    if (!(im.complete && im.naturalWidth > 0)) { bad++; im.setAttribute('data-broken', ''); }
  }
  document.body.setAttribute('data-images', bad === 0 ? 'ok' : 'broken:' + bad);
});
</script>"#;

impl RunReport {
    /// A report for the run in `dir` (active on rank 0 only).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        active: bool,
        dir: &Path,
        simname: &str,
        argv: &[String],
        model: &Path,
        ranks: usize,
        params: Vec<(String, String)>,
        times: Vec<f64>,
    ) -> RunReport {
        RunReport {
            active,
            dir: dir.to_path_buf(),
            simname: simname.to_string(),
            command: super::outlog::shell_join(argv),
            model: model.display().to_string(),
            ranks,
            params,
            times,
            started_utc: chrono::Utc::now().to_rfc3339(),
            started: Instant::now(),
            done: Vec::new(),
            status: "running".into(),
        }
    }

    /// The page's path.
    pub fn path(&self) -> PathBuf {
        self.dir.join("index.html")
    }

    /// Collective: record the analysis just made at the current time and
    /// rewrite the page (rank 0).
    pub fn analysed(&mut self, ctx: &Context, sess: &Session, h5: &Path) -> Result<()> {
        let mut stats = sheet_stats(ctx, sess);
        if !self.active {
            return Ok(());
        }
        let t = sess.net.time();
        for s in &mut stats {
            s.pinwheel_density = pinwheel_density(h5, &t.timestr(), &s.sheet);
        }
        self.done.push(TimeEntry {
            time: t.to_f64(),
            timestr: t.timestr(),
            elapsed: self.started.elapsed().as_secs_f64(),
            sheets: stats,
        });
        self.write()
    }

    /// The run ended (`status`: finished, failed...): the final page.
    pub fn finish(&mut self, status: &str) -> Result<()> {
        self.status = status.to_string();
        self.write()
    }

    fn series(&self, f: impl Fn(&SheetStats) -> Option<f64>) -> Vec<Series> {
        let mut out: Vec<Series> = Vec::new();
        for e in &self.done {
            for s in &e.sheets {
                let Some(v) = f(s) else { continue };
                match out.iter_mut().find(|x| x.0 == s.sheet) {
                    Some(x) => x.1.push((e.time, v)),
                    None => out.push((s.sheet.clone(), vec![(e.time, v)])),
                }
            }
        }
        out
    }

    /// The figures over training time: (file, caption), written beside the page.
    fn figures(&self) -> Result<Vec<(String, String)>> {
        let mut out = Vec::new();
        type Get = fn(&SheetStats) -> Option<f64>;
        let specs: [(&str, &str, &str, Get); 3] = [
            (
                "mean_activity",
                "Mean activity over time",
                "mean activity",
                |s| Some(s.mean_activity),
            ),
            (
                "mean_threshold",
                "Mean homeostatic threshold over time",
                "mean threshold",
                |s| s.mean_threshold,
            ),
            (
                "pinwheel_density",
                "Pinwheel density over training time",
                "pinwheels per hypercolumn²",
                |s| s.pinwheel_density,
            ),
        ];
        for (name, title, y_label, get) in specs {
            let series = self.series(get);
            if series.is_empty() {
                continue;
            }
            let fig = LineFigure {
                title,
                x_label: "simulation time",
                y_label,
                log_x: false,
            };
            let file = format!("{}_{name}.svg", self.simname);
            write_atomic(&self.dir.join(&file), &line_svg(&fig, &series)?)?;
            let sheets: Vec<&str> = series.iter().map(|s| s.0.as_str()).collect();
            out.push((file, format!("{title} (sheets {})", sheets.join(", "))));
        }
        Ok(out)
    }

    /// The images of one analysis time: (file, caption), in name order.
    fn images(&self, e: &TimeEntry) -> Vec<(String, String)> {
        let prefix = format!("{}_{}_", self.simname, e.timestr);
        let mut files: Vec<String> = std::fs::read_dir(&self.dir)
            .map(|d| {
                d.filter_map(|x| x.ok())
                    .map(|x| x.file_name().to_string_lossy().into_owned())
                    .filter(|n| n.starts_with(&prefix) && n.ends_with(".png"))
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        files
            .into_iter()
            .map(|f| {
                let what = &f[prefix.len()..f.len() - 4];
                let cap = caption(what, e);
                (f, cap)
            })
            .collect()
    }

    /// Rewrite the page (rank 0; a failure to write is the caller's warning).
    pub fn write(&self) -> Result<()> {
        if !self.active {
            return Ok(());
        }
        let figures = self.figures()?;
        let mut h = String::with_capacity(16 * 1024);
        let title = esc(&self.simname);
        let _ = write!(
            h,
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>{title}</title>\n{STYLE_AND_CHECK}\n</head>\n<body data-status=\"{}\">\n<h1>{title}</h1>\n",
            esc(&self.status)
        );
        let last = self.done.last().map(|e| e.time);
        let _ = writeln!(
            h,
            "<p id=\"status\">Status: <b>{}</b>. Analysis times done: {} of {}{}. Elapsed {:.1} s since {}.</p>",
            esc(&self.status),
            self.done.len(),
            self.times.len(),
            last.map(|t| format!(" (last: {t:.2})")).unwrap_or_default(),
            self.started.elapsed().as_secs_f64(),
            esc(&self.started_utc)
        );
        let _ = write!(
            h,
            "<h2>Command</h2>\n<pre id=\"command\">{}</pre>\n<p>Model {} on {} rank(s).</p>\n",
            esc(&self.command),
            esc(&self.model),
            self.ranks
        );
        h.push_str(
            "<h2>Parameters</h2>\n<table id=\"parameters\"><tr><th>name</th><th>value</th></tr>\n",
        );
        for (n, v) in &self.params {
            let _ = writeln!(h, "<tr><td>{}</td><td>{}</td></tr>", esc(n), esc(v));
        }
        h.push_str("</table>\n<h2>Progress and timings</h2>\n<table id=\"timings\"><tr><th>time</th><th>elapsed (s)</th><th>sheet</th><th>mean activity</th><th>mean threshold</th><th>pinwheel density</th></tr>\n");
        for e in &self.done {
            for s in &e.sheets {
                let opt = |v: Option<f64>| v.map(|v| format!("{v:.4}")).unwrap_or_default();
                let _ = writeln!(
                    h,
                    "<tr><td>{:.2}</td><td>{:.1}</td><td>{}</td><td>{:.4}</td><td>{}</td><td>{}</td></tr>",
                    e.time,
                    e.elapsed,
                    esc(&s.sheet),
                    s.mean_activity,
                    opt(s.mean_threshold),
                    opt(s.pinwheel_density)
                );
            }
        }
        h.push_str("</table>\n");
        let log = std::fs::read_to_string(self.dir.join(format!("{}.out", self.simname)))
            .unwrap_or_default();
        let warnings: Vec<&str> = log.lines().filter(|l| l.contains("Warning")).collect();
        let _ = writeln!(
            h,
            "<h2>Warnings ({})</h2>\n<ul id=\"warnings\">",
            warnings.len()
        );
        for w in &warnings {
            let _ = writeln!(h, "<li class=\"warn\">{}</li>", esc(w));
        }
        h.push_str("</ul>\n");
        if !figures.is_empty() {
            h.push_str("<h2>Over training time</h2>\n");
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
        for e in &self.done {
            let _ = writeln!(h, "<h2 id=\"t{}\">Time {:.2}</h2>", esc(&e.timestr), e.time);
            for (f, cap) in self.images(e) {
                let _ = writeln!(
                    h,
                    "<figure><img src=\"{}\" alt=\"{}\"><figcaption>{}</figcaption></figure>",
                    esc(&f),
                    esc(&cap),
                    esc(&cap)
                );
            }
        }
        let _ = write!(
            h,
            "<h2>Log ({}.out)</h2>\n<pre id=\"log\">{}</pre>\n</body></html>\n",
            esc(&self.simname),
            esc(&log)
        );
        write_atomic(&self.path(), &h)
    }
}

/// The caption of an analysis image `<sheet>_<what>` at time `e`.
fn caption(what: &str, e: &TimeEntry) -> String {
    let sheet = e
        .sheets
        .iter()
        .filter(|s| what.starts_with(&format!("{}_", s.sheet)))
        .max_by_key(|s| s.sheet.len());
    let Some(s) = sheet else {
        return format!("{}, time {:.2}", what.replace('_', " "), e.time);
    };
    let rest = &what[s.sheet.len() + 1..];
    let t = format!("time {:.2}", e.time);
    if let Some(proj) = rest.strip_suffix("_Weights") {
        format!("{}, projection {proj}: weights, {t}", s.sheet)
    } else if rest.starts_with("Orientation_Preference") {
        let pw = s
            .pinwheel_density
            .map(|p| format!(", pinwheel density {p:.2} per hypercolumn²"))
            .unwrap_or_default();
        format!("{}: orientation preference, {t}{pw}", s.sheet)
    } else if rest.starts_with("Activity_45d") {
        format!("{}: activity for a 45° Gaussian, {t}", s.sheet)
    } else {
        format!(
            "{}: {}, {t}",
            s.sheet,
            rest.replace('_', " ").to_lowercase()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> TimeEntry {
        TimeEntry {
            time: 100.0,
            timestr: "000100.00".into(),
            elapsed: 1.0,
            sheets: vec![
                SheetStats {
                    sheet: "V1".into(),
                    pinwheel_density: Some(3.254),
                    ..Default::default()
                },
                SheetStats {
                    sheet: "V1Exc".into(),
                    ..Default::default()
                },
            ],
        }
    }

    #[test]
    fn captions_name_sheet_projection_time_and_pinwheels() {
        let e = entry();
        assert_eq!(
            caption("V1_Afferent_Weights", &e),
            "V1, projection Afferent: weights, time 100.00"
        );
        assert_eq!(
            caption("V1_Orientation_Preference", &e),
            "V1: orientation preference, time 100.00, pinwheel density 3.25 per hypercolumn²"
        );
        // The longest sheet name that fits wins.
        assert_eq!(
            caption("V1Exc_Activity", &e),
            "V1Exc: activity, time 100.00"
        );
        assert_eq!(caption("Other_Thing", &e), "Other Thing, time 100.00");
    }

    #[test]
    fn html_text_is_escaped() {
        assert_eq!(
            esc("<a href='x'>&</a>"),
            "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;"
        );
    }
}
