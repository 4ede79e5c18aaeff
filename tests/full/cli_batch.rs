//! run_batch end to end: the seed document's command lines, `topo-hpc run`,
//! the output folder and its files, under one and several MPI ranks, and
//! bad input (clear message, non-zero exit, nothing half-written).

use std::path::Path;
use std::process::{Command, Output};

use crate::run_mpi;

const BIN: &str = env!("CARGO_BIN_EXE_topo-hpc");

/// `topo-hpc ARGS` in `dir`, directly (ranks == 0) or under mpirun.
fn topo(dir: &Path, ranks: usize, args: &[&str]) -> Output {
    run_mpi::command(BIN, ranks)
        .current_dir(dir)
        .args(args)
        .output()
        .expect("cannot start topo-hpc")
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// `YYYYMMDDHHMM_` prefix check; returns the rest of the name.
fn after_timestamp(name: &str) -> &str {
    let (ts, rest) = name.split_at(12);
    assert!(
        ts.chars().all(|c| c.is_ascii_digit()),
        "no timestamp in {name}"
    );
    rest
}

fn check_seed_run(dir: &Path, expect_params: &str, times: &[&str], cortex_density: i64) {
    let name = dir.file_name().unwrap().to_string_lossy().into_owned();
    assert_eq!(after_timestamp(&name), format!("_tiny{expect_params}"));
    let simname = &name[..12 + "_tiny".len()];
    let files = names(dir);
    for f in [
        format!("{simname}.out"),
        format!("{simname}.ty"),
        format!("{simname}.global_params.json"),
        format!("{simname}.h5"),
        format!("{simname}_{}_script_repr.ty", times[0]),
        format!("{simname}_{}.snapshot.h5", times[times.len() - 1]),
    ] {
        assert!(
            files.contains(&f),
            "{f} missing in {}: {files:?}",
            dir.display()
        );
    }
    for t in times {
        let png = format!("{simname}_{t}_V1_Activity.png");
        assert!(files.contains(&png), "{png} missing: {files:?}");
    }
    assert!(
        !files.iter().any(|f| f.ends_with(".tmp")),
        "temporary left: {files:?}"
    );
    let out = std::fs::read_to_string(dir.join(format!("{simname}.out"))).unwrap();
    assert!(
        out.lines().next().unwrap().contains("topo-hpc"),
        "first line is not the command: {out}"
    );
    assert!(out.contains("There were 0 error(s)"), "{out}");
    let gp: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join(format!("{simname}.global_params.json"))).unwrap(),
    )
    .unwrap();
    // Python's run_batch hands an int to the Number parameter as is; the
    // model's own default is the float 5.0.
    let cd = &gp["global_params_all"]["cortex_density"];
    assert_eq!(cd.as_f64(), Some(cortex_density as f64), "{gp}");
}

/// Topographica's default analysis times (run_batch's `times=1.0`).
const DEFAULT_TIMES: [&str; 10] = [
    "000000.00",
    "000050.00",
    "000100.00",
    "000500.00",
    "001000.00",
    "002000.00",
    "003000.00",
    "004000.00",
    "005000.00",
    "010000.00",
];

/// The seed document's first two command lines, verbatim (binary name
/// swapped), on one and four ranks.
#[test]
fn seed_first_command_lines_one_and_four_ranks() {
    for ranks in [1, 4] {
        for (cmd, params) in [
            ("run_batch('examples/tiny.ty')", ""),
            (
                "run_batch('examples/tiny.ty',cortex_density=3)",
                ",cortex_density=3",
            ),
        ] {
            let w = run_mpi::workdir_with_example("tiny.ty");
            let o = topo(w.path(), ranks, &["-a", "-c", cmd]);
            assert!(o.status.success(), "{}", run_mpi::text(&o));
            let dir = run_mpi::only_dir(&w.path().join("Output"));
            check_seed_run(
                &dir,
                params,
                &DEFAULT_TIMES,
                if params.is_empty() { 5 } else { 3 },
            );
        }
    }
}

#[test]
fn seed_second_command_line_param_before_run_batch_is_not_in_the_name() {
    let w = run_mpi::workdir_with_example("tiny.ty");
    let o = topo(
        w.path(),
        4,
        &[
            "-a",
            "-c",
            "save_script_repr()",
            "-p",
            "cortex_density=3",
            "-c",
            "run_batch('examples/tiny.ty')",
            "-c",
            "save_snapshot()",
        ],
    );
    assert!(o.status.success(), "{}", run_mpi::text(&o));
    let root = w.path().join("Output");
    // save_script_repr before run_batch wrote into the output root.
    assert!(
        names(&root).iter().any(|f| f.ends_with("_script_repr.ty")),
        "{:?}",
        names(&root)
    );
    let dir = run_mpi::only_dir(&root);
    check_seed_run(&dir, "", &DEFAULT_TIMES, 3);
    // cortex_density=3 reached the model although it is not in the name.
    let simname = &dir.file_name().unwrap().to_string_lossy()[..17];
    let gp = std::fs::read_to_string(dir.join(format!("{simname}.global_params.json"))).unwrap();
    let gp: serde_json::Value = serde_json::from_str(&gp).unwrap();
    assert_eq!(
        gp["global_params_all"]["cortex_density"],
        serde_json::json!(3)
    );
    assert_eq!(gp["global_params_specified"], serde_json::json!({}));
}

#[test]
fn run_subcommand_names_folder_and_refuses_an_existing_one() {
    let w = run_mpi::workdir_with_example("tiny.ty");
    let args = [
        "run",
        "examples/tiny.ty",
        "-p",
        "cortex_density=3",
        "--times",
        "1,3",
        "--timestamp",
        "200710112056",
        "--output-path",
        "out",
        "--tag",
        "t1",
    ];
    let o = topo(w.path(), 0, &args);
    assert!(o.status.success(), "{}", run_mpi::text(&o));
    let dir = w.path().join("out/200710112056_tiny_t1,cortex_density=3");
    assert!(dir.is_dir(), "{:?}", names(&w.path().join("out")));
    let before: Vec<(String, std::time::SystemTime)> = names(&dir)
        .into_iter()
        .map(|n| {
            let m = std::fs::metadata(dir.join(&n)).unwrap().modified().unwrap();
            (n, m)
        })
        .collect();
    let again = topo(w.path(), 0, &args);
    assert!(
        !again.status.success(),
        "second run with the same folder must fail"
    );
    let msg = run_mpi::text(&again);
    assert!(msg.contains("directory already exists"), "{msg}");
    let after: Vec<(String, std::time::SystemTime)> = names(&dir)
        .into_iter()
        .map(|n| {
            let m = std::fs::metadata(dir.join(&n)).unwrap().modified().unwrap();
            (n, m)
        })
        .collect();
    assert_eq!(before, after, "the existing folder was touched");
}

#[test]
fn bad_input_fails_clearly_and_writes_nothing() {
    let w = run_mpi::workdir_with_example("tiny.ty");
    let cases: [(&[&str], &str); 4] = [
        (
            &[
                "run",
                "examples/tiny.ty",
                "-p",
                "no_such_param=1",
                "--output-path",
                "o1",
            ],
            "no_such_param",
        ),
        (
            &[
                "run",
                "examples/tiny.ty",
                "--times",
                "5,1",
                "--output-path",
                "o2",
            ],
            "must not decrease",
        ),
        (
            &[
                "run",
                "examples/tiny.ty",
                "--times",
                "x",
                "--output-path",
                "o3",
            ],
            "not a number",
        ),
        (
            &[
                "run",
                "examples/tiny.ty",
                "-p",
                "cortex_density=abc",
                "--output-path",
                "o4",
            ],
            "cortex_density",
        ),
    ];
    for (args, needle) in cases {
        let o = topo(w.path(), 0, args);
        assert!(!o.status.success(), "{args:?} should fail");
        let msg = run_mpi::text(&o);
        assert!(
            msg.contains(needle),
            "{args:?}: message lacks '{needle}':\n{msg}"
        );
        let out = w.path().join(args[args.len() - 1]);
        assert!(!out.exists(), "{args:?} created {}", out.display());
    }
    // An output root that cannot be created (a file stands in the way).
    std::fs::write(w.path().join("blocker"), "x").unwrap();
    let o = topo(
        w.path(),
        0,
        &[
            "run",
            "examples/tiny.ty",
            "--times",
            "1",
            "--output-path",
            "blocker/out",
        ],
    );
    assert!(!o.status.success());
    assert!(
        run_mpi::text(&o).contains("cannot create output root"),
        "{}",
        run_mpi::text(&o)
    );
    // Under mpirun the whole job ends non-zero too (no hang).
    let o = topo(
        w.path(),
        3,
        &[
            "run",
            "examples/tiny.ty",
            "-p",
            "nope=1",
            "--output-path",
            "o5",
        ],
    );
    assert!(!o.status.success());
    assert!(run_mpi::text(&o).contains("nope"), "{}", run_mpi::text(&o));
}

/// The HDF5 results of a 4-rank run equal a 1-rank run's, read with h5py.
#[test]
fn h5py_reads_equal_arrays_from_one_and_four_ranks() {
    let w = run_mpi::workdir_with_example("tiny.ty");
    for (ranks, out) in [(0, "r1"), (4, "r4")] {
        let o = topo(
            w.path(),
            ranks,
            &[
                "run",
                "examples/tiny.ty",
                "-p",
                "cortex_density=6",
                "--times",
                "1,4",
                "--timestamp",
                "202601010000",
                "--analysis",
                "activity",
                "--output-path",
                out,
            ],
        );
        assert!(o.status.success(), "{}", run_mpi::text(&o));
    }
    let a = run_mpi::only_dir(&w.path().join("r1"));
    let b = run_mpi::only_dir(&w.path().join("r4"));
    let script = r#"
import h5py, sys, numpy as np
def arrays(path):
    out = {}
    def visit(name, obj):
        if isinstance(obj, h5py.Dataset):
            out[name] = obj[...]
    with h5py.File(path, 'r') as f:
        f.visititems(visit)
        # snapshots are external links: follow them
        for k in f.get('snapshots', {}):
            g = f['snapshots'][k]
            g.visititems(lambda n, o: out.__setitem__('snap/' + k + '/' + n, o[...]) if isinstance(o, h5py.Dataset) else None)
    return out
a, b = arrays(sys.argv[1]), arrays(sys.argv[2])
assert set(a) == set(b), (sorted(set(a) ^ set(b)))
meta = [k for k in a if '/meta/' in k]
for k in a:
    if k in meta:
        continue
    assert a[k].shape == b[k].shape and np.array_equal(a[k], b[k]), k
assert any(k.startswith('analysis/000004.00/V1/activity') for k in a)
assert a['analysis/000004.00/V1/activity'].shape == (6, 6)
print(len(a), 'datasets equal')
"#;
    let py = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(a.join("202601010000_tiny.h5"))
        .arg(b.join("202601010000_tiny.h5"))
        .output()
        .unwrap();
    assert!(py.status.success(), "{}", run_mpi::text(&py));
}

/// name_time_format and the parameter-name map, in both command-line forms.
#[test]
fn name_time_format_and_name_map() {
    let w = run_mpi::workdir_with_example("tiny.ty");
    let o = topo(
        w.path(),
        0,
        &[
            "run",
            "examples/tiny.ty",
            "-p",
            "cortex_density=3",
            "-p",
            "retina_density=12",
            "--times",
            "[1]",
            "--analysis",
            "none",
            "--name-time-format",
            "%Y%m%d%H%M%S",
            "--name-map",
            "retina_density=rd",
            "--output-path",
            "a",
        ],
    );
    assert!(o.status.success(), "{}", run_mpi::text(&o));
    let name = run_mpi::only_dir(&w.path().join("a"))
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let (ts, rest) = name.split_at(14);
    assert!(ts.chars().all(|c| c.is_ascii_digit()), "{name}");
    // Mapped names first under their alias, then the rest sorted.
    assert_eq!(rest, "_tiny,rd=12,cortex_density=3");
    let o = topo(
        w.path(),
        0,
        &[
            "-o",
            "b",
            "-c",
            "run_batch('examples/tiny.ty',cortex_density=3,times=[1],name_map={'cortex_density':'cd'},timestamp='200710112056',analysis_fn='none')",
        ],
    );
    assert!(o.status.success(), "{}", run_mpi::text(&o));
    assert!(
        w.path().join("b/200710112056_tiny,cd=3").is_dir(),
        "{:?}",
        names(&w.path().join("b"))
    );
}

/// `-c "param.random_seed=N"` before run_batch seeds the model it runs (the
/// model's script_repr records it); the folder name does not change, and
/// without it the default 42 is not written.
#[test]
fn random_seed_set_in_c_text_reaches_the_model() {
    for (seed_cmd, expect) in [(Some("param.random_seed = 7"), true), (None, false)] {
        let w = run_mpi::workdir_with_example("tiny.ty");
        let mut args = vec!["-a"];
        if let Some(c) = seed_cmd {
            args.extend(["-c", c]);
        }
        args.extend([
            "-c",
            "run_batch('examples/tiny.ty', times=[1], snapshot=False, analysis_fn='none')",
        ]);
        let o = topo(w.path(), 2, &args);
        assert!(o.status.success(), "{}", run_mpi::text(&o));
        let dir = run_mpi::only_dir(&w.path().join("Output"));
        let folder = dir.file_name().unwrap().to_string_lossy().into_owned();
        assert_eq!(after_timestamp(&folder), "_tiny", "{folder}");
        let repr = names(&dir)
            .into_iter()
            .find(|n| n.ends_with("_script_repr.ty"))
            .unwrap_or_else(|| panic!("no script_repr in {:?}", names(&dir)));
        let text = std::fs::read_to_string(dir.join(repr)).unwrap();
        assert_eq!(
            text.contains("param.random_seed = 7\n"),
            expect,
            "{seed_cmd:?}:\n{text}"
        );
        assert!(!text.contains("param.random_seed = 42"), "{text}");
    }
}

/// A scratch HOME holding `Documents/Topographica/examples/tiny.ty` (where
/// the seed document keeps its copy of the examples) and an empty working
/// folder beside it.
fn home_with_tiny() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let t = tempfile::tempdir().unwrap();
    let home = t.path().join("home");
    let ex = home.join("Documents/Topographica/examples");
    std::fs::create_dir_all(&ex).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/tiny.ty"),
        ex.join("tiny.ty"),
    )
    .unwrap();
    let work = t.path().join("work");
    std::fs::create_dir(&work).unwrap();
    (t, home, work)
}

/// `topo-hpc ARGS` in `dir` with `HOME` set (and `TOPO_HPC_PATH` unset
/// unless given in `env`).
fn topo_home(dir: &Path, home: &Path, ranks: usize, env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut c = run_mpi::command(BIN, ranks);
    c.current_dir(dir)
        .env("HOME", home)
        .env_remove("TOPO_HPC_PATH")
        .args(args);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("cannot start topo-hpc")
}

/// The copy of the model file a run keeps in its folder.
fn copied_model(run: &Path) -> std::path::PathBuf {
    std::fs::read_dir(run)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.extension().is_some_and(|e| e == "ty") && !p.to_string_lossy().contains("script_repr")
        })
        .unwrap()
}

/// Every file below `dir`, relative, sorted.
fn tree(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, d: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            out.push(p.strip_prefix(base).unwrap().display().to_string());
            if p.is_dir() {
                walk(base, &p, out);
            }
        }
    }
    let mut v = Vec::new();
    walk(dir, dir, &mut v);
    v.sort();
    v
}

/// The seed document's three command lines verbatim (only the program name
/// swapped), with the model under `~/Documents/Topographica/examples`:
/// inside the quoted Python text no shell expands `~`, so topo-hpc must.
/// One process and three ranks under mpirun.
#[test]
fn seed_lines_verbatim_with_tilde_model_path() {
    let model = "~/Documents/Topographica/examples/tiny.ty";
    for ranks in [0, 3] {
        let (_t, home, work) = home_with_tiny();
        let home_before = tree(&home);
        let root = work.join("Output");

        let line1 = format!("run_batch('{model}')");
        let o = topo_home(&work, &home, ranks, &[], &["-a", "-c", &line1]);
        assert!(o.status.success(), "{}", run_mpi::text(&o));
        check_seed_run(&run_mpi::only_dir(&root), "", &DEFAULT_TIMES, 5);
        std::fs::remove_dir_all(&root).unwrap();

        let line2 = format!("run_batch('{model}',cortex_density=3)");
        let o = topo_home(&work, &home, ranks, &[], &["-a", "-c", &line2]);
        assert!(o.status.success(), "{}", run_mpi::text(&o));
        check_seed_run(
            &run_mpi::only_dir(&root),
            ",cortex_density=3",
            &DEFAULT_TIMES,
            3,
        );
        std::fs::remove_dir_all(&root).unwrap();

        let line3 = format!("run_batch('{model}')");
        let o = topo_home(
            &work,
            &home,
            ranks,
            &[],
            &[
                "-a",
                "-c",
                "save_script_repr()",
                "-p",
                "cortex_density=3",
                "-c",
                &line3,
                "-c",
                "save_snapshot()",
            ],
        );
        assert!(o.status.success(), "{}", run_mpi::text(&o));
        // save_script_repr() before run_batch: the default output folder.
        assert!(
            root.join("topo-hpc_000000.00_script_repr.ty").is_file(),
            "{:?}",
            names(&root)
        );
        let dir = run_mpi::only_dir(&root);
        check_seed_run(&dir, "", &DEFAULT_TIMES, 3);
        // save_snapshot() after run_batch: into the run's folder, announced
        // after the run completed (in the log: stderr under mpirun).
        let log = run_mpi::log_text(&o, ranks);
        let done = log.find("Batch run completed").expect("run completed");
        let saved = log[done..]
            .lines()
            .find_map(|l| l.strip_prefix("Saved snapshot "))
            .unwrap_or_else(|| panic!("no snapshot saved after the run:\n{log}"));
        let saved = work.join(saved.trim());
        assert!(saved.is_file(), "{}", saved.display());
        assert_eq!(saved.parent().unwrap(), dir);
        // The user's home is read, never written.
        assert_eq!(tree(&home), home_before);
    }
}

/// `~` in options, environment variables and command text; relative input
/// files along the search path (working directory, model folder, output
/// path, `$TOPO_HPC_PATH`), and the error that lists where it looked.
#[test]
fn tilde_paths_and_search_path_lookup() {
    let (_t, home, work) = home_with_tiny();
    let ex = "~/Documents/Topographica/examples/tiny.ty";
    let quick = ["--times", "2", "--analysis", "none"];

    // Options: the model argument and --output-path=~/... (no shell expands
    // `~` after `=`).
    let mut args = vec!["run", ex, "--output-path=~/out1"];
    args.extend(quick);
    let o = topo_home(&work, &home, 0, &[], &args);
    assert!(o.status.success(), "{}", run_mpi::text(&o));
    run_mpi::only_dir(&home.join("out1"));
    assert!(!work.join("Output").exists() && !work.join("~").exists());

    // $TOPO_HPC_OUTPUT=~/... and -o ~/... of Topographica's form.
    let mut args = vec!["run", ex];
    args.extend(quick);
    let o = topo_home(&work, &home, 0, &[("TOPO_HPC_OUTPUT", "~/out2")], &args);
    assert!(o.status.success(), "{}", run_mpi::text(&o));
    run_mpi::only_dir(&home.join("out2"));
    let o = topo_home(
        &work,
        &home,
        2,
        &[],
        &[
            "-o",
            "~/out3",
            "-c",
            &format!("run_batch('{ex}',times=[2])"),
        ],
    );
    assert!(o.status.success(), "{}", run_mpi::text(&o));
    let run3 = run_mpi::only_dir(&home.join("out3"));

    // --restore ~/...: continues from that snapshot.
    let snap = std::fs::read_dir(&run3)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with(".snapshot.h5"))
        .expect("final snapshot");
    let snap_tilde = format!("~/{}", snap.strip_prefix(&home).unwrap().display());
    let o = topo_home(
        &work,
        &home,
        0,
        &[],
        &[
            "run",
            ex,
            "--restore",
            &snap_tilde,
            "--times",
            "4",
            "--analysis",
            "none",
            "--output-path",
            "~/out4",
        ],
    );
    assert!(o.status.success(), "{}", run_mpi::text(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("Restored"),
        "{}",
        run_mpi::text(&o)
    );

    // A bare model name: found through $TOPO_HPC_PATH (entries may use `~`)
    // when the working directory has no such file ...
    let lib = home.join("lib");
    std::fs::create_dir(&lib).unwrap();
    let text = std::fs::read_to_string(home.join(&ex[2..])).unwrap();
    std::fs::write(lib.join("tiny.ty"), &text).unwrap();
    let env = [
        ("TOPO_HPC_PATH", "/nonexistent:~/lib"),
        ("TOPO_HPC_OUTPUT", "out5"),
    ];
    let mut args = vec!["run", "tiny.ty"];
    args.extend(quick);
    let o = topo_home(&work, &home, 0, &env, &args);
    assert!(o.status.success(), "{}", run_mpi::text(&o));
    let run5 = run_mpi::only_dir(&work.join("out5"));
    let copied = copied_model(&run5);
    assert_eq!(std::fs::read_to_string(copied).unwrap(), text);
    // ... and the working directory's own file wins over it.
    let mine = format!("{text}\n# the working directory's copy\n");
    std::fs::write(work.join("tiny.ty"), &mine).unwrap();
    let o = topo_home(
        &work,
        &home,
        0,
        &[("TOPO_HPC_PATH", "~/lib"), ("TOPO_HPC_OUTPUT", "out6")],
        &args,
    );
    assert!(o.status.success(), "{}", run_mpi::text(&o));
    let run6 = run_mpi::only_dir(&work.join("out6"));
    let copied = copied_model(&run6);
    assert_eq!(std::fs::read_to_string(copied).unwrap(), mine);
    std::fs::remove_file(work.join("tiny.ty")).unwrap();

    // Not found anywhere: the error lists every place, nothing is created.
    let o = topo_home(
        &work,
        &home,
        0,
        &[("TOPO_HPC_PATH", "~/lib"), ("TOPO_HPC_OUTPUT", "out7")],
        &["-a", "-c", "run_batch('missing.ty')"],
    );
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("model file missing.ty was not found; looked in:"),
        "{err}"
    );
    for place in [
        work.join("missing.ty"),
        work.join("out7/missing.ty"),
        lib.join("missing.ty"),
    ] {
        assert!(
            err.contains(&place.display().to_string()),
            "{} not listed: {err}",
            place.display()
        );
    }
    assert!(
        !work.join("out7").exists(),
        "output created for a missing model"
    );

    // A snapshot saved by name in the run folder loads back by that name
    // from a working directory that does not hold it.
    let o = topo_home(
        &work,
        &home,
        2,
        &[("TOPO_HPC_OUTPUT", "out8")],
        &[
            "-c",
            &format!("run_batch('{ex}',times=[3],analysis_fn='none')"),
            "-c",
            "save_snapshot('mine')",
            "-c",
            "load_snapshot('mine_000003.00.snapshot.h5')",
            "-c",
            "topo.sim.run(2)",
            "-c",
            "save_snapshot('after')",
        ],
    );
    assert!(o.status.success(), "{}", run_mpi::text(&o));
    let run8 = run_mpi::only_dir(&work.join("out8"));
    assert!(
        run8.join("after_000005.00.snapshot.h5").is_file(),
        "{:?}",
        names(&run8)
    );
}
