//! Line figures as SVG text, drawn with `plotters` (its SVG backend needs
//! no font files: the browser renders the labels).

use anyhow::{anyhow, bail, Result};
use plotters::prelude::*;

/// A named series of `(x, y)` points.
pub type Series = (String, Vec<(f64, f64)>);

const PALETTE: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(255, 127, 14),
    RGBColor(23, 190, 207),
];

/// Options of a line figure.
#[derive(Clone, Debug, Default)]
pub struct LineFigure<'a> {
    /// Title above the plot.
    pub title: &'a str,
    /// x axis label.
    pub x_label: &'a str,
    /// y axis label.
    pub y_label: &'a str,
    /// Logarithmic x axis (every x must be positive).
    pub log_x: bool,
}

/// The data range padded by 6 % (a single value gets a unit-wide range).
fn padded(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if lo > hi {
        return None;
    }
    if hi - lo < 1e-12 * hi.abs().max(1.0) {
        return Some((lo - 0.5, hi + 0.5));
    }
    let m = (hi - lo) * 0.06;
    Some((lo - m, hi + m))
}

/// An SVG line chart of `series` (points with markers, joined in x order).
pub fn line_svg(fig: &LineFigure, series: &[Series]) -> Result<String> {
    let pts = || series.iter().flat_map(|s| s.1.iter());
    if fig.log_x && pts().any(|p| p.0 <= 0.0) {
        bail!("{}: a logarithmic x axis needs positive values", fig.title);
    }
    let (Some((x0, x1)), Some((y0, y1))) = (
        padded(pts().map(|p| if fig.log_x { p.0.ln() } else { p.0 })),
        padded(pts().map(|p| p.1)),
    ) else {
        bail!("{}: no finite data to plot", fig.title);
    };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (640, 400)).into_drawing_area();
        let e = |e: DrawingAreaErrorKind<_>| anyhow!("{}: {e:?}", fig.title);
        root.fill(&WHITE).map_err(e)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(fig.title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(64)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(e)?;
        let log_x = fig.log_x;
        let fmt_x = move |v: &f64| {
            let v = if log_x { v.exp() } else { *v };
            format!("{}", (v * 1e4).round() / 1e4)
        };
        chart
            .configure_mesh()
            .x_desc(fig.x_label)
            .y_desc(fig.y_label)
            .x_label_formatter(&fmt_x)
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(e)?;
        for (i, (name, p)) in series.iter().enumerate() {
            let c = PALETTE[i % PALETTE.len()];
            let mut p: Vec<(f64, f64)> = p
                .iter()
                .filter(|q| q.1.is_finite())
                .map(|&(x, y)| (if log_x { x.ln() } else { x }, y))
                .collect();
            p.sort_by(|a, b| a.0.total_cmp(&b.0));
            chart
                .draw_series(LineSeries::new(p.clone(), c.stroke_width(2)))
                .map_err(e)?
                .label(name.as_str())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], c));
            chart
                .draw_series(p.iter().map(|&q| Circle::new(q, 3, c.filled())))
                .map_err(e)?;
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .draw()
            .map_err(e)?;
        root.present().map_err(e)?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svg_has_title_labels_and_one_path_per_series() {
        let s = vec![
            ("V1".to_string(), vec![(0.0, 0.1), (10.0, 0.3)]),
            ("LGN".to_string(), vec![(0.0, 0.2), (10.0, 0.2)]),
        ];
        let fig = LineFigure {
            title: "mean activity",
            x_label: "time",
            y_label: "activity",
            log_x: false,
        };
        let svg = line_svg(&fig, &s).unwrap();
        assert!(svg.starts_with("<svg"), "{}", &svg[..80.min(svg.len())]);
        // plotters writes each text on a line of its own.
        for text in ["mean activity", "time", "activity", "V1", "LGN"] {
            assert!(svg.contains(&format!(">\n{text}\n<")), "no {text}");
        }
        // The data lines are the thick ones, one per series in its colour.
        assert_eq!(
            svg.matches(r##"stroke="#1F77B4" stroke-width="2""##)
                .count()
                + svg
                    .matches(r##"stroke="#D62728" stroke-width="2""##)
                    .count(),
            2,
            "{svg}"
        );
    }

    #[test]
    fn empty_or_bad_data_is_an_error() {
        let fig = LineFigure {
            title: "t",
            log_x: true,
            ..Default::default()
        };
        assert!(line_svg(&fig, &[]).is_err());
        let s = vec![("a".to_string(), vec![(0.0, 1.0)])];
        assert!(line_svg(&fig, &s)
            .unwrap_err()
            .to_string()
            .contains("positive"));
    }
}
