//! Command text: scheduled commands (`topo.sim.schedule_command` strings,
//! as the LISSOM schedule writes them) and top-level `-c` / `-p` items.

use crate::error::{LangError, Source};
use crate::interp::Interp;
use crate::obj::Obj;
use rustpython_parser::ast::{self, Ranged};
use std::collections::BTreeSet;
use topo_spec::{Call, FunctionSpec, SimCommand, TopCommand, Value};

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
    // `<sheet>.projections('P')`: ProjectionSheet.projections(name)
    // returns the named projection (topo/base/projection.py)
    if let ast::Expr::Call(c) = e {
        let ast::Expr::Attribute(a) = c.func.as_ref() else {
            return None;
        };
        if a.attr.as_str() != "projections" || c.args.len() != 1 || !c.keywords.is_empty() {
            return None;
        }
        let sheet = sheet_of(&a.value)?;
        return match &c.args[0] {
            ast::Expr::Constant(k) => match &k.value {
                ast::Constant::Str(p) => Some((sheet, p.clone())),
                _ => None,
            },
            _ => None,
        };
    }
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

/// A sheet attribute scheduled commands may set that nothing reads:
/// `weights_output_fn` is no parameter of any sheet, so in Python the
/// assignment only creates an instance attribute, and no code in
/// Topographica reads it (CFSheet and CFProjection use
/// `weights_output_fns`, topo/base/cf.py). models/obermayer_pnas90.ty sets
/// it at time 0.
pub(crate) const NOOP_SHEET_ATTRIBUTE: &str = "weights_output_fn";

/// Parses the text of a scheduled command into simulation commands (one
/// per statement, with that statement's text). `main` is the model file's
/// namespace: Topographica's CommandEvent.__call__
/// (topo/base/simulation.py) execs the command in `__main__.__dict__`,
/// where the model file ran, so the names the file imported or defined
/// are visible (and win over the command defaults, as there).
pub(crate) fn parse_sim_commands(
    text: &str,
    main: &std::collections::HashMap<String, Obj>,
) -> Result<Vec<(String, SimCommand)>, String> {
    let module = rustpython_parser::parse(text, rustpython_parser::Mode::Module, "<command>")
        .map_err(|e| format!("syntax error: {}", e.error))?;
    let ast::Mod::Module(m) = module else {
        return Err("not a module".into());
    };
    let mut it = command_interp("<command>", text);
    for (name, v) in main {
        it.bind(name, v.clone());
    }
    let mut out = Vec::new();
    let unsupported = "unsupported scheduled command; supported: pass, <proj>.change_bounds(BoundingBox(...)), <proj>.learning_rate=v[*<proj>.n_units], <proj>.<param>=v, <sheet>.<param>=v, <sheet>.output_fns[i].<param>=v, with <sheet> = topo.sim['S'] and <proj> = <sheet>.projections()['P'] or <sheet>.projections('P')";
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
                    if param == NOOP_SHEET_ATTRIBUTE {
                        // The value must still evaluate; the command is
                        // dropped after the sheet is checked (Interp::schedule_text).
                        it.eval(&a.value).map_err(|e| e.message)?;
                        SimCommand::SetSheetParam {
                            sheet,
                            param,
                            value: Value::None,
                        }
                    } else {
                        SimCommand::SetSheetParam {
                            sheet,
                            param,
                            value: eval_plain(&mut it, &a.value)?,
                        }
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

/// What earlier `-c` texts leave for later ones: Topographica runs every
/// `-c` in the one `__main__` namespace, so a function defined in one is
/// visible to the next.
#[derive(Debug, Default)]
pub(crate) struct CommandScope {
    /// Names defined with `def` so far.
    functions: BTreeSet<String>,
}

/// Whether the model file `script` defines `def name():` (at top level or
/// inside `if`/`for` blocks, which the interpreter runs); `None` when the
/// file cannot be read or parsed, which the run itself then reports.
fn model_defines(script: &str, name: &str) -> Option<bool> {
    fn any_def(body: &[ast::Stmt], name: &str) -> bool {
        body.iter().any(|s| match s {
            ast::Stmt::FunctionDef(f) => f.name.as_str() == name,
            ast::Stmt::If(i) => any_def(&i.body, name) || any_def(&i.orelse, name),
            ast::Stmt::For(f) => any_def(&f.body, name) || any_def(&f.orelse, name),
            _ => false,
        })
    }
    let text = crate::limits::read_model_file(std::path::Path::new(script)).ok()?;
    let module = crate::parse_module(script, &text).ok()?;
    Some(any_def(&module, name))
}

/// `run_batch(..., analysis_fn=NAME)`: NAME must be a function a `-c`
/// before it defined, or a `def NAME():` of the model file (topo-hpc's
/// extension: in Python the name would have to exist before the call).
fn check_analysis_fn(it: &Interp, script: &str, c: &ast::ExprCall) -> Result<(), LangError> {
    for k in &c.keywords {
        if k.arg.as_ref().map(|a| a.as_str()) != Some("analysis_fn") {
            continue;
        }
        let ast::Expr::Name(n) = &k.value else {
            continue;
        };
        let off = k.value.range().start().to_usize();
        let fname = n.id.as_str();
        if it.lookup(fname, off).is_ok() || crate::interp::is_forbidden(fname) {
            continue;
        }
        if model_defines(script, fname) == Some(false) {
            return Err(it.err(
                off,
                format!(
                    "analysis_fn={fname}: name '{fname}' is not defined; define 'def {fname}():' in a -c before this run_batch or in {script}"
                ),
            ));
        }
    }
    Ok(())
}

/// Parses `-c` text into top-level commands; `scope` carries the names
/// earlier `-c` texts defined.
pub(crate) fn parse_c(
    text: &str,
    scope: &mut CommandScope,
    out: &mut Vec<TopCommand>,
) -> Result<(), LangError> {
    let name = "<-c>";
    let module = crate::parse_module(name, text)?;
    let mut it = command_interp(name, text);
    for f in &scope.functions {
        it.bind(f, Obj::UserFn(f.clone()));
    }
    for s in &module {
        let off = s.range().start().to_usize();
        match s {
            ast::Stmt::Import(_) | ast::Stmt::ImportFrom(_) | ast::Stmt::Pass(_) => {}
            ast::Stmt::FunctionDef(f) => {
                // The same checks as a model file's def, located in the -c text.
                it.define_function(f)?;
                let fname = f.name.to_string();
                let body = it.functions[&fname].iter().map(|(c, _)| c.clone()).collect();
                scope.functions.insert(fname.clone());
                out.push(TopCommand::DefineFunction(FunctionSpec { name: fname, body }));
            }
            ast::Stmt::Assign(a)
                if a.targets.len() == 1
                    && crate::interp::dotted_name(&a.targets[0]).as_deref()
                        == Some("param.random_seed") =>
            {
                match command_value(&mut it, &a.value)? {
                    Value::Int(seed) => out.push(TopCommand::SetRandomSeed(seed)),
                    other => {
                        return Err(it.err(
                            off,
                            format!("param.random_seed must be an integer, not {other:?}"),
                        ))
                    }
                }
            }
            ast::Stmt::Assign(a) if a.targets.len() == 1 => {
                let ast::Expr::Name(n) = &a.targets[0] else {
                    return Err(it.err(
                        off,
                        "only 'name=value' and 'param.random_seed=N' assignments are supported in -c",
                    ));
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
                        check_analysis_fn(&it, &script, c)?;
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
                "-c text may contain only calls of commands, name=value assignments, imports and 'def name():' analysis functions",
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

#[cfg(test)]
mod tests {
    use crate::{load_model_source, parse_commands, CommandLineItem as I};
    use topo_spec::{FunctionSpec, TopCommand, Value};

    fn c(text: &str) -> I {
        I::Command(text.to_string())
    }

    fn defined(cmd: &TopCommand) -> &FunctionSpec {
        match cmd {
            TopCommand::DefineFunction(f) => f,
            other => panic!("not a definition: {other:?}"),
        }
    }

    fn analysis_fn(cmd: &TopCommand) -> &Value {
        match cmd {
            TopCommand::RunBatch { options, .. } => {
                &options.iter().find(|(k, _)| k == "analysis_fn").unwrap().1
            }
            other => panic!("not a run_batch: {other:?}"),
        }
    }

    /// A model file in the temp folder, removed when dropped.
    struct TempModel(std::path::PathBuf);

    impl TempModel {
        fn new(tag: &str, text: &str) -> TempModel {
            let p =
                std::env::temp_dir().join(format!("topo-lang-cmd-{}-{tag}.ty", std::process::id()));
            std::fs::write(&p, text).unwrap();
            TempModel(p)
        }
        fn path(&self) -> String {
            self.0.display().to_string()
        }
    }

    impl Drop for TempModel {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }

    #[test]
    fn multi_line_def_then_run_batch_in_a_later_c() {
        let out = parse_commands(&[
            I::AutoImport,
            c("def my_analysis():\n    measure_or_pref()\n    save_plotgroup('Activity')"),
            c("run_batch('no/such/model.ty', analysis_fn=my_analysis, times=[2])"),
        ])
        .unwrap();
        assert_eq!(out.len(), 3, "{out:?}");
        let f = defined(&out[1]);
        assert_eq!(f.name, "my_analysis");
        let calls: Vec<(&str, &str)> = f
            .body
            .iter()
            .map(|c| (c.name.as_str(), c.location.as_str()))
            .collect();
        assert_eq!(
            calls,
            [
                ("measure_or_pref", "<-c>:2:5"),
                ("save_plotgroup", "<-c>:3:5")
            ]
        );
        assert_eq!(f.body[1].args, vec![Value::Str("Activity".into())]);
        assert_eq!(analysis_fn(&out[2]), &Value::Function("my_analysis".into()));
    }

    #[test]
    fn one_line_def_with_semicolons() {
        let text = "def f(): save_plotgroup('Activity', filename_suffix='_g'); pattern_present(inputs=imagen.Gaussian(orientation=pi/4), duration=1.0)";
        let out = parse_commands(&[c(text)]).unwrap();
        assert_eq!(out.len(), 1, "{out:?}");
        let f = defined(&out[0]);
        assert_eq!(f.body.len(), 2);
        assert_eq!(f.body[0].location, "<-c>:1:10");
        assert_eq!(
            f.body[0].kwargs,
            vec![("filename_suffix".to_string(), Value::Str("_g".into()))]
        );
        assert_eq!(f.body[1].name, "pattern_present");
        let col = text.find("pattern_present").unwrap() + 1;
        assert_eq!(f.body[1].location, format!("<-c>:1:{col}"));
        let Value::Object(g) = &f.body[1].kwargs[0].1 else {
            panic!("{:?}", f.body[1].kwargs)
        };
        assert!(g.class.ends_with("Gaussian"), "{}", g.class);
        assert_eq!(
            g.params.get("orientation"),
            Some(&Value::Float(std::f64::consts::FRAC_PI_4))
        );
    }

    #[test]
    fn def_then_run_batch_in_the_same_text_and_redefinition() {
        let out = parse_commands(&[
            c("def f(): measure_or_pref()\nrun_batch('m.ty', analysis_fn=f)"),
            c("def f(): save_snapshot()"),
            c("run_batch('m.ty', analysis_fn=f, tag='second')"),
        ])
        .unwrap();
        assert_eq!(out.len(), 4, "{out:?}");
        assert_eq!(defined(&out[0]).body[0].name, "measure_or_pref");
        assert_eq!(analysis_fn(&out[1]), &Value::Function("f".into()));
        assert_eq!(defined(&out[2]).body[0].name, "save_snapshot");
        assert_eq!(defined(&out[2]).body[0].location, "<-c>:1:10");
        assert_eq!(analysis_fn(&out[3]), &Value::Function("f".into()));
    }

    /// Every body a model file's def rejects is rejected in -c text with the
    /// same message at the same line:col, only the file name differs.
    #[test]
    fn rejected_bodies_match_the_model_file_errors() {
        let cases = [
            ("def f():\n    measure_or_pref()\n    x = 1\n", 3, 5),
            ("@decorated\ndef f(): pass\n", 2, 1),
            ("def f():\n    for i in range(2): measure_or_pref()\n", 2, 5),
            ("def f(): measure_or_pref(); 3 + 4\n", 1, 29),
            (
                "def f():\n    save_plotgroup('Activity')\n    open('x')\n",
                3,
                5,
            ),
            ("def f():\n    measure_or_pref(**opts)\n", 2, 5),
            ("def f():\n    def g(): pass\n", 2, 5),
            ("def f():\n    return 1\n", 2, 5),
            ("def f():\n    (lambda: 1)()\n", 2, 5),
            ("def f(): pattern_present(inputs=undefined_name)\n", 1, 33),
        ];
        for (text, line, col) in cases {
            let cmd = parse_commands(&[c(text)]).unwrap_err();
            let model = load_model_source("m.ty", text, &[]).unwrap_err();
            assert_eq!(
                (cmd.file.as_str(), cmd.line, cmd.col),
                ("<-c>", line, col),
                "{text:?}: {cmd}"
            );
            assert_eq!(
                (model.file.as_str(), model.line, model.col, &model.message),
                ("m.ty", cmd.line, cmd.col, &cmd.message),
                "{text:?}"
            );
        }
    }

    #[test]
    fn functions_with_parameters_are_refused_in_c_but_may_be_defined_in_a_model() {
        for text in ["def f(a):\n    measure_or_pref()\n", "def f(*args): pass\n"] {
            let cmd = parse_commands(&[c(text)]).unwrap_err();
            assert_eq!((cmd.line, cmd.col), (1, 1), "{cmd}");
            assert!(cmd.message.contains("functions with parameters"), "{cmd}");
            // a model file may define helpers it never calls (lissom.ty)
            load_model_source("m.ty", text, &[]).unwrap();
            let e = load_model_source("m.ty", &format!("{text}f(1)\n"), &[]).unwrap_err();
            assert!(e.message.contains("calling 'f' is not supported"), "{e}");
        }
    }

    #[test]
    fn undefined_analysis_fn_is_located() {
        let without = TempModel::new("without", "x = 1\n");
        let text = format!(
            "run_batch('{}', times=[1], analysis_fn=my_analyss)",
            without.path()
        );
        let e = parse_commands(&[c(&text)]).unwrap_err();
        let col = text.find("my_analyss").unwrap() + 1;
        assert_eq!((e.file.as_str(), e.line, e.col), ("<-c>", 1, col), "{e}");
        assert!(
            e.message.contains("'my_analyss' is not defined") && e.message.contains("-c"),
            "{e}"
        );
        // Defined only after the run_batch: too late, as in Python.
        let e = parse_commands(&[c(&text), c("def my_analyss(): pass")]).unwrap_err();
        assert_eq!((e.line, e.col), (1, col), "{e}");
        // Multi-line -c: the line of the reference.
        let e = parse_commands(&[c(&format!("import topo\n\n{text}"))]).unwrap_err();
        assert_eq!((e.line, e.col), (3, col), "{e}");
    }

    #[test]
    fn analysis_fn_of_the_model_file_or_an_unreadable_one_is_left_to_the_run() {
        let with = TempModel::new("with", "if True:\n    def from_model():\n        pass\n");
        let out = parse_commands(&[c(&format!(
            "run_batch('{}', analysis_fn=from_model)",
            with.path()
        ))])
        .unwrap();
        assert_eq!(analysis_fn(&out[0]), &Value::Function("from_model".into()));
        // A missing model file is reported by the run itself.
        let out = parse_commands(&[c("run_batch('no/such.ty', analysis_fn=g)")]).unwrap();
        assert_eq!(analysis_fn(&out[0]), &Value::Function("g".into()));
        // A -c function needs no model file.
        let out = parse_commands(&[
            c("def g(): pass"),
            c("run_batch('no/such.ty', analysis_fn=g)"),
        ])
        .unwrap();
        assert_eq!(out.len(), 2);
    }
}
