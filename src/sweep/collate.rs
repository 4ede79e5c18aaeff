//! Collation: every run's scalar results into one table (CSV and HDF5).
//!
//! A run's results file is `<run folder>/<simname>.h5`. Every scalar
//! (a dataset of one element, or a numeric attribute) under
//! `/analysis/<time>/` becomes a column named by its path below the time
//! group (`V1/mean_activity`; an attribute `a` of object `V1/or` is
//! `V1/or/a`). The table has one row per run and analysis time; a run
//! without results (failed, pending) still has one row, so the CSV shows
//! the whole sweep. A result whose name is taken by a fixed column or a
//! parameter is renamed `result.<name>`. Files are read one at a time,
//! serially.

use super::manifest::{Manifest, RunRecord, RunState};
use super::space::ParamValue;
use super::CollateArgs;
use anyhow::{bail, Context, Result};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Columns every table has besides parameters and results.
pub const FIXED_COLUMNS: [&str; 4] = ["run", "folder", "state", "time"];

pub use super::table::{Row, Table};

/// The results file of a run folder: `<simname>.h5` if present, else the
/// one `.h5` there that has an `/analysis` group.
pub fn results_file(run_dir: &Path, simname: &str) -> Option<PathBuf> {
    let preferred = run_dir.join(format!("{simname}.h5"));
    if preferred.is_file() {
        return Some(preferred);
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir(run_dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "h5"))
        .filter(|p| {
            hdf5::File::open(p)
                .map(|f| f.link_exists("analysis"))
                .unwrap_or(false)
        })
        .collect();
    found.sort();
    (found.len() == 1).then(|| found.remove(0))
}

/// Scalars of one analysis time: name -> value.
pub type Scalars = BTreeMap<String, f64>;

/// Scalars in one results file: time group name -> (time, scalars).
pub fn read_scalars(path: &Path) -> Result<BTreeMap<String, (f64, Scalars)>> {
    let f = hdf5::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut out = BTreeMap::new();
    if !f.link_exists("analysis") {
        return Ok(out);
    }
    // A damaged file is an error naming the file and the object, never a
    // blank or wrong cell in the table.
    let damaged = |what: &str| {
        format!(
            "{}: damaged results file: cannot read {what}",
            path.display()
        )
    };
    let analysis = f.group("analysis").with_context(|| damaged("/analysis"))?;
    for tname in analysis
        .member_names()
        .with_context(|| damaged("/analysis"))?
    {
        let Ok(time) = tname.trim().parse::<f64>() else {
            continue;
        };
        let tg = analysis
            .group(&tname)
            .with_context(|| damaged(&format!("/analysis/{tname}")))?;
        let mut values = BTreeMap::new();
        collect_group(&tg, "", &mut values)
            .with_context(|| damaged(&format!("/analysis/{tname}")))?;
        // The time group's own `time` attribute repeats its name.
        if values.get("time") == Some(&time) {
            values.remove("time");
        }
        out.insert(tname, (time, values));
    }
    Ok(out)
}

fn collect_group(g: &hdf5::Group, prefix: &str, out: &mut BTreeMap<String, f64>) -> Result<()> {
    collect_attrs(g, prefix, out);
    for name in g.member_names()? {
        let path = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}/{name}")
        };
        if let Ok(sub) = g.group(&name) {
            collect_group(&sub, &path, out)?;
        } else if let Ok(ds) = g.dataset(&name) {
            let dtype = ds.dtype();
            if let Err(e) = &dtype {
                anyhow::bail!("the type of {path}: {e}");
            }
            if ds.size() == 1 && is_numeric(&dtype) {
                let v = ds
                    .read_raw::<f64>()
                    .with_context(|| format!("the value of {path}"))?;
                out.insert(path.clone(), v[0]);
            }
            collect_attrs(&ds, &path, out);
        }
    }
    Ok(())
}

fn collect_attrs(loc: &hdf5::Location, prefix: &str, out: &mut BTreeMap<String, f64>) {
    let Ok(names) = loc.attr_names() else { return };
    for a in names {
        let Ok(attr) = loc.attr(&a) else { continue };
        if attr.size() != 1 || !is_numeric(&attr.dtype()) {
            continue;
        }
        if let Ok(v) = attr.read_raw::<f64>() {
            let key = if prefix.is_empty() {
                a
            } else {
                format!("{prefix}/{a}")
            };
            out.insert(key, v[0]);
        }
    }
}

fn is_numeric(dt: &hdf5::Result<hdf5::Datatype>) -> bool {
    use hdf5::types::TypeDescriptor as T;
    matches!(
        dt.as_ref().ok().and_then(|d| d.to_descriptor().ok()),
        Some(T::Integer(_) | T::Unsigned(_) | T::Float(_) | T::Boolean)
    )
}

/// Collate the sweep in `dir`: `wanted` limits the result columns (empty:
/// all).
pub fn collate_dir(dir: &Path, wanted: &[String]) -> Result<Table> {
    let m = Manifest::load(dir)?;
    let mut opts = crate::batch::naming::NameOptions::new(&m.script, &m.timestamp);
    opts.tag = m.config.tag.clone().unwrap_or_default();
    let simname = opts.simname();
    let mut table = Table::default();
    let mut names = BTreeSet::new();
    for run in &m.runs {
        for (p, _) in &run.params {
            if !table.params.contains(p) {
                table.params.push(p.clone());
            }
        }
        let folder = run
            .folder
            .clone()
            .or_else(|| super::folder::find_run_folder(dir, &m, run));
        let file = folder
            .as_ref()
            .and_then(|f| results_file(&dir.join(f), &simname));
        let scalars = match &file {
            Some(p) => read_scalars(p)?,
            None => BTreeMap::new(),
        };
        if run.state == RunState::Done {
            check_done_run(dir, run, folder.as_deref(), file.as_deref(), &m, &scalars)?;
        }
        let base = |time, results| Row {
            run: run.index,
            folder: folder.clone().unwrap_or_default(),
            state: state_word(run),
            params: run.params.clone(),
            time,
            results,
        };
        if scalars.is_empty() {
            table.rows.push(base(None, BTreeMap::new()));
        }
        let mut by_time: Vec<(f64, BTreeMap<String, f64>)> = scalars.into_values().collect();
        by_time.sort_by(|a, b| a.0.total_cmp(&b.0));
        for (time, values) in by_time {
            // A result named like a fixed column or a parameter is renamed,
            // so every column name stays unique.
            let mut values: BTreeMap<String, f64> = values
                .into_iter()
                .map(|(k, v)| {
                    let clash = FIXED_COLUMNS.contains(&k.as_str())
                        || run.params.iter().any(|(p, _)| *p == k);
                    (if clash { format!("result.{k}") } else { k }, v)
                })
                .collect();
            if !wanted.is_empty() {
                values.retain(|k, _| wanted.contains(k));
            }
            names.extend(values.keys().cloned());
            table.rows.push(base(Some(time), values));
        }
    }
    for w in wanted {
        if !names.contains(w) {
            bail!("no run has a result named '{w}' (see the CSV of all results without --result)");
        }
    }
    table.results = names.into_iter().collect();
    Ok(table)
}

/// A run the manifest calls done must have readable results: a missing or
/// unreadable results file, or one without its `/analysis` group (unless
/// the sweep ran with `--analysis none`), is damage to report, never a row
/// of blank cells.
fn check_done_run(
    dir: &Path,
    run: &RunRecord,
    folder: Option<&str>,
    file: Option<&Path>,
    m: &Manifest,
    scalars: &BTreeMap<String, (f64, Scalars)>,
) -> Result<()> {
    let Some(folder) = folder else {
        bail!(
            "run {} is recorded as done, but its run folder is not in {}",
            run.index,
            dir.display()
        );
    };
    let run_dir = dir.join(folder);
    let Some(file) = file else {
        // Name the candidates that could not be read as HDF5.
        let mut bad: Vec<String> = std::fs::read_dir(&run_dir)
            .map(|rd| {
                rd.filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| {
                        p.extension().is_some_and(|e| e == "h5")
                            && !p.to_string_lossy().ends_with(".snapshot.h5")
                    })
                    .map(|p| match hdf5::File::open(&p) {
                        Err(e) => format!("{}: not a readable HDF5 file ({e})", p.display()),
                        Ok(_) => format!("{}: has no /analysis group", p.display()),
                    })
                    .collect()
            })
            .unwrap_or_default();
        bad.sort();
        bail!(
            "run {} is recorded as done, but {} holds no readable results file{}",
            run.index,
            run_dir.display(),
            if bad.is_empty() {
                String::new()
            } else {
                format!(": {}", bad.join("; "))
            }
        );
    };
    let no_analysis = m
        .config
        .run_args
        .windows(2)
        .any(|w| w[0] == "--analysis" && w[1] == "none")
        || m.config.run_args.iter().any(|a| a == "--analysis=none");
    if scalars.is_empty() && !no_analysis {
        let has_group = hdf5::File::open(file).is_ok_and(|f| f.link_exists("analysis"));
        bail!(
            "{}: damaged results file: run {} is done but {}",
            file.display(),
            run.index,
            if has_group {
                "/analysis holds no analysis time"
            } else {
                "the file has no /analysis group"
            }
        );
    }
    Ok(())
}

fn state_word(r: &RunRecord) -> String {
    serde_json::to_value(r.state)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// A CSV field, quoted when needed.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn num(v: f64) -> String {
    if v.is_nan() {
        "nan".into()
    } else {
        format!("{v}")
    }
}

/// The table as CSV text.
pub fn to_csv(t: &Table) -> String {
    let mut header = vec!["run".to_string(), "folder".into(), "state".into()];
    header.extend(t.params.iter().cloned());
    header.push("time".into());
    header.extend(t.results.iter().cloned());
    let mut s = header
        .iter()
        .map(|h| csv_field(h))
        .collect::<Vec<_>>()
        .join(",");
    s.push('\n');
    for r in &t.rows {
        let mut f = vec![r.run.to_string(), csv_field(&r.folder), r.state.clone()];
        for p in &t.params {
            f.push(
                r.params
                    .iter()
                    .find(|(n, _)| n == p)
                    .map(|(_, v)| csv_field(&v.to_arg()))
                    .unwrap_or_default(),
            );
        }
        f.push(r.time.map(num).unwrap_or_default());
        for name in &t.results {
            f.push(r.results.get(name).copied().map(num).unwrap_or_default());
        }
        s.push_str(&f.join(","));
        s.push('\n');
    }
    s
}

/// The table as HDF5: group `/table` with one dataset per column (numbers
/// as f64 with NaN for missing, text as UTF-8 strings), named as in the CSV
/// with `/` replaced by `.`; the attribute `columns` lists the CSV names in
/// order.
pub fn write_h5(t: &Table, path: &Path) -> Result<()> {
    use hdf5::types::VarLenUnicode;
    let f =
        hdf5::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let g = f.create_group("table")?;
    let text_col = |name: &str, vals: Vec<String>| -> Result<()> {
        let v: Vec<VarLenUnicode> = vals
            .iter()
            .map(|s| {
                s.parse::<VarLenUnicode>()
                    .map_err(|e| anyhow::anyhow!("{e:?}"))
            })
            .collect::<Result<_>>()?;
        g.new_dataset_builder()
            .with_data(&v)
            .create(name.replace('/', ".").as_str())?;
        Ok(())
    };
    let num_col = |name: &str, vals: Vec<f64>| -> Result<()> {
        g.new_dataset_builder()
            .with_data(&vals)
            .create(name.replace('/', ".").as_str())?;
        Ok(())
    };
    let mut columns = vec!["run".to_string(), "folder".into(), "state".into()];
    num_col("run", t.rows.iter().map(|r| r.run as f64).collect())?;
    text_col("folder", t.rows.iter().map(|r| r.folder.clone()).collect())?;
    text_col("state", t.rows.iter().map(|r| r.state.clone()).collect())?;
    for p in &t.params {
        let vals: Vec<Option<&ParamValue>> = t
            .rows
            .iter()
            .map(|r| r.params.iter().find(|(n, _)| n == p).map(|(_, v)| v))
            .collect();
        if vals.iter().all(|v| v.is_none_or(|v| v.as_f64().is_some())) {
            num_col(
                p,
                vals.iter()
                    .map(|v| v.and_then(ParamValue::as_f64).unwrap_or(f64::NAN))
                    .collect(),
            )?;
        } else {
            text_col(
                p,
                vals.iter()
                    .map(|v| v.map(|v| v.to_arg()).unwrap_or_default())
                    .collect(),
            )?;
        }
        columns.push(p.clone());
    }
    num_col(
        "time",
        t.rows.iter().map(|r| r.time.unwrap_or(f64::NAN)).collect(),
    )?;
    columns.push("time".into());
    for name in &t.results {
        num_col(
            name,
            t.rows
                .iter()
                .map(|r| r.results.get(name).copied().unwrap_or(f64::NAN))
                .collect(),
        )?;
        columns.push(name.clone());
    }
    let list: VarLenUnicode = serde_json::to_string(&columns)?
        .parse()
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    g.new_attr::<VarLenUnicode>()
        .create("columns")?
        .write_scalar(&list)?;
    f.close()?;
    Ok(())
}

/// `topo-hpc collate`.
pub fn collate_command(args: &CollateArgs) -> Result<()> {
    let dir = &args.sweep_dir;
    let m = Manifest::load(dir)?;
    let table = collate_dir(dir, &args.results)?;
    let csv = args
        .output
        .clone()
        .unwrap_or_else(|| dir.join("collated.csv"));
    std::fs::write(&csv, to_csv(&table))
        .with_context(|| format!("cannot write {}", csv.display()))?;
    let h5 = csv.with_extension("h5");
    write_h5(&table, &h5)?;
    let with_results = table.rows.iter().filter(|r| r.time.is_some()).count();
    println!(
        "collated {} runs ({} rows with results, {} result columns) into {} and {}",
        m.runs.len(),
        with_results,
        table.results.len(),
        csv.display(),
        h5.display()
    );
    let log_x = |p: &str| m.space.iter().any(|s| s.contains(&format!("{p}=log:")));
    let page = super::report::write_sweep_html(dir, &table, &log_x)?;
    println!("report: {}", page.display());
    match (&args.plot, &args.against) {
        (Some(result), Some(param)) => {
            let png = args.figure.clone().unwrap_or_else(|| {
                let stem = csv
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let safe = |s: &str| s.replace(['/', ' '], "_");
                csv.with_file_name(format!("{stem}_{}_vs_{}.png", safe(result), safe(param)))
            });
            let log_x = m.space.iter().any(|s| s.contains(&format!("{param}=log:")));
            if png.extension().is_some_and(|e| e == "svg") {
                super::report::plot_svg(&table, result, param, args.at.as_deref(), log_x, &png)?;
            } else {
                super::plot::plot_result(&table, result, param, args.at.as_deref(), log_x, &png)?;
            }
            println!("figure: {}", png.display());
        }
        (None, None) => {}
        _ => bail!("--plot RESULT and --against PARAM go together"),
    }
    if let Some(target) = &args.archive {
        let out = super::archive::archive(dir, target.as_deref())?;
        println!("archive: {}", out.display());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_only_when_needed() {
        assert_eq!(csv_field("a=1"), "a=1");
        assert_eq!(csv_field("x,y"), "\"x,y\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }

    #[test]
    fn csv_layout() {
        let mut res = BTreeMap::new();
        res.insert("V1/mean".to_string(), 0.25);
        let t = Table {
            params: vec!["a".into(), "b".into()],
            results: vec!["V1/mean".into()],
            rows: vec![
                Row {
                    run: 0,
                    folder: "f,a=1".into(),
                    state: "done".into(),
                    params: vec![("a".into(), ParamValue::Int(1))],
                    time: Some(5.0),
                    results: res,
                },
                Row {
                    run: 1,
                    folder: String::new(),
                    state: "failed".into(),
                    params: vec![("b".into(), ParamValue::Float(0.5))],
                    time: None,
                    results: BTreeMap::new(),
                },
            ],
        };
        assert_eq!(
            to_csv(&t),
            "run,folder,state,a,b,time,V1/mean\n0,\"f,a=1\",done,1,,5,0.25\n1,,failed,,0.5,,\n"
        );
    }
}
