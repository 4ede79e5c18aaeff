//! The channels of multi-channel patterns (imagen's `ChannelGenerator`,
//! imagen/patterngenerator.py): a colour `FileImage`'s channels and a
//! `Selector`'s, which are those of its current generator.
//!
//! `FileImage.__call__` (imagen/image.py) renders the grayscale image as
//! the pattern's value, then each channel through
//! `GenericImage._process_channels` / `_reduced_call`: the same sampler
//! (with its whole-pattern output functions and background, computed on
//! the channel) at the same coordinates, the mask, then `scale * v +
//! offset`, but not the pattern's `output_fns`; then every
//! `channel_transforms` item in order (`ScaleChannels`). `Selector.channels`
//! takes the current generator's channels as that generator was called by
//! `Selector.function`.
//!
//! [`render_channels`] is meant to run at the time the pattern itself was
//! rendered ([`super::render`]): every dynamic value it reads is the one
//! cached for that time, as in Topographica where one `__call__` renders
//! the pattern and its channels.

use super::call::{apply_mask, components, num, transformed_coords, Call, Ctx};
use super::file_image::{filename, sampler_of};
use super::sampler::Sampler;
use super::{composite, eval, Overrides, PatternError, Randomness, Region};
use crate::coords::SheetCoords;
use topo_spec::{Component, Time, Value};

/// `num_channels()` as `ChannelGeneratorSheet.set_input_generator` asks it
/// before the first draw: a `FileImage`'s channel count (0 for a
/// single-band image), a `Selector`'s first generator's (its index is not
/// drawn yet), 1 for any other pattern.
pub fn num_channels(gen: &Component) -> Result<usize, PatternError> {
    match gen.class.as_str() {
        "imagen.image.FileImage" => {
            let img = crate::image::load(std::path::Path::new(filename(gen)?))
                .map_err(|e| PatternError::Image(e.to_string()))?;
            Ok(img.channels.len())
        }
        "imagen.Selector" => match components(gen, "generators")?.first() {
            Some(first) => num_channels(first),
            None => Ok(0),
        },
        "imagen.ComposeChannels" => Ok(components(gen, "generators")?.len()),
        _ => Ok(1),
    }
}

/// Render channels `0..outs.len()` of `gen` over `region` (each `out`
/// gets `region.len()` values), as the pattern called with `ov` at time
/// `t` makes them. An error if the pattern (or the `Selector`'s current
/// generator) has fewer channels, as `ChannelGeneratorSheet.generate`
/// fails then.
#[allow(clippy::too_many_arguments)]
pub fn render_channels<R: Randomness + ?Sized>(
    gen: &Component,
    ov: &Overrides,
    grid: &SheetCoords,
    region: Region,
    streams: &mut R,
    t: Time,
    outs: &mut [Vec<f64>],
) -> Result<(), PatternError> {
    let call = Call::from_overrides(ov);
    let mut ctx = Ctx {
        grid,
        rng: streams,
        t,
        eval: eval::eval,
    };
    let channels = channels_of(gen, &call, region, &mut ctx, outs.len())?;
    for (out, ch) in outs.iter_mut().zip(channels) {
        out.clear();
        out.extend_from_slice(&ch);
    }
    Ok(())
}

fn channels_of<R: Randomness + ?Sized>(
    gen: &Component,
    call: &Call<'_>,
    region: Region,
    ctx: &mut Ctx<'_, '_, R>,
    wanted: usize,
) -> Result<Vec<Vec<f64>>, PatternError> {
    match gen.class.as_str() {
        "imagen.image.FileImage" => file_image_channels(gen, call, region, ctx, wanted),
        "imagen.Selector" => {
            let (pg, sub) = composite::selected(gen, call, ctx)?;
            channels_of(pg, &sub, region, ctx, wanted)
        }
        "imagen.ComposeChannels" => {
            let mut channels = compose_channels(gen, call, region, ctx)?;
            if channels.len() < wanted {
                return Err(PatternError::Unsupported(format!(
                    "ComposeChannels with {} generators; the generator sheet sends {wanted} channels",
                    channels.len()
                )));
            }
            channels.truncate(wanted);
            Ok(channels)
        }
        other => Err(PatternError::Unsupported(format!(
            "{other} has no channels (a multi-channel generator sheet needs a colour FileImage or a Selector of them)"
        ))),
    }
}

fn file_image_channels<R: Randomness + ?Sized>(
    gen: &Component,
    call: &Call<'_>,
    region: Region,
    ctx: &mut Ctx<'_, '_, R>,
    wanted: usize,
) -> Result<Vec<Vec<f64>>, PatternError> {
    let path = filename(gen)?;
    let img = crate::image::load(std::path::Path::new(path))
        .map_err(|e| PatternError::Image(e.to_string()))?;
    let n = img.channels.len();
    if n < wanted {
        return Err(PatternError::Image(format!(
            "image {path} has {n} channels; the generator sheet sends {wanted}"
        )));
    }
    let (px, py) = transformed_coords(gen, call, region, ctx)?;
    let height = num(gen, "size", call.size, ctx)?;
    let width = num(gen, "aspect_ratio", call.aspect_ratio, ctx)? * height;
    let sampler = Sampler::of(sampler_of(gen)?)?;
    let (xd, yd) = (ctx.grid.xdensity(), ctx.grid.ydensity());
    let mut channels = Vec::with_capacity(n);
    for k in 0..n {
        let prepared = sampler.prepare(path, Some(k))?;
        let mut v = sampler.sample(&prepared, &px, &py, xd, yd, width, height);
        apply_mask(gen, call, region, ctx, &mut v)?;
        let scale = num(gen, "scale", call.scale, ctx)?;
        let offset = num(gen, "offset", call.offset, ctx)?;
        for x in v.iter_mut() {
            *x = scale * *x + offset;
        }
        channels.push(v);
    }
    for tr in components(gen, "channel_transforms")? {
        apply_transform(tr, &mut channels, ctx)?;
    }
    channels.truncate(wanted);
    Ok(channels)
}

/// One `channel_transforms` item. `ScaleChannels.__call__`: channel `i`
/// (for `i` below both counts) times factor `i` (a numbergen factor is
/// called, here read at the render time as every dynamic value), then
/// values above 1 set to 1.
fn apply_transform<R: Randomness + ?Sized>(
    tr: &Component,
    channels: &mut [Vec<f64>],
    ctx: &mut Ctx<'_, '_, R>,
) -> Result<(), PatternError> {
    if tr.class != "imagen.image.ScaleChannels" {
        return Err(PatternError::Unsupported(format!(
            "channel transform {} (topo-hpc has imagen.image.ScaleChannels)",
            tr.class
        )));
    }
    let factors = tr
        .get("channel_factors")
        .and_then(Value::as_seq)
        .ok_or_else(|| PatternError::param(tr, "channel_factors", "a list"))?;
    for (ch, f) in channels.iter_mut().zip(factors) {
        let f = match f {
            Value::Object(_) => ctx.rng.value(f, ctx.t).map_err(PatternError::Random)?,
            other => other.as_f64().ok_or_else(|| {
                PatternError::param(tr, "channel_factors", "numbers or numbergen generators")
            })?,
        };
        for v in ch.iter_mut() {
            *v *= f;
            if *v > 1.0 {
                *v = 1.0;
            }
        }
    }
    Ok(())
}

/// `ComposeChannels.__call__` (imagen/patterngenerator.py): each
/// generator called with the call's own arguments is a channel, then the
/// `channel_transforms`; the pattern itself is the channels' mean
/// (Python's `sum` from 0, then divided by the count), with no mask,
/// scale, offset or output functions of its own.
pub(crate) fn compose_channels<R: Randomness + ?Sized>(
    gen: &Component,
    call: &Call<'_>,
    region: Region,
    ctx: &mut Ctx<'_, '_, R>,
) -> Result<Vec<Vec<f64>>, PatternError> {
    let mut channels = Vec::new();
    for g in components(gen, "generators")? {
        channels.push((ctx.eval)(g, call, region, ctx)?);
    }
    for tr in components(gen, "channel_transforms")? {
        apply_transform(tr, &mut channels, ctx)?;
    }
    Ok(channels)
}

/// The default channel of `ComposeChannels`: `sum(channels)/len`.
pub(crate) fn compose_mean(channels: &[Vec<f64>], len: usize) -> Vec<f64> {
    let mut out = vec![0.0; len];
    for ch in channels {
        for (o, v) in out.iter_mut().zip(ch) {
            *o += v;
        }
    }
    let n = channels.len() as f64;
    for o in out.iter_mut() {
        *o /= n;
    }
    out
}
