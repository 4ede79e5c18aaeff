//! numpy functions that build sequences in a model file (`numpy.arange`,
//! used for frame times by models/lissom_or_movie.ty).

use crate::obj::Obj;

/// The longest sequence a model file may build this way.
const MAX_LEN: f64 = 100_000.0;

/// `numpy.arange(stop)`, `(start, stop)`, `(start, stop, step)` as a list:
/// integers when every argument is one, else floats. Floats follow
/// numpy's fill (numpy/core/src/multiarray/ctors.c, PyArray_Arange and
/// the dtype's `fill`): length `ceil((stop - start) / step)`, items
/// `start + i*delta` with `delta = (start + step) - start`.
pub(crate) fn arange(args: &[Obj]) -> Result<Obj, String> {
    let nums = args
        .iter()
        .map(|a| match a {
            Obj::Int(_) | Obj::Float(_) | Obj::Bool(_) => Ok(a.num().unwrap_or(f64::NAN)),
            other => Err(format!(
                "numpy.arange() needs numbers, not {}",
                other.type_name()
            )),
        })
        .collect::<Result<Vec<f64>, String>>()?;
    let (start, stop, step) = match nums.as_slice() {
        [n] => (0.0, *n, 1.0),
        [a, b] => (*a, *b, 1.0),
        [a, b, c] => (*a, *b, *c),
        _ => return Err("numpy.arange() takes 1 to 3 arguments".into()),
    };
    if step == 0.0 {
        return Err("numpy.arange(): step must not be zero".into());
    }
    let len = ((stop - start) / step).ceil();
    if !len.is_finite() || len > MAX_LEN {
        return Err(format!(
            "numpy.arange(): {len} items is too long for a model file"
        ));
    }
    let n = len.max(0.0) as usize;
    let ints = args.iter().all(|a| matches!(a, Obj::Int(_) | Obj::Bool(_)));
    if ints {
        let (s, d) = (start as i64, step as i64);
        return Ok(Obj::List(
            (0..n as i64).map(|i| Obj::Int(s + i * d)).collect(),
        ));
    }
    let delta = (start + step) - start;
    Ok(Obj::List(
        (0..n)
            .map(|i| Obj::Float(start + i as f64 * delta))
            .collect(),
    ))
}
