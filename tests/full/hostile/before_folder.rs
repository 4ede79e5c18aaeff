//! Bad input fails before the run folder exists (a folder left behind
//! blocks a rerun in the same minute), with a message saying what is wrong.

use super::common::*;

fn refused(extra: &[&str], needle: &str) {
    let s = Scratch::new();
    let model = s.model();
    let out = s.out();
    let mut args = vec![
        "run",
        model.to_str().unwrap(),
        "--output-path",
        out.to_str().unwrap(),
        "--no-progress",
        "--analysis",
        "none",
    ];
    args.extend_from_slice(extra);
    assert_refused_before_folder(&s, &args, needle);
}

#[test]
fn colliding_analysis_times() {
    refused(&["--times", "1,1,2"], "same analysis time");
    refused(&["--times", "0"], "same analysis time");
    refused(&["--times", "1.001,1.002"], "same analysis time");
    refused(&["--times", "3,2"], "must not decrease");
}

#[test]
fn huge_and_non_numeric_times() {
    refused(&["--times", "1e300"], "largest time");
    refused(&["--times", "1,1e13"], "largest time");
    refused(&["--times", "1e9"], "largest time");
    refused(&["--times", "inf"], "finite");
    refused(&["--times", "1,nan"], "finite");
}

#[test]
fn repeated_and_malformed_parameters() {
    refused(
        &[
            "-p",
            "cortex_density=4",
            "-p",
            "cortex_density=5",
            "--times",
            "1",
        ],
        "given twice",
    );
    refused(&["-p", "cortex_density", "--times", "1"], "NAME=VALUE");
    refused(&["-p", "=4", "--times", "1"], "empty parameter name");
}

#[test]
fn names_too_long_for_the_file_system() {
    let tag = "t".repeat(250);
    refused(&["--tag", &tag, "--times", "1"], "shorten the tag");
    let tag = "é".repeat(120);
    refused(&["--tag", &tag, "--times", "1"], "shorten the tag");
}

#[test]
fn models_that_cannot_be_built_or_cannot_fit() {
    refused(
        &["-p", "cortex_density=0.0001", "--times", "1"],
        "less than one unit",
    );
    refused(
        &["-p", "cortex_density=-3", "--times", "1"],
        "cortex_density",
    );
    let start = std::time::Instant::now();
    refused(&["-p", "cortex_density=100000", "--times", "1"], "per rank");
    refused(&["-p", "retina_density=1e6", "--times", "1"], "available");
    assert!(
        start.elapsed().as_secs() < 30,
        "memory refusals must be fast"
    );
}

#[test]
fn empty_and_unreadable_models() {
    let s = Scratch::new();
    let out = s.out();
    std::fs::write(s.path().join("empty.ty"), "").unwrap();
    std::fs::write(s.path().join("nosheet.ty"), "x = 1\n").unwrap();
    for (model, needle) in [
        ("empty.ty", "no sheets"),
        ("nosheet.ty", "no sheets"),
        ("/dev/zero", "is not a file"),
        ("missing.ty", "was not found"),
    ] {
        assert_refused_before_folder(
            &s,
            &[
                "run",
                model,
                "--output-path",
                out.to_str().unwrap(),
                "--times",
                "1",
            ],
            needle,
        );
    }
}

#[test]
fn thread_counts_are_capped() {
    refused(
        &["--threads", "100000", "--times", "1"],
        "more than topo-hpc allows",
    );
    refused(&["--threads", "0", "--times", "1"], "at least 1");
    let s = Scratch::new();
    let out = s.out();
    let r = run(
        s.path(),
        0,
        &[
            "run",
            s.model().to_str().unwrap(),
            "--output-path",
            out.to_str().unwrap(),
            "--times",
            "1",
        ],
    );
    assert_eq!(r.code, Some(0), "{}", r.all());
    let mut c = std::process::Command::new(BIN);
    env(&mut c).env("SLURM_CPUS_PER_TASK", "99999");
    let o = c
        .args([
            "run",
            s.model().to_str().unwrap(),
            "--output-path",
            out.to_str().unwrap(),
            "--times",
            "1",
            "--tag",
            "slurm",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("more than topo-hpc allows"));
}

#[test]
fn geometry_at_absurd_densities_answers_fast() {
    let s = Scratch::new();
    for d in [
        "cortex_density=100000",
        "cortex_density=1e7",
        "retina_density=1e6",
    ] {
        let r = run(
            s.path(),
            0,
            &["model", s.model().to_str().unwrap(), "--geometry", "-p", d],
        );
        assert_eq!(r.code, Some(1), "{d}: {}", r.all());
        assert!(
            r.stderr.contains("too large to lay out"),
            "{d}: {}",
            r.all()
        );
        assert!(r.seconds < 10.0, "{d}: {}", r.all());
    }
    let r = run(
        s.path(),
        0,
        &[
            "model",
            s.model().to_str().unwrap(),
            "--geometry",
            "-p",
            "cortex_density=20",
        ],
    );
    assert_eq!(r.code, Some(0), "{}", r.all());
}
