//! Global parameters: `p.add(name=param.Number(...))`, `-p` overrides
//! with type and bound checks, and the unused-name check.

use crate::calls::Kwargs;
use crate::expr::py_eq;
use crate::interp::{GParam, Interp, R};
use crate::obj::{Obj, ParamDecl};
use crate::pyfmt::py_repr;

impl Interp {
    /// `param.Number(...)` etc.
    pub(crate) fn param_decl(
        &self,
        kind: &str,
        args: Vec<Obj>,
        kwargs: Kwargs,
        off: usize,
    ) -> R<Obj> {
        let mut d = ParamDecl {
            kind: kind.to_string(),
            default: match kind {
                "Number" => Obj::Float(0.0),
                "Integer" => Obj::Int(0),
                "Boolean" => Obj::Bool(false),
                "String" => Obj::Str(String::new()),
                "List" => Obj::List(Vec::new()),
                _ => Obj::None,
            },
            bounds: None,
            inclusive: (true, true),
            objects: Vec::new(),
            doc: None,
        };
        if args.len() > 1 {
            return Err(self.err(
                off,
                format!("param.{kind} takes at most one positional argument (the default)"),
            ));
        }
        if let Some(a) = args.into_iter().next() {
            d.default = a;
        }
        let valid = "default, bounds, softbounds, inclusive_bounds, doc, objects, allow_None, precedence, constant, readonly, class_, instantiate";
        for (k, v) in kwargs {
            match k.as_str() {
                "default" => d.default = v,
                "bounds" => {
                    if matches!(v, Obj::None) {
                        d.bounds = None;
                        continue;
                    }
                    let items = match v {
                        Obj::Tuple(t) | Obj::List(t) if t.len() == 2 => t,
                        other => {
                            return Err(self.err(
                                off,
                                format!(
                                    "bounds must be a (lo, hi) tuple, not {}",
                                    other.type_name()
                                ),
                            ))
                        }
                    };
                    let side = |o: &Obj| -> R<Option<f64>> {
                        match o {
                            Obj::None => Ok(None),
                            o => o
                                .num()
                                .map(Some)
                                .ok_or_else(|| self.err(off, "bounds must be numbers or None")),
                        }
                    };
                    d.bounds = Some((side(&items[0])?, side(&items[1])?));
                }
                "inclusive_bounds" => match v {
                    Obj::Tuple(t) | Obj::List(t) if t.len() == 2 => {
                        d.inclusive = (t[0].truthy(), t[1].truthy())
                    }
                    other => {
                        return Err(self.err(
                            off,
                            format!(
                                "inclusive_bounds must be a pair of booleans, not {}",
                                other.type_name()
                            ),
                        ))
                    }
                },
                "doc" => match v {
                    Obj::Str(s) => d.doc = Some(s),
                    Obj::None => d.doc = None,
                    other => {
                        return Err(self.err(
                            off,
                            format!("doc must be a string, not {}", other.type_name()),
                        ))
                    }
                },
                "objects" => d.objects = self.iter_obj(v, off)?,
                "softbounds" | "allow_None" | "precedence" | "constant" | "readonly" | "class_"
                | "instantiate" => {}
                _ => {
                    return Err(self.err(
                        off,
                        format!("unknown keyword '{k}' for param.{kind}; valid keywords: {valid}"),
                    ))
                }
            }
        }
        Ok(Obj::ParamDecl(Box::new(d)))
    }

    /// Checks a value against a declaration (type, bounds, objects).
    pub(crate) fn check_global(&self, name: &str, d: &ParamDecl, v: Obj) -> Result<Obj, String> {
        let allow_none = matches!(d.default, Obj::None);
        if matches!(v, Obj::None) && allow_none {
            return Ok(v);
        }
        let wrong = |exp: &str| {
            format!(
                "wrong type for global parameter '{name}' (param.{}): expected {exp}, got {}",
                d.kind,
                v.type_name()
            )
        };
        let expected = match d.kind.as_str() {
            "Number" if !matches!(v, Obj::Int(_) | Obj::Float(_)) => Some("a number"),
            "Integer" if !matches!(v, Obj::Int(_)) => Some("an integer"),
            "Boolean" if !matches!(v, Obj::Bool(_)) => Some("True or False"),
            "String" if !matches!(v, Obj::Str(_)) => Some("a string"),
            "List" => {
                return match v {
                    Obj::List(items) | Obj::Tuple(items) => Ok(Obj::List(items)),
                    _ => Err(wrong("a list")),
                };
            }
            "ObjectSelector" if !d.objects.iter().any(|o| py_eq(o, &v)) => {
                let objs: Vec<String> = d.objects.iter().map(py_repr).collect();
                return Err(format!(
                    "value {} for global parameter '{name}' is not one of the allowed objects [{}]",
                    py_repr(&v),
                    objs.join(", ")
                ));
            }
            _ => None,
        };
        if let Some(exp) = expected {
            return Err(wrong(exp));
        }
        if let (Some((lo, hi)), Some(x)) = (d.bounds, v.num()) {
            let ok_lo = lo
                .map(|l| if d.inclusive.0 { x >= l } else { x > l })
                .unwrap_or(true);
            let ok_hi = hi
                .map(|h| if d.inclusive.1 { x <= h } else { x < h })
                .unwrap_or(true);
            if !(ok_lo && ok_hi) || x.is_nan() {
                let lo_s = lo
                    .map(|l| format!("{}{}", if d.inclusive.0 { "[" } else { "(" }, l))
                    .unwrap_or_else(|| "(None".into());
                let hi_s = hi
                    .map(|h| format!("{}{}", h, if d.inclusive.1 { "]" } else { ")" }))
                    .unwrap_or_else(|| "None)".into());
                return Err(format!(
                    "value {} for global parameter '{name}' is out of bounds {lo_s}, {hi_s}",
                    py_repr(&v)
                ));
            }
        }
        Ok(v)
    }

    /// Adds (or re-declares) a global parameter, taking a pending `-p`
    /// value for it.
    pub(crate) fn declare_global(&mut self, name: &str, d: ParamDecl, off: usize) -> R<()> {
        let default = self
            .check_global(name, &d, d.default.clone())
            .map_err(|m| self.err(off, format!("default: {m}")))?;
        let mut value = default.clone();
        let mut specified = false;
        if let Some(i) = self.overrides.iter().rposition(|o| o.name == name) {
            let o = self.overrides[i].clone();
            value = self
                .check_global(name, &d, o.value.clone())
                .map_err(|m| o.source.error(o.offset, m))?;
            specified = true;
            for ov in self.overrides.iter_mut().filter(|ov| ov.name == name) {
                ov.used = true;
            }
        }
        let mut d = d;
        d.default = default;
        let g = GParam {
            name: name.to_string(),
            decl: d,
            value,
            specified,
        };
        match self.gparams.iter().position(|x| x.name == name) {
            Some(i) => {
                // keep a value given by -p or an explicit assignment
                let keep = self.gparams[i].specified && !g.specified;
                let old_value = self.gparams[i].value.clone();
                self.gparams[i] = g;
                if keep {
                    self.gparams[i].value = old_value;
                    self.gparams[i].specified = true;
                }
            }
            None => self.gparams.push(g),
        }
        Ok(())
    }

    /// Topographica's check_for_unused_names: a `-p` name the model never
    /// declared is an error.
    pub(crate) fn check_unused_overrides(&mut self) -> R<()> {
        if self.allow_unused {
            let mut seen: Vec<&str> = Vec::new();
            let mut warn = Vec::new();
            for o in self.overrides.iter().filter(|o| !o.used) {
                if !seen.contains(&o.name.as_str()) {
                    seen.push(&o.name);
                    warn.push(crate::namespace::Message::Warning(format!(
                        "'{}' is unused.",
                        o.name
                    )));
                }
            }
            self.messages.extend(warn);
            return Ok(());
        }
        if let Some(o) = self.overrides.iter().find(|o| !o.used) {
            return Err(o.source.error(
                0,
                format!(
                    "-p {}: the model declares no global parameter '{}' (declared: {})",
                    o.name,
                    o.name,
                    self.gparam_names()
                ),
            ));
        }
        Ok(())
    }
}
