//! Colour channels as unary numbergen operators: a model file's
//! one-argument helper returning a channel of Python's
//! `colorsys.hsv_to_rgb(h, s, v)` (models/lissom.ty's `h_to_r`, `h_to_g`,
//! `h_to_b`, used as `numbergen.UnaryOperator(hue_stream, h_to_r)` for
//! the colour retinas' input strengths). The model-language crate names
//! such a helper with [`channel_operator`]; `UnaryOperator` evaluates it
//! with [`apply`].

/// The operator name of channel `channel` (0 red, 1 green, 2 blue) of
/// `colorsys.hsv_to_rgb(h, s, v)`.
pub fn channel_operator(channel: usize, s: f64, v: f64) -> String {
    format!("colorsys.hsv_to_rgb(h, {s:?}, {v:?})[{channel}]")
}

/// The channel, saturation and value of an operator name made by
/// [`channel_operator`].
pub fn parse(op: &str) -> Option<(usize, f64, f64)> {
    let rest = op.strip_prefix("colorsys.hsv_to_rgb(h, ")?;
    let (args, channel) = rest.split_once(")[")?;
    let channel: usize = channel.strip_suffix(']')?.parse().ok()?;
    let (s, v) = args.split_once(", ")?;
    (channel < 3).then_some(())?;
    Some((channel, s.parse().ok()?, v.parse().ok()?))
}

/// Python's `colorsys.hsv_to_rgb` (CPython `Lib/colorsys.py`), operation
/// for operation.
pub fn hsv_to_rgb(h: f64, s: f64, v: f64) -> [f64; 3] {
    if s == 0.0 {
        return [v, v, v];
    }
    let i = (h * 6.0).trunc();
    let f = (h * 6.0) - i;
    let p = v * (1.0 - s);
    let q = v * (1.0 - s * f);
    let t = v * (1.0 - s * (1.0 - f));
    match (i as i64).rem_euclid(6) {
        0 => [v, t, p],
        1 => [q, v, p],
        2 => [p, v, t],
        3 => [p, q, v],
        4 => [t, p, v],
        _ => [v, p, q],
    }
}

/// The value of operator `op` at `h`, if `op` is a colour channel.
pub fn apply(op: &str, h: f64) -> Option<f64> {
    let (channel, s, v) = parse(op)?;
    Some(hsv_to_rgb(h, s, v)[channel])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_channels_follow_colorsys() {
        let op = channel_operator(2, 1.0, 1.0);
        assert_eq!(op, "colorsys.hsv_to_rgb(h, 1.0, 1.0)[2]");
        assert_eq!(parse(&op), Some((2, 1.0, 1.0)));
        assert_eq!(parse("colorsys.hsv_to_rgb(h, 1.0, 1.0)[3]"), None);
        // colorsys.hsv_to_rgb(0.25, 1, 1) == (0.5, 1.0, 0.0);
        // (0.9, 1, 1): i = 5, f = 0.4 -> (1.0, 0.0, 0.6)
        assert_eq!(hsv_to_rgb(0.25, 1.0, 1.0), [0.5, 1.0, 0.0]);
        let c = hsv_to_rgb(0.9, 1.0, 1.0);
        assert_eq!((c[0], c[1]), (1.0, 0.0));
        assert!((c[2] - 0.6).abs() < 1e-15);
        assert_eq!(apply(&channel_operator(0, 1.0, 1.0), 0.5), Some(0.0));
        assert_eq!(apply("neg", 0.5), None);
    }
}
