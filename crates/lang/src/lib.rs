//! topo-lang: the interpreter for Topographica model files (`.ty`).
//!
//! A model file is Python; this crate parses it with `rustpython-parser`
//! and evaluates the declarative subset Topographica's models use into a
//! [`topo_spec::ModelSpec`]:
//!
//! * imports of the Topographica namespaces (`topo.*`, `imagen.*`,
//!   `numbergen`, `param`, `numpy`, `math`; the `optimized` / `_opt` /
//!   `_cython` names are aliases of the plain classes);
//! * assignments, arithmetic with Python 2 semantics (integer `/` floors),
//!   comparisons, `and`/`or`/`not`, conditional expressions, lists, tuples,
//!   dicts, `dict(...)`, list comprehensions, `for` over `range`/`xrange`/
//!   lists, `if`/`elif`/`else`, `%` formatting, `int`/`float`/`len`/`str`/
//!   `abs`/`min`/`max`/`round`/`sum`, `math.*`, `pi`;
//! * component constructors with keyword arguments (every parameter resolved
//!   with Topographica's defaults, see `classes.txt`), class-level defaults
//!   (`pattern.Gaussian.size = ...`) with param's inheritance, numbergen
//!   arithmetic (`0.0 + UniformRandom(...)` builds a `BinaryOperator`);
//! * `p.add(name=param.Number(...))` global parameters and `-p` overrides
//!   (type, bound and unused-name checks);
//! * `topo.sim['S'] = ...`, `topo.sim.connect(...)`,
//!   `topo.sim.schedule_command(t, 'text')`, the LISSOM `schedule_events`
//!   helper, `topo.sim.grid_layout` (ignored), `imagen.random.seed(...)`;
//! * the class-based `ModelGCAL` / `ExamplesGCAL` models;
//! * analysis settings (`FeatureMaps.selectivity_multiplier = ...`) and
//!   `def f():` bodies of command calls.
//!
//! It is a sandbox: model text cannot reach files, the OS or arbitrary
//! code. Everything else is an error `file:line:col: message`
//! ([`LangError`]). [`script_repr`] writes a model file that loads back to an
//! equal spec; [`parse_commands`] turns `-c` / `-p` / file / `-a` items into
//! [`topo_spec::TopCommand`]s.

mod build;
mod calls;
mod channel_ports;
mod colour_defs;
mod command;
mod component;
mod dynamic_time;
mod error;
mod expr;
mod from_value;
mod gcal;
mod gcal_colour;
mod gcal_dataset;
mod globals;
mod images;
mod interp;
mod limits;
mod lissom;
mod namespace;
mod numpyfn;
mod obj;
pub mod paths;
mod py2;
mod pyfmt;
mod registry;
mod repr;
mod sim;
mod sparse;
mod submodel;
mod userclass;

pub use command::{CommandLineItem, RUN_BATCH_OPTIONS};
pub use error::LangError;
pub use namespace::Message;
pub use repr::script_repr;

use error::Source;
use interp::{Interp, Override};
use rustpython_parser::ast;
use std::path::Path;
use std::rc::Rc;
use topo_spec::{ModelSpec, TopCommand, Value};

/// Parses a module, turning parser errors (and Python 2 `print` / `exec`
/// statements, which the Python 3 grammar rejects) into located errors.
pub(crate) fn parse_module(name: &str, text: &str) -> Result<Vec<ast::Stmt>, LangError> {
    let src = Source::new(name, text);
    if let Some(off) = too_deep(text) {
        return Err(src.error(off, "brackets nested too deeply"));
    }
    let parsed = std::panic::catch_unwind(|| {
        rustpython_parser::parse(text, rustpython_parser::Mode::Module, name)
    });
    match parsed {
        Ok(Ok(ast::Mod::Module(m))) => Ok(m.body),
        Ok(Ok(_)) => Err(src.error(0, "not a module")),
        Ok(Err(e)) => {
            let off = e.offset.to_usize();
            let (line, _) = src.lines.locate(off);
            let lt = src.lines.line_text(line).trim_start();
            let indent = src.lines.line_text(line).len() - lt.len();
            for kw in ["print", "exec"] {
                if lt.starts_with(kw) && lt[kw.len()..].starts_with([' ', '"', '\'']) {
                    let (l, _) = src.lines.locate(off);
                    let what = if kw == "print" {
                        "Python 2 print statement is not supported here: `print >>file, ...` writes to a file (model files cannot), and scheduled commands print nothing"
                    } else {
                        "exec is not supported: model files cannot run code from strings"
                    };
                    return Err(LangError::new(name, l, indent + 1, what));
                }
            }
            Err(src.error(off, format!("syntax error: {}", e.error)))
        }
        Err(_) => Err(src.error(0, "syntax error: the parser could not handle this text")),
    }
}

/// Offset of the first bracket nested deeper than the parser may safely
/// recurse (strings are not skipped: this only bounds the worst case).
fn too_deep(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, b) in text.bytes().enumerate() {
        match b {
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > 300 {
                    return Some(i);
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// Runs `f` on a thread with a large stack: parsing and dropping deeply
/// nested syntax trees recurse, and a stack overflow cannot be caught.
fn with_big_stack<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, LangError> + Send + 'static,
) -> Result<T, LangError> {
    let handle = std::thread::Builder::new().stack_size(256 << 20).spawn(f);
    match handle {
        Ok(h) => h.join().unwrap_or_else(|_| {
            Err(LangError::new(
                "<internal>",
                0,
                0,
                "internal error while reading the model (please report)",
            ))
        }),
        Err(e) => Err(LangError::new(
            "<internal>",
            0,
            0,
            format!("cannot start the interpreter thread: {e}"),
        )),
    }
}

/// Loads a model file, applying `-p` overrides (`(name, value text)` in
/// command-line order).
pub fn load_model(path: &Path, overrides: &[(String, String)]) -> Result<ModelSpec, LangError> {
    let name = path.display().to_string();
    let text = limits::read_model_file(path)
        .map_err(|e| LangError::new(&name, 0, 0, format!("cannot read model file: {e}")))?;
    load_model_source(&name, &text, overrides)
}

/// [`load_model`] in a namespace where `param.random_seed` is already
/// `seed` (set by a `-c` before the file runs, as Topographica executes
/// `-c` text and then the model file in the same `__main__`): the file
/// sees that value, and an assignment of its own replaces it.
pub fn load_model_seeded(
    path: &Path,
    overrides: &[(String, String)],
    seed: i64,
) -> Result<ModelSpec, LangError> {
    let name = path.display().to_string();
    let text = limits::read_model_file(path)
        .map_err(|e| LangError::new(&name, 0, 0, format!("cannot read model file: {e}")))?;
    let overrides = texts(overrides);
    with_big_stack(move || load_in_thread(&name, &text, &overrides, seed))
}

/// How [`load_model_with`] reads a model file.
#[derive(Clone, Debug)]
pub struct LoadOptions {
    /// `param.random_seed` before the file runs (see [`load_model_seeded`]).
    pub seed: i64,
    /// `-p` names the model never declares become warnings ("'x' is
    /// unused.", as Topographica's `check_for_unused_names` prints) instead
    /// of errors.
    pub allow_unused_params: bool,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            seed: topo_spec::ParamRandomSeed::DEFAULT.0,
            allow_unused_params: false,
        }
    }
}

/// A loaded model and what its file printed or warned about.
#[derive(Clone, Debug)]
pub struct Loaded {
    /// The model.
    pub spec: ModelSpec,
    /// `print` output and warnings, in order (for the run's `.out`).
    pub messages: Vec<Message>,
}

/// [`load_model`] with options, keeping the file's printed text and
/// warnings. The overrides are values already evaluated (see
/// [`parse_param`]), in command-line order: they reach the model as they
/// are, never printed and read again.
pub fn load_model_with(
    path: &Path,
    overrides: &[(String, Value)],
    opts: &LoadOptions,
) -> Result<Loaded, LangError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| LangError::new(&name, 0, 0, format!("cannot read model file: {e}")))?;
    let overrides = typed(overrides);
    let opts = opts.clone();
    with_big_stack(move || load_full(&name, &text, &overrides, &opts))
}

/// [`load_model_with`] for model text under a file name.
pub fn load_source_with(
    name: &str,
    source: &str,
    overrides: &[(String, Value)],
    opts: &LoadOptions,
) -> Result<Loaded, LangError> {
    let (name, source, overrides) = (name.to_string(), source.to_string(), typed(overrides));
    let opts = opts.clone();
    with_big_stack(move || load_full(&name, &source, &overrides, &opts))
}

/// Evaluates one `-p NAME=VALUE` (the value is a Python expression over
/// literals, `topo`, `imagen`, `numbergen`, `numpy`, `math`), giving the
/// name and the value the model will see. Errors are located in the text
/// (`<-p NAME=VALUE>:1:col`).
pub fn parse_param(text: &str) -> Result<(String, Value), LangError> {
    let text = text.to_string();
    with_big_stack(move || eval_param(&text))
}

fn eval_param(text: &str) -> Result<(String, Value), LangError> {
    let (name, value, src, off) = command::parse_p(text)?;
    let it = Interp::new(Source::new(&src.name, text));
    let value = it
        .to_value(&value, off)
        .map_err(|e| src.error(off, e.message))?;
    Ok((name, value))
}

/// A `-p` override as the loader gets it.
#[derive(Clone)]
enum OverrideInput {
    /// `NAME=VALUE` text, evaluated when the model loads.
    Text(String, String),
    /// A value evaluated before.
    Value(String, Value),
}

fn typed(overrides: &[(String, Value)]) -> Vec<OverrideInput> {
    overrides
        .iter()
        .map(|(n, v)| OverrideInput::Value(n.clone(), v.clone()))
        .collect()
}

fn texts(overrides: &[(String, String)]) -> Vec<OverrideInput> {
    overrides
        .iter()
        .map(|(n, v)| OverrideInput::Text(n.clone(), v.clone()))
        .collect()
}

/// Loads model text under a file name (for messages and `source`).
pub fn load_model_source(
    name: &str,
    source: &str,
    overrides: &[(String, String)],
) -> Result<ModelSpec, LangError> {
    let (name, source, overrides) = (name.to_string(), source.to_string(), texts(overrides));
    with_big_stack(move || {
        load_in_thread(
            &name,
            &source,
            &overrides,
            topo_spec::ParamRandomSeed::DEFAULT.0,
        )
    })
}

fn load_in_thread(
    name: &str,
    source: &str,
    overrides: &[OverrideInput],
    seed: i64,
) -> Result<ModelSpec, LangError> {
    let opts = LoadOptions {
        seed,
        allow_unused_params: false,
    };
    load_full(name, source, overrides, &opts).map(|l| l.spec)
}

fn load_full(
    name: &str,
    source: &str,
    overrides: &[OverrideInput],
    opts: &LoadOptions,
) -> Result<Loaded, LangError> {
    let normalized = py2::normalize(source);
    let module = parse_module(name, &normalized)?;
    let mut it = Interp::new(Source::new(name, &normalized));
    it.param_random_seed = opts.seed;
    it.allow_unused = opts.allow_unused_params;
    it.allow_unused_defs = true;
    for o in overrides {
        let (pname, value, src, offset) = match o {
            OverrideInput::Text(n, v) => command::parse_p(&format!("{n}={v}"))?,
            OverrideInput::Value(n, v) => {
                // Messages about the value point into its Python text.
                let text = format!("{n}={}", topo_spec::pyfmt::literal(v));
                let src = Source::new(&format!("<-p {text}>"), &text);
                (n.clone(), it.obj_of_value(v), src, n.len() + 1)
            }
        };
        it.overrides.push(Override {
            name: pname,
            value,
            source: Rc::new(src),
            offset,
            used: false,
        });
    }
    it.run_module(&module)?;
    it.check_unused_overrides()?;
    let spec = it.build_spec(name)?;
    it.check_time_fn_none(&spec)?;
    Ok(Loaded {
        spec,
        messages: std::mem::take(&mut it.messages),
    })
}

/// Parses command-line items (`-c`, `-p`, script files, `-a`) in order.
///
/// A `def name(): ...` in `-c` text becomes [`TopCommand::DefineFunction`]
/// (checked as a model file's `def` is, errors located `<-c>:line:col`) and
/// stays visible to later `-c` items. `run_batch(..., analysis_fn=name)`
/// needs `name` defined by an earlier `-c` or by the model file; to tell
/// which, the model file named in the `run_batch` is read (only parsed, not
/// run) when `name` is not a `-c` function.
pub fn parse_commands(items: &[CommandLineItem]) -> Result<Vec<TopCommand>, LangError> {
    let items = items.to_vec();
    with_big_stack(move || commands_in_thread(&items))
}

fn commands_in_thread(items: &[CommandLineItem]) -> Result<Vec<TopCommand>, LangError> {
    let mut out = Vec::new();
    let mut scope = command::CommandScope::default();
    for item in items {
        match item {
            CommandLineItem::Command(text) => command::parse_c(text, &mut scope, &mut out)?,
            CommandLineItem::Param(text) => {
                let (name, value) = eval_param(text)?;
                out.push(TopCommand::SetGlobalParam { name, value });
            }
            CommandLineItem::File(path) => out.push(TopCommand::ExecFile {
                script: path.clone(),
            }),
            CommandLineItem::AutoImport => out.push(TopCommand::Call(topo_spec::Call {
                name: "auto_import_commands".into(),
                args: Vec::new(),
                kwargs: Vec::new(),
                location: "<-a>:1:1".into(),
            })),
        }
    }
    Ok(out)
}
