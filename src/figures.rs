//! Line figures drawn with `plotters`: as SVG text for the HTML reports and
//! as PNG files where a file is expected (`collate --plot`). Both go
//! through one drawing function, so the two show the same figure.
//!
//! Text is laid out (and, in PNGs, rasterised) by plotters' `ab_glyph`
//! feature from DejaVu Sans, read at first use from Debian's
//! `fonts-dejavu-core` package: pure Rust, no fontconfig, no font in the
//! repository.

use anyhow::{anyhow, bail, Context as _, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;
use std::sync::OnceLock;

/// The TrueType font of every figure's text.
pub const FONT_PATH: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

/// The family name the figures ask plotters for.
const FAMILY: &str = "sans-serif";

/// The bytes of the font file at `path`, or an error naming the package
/// that provides it.
fn read_font(path: &str) -> std::result::Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| {
        format!(
            "cannot read the figure font {path} ({e}): install Debian's \
             fonts-dejavu-core package (scripts/setup.sh does)"
        )
    })
}

/// Register DejaVu Sans with plotters as `sans-serif`, once per process;
/// later calls return the first outcome.
pub fn ensure_font() -> Result<()> {
    static DONE: OnceLock<std::result::Result<(), String>> = OnceLock::new();
    DONE.get_or_init(|| {
        let bytes = read_font(FONT_PATH)?;
        // plotters keeps fonts for the life of the process: leaked once.
        let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
        plotters::style::register_font(FAMILY, FontStyle::Normal, bytes)
            .map_err(|_| format!("{FONT_PATH} is not a usable TrueType font"))
    })
    .clone()
    .map_err(|e| anyhow!(e))
}

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

/// Size of an SVG figure (user units), as embedded in the HTML reports.
pub const SVG_SIZE: (u32, u32) = (640, 400);

/// Size of a PNG figure in pixels (the size `collate --plot` always wrote).
pub const PNG_SIZE: (u32, u32) = (800, 560);

/// Draw `series` as a line chart (points with markers, joined in x order)
/// onto `root`.
fn draw_lines<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    fig: &LineFigure,
    series: &[Series],
) -> Result<()> {
    let pts = || series.iter().flat_map(|s| s.1.iter());
    if fig.log_x && pts().any(|p| p.0 <= 0.0) {
        bail!("{}: a logarithmic x axis needs positive values", fig.title);
    }
    let (Some((x0, x1)), Some((y0, y1))) = (
        padded(pts().map(|p| if fig.log_x { p.0.log10() } else { p.0 })),
        padded(pts().map(|p| p.1)),
    ) else {
        bail!("{}: no finite data to plot", fig.title);
    };
    ensure_font()?;
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| anyhow!("{}: {e:?}", fig.title);
    root.fill(&WHITE).map_err(e)?;
    let mut chart = ChartBuilder::on(root)
        .caption(fig.title, (FAMILY, 18))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(64)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(e)?;
    let log_x = fig.log_x;
    // A log x axis runs in decades: only its whole decades (1, 10, 100,
    // ...) are labelled; the mesh may also put ticks between them, whose
    // values (3.1623, ...) would mean nothing to a reader.
    let fmt_x = move |v: &f64| {
        if log_x {
            if (v - v.round()).abs() > 1e-9 {
                return String::new();
            }
            return format!("{}", 10f64.powi(v.round() as i32));
        }
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
            .map(|&(x, y)| (if log_x { x.log10() } else { x }, y))
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
    Ok(())
}

/// An SVG line chart of `series` (points with markers, joined in x order).
pub fn line_svg(fig: &LineFigure, series: &[Series]) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SVG_SIZE).into_drawing_area();
        draw_lines(&root, fig, series)?;
    }
    Ok(svg)
}

/// The same chart as [`line_svg`], rasterised: row-major 8-bit RGB pixels
/// of a [`PNG_SIZE`] image.
pub fn line_rgb(fig: &LineFigure, series: &[Series]) -> Result<Vec<u8>> {
    let mut rgb = vec![255u8; PNG_SIZE.0 as usize * PNG_SIZE.1 as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, PNG_SIZE).into_drawing_area();
        draw_lines(&root, fig, series)?;
    }
    Ok(rgb)
}

/// Write the chart of [`line_rgb`] as an 8-bit RGB PNG file at `path`.
pub fn line_png(fig: &LineFigure, series: &[Series], path: &Path) -> Result<()> {
    let rgb = line_rgb(fig, series)?;
    let mut bytes = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut bytes, PNG_SIZE.0, PNG_SIZE.1);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc.write_header()?;
        w.write_image_data(&rgb)?;
        w.finish()?;
    }
    std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
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

    #[test]
    fn png_is_a_valid_image_of_the_figure_size_and_not_blank() {
        let s = vec![
            (
                "V1".to_string(),
                vec![(1.0, 0.1), (10.0, 0.3), (100.0, 0.2)],
            ),
            ("LGN".to_string(), vec![(1.0, 0.2), (100.0, 0.25)]),
        ];
        let fig = LineFigure {
            title: "mean activity vs density",
            x_label: "density",
            y_label: "activity",
            log_x: true,
        };
        let path = std::env::temp_dir().join(format!("topo_fig_{}.png", std::process::id()));
        line_png(&fig, &s, &path).unwrap();
        let file = std::fs::File::open(&path).unwrap();
        let mut reader = png::Decoder::new(std::io::BufReader::new(file))
            .read_info()
            .unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        std::fs::remove_file(&path).ok();
        assert_eq!((info.width, info.height), PNG_SIZE);
        assert_eq!(info.color_type, png::ColorType::Rgb);
        let px = &buf[..info.buffer_size()];
        // Text and axes: dark grey pixels; the two series: their colours.
        let dark = px.chunks(3).filter(|p| p.iter().all(|&c| c < 100)).count();
        assert!(dark > 500, "only {dark} dark pixels (text, axes)");
        for c in &PALETTE[..2] {
            let n = px.chunks(3).filter(|p| p == &[c.0, c.1, c.2]).count();
            assert!(n > 100, "only {n} pixels of {c:?}");
        }
    }

    #[test]
    fn a_missing_font_names_its_package() {
        let err = read_font("/nonexistent/DejaVuSans.ttf").unwrap_err();
        assert!(
            err.contains("/nonexistent/DejaVuSans.ttf") && err.contains("fonts-dejavu-core"),
            "{err}"
        );
    }
}
