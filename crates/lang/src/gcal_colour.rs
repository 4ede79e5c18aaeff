//! The colour GCAL classes of topo/submodel/color.py
//! (`ModelGCALInheritingColor`, `ModelGCALColor`, both built on
//! `ColorEarlyVisionModel`): their own parameters, the values they fix
//! where `ModelGCAL` (topo/submodel/gcal.py) has parameters, and what
//! `'cr'` in their `dims` does.
//!
//! Without `'cr'` these classes build the same sheets and projections as
//! `ModelGCAL` with those fixed values (`ColorEarlyVisionModel.LGN`,
//! `afferent_conditions`, `lateral_gain_control_conditions` and
//! `ModelGCALColor.V1_afferent` reduce to `EarlyVisionModel`'s and
//! `ModelGCAL`'s when no sheet has an `opponent` property), except that
//! the LGN's lateral gain control has size and radius 0.25 instead of
//! `gain_control_size`.
//!
//! With `'cr'` every LGN sheet (but the SF channels above 1) gets an
//! opponent pair and its afferents come from the Retina's channel ports
//! `Activity0`..`Activity2` (`afferent_center`, `afferent_surround`).
//! The Retina is a `ChannelGeneratorSheet` (topo/base/generatorsheet.py),
//! whose `set_input_generator` offers those ports only when the
//! training pattern has more than one channel (`num_channels()`, imagen's
//! patterngenerator.py). The Gaussian dataset's `Composite` has one
//! channel, and a grayscale image has none, so Topographica's
//! `EventProcessor._src_connect` (topo/base/simulation.py) refuses the
//! `Activity0` connection with a ValueError: only colour image datasets
//! instantiate. topo-hpc reports the same refusal as a located error.
//!
//! With a colour image dataset (`FoliageA`, `FoliageB`: the McGill
//! images, which the user supplies) the Retina's patterns get
//! `ScaleChannels` by `cone_scale` (dimmed per eye by `Dim<n>` streams
//! when binocular), and the LGN is one sheet per polarity, eye and
//! opponent pair, fed by `AfferentSurround<c>` and `AfferentCenter<c>`
//! projections from the channel ports ([`cr_template_values`] and the
//! `TEMPLATE_CR_*` texts of gcal.rs).

use crate::interp::{Interp, R};
use crate::obj::Obj;

/// Whether `class` (a built-in name) is one of color.py's GCAL classes.
pub(crate) fn is_colour_class(class: &str) -> bool {
    matches!(class, "ModelGCALColor" | "ModelGCALInheritingColor")
}

/// `ModelGCAL` parameters the colour classes do not have, with the value
/// their methods use instead (`ModelGCALInheritingColor.V1`,
/// `lateral_excitatory`, `lateral_inhibitory`; `target_activity` is
/// `HomeostaticResponse`'s default, topo/transferfn/misc.py).
pub(crate) const FIXED_IN_COLOUR: [(&str, &str); 4] = [
    ("t_settle", "16"),
    ("target_activity", "0.024"),
    ("latexc_size", "0.05"),
    ("latinh_size", "0.15"),
];

/// `ColorEarlyVisionModel`'s own parameters, as `ModelGCAL`'s table
/// holds them.
pub(crate) fn colour_params() -> Vec<crate::gcal::ModelParam> {
    vec![
        (
            "gain_control_color",
            "Boolean",
            Obj::Bool(false),
            None,
            (true, true),
            "Divisive LGN gain control also in the colour-opponent sheets.",
        ),
        (
            "cone_scale",
            "List",
            Obj::List(vec![Obj::Float(0.9), Obj::Float(1.0), Obj::Float(0.97)]),
            None,
            (true, true),
            "Factors for the L, M and S cone channels of colour images.",
        ),
        (
            "color_strength",
            "Number",
            Obj::Float(0.75),
            Some((Some(0.0), None)),
            (true, true),
            "Share of V1's LGN afferent strength given to the colour-opponent sheets rather than luminosity.",
        ),
        (
            "color_sim_type",
            "ObjectSelector",
            Obj::Str("Trichromatic".into()),
            None,
            (true, true),
            "'Trichromatic' or 'Dichromatic' opponent channels when dims has 'cr'.",
        ),
    ]
}

/// The template lines fixing what the colour classes do not make a
/// parameter, and the LGN lateral gain control's size
/// (`ColorEarlyVisionModel.lateral_gain_control`: size and radius 0.25,
/// activity_group weight 0.6 times `color_factor`, 1 without `'cr'`).
pub(crate) fn colour_template_values(colour: bool) -> String {
    if colour {
        let mut s: String = FIXED_IN_COLOUR
            .iter()
            .map(|(k, v)| format!("{k} = {v}\n"))
            .collect();
        s.push_str("lgc_size = 0.25\n");
        s
    } else {
        "lgc_size = gain_control_size\n".to_string()
    }
}

impl Interp {
    /// `'cr'` in a colour class's dims: the error Topographica's
    /// instantiation ends in for `dataset` (see the module doc), located
    /// at the `topo.sim.model = ...` statement.
    pub(crate) fn colour_dims_error(&self, class: &str, dataset: &str, off: usize) -> R<()> {
        let refusal =
            "ColorEarlyVisionModel's Retina is a ChannelGeneratorSheet, which offers the \
             ports Activity0..Activity2 that the LGN's AfferentCenter/AfferentSurround projections \
             connect from only when its training pattern has several channels; Topographica's \
             topo.sim.connect refuses them otherwise (ValueError in EventProcessor._src_connect, \
             topo/base/simulation.py)";
        if dataset == "Gaussian" {
            return Err(self.err(
                off,
                format!(
                    "{class}: dims with 'cr' needs colour images, but dataset='Gaussian' draws \
                     single-channel Gaussians: {refusal}; use dataset='FoliageA' or 'FoliageB' \
                     (McGill colour images)"
                ),
            ));
        }
        let Some(folder) = crate::gcal_dataset::dataset_folder(dataset) else {
            return Err(self.err(
                off,
                format!(
                    "{class}: dataset '{dataset}' is not one of 'Gaussian', 'Nature', 'FoliageA', 'FoliageB'"
                ),
            ));
        };
        let found =
            crate::paths::resolve_path(folder, std::path::Path::new(&self.model_path), false);
        match found {
            None => Err(self.err(
                off,
                format!(
                    "{class}: dims with 'cr' and dataset '{dataset}' needs colour images in the folder \
                     '{folder}', which was not found in the model's folder, the working directory or \
                     $TOPO_HPC_PATH (Topographica does not ship it)"
                ),
            )),
            Some(_) => Ok(()),
        }
    }
}

/// Python 2's `colorsys.rgb_to_hsv`.
fn rgb_to_hsv(r: f64, g: f64, b: f64) -> (f64, f64, f64) {
    let maxc = r.max(g).max(b);
    let minc = r.min(g).min(b);
    let v = maxc;
    if minc == maxc {
        return (0.0, 0.0, v);
    }
    let s = (maxc - minc) / maxc;
    let rc = (maxc - r) / (maxc - minc);
    let gc = (maxc - g) / (maxc - minc);
    let bc = (maxc - b) / (maxc - minc);
    let h = if r == maxc {
        bc - gc
    } else if g == maxc {
        2.0 + rc - bc
    } else {
        4.0 + gc - rc
    };
    // Python's float %: the sign of the divisor
    let mut h = (h / 6.0) % 1.0;
    if h != 0.0 && h < 0.0 {
        h += 1.0;
    }
    (h, s, v)
}

/// `colorsys.hsv_to_rgb(h, s, v)` with `v` symbolic: each channel as the
/// text of `v` times the constant Python multiplies it by (`p =
/// v*(1.0 - s)`, `q = v*(1.0 - s*f)`, `t = v*(1.0 - s*(1.0-f))`), or `v`.
fn hsv_to_rgb_text(h: f64, s: f64, v: &str) -> [String; 3] {
    if s == 0.0 {
        return [v.to_string(), v.to_string(), v.to_string()];
    }
    let i = (h * 6.0).trunc();
    let f = (h * 6.0) - i;
    let lit = |k: f64| {
        format!(
            "{v}*{}",
            topo_spec::pyfmt::literal(&topo_spec::Value::Float(k))
        )
    };
    let (p, q, t) = (lit(1.0 - s), lit(1.0 - s * f), lit(1.0 - s * (1.0 - f)));
    let v = v.to_string();
    match (i as i64).rem_euclid(6) {
        0 => [v, t, p],
        1 => [q, v, p],
        2 => [p, v, t],
        3 => [p, q, v],
        4 => [t, p, v],
        _ => [v, p, q],
    }
}

/// The template values of `'cr'` (`ColorEarlyVisionModel.property_setup`
/// and `Retina`, topo/submodel/color.py): the opponent pairs, the
/// colours in Python 2's iteration order of `ColorToChannel`
/// (`{'Red':0, 'Green':1, 'Blue':2}` iterates Blue, Green, Red), the
/// lateral gain control's `color_factor`, whether V1's afferent strength
/// has `ModelGCALColor`'s colour scale, and `hsv_v`, the value of
/// `colorsys.rgb_to_hsv(*cone_scale)` that each eye dims.
pub(crate) fn cr_template_values(
    cone_scale: &[f64],
    trichromatic: bool,
    colour_scaled: bool,
) -> String {
    let (centres, surrounds): (&[&str], &[&str]) = if trichromatic {
        (
            &["Red", "Green", "Blue", "RedGreenBlue"],
            &["Green", "Red", "RedGreen", "RedGreenBlue"],
        )
    } else {
        (
            &["Green", "Blue", "GreenBlue"],
            &["Green", "Green", "GreenBlue"],
        )
    };
    let specs: Vec<String> = centres
        .iter()
        .zip(surrounds)
        .map(|(c, s)| format!("('{c}', '{s}')"))
        .collect();
    let mut t = String::new();
    t.push_str("colour_cr = True\ncolor_factor = 0.25\n");
    t.push_str(&format!(
        "lum_channel = '{}'\n",
        if trichromatic {
            "RedGreenBlue"
        } else {
            "GreenBlue"
        }
    ));
    t.push_str(&format!("opponent_specs = [{}]\n", specs.join(", ")));
    t.push_str("colour_codes = [('Blue', 2), ('Green', 1), ('Red', 0)]\n");
    t.push_str(&format!(
        "colour_scaled = {}\n",
        if colour_scaled { "True" } else { "False" }
    ));
    let [r, g, b] = [0, 1, 2].map(|i| cone_scale.get(i).copied().unwrap_or(f64::NAN));
    let (_, _, v) = rgb_to_hsv(r, g, b);
    t.push_str(&format!(
        "hsv_v = {}\n",
        topo_spec::pyfmt::literal(&topo_spec::Value::Float(v))
    ));
    t
}

/// The channel factors of a dimmed eye as a list expression in `v`
/// (`list(colorsys.hsv_to_rgb(*hsv_dimmed))` in `ColorEarlyVisionModel.Retina`).
pub(crate) fn dimmed_factors_text(cone_scale: &[f64]) -> String {
    let [r, g, b] = [0, 1, 2].map(|i| cone_scale.get(i).copied().unwrap_or(f64::NAN));
    let (h, s, _) = rgb_to_hsv(r, g, b);
    format!("[{}]", hsv_to_rgb_text(h, s, "v").join(", "))
}

/// `cone_scale` as the three numbers `'cr'` needs, or why not.
pub(crate) fn cone_scale_values(v: &Obj) -> Result<Vec<f64>, String> {
    match v {
        Obj::List(items) if items.len() == 3 => items
            .iter()
            .map(|x| {
                x.num()
                    .ok_or_else(|| "cone_scale must hold numbers".to_string())
            })
            .collect(),
        _ => Err("cone_scale must be a list of three numbers (L, M, S)".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values Python's colorsys gives (CPython 3; colorsys is unchanged
    /// since Python 2).
    #[test]
    fn colorsys_of_the_default_cone_scale() {
        let (h, s, v) = rgb_to_hsv(0.9, 1.0, 0.97);
        assert_eq!((h, s, v), (0.44999999999999996, 0.09999999999999998, 1.0));
        assert_eq!(hsv_to_rgb_text(h, s, "v"), ["v*0.9", "v", "v*0.97"]);
    }
}
