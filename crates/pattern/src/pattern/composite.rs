//! Patterns built from other patterns: `Composite`, `SeparatedComposite`
//! (imagen `deprecated.py`), `Selector` and `imagen.random.GaussianCloud`.

use super::call::{attr, components, effective_mask, flag, num, Call, Ctx};
use super::{PatternError, Randomness, Region};
use std::collections::BTreeMap;
use topo_spec::{Component, Value};

/// A binary numpy ufunc used by `Composite.operator`.
#[derive(Clone, Copy, Debug)]
enum Operator {
    Maximum,
    Minimum,
    Add,
    Subtract,
    Multiply,
    Divide,
}

impl Operator {
    fn of(gen: &Component) -> Result<Operator, PatternError> {
        let name = match gen.get("operator") {
            Some(Value::Function(f)) => f.as_str(),
            Some(Value::Str(s)) => s.as_str(),
            _ => return Err(PatternError::param(gen, "operator", "a numpy function")),
        };
        Ok(match name {
            "numpy.maximum" => Operator::Maximum,
            "numpy.minimum" => Operator::Minimum,
            "numpy.add" => Operator::Add,
            "numpy.subtract" => Operator::Subtract,
            "numpy.multiply" => Operator::Multiply,
            "numpy.divide" | "numpy.true_divide" => Operator::Divide,
            other => {
                return Err(PatternError::Unsupported(format!(
                    "{}: operator {other}",
                    gen.class
                )))
            }
        })
    }

    /// numpy's scalar loop semantics (NaN in the first operand wins for
    /// maximum/minimum).
    fn apply(self, a: f64, b: f64) -> f64 {
        match self {
            Operator::Maximum => {
                if a >= b || a.is_nan() {
                    a
                } else {
                    b
                }
            }
            Operator::Minimum => {
                if a <= b || a.is_nan() {
                    a
                } else {
                    b
                }
            }
            Operator::Add => a + b,
            Operator::Subtract => a - b,
            Operator::Multiply => a * b,
            Operator::Divide => a / b,
        }
    }
}

/// `Composite.function`: each generator rendered with the composite's
/// grid and mask, moved, rotated and scaled by the composite's position,
/// orientation and size, then combined with `operator.reduce` (a left fold).
pub(crate) fn combine<R: Randomness + ?Sized>(
    gen: &Component,
    call: &Call<'_>,
    region: Region,
    ctx: &mut Ctx<'_, '_, R>,
) -> Result<Vec<f64>, PatternError> {
    let all = components(gen, "generators")?;
    let generators = if gen.short_class() == "SeparatedComposite" {
        separate(gen, all, ctx)?
    } else {
        all
    };
    let op = Operator::of(gen)?;
    if generators.is_empty() {
        return Err(PatternError::param(gen, "generators", "a non-empty list"));
    }
    let mask = effective_mask(gen, call)?;
    if super::fast_gaussians_on() && max_of_plain_gaussians(gen, &generators, op, mask)? {
        return super::gaussian_max::render(gen, call, &generators, region, ctx);
    }
    let mut acc: Option<Vec<f64>> = None;
    for pg in generators {
        let sub = sub_call(gen, call, pg, mask, ctx)?;
        let pattern = (ctx.eval)(pg, &sub, region, ctx)?;
        acc = Some(match acc {
            None => pattern,
            Some(mut a) => {
                for (v, p) in a.iter_mut().zip(pattern) {
                    *v = op.apply(*v, p);
                }
                a
            }
        });
    }
    Ok(acc.unwrap_or_default())
}

/// The call `Composite.function` makes of generator `pg`: the
/// composite's position, orientation and size folded into pg's own, read
/// in imagen's order.
pub(crate) fn sub_call<'a, R: Randomness + ?Sized>(
    gen: &Component,
    call: &Call<'_>,
    pg: &Component,
    mask: Option<&'a [f64]>,
    ctx: &mut Ctx<'_, '_, R>,
) -> Result<Call<'a>, PatternError> {
    let px = num(gen, "x", call.x, ctx)?;
    let size = num(gen, "size", call.size, ctx)?;
    let gx = attr(pg, "x", ctx)?;
    let o = num(gen, "orientation", call.orientation, ctx)?;
    let gy = attr(pg, "y", ctx)?;
    let x = px + size * (gx * o.cos() - gy * o.sin());
    let py = num(gen, "y", call.y, ctx)?;
    let y = py + size * (gx * o.sin() + gy * o.cos());
    let orientation = attr(pg, "orientation", ctx)? + o;
    let sub_size = attr(pg, "size", ctx)? * size;
    Ok(Call {
        x: Some(x),
        y: Some(y),
        orientation: Some(orientation),
        size: Some(sub_size),
        mask: Some(mask),
        ..Call::default()
    })
}

/// Whether a `Composite` is a `numpy.maximum` of plain Gaussians (GCAL's
/// training pattern), which [`super::gaussian_max`] renders: no mask on
/// the composite, and on each Gaussian no `mask_shape` and no output
/// functions (each Gaussian is then evaluated on the block alone, and
/// its value is `exp` of its exponent, scaled and offset).
fn max_of_plain_gaussians(
    gen: &Component,
    generators: &[&Component],
    op: Operator,
    mask: Option<&[f64]>,
) -> Result<bool, PatternError> {
    if gen.short_class() != "Composite" || !matches!(op, Operator::Maximum) || mask.is_some() {
        return Ok(false);
    }
    for pg in generators {
        if pg.class != "imagen.Gaussian"
            || matches!(pg.get("mask_shape"), Some(Value::Object(_)))
            || !components(pg, "output_fns")?.is_empty()
        {
            return Ok(false);
        }
    }
    Ok(true)
}

/// numpy.maximum of two values (NaN in the first wins), as
/// `Composite.operator` folds them.
pub(crate) fn numpy_maximum(a: f64, b: f64) -> f64 {
    Operator::Maximum.apply(a, b)
}

/// `SeparatedComposite._advance_pattern_generators`: keep each generator
/// whose centre is at least `min_separation` from every one kept before,
/// forcing new x then y draws up to `max_trials` times; a generator that
/// never fits is left out.
fn separate<'c, R: Randomness + ?Sized>(
    gen: &Component,
    generators: Vec<&'c Component>,
    ctx: &mut Ctx<'_, '_, R>,
) -> Result<Vec<&'c Component>, PatternError> {
    let max_trials = gen
        .get("max_trials")
        .and_then(Value::as_i64)
        .ok_or_else(|| PatternError::param(gen, "max_trials", "an integer"))?;
    let mut valid: Vec<&Component> = Vec::new();
    for g in generators {
        for _ in 0..max_trials.max(0) {
            // Every distance is computed (numpy.alltrue over a list).
            let mut all_ok = true;
            for v in &valid {
                let dx = attr(v, "x", ctx)? - attr(g, "x", ctx)?;
                let dy = attr(v, "y", ctx)? - attr(g, "y", ctx)?;
                let dist = (dx * dx + dy * dy).sqrt();
                let min_sep = attr(gen, "min_separation", ctx)?;
                all_ok &= dist >= min_sep;
            }
            if all_ok {
                valid.push(g);
                break;
            }
            for p in ["x", "y"] {
                if let Some(v @ Value::Object(_)) = g.get(p) {
                    ctx.rng.force_new(v, ctx.t).map_err(PatternError::Random)?;
                }
            }
        }
    }
    Ok(valid)
}

/// imagen's `wrap(lower, upper, x)`: x aliased into `[lower, upper)`.
fn wrap(lower: f64, upper: f64, x: f64) -> f64 {
    let range = upper - lower;
    lower + (x - lower + 2.0 * range * (1.0 - (x / (2.0 * range)).floor())) % range
}

/// `Selector.function`: the generator at `int(len * wrap(0, 1, index))`,
/// rendered with the selector's position, orientation, size, scale and
/// offset folded in (and no mask).
pub(crate) fn select<R: Randomness + ?Sized>(
    gen: &Component,
    call: &Call<'_>,
    region: Region,
    ctx: &mut Ctx<'_, '_, R>,
) -> Result<Vec<f64>, PatternError> {
    let (pg, sub) = selected(gen, call, ctx)?;
    (ctx.eval)(pg, &sub, region, ctx)
}

/// The generator `Selector.function` picks and the call it makes of it.
pub(crate) fn selected<'c, 'a, R: Randomness + ?Sized>(
    gen: &'c Component,
    call: &Call<'_>,
    ctx: &mut Ctx<'_, '_, R>,
) -> Result<(&'c Component, Call<'a>), PatternError> {
    let generators = components(gen, "generators")?;
    let index = attr(gen, "index", ctx)?;
    let i = (generators.len() as f64 * wrap(0.0, 1.0, index)).trunc();
    let pg = *generators
        .get(i as usize)
        .filter(|_| i >= 0.0)
        .ok_or_else(|| PatternError::param(gen, "index", "an index inside the generator list"))?;
    let px = num(gen, "x", call.x, ctx)?;
    let size = num(gen, "size", call.size, ctx)?;
    let o = num(gen, "orientation", call.orientation, ctx)?;
    let gx = attr(pg, "x", ctx)?;
    let gy = attr(pg, "y", ctx)?;
    let x = px + size * (gx * o.cos() - gy * o.sin());
    let py = num(gen, "y", call.y, ctx)?;
    let y = py + size * (gx * o.sin() + gy * o.cos());
    let orientation = attr(pg, "orientation", ctx)? + o;
    let sub_size = attr(pg, "size", ctx)? * size;
    let scale = attr(pg, "scale", ctx)? * num(gen, "scale", call.scale, ctx)?;
    let offset = attr(pg, "offset", ctx)? + num(gen, "offset", call.offset, ctx)?;
    let sub = Call {
        x: Some(x),
        y: Some(y),
        orientation: Some(orientation),
        size: Some(sub_size),
        scale: Some(scale),
        offset: Some(offset),
        ..Call::default()
    };
    Ok((pg, sub))
}

/// `GaussianCloud.__call__`: a multiply-Composite of a fresh
/// `Gaussian(aspect_ratio, size=gaussian_size)` and a fresh
/// `UniformRandom` named like the cloud (or the call's `name`), sharing
/// the cloud's `time_dependent`. The fresh generators take imagen's
/// defaults for everything else (class defaults changed by a model file
/// are not seen).
pub(crate) fn gaussian_cloud<R: Randomness + ?Sized>(
    gen: &Component,
    call: &Call<'_>,
    region: Region,
    ctx: &mut Ctx<'_, '_, R>,
) -> Result<Vec<f64>, PatternError> {
    let aspect = num(gen, "aspect_ratio", call.aspect_ratio, ctx)?;
    let gaussian_size = attr(gen, "gaussian_size", ctx)?;
    let name = match call.name {
        Some(n) => n.to_string(),
        None => gen
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| PatternError::param(gen, "name", "a string"))?
            .to_string(),
    };
    let time_dependent = flag(gen, "time_dependent", false)?;
    let common = |extra: Vec<(&str, Value)>| {
        let mut p: BTreeMap<String, Value> = [
            ("x", Value::Float(0.0)),
            ("y", Value::Float(0.0)),
            ("orientation", Value::Float(0.0)),
            ("scale", Value::Float(1.0)),
            ("offset", Value::Float(0.0)),
            ("mask", Value::None),
            ("mask_shape", Value::None),
            ("output_fns", Value::List(Vec::new())),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        for (k, v) in extra {
            p.insert(k.to_string(), v);
        }
        p
    };
    let gaussian = Component {
        class: "imagen.Gaussian".into(),
        id: u64::MAX,
        params: common(vec![
            ("size", Value::Float(gaussian_size)),
            ("aspect_ratio", Value::Float(aspect)),
        ]),
    };
    let uniform = Component {
        class: "imagen.random.UniformRandom".into(),
        id: u64::MAX,
        params: common(vec![
            ("size", Value::Float(1.0)),
            ("name", Value::Str(name)),
            ("time_dependent", Value::Bool(time_dependent)),
        ]),
    };
    let mut composite = gen.clone();
    composite.class = "imagen.Composite".into();
    composite.params.insert(
        "generators".into(),
        Value::List(vec![
            Value::Object(Box::new(gaussian)),
            Value::Object(Box::new(uniform)),
        ]),
    );
    // The cloud's own name must not reach the sub-call as an override.
    let sub = Call {
        name: None,
        ..*call
    };
    (ctx.eval)(&composite, &sub, region, ctx)
}
