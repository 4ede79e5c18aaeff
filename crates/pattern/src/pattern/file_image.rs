//! imagen's `FileImage` (imagen/image.py, `GenericImage.function`): the
//! image in `filename` resampled by its `pattern_sampler` at the pattern's
//! rotated coordinates, `size` high and `aspect_ratio * size` wide.
//!
//! The file name in the component is the path the interpreter resolved
//! (and checked readable) when the model file created the pattern.

use super::call::{finish, num, transformed_coords, Call, Ctx};
use super::sampler::Sampler;
use super::{PatternError, Randomness, Region};
use topo_spec::{Component, Value};

/// The sampler component of a `FileImage` (or of anything with a
/// `pattern_sampler` parameter).
pub(crate) fn sampler_of(gen: &Component) -> Result<&Component, PatternError> {
    gen.get("pattern_sampler")
        .and_then(Value::as_object)
        .ok_or_else(|| PatternError::param(gen, "pattern_sampler", "a PatternSampler"))
}

/// The file a `FileImage` reads.
pub(crate) fn filename(gen: &Component) -> Result<&str, PatternError> {
    gen.get("filename")
        .and_then(Value::as_str)
        .ok_or_else(|| PatternError::param(gen, "filename", "a file name"))
}

/// `FileImage.__call__` (through `PatternGenerator.__call__`).
pub(crate) fn file_image<R: Randomness + ?Sized>(
    gen: &Component,
    call: &Call<'_>,
    region: Region,
    ctx: &mut Ctx<'_, '_, R>,
) -> Result<Vec<f64>, PatternError> {
    let (px, py) = transformed_coords(gen, call, region, ctx)?;
    let height = num(gen, "size", call.size, ctx)?;
    let width = num(gen, "aspect_ratio", call.aspect_ratio, ctx)? * height;
    let sampler = Sampler::of(sampler_of(gen)?)?;
    let image = sampler.prepare(filename(gen)?, None)?;
    let values = sampler.sample(
        &image,
        &px,
        &py,
        ctx.grid.xdensity(),
        ctx.grid.ydensity(),
        width,
        height,
    );
    finish(gen, call, region, ctx, values)
}
