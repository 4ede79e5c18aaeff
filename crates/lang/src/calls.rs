//! Attribute access and calls: modules, classes, built-ins, methods.

use crate::interp::{Interp, R};
use crate::obj::Obj;
use crate::pyfmt;
use crate::registry::{self, registry};
use rustpython_parser::ast::{self, Ranged};

/// Keyword arguments in call order.
pub(crate) type Kwargs = Vec<(String, Obj)>;

impl Interp {
    pub(crate) fn eval_call(&mut self, c: &ast::ExprCall, off: usize) -> R<Obj> {
        let f = self.eval(&c.func)?;
        let mut args = Vec::new();
        for a in &c.args {
            if let ast::Expr::Starred(s) = a {
                let v = self.eval(&s.value)?;
                args.extend(self.iter_obj(v, a.range().start().to_usize())?);
            } else {
                args.push(self.eval(a)?);
            }
        }
        let mut kwargs: Kwargs = Vec::new();
        for k in &c.keywords {
            let v = self.eval(&k.value)?;
            match &k.arg {
                Some(name) => {
                    if kwargs.iter().any(|(n, _)| n == name.as_str()) {
                        return Err(self.err(
                            k.range().start().to_usize(),
                            format!("keyword argument '{}' repeated", name.as_str()),
                        ));
                    }
                    kwargs.push((name.to_string(), v));
                }
                None => match v {
                    Obj::Dict(items) => kwargs.extend(items),
                    other => {
                        return Err(self.err(
                            k.range().start().to_usize(),
                            format!("** needs a dict, not {}", other.type_name()),
                        ))
                    }
                },
            }
        }
        let r = self.call(f, args, kwargs, off);
        r.map_err(|e| self.at_keyword(e, c, off))
    }

    /// Moves an error about one keyword argument from the call to that
    /// keyword, so the message points at the offending text.
    fn at_keyword(
        &self,
        e: crate::error::LangError,
        c: &ast::ExprCall,
        off: usize,
    ) -> crate::error::LangError {
        let (line, col) = self.src.lines.locate(off);
        if e.file != self.src.name || (e.line, e.col) != (line, col) {
            return e;
        }
        for k in &c.keywords {
            let Some(name) = &k.arg else { continue };
            let keyed = [
                format!("keyword '{}'", name.as_str()),
                format!("parameter '{}'", name.as_str()),
            ];
            if keyed.iter().any(|pat| e.message.contains(pat.as_str())) {
                return self.err(k.range().start().to_usize(), e.message);
            }
        }
        e
    }

    /// Calls a value.
    pub(crate) fn call(&mut self, f: Obj, args: Vec<Obj>, kwargs: Kwargs, off: usize) -> R<Obj> {
        match f {
            Obj::Class(c) if !args.is_empty() && (c == "numbergen.UnaryOperator" || c == "numbergen.BinaryOperator") => {
                // numbergen's operators take their operands positionally
                // (numbergen/__init__.py: UnaryOperator(operand, operator),
                // BinaryOperator(lhs, rhs, operator))
                let names: &[&str] = if c == "numbergen.UnaryOperator" {
                    &["operand", "operator"]
                } else {
                    &["lhs", "rhs", "operator"]
                };
                if args.len() > names.len() {
                    return Err(self.err(off, format!("{c} takes at most {} positional arguments", names.len())));
                }
                let mut kw: Kwargs = names.iter().zip(args).map(|(n, a)| (n.to_string(), a)).collect();
                kw.extend(kwargs);
                self.construct(&c, kw, off)
            }
            Obj::Class(c) => {
                if !args.is_empty() {
                    let valid = self.valid_keywords(&c);
                    return Err(self.err(off, format!("{c} takes keyword arguments only; valid keywords: {valid}")));
                }
                self.construct(&c, kwargs, off)
            }
            Obj::Builtin(name) if name.starts_with("def:") => Err(self.err(off, format!(
                "calling '{}' is not supported: only functions without parameters whose body calls built-in commands can be used (as run_batch's analysis_fn)",
                &name[4..]
            ))),
            Obj::Builtin(name) => {
                let v = self.call_builtin(&name, args, kwargs, off)?;
                crate::limits::check_value(&v).map_err(|m| self.err(off, m))?;
                Ok(v)
            }
            Obj::Method(recv, m) => {
                let v = self.call_method(*recv, &m, args, kwargs, off)?;
                crate::limits::check_value(&v).map_err(|m| self.err(off, m))?;
                Ok(v)
            }
            Obj::NoOp(name) => Ok(Obj::NoOp(format!("{name}()"))),
            Obj::UserFn(name) => Err(self.err(off, format!("calling '{name}' inside a model file is not supported; pass it as analysis_fn to run_batch"))),
            other => Err(self.err(off, format!("'{}' is not callable", other.type_name()))),
        }
    }

    /// Resolves `module.name`.
    pub(crate) fn module_attr(&self, module: &str, name: &str, off: usize) -> R<Obj> {
        let full = format!("{module}.{name}");
        if module == "topo" && name == "sim" {
            return Ok(Obj::Sim);
        }
        if module == "param" && name == "random_seed" {
            return Ok(Obj::Int(self.param_random_seed));
        }
        if module == "param" && name == "Dynamic" {
            // Only `param.Dynamic.time_fn = None` (dynamic_time.rs).
            return Ok(Obj::Module(full));
        }
        if let Some(v) = self.namespace_attr(module, name, off)? {
            return Ok(v);
        }
        if let Some(v) = self.submodel_attr(module, name, off)? {
            return Ok(v);
        }
        if let Some(v) = crate::sparse::attr(module, name).map_err(|m| self.err(off, m))? {
            return Ok(v);
        }
        if let Some(a) = registry::alias(&full) {
            return resolve_alias(a, &full).map_err(|m| self.err(off, m));
        }
        if registry().class(&full).is_some() {
            return Ok(Obj::Class(full));
        }
        let cm = registry::module_for_classes(module);
        let full2 = format!("{cm}.{name}");
        if registry().class(&full2).is_some() {
            return Ok(Obj::Class(full2));
        }
        if registry::is_module(&full) {
            return Ok(Obj::Module(full));
        }
        Err(self.err(
            off,
            format!("module '{module}' has no class or attribute '{name}' supported by topo-hpc"),
        ))
    }

    /// `obj.name`.
    pub(crate) fn get_attr(&mut self, base: Obj, name: &str, off: usize) -> R<Obj> {
        match base {
            Obj::Module(m) => self.module_attr(&m, name, off),
            Obj::Class(c) if name == "params" => Ok(Obj::Method(Box::new(Obj::Class(c)), name.into())),
            Obj::Class(c) => match self.class_default(&c, name, off)? {
                Some(v) => Ok(v),
                None => Err(self.err(off, format!("class {c} has no parameter '{name}'; valid: {}", self.valid_keywords(&c)))),
            },
            Obj::Comp(c) => {
                let v = c.borrow().params.get(name).cloned();
                match v {
                    Some(v) => Ok(v),
                    None => {
                        let class = c.borrow().class.clone();
                        if name == "projections" && registry().is_subclass(&class, "topo.base.sheet.Sheet") {
                            return Err(self.err(off, "projections() is only supported inside schedule_command text"));
                        }
                        Err(self.err(off, format!("{class} has no parameter '{name}'; valid: {}", self.valid_keywords(&class))))
                    }
                }
            }
            Obj::GlobalParams => {
                if name == "add" || name == "set_default" {
                    return Ok(Obj::Method(Box::new(Obj::GlobalParams), name.into()));
                }
                match self.gparams.iter().find(|g| g.name == name) {
                    Some(g) => Ok(g.value.clone()),
                    None => Err(self.err(off, format!("global parameter '{name}' is not declared (declared: {})", self.gparam_names()))),
                }
            }
            Obj::Sim => match name {
                "connect" | "schedule_command" | "grid_layout" => Ok(Obj::Method(Box::new(Obj::Sim), name.into())),
                // Python statements Topographica runs before unpickling a
                // saved simulation (topo/base/simulation.py,
                // Simulation.startup_commands); topo-hpc's snapshots hold no
                // Python objects, so the list is kept for nothing.
                "startup_commands" => Ok(Obj::List(Vec::new())),
                "run" => Err(self.err(off, "topo.sim.run is not allowed in a model file; use -c 'topo.sim.run(n)' or run_batch(times=...)")),
                _ => Err(self.err(off, format!("topo.sim has no attribute '{name}' usable in a model file (connect, schedule_command, grid_layout, model, ['Sheet'])"))),
            },
            Obj::Analysis(path) => {
                if name == "set_cmd_overrides" {
                    return Ok(Obj::Method(Box::new(Obj::Analysis(path)), name.into()));
                }
                let key = format!("{path}.{name}");
                Ok(self.analysis.get(&key).cloned().unwrap_or(Obj::Analysis(key)))
            }
            Obj::Model(class, params) => match params.iter().find(|(k, _)| k == name) {
                Some((_, v)) => Ok(v.clone()),
                None => Err(self.err(off, format!("{class} has no parameter '{name}'"))),
            },
            Obj::Str(s) => match name {
                "join" | "upper" | "lower" | "strip" | "replace" | "startswith" | "endswith" | "split" => Ok(Obj::Method(Box::new(Obj::Str(s)), name.into())),
                _ => Err(self.err(off, format!("str has no supported method '{name}'"))),
            },
            Obj::NoOp(n) => Ok(Obj::NoOp(format!("{n}.{name}"))),
            Obj::List(l) => match name {
                "index" | "count" | "issuperset" | "issubset" => Ok(Obj::Method(Box::new(Obj::List(l)), name.into())),
                "append" | "extend" | "reverse" | "insert" | "remove" | "sort" => Err(self.err(off, format!("list.{name} changes the list in place; use it as a statement on a name (e.g. 'x.{name}(...)')"))),
                _ => Err(self.err(off, format!("list has no supported method '{name}'"))),
            },
            Obj::Dict(d) => match name {
                "get" | "keys" | "values" | "items" => Ok(Obj::Method(Box::new(Obj::Dict(d)), name.into())),
                _ => Err(self.err(off, format!("dict has no supported method '{name}'"))),
            },
            other => Err(self.err(off, format!("'{}' has no attribute '{name}'", other.type_name()))),
        }
    }

    /// `obj.name = v`.
    pub(crate) fn set_attr(&mut self, base: Obj, name: &str, v: Obj, off: usize) -> R<()> {
        match base {
            Obj::Class(c) => {
                let p = registry().param(&c, name).cloned().ok_or_else(|| {
                    self.err(
                        off,
                        format!(
                            "class {c} has no parameter '{name}'; valid: {}",
                            self.valid_keywords(&c)
                        ),
                    )
                })?;
                let v = self.check_value(&c, &p, v, off)?;
                self.class_defaults.insert((c, name.to_string()), v);
                Ok(())
            }
            Obj::Comp(c) => {
                let class = c.borrow().class.clone();
                if name == "name" {
                    return match v {
                        Obj::Str(_) => {
                            c.borrow_mut().params.insert("name".into(), v);
                            Ok(())
                        }
                        other => Err(self.err(
                            off,
                            format!("name must be a string, not {}", other.type_name()),
                        )),
                    };
                }
                let p = registry().param(&class, name).cloned().ok_or_else(|| {
                    self.err(
                        off,
                        format!(
                            "{class} has no parameter '{name}'; valid: {}",
                            self.valid_keywords(&class)
                        ),
                    )
                })?;
                let v = self.check_value(&class, &p, v, off)?;
                c.borrow_mut().params.insert(name.to_string(), v);
                Ok(())
            }
            Obj::GlobalParams => {
                let Some(i) = self.gparams.iter().position(|g| g.name == name) else {
                    return Err(self.err(
                        off,
                        format!(
                            "global parameter '{name}' is not declared (declared: {})",
                            self.gparam_names()
                        ),
                    ));
                };
                let decl = self.gparams[i].decl.clone();
                let v = self
                    .check_global(name, &decl, v)
                    .map_err(|m| self.err(off, m))?;
                self.gparams[i].value = v;
                self.gparams[i].specified = true;
                Ok(())
            }
            Obj::Sim => match name {
                "model" => self.install_model(v, off),
                "name" | "startup_commands" => Ok(()),
                _ => Err(self.err(off, format!("cannot set topo.sim.{name} in a model file"))),
            },
            Obj::Analysis(path) => {
                let key = format!("{path}.{name}");
                // featuremapper's MeasureResponseCommand.pattern_response_fn
                // is the one pattern_response instance every measurement
                // uses; FeatureMaps.set_cmd_overrides(apply_output_fns=...)
                // sets the same attribute on it (topo/analysis/
                // featureresponses.py, pattern_response.apply_output_fns).
                let key = match key.as_str() {
                    "MeasureResponseCommand.pattern_response_fn.apply_output_fns" => {
                        "FeatureMaps.cmd_overrides.apply_output_fns".to_string()
                    }
                    _ => key,
                };
                self.analysis.insert(key, v);
                Ok(())
            }
            Obj::NoOp(n) if n == "ConnectionField" && name == "controlled_weight_generation" => Ok(()),
            // how the GUI's movie maker lays out frames (topo/plotting/bitmap.py)
            Obj::NoOp(n) if n == "MontageBitmap" => Ok(()),
            Obj::Method(recv, pname) if pname.starts_with("param:") && name == "default" => {
                self.set_attr(*recv, &pname["param:".len()..], v, off)
            }
            Obj::Module(m) if m == "topo.command" && name == "default_analysis_plotgroups" => {
                let items = self.iter_obj(v, off)?;
                if let Some(bad) = items.iter().find(|i| !matches!(i, Obj::Str(_))) {
                    return Err(self.err(off, format!("default_analysis_plotgroups must be a list of plot-group names, not a list holding {}", bad.type_name())));
                }
                self.analysis.insert("topo.command.default_analysis_plotgroups".into(), Obj::List(items));
                Ok(())
            }
            // The plotgroups run_batch's default analysis measures
            // (topo/command/__init__.py); kept for the analysis.
            Obj::Module(m) if m == "topo.command" && name == "default_analysis_plotgroups" => {
                self.analysis
                    .insert("topo.command.default_analysis_plotgroups".into(), v);
                Ok(())
            }
            Obj::Module(m) if m == "param.Dynamic" => self.set_dynamic_attr(name, v, off),
            Obj::Module(m) if m == "param" && name == "random_seed" => match v {
                // Topographica draws initial weights when connecting, with
                // the seed in force then; the spec has one seed for all.
                Obj::Int(_) if !self.conns.is_empty() => Err(self.err(
                    off,
                    "param.random_seed must be set before the first topo.sim.connect (initial weights are drawn when connecting)",
                )),
                Obj::Int(seed) => {
                    self.param_random_seed = seed;
                    Ok(())
                }
                other => Err(self.err(
                    off,
                    format!(
                        "param.random_seed must be an integer, not {}",
                        other.type_name()
                    ),
                )),
            },
            other => Err(self.err(
                off,
                format!("cannot set attribute '{name}' on a {}", other.type_name()),
            )),
        }
    }

    /// Sorted valid keyword names of a class (including `name`).
    pub(crate) fn valid_keywords(&self, class: &str) -> String {
        let mut v: Vec<String> = registry()
            .params(class)
            .iter()
            .map(|p| p.name.clone())
            .collect();
        v.push("name".into());
        v.sort();
        v.join(", ")
    }

    pub(crate) fn gparam_names(&self) -> String {
        let v: Vec<&str> = self.gparams.iter().map(|g| g.name.as_str()).collect();
        if v.is_empty() {
            "none".into()
        } else {
            v.join(", ")
        }
    }

    pub(crate) fn sheet_names(&self) -> String {
        let v: Vec<&str> = self.sheets.iter().map(|(n, _)| n.as_str()).collect();
        if v.is_empty() {
            "none".into()
        } else {
            v.join(", ")
        }
    }

    fn call_method(
        &mut self,
        recv: Obj,
        m: &str,
        args: Vec<Obj>,
        kwargs: Kwargs,
        off: usize,
    ) -> R<Obj> {
        match (recv, m) {
            (Obj::Class(c), "params") => {
                // param's Parameterized.params(): the Parameter objects;
                // only `.default = v` on them is supported (it sets the
                // class-level default, as `Class.name = v` does).
                let items: Vec<(String, Obj)> = registry()
                    .params(&c)
                    .iter()
                    .map(|p| {
                        (
                            p.name.clone(),
                            Obj::Method(
                                Box::new(Obj::Class(c.clone())),
                                format!("param:{}", p.name),
                            ),
                        )
                    })
                    .collect();
                match args.first() {
                    None => Ok(Obj::Dict(items)),
                    Some(Obj::Str(n)) => items
                        .into_iter()
                        .find(|(k, _)| k == n)
                        .map(|(_, v)| v)
                        .ok_or_else(|| self.err(off, format!("class {c} has no parameter '{n}'"))),
                    Some(other) => Err(self.err(
                        off,
                        format!("params() takes a parameter name, not {}", other.type_name()),
                    )),
                }
            }
            (Obj::GlobalParams, "set_default") => {
                // param's Parameterized.set_default sets the class-level
                // default: a value given with -p (an instance value) wins
                let (name, v) = match args.as_slice() {
                    [Obj::Str(n), v] => (n.clone(), v.clone()),
                    _ => {
                        return Err(self.err(
                            off,
                            "set_default(name, value) takes a parameter name and a value",
                        ))
                    }
                };
                let Some(i) = self.gparams.iter().position(|g| g.name == name) else {
                    return Err(self.err(
                        off,
                        format!(
                            "global parameter '{name}' is not declared (declared: {})",
                            self.gparam_names()
                        ),
                    ));
                };
                let decl = self.gparams[i].decl.clone();
                let v = self
                    .check_global(&name, &decl, v)
                    .map_err(|m| self.err(off, m))?;
                self.gparams[i].decl.default = v.clone();
                if !self.gparams[i].specified {
                    self.gparams[i].value = v;
                }
                Ok(Obj::None)
            }
            (Obj::GlobalParams, "add") => {
                if !args.is_empty() {
                    return Err(self.err(
                        off,
                        "global_params.add takes keyword arguments: name=param.Number(...)",
                    ));
                }
                for (name, decl) in kwargs {
                    match decl {
                        Obj::ParamDecl(d) => self.declare_global(&name, *d, off)?,
                        other => return Err(self.err(off, format!("global_params.add({name}=...) needs a param.Number/Integer/Boolean/String/ObjectSelector/List, not {}", other.type_name()))),
                    }
                }
                Ok(Obj::None)
            }
            (Obj::Sim, "connect") => self.connect(args, kwargs, off),
            (Obj::Sim, "schedule_command") => self.schedule_command(args, kwargs, off),
            (Obj::Sim, "grid_layout") => Ok(Obj::None),
            (Obj::Analysis(path), "set_cmd_overrides") => {
                if !args.is_empty() {
                    return Err(self.err(off, "set_cmd_overrides takes keyword arguments"));
                }
                for (k, v) in kwargs {
                    self.analysis.insert(format!("{path}.cmd_overrides.{k}"), v);
                }
                Ok(Obj::None)
            }
            (Obj::Str(s), "join") => {
                let items = args
                    .into_iter()
                    .next()
                    .ok_or_else(|| self.err(off, "join needs a list"))?;
                let parts = self
                    .iter_obj(items, off)?
                    .iter()
                    .map(pyfmt::py_str)
                    .collect::<Vec<_>>();
                Ok(Obj::Str(parts.join(&s)))
            }
            (Obj::Str(s), "upper") => Ok(Obj::Str(s.to_uppercase())),
            (Obj::Str(s), "lower") => Ok(Obj::Str(s.to_lowercase())),
            (Obj::Str(s), "strip") => Ok(Obj::Str(s.trim().to_string())),
            (Obj::Str(s), "split") => Ok(Obj::List(
                s.split_whitespace().map(|p| Obj::Str(p.into())).collect(),
            )),
            (Obj::Str(s), "replace") => match (args.first(), args.get(1)) {
                (Some(Obj::Str(a)), Some(Obj::Str(b))) if !a.is_empty() => {
                    if crate::limits::replaced_len(&s, a, b) > crate::limits::MAX_VALUE {
                        return Err(self.err(off, "string too long: the replace would pass the model-file sandbox's limit"));
                    }
                    Ok(Obj::Str(s.replace(a.as_str(), b)))
                }
                _ => Err(self.err(off, "replace needs two strings")),
            },
            (Obj::Str(s), "startswith" | "endswith") => match args.first() {
                Some(Obj::Str(a)) => Ok(Obj::Bool(if m == "startswith" {
                    s.starts_with(a.as_str())
                } else {
                    s.ends_with(a.as_str())
                })),
                _ => Err(self.err(off, format!("{m} needs a string"))),
            },
            (Obj::List(l), "index" | "count") => {
                let [x] = args.as_slice() else {
                    return Err(self.err(off, format!("list.{m}() takes one argument")));
                };
                let pos = l.iter().position(|y| crate::expr::py_eq(x, y));
                if m == "count" {
                    return Ok(Obj::Int(
                        l.iter().filter(|y| crate::expr::py_eq(x, y)).count() as i64,
                    ));
                }
                pos.map(|i| Obj::Int(i as i64))
                    .ok_or_else(|| self.err(off, format!("{} is not in list", pyfmt::py_repr(x))))
            }
            (Obj::List(l), "issuperset" | "issubset") => {
                let [x] = args.as_slice() else {
                    return Err(self.err(off, format!("set.{m}() takes one argument")));
                };
                let other = self.iter_obj(x.clone(), off)?;
                let (big, small) = if m == "issuperset" {
                    (&l, &other)
                } else {
                    (&other, &l)
                };
                Ok(Obj::Bool(
                    small
                        .iter()
                        .all(|s| big.iter().any(|b| crate::expr::py_eq(s, b))),
                ))
            }
            (Obj::Dict(d), "keys") => Ok(Obj::List(
                d.into_iter()
                    .map(|(k, _)| crate::expr::key_obj(&k))
                    .collect(),
            )),
            (Obj::Dict(d), "values") => Ok(Obj::List(d.into_iter().map(|(_, v)| v).collect())),
            (Obj::Dict(d), "items") => Ok(Obj::List(
                d.into_iter()
                    .map(|(k, v)| Obj::Tuple(vec![crate::expr::key_obj(&k), v]))
                    .collect(),
            )),
            (Obj::Dict(d), "get") => {
                let key = match args.first() {
                    Some(Obj::Str(k)) => k.clone(),
                    _ => return Err(self.err(off, "dict.get needs a string key")),
                };
                Ok(d.into_iter()
                    .find(|(k, _)| *k == key)
                    .map(|(_, v)| v)
                    .unwrap_or_else(|| args.get(1).cloned().unwrap_or(Obj::None)))
            }
            (r, m) => Err(self.err(off, format!("'{}' has no method '{m}'", r.type_name()))),
        }
    }

    fn call_builtin(&mut self, name: &str, args: Vec<Obj>, kwargs: Kwargs, off: usize) -> R<Obj> {
        if let Some(v) = self.namespace_call(name, &args, &kwargs, off)? {
            return Ok(v);
        }
        let one = |s: &Self| -> R<Obj> {
            if args.len() != 1 || !kwargs.is_empty() {
                return Err(s.err(off, format!("{name}() takes exactly one argument")));
            }
            Ok(args[0].clone())
        };
        match name {
            "int" => match one(self)? {
                Obj::Int(i) => Ok(Obj::Int(i)),
                Obj::Bool(b) => Ok(Obj::Int(b as i64)),
                Obj::Float(f) if f.is_finite() && f.abs() < 9.2e18 => {
                    Ok(Obj::Int(f.trunc() as i64))
                }
                Obj::Str(s) => s
                    .trim()
                    .parse()
                    .map(Obj::Int)
                    .map_err(|_| self.err(off, format!("invalid literal for int(): '{s}'"))),
                other => Err(self.err(off, format!("int() cannot convert {}", other.type_name()))),
            },
            "float" => match one(self)? {
                Obj::Str(s) => match s.trim() {
                    "inf" | "+inf" => Ok(Obj::Float(f64::INFINITY)),
                    "-inf" => Ok(Obj::Float(f64::NEG_INFINITY)),
                    "nan" => Ok(Obj::Float(f64::NAN)),
                    t => t.parse().map(Obj::Float).map_err(|_| {
                        self.err(off, format!("could not convert string to float: '{s}'"))
                    }),
                },
                v => v.num().map(Obj::Float).ok_or_else(|| {
                    self.err(off, format!("float() cannot convert {}", v.type_name()))
                }),
            },
            "bool" => Ok(Obj::Bool(one(self)?.truthy())),
            "str" => Ok(Obj::Str(pyfmt::py_str(&one(self)?))),
            "repr" => Ok(Obj::Str(pyfmt::py_repr(&one(self)?))),
            "len" => match one(self)? {
                Obj::List(v) | Obj::Tuple(v) => Ok(Obj::Int(v.len() as i64)),
                Obj::Str(s) => Ok(Obj::Int(s.chars().count() as i64)),
                Obj::Dict(d) => Ok(Obj::Int(d.len() as i64)),
                other => Err(self.err(off, format!("len() of a {}", other.type_name()))),
            },
            "abs" => match one(self)? {
                Obj::Int(i) => i
                    .checked_abs()
                    .map(Obj::Int)
                    .ok_or_else(|| self.err(off, "integer overflow")),
                Obj::Float(f) => Ok(Obj::Float(f.abs())),
                other => Err(self.err(off, format!("abs() of a {}", other.type_name()))),
            },
            "round" => {
                let x = args
                    .first()
                    .and_then(|a| a.num())
                    .ok_or_else(|| self.err(off, "round() needs a number"))?;
                let nd = match args.get(1) {
                    Some(Obj::Int(n)) => (*n).clamp(-300, 300) as i32,
                    None => 0,
                    _ => return Err(self.err(off, "round() digits must be an int")),
                };
                // Python 2: half away from zero, result is a float
                let m = 10f64.powi(nd);
                Ok(Obj::Float((x * m).round() / m))
            }
            "range" | "xrange" => {
                let ints: Vec<i64> = args
                    .iter()
                    .map(|a| match a {
                        Obj::Int(i) => Ok(*i),
                        other => Err(self.err(
                            off,
                            format!("{name}() needs integers, not {}", other.type_name()),
                        )),
                    })
                    .collect::<R<_>>()?;
                let (start, stop, step) = match ints.as_slice() {
                    [n] => (0, *n, 1),
                    [a, b] => (*a, *b, 1),
                    [a, b, c] => (*a, *b, *c),
                    _ => return Err(self.err(off, format!("{name}() takes 1 to 3 arguments"))),
                };
                if step == 0 {
                    return Err(self.err(off, format!("{name}() step must not be zero")));
                }
                let n = if step > 0 {
                    (stop.saturating_sub(start)).max(0) as i128 / step as i128
                } else {
                    (start.saturating_sub(stop)).max(0) as i128 / (-(step as i128))
                };
                if n > 100_000 {
                    return Err(self.err(off, format!("{name}() too long for a model file")));
                }
                let mut v = Vec::new();
                let mut i = start;
                while (step > 0 && i < stop) || (step < 0 && i > stop) {
                    v.push(Obj::Int(i));
                    i = match i.checked_add(step) {
                        Some(x) => x,
                        None => break,
                    };
                }
                Ok(Obj::List(v))
            }
            "min" | "max" | "sum" => {
                let items = if args.len() == 1 {
                    self.iter_obj(args[0].clone(), off)?
                } else {
                    args.clone()
                };
                if name == "sum" {
                    let mut acc = Obj::Int(0);
                    for it in items {
                        acc = self.binop(&ast::Operator::Add, acc, it, off)?;
                    }
                    return Ok(acc);
                }
                let mut best: Option<Obj> = None;
                for it in items {
                    let x = it
                        .num()
                        .ok_or_else(|| self.err(off, format!("{name}() needs numbers")))?;
                    let replace = match &best {
                        None => true,
                        Some(b) => {
                            let bv = b.num().unwrap_or(0.0);
                            if name == "min" {
                                x < bv
                            } else {
                                x > bv
                            }
                        }
                    };
                    if replace {
                        best = Some(it);
                    }
                }
                best.ok_or_else(|| self.err(off, format!("{name}() of an empty sequence")))
            }
            "list" | "tuple" | "sorted" => {
                let items = match args.first() {
                    Some(a) => self.iter_obj(a.clone(), off)?,
                    None => Vec::new(),
                };
                Ok(match name {
                    "tuple" => Obj::Tuple(items),
                    "sorted" => {
                        let mut v = items;
                        let mut err = false;
                        v.sort_by(|a, b| match (a, b) {
                            (Obj::Str(x), Obj::Str(y)) => x.cmp(y),
                            _ => match (a.num(), b.num()) {
                                (Some(x), Some(y)) => {
                                    x.partial_cmp(&y).unwrap_or(std::cmp::Ordering::Equal)
                                }
                                _ => {
                                    err = true;
                                    std::cmp::Ordering::Equal
                                }
                            },
                        });
                        if err {
                            return Err(self.err(off, "sorted() needs numbers or strings"));
                        }
                        Obj::List(v)
                    }
                    _ => Obj::List(items),
                })
            }
            "enumerate" => {
                let items =
                    self.iter_obj(args.first().cloned().unwrap_or(Obj::List(vec![])), off)?;
                Ok(Obj::List(
                    items
                        .into_iter()
                        .enumerate()
                        .map(|(i, v)| Obj::Tuple(vec![Obj::Int(i as i64), v]))
                        .collect(),
                ))
            }
            "zip" => {
                let lists = args
                    .iter()
                    .map(|a| self.iter_obj(a.clone(), off))
                    .collect::<R<Vec<_>>>()?;
                let n = lists.iter().map(|l| l.len()).min().unwrap_or(0);
                Ok(Obj::List(
                    (0..n)
                        .map(|i| Obj::Tuple(lists.iter().map(|l| l[i].clone()).collect()))
                        .collect(),
                ))
            }
            "dict" => {
                let mut items: Vec<(String, Obj)> = match args.first() {
                    Some(Obj::Dict(d)) => d.clone(),
                    None => Vec::new(),
                    Some(other) => {
                        return Err(self.err(off, format!("dict() of a {}", other.type_name())))
                    }
                };
                for (k, v) in kwargs {
                    crate::expr::dict_set(&mut items, k, v);
                }
                Ok(Obj::Dict(items))
            }
            "BoundingBox" => self.bounding_box(args, kwargs, off),
            "imagen.random.seed" => {
                let words = match args.first() {
                    Some(Obj::Tuple(v) | Obj::List(v)) => v
                        .iter()
                        .map(|w| match w {
                            Obj::Int(i) if *i >= 0 && *i <= u32::MAX as i64 => Ok(*i as u32),
                            Obj::Float(f)
                                if *f >= 0.0 && f.fract() == 0.0 && *f <= u32::MAX as f64 =>
                            {
                                Ok(*f as u32)
                            }
                            _ => Err(self.err(
                                off,
                                "imagen.random.seed needs a tuple of non-negative 32-bit integers",
                            )),
                        })
                        .collect::<R<Vec<u32>>>()?,
                    _ => {
                        return Err(
                            self.err(off, "imagen.random.seed needs a tuple such as (67, 89)")
                        )
                    }
                };
                self.seed = Some(words);
                Ok(Obj::None)
            }
            "param.resolve_path" => match args.first() {
                Some(Obj::Str(name)) => Ok(Obj::Str(self.resolve_file(name, off)?)),
                _ => Err(self.err(off, "param.resolve_path needs a file name")),
            },
            // numpy's global RandomState: nothing Topographica's models
            // use draws from it (imagen.random has its own RandomState,
            // numbergen uses Python's random), so seeding it (gcal_od.ty,
            // lissom.ty) changes nothing.
            "numpy.random.seed" => Ok(Obj::None),
            "numpy.arange" if kwargs.is_empty() => {
                crate::numpyfn::arange(&args).map_err(|m| self.err(off, m))
            }
            "numpy.arange" => Err(self.err(off, "numpy.arange() takes positional arguments only")),
            "schedule_events" => self.lissom_schedule_events(args, kwargs, off),
            "ModelGCAL" | "ExamplesGCAL" | "ModelGCALColor" | "ModelGCALInheritingColor" => {
                self.make_model(name, args, kwargs, off)
            }
            n if n.starts_with("model:") => {
                self.make_model(&n["model:".len()..], args, kwargs, off)
            }
            n if n.starts_with("param.") => {
                self.param_decl(&n["param.".len()..], args, kwargs, off)
            }
            n if n.starts_with("math.") || n.starts_with("numpy.") => {
                let xs: Vec<f64> = args
                    .iter()
                    .map(|a| {
                        a.num()
                            .ok_or_else(|| self.err(off, format!("{n}() needs numbers")))
                    })
                    .collect::<R<_>>()?;
                let f = n.rsplit('.').next().unwrap_or("");
                let x = *xs
                    .first()
                    .ok_or_else(|| self.err(off, format!("{n}() needs an argument")))?;
                let v = match (f, xs.len()) {
                    ("sqrt", 1) => x.sqrt(),
                    ("exp", 1) => x.exp(),
                    ("log", 1) => x.ln(),
                    ("log", 2) => x.ln() / xs[1].ln(),
                    ("log10", 1) => x.log10(),
                    ("sin", 1) => x.sin(),
                    ("cos", 1) => x.cos(),
                    ("tan", 1) => x.tan(),
                    ("asin", 1) => x.asin(),
                    ("acos", 1) => x.acos(),
                    ("atan", 1) => x.atan(),
                    ("atan2", 2) => x.atan2(xs[1]),
                    ("floor", 1) => x.floor(),
                    ("ceil", 1) => x.ceil(),
                    ("fabs", 1) => x.abs(),
                    ("pow", 2) => x.powf(xs[1]),
                    _ => {
                        return Err(self.err(
                            off,
                            format!("{n}() called with the wrong number of arguments"),
                        ))
                    }
                };
                Ok(Obj::Float(v))
            }
            "global_params" => Err(self.err(off, "global_params is not callable")),
            other => Err(self.err(off, format!("'{other}' is not callable here"))),
        }
    }

    fn bounding_box(&self, args: Vec<Obj>, kwargs: Kwargs, off: usize) -> R<Obj> {
        if !args.is_empty() {
            return Err(self.err(
                off,
                "BoundingBox takes keyword arguments: radius=r or points=((l,b),(r,t))",
            ));
        }
        let num = |v: &Obj| {
            v.num().filter(|x| x.is_finite()).ok_or_else(|| {
                self.err(
                    off,
                    format!("BoundingBox needs finite numbers, not {}", v.type_name()),
                )
            })
        };
        match kwargs.as_slice() {
            [(k, v)] if k == "radius" => {
                let r = num(v)?;
                Ok(Obj::BBox([-r, -r, r, r]))
            }
            [(k, v)] if k == "points" => {
                let pts = self.iter_obj(v.clone(), off)?;
                if pts.len() != 2 {
                    return Err(self.err(off, "BoundingBox points needs two points ((l,b),(r,t))"));
                }
                let a = self.iter_obj(pts[0].clone(), off)?;
                let b = self.iter_obj(pts[1].clone(), off)?;
                if a.len() != 2 || b.len() != 2 {
                    return Err(self.err(off, "BoundingBox points needs two (x, y) pairs"));
                }
                Ok(Obj::BBox([
                    num(&a[0])?,
                    num(&a[1])?,
                    num(&b[0])?,
                    num(&b[1])?,
                ]))
            }
            _ => Err(self.err(
                off,
                "BoundingBox needs exactly one of: radius=r, points=((l,b),(r,t))",
            )),
        }
    }
}

/// Turns an alias-table entry into a value.
fn resolve_alias(a: &str, full: &str) -> Result<Obj, String> {
    if let Some(f) = a.strip_prefix("fn:") {
        return Ok(Obj::Func(f.to_string()));
    }
    if let Some(b) = a.strip_prefix("builtin:") {
        return Ok(match b {
            "global_params" => Obj::GlobalParams,
            _ => Obj::Builtin(b.to_string()),
        });
    }
    if let Some(c) = a.strip_prefix("analysis:") {
        return Ok(Obj::Analysis(c.to_string()));
    }
    if let Some(c) = a.strip_prefix("const:") {
        return Ok(Obj::Float(if c == "pi" {
            std::f64::consts::PI
        } else {
            std::f64::consts::E
        }));
    }
    if let Some(u) = a.strip_prefix("unsupported:") {
        return Err(format!("{u} ({full}) is not supported by topo-hpc"));
    }
    Ok(Obj::Class(a.to_string()))
}
