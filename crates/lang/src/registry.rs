//! The classes a model file may instantiate, with their parameters and
//! Topographica's defaults (from `classes.txt`), plus the importable modules
//! and the alias names (`_opt`, `_cython`, re-exports) of each class.

use std::collections::HashMap;
use std::sync::OnceLock;

/// The type a parameter accepts.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Kind {
    /// A number, or a numbergen generator (param's Dynamic numbers).
    Num,
    /// An integer.
    Int,
    /// A boolean.
    Bool,
    /// A string.
    Str,
    /// A number stored as an exact time.
    Time,
    /// A bounding box.
    BBox,
    /// A list.
    List,
    /// A tuple.
    Tuple,
    /// Anything.
    Any,
    /// A component.
    Obj,
    /// A function.
    Fn,
}

/// One declared parameter.
#[derive(Clone, Debug)]
pub(crate) struct ParamDef {
    pub(crate) name: String,
    pub(crate) kind: Kind,
    pub(crate) allow_none: bool,
    pub(crate) lo: Option<(f64, bool)>,
    pub(crate) hi: Option<(f64, bool)>,
    /// Default as a model-language expression.
    pub(crate) default: String,
}

/// One class.
#[derive(Clone, Debug)]
pub(crate) struct ClassDef {
    pub(crate) name: String,
    pub(crate) parents: Vec<String>,
    pub(crate) params: Vec<ParamDef>,
}

/// All classes, by canonical name, plus the method resolution orders.
pub(crate) struct Registry {
    pub(crate) classes: HashMap<String, ClassDef>,
    mro: HashMap<String, Vec<String>>,
}

const TABLE: &str = include_str!("classes.txt");

fn parse_bound(s: &str) -> Option<f64> {
    let s = s.trim();
    if s.is_empty() {
        None
    } else {
        s.parse().ok()
    }
}

/// A bound: value and whether it is inclusive.
type Bound = Option<(f64, bool)>;

fn parse_kind(spec: &str) -> (Kind, bool, Bound, Bound) {
    let (head, bounds) = match spec.find(['[', '(']) {
        Some(i) => (&spec[..i], Some(&spec[i..])),
        None => (spec, None),
    };
    let allow_none = head.ends_with('?');
    let head = head.trim_end_matches('?');
    let kind = match head {
        "num" => Kind::Num,
        "int" => Kind::Int,
        "bool" => Kind::Bool,
        "str" => Kind::Str,
        "time" => Kind::Time,
        "bbox" => Kind::BBox,
        "list" => Kind::List,
        "tuple" => Kind::Tuple,
        "obj" => Kind::Obj,
        "fn" => Kind::Fn,
        _ => Kind::Any,
    };
    let (mut lo, mut hi) = (None, None);
    if let Some(b) = bounds {
        let lo_inc = b.starts_with('[');
        let hi_inc = b.ends_with(']');
        let inner = &b[1..b.len() - 1];
        if let Some((l, h)) = inner.split_once(',') {
            lo = parse_bound(l).map(|v| (v, lo_inc));
            hi = parse_bound(h).map(|v| (v, hi_inc));
        }
    }
    (kind, allow_none, lo, hi)
}

impl Registry {
    fn parse() -> Registry {
        let mut classes: HashMap<String, ClassDef> = HashMap::new();
        let mut order = Vec::new();
        let mut current: Option<ClassDef> = None;
        for line in TABLE.lines() {
            let t = line.trim();
            if t.is_empty() || t.starts_with('#') {
                continue;
            }
            if let Some(rest) = t.strip_prefix("class ") {
                if let Some(c) = current.take() {
                    order.push(c.name.clone());
                    classes.insert(c.name.clone(), c);
                }
                let (name, parents) = match rest.split_once(':') {
                    Some((n, p)) => (
                        n.trim().to_string(),
                        p.split(',').map(|s| s.trim().to_string()).collect(),
                    ),
                    None => (rest.trim().to_string(), Vec::new()),
                };
                current = Some(ClassDef {
                    name,
                    parents,
                    params: Vec::new(),
                });
            } else if let Some(c) = current.as_mut() {
                let (lhs, default) = t.split_once(" = ").expect("class table: missing default");
                let (name, spec) = lhs.split_once(' ').expect("class table: missing kind");
                let (kind, allow_none, lo, hi) = parse_kind(spec.trim());
                c.params.push(ParamDef {
                    name: name.to_string(),
                    kind,
                    allow_none,
                    lo,
                    hi,
                    default: default.trim().to_string(),
                });
            }
        }
        if let Some(c) = current.take() {
            classes.insert(c.name.clone(), c);
        }
        let mut mro = HashMap::new();
        for name in classes.keys() {
            let mut out = Vec::new();
            Self::linearize(&classes, name, &mut out);
            mro.insert(name.clone(), out);
        }
        Registry { classes, mro }
    }

    fn linearize(classes: &HashMap<String, ClassDef>, name: &str, out: &mut Vec<String>) {
        // Depth-first, left to right, then drop repeats keeping the last
        // occurrence: the C3 order for the simple diamonds used here.
        let mut dfs = Vec::new();
        fn walk(classes: &HashMap<String, ClassDef>, name: &str, dfs: &mut Vec<String>) {
            dfs.push(name.to_string());
            if let Some(c) = classes.get(name) {
                for p in &c.parents {
                    walk(classes, p, dfs);
                }
            }
        }
        walk(classes, name, &mut dfs);
        for (i, n) in dfs.iter().enumerate() {
            if !dfs[i + 1..].contains(n) {
                out.push(n.clone());
            }
        }
    }

    /// The class with this canonical name.
    pub(crate) fn class(&self, name: &str) -> Option<&ClassDef> {
        self.classes.get(name)
    }

    /// The method resolution order of a class (itself first).
    pub(crate) fn mro(&self, name: &str) -> &[String] {
        self.mro.get(name).map(|v| v.as_slice()).unwrap_or(&[])
    }

    /// Whether `name` is `base` or derives from it.
    pub(crate) fn is_subclass(&self, name: &str, base: &str) -> bool {
        self.mro(name).iter().any(|c| c == base)
    }

    /// Every parameter of a class (nearest declaration wins), sorted by name.
    pub(crate) fn params(&self, name: &str) -> Vec<&ParamDef> {
        let mut seen: HashMap<&str, &ParamDef> = HashMap::new();
        for cls in self.mro(name) {
            if let Some(c) = self.classes.get(cls) {
                for p in &c.params {
                    seen.entry(p.name.as_str()).or_insert(p);
                }
            }
        }
        let mut v: Vec<&ParamDef> = seen.into_values().collect();
        v.sort_by(|a, b| a.name.cmp(&b.name));
        v
    }

    /// The nearest declaration of a parameter.
    pub(crate) fn param(&self, class: &str, pname: &str) -> Option<&ParamDef> {
        for cls in self.mro(class) {
            if let Some(c) = self.classes.get(cls) {
                if let Some(p) = c.params.iter().find(|p| p.name == pname) {
                    return Some(p);
                }
            }
        }
        None
    }
}

/// The registry (parsed once).
pub(crate) fn registry() -> &'static Registry {
    static REG: OnceLock<Registry> = OnceLock::new();
    REG.get_or_init(Registry::parse)
}

/// Modules a model file may import (after alias resolution of the name the
/// file used, see [`module_alias`]).
pub(crate) const MODULES: &[&str] = &[
    "topo",
    "topo.sheet",
    "topo.sheet.lissom",
    "topo.sheet.optimized",
    "topo.projection",
    "topo.pattern",
    "topo.pattern.random",
    "topo.pattern.image",
    "topo.numbergen",
    "topo.transferfn",
    "topo.transferfn.misc",
    "topo.transferfn.optimized",
    "topo.transferfn.projfn",
    "topo.learningfn",
    "topo.learningfn.optimized",
    "topo.learningfn.projfn",
    "topo.responsefn",
    "topo.responsefn.optimized",
    "topo.optimized",
    "topo.misc",
    "topo.misc.commandline",
    "topo.base",
    "topo.base.cf",
    "topo.base.projection",
    "topo.base.sheet",
    "topo.base.simulation",
    "topo.base.boundingregion",
    "topo.base.arrayutil",
    "topo.base.generatorsheet",
    "topo.base.functionfamily",
    "topo.submodel",
    "topo.submodel.gcal",
    "topo.submodel.earlyvision",
    "topo.submodel.color",
    "topo.analysis",
    "topo.analysis.featureresponses",
    "topo.command",
    "topo.command.analysis",
    "imagen",
    "imagen.random",
    "imagen.deprecated",
    "imagen.transferfn",
    "imagen.image",
    "imagen.boundingregion",
    "numbergen",
    "param",
    "numpy",
    "numpy.random",
    "math",
    "operator",
    "copy",
];

/// Whether `path` is an importable module.
pub(crate) fn is_module(path: &str) -> bool {
    MODULES.contains(&path)
}

/// Names that resolve to something other than a class of the same full
/// name: class aliases (`_opt`, `_cython`, re-exports) map to the canonical
/// class; other entries name built-in callables or values.
pub(crate) fn alias(path: &str) -> Option<&'static str> {
    let a: &'static str = match path {
        // patterns re-exported under topo.pattern and imagen.deprecated
        "topo.pattern.image.FileImage" => "imagen.image.FileImage",
        "topo.pattern.image.PatternSampler" => "imagen.image.PatternSampler",
        "imagen.image.edge_average" | "topo.pattern.image.edge_average" => {
            "fn:imagen.image.edge_average"
        }
        "topo.pattern.OldSweeper" | "imagen.OldSweeper" => "imagen.deprecated.OldSweeper",
        "topo.transferfn.DivisiveNormalizeLinf" => "imagen.transferfn.DivisiveNormalizeLinf",
        "param.resolve_path" => "builtin:param.resolve_path",
        "copy.deepcopy" => "builtin:copy.deepcopy",
        "numpy.random.seed" => "builtin:numpy.random.seed",
        "numpy.arange" => "builtin:numpy.arange",
        p if p.starts_with("topo.pattern.random.") => return alias_suffix(p, "imagen.random."),
        p if p.starts_with("topo.pattern.") => return alias_suffix(p, "imagen."),
        "imagen.deprecated.SeparatedComposite" => "imagen.SeparatedComposite",
        "topo.numbergen.UniformRandom" => "numbergen.UniformRandom",
        // sheets
        "topo.base.generatorsheet.GeneratorSheet" => "topo.sheet.GeneratorSheet",
        "topo.base.generatorsheet.ChannelGeneratorSheet" => "topo.sheet.ChannelGeneratorSheet",
        "imagen.patterngenerator.ComposeChannels" => "imagen.ComposeChannels",
        "imagen.patterngenerator.ChannelTransform" => "imagen.ChannelTransform",
        "topo.base.cf.CFSheet" => "topo.sheet.CFSheet",
        "topo.sheet.Sheet" => "topo.base.sheet.Sheet",
        "topo.sheet.ProjectionSheet" => "topo.base.projection.ProjectionSheet",
        "topo.sheet.lissom.SettlingCFSheet"
        | "topo.sheet.optimized.SettlingCFSheet_Opt"
        | "topo.sheet.SettlingCFSheet_Opt" => "topo.sheet.SettlingCFSheet",
        "topo.sheet.optimized.compute_joint_norm_totals_opt"
        | "topo.optimized.compute_joint_norm_totals_cython"
        | "topo.sheet.compute_joint_norm_totals" => "fn:topo.sheet.compute_joint_norm_totals",
        // projections
        "topo.base.cf.CFProjection" => "topo.projection.CFProjection",
        "topo.base.cf.ResizableCFProjection" => "topo.projection.ResizableCFProjection",
        "topo.base.projection.Projection" => "topo.base.projection.Projection",
        // response functions
        "topo.responsefn.optimized.CFPRF_DotProduct_opt"
        | "topo.responsefn.optimized.CFPRF_DotProduct_cython"
        | "topo.responsefn.CFPRF_DotProduct_opt"
        | "topo.responsefn.CFPRF_DotProduct_cython"
        | "topo.optimized.CFPRF_DotProduct_cython" => "topo.responsefn.CFPRF_DotProduct",
        "topo.responsefn.optimized.CFPRF_EuclideanDistance_opt"
        | "topo.responsefn.CFPRF_EuclideanDistance_opt" => {
            "topo.responsefn.CFPRF_EuclideanDistance"
        }
        "topo.responsefn.optimized.CFPRF_EuclideanDistance" => {
            "topo.responsefn.CFPRF_EuclideanDistance"
        }
        "topo.base.cf.CFPRF_Plugin" => "topo.responsefn.CFPRF_Plugin",
        "topo.base.functionfamily.DotProduct" => "topo.responsefn.DotProduct",
        // topo/coordmapper/__init__.py imports these from functionfamily
        "topo.coordmapper.CoordinateMapperFn" => "topo.base.functionfamily.CoordinateMapperFn",
        "topo.coordmapper.IdentityMF" => "topo.base.functionfamily.IdentityMF",
        // learning functions
        "topo.learningfn.optimized.CFPLF_Hebbian_opt"
        | "topo.learningfn.optimized.CFPLF_Hebbian_cython"
        | "topo.learningfn.CFPLF_Hebbian_opt"
        | "topo.learningfn.CFPLF_Hebbian_cython"
        | "topo.optimized.CFPLF_Hebbian_cython"
        | "topo.learningfn.optimized.CFPLF_Hebbian" => "topo.learningfn.CFPLF_Hebbian",
        "topo.learningfn.projfn.CFPLF_Plugin" | "topo.base.cf.CFPLF_Plugin" => {
            "topo.learningfn.CFPLF_Plugin"
        }
        "topo.learningfn.projfn.CFPLF_EuclideanHebbian" => "topo.learningfn.CFPLF_EuclideanHebbian",
        "topo.learningfn.projfn.CFPLF_Hebbian" => "topo.learningfn.CFPLF_Hebbian",
        "topo.learningfn.projfn.CFPLF_Trace" => "topo.learningfn.CFPLF_Trace",
        "topo.base.cf.CFPLF_Identity" => "topo.learningfn.CFPLF_Identity",
        "topo.base.functionfamily.IdentityLF" => "topo.learningfn.IdentityLF",
        "topo.base.functionfamily.Hebbian" => "topo.learningfn.Hebbian",
        // output functions: the C kernels (weave `_opt`, Cython `_cython`)
        // and the Python class round differently (sim's `normalize`), so
        // each keeps its own class.
        "topo.transferfn.CFPOF_DivisiveNormalizeL1"
        | "topo.transferfn.projfn.CFPOF_DivisiveNormalizeL1" => {
            "topo.transferfn.optimized.CFPOF_DivisiveNormalizeL1"
        }
        "topo.transferfn.CFPOF_DivisiveNormalizeL1_opt" => {
            "topo.transferfn.optimized.CFPOF_DivisiveNormalizeL1_opt"
        }
        "topo.transferfn.optimized.CFPOF_DivisiveNormalize_L1_cython"
        | "topo.optimized.CFPOF_DivisiveNormalizeL1_cython" => {
            "topo.optimized.CFPOF_DivisiveNormalize_L1_cython"
        }
        "topo.transferfn.projfn.CFPOF_Plugin" | "topo.base.cf.CFPOF_Plugin" => {
            "topo.transferfn.CFPOF_Plugin"
        }
        "topo.transferfn.DivisiveNormalizeL1" => "imagen.transferfn.DivisiveNormalizeL1",
        "topo.transferfn.misc.AdaptiveThreshold" => "topo.transferfn.misc.HomeostaticResponse",
        "topo.transferfn.HalfRectify" => "topo.transferfn.misc.HalfRectify",
        "topo.base.functionfamily.IdentityTF" => "topo.transferfn.IdentityTF",
        "topo.sheet.SheetMask" => "topo.base.projection.SheetMask",
        // bounding boxes
        "topo.sheet.BoundingBox"
        | "topo.base.boundingregion.BoundingBox"
        | "imagen.boundingregion.BoundingBox"
        | "imagen.BoundingBox" => "builtin:BoundingBox",
        // built-in functions and values
        "numpy.add" | "numpy.subtract" | "numpy.multiply" | "numpy.divide" | "numpy.maximum"
        | "numpy.minimum" => return Some(fn_name(path)),
        "operator.add" | "operator.sub" | "operator.mul" | "operator.truediv" | "operator.div"
        | "operator.floordiv" | "operator.mod" | "operator.pow" | "operator.neg"
        | "operator.pos" | "operator.abs" => return Some(fn_name(path)),
        "imagen.random.seed" => "builtin:imagen.random.seed",
        "topo.sheet.lissom.schedule_events" => "builtin:schedule_events",
        "topo.submodel.gcal.ModelGCAL" => "builtin:ModelGCAL",
        "topo.submodel.gcal.ExamplesGCAL" => "builtin:ExamplesGCAL",
        "topo.submodel.color.ModelGCALColor" => "builtin:ModelGCALColor",
        "topo.submodel.color.ModelGCALInheritingColor" => "builtin:ModelGCALInheritingColor",
        "topo.misc.commandline.global_params" => "builtin:global_params",
        "topo.analysis.featureresponses.FeatureMaps" => "analysis:FeatureMaps",
        "topo.analysis.featureresponses.MeasureResponseCommand" => {
            "analysis:MeasureResponseCommand"
        }
        "topo.analysis.featureresponses.FeatureCurveCommand" => "analysis:FeatureCurveCommand",
        "topo.analysis.featureresponses.SinusoidalMeasureResponseCommand" => {
            "analysis:SinusoidalMeasureResponseCommand"
        }
        "topo.analysis.featureresponses.PatternPresentingCommand" => {
            "analysis:PatternPresentingCommand"
        }
        "topo.analysis.featureresponses.PositionMeasurementCommand" => {
            "analysis:PositionMeasurementCommand"
        }
        "topo.analysis.featureresponses.UnitCurveCommand" => "analysis:UnitCurveCommand",
        "param.Number"
        | "param.Integer"
        | "param.Boolean"
        | "param.String"
        | "param.ObjectSelector"
        | "param.List" => return Some(builtin_name(path)),
        "math.sqrt" | "math.exp" | "math.log" | "math.sin" | "math.cos" | "math.tan"
        | "math.atan2" | "math.floor" | "math.ceil" | "math.fabs" | "math.pow" | "math.log10"
        | "math.atan" | "math.asin" | "math.acos" | "numpy.sqrt" | "numpy.exp" | "numpy.log"
        | "numpy.sin" | "numpy.cos" => return Some(builtin_name(path)),
        "math.pi" | "numpy.pi" => "const:pi",
        "math.e" | "numpy.e" => "const:e",
        _ => return None,
    };
    Some(a)
}

fn alias_suffix(path: &str, new_prefix: &str) -> Option<&'static str> {
    let (_, last) = path.rsplit_once('.')?;
    let full = format!("{new_prefix}{last}");
    if registry().class(&full).is_some() {
        return Some(leak(full));
    }
    alias(&full)
}

fn fn_name(path: &str) -> &'static str {
    leak(format!("fn:{path}"))
}

fn builtin_name(path: &str) -> &'static str {
    leak(format!("builtin:{path}"))
}

/// Interns a short string for the life of the program (alias results are
/// a small fixed set, so this does not grow without bound).
fn leak(s: String) -> &'static str {
    static POOL: OnceLock<std::sync::Mutex<HashMap<String, &'static str>>> = OnceLock::new();
    let pool = POOL.get_or_init(Default::default);
    let mut g = match pool.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    };
    if let Some(v) = g.get(&s) {
        return v;
    }
    let v: &'static str = Box::leak(s.clone().into_boxed_str());
    g.insert(s, v);
    v
}

/// Normalizes a module path the file used to the module whose classes it
/// holds (e.g. `topo.pattern` holds imagen's patterns).
pub(crate) fn module_for_classes(path: &str) -> &str {
    match path {
        "topo.pattern" => "imagen",
        "topo.pattern.random" => "imagen.random",
        "topo.numbergen" => "numbergen",
        _ => path,
    }
}
