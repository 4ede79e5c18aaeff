//! imagen pattern generators, evaluated over any rectangular block of their
//! sampling grid.
//!
//! A pattern is a [`topo_spec::Component`] of one of the imagen classes (see
//! [`SUPPORTED_CLASSES`]) whose parameters the interpreter resolved. [`render`]
//! samples it on a [`SheetCoords`] grid, as `pattern(bounds=..., xdensity=...,
//! ydensity=..., **overrides)` does in imagen, but writes only the block
//! [`Region`] asks for. Every element of a block is computed by exactly the
//! same floating-point operations as in the whole-grid evaluation, so any
//! split of a grid into blocks gives bit-identical results.
//!
//! Two things need more than the block:
//! - Output functions that need the whole pattern (`DivisiveNormalizeL1`
//!   divides by the sum over the whole grid) and `Line` with
//!   `enforce_minimal_thickness` (counts pixels over the whole grid): such a
//!   (sub-)pattern is computed on the whole grid and the block is cut out.
//! - Random patterns that draw from the shared sequential numpy stream: a
//!   block render still advances the stream by the whole pattern's draw
//!   count, so the next pattern sees the same stream state whatever block was
//!   rendered. Time-dependent random patterns seed a fresh stream from the
//!   hash of their name and the time and skip to the block's draws.
//!
//! Parameter values are read exactly when imagen reads them (an explicit
//! override hides the component's own value, which is then never drawn), and
//! dynamic values come from [`Randomness::value`], which caches them per
//! simulation time as `param.Dynamic` does.
//!
//! # Fidelity
//! Arithmetic follows numpy's operation order (including numpy's pairwise
//! summation in the L1 norm), so additions and products are bit-identical.
//! `exp`, `sin` and `cos` come from Rust's libm; the numpy that produced the
//! reference data (1.23 on an AVX-512 CPU) uses SIMD versions that are not
//! always correctly rounded, so a value may differ in its last bit or two
//! (at most 9e-16 absolute in the reference tests).
//!
//! `GaussianCloud` builds its Gaussian and UniformRandom afresh on every
//! call with imagen's defaults; a class default that a model file changed
//! (e.g. `imagen.Gaussian.scale`) is not seen by them, whereas Topographica
//! would see it.

mod call;
mod channels;
mod composite;
mod eval;
mod file_image;
mod gaussian_max;
mod numbergen;
mod output_fns;
mod random;
mod sampler;
mod shapes;
mod sweeper;
mod user;

use crate::coords::{BoundingBox, CoordsError, SheetCoords};
use std::collections::BTreeMap;
use std::fmt;
use topo_spec::{Component, Time, UserClass, Value};

pub use channels::{num_channels, render_channels};
pub use output_fns::numpy_sum;
pub use sampler::SizeNormalization;

static FAST_GAUSSIANS_OFF: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

/// Makes [`render`] evaluate Gaussians as before issue 14 session 11
/// (`true`), or (`false`, the default) faster: a `numpy.maximum`
/// Composite of plain Gaussians (GCAL's training pattern) takes `exp`
/// only where a Gaussian can be the maximum, rotated coordinates are
/// written by index, and a Gaussian's exponents are computed in a loop of
/// their own (vectorised). The same bits either way; for measuring one
/// against the other (GCAL's rank block of the retina, the streams'
/// switches on: 60 µs a render with this off, 31 on; benches/RESULTS.md,
/// issue 14 session 11).
pub fn set_fast_gaussians_off(off: bool) {
    FAST_GAUSSIANS_OFF.store(off, std::sync::atomic::Ordering::Relaxed);
}

/// Whether [`set_fast_gaussians_off`] left the faster paths on.
pub(crate) fn fast_gaussians_on() -> bool {
    !FAST_GAUSSIANS_OFF.load(std::sync::atomic::Ordering::Relaxed)
}

/// The imagen classes [`render`] knows.
pub const SUPPORTED_CLASSES: &[&str] = &[
    "imagen.Gaussian",
    "imagen.Disk",
    "imagen.Line",
    "imagen.Constant",
    "imagen.SineGrating",
    "imagen.Composite",
    "imagen.SeparatedComposite",
    "imagen.Selector",
    "imagen.random.UniformRandom",
    "imagen.random.GaussianCloud",
    "imagen.image.FileImage",
    "imagen.Sweeper",
    "imagen.deprecated.OldSweeper",
    "imagen.ComposeChannels",
];

/// A multiplicative mask over the whole sampling grid (row-major), as the
/// `mask` parameter of a pattern call.
#[derive(Clone, Debug, PartialEq)]
pub struct Mask {
    /// Values, row-major, `rows * cols` of them.
    pub data: Vec<f64>,
    /// Rows (must equal the grid's rows).
    pub rows: usize,
    /// Columns (must equal the grid's columns).
    pub cols: usize,
}

/// Explicit keyword arguments of a pattern call. Each `Some` wins over the
/// component's own (possibly dynamic) parameter value, which is then not
/// read at all (so its random stream does not advance).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Overrides {
    /// Centre x.
    pub x: Option<f64>,
    /// Centre y.
    pub y: Option<f64>,
    /// Orientation (radians).
    pub orientation: Option<f64>,
    /// Size.
    pub size: Option<f64>,
    /// Aspect ratio.
    pub aspect_ratio: Option<f64>,
    /// Scale.
    pub scale: Option<f64>,
    /// Offset.
    pub offset: Option<f64>,
    /// Sampling bounds. [`render`] samples on its `grid` argument; this and
    /// the densities only serve [`Overrides::grid`].
    pub bounds: Option<BoundingBox>,
    /// Sampling density along x (see `bounds`).
    pub xdensity: Option<f64>,
    /// Sampling density along y (see `bounds`).
    pub ydensity: Option<f64>,
    /// Mask multiplied into the pattern before scale, offset and output
    /// functions (over the whole grid).
    pub mask: Option<Mask>,
    /// Name (the hash key of time-dependent random patterns).
    pub name: Option<String>,
}

impl Overrides {
    /// The sampling grid of a call: the overridden bounds and densities, or
    /// else the component's `bounds`, `xdensity`, `ydensity` parameters,
    /// used exactly (no density equalisation).
    pub fn grid(&self, gen: &Component) -> Result<SheetCoords, PatternError> {
        let bounds = match self.bounds {
            Some(b) => b,
            None => match gen.get("bounds") {
                Some(Value::BoundingBox(b)) => BoundingBox::from_lbrt(*b),
                _ => return Err(PatternError::param(gen, "bounds", "a BoundingBox")),
            },
        };
        let xd = match self.xdensity {
            Some(v) => v,
            None => gen
                .f64("xdensity")
                .ok_or_else(|| PatternError::param(gen, "xdensity", "a number"))?,
        };
        let yd = match self.ydensity {
            Some(v) => v,
            None => gen
                .f64("ydensity")
                .ok_or_else(|| PatternError::param(gen, "ydensity", "a number"))?,
        };
        Ok(SheetCoords::exact(bounds, xd, yd)?)
    }
}

/// A half-open block `rows r0..r1, cols c0..c1` of a sampling grid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Region {
    /// First row.
    pub r0: usize,
    /// One past the last row.
    pub r1: usize,
    /// First column.
    pub c0: usize,
    /// One past the last column.
    pub c1: usize,
}

impl Region {
    /// The whole grid.
    pub fn whole(grid: &SheetCoords) -> Region {
        Region {
            r0: 0,
            r1: grid.rows(),
            c0: 0,
            c1: grid.cols(),
        }
    }

    /// Rows in the block.
    pub fn rows(&self) -> usize {
        self.r1 - self.r0
    }

    /// Columns in the block.
    pub fn cols(&self) -> usize {
        self.c1 - self.c0
    }

    /// Elements in the block.
    pub fn len(&self) -> usize {
        self.rows() * self.cols()
    }

    /// Whether the block holds no element.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A stream of uniform doubles in `[0, 1)` (numpy `random_sample`).
pub trait UniformSource {
    /// The next double.
    fn random_sample(&mut self) -> f64;
    /// Discard the next `n` doubles.
    fn skip(&mut self, n: u64);
}

/// Where patterns get their random numbers and dynamic parameter values.
/// `topo_numbergen::Streams` implements it; tests may use their own.
pub trait Randomness {
    /// The value of a parameter at time `t`: a plain number, or a numbergen
    /// component drawn (once per time, cached) from its stream.
    fn value(&mut self, v: &Value, t: Time) -> Result<f64, String>;
    /// A new draw of a numbergen component even if one was made at `t`
    /// (`force_new_dynamic_value`); it becomes the cached value for `t`.
    fn force_new(&mut self, v: &Value, t: Time) -> Result<f64, String>;
    /// imagen's shared sequential numpy stream (non-time-dependent
    /// `imagen.random` patterns).
    fn shared_uniform(&mut self) -> &mut dyn UniformSource;
    /// A numpy stream seeded from the hash of `name` and time `t`
    /// (time-dependent `imagen.random` patterns).
    fn hashed_uniform(&mut self, name: &str, t: Time) -> Result<Box<dyn UniformSource>, String>;
    /// About to render `gen` at `t`: a source may prepare the draws it
    /// will be asked for (topo-numbergen seeds the time-dependent ones
    /// together). Changes no value; nothing by default.
    fn prepare_draws(&mut self, gen: &Component, t: Time) {
        let _ = (gen, t);
    }
    /// The model file's own classes (user pattern generators); none by
    /// default.
    fn user_classes(&self) -> Option<std::sync::Arc<BTreeMap<String, UserClass>>> {
        None
    }
    /// The instance state of the user pattern generator named `instance`
    /// (empty before its first call); `None` where no state is kept.
    fn pattern_state(&self, instance: &str) -> Option<BTreeMap<String, f64>> {
        let _ = instance;
        None
    }
    /// Stores the instance state of a user pattern generator.
    fn set_pattern_state(&mut self, instance: &str, state: &BTreeMap<String, f64>) {
        let _ = (instance, state);
    }
}

/// Why a pattern could not be rendered.
#[derive(Clone, Debug, PartialEq)]
pub enum PatternError {
    /// The class is not one of [`SUPPORTED_CLASSES`].
    UnsupportedClass(String),
    /// A parameter is missing or has the wrong type.
    BadParam {
        /// Class of the component.
        class: String,
        /// Parameter name.
        param: String,
        /// What was expected.
        expected: String,
    },
    /// An unsupported output function, operator or option.
    Unsupported(String),
    /// The region lies outside the grid or `out` has the wrong length.
    BadRegion(String),
    /// A mask does not match the grid.
    BadMask(String),
    /// Building the sampling grid failed.
    Coords(CoordsError),
    /// The random source failed.
    Random(String),
    /// An image file could not be read.
    Image(String),
}

impl PatternError {
    pub(crate) fn param(gen: &Component, param: &str, expected: &str) -> PatternError {
        PatternError::BadParam {
            class: gen.class.clone(),
            param: param.to_string(),
            expected: expected.to_string(),
        }
    }
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PatternError::UnsupportedClass(c) => write!(f, "unsupported pattern class {c}"),
            PatternError::BadParam {
                class,
                param,
                expected,
            } => write!(f, "{class}: parameter '{param}' must be {expected}"),
            PatternError::Unsupported(s) => write!(f, "unsupported: {s}"),
            PatternError::BadRegion(s) => write!(f, "bad region: {s}"),
            PatternError::BadMask(s) => write!(f, "bad mask: {s}"),
            PatternError::Coords(e) => write!(f, "{e}"),
            PatternError::Random(s) => write!(f, "random stream: {s}"),
            PatternError::Image(s) => write!(f, "{s}"),
        }
    }
}

impl std::error::Error for PatternError {}

impl From<CoordsError> for PatternError {
    fn from(e: CoordsError) -> Self {
        PatternError::Coords(e)
    }
}

/// Render rows `region.r0..r1`, columns `c0..c1` of `gen` sampled on `grid`
/// at simulation time `t` into `out` (row-major, `region.len()` values).
pub fn render<R: Randomness + ?Sized>(
    gen: &Component,
    ov: &Overrides,
    grid: &SheetCoords,
    region: Region,
    streams: &mut R,
    t: Time,
    out: &mut [f64],
) -> Result<(), PatternError> {
    if region.r0 > region.r1
        || region.c0 > region.c1
        || region.r1 > grid.rows()
        || region.c1 > grid.cols()
    {
        return Err(PatternError::BadRegion(format!(
            "{region:?} is not inside a {}x{} grid",
            grid.rows(),
            grid.cols()
        )));
    }
    if out.len() != region.len() {
        return Err(PatternError::BadRegion(format!(
            "output has {} elements, region {region:?} has {}",
            out.len(),
            region.len()
        )));
    }
    if let Some(m) = &ov.mask {
        if m.rows != grid.rows() || m.cols != grid.cols() || m.data.len() != m.rows * m.cols {
            return Err(PatternError::BadMask(format!(
                "mask {}x{} ({} values) on a {}x{} grid",
                m.rows,
                m.cols,
                m.data.len(),
                grid.rows(),
                grid.cols()
            )));
        }
    }
    streams.prepare_draws(gen, t);
    let call = call::Call::from_overrides(ov);
    let mut ctx = call::Ctx {
        grid,
        rng: streams,
        t,
        eval: eval::eval,
    };
    let values = eval::eval(gen, &call, region, &mut ctx)?;
    out.copy_from_slice(&values);
    Ok(())
}

/// Render the whole grid (a convenience over [`render`]).
pub fn render_whole<R: Randomness + ?Sized>(
    gen: &Component,
    ov: &Overrides,
    grid: &SheetCoords,
    streams: &mut R,
    t: Time,
) -> Result<Vec<f64>, PatternError> {
    let region = Region::whole(grid);
    let mut out = vec![0.0; region.len()];
    render(gen, ov, grid, region, streams, t, &mut out)?;
    Ok(out)
}
