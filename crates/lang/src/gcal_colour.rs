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
//! instantiate. topo-hpc reports the same refusal as a located error, and
//! a colour dataset as not yet supported (it has no multi-channel
//! generator sheet).

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
            Some(path) => Err(self.err(
                off,
                format!(
                    "{class}: dims with 'cr' and dataset '{dataset}' ({}) needs a multi-channel retina \
                     (Topographica's ChannelGeneratorSheet with ScaleChannels(cone_scale) on each \
                     colour image), which topo-hpc does not build yet; with grayscale images (such \
                     as Topographica's images/shouval) Topographica itself fails: {refusal}",
                    path.display()
                ),
            )),
        }
    }
}
