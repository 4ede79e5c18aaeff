//! Local-launcher sweeps end to end: a 2x3 sweep launched two at a time and
//! collated; a failing combination recorded as failed and relaunched (alone)
//! by the next invocation; archive contents.
//!
//! The runs are performed by the stand-in `tests/slurm/fake-topo-hpc.py`
//! (via TOPO_HPC_SWEEP_RUNNER), which writes the run_batch folder, `.out`
//! and an HDF5 results file whose scalars are a known function of the
//! parameters: V1/mean_activity = 10*(a+b) + t, V1 pinwheel_density =
//! a + b + t/100. The sweep is called in-process through the library (the
//! same function the `topo-hpc sweep` subcommand calls).

use clap::Parser;
use std::path::{Path, PathBuf};
use std::sync::Once;
use topo_hpc::sweep::manifest::{Manifest, RunState};
use topo_hpc::sweep::{CollateArgs, SweepArgs};

#[derive(Parser)]
struct SweepCli {
    #[command(flatten)]
    args: SweepArgs,
}

#[derive(Parser)]
struct CollateCli {
    #[command(flatten)]
    args: CollateArgs,
}

fn fake_runner() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/slurm/fake-topo-hpc.py")
}

static ENV: Once = Once::new();

fn sweep(args: &[&str]) -> anyhow::Result<()> {
    // Every test uses the same stand-in, so setting it once for the whole
    // process is race-free.
    ENV.call_once(|| std::env::set_var("TOPO_HPC_SWEEP_RUNNER", fake_runner()));
    let cli = SweepCli::try_parse_from(std::iter::once("sweep").chain(args.iter().copied()))?;
    topo_hpc::sweep::sweep(&cli.args)
}

fn collate(args: &[&str]) -> anyhow::Result<()> {
    let cli = CollateCli::try_parse_from(std::iter::once("collate").chain(args.iter().copied()))?;
    topo_hpc::sweep::collate(&cli.args)
}

/// A model file in its own folder (the stand-in only needs it to exist).
fn model(dir: &Path) -> String {
    let m = dir.join("tiny.ty");
    std::fs::write(&m, "# stand-in model\n").unwrap();
    m.to_string_lossy().into_owned()
}

fn only_sweep_dir(out: &Path) -> PathBuf {
    let dirs: Vec<PathBuf> = std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() && p.to_string_lossy().ends_with("_tiny_sweep"))
        .collect();
    assert_eq!(dirs.len(), 1, "{dirs:?}");
    dirs[0].clone()
}

#[test]
fn sweep_2x3_is_launched_and_collated() {
    let tmp = tempfile::tempdir().unwrap();
    let model = model(tmp.path());
    let out = tmp.path().join("out");
    let out_s = out.to_string_lossy().into_owned();
    sweep(&[
        &model,
        "--param",
        "a=1,2",
        "--param",
        "b=0:1:3",
        "--times",
        "1,5",
        "--output-path",
        &out_s,
        "-j",
        "2",
        "--yes",
    ])
    .unwrap();

    let dir = only_sweep_dir(&out);
    let m = Manifest::load(&dir).unwrap();
    assert_eq!(m.runs.len(), 6);
    for r in &m.runs {
        assert_eq!(r.state, RunState::Done, "{r:?}");
        assert_eq!(r.exit_code, Some(0));
        assert_eq!(r.attempts, 1);
        assert!(r.start.is_some() && r.end.is_some() && r.seconds.unwrap() > 0.0);
        let folder = r.folder.as_ref().expect("run folder recorded");
        assert!(dir
            .join(folder)
            .join(format!("{}_tiny.h5", m.timestamp))
            .is_file());
    }
    // Product order: a slowest.
    assert_eq!(m.runs[1].describe(), "a=1 b=0.5");
    assert_eq!(m.runs[3].describe(), "a=2 b=0.0");
    assert_eq!(
        m.runs[5].folder.as_deref().unwrap(),
        format!("{}_tiny,a=2,b=1.0", m.timestamp)
    );

    let dir_s = dir.to_string_lossy().into_owned();
    collate(&[&dir_s, "--plot", "V1/mean_activity", "--against", "b"]).unwrap();
    let csv = std::fs::read_to_string(dir.join("collated.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "run,folder,state,a,b,time,V1/mean_activity,V1/pinwheel_density"
    );
    let rows: Vec<Vec<String>> = lines
        .map(|l| {
            // The folder is quoted (it holds commas): drop it before splitting.
            let (head, rest) = l.split_once(",\"").unwrap();
            let (_, tail) = rest.split_once("\",").unwrap();
            std::iter::once(head.to_string())
                .chain(tail.split(',').map(str::to_string))
                .collect()
        })
        .collect();
    assert_eq!(rows.len(), 12, "6 runs x 2 times");
    for r in &rows {
        let (a, b, t): (f64, f64, f64) = (
            r[2].parse().unwrap(),
            r[3].parse().unwrap(),
            r[4].parse().unwrap(),
        );
        let mean: f64 = r[5].parse().unwrap();
        let pin: f64 = r[6].parse().unwrap();
        // Written as f64 by h5py and printed shortest-round-trip: exact
        // up to the one rounding of the stand-in's own arithmetic.
        assert!((mean - (10.0 * (a + b) + t)).abs() < 1e-12, "{r:?}");
        assert!((pin - (a + b + t / 100.0)).abs() < 1e-12, "{r:?}");
        assert_eq!(r[1], "done");
    }

    // The HDF5 table holds the same column.
    let f = hdf5::File::open(dir.join("collated.h5")).unwrap();
    let col: Vec<f64> = f
        .dataset("table/V1.mean_activity")
        .unwrap()
        .read_raw()
        .unwrap();
    let csv_col: Vec<f64> = rows.iter().map(|r| r[5].parse().unwrap()).collect();
    assert_eq!(col, csv_col);

    // The figure decodes, at the plot's size, and is not blank.
    let png = dir.join("collated_V1_mean_activity_vs_b.png");
    let dec = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&png).unwrap()));
    let mut reader = dec.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!((info.width, info.height), topo_hpc::figures::PNG_SIZE);
    let coloured = buf
        .chunks(3)
        .filter(|p| p[0] != p[1] || p[1] != p[2])
        .count();
    assert!(coloured > 500, "only {coloured} coloured pixels");
    // Title, tick labels and axes: dark pixels (text drawn with DejaVu Sans).
    let dark = buf.chunks(3).filter(|p| p.iter().all(|&c| c < 100)).count();
    assert!(dark > 500, "only {dark} dark pixels");

    // sweep.html: the same table (sortable), a link per run, SVG figures.
    let page = std::fs::read_to_string(dir.join("sweep.html")).unwrap();
    assert!(page.contains("<table id=\"collated\">"), "{page}");
    assert_eq!(page.matches("<tr><td>").count(), 12, "{page}");
    assert!(page.contains(&format!(
        "<a href=\"{}_tiny,a=2,b=1.0/index.html\">",
        m.timestamp
    )));
    assert!(page.contains("th[data-col]") && page.contains("data-col=\"3\""));
    for fig in [
        "sweep_V1_mean_activity_vs_b.svg",
        "sweep_V1_pinwheel_density_vs_a.svg",
    ] {
        assert!(page.contains(fig), "{fig} not on the page");
        let svg = std::fs::read_to_string(dir.join(fig)).unwrap();
        assert!(
            svg.starts_with("<svg") && svg.contains("<polyline"),
            "{fig}"
        );
    }
    // `--figure F.svg`: the collated figure drawn with plotters; --at keeps
    // one analysis time, a line per value of a.
    // (Another --output: the first collated.h5 is still open above.)
    let svg_path = dir.join("fig.svg").to_string_lossy().into_owned();
    let csv2 = dir.join("again.csv").to_string_lossy().into_owned();
    collate(&[
        &dir_s,
        "--plot",
        "V1/mean_activity",
        "--against",
        "b",
        "--at",
        "1",
        "--figure",
        &svg_path,
        "--output",
        &csv2,
    ])
    .unwrap();
    let svg = std::fs::read_to_string(&svg_path).unwrap();
    assert!(svg.contains(">\nV1/mean_activity vs b\n<"), "{svg}");
    assert!(
        svg.contains(">\nT=1 a=1\n<") && svg.contains(">\nT=1 a=2\n<"),
        "{svg}"
    );
    assert!(!svg.contains(">\nT=5 a=1\n<"), "{svg}");

    // Running the same command again launches nothing.
    sweep(&[
        &model,
        "--param",
        "a=1,2",
        "--param",
        "b=0:1:3",
        "--times",
        "1,5",
        "--output-path",
        &out_s,
        "--yes",
    ])
    .unwrap();
    let again = Manifest::load(&dir).unwrap();
    assert!(again.runs.iter().all(|r| r.attempts == 1));
}

#[test]
fn failed_run_is_recorded_and_relaunched_next_time() {
    let tmp = tempfile::tempdir().unwrap();
    let model = model(tmp.path());
    let out = tmp.path().join("out");
    let out_s = out.to_string_lossy().into_owned();
    let args = [
        model.as_str(),
        "--param",
        "a=1,2",
        "--param",
        "b=0:1:3",
        "--times",
        "1,5",
        "--output-path",
        out_s.as_str(),
        "-j",
        "3",
        "--yes",
    ];
    // The stand-in fails every run with b=0.5 while this file exists.
    let fail = tmp.path().join("fake-fail");
    std::fs::write(&fail, "b=0.5").unwrap();
    let e = sweep(&args).unwrap_err().to_string();
    assert!(e.contains("2 of 6 runs failed"), "{e}");

    let dir = only_sweep_dir(&out);
    let m = Manifest::load(&dir).unwrap();
    let failed: Vec<usize> = m
        .runs
        .iter()
        .filter(|r| r.state == RunState::Failed)
        .map(|r| r.index)
        .collect();
    assert_eq!(failed, vec![1, 4]);
    for &i in &failed {
        assert_eq!(m.runs[i].exit_code, Some(1));
        let log = std::fs::read_to_string(dir.join(m.runs[i].log.as_ref().unwrap())).unwrap();
        assert!(log.contains("fake failure for b=0.5"), "{log}");
    }
    std::fs::remove_file(&fail).unwrap();

    // The same command again: only the two failed runs are launched.
    sweep(&args).unwrap();
    assert_eq!(only_sweep_dir(&out), dir, "the sweep folder is reused");
    let m2 = Manifest::load(&dir).unwrap();
    for r in &m2.runs {
        assert_eq!(r.state, RunState::Done, "{r:?}");
        let expect = if failed.contains(&r.index) { 2 } else { 1 };
        assert_eq!(r.attempts, expect, "run {}", r.index);
    }
    // Untouched runs keep their first timings.
    assert_eq!(m2.runs[0].start, m.runs[0].start);
}

#[test]
fn archive_holds_manifest_logs_and_results() {
    let tmp = tempfile::tempdir().unwrap();
    let model = model(tmp.path());
    let out = tmp.path().join("out");
    let out_s = out.to_string_lossy().into_owned();
    sweep(&[
        &model,
        "--param",
        "x=log:0.01:1:3",
        "--times",
        "2",
        "--output-path",
        &out_s,
        "--tag",
        "t1",
        "--yes",
    ])
    .unwrap();
    let dir = std::fs::read_dir(&out)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    assert!(dir.to_string_lossy().ends_with("_tiny_sweep_t1"), "{dir:?}");
    let m = Manifest::load(&dir).unwrap();
    let xs: Vec<String> = m.runs.iter().map(|r| r.describe()).collect();
    assert_eq!(xs, vec!["x=0.01", "x=0.1", "x=1.0"]);

    let archive = tmp.path().join("sweep.tar.gz");
    let dir_s = dir.to_string_lossy().into_owned();
    let ar_s = archive.to_string_lossy().into_owned();
    collate(&[&dir_s, "--archive", &ar_s]).unwrap();
    let gz = flate2::read::GzDecoder::new(std::fs::File::open(&archive).unwrap());
    let mut names: Vec<String> = tar::Archive::new(gz)
        .entries()
        .unwrap()
        .map(|e| e.unwrap().path().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let base = dir.file_name().unwrap().to_string_lossy().into_owned();
    let has = |suffix: &str| {
        names
            .iter()
            .any(|n| n.starts_with(&base) && n.ends_with(suffix))
    };
    assert!(has("/manifest.json"), "{names:?}");
    assert!(has("/logs/run-2.log"), "{names:?}");
    assert!(has("/collated.csv"), "{names:?}");
    assert_eq!(
        names.iter().filter(|n| n.ends_with("_tiny_t1.h5")).count(),
        3,
        "{names:?}"
    );
    assert!(
        !names
            .iter()
            .any(|n| n.ends_with(".lock") || n.ends_with(".tmp")),
        "{names:?}"
    );
}

/// The real thing: a 2x3 sweep of examples/tiny.ty run by the `topo-hpc`
/// binary itself (real `run`, no stand-in), then collated.
#[test]
fn sweep_of_tiny_with_real_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/tiny.ty");
    let out = tmp.path().join("out");
    let bin = env!("CARGO_BIN_EXE_topo-hpc");
    let res = std::process::Command::new(bin)
        .arg("sweep")
        .arg(&model)
        .args([
            "--param",
            "cortex_density=3,4",
            "--param",
            "retina_density=20:24:3",
        ])
        .args(["--times", "1,5", "-j", "2", "--yes", "--output-path"])
        .arg(&out)
        .env_remove("TOPO_HPC_SWEEP_RUNNER")
        .env("OMPI_MCA_pml", "ob1")
        .env("OMPI_MCA_btl", "self,vader")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&res.stdout),
        String::from_utf8_lossy(&res.stderr)
    );
    let dir = only_sweep_dir(&out);
    let m = Manifest::load(&dir).unwrap();
    let logs: String = m
        .runs
        .iter()
        .filter(|r| r.state != RunState::Done)
        .map(|r| std::fs::read_to_string(dir.join(r.log.as_ref().unwrap())).unwrap_or_default())
        .collect();
    assert!(res.status.success(), "{text}\n{logs}");
    assert!(m.runs.iter().all(|r| r.state == RunState::Done));
    assert_eq!(
        m.runs[4].folder.as_deref().unwrap(),
        format!("{}_tiny,cortex_density=4,retina_density=22", m.timestamp)
    );

    let st = std::process::Command::new(bin)
        .arg("collate")
        .arg(&dir)
        .args(["--plot", "V1/mean_activity", "--against", "retina_density"])
        .output()
        .unwrap();
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    let csv = std::fs::read_to_string(dir.join("collated.csv")).unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let col = header
        .iter()
        .position(|h| *h == "V1/mean_activity")
        .expect("V1/mean_activity column");
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(rows.len(), 12, "6 runs x 2 times");
    for r in rows {
        // The folder field holds two commas (quoted): the column index
        // shifts by those.
        let v: f64 = r.split(',').nth(col + 2).unwrap().parse().unwrap();
        assert!(
            (0.0..=1.0).contains(&v),
            "mean activity {v} outside [0, 1]: {r}"
        );
    }
}

#[test]
fn checkpointed_run_is_continued_from_its_snapshot() {
    let tmp = tempfile::tempdir().unwrap();
    let model = model(tmp.path());
    let out = tmp.path().join("out");
    let out_s = out.to_string_lossy().into_owned();
    let args = [
        model.as_str(),
        "--param",
        "a=1,2",
        "--times",
        "1,10",
        "--output-path",
        out_s.as_str(),
        "--yes",
    ];
    // The stand-in checkpoints the a=2 run half way (t=5) and exits 3.
    std::fs::write(tmp.path().join("fake-checkpoint"), "a=2").unwrap();
    sweep(&args).unwrap();
    let dir = only_sweep_dir(&out);
    let m = Manifest::load(&dir).unwrap();
    assert_eq!(m.runs[0].state, RunState::Done);
    assert_eq!(
        m.runs[1].state,
        RunState::Pending,
        "checkpointed, not failed"
    );
    assert_eq!(m.runs[1].exit_code, Some(3));

    sweep(&args).unwrap();
    let m = Manifest::load(&dir).unwrap();
    assert_eq!(m.runs[1].state, RunState::Done);
    assert_eq!(m.runs[1].attempts, 2);
    assert_eq!(m.runs[0].attempts, 1);
    let log = std::fs::read_to_string(dir.join("logs/run-1.log")).unwrap();
    assert!(log.contains("--restore"), "{log}");
    let folder = dir.join(m.runs[1].folder.as_ref().unwrap());
    let out_file = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "out"))
        .unwrap();
    let text = std::fs::read_to_string(out_file).unwrap();
    assert!(text.contains("checkpointed at 5"), "{text}");
    assert!(text.contains("restored at 5"), "{text}");
}

/// Real runs, each wrapped in `mpirun -n 2`: every run's `.out` reports two
/// ranks, and all are recorded done.
#[test]
fn sweep_runs_wrapped_in_mpirun() {
    let tmp = tempfile::tempdir().unwrap();
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/tiny.ty");
    let out = tmp.path().join("out");
    let res = std::process::Command::new(env!("CARGO_BIN_EXE_topo-hpc"))
        .arg("sweep")
        .arg(&model)
        .args([
            "--param",
            "cortex_density=3,4",
            "--times",
            "1,20",
            "--mpi-ranks",
            "2",
        ])
        .args(["--mpi-command", "mpirun --oversubscribe -n {ranks}"])
        .args([
            "--run-arg=--analysis",
            "--run-arg=none",
            "--yes",
            "--output-path",
        ])
        .arg(&out)
        .env_remove("TOPO_HPC_SWEEP_RUNNER")
        .env("OMPI_ALLOW_RUN_AS_ROOT", "1")
        .env("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
        .env("OMPI_MCA_pml", "ob1")
        .env("OMPI_MCA_btl", "self,vader")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let dir = only_sweep_dir(&out);
    let m = Manifest::load(&dir).unwrap();
    let logs: String = m
        .runs
        .iter()
        .map(|r| std::fs::read_to_string(dir.join(r.log.as_ref().unwrap())).unwrap_or_default())
        .collect();
    assert!(
        res.status.success(),
        "{}\n{logs}",
        String::from_utf8_lossy(&res.stderr)
    );
    for r in &m.runs {
        assert_eq!(r.state, RunState::Done, "{r:?}");
        let folder = dir.join(r.folder.as_ref().unwrap());
        let out_file = std::fs::read_dir(&folder)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|e| e == "out"))
            .unwrap();
        let text = std::fs::read_to_string(out_file).unwrap();
        assert!(text.contains("ranks: 2"), "{text}");
    }
    assert!(logs.contains("mpirun --oversubscribe -n 2 "), "{logs}");
}
