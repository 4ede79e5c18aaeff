//! Rendering the patterns a projection needs (mask shape, initial weights)
//! through topo-pattern, and counting the draws a pattern takes from the
//! shared sequential numpy stream so that CFs another rank owns can be
//! stepped over without being rendered.

use super::BuildError;
use topo_numbergen::{NumpyRandomState, Streams};
use topo_pattern::coords::{BoundingBox, SheetCoords};
use topo_pattern::pattern::{self, Mask, Overrides, Randomness, Region, UniformSource};
use topo_spec::{Component, Time, Value};

/// The keyword arguments of one pattern call made by CF construction.
pub struct RenderArgs<'a> {
    /// Centre x.
    pub x: f64,
    /// Centre y.
    pub y: f64,
    /// Sampling bounds (a CF's or the template's bounds).
    pub bounds: BoundingBox,
    /// Source x density.
    pub xdensity: f64,
    /// Source y density.
    pub ydensity: f64,
    /// The CF's mask, if any (same shape as the result).
    pub mask: Option<&'a [f32]>,
    /// The `name` override.
    pub name: &'a str,
    /// Expected `(rows, cols)` of the result (the slice's shape).
    pub shape: (usize, usize),
}

/// Construction happens at simulation time 0 (`with time_fn as t: t(0)`).
pub fn time_zero() -> Time {
    Time::from_int(0)
}

fn overrides(args: &RenderArgs<'_>) -> Overrides {
    Overrides {
        x: Some(args.x),
        y: Some(args.y),
        bounds: Some(args.bounds),
        xdensity: Some(args.xdensity),
        ydensity: Some(args.ydensity),
        mask: args.mask.map(|m| Mask {
            data: m.iter().map(|v| f64::from(*v)).collect(),
            rows: args.shape.0,
            cols: args.shape.1,
        }),
        name: Some(args.name.to_string()),
        ..Overrides::default()
    }
}

/// Renders `pg` with `args` into a new row-major vector, drawing from `rng`
/// (the model's `Streams`, or a per-CF source).
pub fn render_with<R: Randomness + ?Sized>(
    rng: &mut R,
    pg: &Component,
    args: &RenderArgs<'_>,
) -> Result<Vec<f64>, BuildError> {
    let ov = overrides(args);
    let grid = SheetCoords::exact(args.bounds, args.xdensity, args.ydensity)
        .map_err(|e| BuildError::Pattern(format!("{}: {e}", pg.class)))?;
    if grid.shape() != args.shape {
        // The grid the pattern samples must be the CF's slice; a mismatch
        // would misplace every weight.
        return Err(BuildError::Geometry(format!(
            "pattern grid {:?} differs from the CF slice shape {:?} (bounds {:?})",
            grid.shape(),
            args.shape,
            args.bounds.lbrt()
        )));
    }
    let mut out = vec![0.0; args.shape.0 * args.shape.1];
    pattern::render(
        pg,
        &ov,
        &grid,
        Region::whole(&grid),
        rng,
        time_zero(),
        &mut out,
    )
    .map_err(|e| BuildError::Pattern(format!("{} ({}): {e}", pg.class, args.name)))?;
    Ok(out)
}

/// Whether a random pattern draws from the shared sequential stream
/// (`time_dependent` false) rather than a per-call hashed stream.
fn is_sequential(c: &Component) -> bool {
    !matches!(c.get("time_dependent"), Some(Value::Bool(true)))
}

/// Doubles that rendering `pg` over `n` elements takes from the shared
/// sequential numpy stream. Errors for patterns whose draw count is not a
/// fixed function of the grid size.
pub fn shared_draws_per_element(pg: &Component) -> Result<u64, BuildError> {
    match pg.class.as_str() {
        "imagen.random.UniformRandom" | "imagen.random.GaussianCloud" => {
            Ok(u64::from(is_sequential(pg)))
        }
        "imagen.Composite" => {
            let mut total = 0;
            for g in generators(pg)? {
                total += shared_draws_per_element(g)?;
            }
            Ok(total)
        }
        "imagen.SeparatedComposite" | "imagen.Selector" => {
            for g in generators(pg)? {
                if shared_draws_per_element(g)? != 0 {
                    return Err(BuildError::Unsupported(format!(
                        "{} of random patterns as CF weights or mask",
                        pg.class
                    )));
                }
            }
            Ok(0)
        }
        c if c.starts_with("imagen.random.") => Err(BuildError::Unsupported(format!(
            "{c} as CF weights or mask"
        ))),
        _ => Ok(0),
    }
}

fn generators(pg: &Component) -> Result<Vec<&Component>, BuildError> {
    match pg.get("generators") {
        None => Ok(Vec::new()),
        Some(v) => {
            let items = v.as_seq().ok_or_else(|| {
                BuildError::Pattern(format!("{}: generators must be a list", pg.class))
            })?;
            items
                .iter()
                .map(|i| {
                    i.as_object().ok_or_else(|| {
                        BuildError::Pattern(format!("{}: generator is not an object", pg.class))
                    })
                })
                .collect()
        }
    }
}

/// Whether any parameter of `pg` (or of its sub-patterns) is a numbergen
/// generator, i.e. rendering it reads shared stream state.
pub fn has_dynamic_params(pg: &Component) -> bool {
    fn dynamic(v: &Value) -> bool {
        match v {
            Value::Object(c) => c.class.starts_with("numbergen.") || has_dynamic_params(c),
            Value::List(items) | Value::Tuple(items) => items.iter().any(dynamic),
            Value::Dict(items) => items.iter().any(|(_, v)| dynamic(v)),
            _ => false,
        }
    }
    pg.params.values().any(dynamic)
}

/// Random source for CFs rendered away from the model's `Streams` (in
/// parallel): per-CF hashed streams, plus optionally a copy of the shared
/// sequential stream positioned where a group of CFs starts drawing.
/// Numbergen-valued parameters are not available (callers refuse them).
/// The default has neither stream: any random draw is refused.
#[derive(Default)]
pub struct Independent {
    poison: Poison,
    stream: Option<NumpyRandomState>,
    /// `param.random_seed` of the hashed streams; `None`: none allowed.
    random_seed: Option<i64>,
}

/// Stands in for the shared stream where it must not be used; records any
/// use so that the caller can fail.
#[derive(Default)]
struct Poison {
    used: bool,
}

impl UniformSource for Poison {
    fn random_sample(&mut self) -> f64 {
        self.used = true;
        0.0
    }
    fn skip(&mut self, _n: u64) {
        self.used = true;
    }
}

fn plain(v: &Value) -> Result<f64, String> {
    match v {
        Value::Int(i) => Ok(*i as f64),
        Value::Float(x) => Ok(*x),
        Value::Time(t) => Ok(t.to_f64()),
        other => Err(format!("expected a plain number, got {other:?}")),
    }
}

impl Independent {
    /// A source of hashed streams with `param.random_seed = random_seed`
    /// and no shared stream.
    pub fn hashed(random_seed: i64) -> Independent {
        Independent {
            poison: Poison::default(),
            stream: None,
            random_seed: Some(random_seed),
        }
    }

    /// A source whose shared stream continues from `state`, with hashed
    /// streams of `param.random_seed = random_seed`.
    pub fn with_shared(state: NumpyRandomState, random_seed: i64) -> Independent {
        Independent {
            poison: Poison::default(),
            stream: Some(state),
            random_seed: Some(random_seed),
        }
    }

    /// The shared stream copy, if there is one.
    pub fn shared_mut(&mut self) -> Option<&mut NumpyRandomState> {
        self.stream.as_mut()
    }

    /// Whether anything tried to draw from a shared stream it does not have.
    pub fn used_shared(&self) -> bool {
        self.poison.used
    }
}

impl Randomness for Independent {
    fn value(&mut self, v: &Value, _t: Time) -> Result<f64, String> {
        plain(v)
    }
    fn force_new(&mut self, v: &Value, _t: Time) -> Result<f64, String> {
        plain(v)
    }
    fn shared_uniform(&mut self) -> &mut dyn UniformSource {
        match &mut self.stream {
            Some(s) => s,
            None => &mut self.poison,
        }
    }
    fn hashed_uniform(&mut self, name: &str, t: Time) -> Result<Box<dyn UniformSource>, String> {
        match self.random_seed {
            Some(seed) => Ok(Box::new(Streams::hashed_numpy_with_seed(name, t, seed))),
            None => Err(format!(
                "{name}: a time-dependent random pattern is not supported here"
            )),
        }
    }
}
