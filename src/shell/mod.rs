//! Topographica's command shell: the items of its own command line
//! (`topo/misc/commandline.py`'s `-c`, `-p`, files, `-o`), run in order: `-p` before `run_batch`
//! sets a parameter without putting it in the folder name, commands after
//! `run_batch` act on the simulation it left and write into its folder,
//! commands before it write into the output root.
//!
//! A `def name(): ...` in a `-c` is remembered from there on, as Python
//! keeps it in `__main__`; `run_batch(..., analysis_fn=name)` then runs the
//! `-c` function even when the model file also defines `name`: Python
//! evaluates the argument when run_batch is called, before run_batch
//! executes the model file, so the model file's later `def` only rebinds
//! the global name, not the function run_batch already holds. A name no
//! `-c` defined falls back to the model file's `def` (topo-hpc's extension:
//! in Topographica that name would not exist yet). A `-c` function is not
//! part of the model: the run's script_repr and snapshots do not hold it.

mod item;

pub use item::Item;

use crate::analysis_fn::AnalysisPlan;
use crate::batch::naming::NameOptions;
use crate::batch::outlog::OutLog;
use crate::batch::run::{
    default_output_root, now_timestamp, run_batch, save_script_repr, script_base, BatchOptions,
};
use crate::batch::times::{scaled_default, times_from_list};
use crate::par::Context;
use crate::session::Session;
use anyhow::{anyhow, bail, Context as _, Result};
use std::collections::BTreeMap;
use std::path::PathBuf;
use topo_lang::CommandLineItem;
use topo_spec::{Call, FunctionSpec, TopCommand, Value};

/// A value in messages: Python's `repr` (`topo_spec::pyfmt`).
pub fn literal(v: &Value) -> String {
    topo_spec::pyfmt::repr(v)
}

struct Shell {
    /// Where output goes: the output root, then the run folder.
    prefix: PathBuf,
    /// `-p` given before run_batch / a script, as values.
    preset: Vec<(String, Value)>,
    /// The current simulation and its base name.
    current: Option<(Session, String)>,
    /// The folder of the model file last run (searched for input files).
    model_dir: Option<PathBuf>,
    /// The output root as `-o` (or the default) set it.
    root: PathBuf,
    /// Functions `-c` texts defined so far, by name (the latest wins).
    functions: BTreeMap<String, FunctionSpec>,
    /// `param.random_seed` as the `-c` texts so far left it.
    random_seed: i64,
    errors: usize,
}

impl Shell {
    /// Where `load_snapshot` and script names are looked up: the working
    /// directory, the last model file's folder, where output goes now (the
    /// run folder after run_batch, so a just-saved snapshot loads back by
    /// name), the output root, then `$TOPO_HPC_PATH`.
    fn search_path(&self) -> crate::paths::SearchPath {
        let mut dirs: Vec<PathBuf> = self.model_dir.iter().cloned().collect();
        dirs.push(self.prefix.clone());
        dirs.push(self.root.clone());
        crate::paths::SearchPath::new(dirs)
    }
}

fn opt<'a>(options: &'a [(String, Value)], name: &str) -> Option<&'a Value> {
    options.iter().find(|(n, _)| n == name).map(|(_, v)| v)
}

fn opt_str(options: &[(String, Value)], name: &str) -> Result<Option<String>> {
    match opt(options, name) {
        None => Ok(None),
        Some(Value::Str(s)) => Ok(Some(s.clone())),
        Some(Value::None) => Ok(None),
        Some(other) => bail!("run_batch: {name} must be a string, got {}", literal(other)),
    }
}

/// Run Topographica's form; returns the exit code.
pub fn run(ctx: &Context, argv: &[String], items: &[Item]) -> Result<i32> {
    let mut sh = Shell {
        prefix: default_output_root(),
        preset: Vec::new(),
        current: None,
        model_dir: None,
        root: PathBuf::new(),
        functions: BTreeMap::new(),
        random_seed: topo_spec::ParamRandomSeed::DEFAULT.0,
        errors: 0,
    };
    // -o applies wherever it stands, as Topographica sets the path first.
    let mut lang_items = Vec::new();
    for it in items {
        match it {
            Item::OutputPath(p) => sh.prefix = crate::paths::expand_user_str(p),
            Item::AutoImport => lang_items.push(CommandLineItem::AutoImport),
            Item::Command(c) => lang_items.push(CommandLineItem::Command(c.clone())),
            Item::Param(p) => lang_items.push(CommandLineItem::Param(p.clone())),
            Item::File(f) => lang_items.push(CommandLineItem::File(f.clone())),
        }
    }
    let commands = topo_lang::parse_commands(&lang_items).map_err(|e| anyhow!("{e}"))?;
    let root = sh.prefix.clone();
    sh.root = root.clone();
    for cmd in commands {
        match cmd {
            TopCommand::SetGlobalParam { name, value } => sh.preset.push((name, value)),
            TopCommand::ExecFile { script } => {
                let path = sh.search_path().resolve(&script, "model file")?;
                let load = topo_lang::LoadOptions {
                    seed: sh.random_seed,
                    allow_unused_params: true,
                };
                let topo_lang::Loaded { spec, messages } =
                    topo_lang::load_model_with(&path, &sh.preset, &load)
                        .map_err(|e| anyhow!("{e}"))?;
                if ctx.is_root() {
                    let log = OutLog::terminal(true);
                    crate::batch::run::log_messages(&log, &messages);
                }
                let sess = Session::build(ctx, spec)?;
                sh.current = Some((sess, script_base(&path)));
                sh.model_dir = Some(crate::paths::folder_of(&path));
            }
            TopCommand::Run { duration } => {
                let (sess, _) = sh.current.as_mut().ok_or_else(|| {
                    anyhow!("topo.sim.run: no model loaded (give a .ty file or run_batch first)")
                })?;
                let t = sess.net.time() + duration;
                sess.run_to(t)?;
            }
            TopCommand::RunBatch {
                script,
                options,
                params,
            } => {
                let out = run_batch_cmd(
                    ctx,
                    argv,
                    &root,
                    &sh.preset,
                    &sh.functions,
                    sh.random_seed,
                    &script,
                    &options,
                    &params,
                )?;
                sh.errors += out.errors;
                sh.prefix = out.dir.clone();
                sh.model_dir = Some(crate::paths::folder_of(&out.script));
                if let Some(s) = out.session {
                    sh.current = Some((s, out.simname));
                }
            }
            TopCommand::SetRandomSeed(seed) => sh.random_seed = seed,
            TopCommand::DefineFunction(f) => {
                sh.functions.insert(f.name.clone(), f);
            }
            TopCommand::Call(call) => builtin(ctx, &mut sh, &call)?,
        }
    }
    Ok(if sh.errors > 0 { 1 } else { 0 })
}

#[allow(clippy::too_many_arguments)]
fn run_batch_cmd(
    ctx: &Context,
    argv: &[String],
    root: &std::path::Path,
    preset: &[(String, Value)],
    functions: &BTreeMap<String, FunctionSpec>,
    random_seed: i64,
    script: &str,
    options: &[(String, Value)],
    params: &[(String, Value)],
) -> Result<crate::batch::run::BatchOutcome> {
    let times = match opt(options, "times") {
        None => scaled_default(1.0).map_err(|e| anyhow!(e))?,
        Some(Value::List(items)) => {
            let v: Result<Vec<f64>> = items
                .iter()
                .map(|x| {
                    x.as_f64()
                        .ok_or_else(|| anyhow!("run_batch: times must be numbers"))
                })
                .collect();
            times_from_list(&v?).map_err(|e| anyhow!(e))?
        }
        Some(v) => {
            let f = v
                .as_f64()
                .ok_or_else(|| anyhow!("run_batch: times must be a number or a list"))?;
            if !f.is_finite() || f < 0.0 {
                bail!("bad times: {f} is not a finite, non-negative number");
            }
            scaled_default(f).map_err(|e| anyhow!(e))?
        }
    };
    let ts = match opt_str(options, "timestamp")? {
        Some(t) => t,
        None => match opt_str(options, "name_time_format")? {
            Some(f) => {
                let mine = if ctx.is_root() {
                    crate::batch::run::format_now(&f)?
                } else {
                    String::new()
                };
                ctx.broadcast_string(&mine)
            }
            None => ctx.broadcast_string(&now_timestamp()),
        },
    };
    let path = PathBuf::from(script);
    let mut names = NameOptions::new(&script_base(&path), &ts);
    names.tag = opt_str(options, "tag")?.unwrap_or_default();
    names.dirname_prefix = opt_str(options, "dirname_prefix")?.unwrap_or_default();
    // topo-hpc's spelling of param_formatter's map: name_map={'cortex_density': 'cd'}.
    match opt(options, "name_map") {
        None => {}
        Some(Value::Dict(items)) => {
            for (k, v) in items {
                let alias = v
                    .as_str()
                    .ok_or_else(|| anyhow!("run_batch: name_map values must be strings"))?;
                names
                    .name_map
                    .push((k.clone(), crate::batch::naming::safe_component(alias)));
            }
        }
        Some(other) => bail!(
            "run_batch: name_map must be a dict of strings, got {}",
            literal(other)
        ),
    }
    if let Some(v) = opt(options, "max_name_length") {
        names.max_name_length =
            v.as_f64()
                .ok_or_else(|| anyhow!("max_name_length must be a number"))? as usize;
    }
    let output_root = match opt_str(options, "output_directory")? {
        Some(d) => root.join(d),
        None => root.to_path_buf(),
    };
    let analysis = match opt(options, "analysis_fn") {
        None => AnalysisPlan::topographica_default(),
        Some(Value::Str(s)) => AnalysisPlan::parse(s).map_err(|e| anyhow!(e))?,
        Some(Value::Function(name)) => match functions.get(name) {
            Some(f) => {
                // Checked here, before run_batch makes its folder and trains.
                crate::analysis_fn::user::check_function(f)?;
                AnalysisPlan::command_line_function(f)
            }
            None => AnalysisPlan::user_function(name),
        },
        Some(other) => bail!("run_batch: analysis_fn {} is not supported", literal(other)),
    };
    let snapshot = match opt(options, "snapshot") {
        None => true,
        Some(Value::Bool(b)) => *b,
        Some(other) => bail!(
            "run_batch: snapshot must be True or False, got {}",
            literal(other)
        ),
    };
    let save_script_repr = match opt(options, "save_script_repr") {
        None => crate::batch::run::ScriptReprPolicy::First,
        Some(Value::None) => crate::batch::run::ScriptReprPolicy::None,
        Some(Value::Str(s)) => s.parse().map_err(|e: String| anyhow!(e))?,
        Some(other) => bail!("run_batch: bad save_script_repr {}", literal(other)),
    };
    let progress = !matches!(opt(options, "progress_bar"), Some(Value::Str(s)) if s == "disabled");
    let o = BatchOptions {
        script: path,
        params: params.to_vec(),
        preset: preset.to_vec(),
        times,
        output_root,
        analysis,
        names,
        snapshot,
        restore: None,
        save_script_repr,
        progress,
        decomposition_report: false,
        random_seed,
        // Topographica's form warns about unused -p names and runs
        allow_unused_params: true,
    };
    let log = OutLog::terminal(ctx.is_root());
    run_batch(ctx, argv, &o, &log)
}

/// The run name in a snapshot file's name: `<simname>_<timestr>.snapshot.h5`
/// gives `<simname>` (which may hold `_` itself); other names lose only
/// their extension.
fn snapshot_simname(path: &std::path::Path) -> String {
    let file = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match file.strip_suffix(".snapshot.h5") {
        Some(stem) => match stem.rsplit_once('_') {
            Some((name, time)) if !name.is_empty() && time.parse::<f64>().is_ok() => {
                name.to_string()
            }
            _ => stem.to_string(),
        },
        None => file
            .rsplit_once('.')
            .map(|(stem, _)| stem.to_string())
            .unwrap_or(file),
    }
}

fn builtin(ctx: &Context, sh: &mut Shell, call: &Call) -> Result<()> {
    match call.name.as_str() {
        // `-a`: every command is always available in topo-hpc.
        "auto_import_commands" => Ok(()),
        "save_script_repr" => {
            if ctx.is_root() {
                std::fs::create_dir_all(&sh.prefix)
                    .with_context(|| format!("cannot create {}", sh.prefix.display()))?;
                match &sh.current {
                    Some((sess, name)) => {
                        let p = save_script_repr(&sess.spec, &sh.prefix, name, sess.net.time())?;
                        crate::console::log_line(&format!("Saved {}", p.display()));
                    }
                    None => {
                        // No simulation yet: Topographica writes the repr of an
                        // empty simulation.
                        let p = sh.prefix.join("topo-hpc_000000.00_script_repr.ty");
                        std::fs::write(&p, "# Generated by topo-hpc: empty simulation (no model loaded yet)\n")?;
                        crate::console::log_line(&format!("Saved {}", p.display()));
                    }
                }
            }
            Ok(())
        }
        "save_snapshot" => {
            let (sess, name) = sh
                .current
                .as_mut()
                .ok_or_else(|| anyhow!("{}: save_snapshot: no simulation to save", call.location))?;
            let (dir, base) = match call.args.first() {
                Some(Value::Str(f)) => {
                    // An absolute (or `~`) name replaces the output folder.
                    let p = sh.prefix.join(crate::paths::expand_user_str(f));
                    let dir = p.parent().map(PathBuf::from).unwrap_or_else(|| sh.prefix.clone());
                    let base = p
                        .file_name()
                        .map(|n| n.to_string_lossy().trim_end_matches(".h5").trim_end_matches(".typ").to_string())
                        .unwrap_or_else(|| name.clone());
                    (dir, base)
                }
                _ => (sh.prefix.clone(), name.clone()),
            };
            std::fs::create_dir_all(&dir).ok();
            let p = crate::io::restore::save_snapshot(ctx, sess, &dir, &base, None)?;
            if ctx.is_root() {
                crate::console::log_line(&format!("Saved snapshot {}", p.display()));
            }
            Ok(())
        }
        "load_snapshot" => {
            let Some(Value::Str(f)) = call.args.first() else {
                bail!("{}: load_snapshot needs a file name", call.location);
            };
            let path = sh.search_path().resolve(f, "snapshot")?;
            let comm = ctx.h5_access();
            let snap = crate::io::snapshot::Snapshot::open(&path, comm)?;
            let spec: topo_spec::ModelSpec = serde_json::from_str(&snap.spec_json()?)?;
            snap.close()?;
            let mut sess = Session::build(ctx, spec)?;
            crate::io::restore::restore(ctx, &mut sess, &path)?;
            let name = snapshot_simname(&path);
            sh.current = Some((sess, name));
            Ok(())
        }
        other if sh.functions.contains_key(other) => bail!(
            "{}: '{other}' is a -c analysis function; topo-hpc runs it only as run_batch's analysis_fn={other}",
            call.location
        ),
        other => bail!(
            "{}: '{other}' is not a command topo-hpc runs from the command line (supported: run_batch, topo.sim.run, save_snapshot, load_snapshot, save_script_repr)",
            call.location
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_is_python_repr_not_rust_debug() {
        // Before: `Dict([("a", Int(1))])`, `"it's"` and `Object(...)`.
        let d = Value::Dict(vec![("a".into(), Value::Str("it's".into()))]);
        assert_eq!(literal(&d), "{'a': \"it's\"}");
        assert_eq!(literal(&Value::Str("a\\b\n".into())), "'a\\\\b\\n'");
        assert_eq!(
            literal(&Value::Tuple(vec![Value::Int(1), Value::Int(2)])),
            "(1, 2)"
        );
        assert_eq!(literal(&Value::Float(1e-7)), "1e-07");
    }
}
