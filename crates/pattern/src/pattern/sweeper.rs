//! Moving patterns: imagen's `Sweeper` (imagen/__init__.py), which moves
//! its generator with simulation time, and `OldSweeper`
//! (imagen/deprecated.py), which moves it by a fixed number of steps.

use super::call::{attr, finish, num, read_position, Call, Ctx};
use super::{PatternError, Randomness, Region};
use std::f64::consts::FRAC_PI_2;
use topo_spec::{Component, Time, Value};

fn generator(gen: &Component) -> Result<&Component, PatternError> {
    gen.get("generator")
        .and_then(Value::as_object)
        .ok_or_else(|| PatternError::param(gen, "generator", "a pattern generator"))
}

/// `floor(a / b)` and `a - b * floor(a / b)` of exact rationals (Python's
/// `//` and `%` on `mpq`).
fn divmod(a: Time, b: Time) -> Result<(i128, (i128, i128)), PatternError> {
    let (an, ad) = (a.numer() as i128, a.denom() as i128);
    let (bn, bd) = (b.numer() as i128, b.denom() as i128);
    if bn == 0 {
        return Err(PatternError::Unsupported(
            "Sweeper: reset_period must not be 0".into(),
        ));
    }
    // a / b = (an * bd) / (ad * bn); keep the denominator positive.
    let (mut n, mut d) = (an * bd, ad * bn);
    if d < 0 {
        n = -n;
        d = -d;
    }
    let q = n.div_euclid(d);
    // a - b*q = (an*bd - bn*q*ad) / (ad*bd)
    let rem = (an * bd - bn * q * ad, ad * bd);
    Ok((q, rem))
}

/// `Sweeper.function` and the `PatternGenerator.__call__` steps around
/// it. The generator's own dynamic parameters are read at the
/// `OffsetTimeFn` time `time // reset_period + time_offset`; the sweeper's
/// at the simulation time. The step is `int(time % reset_period) +
/// step_offset`.
pub(crate) fn sweeper<R: Randomness + ?Sized>(
    gen: &Component,
    call: &Call<'_>,
    region: Region,
    ctx: &mut Ctx<'_, '_, R>,
) -> Result<Vec<f64>, PatternError> {
    read_position(gen, call, ctx)?;
    let pg = generator(gen)?;
    let reset = Time::from_f64(attr(gen, "reset_period", ctx)?);
    let time_offset = Time::from_f64(attr(gen, "time_offset", ctx)?);
    let (q, (rn, rd)) = divmod(ctx.t, reset)?;
    let motion_t = Time::new(q as i64, 1) + time_offset;
    let step = rn.div_euclid(rd) as f64 + attr(gen, "step_offset", ctx)?;
    let mut mctx = Ctx {
        grid: ctx.grid,
        rng: &mut *ctx.rng,
        t: motion_t,
        eval: ctx.eval,
    };
    let pg_orientation = attr(pg, "orientation", &mut mctx)?;
    let rel = attr(gen, "relative_motion_orientation", ctx)?;
    let motion_orientation = pg_orientation + rel;
    let x = num(gen, "x", call.x, ctx)?;
    let size = num(gen, "size", call.size, ctx)?;
    let y = num(gen, "y", call.y, ctx)?;
    let speed = attr(gen, "speed", ctx)?;
    let orientation = num(gen, "orientation", call.orientation, ctx)?;
    let scale = num(gen, "scale", call.scale, ctx)?;
    let offset = num(gen, "offset", call.offset, ctx)?;
    let mut mctx = Ctx {
        grid: ctx.grid,
        rng: &mut *ctx.rng,
        t: motion_t,
        eval: ctx.eval,
    };
    let new_x = x + size * attr(pg, "x", &mut mctx)?;
    let new_y = y + size * attr(pg, "y", &mut mctx)?;
    let sub = Call {
        x: Some(new_x + speed * step * motion_orientation.cos()),
        y: Some(new_y + speed * step * motion_orientation.sin()),
        orientation: Some(pg_orientation + orientation),
        scale: Some(attr(pg, "scale", &mut mctx)? * scale),
        offset: Some(attr(pg, "offset", &mut mctx)? + offset),
        ..Call::default()
    };
    let values = (mctx.eval)(pg, &sub, region, &mut mctx)?;
    finish(gen, call, region, ctx, values)
}

/// `OldSweeper.function`: the generator moved `speed * step` along
/// `orientation + pi/2`, drawn at the sweeper's orientation.
pub(crate) fn old_sweeper<R: Randomness + ?Sized>(
    gen: &Component,
    call: &Call<'_>,
    region: Region,
    ctx: &mut Ctx<'_, '_, R>,
) -> Result<Vec<f64>, PatternError> {
    read_position(gen, call, ctx)?;
    let pg = generator(gen)?;
    let orientation = num(gen, "orientation", call.orientation, ctx)?;
    let motion_orientation = orientation + FRAC_PI_2;
    let new_x =
        num(gen, "x", call.x, ctx)? + num(gen, "size", call.size, ctx)? * attr(pg, "x", ctx)?;
    let new_y =
        num(gen, "y", call.y, ctx)? + num(gen, "size", call.size, ctx)? * attr(pg, "y", ctx)?;
    let distance = attr(gen, "speed", ctx)? * attr(gen, "step", ctx)?;
    let sub = Call {
        x: Some(new_x + distance * motion_orientation.cos()),
        y: Some(new_y + distance * motion_orientation.sin()),
        orientation: Some(orientation),
        scale: Some(attr(pg, "scale", ctx)? * num(gen, "scale", call.scale, ctx)?),
        offset: Some(attr(pg, "offset", ctx)? + num(gen, "offset", call.offset, ctx)?),
        ..Call::default()
    };
    let values = (ctx.eval)(pg, &sub, region, ctx)?;
    finish(gen, call, region, ctx, values)
}
