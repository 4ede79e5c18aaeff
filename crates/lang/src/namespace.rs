//! The namespace Topographica's `topographica` script gives a model file
//! (topo/misc/commandline.py: the file is exec'd in a `__main__` that has
//! already imported `topo`): `topo` itself, the standard modules model
//! files import for bookkeeping (`os` and `os.path` for path lookups,
//! `copy`, `sys`, `pdb`, `itertools`, `__main__`, `__future__`),
//! `numpy.random.seed`, `param.resolve_path`, `print`, a few helpers
//! (`topo.misc.util.linearly_interpolate`, `locals()`, `hasattr`) and the
//! GUI-only names (plot-group and plotting helpers), which do nothing in a
//! batch run.
//!
//! The sandbox stays: whatever could run commands, open or write files
//! (`os.system`, `os.remove`, `open`, `sys.exit`, ...) is a located error.

use crate::calls::Kwargs;
use crate::interp::{Interp, R};
use crate::obj::Obj;
use crate::pyfmt;

/// Modules imported only for bookkeeping; importing them is harmless,
/// and their attributes are checked one by one in [`Interp::namespace_attr`].
pub(crate) const HARMLESS_MODULES: &[&str] = &[
    "os",
    "os.path",
    "copy",
    "sys",
    "pdb",
    "itertools",
    "__main__",
    "__future__",
    "numpy.random",
    "topo.misc.util",
    "topo.command.pylabplot",
    "topo.plotting",
    "topo.plotting.plotgroup",
    "topo.plotting.plotgroup_templates",
    // holds classes model files subclass (custom components)
    "topo.coordmapper",
    // pattern functions (topo/misc/patternfn.py) a user PatternGenerator's
    // `function` calls; importing it is harmless, the class using it is
    // what topo-hpc refuses with its reason
    "topo.misc.patternfn",
    // plotting: GUI-only, its names do nothing in a batch run
    "pylab",
    "topo.plotting.bitmap",
];

/// Why a module Topographica's own files import cannot be used here.
pub(crate) fn unavailable_module(path: &str) -> Option<&'static str> {
    let first = |p: &str| path == p || path.starts_with(&format!("{p}."));
    Some(if first("numpy.oldnumeric") || first("fixedpoint") {
        "numpy.oldnumeric and fixedpoint (Numeric-era Python modules, gone from numpy) are not available in topo-hpc (Topographica's C++-LISSOM comparison harnesses in topo/tests/reference and the untested models/goodhill_network90.ty use them)"
    } else if first("topo.sparse") {
        "Topographica's compiled sparse-matrix extension is not available; import the sparse projections from topo.sparse.sparsecf, which run on topo-hpc's dense path (the same computation)"
    } else if first("topo.gpu") {
        "GPU projections (topo.gpu, CUDA) are not available in topo-hpc"
    } else if first("topo.hardware") || path.contains("ptz") || first("opencv") || first("cv") {
        "camera and pan-tilt hardware are not available in a batch run"
    } else if path.contains("pynest") || first("nest") || first("pyNN") {
        "PyNEST/PyNN simulators are not available in topo-hpc"
    } else if first("topo.pattern.audio") {
        "audio input patterns (topo.pattern.audio) are not implemented in topo-hpc"
    } else if first("topo.sheet.saccade") {
        "saccade sheets (topo.sheet.saccade: ShiftingGeneratorSheet, SaccadeController) are not implemented in topo-hpc"
    } else if first("topo.misc.trace") {
        "activity recording and movies (topo.misc.trace: InMemoryRecorder, ActivityMovie) are not implemented in topo-hpc: they record inside a run the model file starts itself and write frame images from the model file"
    } else if first("topo.sheet.slissom") {
        "spiking LISSOM sheets (topo.sheet.slissom) are not implemented in topo-hpc"
    } else {
        return None;
    })
}

/// GUI-only names (plot menus and plotting hooks): model files create
/// them for Topographica's GUI; a batch run has no GUI, so they are
/// accepted and do nothing.
const GUI_NAMES: &[&str] = &[
    "topo.command.pylabplot.overlaid_plots",
    "topo.plotting.plotgroup.create_plotgroup",
    "topo.plotting.plotgroup.plotgroups",
];

/// What a model file said while it was read.
#[derive(Clone, Debug, PartialEq)]
pub enum Message {
    /// Text of a `print` statement, as Python 2 prints it.
    Printed(String),
    /// A warning (counted in the run's `.out`).
    Warning(String),
}

/// `__future__` features Python 2.7 knows; only `division` changes what a
/// model file computes.
const FUTURE_FEATURES: &[&str] = &[
    "division",
    "print_function",
    "absolute_import",
    "with_statement",
    "generators",
    "nested_scopes",
    "unicode_literals",
];

impl Interp {
    /// `from __future__ import name`.
    pub(crate) fn future_import(&mut self, name: &str, off: usize) -> R<()> {
        if !FUTURE_FEATURES.contains(&name) {
            return Err(self.err(off, format!("future feature {name} is not defined")));
        }
        if name == "division" {
            // PEP 238: `/` on integers gives a float for the rest of the file.
            self.true_division = true;
        }
        Ok(())
    }

    /// Attributes of the bookkeeping modules and the GUI-only names;
    /// `Ok(None)` if `module.name` is not one of them.
    pub(crate) fn namespace_attr(&self, module: &str, name: &str, off: usize) -> R<Option<Obj>> {
        let full = format!("{module}.{name}");
        if GUI_NAMES.contains(&full.as_str())
            || module == "pylab"
            || module == "topo.plotting.bitmap"
        {
            return Ok(Some(Obj::NoOp(name.to_string())));
        }
        let builtin = |s: &str| Ok(Some(Obj::Builtin(s.to_string())));
        if HARMLESS_MODULES.contains(&full.as_str()) {
            return Ok(Some(Obj::Module(full)));
        }
        match (module, name) {
            ("os", "path") => Ok(Some(Obj::Module("os.path".into()))),
            ("os", "sep") | ("os.path", "sep") => Ok(Some(Obj::Str("/".into()))),
            ("os", "curdir") | ("os.path", "curdir") => Ok(Some(Obj::Str(".".into()))),
            ("os", "getcwd") => builtin("os.getcwd"),
            (
                "os.path",
                "join" | "dirname" | "basename" | "abspath" | "split" | "splitext" | "exists"
                | "isfile" | "isdir" | "normpath" | "expanduser",
            ) => builtin(&full),
            ("copy", "copy" | "deepcopy") => builtin(&full),
            ("numpy.random", "seed") => builtin(&full),
            ("param", "resolve_path") => builtin(&full),
            ("topo.misc.util", "linearly_interpolate") => builtin(&full),
            ("math", "fmod" | "hypot" | "degrees" | "radians" | "sinh" | "cosh" | "tanh") => {
                builtin(&full)
            }
            // featuremapper's command classes, re-exported unchanged by
            // topo/analysis/command.py: `measure_X.p = v` sets a class
            // default the analysis resolves (src/analysis_fn/class_defaults.rs).
            (
                "topo.command.analysis",
                "measure_sine_pref" | "measure_or_pref" | "measure_hue_pref" | "measure_od_pref"
                | "measure_phasedisparity" | "measure_dr_pref" | "measure_position_pref"
                | "measure_corner_or_pref" | "measure_or_tuning_fullfield" | "measure_or_tuning"
                | "measure_size_response" | "measure_contrast_response",
            ) => {
                Ok(Some(Obj::Analysis(name.to_string())))
            }
            ("topo.sheet.optimized", "SettlingCFSheet_Opt" | "LISSOM_Opt") => {
                builtin("SettlingCFSheet_Opt")
            }
            // ConnectionField.controlled_weight_generation is read nowhere
            // in Topographica at 1e097e2 (topo/base/cf.py has no such
            // attribute; som_retinotopy.ty sets it): a plain class
            // attribute without effect.
            ("itertools", _) => builtin(&full),
            ("topo.base.simulation", "EventProcessor" | "RealTimeSimulation") => Err(self.err(
                off,
                format!("{full}: custom event processors and real-time simulation (hardware or external simulators) are not available in a batch run"),
            )),
            ("topo.base.cf", "ConnectionField") => Ok(Some(Obj::NoOp("ConnectionField".into()))),
            ("sys", "maxint") => Ok(Some(Obj::Int(i64::MAX))),
            ("sys", "platform") => Ok(Some(Obj::Str("linux2".into()))),
            ("__future__", _) => Ok(Some(Obj::None)),
            ("numpy.random", _) => Err(self.err(
                off,
                format!("numpy.random.{name} draws from numpy's global generator, which a model file's random streams do not use here; use numbergen (e.g. numbergen.UniformRandom(seed=...))"),
            )),
            ("__main__", "__dict__") => Err(self.err(
                off,
                "__main__.__dict__ is not supported: model files cannot change the namespace of other files",
            )),
            (m, _) if HARMLESS_MODULES.contains(&m) && !m.starts_with("topo.") => Err(self.err(
                off,
                format!("{full} is not available in model files (sandbox: model files cannot run commands, open or write files; only read-only path helpers such as os.path.join are)"),
            )),
            _ => Ok(None),
        }
    }

    /// Calls of the names above; `Ok(None)` if `name` is not one of them.
    pub(crate) fn namespace_call(
        &mut self,
        name: &str,
        args: &[Obj],
        kwargs: &Kwargs,
        off: usize,
    ) -> R<Option<Obj>> {
        let strs = |s: &Self| -> R<Vec<String>> {
            args.iter()
                .map(|a| match a {
                    Obj::Str(x) => Ok(x.clone()),
                    other => Err(s.err(
                        off,
                        format!("{name}() needs strings, not {}", other.type_name()),
                    )),
                })
                .collect()
        };
        let one_str = |s: &Self| -> R<String> {
            let v = strs(s)?;
            match v.as_slice() {
                [x] => Ok(x.clone()),
                _ => Err(s.err(off, format!("{name}() takes one string"))),
            }
        };
        let v = match name {
            "print" => {
                let text = args.iter().map(pyfmt::py_str).collect::<Vec<_>>().join(" ");
                self.messages.push(Message::Printed(text));
                Obj::None
            }
            "os.getcwd" => Obj::Str(
                std::env::current_dir()
                    .map(|p| p.display().to_string())
                    .unwrap_or_else(|_| ".".into()),
            ),
            "os.path.join" => {
                let mut out = String::new();
                for part in strs(self)? {
                    if part.starts_with('/') || out.is_empty() {
                        out = part;
                    } else if out.ends_with('/') {
                        out.push_str(&part);
                    } else {
                        out = format!("{out}/{part}");
                    }
                }
                Obj::Str(out)
            }
            "os.path.dirname" => {
                let p = one_str(self)?;
                Obj::Str(match p.rfind('/') {
                    Some(0) => "/".into(),
                    Some(i) => p[..i].trim_end_matches('/').to_string(),
                    None => String::new(),
                })
            }
            "os.path.basename" => {
                let p = one_str(self)?;
                Obj::Str(p.rsplit('/').next().unwrap_or("").to_string())
            }
            "os.path.split" => {
                let p = one_str(self)?;
                let (d, b) = match p.rfind('/') {
                    Some(i) => (p[..i].to_string(), p[i + 1..].to_string()),
                    None => (String::new(), p.clone()),
                };
                Obj::Tuple(vec![Obj::Str(d), Obj::Str(b)])
            }
            "os.path.splitext" => {
                let p = one_str(self)?;
                let base_start = p.rfind('/').map(|i| i + 1).unwrap_or(0);
                match p[base_start..].rfind('.') {
                    Some(i) if i > 0 => {
                        let i = base_start + i;
                        Obj::Tuple(vec![Obj::Str(p[..i].into()), Obj::Str(p[i..].into())])
                    }
                    _ => Obj::Tuple(vec![Obj::Str(p), Obj::Str(String::new())]),
                }
            }
            "os.path.abspath" | "os.path.normpath" | "os.path.expanduser" => {
                let p = one_str(self)?;
                let p = match (name, p.strip_prefix("~/"), std::env::var("HOME")) {
                    ("os.path.expanduser", Some(rest), Ok(home)) => format!("{home}/{rest}"),
                    _ => p,
                };
                if name == "os.path.abspath" && !p.starts_with('/') {
                    let cwd = std::env::current_dir().unwrap_or_default();
                    Obj::Str(cwd.join(&p).display().to_string())
                } else {
                    Obj::Str(p)
                }
            }
            "os.path.exists" | "os.path.isfile" | "os.path.isdir" => {
                let p = one_str(self)?;
                let model = std::path::PathBuf::from(&self.model_path);
                let base = model.parent().map(|d| d.to_path_buf()).unwrap_or_default();
                let path = std::path::Path::new(&p);
                let full = if path.is_absolute() {
                    path.to_path_buf()
                } else {
                    base.join(path)
                };
                Obj::Bool(match name {
                    "os.path.isfile" => full.is_file(),
                    "os.path.isdir" => full.is_dir(),
                    _ => full.exists(),
                })
            }
            "param.resolve_path" => {
                let p = match args.first() {
                    Some(Obj::Str(s)) => s.clone(),
                    _ => return Err(self.err(off, "param.resolve_path needs a path string")),
                };
                let mut want_file = true;
                for (k, v) in kwargs {
                    match k.as_str() {
                        "path_to_file" => want_file = v.truthy(),
                        "search_paths" => {}
                        other => {
                            return Err(self.err(
                                off,
                                format!("unknown keyword '{other}' for param.resolve_path"),
                            ))
                        }
                    }
                }
                let model = std::path::PathBuf::from(&self.model_path);
                match crate::paths::resolve_path(&p, &model, want_file) {
                    Some(found) => Obj::Str(found.display().to_string()),
                    None => {
                        return Err(self.err(
                            off,
                            format!("{} '{p}' was not found in the model's folder, the working directory or $TOPO_HPC_PATH", if want_file { "file" } else { "folder" }),
                        ))
                    }
                }
            }
            "copy.deepcopy" => match args {
                [v] => self.deepcopy(v),
                _ => return Err(self.err(off, format!("{name}() takes one argument"))),
            },
            "copy.copy" => match args {
                [v] => self.shallow_copy(v),
                _ => return Err(self.err(off, format!("{name}() takes one argument"))),
            },
            "numpy.random.seed" => {
                // topo-hpc's streams (numbergen, imagen.random, CF weights)
                // are seeded from param.random_seed and their own seeds;
                // nothing draws from numpy's global generator, so its seed
                // changes no result.
                Obj::None
            }
            "set" => {
                let items = match args {
                    [] => Vec::new(),
                    [x] => self.iter_obj(x.clone(), off)?,
                    _ => return Err(self.err(off, "set() takes at most one argument")),
                };
                let mut out: Vec<Obj> = Vec::new();
                for i in items {
                    if !out.iter().any(|o| crate::expr::py_eq(o, &i)) {
                        out.push(i);
                    }
                }
                Obj::List(out)
            }
            "SettlingCFSheet_Opt" => {
                if !args.is_empty() {
                    return Err(self.err(off, "SettlingCFSheet_Opt takes keyword arguments only"));
                }
                let sheet = self.construct("topo.sheet.SettlingCFSheet", kwargs.clone(), off)?;
                self.check_neighborhood_mask_unused(&sheet, off)?;
                sheet
            }
            "topo.misc.util.linearly_interpolate" => self.linearly_interpolate(args, off)?,
            "hasattr" => match args {
                [obj, Obj::Str(attr)] => {
                    let obj = obj.clone();
                    let attr = attr.clone();
                    // topo.guimain exists only when the GUI runs
                    let has = !matches!(&obj, Obj::Module(m) if m == "topo" && attr == "guimain")
                        && self.get_attr(obj, &attr, off).is_ok();
                    Obj::Bool(has)
                }
                _ => return Err(self.err(off, "hasattr() takes an object and a string")),
            },
            "locals" | "globals" | "vars" if args.is_empty() => {
                let mut items: Vec<(String, Obj)> = self
                    .scopes
                    .last()
                    .map(|s| s.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                    .unwrap_or_default();
                items.sort_by(|a, b| a.0.cmp(&b.0));
                Obj::Dict(items)
            }
            _ => return Ok(None),
        };
        Ok(Some(v))
    }

    /// topo/sheet/optimized.py's SettlingCFSheet_Opt (alias LISSOM_Opt)
    /// is a SettlingCFSheet whose `mask` is a NeighborhoodMask_Opt, which
    /// skips units far from active ones. SettlingCFSheet.process_current_time
    /// (topo/sheet/__init__.py) calls `mask.calculate()` only when
    /// `activation_count == mask_init_time`; input_event resets the mask to
    /// all ones at each new iteration. `activation_count` runs 0..tsettle
    /// (it stays 0 when tsettle is 0), so with `mask_init_time` (default 5)
    /// beyond that range the mask is never calculated and masks nothing:
    /// the sheet computes exactly what a SettlingCFSheet computes. The
    /// model files use tsettle 0 or 2 with the default mask_init_time; any
    /// setting that would reach the mask is refused here.
    fn check_neighborhood_mask_unused(&self, sheet: &Obj, off: usize) -> R<()> {
        let Obj::Comp(c) = sheet else { return Ok(()) };
        let b = c.borrow();
        let get = |n: &str| b.params.get(n).and_then(|v| v.num()).unwrap_or(0.0);
        let (tsettle, mit) = (get("tsettle"), get("mask_init_time"));
        let reached = if tsettle == 0.0 {
            mit == 0.0
        } else {
            mit <= tsettle
        };
        if reached {
            return Err(self.err(
                off,
                format!("SettlingCFSheet_Opt with mask_init_time={mit} and tsettle={tsettle}: its NeighborhoodMask would skip units during settling, which topo-hpc does not implement (use mask_init_time > tsettle, or SettlingCFSheet)"),
            ));
        }
        Ok(())
    }

    /// Topographica's topo/misc/util.py `linearly_interpolate(table,
    /// value)`: the table entry at `value`, interpolating between the two
    /// neighbouring integer indices.
    fn linearly_interpolate(&mut self, args: &[Obj], off: usize) -> R<Obj> {
        let (table, value) = match args {
            [t, v] => (self.iter_obj(t.clone(), off)?, v),
            _ => {
                return Err(self.err(
                    off,
                    "linearly_interpolate(table, value) takes two arguments",
                ))
            }
        };
        let x = value
            .num()
            .ok_or_else(|| self.err(off, "linearly_interpolate: value must be a number"))?;
        let nums = table
            .iter()
            .map(|t| {
                t.num().ok_or_else(|| {
                    self.err(off, "linearly_interpolate: the table must hold numbers")
                })
            })
            .collect::<R<Vec<f64>>>()?;
        let lo = x.floor();
        let i = lo as i64;
        if x < 0.0 || nums.is_empty() {
            return Err(self.err(off, "linearly_interpolate: value outside the table"));
        }
        let i = i as usize;
        if i + 1 < nums.len() {
            return Ok(Obj::Float(nums[i] + (x % 1.0) * (nums[i + 1] - nums[i])));
        }
        if i + 1 > nums.len() {
            self.messages.push(Message::Warning(format!(
                "linearly_interpolate: value {x} is past the end of the table; using its last entry"
            )));
        }
        Ok(table[nums.len() - 1].clone())
    }
}
