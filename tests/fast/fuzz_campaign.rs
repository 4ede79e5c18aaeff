//! Fuzz campaign (issue 16): the model language, the `-c`/`-p` command
//! line and the snapshot reader, with inputs mutated from this repository's
//! own model files (`examples/*.ty`), must fail with errors, never panic.
//!
//! Each target runs `FUZZ_CASES` executions (default: a short CI run);
//! `FUZZ_CASES=400000 cargo test --release --test fast fuzz_campaign -- --nocapture`
//! is the long campaign. Every target prints how many executions it made.

use crate::mutation::{edits, mutate};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::path::PathBuf;

fn cases(default: u32) -> u32 {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn runner(n: u32) -> TestRunner {
    TestRunner::new(Config {
        cases: n,
        failure_persistence: None,
        max_shrink_iters: 200,
        ..Config::default()
    })
}

const EXAMPLES: &[&str] = &["tiny.ty", "gcal.ty", "lissom_oo_or.ty", "som_retinotopy.ty"];

fn examples() -> Vec<String> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples");
    EXAMPLES
        .iter()
        .map(|f| std::fs::read_to_string(dir.join(f)).unwrap())
        .collect()
}

/// Small programs: each example's statements, one top-level chunk (up to
/// the next line that starts in column 0) at a time, with the imports.
fn chunks() -> Vec<String> {
    let mut out = Vec::new();
    for text in examples() {
        let imports: String = text
            .lines()
            .filter(|l| l.starts_with("import ") || l.starts_with("from "))
            .map(|l| format!("{l}\n"))
            .collect();
        let mut cur = String::new();
        for line in text.lines() {
            let top = !line.starts_with([' ', '\t', ')', ']', '}']) && !line.is_empty();
            if top && !cur.trim().is_empty() {
                out.push(format!("{imports}{cur}"));
                cur.clear();
            }
            cur.push_str(line);
            cur.push('\n');
        }
        out.push(format!("{imports}{cur}"));
    }
    out
}

#[test]
fn model_language() {
    let corpus = chunks();
    let n = cases(3000);
    let count = std::cell::Cell::new(0u64);
    runner(n)
        .run(&(0..corpus.len(), edits()), |(w, e)| {
            count.set(count.get() + 1);
            let text = mutate(&corpus[w], &e);
            let r =
                std::panic::catch_unwind(|| topo_lang::load_model_source("fuzz.ty", &text, &[]));
            prop_assert!(r.is_ok(), "panicked on:\n{}", text);
            if let Ok(Err(err)) = &r {
                prop_assert!(
                    err.file != "<internal>",
                    "internal panic on:\n{text}\n{err}"
                );
            }
            Ok(())
        })
        .unwrap();
    println!("fuzz model_language: {} executions, 0 panics", count.get());
}

#[test]
fn command_line_c_and_p() {
    let corpus = [
        "run_batch('examples/tiny.ty', times=[1, 2], cortex_density=4)",
        "param.random_seed=7",
        "def f():\n    save_snapshot()\n",
        "topo.sim.run(10); save_snapshot('x.typ')",
        "run_batch('m.ty', analysis_fn=f, tag='t', snapshot=False, times=3)",
        "cortex_density=4",
        "retina_density=[1, 2.5, 'x']",
        "x=None",
    ];
    let n = cases(20000);
    let count = std::cell::Cell::new(0u64);
    runner(n)
        .run(
            &(prop::collection::vec((0..corpus.len(), 0u8..6, edits()), 1..4)),
            |items| {
                count.set(count.get() + 1);
                let mut argv = Vec::new();
                let mut lang = Vec::new();
                for (w, flag, e) in &items {
                    let text = mutate(corpus[*w], e);
                    let f = ["-c", "-p", "-a", "-o", "x.ty", "--output-path"][*flag as usize];
                    argv.push(f.to_string());
                    if f != "-a" && f != "x.ty" {
                        argv.push(text.clone());
                    }
                    lang.push(match f {
                        "-c" => topo_lang::CommandLineItem::Command(text.clone()),
                        "-p" => topo_lang::CommandLineItem::Param(text.clone()),
                        "-a" => topo_lang::CommandLineItem::AutoImport,
                        _ => topo_lang::CommandLineItem::File(text.clone()),
                    });
                    // `topo-hpc run -p`.
                    let _ = topo_hpc::cli::run_cmds::split_params(std::slice::from_ref(&text));
                }
                let a = std::panic::catch_unwind(|| topo_hpc::cli::legacy::parse(&argv));
                prop_assert!(a.is_ok(), "legacy::parse panicked on {argv:?}");
                let b = std::panic::catch_unwind(|| topo_lang::parse_commands(&lang));
                prop_assert!(b.is_ok(), "parse_commands panicked on {lang:?}");
                if let Ok(Err(err)) = &b {
                    prop_assert!(
                        err.file != "<internal>",
                        "internal panic on {lang:?}: {err}"
                    );
                }
                Ok(())
            },
        )
        .unwrap();
    println!(
        "fuzz command_line_c_and_p: {} executions, 0 panics",
        count.get()
    );
}

/// The snapshot reader past HDF5: a snapshot's `/meta/spec_json` and
/// `/meta/state_json` texts (mutated) and its arrays (served with mutated
/// shapes, lengths and values) go through the same parsing and
/// `import_state` a restore runs.
#[test]
fn snapshot_reader() {
    use topo_sim::state::ArrayData;
    let ctx = topo_hpc::par::Context::local();
    let tiny = examples().remove(0);
    let spec = topo_lang::load_model_source(
        "tiny.ty",
        &tiny,
        &[
            ("cortex_density".into(), "4".into()),
            ("retina_density".into(), "8".into()),
        ],
    )
    .unwrap();
    let mut sess = topo_hpc::session::Session::build(&ctx, spec.clone()).unwrap();
    sess.run_to(topo_spec::Time::from_int(2)).unwrap();
    let (arrays, state) = sess.net.export_state().unwrap();
    let spec_text = serde_json::to_string(&spec).unwrap();
    let state_text = serde_json::to_string(&state).unwrap();
    let sess = std::cell::RefCell::new(sess);
    let n = cases(3000);
    let count = std::cell::Cell::new(0u64);
    runner(n)
        .run(
            &(edits(), edits(), any::<bool>(), any::<u64>(), any::<u8>()),
            |(e_state, e_spec, touch_spec, pick, how)| {
                count.set(count.get() + 1);
                let st = mutate(&state_text, &e_state);
                let sp = if touch_spec {
                    mutate(&spec_text, &e_spec)
                } else {
                    spec_text.clone()
                };
                let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    let _ = serde_json::from_str::<topo_spec::ModelSpec>(&sp);
                    let Ok(state) = serde_json::from_str::<serde_json::Value>(&st) else {
                        return;
                    };
                    let target = (pick as usize) % arrays.len().max(1);
                    let mut read = |p: &str, start: &[usize], count: &[usize]| {
                        let i = arrays
                            .iter()
                            .position(|a| a.path == p)
                            .ok_or("no such array")?;
                        let a = &arrays[i];
                        // One rank exported everything: one hyperslab.
                        let whole = a.slabs.first();
                        if whole.map(|w| (&w.start[..], &w.count[..])) != Some((start, count)) {
                            return Err("hyperslab outside the array".to_string());
                        }
                        let mut data = a.data.clone();
                        if i == target {
                            match (&mut data, how % 4) {
                                (ArrayData::F64(d), 0) => d.truncate(d.len() / 2),
                                (ArrayData::F32(d), 0) => d.truncate(d.len() / 2),
                                (ArrayData::F64(d), 1) => d.push(1.0),
                                (ArrayData::F64(d), 2) if !d.is_empty() => d[0] = f64::MAX,
                                (ArrayData::I32(d), _) if !d.is_empty() => d[0] = i32::MIN,
                                _ => data = ArrayData::I32(vec![7; 3]),
                            }
                        }
                        Ok(data)
                    };
                    let mut guard = sess.borrow_mut();
                    let s = &mut *guard;
                    let _ = s.net.import_state(&state, &mut read, &mut s.ex);
                }));
                prop_assert!(r.is_ok(), "snapshot reader panicked on state {st:.300}");
                Ok(())
            },
        )
        .unwrap();
    println!("fuzz snapshot_reader: {} executions, 0 panics", count.get());
}
