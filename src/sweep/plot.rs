//! The collated figure: one result against one swept parameter, a line per
//! analysis time, drawn into an RGB image with axes, ticks, labels and a
//! legend, written as PNG. A tiny built-in 3x5 font keeps this free of font
//! files.

use super::collate::Table;
use anyhow::{bail, Context, Result};
use std::path::Path;

/// Width of the plotting area; the legend's width is added to the image.
const PLOT_W: usize = 620;
const H: usize = 560;
const LEFT: usize = 90;
const TOP: usize = 50;
const BOTTOM: usize = 70;
const SCALE: usize = 2;

type Rgb = [u8; 3];
const BLACK: Rgb = [0, 0, 0];
const GREY: Rgb = [215, 215, 215];
const PALETTE: [Rgb; 6] = [
    [31, 119, 180],
    [214, 39, 40],
    [44, 160, 44],
    [148, 103, 189],
    [255, 127, 14],
    [23, 190, 207],
];

/// An RGB canvas.
pub struct Canvas {
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// Row-major RGB bytes.
    pub pixels: Vec<u8>,
}

impl Canvas {
    /// A white canvas.
    pub fn new(width: usize, height: usize) -> Canvas {
        Canvas {
            width,
            height,
            pixels: vec![255; width * height * 3],
        }
    }

    /// Set one pixel (outside: ignored).
    pub fn set(&mut self, x: i64, y: i64, c: Rgb) {
        if x >= 0 && y >= 0 && (x as usize) < self.width && (y as usize) < self.height {
            let i = (y as usize * self.width + x as usize) * 3;
            self.pixels[i..i + 3].copy_from_slice(&c);
        }
    }

    /// The colour at a pixel.
    pub fn get(&self, x: usize, y: usize) -> Rgb {
        let i = (y * self.width + x) * 3;
        [self.pixels[i], self.pixels[i + 1], self.pixels[i + 2]]
    }

    fn rect(&mut self, x: i64, y: i64, w: i64, h: i64, c: Rgb) {
        for yy in y..y + h {
            for xx in x..x + w {
                self.set(xx, yy, c);
            }
        }
    }

    /// A 2-pixel-wide line (Bresenham).
    fn line(&mut self, x0: i64, y0: i64, x1: i64, y1: i64, c: Rgb) {
        let (dx, dy) = ((x1 - x0).abs(), -(y1 - y0).abs());
        let (sx, sy) = (if x0 < x1 { 1 } else { -1 }, if y0 < y1 { 1 } else { -1 });
        let (mut x, mut y, mut err) = (x0, y0, dx + dy);
        loop {
            self.rect(x, y, 2, 2, c);
            if x == x1 && y == y1 {
                break;
            }
            let e2 = 2 * err;
            if e2 >= dy {
                err += dy;
                x += sx;
            }
            if e2 <= dx {
                err += dx;
                y += sy;
            }
        }
    }

    /// Text with the built-in font, top-left at (x, y).
    fn text(&mut self, x: i64, y: i64, s: &str, c: Rgb) {
        let s_ = SCALE as i64;
        for (k, ch) in s.chars().enumerate() {
            let rows = glyph(ch);
            let gx = x + k as i64 * 4 * s_;
            for (r, bits) in rows.iter().enumerate() {
                for col in 0..3 {
                    if bits & (0b100 >> col) != 0 {
                        self.rect(gx + col * s_, y + r as i64 * s_, s_, s_, c);
                    }
                }
            }
        }
    }

    /// Width of a text in pixels.
    fn text_width(s: &str) -> i64 {
        (s.chars().count() * 4 * SCALE) as i64
    }

    /// Write as an 8-bit RGB PNG.
    pub fn write_png(&self, path: &Path) -> Result<()> {
        let file = std::fs::File::create(path)
            .with_context(|| format!("cannot create {}", path.display()))?;
        let mut enc = png::Encoder::new(
            std::io::BufWriter::new(file),
            self.width as u32,
            self.height as u32,
        );
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc.write_header()?;
        w.write_image_data(&self.pixels)?;
        w.finish()?;
        Ok(())
    }
}

/// 3x5 glyphs, rows top to bottom, bit 2 is the left column. Lower case is
/// drawn as upper case.
fn glyph(c: char) -> [u8; 5] {
    match c.to_ascii_uppercase() {
        '0' => [7, 5, 5, 5, 7],
        '1' => [2, 6, 2, 2, 7],
        '2' => [7, 1, 7, 4, 7],
        '3' => [7, 1, 7, 1, 7],
        '4' => [5, 5, 7, 1, 1],
        '5' => [7, 4, 7, 1, 7],
        '6' => [7, 4, 7, 5, 7],
        '7' => [7, 1, 1, 2, 2],
        '8' => [7, 5, 7, 5, 7],
        '9' => [7, 5, 7, 1, 7],
        'A' => [2, 5, 7, 5, 5],
        'B' => [6, 5, 6, 5, 6],
        'C' => [3, 4, 4, 4, 3],
        'D' => [6, 5, 5, 5, 6],
        'E' => [7, 4, 6, 4, 7],
        'F' => [7, 4, 6, 4, 4],
        'G' => [3, 4, 5, 5, 3],
        'H' => [5, 5, 7, 5, 5],
        'I' => [7, 2, 2, 2, 7],
        'J' => [1, 1, 1, 5, 2],
        'K' => [5, 5, 6, 5, 5],
        'L' => [4, 4, 4, 4, 7],
        'M' => [5, 7, 7, 5, 5],
        'N' => [6, 5, 5, 5, 5],
        'O' => [2, 5, 5, 5, 2],
        'P' => [6, 5, 6, 4, 4],
        'Q' => [2, 5, 5, 6, 3],
        'R' => [6, 5, 6, 5, 5],
        'S' => [3, 4, 2, 1, 6],
        'T' => [7, 2, 2, 2, 2],
        'U' => [5, 5, 5, 5, 7],
        'V' => [5, 5, 5, 5, 2],
        'W' => [5, 5, 7, 7, 5],
        'X' => [5, 5, 2, 5, 5],
        'Y' => [5, 5, 2, 2, 2],
        'Z' => [7, 1, 2, 4, 7],
        '.' => [0, 0, 0, 0, 2],
        '-' => [0, 0, 7, 0, 0],
        '+' => [0, 2, 7, 2, 0],
        '=' => [0, 7, 0, 7, 0],
        '_' => [0, 0, 0, 0, 7],
        '/' => [1, 1, 2, 4, 4],
        ':' => [0, 2, 0, 2, 0],
        ',' => [0, 0, 0, 2, 4],
        '(' => [1, 2, 2, 2, 1],
        ')' => [4, 2, 2, 2, 4],
        ' ' => [0; 5],
        _ => [7, 1, 2, 0, 2],
    }
}

/// About `n` round tick values covering [lo, hi].
pub fn nice_ticks(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    if hi.partial_cmp(&lo) != Some(std::cmp::Ordering::Greater) {
        return vec![lo];
    }
    let raw = (hi - lo) / n.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last).map(|k| k as f64 * step).collect()
}

/// A tick label: short, no binary noise.
fn tick_label(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let a = v.abs();
    if !(1e-3..1e5).contains(&a) {
        return format!("{v:.1e}");
    }
    let s = format!("{v:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// One series: a label and its (x, y) points.
pub type Series = (String, Vec<(f64, f64)>);

/// Draw the series (sorted by x, joined by lines, points marked).
pub fn draw(
    series: &[Series],
    title: &str,
    xlabel: &str,
    ylabel: &str,
    log_x: bool,
) -> Result<Canvas> {
    let pts: Vec<(f64, f64)> = series.iter().flat_map(|s| s.1.iter().copied()).collect();
    if pts.is_empty() {
        bail!("nothing to plot");
    }
    if log_x && pts.iter().any(|p| p.0 <= 0.0) {
        bail!("a log x axis needs positive values");
    }
    let fx = |x: f64| if log_x { x.log10() } else { x };
    let (mut x0, mut x1) = bounds(pts.iter().map(|p| fx(p.0)));
    let (mut y0, mut y1) = bounds(pts.iter().map(|p| p.1));
    pad(&mut x0, &mut x1);
    pad(&mut y0, &mut y1);
    let legend = series
        .iter()
        .map(|s| Canvas::text_width(&s.0) as usize)
        .max()
        .unwrap_or(0);
    let right = (legend + 50).max(40);
    let w = LEFT + PLOT_W + right;
    let (pw, ph) = (PLOT_W as f64, (H - TOP - BOTTOM) as f64);
    let px = |x: f64| LEFT as i64 + ((fx(x) - x0) / (x1 - x0) * pw).round() as i64;
    let py = |y: f64| (H - BOTTOM) as i64 - ((y - y0) / (y1 - y0) * ph).round() as i64;
    let mut c = Canvas::new(w, H);

    // Grid and ticks.
    let xticks: Vec<f64> = if log_x {
        let (a, b) = (x0.ceil() as i64, x1.floor() as i64);
        (a..=b).map(|e| 10f64.powi(e as i32)).collect()
    } else {
        nice_ticks(x0, x1, 6)
    };
    for &t in &xticks {
        let x = px(t);
        c.line(x, TOP as i64, x, (H - BOTTOM) as i64, GREY);
        c.line(x, (H - BOTTOM) as i64, x, (H - BOTTOM + 6) as i64, BLACK);
        let l = tick_label(t);
        c.text(
            x - Canvas::text_width(&l) / 2,
            (H - BOTTOM + 12) as i64,
            &l,
            BLACK,
        );
    }
    for t in nice_ticks(y0, y1, 6) {
        let y = py(t);
        c.line(LEFT as i64, y, (LEFT + PLOT_W) as i64, y, GREY);
        c.line(LEFT as i64 - 6, y, LEFT as i64, y, BLACK);
        let l = tick_label(t);
        c.text(LEFT as i64 - 10 - Canvas::text_width(&l), y - 5, &l, BLACK);
    }
    // Axes box.
    let (l, r, t, b) = (
        LEFT as i64,
        (LEFT + PLOT_W) as i64,
        TOP as i64,
        (H - BOTTOM) as i64,
    );
    c.line(l, b, r, b, BLACK);
    c.line(l, t, l, b, BLACK);
    c.line(r, t, r, b, BLACK);
    c.line(l, t, r, t, BLACK);
    // Labels.
    c.text((w as i64 - Canvas::text_width(title)) / 2, 15, title, BLACK);
    let xl = if log_x {
        format!("{xlabel} (log)")
    } else {
        xlabel.to_string()
    };
    c.text(
        LEFT as i64 + (pw as i64 - Canvas::text_width(&xl)) / 2,
        (H - 28) as i64,
        &xl,
        BLACK,
    );
    c.text(10, (TOP - 22) as i64, ylabel, BLACK);

    for (k, (label, points)) in series.iter().enumerate() {
        let color = PALETTE[k % PALETTE.len()];
        let mut p = points.clone();
        p.sort_by(|a, b| a.0.total_cmp(&b.0));
        for w in p.windows(2) {
            c.line(px(w[0].0), py(w[0].1), px(w[1].0), py(w[1].1), color);
        }
        for &(x, y) in &p {
            c.rect(px(x) - 3, py(y) - 3, 7, 7, color);
        }
        let ly = (TOP + 10 + k * 22) as i64;
        c.rect(r + 14, ly, 14, 10, color);
        c.text(r + 34, ly, label, BLACK);
    }
    Ok(c)
}

fn bounds(it: impl Iterator<Item = f64>) -> (f64, f64) {
    it.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    })
}

fn pad(lo: &mut f64, hi: &mut f64) {
    let span = *hi - *lo;
    let m = if span > 0.0 {
        span * 0.06
    } else {
        lo.abs().max(1.0) * 0.1
    };
    *lo -= m;
    *hi += m;
}

/// Plot `result` against `param` from the table into `path`: a line per
/// analysis time (or only time `at`).
pub fn plot_result(
    t: &Table,
    result: &str,
    param: &str,
    at: Option<&str>,
    log_x: bool,
    path: &Path,
) -> Result<()> {
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
    // One line per analysis time and per combination of the other swept
    // parameters, so a line only joins runs that differ in `param`.
    type Key = (f64, String);
    let mut series: Vec<(Key, Vec<(f64, f64)>)> = Vec::new();
    for row in &t.rows {
        let Some(time) = row.time else { continue };
        if at.is_some_and(|a| (a - time).abs() > 1e-9) {
            continue;
        }
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
            .map(|(n, v)| format!("{n}={v}"))
            .collect();
        let key = (time, others.join(" "));
        match series.iter_mut().find(|s| s.0 == key) {
            Some(s) => s.1.push((x, y)),
            None => series.push((key, vec![(x, y)])),
        }
    }
    if series.is_empty() {
        bail!("no run has both a numeric '{param}' and '{result}'");
    }
    series.sort_by(|a, b| a.0 .0.total_cmp(&b.0 .0).then(a.0 .1.cmp(&b.0 .1)));
    let labelled: Vec<Series> = series
        .into_iter()
        .map(|((time, others), p)| {
            let mut label = format!("T={}", tick_label(time));
            if !others.is_empty() {
                label.push(' ');
                label.push_str(&others);
            }
            (label, p)
        })
        .collect();
    let canvas = draw(
        &labelled,
        &format!("{result} vs {param}"),
        param,
        result,
        log_x,
    )?;
    canvas.write_png(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_inside() {
        let t = nice_ticks(0.03, 0.97, 5);
        assert_eq!(t, vec![0.2, 0.4, 0.6000000000000001, 0.8]);
        assert!(nice_ticks(-3.0, 12.0, 5)
            .iter()
            .all(|v| (-3.0..=12.0).contains(v)));
        assert_eq!(tick_label(0.6000000000000001), "0.6");
        assert_eq!(tick_label(2e-5), "2.0e-5");
    }

    #[test]
    fn points_land_where_the_axes_say() {
        // Two points at the data extremes; with 6 % padding each sits 6/112
        // of the plot width in from the frame.
        let s = vec![("A".to_string(), vec![(0.0, 0.0), (1.0, 1.0)])];
        let c = draw(&s, "T", "X", "Y", false).unwrap();
        let pw = PLOT_W as f64;
        let x = LEFT as f64 + pw * 0.06 / 1.12;
        let y = (H - BOTTOM) as f64 - (H - TOP - BOTTOM) as f64 * 0.06 / 1.12;
        assert_eq!(c.get(x.round() as usize, y.round() as usize), PALETTE[0]);
        // Top-right corner of the plot is not coloured by the series.
        assert_ne!(c.get(LEFT + PLOT_W - 3, TOP + 3), PALETTE[0]);
    }
}
