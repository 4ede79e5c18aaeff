//! The names Topographica gives connection fields. With time-dependent
//! random streams the name seeds the CF's weight noise, so it must be
//! character-exact, including Python's `%.5f` for negative zero.

/// Python's `"%.5f" % x` (`topo_spec::pyfmt::format_f`): the exact binary
/// value rounded half-to-even at five decimals, with a `-` whenever the sign
/// bit is set (so `-0.0` and tiny negatives print as `-0.00000`).
pub fn py_fixed5(x: f64) -> String {
    topo_spec::pyfmt::format_f(x, 5)
}

/// The name of the CF of the unit at sheet position `(x, y)`:
/// `"%s_CF (%.5f, %.5f)" % (label or '', x, y)`.
pub fn cf_name(label: Option<&str>, x: f64, y: f64) -> String {
    format!(
        "{}_CF ({}, {})",
        label.unwrap_or(""),
        py_fixed5(x),
        py_fixed5(y)
    )
}

/// A projection's CF label: its `hash_format` with `{name}`, `{src}` and
/// `{dest}` filled in, plus `-<seed>` when the projection has a seed.
pub fn cf_label(hash_format: &str, name: &str, src: &str, dest: &str, seed: Option<i64>) -> String {
    let mut label = hash_format
        .replace("{name}", name)
        .replace("{src}", src)
        .replace("{dest}", dest);
    if let Some(s) = seed {
        label.push_str(&format!("-{s}"));
    }
    label
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_python() {
        assert_eq!(py_fixed5(-0.4375), "-0.43750");
        assert_eq!(py_fixed5(0.4375), "0.43750");
        assert_eq!(py_fixed5(-0.0), "-0.00000");
        assert_eq!(py_fixed5(0.0), "0.00000");
        assert_eq!(py_fixed5(-1e-12), "-0.00000");
        assert_eq!(py_fixed5(1.2496495), "1.24965");
        // 1/64 = 0.015625 exactly: a tie, Python rounds to even.
        assert_eq!(py_fixed5(0.015625), "0.01562");
        assert_eq!(py_fixed5(0.046875), "0.04688");
        assert_eq!(py_fixed5(12.5), "12.50000");
    }

    #[test]
    fn cf_names() {
        let l = cf_label("{name}-{src}-{dest}", "LGNOnAfferent", "LGNOn", "V1", None);
        assert_eq!(
            cf_name(Some(&l), -0.4375, 0.4375),
            "LGNOnAfferent-LGNOn-V1_CF (-0.43750, 0.43750)"
        );
        assert_eq!(cf_name(None, 0.0, -0.0), "_CF (0.00000, -0.00000)");
        assert_eq!(cf_label("{name}", "P", "S", "D", Some(7)), "P-7");
    }
}
