//! The dispatch of one pattern call to its family (geometric shapes,
//! constants, composites, random, images, sweepers) and the output
//! functions after it.

use super::call::{
    apply_mask, attr, components, cut, finish, flag, num, read_position, transformed_coords, Call,
    Ctx,
};
use super::{
    channels, composite, file_image, output_fns, random, shapes, sweeper, user, PatternError,
    Randomness, Region,
};
use topo_spec::Component;

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

/// Evaluate `gen` called with `call` over `region` of the context's grid.
pub(crate) fn eval<R: Randomness + ?Sized>(
    gen: &Component,
    call: &Call<'_>,
    region: Region,
    ctx: &mut Ctx<'_, '_, R>,
) -> Result<Vec<f64>, PatternError> {
    let whole = Region::whole(ctx.grid);
    if gen.class == "imagen.ComposeChannels" {
        // its own __call__: no mask, scale, offset or output functions
        let channels = channels::compose_channels(gen, call, region, ctx)?;
        return Ok(channels::compose_mean(&channels, region.len()));
    }
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
        c if c.starts_with("__main__.") => user::user(gen, call, region, ctx)?,
        other => return Err(PatternError::UnsupportedClass(other.to_string())),
    };
    if region == whole {
        output_fns::apply(gen, &mut result)?;
    }
    Ok(result)
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
