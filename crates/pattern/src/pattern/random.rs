//! `imagen.random.UniformRandom`: numpy `uniform(offset, offset + scale,
//! shape)` in row-major order, from the shared sequential stream or, when
//! time-dependent, from a stream seeded by the hash of the name and time.

use super::call::{apply_mask, flag, num, Call, Ctx};
use super::{PatternError, Randomness, Region, UniformSource};
use topo_spec::{Component, Value};

/// Render a `UniformRandom` block. The shared stream advances by the whole
/// grid's draw count whatever the block, so later draws do not depend on
/// how a grid was split.
pub(crate) fn uniform<R: Randomness + ?Sized>(
    gen: &Component,
    call: &Call<'_>,
    region: Region,
    ctx: &mut Ctx<'_, '_, R>,
) -> Result<Vec<f64>, PatternError> {
    let time_dependent = flag(gen, "time_dependent", false)?;
    let name = match call.name {
        Some(n) => Some(n.to_string()),
        None => gen.get("name").and_then(Value::as_str).map(str::to_string),
    };
    let offset = num(gen, "offset", call.offset, ctx)?;
    let scale = num(gen, "scale", call.scale, ctx)?;
    let low = offset;
    let range = (offset + scale) - low;
    let cols = ctx.grid.cols();
    let total = ctx.grid.rows() * cols;
    let mut values = Vec::with_capacity(region.len());
    if time_dependent {
        let name = name.ok_or_else(|| PatternError::param(gen, "name", "a string"))?;
        let mut stream = ctx.hashed(&name).map_err(PatternError::Random)?;
        draw_block(stream.as_mut(), cols, region, low, range, &mut values);
    } else {
        let stream = ctx.rng.shared_uniform();
        let end = draw_block(stream, cols, region, low, range, &mut values);
        stream.skip((total - end) as u64);
    }
    apply_mask(gen, call, region, ctx, &mut values)?;
    Ok(values)
}

/// Draw the block's values from a stream positioned at the grid's first
/// element; returns the stream position (in draws) after the block.
fn draw_block(
    stream: &mut dyn UniformSource,
    cols: usize,
    region: Region,
    low: f64,
    range: f64,
    out: &mut Vec<f64>,
) -> usize {
    let mut pos = 0usize;
    if region.is_empty() {
        return pos;
    }
    for r in region.r0..region.r1 {
        let start = r * cols + region.c0;
        stream.skip((start - pos) as u64);
        for _ in region.c0..region.c1 {
            out.push(low + range * stream.random_sample());
        }
        pos = r * cols + region.c1;
    }
    pos
}

impl<R: Randomness + ?Sized> Ctx<'_, '_, R> {
    fn hashed(&mut self, name: &str) -> Result<Box<dyn UniformSource>, String> {
        self.rng.hashed_uniform(name, self.t)
    }
}
