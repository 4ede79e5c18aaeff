//! The run report in a real browser: headless Chromium loads `index.html`
//! from disk; every image (PNG plots, SVG figures) must decode, the console
//! must stay silent, and the rendered DOM must hold the expected captions.
//! Without chromium the test is skipped with a message, unless CI is set
//! (scripts/setup.sh installs Debian's `chromium`).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::run_mpi;

const BIN: &str = env!("CARGO_BIN_EXE_topo-hpc");

fn chromium() -> Option<PathBuf> {
    for name in ["chromium", "chromium-browser"] {
        let found = Command::new("sh")
            .args(["-c", &format!("command -v {name}")])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .filter(|s| !s.is_empty());
        if let Some(p) = found {
            return Some(PathBuf::from(p));
        }
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI is set but chromium is not installed (scripts/setup.sh installs it)"
    );
    eprintln!(
        "SKIPPED: chromium is not installed; run scripts/setup.sh to test the report in a browser"
    );
    None
}

/// The DOM after load, and the browser's log (console messages land there).
fn load(browser: &Path, page: &Path) -> (String, String) {
    let profile = tempfile::tempdir().unwrap();
    let o = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=5000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("cannot start chromium");
    assert!(o.status.success(), "{}", run_mpi::text(&o));
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn console_lines(log: &str) -> Vec<&str> {
    log.lines()
        .filter(|l| l.contains("CONSOLE") || l.contains("Uncaught"))
        .collect()
}

#[test]
fn run_report_renders_with_every_image_and_caption() {
    let Some(browser) = chromium() else { return };
    let w = run_mpi::workdir_with_example("tiny.ty");
    let o = run_mpi::command(BIN, 2)
        .current_dir(w.path())
        .args([
            "run",
            "examples/tiny.ty",
            "-p",
            "cortex_density=6",
            "-p",
            "retina_density=12",
            "--times",
            "1,2",
            "--timestamp",
            "202601010000",
            "--analysis",
            "activity,weights",
            "--output-path",
            "out",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", run_mpi::text(&o));
    let dir = run_mpi::only_dir(&w.path().join("out"));
    let page = dir.join("index.html");
    let html = std::fs::read_to_string(&page).unwrap();
    // Self-contained: nothing is fetched from a network.
    for remote in ["src=\"http", "href=\"http", "src=\"//", "@import"] {
        assert!(!html.contains(remote), "{remote} in the report");
    }
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    let (dom, log) = load(&browser, &page);
    assert!(dom.contains("data-status=\"finished\""), "{dom}");
    assert!(dom.contains("data-images=\"ok\""), "broken image:\n{dom}");
    assert!(console_lines(&log).is_empty(), "console:\n{log}");
    for caption in [
        "V1: activity, time 1.00",
        "V1: activity, time 2.00",
        "Retina: activity, time 2.00",
        "V1, projection Afferent: weights, time 2.00",
        "Mean activity over time (sheets Retina, V1)",
        "202601010000_tiny_mean_activity.svg",
    ] {
        assert!(dom.contains(caption), "no '{caption}' in the DOM:\n{dom}");
    }
    // The command line and the .out log are on the page.
    assert!(dom.contains("cortex_density=6"), "{dom}");
    assert!(dom.contains("There were 0 error(s)"), "{dom}");

    // The check itself can fail: the same page with one image missing.
    std::fs::remove_file(dir.join("202601010000_tiny_000001.00_V1_Activity.png")).unwrap();
    let (dom, _) = load(&browser, &page);
    assert!(dom.contains("data-images=\"broken:1\""), "{dom}");
}
