//! The evaluation of one pattern call: resolved overrides, parameter reads
//! and the steps every `PatternGenerator.__call__` shares (coordinate grid,
//! mask, scale, offset, output functions).

use super::{
    composite, file_image, output_fns, random, shapes, sweeper, Overrides, PatternError,
    Randomness, Region,
};
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
}

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

/// Whether a pattern must be computed on the whole grid before its block
/// can be cut out: output functions (the L1 norm sums the whole pattern)
/// and `Line.enforce_minimal_thickness` (counts pixels over the grid).
fn needs_whole(gen: &Component) -> Result<bool, PatternError> {
    if !components(gen, "output_fns")?.is_empty() {
        return Ok(true);
    }
    if gen.short_class() == "Line" && flag(gen, "enforce_minimal_thickness", false)? {
        return Ok(true);
    }
    Ok(false)
}

/// Copy a block out of a whole-grid array.
pub(crate) fn cut(whole: &[f64], cols: usize, region: Region) -> Vec<f64> {
    let mut out = Vec::with_capacity(region.len());
    for r in region.r0..region.r1 {
        out.extend_from_slice(&whole[r * cols + region.c0..r * cols + region.c1]);
    }
    out
}

/// Evaluate `gen` called with `call` over `region` of the context's grid.
pub(crate) fn eval<R: Randomness + ?Sized>(
    gen: &Component,
    call: &Call<'_>,
    region: Region,
    ctx: &mut Ctx<'_, '_, R>,
) -> Result<Vec<f64>, PatternError> {
    let whole = Region::whole(ctx.grid);
    if region != whole && needs_whole(gen)? {
        let all = eval(gen, call, whole, ctx)?;
        return Ok(cut(&all, ctx.grid.cols(), region));
    }
    let mut result = match gen.class.as_str() {
        "imagen.Gaussian" | "imagen.Disk" | "imagen.Line" | "imagen.SineGrating" => {
            geometric(gen, call, region, ctx)?
        }
        "imagen.Constant" => constant(gen, call, region, ctx)?,
        "imagen.Composite" | "imagen.SeparatedComposite" => {
            read_position(gen, call, ctx)?;
            let combined = composite::combine(gen, call, region, ctx)?;
            finish(gen, call, region, ctx, combined)?
        }
        "imagen.Selector" => {
            read_position(gen, call, ctx)?;
            let chosen = composite::select(gen, call, region, ctx)?;
            finish(gen, call, region, ctx, chosen)?
        }
        "imagen.random.GaussianCloud" => composite::gaussian_cloud(gen, call, region, ctx)?,
        "imagen.random.UniformRandom" => random::uniform(gen, call, region, ctx)?,
        "imagen.image.FileImage" => file_image::file_image(gen, call, region, ctx)?,
        "imagen.Sweeper" => sweeper::sweeper(gen, call, region, ctx)?,
        "imagen.deprecated.OldSweeper" => sweeper::old_sweeper(gen, call, region, ctx)?,
        other => return Err(PatternError::UnsupportedClass(other.to_string())),
    };
    if region == whole {
        output_fns::apply(gen, &mut result)?;
    }
    Ok(result)
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

/// A pattern defined by a function of the rotated coordinates.
fn geometric<R: Randomness + ?Sized>(
    gen: &Component,
    call: &Call<'_>,
    region: Region,
    ctx: &mut Ctx<'_, '_, R>,
) -> Result<Vec<f64>, PatternError> {
    let (px, py) = transformed_coords(gen, call, region, ctx)?;
    let values = match gen.short_class() {
        "Gaussian" => {
            let size = num(gen, "size", call.size, ctx)?;
            let aspect = num(gen, "aspect_ratio", call.aspect_ratio, ctx)?;
            shapes::gaussian(&px, &py, size, aspect)
        }
        "Disk" => {
            let size = num(gen, "size", call.size, ctx)?;
            let aspect = num(gen, "aspect_ratio", call.aspect_ratio, ctx)?;
            let smoothing = attr(gen, "smoothing", ctx)?;
            shapes::disk(&px, &py, size, aspect, smoothing)
        }
        "SineGrating" => {
            let frequency = attr(gen, "frequency", ctx)?;
            let phase = attr(gen, "phase", ctx)?;
            shapes::sine_grating(&py, frequency, phase)
        }
        "Line" => {
            let enforce = flag(gen, "enforce_minimal_thickness", false)?;
            let thickness = attr(gen, "thickness", ctx)?;
            let smoothing = attr(gen, "smoothing", ctx)?;
            if enforce {
                let grid = ctx.grid;
                shapes::line_minimal(&py, thickness, smoothing, grid.xdensity(), grid.ydensity())
            } else {
                shapes::line(&py, thickness, smoothing)
            }
        }
        other => return Err(PatternError::UnsupportedClass(other.to_string())),
    };
    finish(gen, call, region, ctx, values)
}

/// `Constant.__call__`: no coordinates; scale and offset always applied.
fn constant<R: Randomness + ?Sized>(
    gen: &Component,
    call: &Call<'_>,
    region: Region,
    ctx: &mut Ctx<'_, '_, R>,
) -> Result<Vec<f64>, PatternError> {
    let scale = num(gen, "scale", call.scale, ctx)?;
    let offset = num(gen, "offset", call.offset, ctx)?;
    let mut values = vec![scale * 1.0 + offset; region.len()];
    apply_mask(gen, call, region, ctx, &mut values)?;
    Ok(values)
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
        mask = Some(eval(ms, &sub, region, ctx)?);
    }
    if let Some(m) = mask {
        for (v, k) in values.iter_mut().zip(m) {
            *v *= k;
        }
    }
    Ok(())
}
