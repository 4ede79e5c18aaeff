//! The class-based GCAL models of `topo.submodel` (`ModelGCAL`,
//! `ExamplesGCAL`): their parameters become global parameters (so `-p`
//! reaches them) and `topo.sim.model = ModelGCAL(...)` expands to the
//! sheets and connections Topographica's Model instantiation creates
//! (topo/submodel/{gcal,earlyvision,__init__}.py; the training input is
//! `VisualInputModel.training_pattern_setup`'s imagen `PatternCoordinator`,
//! imagen/patterncoordinator.py).

use crate::calls::Kwargs;
use crate::interp::{Interp, R};
use crate::obj::{Obj, ParamDecl};

/// One model parameter: name, param kind, default, bounds, inclusive
/// bounds, doc.
pub(crate) type ModelParam = (
    &'static str,
    &'static str,
    Obj,
    Option<(Option<f64>, Option<f64>)>,
    (bool, bool),
    &'static str,
);

/// Every model parameter, base classes first.
fn model_params() -> Vec<ModelParam> {
    let f = Obj::Float;
    let pos = Some((Some(0.0), None));
    let pos_excl = (false, true);
    let inc = (true, true);
    let list = |v: &[&str]| Obj::List(v.iter().map(|s| Obj::Str(s.to_string())).collect());
    vec![
        (
            "random_seed",
            "Integer",
            Obj::None,
            None,
            inc,
            "Overrides the default global seed on param.random_seed when not None.",
        ),
        (
            "dims",
            "List",
            list(&["xy", "or"]),
            None,
            inc,
            "Stimulus dimensions to include.",
        ),
        (
            "num_inputs",
            "Integer",
            Obj::Int(2),
            Some((Some(1.0), None)),
            inc,
            "How many input patterns to present per unit area at each iteration.",
        ),
        (
            "period",
            "Number",
            Obj::None,
            None,
            inc,
            "Simulation time between pattern updates (None: 1.0).",
        ),
        (
            "dataset",
            "ObjectSelector",
            Obj::Str("Gaussian".into()),
            None,
            inc,
            "Set of input patterns to use.",
        ),
        (
            "area",
            "Number",
            f(1.0),
            pos,
            pos_excl,
            "Linear size of cortical area to simulate.",
        ),
        (
            "dim_fraction",
            "Number",
            f(0.7),
            Some((Some(0.0), Some(1.0))),
            inc,
            "Fraction by which the input brightness varies between the two eyes.",
        ),
        (
            "contrast",
            "Number",
            Obj::Int(70),
            Some((Some(0.0), Some(100.0))),
            inc,
            "Brightness of the input patterns as a contrast (percent).",
        ),
        (
            "sf_spacing",
            "Number",
            f(2.0),
            Some((Some(1.0), None)),
            inc,
            "Factor by which successive SF channels increase in size.",
        ),
        (
            "sf_channels",
            "Integer",
            Obj::Int(2),
            Some((Some(1.0), None)),
            inc,
            "Number of spatial frequency channels.",
        ),
        (
            "max_disparity",
            "Number",
            f(4.0),
            pos,
            inc,
            "Maximum disparity between input pattern positions.",
        ),
        (
            "num_lags",
            "Integer",
            Obj::Int(4),
            Some((Some(1.0), None)),
            inc,
            "Number of successive frames before showing a new input pattern.",
        ),
        (
            "speed",
            "Number",
            f(2.0 / 24.0),
            pos,
            inc,
            "Distance between successive frames when translating patterns.",
        ),
        (
            "align_orientations",
            "Boolean",
            Obj::None,
            None,
            inc,
            "Whether to align pattern orientations (None: automatic).",
        ),
        (
            "retina_density",
            "Number",
            f(24.0),
            pos,
            pos_excl,
            "The nominal_density to use for the retina.",
        ),
        (
            "lgn_density",
            "Number",
            f(24.0),
            pos,
            pos_excl,
            "The nominal_density to use for the LGN.",
        ),
        (
            "lgnaff_strength",
            "Number",
            f(2.33),
            None,
            inc,
            "Overall strength of the afferent projection from the retina to the LGN sheets.",
        ),
        (
            "lgnaff_radius",
            "Number",
            f(0.375),
            pos,
            inc,
            "Connection field radius of a unit in the LGN level to units in a retina sheet.",
        ),
        (
            "lgnlateral_radius",
            "Number",
            f(0.5),
            pos,
            inc,
            "Connection field radius of a unit in the LGN level to surrounding units.",
        ),
        (
            "v1aff_radius",
            "Number",
            f(0.27083),
            pos,
            inc,
            "Connection field radius of a unit in V1 to units in a LGN sheet.",
        ),
        (
            "center_size",
            "Number",
            f(0.07385),
            pos,
            inc,
            "The size of the central Gaussian of the center-surround receptive field.",
        ),
        (
            "surround_size",
            "Number",
            f(4.0 * 0.07385),
            pos,
            inc,
            "The size of the surround Gaussian of the center-surround receptive field.",
        ),
        (
            "gain_control_size",
            "Number",
            f(0.25),
            pos,
            inc,
            "The size of the divisive inhibitory suppressive field in the LGN.",
        ),
        (
            "gain_control",
            "Boolean",
            Obj::Bool(true),
            None,
            inc,
            "Whether to use divisive lateral inhibition in the LGN for contrast gain control.",
        ),
        (
            "gain_control_SF",
            "Boolean",
            Obj::Bool(true),
            None,
            inc,
            "Whether to use divisive lateral inhibition across spatial frequency sheets.",
        ),
        (
            "cortex_density",
            "Number",
            f(47.0),
            pos,
            pos_excl,
            "The nominal_density to use for V1.",
        ),
        (
            "homeostasis",
            "Boolean",
            Obj::Bool(true),
            None,
            inc,
            "Whether or not the homeostatic adaption should be applied in V1.",
        ),
        (
            "t_init",
            "Number",
            f(0.15),
            None,
            inc,
            "The initial V1 threshold value.",
        ),
        (
            "t_settle",
            "Integer",
            Obj::Int(16),
            None,
            inc,
            "Number of settling steps before applying a reset in the V1 sheet.",
        ),
        (
            "target_activity",
            "Number",
            f(0.024),
            None,
            inc,
            "The target average activity for the homeostatic threshold mechanism.",
        ),
        (
            "latexc_radius",
            "Number",
            f(0.104),
            pos,
            inc,
            "Radius of the lateral excitatory bounds within V1.",
        ),
        (
            "latinh_radius",
            "Number",
            f(0.22917),
            pos,
            inc,
            "Radius of the lateral inhibitory bounds within V1.",
        ),
        (
            "latexc_size",
            "Number",
            f(0.05),
            pos,
            inc,
            "Size of the lateral excitatory connections within V1.",
        ),
        (
            "latinh_size",
            "Number",
            f(0.15),
            pos,
            inc,
            "Size of the lateral inhibitory connections within V1.",
        ),
        (
            "aff_lr",
            "Number",
            f(0.1),
            pos,
            inc,
            "Learning rate for the afferent projection(s) to V1.",
        ),
        (
            "exc_lr",
            "Number",
            f(0.0),
            pos,
            inc,
            "Learning rate for the lateral excitatory projection to V1.",
        ),
        (
            "inh_lr",
            "Number",
            f(0.3),
            pos,
            inc,
            "Learning rate for the lateral inhibitory projection to V1.",
        ),
        (
            "aff_strength",
            "Number",
            f(1.0),
            pos,
            inc,
            "Overall strength of the afferent projection to V1.",
        ),
        (
            "exc_strength",
            "Number",
            f(1.7),
            pos,
            inc,
            "Overall strength of the lateral excitatory projection to V1.",
        ),
        (
            "inh_strength",
            "Number",
            f(1.4),
            pos,
            inc,
            "Overall strength of the lateral inhibitory projection to V1.",
        ),
        (
            "expand_sf_test_range",
            "Boolean",
            Obj::Bool(false),
            None,
            inc,
            "Whether measure_sine_pref tests a wider SF range.",
        ),
    ]
}

/// A Python literal for a plain value.
fn lit(v: &Obj) -> String {
    topo_spec::pyfmt::literal(v)
}

impl Interp {
    /// `ModelGCAL(**params)`: registers the model parameters as global
    /// parameters (constructor values become their defaults, `-p` values
    /// win) and returns the model with its parameter values.
    pub(crate) fn make_model(
        &mut self,
        class: &str,
        args: Vec<Obj>,
        kwargs: Kwargs,
        off: usize,
    ) -> R<Obj> {
        if !args.is_empty() {
            return Err(self.err(off, format!("{class} takes keyword arguments only")));
        }
        let colour = crate::gcal_colour::is_colour_class(&self.model_base(class));
        let mut table = model_params();
        if colour {
            table.retain(|(n, ..)| {
                !crate::gcal_colour::FIXED_IN_COLOUR
                    .iter()
                    .any(|(f, _)| f == n)
            });
            table.extend(crate::gcal_colour::colour_params());
        }
        for (k, _) in &kwargs {
            if !table.iter().any(|(n, ..)| n == k) {
                let mut names: Vec<&str> = table.iter().map(|(n, ..)| *n).collect();
                names.sort();
                return Err(self.err(
                    off,
                    format!(
                        "unknown keyword '{k}' for {class}; valid keywords: {}",
                        names.join(", ")
                    ),
                ));
            }
        }
        let mut values = Vec::new();
        for (name, kind, default, bounds, inclusive, doc) in table {
            let default = kwargs
                .iter()
                .rev()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .unwrap_or(default);
            let objects: &[&str] = match name {
                "dataset" => &["Gaussian", "Nature", "FoliageA", "FoliageB"],
                "color_sim_type" => &["Dichromatic", "Trichromatic"],
                _ => &[],
            };
            let objects = objects.iter().map(|s| Obj::Str(s.to_string())).collect();
            let decl = ParamDecl {
                kind: kind.to_string(),
                default,
                bounds,
                inclusive,
                objects,
                doc: Some(doc.to_string()),
            };
            self.declare_global(name, decl, off)?;
            let v = self
                .gparams
                .iter()
                .find(|g| g.name == name)
                .map(|g| g.value.clone())
                .unwrap_or(Obj::None);
            values.push((name.to_string(), v));
        }
        Ok(Obj::Model(class.to_string(), values))
    }

    /// The built-in model class `class` is or derives from.
    fn model_base(&self, class: &str) -> String {
        self.model_subclasses
            .get(class)
            .map(|s| s.base.clone())
            .unwrap_or_else(|| class.to_string())
    }

    /// `topo.sim.model = model`: instantiates the model's sheets and
    /// connections.
    pub(crate) fn install_model(&mut self, v: Obj, off: usize) -> R<()> {
        let Obj::Model(class, params) = v else {
            return Err(self.err(
                off,
                format!(
                    "topo.sim.model needs a model such as ModelGCAL(), not {}",
                    v.type_name()
                ),
            ));
        };
        let get = |n: &str| {
            params
                .iter()
                .find(|(k, _)| k == n)
                .map(|(_, v)| v.clone())
                .unwrap_or(Obj::None)
        };
        let dims = match get("dims") {
            Obj::List(v) => v.iter().map(crate::pyfmt::py_str).collect::<Vec<_>>(),
            _ => Vec::new(),
        };
        let base = self.model_base(&class);
        let colour = crate::gcal_colour::is_colour_class(&base);
        // VisualInputModel.allowed_dims (topo/submodel/earlyvision.py);
        // ColorEarlyVisionModel (topo/submodel/color.py) adds cr.
        if let Some(d) = dims.iter().find(|d| {
            let allowed = ["xy", "or", "od", "dy", "sf", "dr"].contains(&d.as_str());
            !(allowed || colour && *d == "cr")
        }) {
            return Err(self.err(
                off,
                format!(
                    "{class}: dims {} names '{d}'; topo-hpc supports only 'xy', 'or', 'od', 'dy', 'sf' and 'dr' in {class}'s dims ('cr' in topo.submodel.color's ModelGCALColor)",
                    lit(&get("dims"))
                ),
            ));
        }
        let dataset = match get("dataset") {
            Obj::Str(s) => s,
            other => {
                return Err(self.err(
                    off,
                    format!(
                        "{class}: dataset must be a string, not {}",
                        other.type_name()
                    ),
                ))
            }
        };
        let colour_cr = colour && dims.iter().any(|d| d == "cr");
        if colour_cr {
            self.colour_dims_error(&class, &dataset, off)?;
            // ColorEarlyVisionModel's SF channels 2.. beside the opponent
            // sheets, and Sweepers (which have no channels) as patterns,
            // are not built with colour
            if let Some(d) = dims.iter().find(|d| *d == "sf" || *d == "dr") {
                return Err(self.err(
                    off,
                    format!(
                        "{class}: dims with 'cr' and '{d}' together are not supported by topo-hpc"
                    ),
                ));
            }
        }
        let image_files = if dataset == "Gaussian" {
            None
        } else {
            // earlyvision.py: patterns_per_label=int(num_inputs*area*area)
            let n = get("num_inputs").num().unwrap_or(2.0);
            let a = get("area").num().unwrap_or(1.0);
            let per_label = (n * a * a).max(0.0) as usize;
            Some(self.dataset_images(&class, &dataset, per_label, off)?)
        };
        // Model.setup: a random_seed other than None becomes
        // param.random_seed before anything is built.
        match get("random_seed") {
            Obj::None => {}
            Obj::Int(seed) if self.conns.is_empty() => self.param_random_seed = seed,
            Obj::Int(_) => {
                return Err(self.err(
                    off,
                    format!("{class}(random_seed=...) must come before the first topo.sim.connect"),
                ))
            }
            other => {
                return Err(self.err(
                    off,
                    format!(
                        "{class}: random_seed must be an integer or None, not {}",
                        other.type_name()
                    ),
                ))
            }
        }
        let legacy = base == "ExamplesGCAL";
        // ExamplesGCAL.__init__ (topo/submodel/gcal.py)
        let mut dim_set: Vec<&str> = dims.iter().map(String::as_str).collect();
        dim_set.sort();
        dim_set.dedup();
        if legacy && dim_set != ["or", "xy"] {
            return Err(self.err(
                off,
                format!("{class}: ExamplesGCAL is only reproducible for dims = ['xy', 'or']"),
            ));
        }
        // a subclass's changes to components, as `_over_<method>` dicts
        // the templates merge over their own parameters
        let names = self
            .model_overrides(&class, off)?
            .into_iter()
            .map(|(m, d)| (format!("_over_{m}"), d))
            .collect();
        let mut text = String::from("import topo\nimport imagen\nimport imagen.random\nimport numbergen\nimport numpy\nimport math\nimport copy\n");
        text.push_str(&format!(
            "numbergen.TimeAware.time_dependent = {}\n",
            if legacy { "False" } else { "True" }
        ));
        for (k, v) in &params {
            text.push_str(&format!("{k} = {}\n", lit(v)));
        }
        text.push_str(&crate::gcal_colour::colour_template_values(colour));
        let mut dimmed = String::from("[v, v, v]");
        if colour_cr {
            let cone = crate::gcal_colour::cone_scale_values(&get("cone_scale"))
                .map_err(|e| self.err(off, format!("{class}: {e}")))?;
            let tri = matches!(get("color_sim_type"), Obj::Str(s) if s == "Trichromatic");
            text.push_str(&crate::gcal_colour::cr_template_values(
                &cone,
                tri,
                base == "ModelGCALColor",
            ));
            dimmed = crate::gcal_colour::dimmed_factors_text(&cone);
        } else {
            text.push_str("colour_cr = False\ncolor_factor = 1\ncolour_scaled = False\n");
        }
        text.push_str(TEMPLATE_HEAD);
        match &image_files {
            None => {
                text.push_str("n_patterns = int(num_inputs*area*area)\n");
                text.push_str(TEMPLATE_COORDINATED);
                text.push_str(TEMPLATE_GAUSSIANS);
            }
            Some(files) => {
                let files = Obj::List(files.iter().map(|f| Obj::Str(f.clone())).collect());
                text.push_str(&format!("image_files = {}\n", lit(&files)));
                text.push_str("n_patterns = len(image_files)\n");
                text.push_str(TEMPLATE_COORDINATED);
                text.push_str(&TEMPLATE_IMAGE_TRANSFORMS.replace("DIMMED_FACTORS", &dimmed));
                text.push_str(TEMPLATE_IMAGES);
            }
        }
        if legacy {
            text.push_str(
                "retina_radius = area/2.0+1.125\nlegacy_lgn_radius = area/2.0+0.75\nv1_density = 48\n",
            );
        } else {
            text.push_str(TEMPLATE_RADII);
        }
        if colour {
            text.push_str(&TEMPLATE_RETINA.replace(
                "topo.sheet.GeneratorSheet(",
                "topo.sheet.ChannelGeneratorSheet(",
            ));
        } else {
            text.push_str(TEMPLATE_RETINA);
        }
        text.push_str(if colour_cr {
            TEMPLATE_CR_LGN
        } else {
            TEMPLATE_LGN
        });
        text.push_str(TEMPLATE_V1);
        text.push_str(&expand_placeholders(if legacy {
            TEMPLATE_LEGACY_ORDER
        } else if colour_cr {
            TEMPLATE_CR_ORDER
        } else {
            TEMPLATE_ORDER
        }));
        text.push_str(TEMPLATE_ANALYSIS);
        let label = format!("<{class} expansion>");
        self.run_text_in(&label, &text, names)
            .map_err(|e| self.err(off, format!("while instantiating {class}: {e}")))
    }
}

const TEMPLATE_HEAD: &str = r#"
topo.sheet.SettlingCFSheet.joint_norm_fn = topo.sheet.compute_joint_norm_totals
topo.projection.CFProjection.cf_shape = imagen.Disk(smoothing=0.0)
topo.projection.CFProjection.response_fn = topo.responsefn.CFPRF_DotProduct()
topo.projection.CFProjection.learning_fn = topo.learningfn.CFPLF_Hebbian()
topo.projection.CFProjection.weights_output_fns = [topo.optimized.CFPOF_DivisiveNormalize_L1_cython()]
topo.projection.SharedWeightCFProjection.response_fn = topo.responsefn.CFPRF_DotProduct()
period = 1.0 if period is None else period
binocular = 'od' in dims or 'dy' in dims
eyes = ['Left', 'Right'] if binocular else ['']
disparity_bound = max_disparity*0.041665/2.0 if 'dy' in dims else 0.0
SF = list(range(1, sf_channels+1)) if 'sf' in dims else [1]
max_sf = max(SF)
sf_props = [(str(c), c, True) for c in SF] if max_sf > 1 else [('', 1, False)]
bound_x = area/2.0+0.25-disparity_bound
bound = area/2.0+0.25
lags = list(range(num_lags)) if 'dr' in dims else [0]
max_lag = max(lags)
if 'dr' in dims:
    bound_x = bound_x + speed*max_lag
    bound = bound + speed*max_lag
align = (speed != 0 and 'dr' in dims) if align_orientations is None else align_orientations
reset_period = max_lag*period + period
"#;

// imagen's PatternCoordinator (imagen/patterncoordinator.py) with
// Topographica's extra coordinators (topo/misc/featurecoordinators.py):
// for each eye's label, each of `patterns_per_label` patterns gets the
// streams of the features in `dims` in feature_coordinators' order (xy,
// or, od, dy, sf), seeded master_seed (0) + 12/35/21/55/45/77 + pattern number
// and named after the coordinator, so both eyes (time-dependent streams
// of one name and seed) see the same draws. The pattern parameters are
// training_pattern_setup's (topo/submodel/earlyvision.py). The
// SpatialFrequencyCoordinator scales the pattern's size by a draw in
// [1, sf_spacing**(sf_max_channel-1)]; an image dataset has 'sf' among its
// inherent features (PatternCoordinatorImages), so images keep size 10.
const TEMPLATE_COORDINATED: &str = r#"
coordinated = {}
for eye in eyes:
    coordinated[eye] = []
    for i in range(n_patterns):
        c = {}
        if 'xy' in dims:
            c['x'] = 0.0+numbergen.UniformRandom(lbound=-bound_x, ubound=bound_x, seed=12+i, name='XCoordinator'+str(i))
            c['y'] = 0.0+numbergen.UniformRandom(lbound=-bound, ubound=bound, seed=35+i, name='YCoordinator'+str(i))
        if 'or' in dims:
            c['orientation'] = 0.0+numbergen.UniformRandom(lbound=-math.pi, ubound=math.pi, seed=21+(0 if align else i), name='OrientationCoordinator'+('' if align else str(i)))
        if 'od' in dims:
            od = numbergen.UniformRandom(lbound=0, ubound=2, seed=55+i, name='OcularityCoordinator'+str(i))
            c['scale'] = (1-dim_fraction) + dim_fraction*(2.0-od) if eye == 'Left' else (1-dim_fraction) + dim_fraction*od
        if 'dy' in dims:
            dy = numbergen.UniformRandom(lbound=-disparity_bound, ubound=disparity_bound, seed=45+i, name='DisparityCoordinator'+str(i))
            x = c['x'] if 'x' in c else 0.0
            c['x'] = x-dy if eye == 'Left' else x+dy
        if 'sf' in dims and dataset == 'Gaussian':
            sf = numbergen.UniformRandom(lbound=1, ubound=sf_spacing**(max_sf-1), seed=77+i, name='SpatialFrequencyCoordinator'+str(i))
            c['size'] = (0.088388 if 'or' in dims else 3*0.088388)*sf
        coordinated[eye] = coordinated[eye] + [c]
"#;

// PatternCoordinator's default pattern_type Gaussian and composite_type
// Composite (operator numpy.maximum).
const TEMPLATE_GAUSSIANS: &str = r#"
training = {}
for eye in eyes:
    gaussians = []
    for i in range(n_patterns):
        g = imagen.Gaussian(**dict(dict(size=0.088388 if 'or' in dims else 3*0.088388,
            aspect_ratio=4.66667 if 'or' in dims else 1.0, scale=contrast/100.0), **coordinated[eye][i]))
        if 'dr' in dims:
            g = imagen.Sweeper(generator=copy.deepcopy(g), speed=speed, reset_period=reset_period)
        gaussians = gaussians + [g]
    training[eye] = imagen.Composite(generators=gaussians, operator=numpy.maximum)
"#;

// PatternCoordinatorImages: pattern_type FileImage(cache_image=False),
// composite_type Selector; `image_files` are the files it picks
// (gcal_dataset.rs). A dataset without MANIFEST_json has the inherent
// features ['sf', 'cr'], so position and orientation are still varied.
const TEMPLATE_IMAGES: &str = r#"
training = {}
for eye in eyes:
    images = []
    for i in range(n_patterns):
        g = imagen.image.FileImage(**dict(dict(filename=image_files[i], cache_image=False,
            size=10.0, aspect_ratio=4.66667 if 'or' in dims else 1.0, scale=contrast/100.0,
            channel_transforms=image_transforms[eye][i]), **coordinated[eye][i]))
        if 'dr' in dims:
            g = imagen.Sweeper(generator=copy.deepcopy(g), speed=speed, reset_period=reset_period)
        images = images + [g]
    training[eye] = imagen.Selector(generators=images)
"#;

// ColorEarlyVisionModel.Retina (topo/submodel/color.py): with 'cr' each
// image of the training Selector gets ScaleChannels(cone_scale), the
// factors dimmed per eye by hsv[2] +/- Dim<n> (seed 456+n) when
// binocular. The Dim streams are made for every pattern, as there.
const TEMPLATE_IMAGE_TRANSFORMS: &str = r#"
image_transforms = {}
for eye in eyes:
    image_transforms[eye] = []
    for i in range(n_patterns):
        t = []
        if colour_cr:
            dim = numbergen.UniformRandom(lbound=(-1.0+dim_fraction)/2.0, ubound=(1.0-dim_fraction)/2.0, seed=456+i, name='Dim'+str(i))
            if eye == 'Left':
                v = hsv_v+dim
                factors = DIMMED_FACTORS
            elif eye == 'Right':
                v = hsv_v-dim
                factors = DIMMED_FACTORS
            else:
                factors = cone_scale
            t = [imagen.image.ScaleChannels(channel_factors=factors)]
        image_transforms[eye] = image_transforms[eye] + [t]
"#;

// EarlyVisionModel.Retina: room for the widest channel's LGN and V1
// afferent fields around V1.
const TEMPLATE_RADII: &str = r#"
retina_radius = area/2.0 + v1aff_radius*sf_spacing**(max_sf-1) + lgnaff_radius*sf_spacing**(max_sf-1) + lgnlateral_radius
legacy_lgn_radius = None
v1_density = cortex_density
"#;

const TEMPLATE_RETINA: &str = r#"
for eye in eyes:
    topo.sim[eye+'Retina'] = topo.sheet.GeneratorSheet(period=period, phase=0.05,
        nominal_density=retina_density, nominal_bounds=topo.sheet.BoundingBox(radius=retina_radius),
        input_generator=training[eye])
"#;

const TEMPLATE_LGN: &str = r#"
for polarity in ['On', 'Off']:
    for eye in eyes:
        for (sf_suffix, channel, has_sf) in sf_props:
            sf_aff_multiplier = sf_spacing**(max_sf-1) if gain_control_SF else sf_spacing**(channel-1)
            lgn_gc = gain_control_SF if has_sf else gain_control
            lgn_radius = (area/2.0 + v1aff_radius*sf_aff_multiplier + lgnlateral_radius) if legacy_lgn_radius is None else legacy_lgn_radius
            topo.sim[eye+'LGN'+polarity+sf_suffix] = topo.sheet.SettlingCFSheet(mask=topo.base.projection.SheetMask(),
                measure_maps=False, output_fns=[topo.transferfn.misc.HalfRectify()],
                nominal_density=lgn_density, nominal_bounds=topo.sheet.BoundingBox(radius=lgn_radius),
                tsettle=2 if lgn_gc else 0, strict_tsettle=1 if lgn_gc else 0)
"#;

// ColorEarlyVisionModel.LGN with 'cr': one sheet per polarity, eye and
// opponent pair (named eye, level, polarity, opponent, surround as
// SheetSpec.name_ordering does), gain control by gain_control for the
// luminosity sheet and gain_control_color for the others.
const TEMPLATE_CR_LGN: &str = r#"
for polarity in ['On', 'Off']:
    for eye in eyes:
        for (opponent, surround) in opponent_specs:
            sf_aff_multiplier = sf_spacing**(max_sf-1) if gain_control_SF else sf_spacing**(1-1)
            lgn_gc = gain_control if opponent == lum_channel else gain_control_color
            topo.sim[eye+'LGN'+polarity+opponent+surround] = topo.sheet.SettlingCFSheet(mask=topo.base.projection.SheetMask(),
                measure_maps=False, output_fns=[topo.transferfn.misc.HalfRectify()],
                nominal_density=lgn_density, nominal_bounds=topo.sheet.BoundingBox(radius=area/2.0 + v1aff_radius*sf_aff_multiplier + lgnlateral_radius),
                tsettle=2 if lgn_gc else 0, strict_tsettle=1 if lgn_gc else 0)
"#;

const TEMPLATE_V1: &str = r#"
topo.sim['V1'] = topo.sheet.SettlingCFSheet(**dict(dict(tsettle=t_settle, plastic=True,
    joint_norm_fn=topo.sheet.compute_joint_norm_totals,
    output_fns=[topo.transferfn.misc.HomeostaticResponse(t_init=t_init, target_activity=target_activity,
        learning_rate=0.01 if homeostasis else 0.0)],
    nominal_density=v1_density, nominal_bounds=topo.sheet.BoundingBox(radius=area/2.0)), **_over_V1))
"#;

// Each projection as a statement template, instantiated in the order the
// model dictates below: every (source, destination) pair of sheets in
// sheet order, each projection whose match conditions hold
// (Model._compute_projection_specs, topo/submodel/__init__.py). A sheet is
// (name, level, eye, polarity, SF channel, whether the sheet has an SF
// property); lateral gain control reaches the LGN sheets of the same
// polarity in both eyes, across SF channels when gain_control_SF
// (EarlyVisionModel.lateral_gain_control_conditions).
const TEMPLATE_ORDER: &str = r#"
all_sheets = [(eye+'Retina', 'Retina', eye, '', 1, False) for eye in eyes]
for polarity in ['On', 'Off']:
    for eye in eyes:
        all_sheets = all_sheets + [(eye+'LGN'+polarity+sf_suffix, 'LGN', eye, polarity, channel, has_sf) for (sf_suffix, channel, has_sf) in sf_props]
all_sheets = all_sheets + [('V1', 'V1', '', '', 1, False)]
for (src, src_level, src_eye, src_polarity, src_sf, src_has_sf) in all_sheets:
    for (dest, dest_level, dest_eye, dest_polarity, dest_sf, dest_has_sf) in all_sheets:
        if src_level == 'Retina' and dest_level == 'LGN' and src_eye == dest_eye:
            AFFERENT
        if src_level == 'LGN' and dest_level == 'LGN' and src_polarity == dest_polarity and gain_control and (gain_control_SF or src_sf == dest_sf):
            LATERALGC
        if src_level == 'LGN' and dest_level == 'V1':
            V1AFFERENT
        if src_level == 'V1' and dest_level == 'V1':
            LATERALS
"#;

// With 'cr' (ColorEarlyVisionModel's match conditions): each LGN sheet
// takes AfferentSurround<c> then AfferentCenter<c> (Python 2's order of
// the conditions dict) from its eye's Retina channel ports; lateral gain
// control joins sheets of one polarity and opponent pair (both eyes).
const TEMPLATE_CR_ORDER: &str = r#"
all_sheets = [(eye+'Retina', 'Retina', eye, '', '', '') for eye in eyes]
for polarity in ['On', 'Off']:
    for eye in eyes:
        all_sheets = all_sheets + [(eye+'LGN'+polarity+o+s, 'LGN', eye, polarity, o, s) for (o, s) in opponent_specs]
all_sheets = all_sheets + [('V1', 'V1', '', '', '', '')]
src_sf = 1
src_has_sf = False
for (src, src_level, src_eye, src_polarity, src_opponent, src_surround) in all_sheets:
    for (dest, dest_level, dest_eye, dest_polarity, dest_opponent, dest_surround) in all_sheets:
        if src_level == 'Retina' and dest_level == 'LGN' and src_eye == dest_eye:
            CRSURROUND
            CRCENTER
        if src_level == 'LGN' and dest_level == 'LGN' and src_polarity == dest_polarity and src_opponent == dest_opponent and src_surround == dest_surround and ((gain_control and dest_opponent == lum_channel) or (gain_control_color and dest_opponent != lum_channel)):
            LATERALGC
        if src_level == 'LGN' and dest_level == 'V1':
            CRV1AFFERENT
        if src_level == 'V1' and dest_level == 'V1':
            LATERALS
"#;

const TEMPLATE_LEGACY_ORDER: &str = r#"
src_eye = ''
src_sf = 1
src_has_sf = False
dest_sf = 1
for dest in ['LGNOn', 'LGNOff']:
    src = 'Retina'
    dest_polarity = dest[3:]
    AFFERENT
if gain_control:
    for dest in ['LGNOn', 'LGNOff']:
        src = dest
        LATERALGC
for src in ['LGNOn', 'LGNOff']:
    dest = 'V1'
    src_polarity = src[3:]
    V1AFFERENT
src = 'V1'
dest = 'V1'
LATERALS
"#;

// ModelGCALColor.analysis_setup (topo/submodel/color.py) with 'cr' gives
// measure_hue_pref and measure_od_pref the metafeature functions of the
// multi-channel retina (named here; src/analysis_fn/channel_metas.rs).
// ModelGCAL.analysis_setup (topo/submodel/gcal.py): with 'sf', the
// class default of measure_sine_pref's frequencies becomes 2.4 times each
// channel's relative size (plus half the smallest and twice the largest
// with expand_sf_test_range).
const TEMPLATE_ANALYSIS: &str = r#"
topo.analysis.featureresponses.FeatureMaps.selectivity_multiplier = 2.0
topo.analysis.featureresponses.FeatureCurveCommand.contrasts = [1, 10, 30, 50, 100]
if 'dr' in dims:
    topo.analysis.featureresponses.MeasureResponseCommand.durations = [(max_lag+1)*1.0]
if 'sf' in dims:
    sf_relative_sizes = [sf_spacing**(sf_channel-1) for sf_channel in SF]
    wide_relative_sizes = [0.5*sf_relative_sizes[0]] + sf_relative_sizes + [2.0*sf_relative_sizes[-1]]
    relative_sizes = wide_relative_sizes if expand_sf_test_range else sf_relative_sizes
    topo.command.analysis.measure_sine_pref.frequencies = [2.4*s for s in relative_sizes]
if colour_cr and colour_scaled:
    topo.command.analysis.measure_hue_pref.metafeature_fns = ['contrast2scale', 'hue2rgbscaleNewRetina']
    topo.command.analysis.measure_od_pref.metafeature_fns = ['contrast2scale', 'ocular2leftrightscaleNewRetina']
"#;

/// Statement bodies substituted into the order templates (kept apart so
/// both orders share them).
fn expand_placeholders(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let indent: String = line.chars().take_while(|c| *c == ' ').collect();
        let body = match line.trim() {
            "AFFERENT" => AFFERENT,
            "LATERALGC" => LATERALGC,
            "V1AFFERENT" => V1AFFERENT,
            "LATERALS" => LATERALS,
            "CRSURROUND" => CR_SURROUND,
            "CRCENTER" => CR_CENTER,
            "CRV1AFFERENT" => CR_V1AFFERENT,
            _ => {
                out.push_str(line);
                out.push('\n');
                continue;
            }
        };
        for b in body.trim_matches('\n').lines() {
            out.push_str(&indent);
            out.push_str(b);
            out.push('\n');
        }
    }
    out
}

const AFFERENT: &str = r#"
centerg = imagen.Gaussian(size=center_size*sf_spacing**(dest_sf-1), aspect_ratio=1.0, output_fns=[imagen.transferfn.DivisiveNormalizeL1()])
surroundg = imagen.Gaussian(size=surround_size*sf_spacing**(dest_sf-1), aspect_ratio=1.0, output_fns=[imagen.transferfn.DivisiveNormalizeL1()])
dog = [centerg, surroundg] if dest_polarity == 'On' else [surroundg, centerg]
topo.sim.connect(src, dest, connection_type=topo.projection.SharedWeightCFProjection,
    delay=0.05, strength=lgnaff_strength, name='Afferent',
    nominal_bounds_template=topo.sheet.BoundingBox(radius=lgnaff_radius*sf_spacing**(dest_sf-1)),
    weights_generator=imagen.Composite(generators=dog, operator=numpy.subtract))
"#;

const LATERALGC: &str = r#"
topo.sim.connect(src, dest, connection_type=topo.projection.SharedWeightCFProjection,
    delay=0.05, dest_port='Activity',
    activity_group=(0.6*color_factor, topo.base.arrayutil.DivideWithConstant(c=0.11)),
    weights_generator=imagen.Gaussian(size=lgc_size, aspect_ratio=1.0,
        output_fns=[imagen.transferfn.DivisiveNormalizeL1()]),
    nominal_bounds_template=topo.sheet.BoundingBox(radius=lgc_size),
    name='LateralGC'+src_eye+('SF'+str(src_sf) if src_has_sf and gain_control_SF else ''),
    strength=0.6/(2 if binocular else 1))
"#;

const V1AFFERENT: &str = r#"
for lag in lags:
  topo.sim.connect(src, dest, **dict(dict(connection_type=topo.projection.CFProjection,
    delay=(0.05 if gain_control else 0.10)+lag,
    dest_port=('Activity', 'JointNormalize', 'Afferent'),
    name=src_eye+'LGN'+src_polarity+'Afferent'+('SF'+str(src_sf) if src_sf > 1 else '')+('Lag'+str(lag) if lag > 0 else ''),
    learning_rate=aff_lr, strength=aff_strength*(1.5 if gain_control else 1.0),
    weights_generator=imagen.random.GaussianCloud(gaussian_size=2.0*v1aff_radius*sf_spacing**(src_sf-1)),
    nominal_bounds_template=topo.sheet.BoundingBox(radius=v1aff_radius*sf_spacing**(src_sf-1))), **_over_V1_afferent))
"#;

const LATERALS: &str = r#"
topo.sim.connect(src, dest, **dict(dict(connection_type=topo.projection.CFProjection,
    delay=0.05, name='LateralExcitatory',
    weights_generator=imagen.Gaussian(aspect_ratio=1.0, size=latexc_size),
    strength=exc_strength, learning_rate=exc_lr,
    nominal_bounds_template=topo.sheet.BoundingBox(radius=latexc_radius)), **_over_lateral_excitatory))
topo.sim.connect(src, dest, **dict(dict(connection_type=topo.projection.CFProjection,
    delay=0.05, name='LateralInhibitory',
    weights_generator=imagen.random.GaussianCloud(gaussian_size=latinh_size),
    strength=-1.0*inh_strength, learning_rate=inh_lr,
    nominal_bounds_template=topo.sheet.BoundingBox(radius=latinh_radius)), **_over_lateral_inhibitory))
"#;

// ColorEarlyVisionModel.afferent_center / afferent_surround: one
// projection per colour of the opponent (surround) name, in
// ColorToChannel's iteration order, from port Activity<code>.
const CR_CENTER: &str = r#"
centre_codes = [code for (colour, code) in colour_codes if colour in dest_opponent]
for code in centre_codes:
    topo.sim.connect(src, dest, connection_type=topo.projection.SharedWeightCFProjection,
        delay=0.05, strength=(4.7/2.33)*lgnaff_strength/len(centre_codes)*(1 if dest_polarity == 'On' else -1),
        src_port='Activity'+str(code), dest_port='Activity',
        weights_generator=imagen.Gaussian(size=0.07385, aspect_ratio=1.0, output_fns=[imagen.transferfn.DivisiveNormalizeL1()]),
        name='AfferentCenter'+str(code),
        nominal_bounds_template=topo.sheet.BoundingBox(radius=lgnaff_radius))
"#;

const CR_SURROUND: &str = r#"
surround_codes = [code for (colour, code) in colour_codes if colour in dest_surround]
for code in surround_codes:
    topo.sim.connect(src, dest, connection_type=topo.projection.SharedWeightCFProjection,
        delay=0.05, strength=(4.7/2.33)*lgnaff_strength/len(surround_codes)*(-1 if dest_polarity == 'On' else 1),
        src_port='Activity'+str(code), dest_port='Activity',
        weights_generator=imagen.Gaussian(size=0.07385*(4 if dest_opponent != 'Blue' else 1), aspect_ratio=1.0, output_fns=[imagen.transferfn.DivisiveNormalizeL1()]),
        name='AfferentSurround'+str(code),
        nominal_bounds_template=topo.sheet.BoundingBox(radius=lgnaff_radius))
"#;

// ModelGCALColor.V1_afferent (ModelGCALInheritingColor's without the
// colour scale): named after the eye and opponent pair; the colour scale
// shares V1's afferent strength between luminosity ('RedGreenBlue', as
// color.py names it whatever color_sim_type) and colour sheets.
const CR_V1AFFERENT: &str = r#"
color_scale = 1.0
if colour_scaled:
    num_tot = 2*len(opponent_specs)
    num_lum = 2
    num_col = num_tot-num_lum
    color_scale = (1.0*num_tot/num_lum*(1.0-color_strength)) if src_opponent == 'RedGreenBlue' else (1.0*num_tot/num_col*color_strength)
for lag in lags:
  topo.sim.connect(src, dest, **dict(dict(connection_type=topo.projection.CFProjection,
    delay=(0.05 if gain_control else 0.10)+lag,
    dest_port=('Activity', 'JointNormalize', 'Afferent'),
    name=src_eye+src_opponent+src_surround+'LGN'+src_polarity+'Afferent'+('Lag'+str(lag) if lag > 0 else ''),
    learning_rate=aff_lr,
    strength=aff_strength*color_scale*(1.0 if (not gain_control or not gain_control_color) else 1.5) if colour_scaled else aff_strength*(1.0 if not gain_control else 1.5),
    weights_generator=imagen.random.GaussianCloud(gaussian_size=2.0*v1aff_radius*sf_spacing**(1-1)),
    nominal_bounds_template=topo.sheet.BoundingBox(radius=v1aff_radius*sf_spacing**(1-1))), **_over_V1_afferent))
"#;
