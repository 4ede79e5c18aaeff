//! Command text: scheduled commands (`topo.sim.schedule_command` strings,
//! as the LISSOM schedule writes them) and top-level `-c` / `-p` items.

use crate::error::{LangError, Source};
use crate::interp::Interp;
use crate::obj::Obj;
use rustpython_parser::ast::{self, Ranged};
use topo_spec::{Call, SimCommand, TopCommand, Value};

/// One item of a Topographica command line, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CommandLineItem {
    /// `-c TEXT`.
    Command(String),
    /// `-p NAME=VALUE`.
    Param(String),
    /// A script file argument.
    File(String),
    /// `-a` (auto-import commands).
    AutoImport,
}

/// `run_batch`'s own parameters (the rest are model parameters).
pub const RUN_BATCH_OPTIONS: &[&str] = &[
    "output_directory",
    "analysis_fn",
    "times",
    "snapshot",
    "vc_info",
    "dirname_prefix",
    "tag",
    "max_name_length",
    "name_time_format",
    "timestamp",
    "save_global_params",
    "dirname_params_filter",
    "metadata_dir",
    "compress_metadata",
    "save_script_repr",
    "progress_bar",
    "progress_interval",
    "name_map",
];

/// An interpreter for evaluating constant expressions inside command text,
/// with the names Topographica's startup commands provide.
fn command_interp(name: &str, text: &str) -> Interp {
    let mut it = Interp::new(Source::new(name, text));
    for (n, m) in [
        ("topo", "topo"),
        ("sheet", "topo.sheet"),
        ("imagen", "imagen"),
        ("pattern", "topo.pattern"),
        ("numbergen", "numbergen"),
        ("numpy", "numpy"),
        ("math", "math"),
    ] {
        it.bind(n, Obj::Module(m.to_string()));
    }
    it.bind("pi", Obj::Float(std::f64::consts::PI));
    it
}

fn sheet_of(e: &ast::Expr) -> Option<String> {
    match e {
        ast::Expr::Subscript(s) => {
            if crate::interp::dotted_name(&s.value).as_deref() != Some("topo.sim") {
                return None;
            }
            match s.slice.as_ref() {
                ast::Expr::Constant(c) => match &c.value {
                    ast::Constant::Str(n) => Some(n.clone()),
                    _ => None,
                },
                _ => None,
            }
        }
        ast::Expr::Attribute(a) => {
            if crate::interp::dotted_name(&a.value).as_deref() == Some("topo.sim") {
                Some(a.attr.to_string())
            } else {
                None
            }
        }
        _ => None,
    }
}

fn projection_of(e: &ast::Expr) -> Option<(String, String)> {
    let ast::Expr::Subscript(s) = e else {
        return None;
    };
    let ast::Expr::Call(c) = s.value.as_ref() else {
        return None;
    };
    if !c.args.is_empty() || !c.keywords.is_empty() {
        return None;
    }
    let ast::Expr::Attribute(a) = c.func.as_ref() else {
        return None;
    };
    if a.attr.as_str() != "projections" {
        return None;
    }
    let sheet = sheet_of(&a.value)?;
    match s.slice.as_ref() {
        ast::Expr::Constant(k) => match &k.value {
            ast::Constant::Str(p) => Some((sheet, p.clone())),
            _ => None,
        },
        _ => None,
    }
}

/// The sheet name of a `topo.sim['NAME']` text (for `schedule_events`).
pub(crate) fn parse_sheet_expr(text: &str) -> Option<String> {
    let m = rustpython_parser::parse(text, rustpython_parser::Mode::Expression, "<sheet>").ok()?;
    match m {
        ast::Mod::Expression(e) => sheet_of(&e.body),
        _ => None,
    }
}

fn eval_plain(it: &mut Interp, e: &ast::Expr) -> Result<Value, String> {
    let v = it.eval(e).map_err(|e| e.message)?;
    it.to_value(&v, e.range().start().to_usize())
        .map_err(|e| e.message)
}

/// Parses the text of a scheduled command into simulation commands (one
/// per statement, with that statement's text).
pub(crate) fn parse_sim_commands(text: &str) -> Result<Vec<(String, SimCommand)>, String> {
    let module = rustpython_parser::parse(text, rustpython_parser::Mode::Module, "<command>")
        .map_err(|e| format!("syntax error: {}", e.error))?;
    let ast::Mod::Module(m) = module else {
        return Err("not a module".into());
    };
    let mut it = command_interp("<command>", text);
    let mut out = Vec::new();
    let unsupported = "unsupported scheduled command; supported: pass, <proj>.change_bounds(BoundingBox(...)), <proj>.learning_rate=v[*<proj>.n_units], <proj>.<param>=v, <sheet>.<param>=v, <sheet>.output_fns[i].<param>=v, with <sheet> = topo.sim['S'] and <proj> = <sheet>.projections()['P']";
    for s in &m.body {
        let r = s.range();
        let part = text
            .get(r.start().to_usize()..r.end().to_usize())
            .unwrap_or(text)
            .trim()
            .to_string();
        let cmd = match s {
            ast::Stmt::Pass(_) => SimCommand::Pass,
            ast::Stmt::Expr(e) => {
                let ast::Expr::Call(c) = e.value.as_ref() else {
                    return Err(unsupported.into());
                };
                let ast::Expr::Attribute(a) = c.func.as_ref() else {
                    return Err(unsupported.into());
                };
                let Some((sheet, projection)) = projection_of(&a.value) else {
                    return Err(unsupported.into());
                };
                if a.attr.as_str() != "change_bounds" || c.args.len() != 1 || !c.keywords.is_empty()
                {
                    return Err(unsupported.into());
                }
                match eval_plain(&mut it, &c.args[0])? {
                    Value::BoundingBox(b) => SimCommand::ChangeBounds {
                        sheet,
                        projection,
                        bounds: b,
                    },
                    _ => return Err("change_bounds needs a BoundingBox".into()),
                }
            }
            ast::Stmt::Assign(a) if a.targets.len() == 1 => {
                let ast::Expr::Attribute(t) = &a.targets[0] else {
                    return Err(unsupported.into());
                };
                let param = t.attr.to_string();
                if let Some((sheet, projection)) = projection_of(&t.value) {
                    let per_unit = match a.value.as_ref() {
                        ast::Expr::BinOp(b) if matches!(b.op, ast::Operator::Mult) => {
                            let is_n = |e: &ast::Expr| matches!(e, ast::Expr::Attribute(x) if x.attr.as_str() == "n_units" && projection_of(&x.value).is_some());
                            if is_n(&b.right) {
                                Some(&b.left)
                            } else if is_n(&b.left) {
                                Some(&b.right)
                            } else {
                                None
                            }
                        }
                        _ => None,
                    };
                    match per_unit {
                        Some(e) if param == "learning_rate" => {
                            let v = eval_plain(&mut it, e)?;
                            let per_unit = v
                                .as_f64()
                                .ok_or("learning rate per unit must be a number")?;
                            SimCommand::SetLearningRatePerUnit {
                                sheet,
                                projection,
                                per_unit,
                            }
                        }
                        Some(_) => {
                            return Err(
                                "n_units products are supported only for learning_rate".into()
                            )
                        }
                        None => SimCommand::SetProjectionParam {
                            sheet,
                            projection,
                            param,
                            value: eval_plain(&mut it, &a.value)?,
                        },
                    }
                } else if let Some(sheet) = sheet_of(&t.value) {
                    SimCommand::SetSheetParam {
                        sheet,
                        param,
                        value: eval_plain(&mut it, &a.value)?,
                    }
                } else if let ast::Expr::Subscript(sub) = t.value.as_ref() {
                    let ast::Expr::Attribute(of) = sub.value.as_ref() else {
                        return Err(unsupported.into());
                    };
                    let Some(sheet) = sheet_of(&of.value) else {
                        return Err(unsupported.into());
                    };
                    if of.attr.as_str() != "output_fns" {
                        return Err(unsupported.into());
                    }
                    let index = match eval_plain(&mut it, &sub.slice)? {
                        Value::Int(i) if i >= 0 => i as usize,
                        _ => return Err("output_fns index must be a non-negative integer".into()),
                    };
                    SimCommand::SetOutputFnParam {
                        sheet,
                        index,
                        param,
                        value: eval_plain(&mut it, &a.value)?,
                    }
                } else {
                    return Err(unsupported.into());
                }
            }
            _ => return Err(unsupported.into()),
        };
        out.push((part, cmd));
    }
    Ok(out)
}

/// Evaluates one argument of a `-c` command; an unknown bare name is a
/// reference to a command function (e.g. `analysis_fn=my_analysis`).
fn command_value(it: &mut Interp, e: &ast::Expr) -> Result<Value, LangError> {
    if let Some(name) = crate::interp::dotted_name(e) {
        let off = e.range().start().to_usize();
        if let ast::Expr::Name(_) = e {
            if it.lookup(&name, off).is_err() && !crate::interp::is_forbidden(&name) {
                return Ok(Value::Function(name));
            }
        }
    }
    let v = it.eval(e)?;
    it.to_value(&v, e.range().start().to_usize())
}

/// Parses `-c` text into top-level commands.
pub(crate) fn parse_c(text: &str, out: &mut Vec<TopCommand>) -> Result<(), LangError> {
    let name = "<-c>";
    let module = crate::parse_module(name, text)?;
    let mut it = command_interp(name, text);
    for s in &module {
        let off = s.range().start().to_usize();
        match s {
            ast::Stmt::Import(_) | ast::Stmt::ImportFrom(_) | ast::Stmt::Pass(_) => {}
            ast::Stmt::Assign(a) if a.targets.len() == 1 => {
                let ast::Expr::Name(n) = &a.targets[0] else {
                    return Err(it.err(off, "only 'name=value' assignments are supported in -c"));
                };
                let value = command_value(&mut it, &a.value)?;
                out.push(TopCommand::SetGlobalParam {
                    name: n.id.to_string(),
                    value,
                });
            }
            ast::Stmt::Expr(e) => {
                let ast::Expr::Call(c) = e.value.as_ref() else {
                    return Err(it.err(
                        off,
                        "-c text may contain only calls of commands and name=value assignments",
                    ));
                };
                let fname = crate::interp::dotted_name(&c.func)
                    .ok_or_else(|| it.err(off, "call of an unsupported expression"))?;
                if crate::interp::is_forbidden(&fname) {
                    return Err(it.err(off, crate::interp::forbidden_message(&fname)));
                }
                let mut args = Vec::new();
                for a in &c.args {
                    args.push(command_value(&mut it, a)?);
                }
                let mut kwargs = Vec::new();
                for k in &c.keywords {
                    let kname = k
                        .arg
                        .as_ref()
                        .ok_or_else(|| it.err(off, "**kwargs is not supported in -c"))?;
                    kwargs.push((kname.to_string(), command_value(&mut it, &k.value)?));
                }
                match fname.as_str() {
                    "run_batch" | "topo.command.run_batch" => {
                        let script = match args.as_slice() {
                            [Value::Str(s)] => s.clone(),
                            _ => return Err(it.err(off, "run_batch needs the model file name as its one positional argument")),
                        };
                        let (options, params): (Vec<_>, Vec<_>) = kwargs
                            .into_iter()
                            .partition(|(k, _)| RUN_BATCH_OPTIONS.contains(&k.as_str()));
                        out.push(TopCommand::RunBatch {
                            script,
                            options,
                            params,
                        });
                    }
                    "topo.sim.run" => {
                        let d = match (args.as_slice(), kwargs.as_slice()) {
                            ([v], []) => v.as_f64(),
                            ([], [(k, v)]) if k == "duration" => v.as_f64(),
                            ([], []) => Some(f64::INFINITY),
                            _ => None,
                        }
                        .ok_or_else(|| {
                            it.err(off, "topo.sim.run takes one number (the duration)")
                        })?;
                        let duration = it.time_value(d, off)?;
                        out.push(TopCommand::Run { duration });
                    }
                    _ => {
                        let (line, col) = it.src.lines.locate(off);
                        out.push(TopCommand::Call(Call {
                            name: fname,
                            args,
                            kwargs,
                            location: format!("{name}:{line}:{col}"),
                        }));
                    }
                }
            }
            _ => return Err(it.err(
                off,
                "-c text may contain only calls of commands, name=value assignments and imports",
            )),
        }
    }
    Ok(())
}

/// Splits a `-p name=value` item and evaluates the value.
pub(crate) fn parse_p(text: &str) -> Result<(String, Obj, Source, usize), LangError> {
    let label = format!("<-p {text}>");
    let src = Source::new(&label, text);
    let Some((name, value)) = text.split_once('=') else {
        return Err(src.error(0, "-p needs name=value"));
    };
    let name = name.trim();
    if name.is_empty()
        || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        || name.starts_with(|c: char| c.is_ascii_digit())
    {
        return Err(src.error(0, format!("-p: '{name}' is not a valid parameter name")));
    }
    let voff = text.find('=').map(|i| i + 1).unwrap_or(0);
    let expr = match std::panic::catch_unwind(|| {
        rustpython_parser::parse(value.trim(), rustpython_parser::Mode::Expression, &label)
    }) {
        Ok(Ok(ast::Mod::Expression(e))) => e.body,
        Ok(Ok(_)) | Ok(Err(_)) | Err(_) => {
            return Err(src.error(
                voff,
                format!(
                    "-p {name}: cannot parse the value '{}' as a Python expression",
                    value.trim()
                ),
            ))
        }
    };
    let lead = value.len() - value.trim_start().len();
    let mut it = command_interp(&label, value.trim());
    let v = it.eval(&expr).map_err(|e| LangError {
        file: label.clone(),
        line: 1,
        col: e.col + voff + lead,
        message: e.message,
    })?;
    Ok((name.to_string(), v, src, voff))
}
