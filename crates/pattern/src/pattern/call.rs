//! What every pattern call shares: the explicit keyword arguments, the
//! context (grid, random source, time), imagen's parameter reads, and the
//! steps of `PatternGenerator.__call__` after the pattern function
//! (mask, scale, offset), as imagen's `patterngenerator.py` does them.

use super::{Overrides, PatternError, Randomness, Region};
use crate::coords::SheetCoords;
use topo_spec::{Component, Time, Value};

/// The explicit keyword arguments of one call (borrowed form of
/// [`Overrides`]; the mask covers the whole grid).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Call<'a> {
    pub x: Option<f64>,
    pub y: Option<f64>,
    pub orientation: Option<f64>,
    pub size: Option<f64>,
    pub aspect_ratio: Option<f64>,
    pub scale: Option<f64>,
    pub offset: Option<f64>,
    /// `Some(None)` is an explicit `mask=None`.
    pub mask: Option<Option<&'a [f64]>>,
    pub name: Option<&'a str>,
}

impl<'a> Call<'a> {
    pub fn from_overrides(ov: &'a Overrides) -> Call<'a> {
        Call {
            x: ov.x,
            y: ov.y,
            orientation: ov.orientation,
            size: ov.size,
            aspect_ratio: ov.aspect_ratio,
            scale: ov.scale,
            offset: ov.offset,
            mask: ov.mask.as_ref().map(|m| Some(m.data.as_slice())),
            name: ov.name.as_deref(),
        }
    }
}

/// What every call shares: the sampling grid, the random source and the
/// simulation time.
pub(crate) struct Ctx<'g, 'r, R: ?Sized> {
    pub grid: &'g SheetCoords,
    pub rng: &'r mut R,
    pub t: Time,
    /// How a pattern that holds patterns (composites, masks, sweepers)
    /// evaluates them: `eval::eval`, handed in so that the helpers here and
    /// the pattern families do not depend on the dispatcher that uses them.
    pub eval: EvalFn<R>,
}

/// The signature of `eval::eval`.
pub(crate) type EvalFn<R> = for<'a, 'g, 'r> fn(
    &Component,
    &Call<'a>,
    Region,
    &mut Ctx<'g, 'r, R>,
) -> Result<Vec<f64>, PatternError>;

/// A numeric parameter as imagen's `p.<name>` reads it: the override if
/// given, else the component's value (a dynamic value is drawn through the
/// random source, cached per time).
pub(crate) fn num<R: Randomness + ?Sized>(
    gen: &Component,
    name: &str,
    ov: Option<f64>,
    ctx: &mut Ctx<'_, '_, R>,
) -> Result<f64, PatternError> {
    if let Some(v) = ov {
        return Ok(v);
    }
    attr(gen, name, ctx)
}

/// A numeric attribute of a component read directly (`pg.x`), ignoring any
/// override.
pub(crate) fn attr<R: Randomness + ?Sized>(
    gen: &Component,
    name: &str,
    ctx: &mut Ctx<'_, '_, R>,
) -> Result<f64, PatternError> {
    match gen.get(name) {
        Some(v @ Value::Object(_)) => ctx.rng.value(v, ctx.t).map_err(PatternError::Random),
        Some(v) => v
            .as_f64()
            .or_else(|| v.as_bool().map(|b| if b { 1.0 } else { 0.0 }))
            .ok_or_else(|| PatternError::param(gen, name, "a number or a numbergen generator")),
        None => Err(PatternError::param(gen, name, "present (a number)")),
    }
}

/// A boolean parameter (missing means `default`).
pub(crate) fn flag(gen: &Component, name: &str, default: bool) -> Result<bool, PatternError> {
    match gen.get(name) {
        None => Ok(default),
        Some(Value::Bool(b)) => Ok(*b),
        Some(Value::Int(i)) => Ok(*i != 0),
        Some(_) => Err(PatternError::param(gen, name, "a boolean")),
    }
}

/// A list-of-components parameter (`generators`, `output_fns`).
pub(crate) fn components<'c>(
    gen: &'c Component,
    name: &str,
) -> Result<Vec<&'c Component>, PatternError> {
    match gen.get(name) {
        None | Some(Value::None) => Ok(Vec::new()),
        Some(v) => {
            let items = v
                .as_seq()
                .ok_or_else(|| PatternError::param(gen, name, "a list of components"))?;
            items
                .iter()
                .map(|i| {
                    i.as_object()
                        .ok_or_else(|| PatternError::param(gen, name, "a list of components"))
                })
                .collect()
        }
    }
}

/// Copy a block out of a whole-grid array.
pub(crate) fn cut(whole: &[f64], cols: usize, region: Region) -> Vec<f64> {
    let mut out = Vec::with_capacity(region.len());
    for r in region.r0..region.r1 {
        out.extend_from_slice(&whole[r * cols + region.c0..r * cols + region.c1]);
    }
    out
}

/// The parameter reads of `_setup_xy` for patterns that ignore its
/// coordinates (composites): a dynamic x, y or orientation is still drawn.
pub(crate) fn read_position<R: Randomness + ?Sized>(
    gen: &Component,
    call: &Call<'_>,
    ctx: &mut Ctx<'_, '_, R>,
) -> Result<(), PatternError> {
    num(gen, "x", call.x, ctx)?;
    num(gen, "y", call.y, ctx)?;
    num(gen, "orientation", call.orientation, ctx)?;
    Ok(())
}

/// `PatternGenerator._setup_xy`: the rotated coordinates of the block,
/// `(pattern_x, pattern_y)` row-major.
pub(crate) fn transformed_coords<R: Randomness + ?Sized>(
    gen: &Component,
    call: &Call<'_>,
    region: Region,
    ctx: &mut Ctx<'_, '_, R>,
) -> Result<(Vec<f64>, Vec<f64>), PatternError> {
    let x = num(gen, "x", call.x, ctx)?;
    let y = num(gen, "y", call.y, ctx)?;
    let orientation = num(gen, "orientation", call.orientation, ctx)?;
    let grid = ctx.grid;
    let (sin, cos) = (orientation.sin(), orientation.cos());
    if super::fast_gaussians_on() {
        return Ok(rotated_block(grid, region, x, y, sin, cos));
    }
    let xs: Vec<f64> = (region.c0..region.c1)
        .map(|c| grid.matrixidx2sheet(0, c as i64).0 - x)
        .collect();
    let cos_x: Vec<f64> = xs.iter().map(|v| cos * v).collect();
    let sin_x: Vec<f64> = xs.iter().map(|v| sin * v).collect();
    let mut px = Vec::with_capacity(region.len());
    let mut py = Vec::with_capacity(region.len());
    for r in region.r0..region.r1 {
        let yr = grid.matrixidx2sheet(r as i64, 0).1 - y;
        let (sin_y, cos_y) = (sin * yr, cos * yr);
        for j in 0..region.cols() {
            px.push(sin_y + cos_x[j]);
            py.push(cos_y - sin_x[j]);
        }
    }
    Ok((px, py))
}

/// The rotated coordinates of `region` about `(x, y)`, written by index
/// into buffers of the final size: the same products and sums as the
/// push loop of [`transformed_coords`] (which kept its lengths in memory
/// and cost ~3 ns a pixel, 17 % of GCAL's retina render; issue 14
/// session 11, benches/RESULTS.md), in a loop the compiler vectorises.
pub(crate) fn rotated_block(
    grid: &SheetCoords,
    region: Region,
    x: f64,
    y: f64,
    sin: f64,
    cos: f64,
) -> (Vec<f64>, Vec<f64>) {
    let cols = region.cols();
    let mut cos_x = Vec::with_capacity(cols);
    let mut sin_x = Vec::with_capacity(cols);
    for c in region.c0..region.c1 {
        let v = grid.matrixidx2sheet(0, c as i64).0 - x;
        cos_x.push(cos * v);
        sin_x.push(sin * v);
    }
    let mut px = vec![0.0; region.len()];
    let mut py = vec![0.0; region.len()];
    if cols == 0 {
        return (px, py);
    }
    let rows = px.chunks_exact_mut(cols).zip(py.chunks_exact_mut(cols));
    for (r, (row_x, row_y)) in (region.r0..region.r1).zip(rows) {
        let yr = grid.matrixidx2sheet(r as i64, 0).1 - y;
        let (sin_y, cos_y) = (sin * yr, cos * yr);
        for j in 0..cols {
            row_x[j] = sin_y + cos_x[j];
            row_y[j] = cos_y - sin_x[j];
        }
    }
    (px, py)
}

/// The steps after `function(p)`: mask, then scale (if not 1) and offset
/// (if not 0). Output functions run in [`eval`] on the whole grid.
pub(crate) fn finish<R: Randomness + ?Sized>(
    gen: &Component,
    call: &Call<'_>,
    region: Region,
    ctx: &mut Ctx<'_, '_, R>,
    mut values: Vec<f64>,
) -> Result<Vec<f64>, PatternError> {
    apply_mask(gen, call, region, ctx, &mut values)?;
    let scale = num(gen, "scale", call.scale, ctx)?;
    if scale != 1.0 {
        for v in values.iter_mut() {
            *v *= scale;
        }
    }
    let offset = num(gen, "offset", call.offset, ctx)?;
    if offset != 0.0 {
        for v in values.iter_mut() {
            *v += offset;
        }
    }
    Ok(values)
}

/// The mask a call applies: the explicit `mask` override, else the
/// component's own `mask` parameter (only `None` is representable).
pub(crate) fn effective_mask<'a>(
    gen: &Component,
    call: &Call<'a>,
) -> Result<Option<&'a [f64]>, PatternError> {
    match call.mask {
        Some(m) => Ok(m),
        None => match gen.get("mask") {
            None | Some(Value::None) => Ok(None),
            Some(_) => Err(PatternError::Unsupported(format!(
                "{}: a mask array given as a parameter (pass it as an override)",
                gen.class
            ))),
        },
    }
}

/// `PatternGenerator._apply_mask`: the mask is `mask_shape` rendered on the
/// same grid if set, else the mask argument; multiplied in place.
pub(crate) fn apply_mask<R: Randomness + ?Sized>(
    gen: &Component,
    call: &Call<'_>,
    region: Region,
    ctx: &mut Ctx<'_, '_, R>,
    values: &mut [f64],
) -> Result<(), PatternError> {
    let mut mask = effective_mask(gen, call)?.map(|m| cut(m, ctx.grid.cols(), region));
    if let Some(Value::Object(ms)) = gen.get("mask_shape") {
        let px = num(gen, "x", call.x, ctx)?;
        let py = num(gen, "y", call.y, ctx)?;
        let psize = num(gen, "size", call.size, ctx)?;
        let po = num(gen, "orientation", call.orientation, ctx)?;
        let (msx, msy) = (attr(ms, "x", ctx)?, attr(ms, "y", ctx)?);
        let mso = attr(ms, "orientation", ctx)?;
        let mss = attr(ms, "size", ctx)?;
        let sub = Call {
            x: Some(px + psize * (msx * po.cos() - msy * po.sin())),
            y: Some(py + psize * (msx * po.sin() + msy * po.cos())),
            orientation: Some(mso + po),
            size: Some(mss * psize),
            ..Call::default()
        };
        let eval = ctx.eval;
        mask = Some(eval(ms, &sub, region, ctx)?);
    }
    if let Some(m) = mask {
        for (v, k) in values.iter_mut().zip(m) {
            *v *= k;
        }
    }
    Ok(())
}
