//! The review step: list the runs before launching, and ask.

use super::manifest::Manifest;
use anyhow::{bail, Result};
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

/// Print the sweep and the runs about to be launched.
pub fn list(m: &Manifest, dir: &Path, todo: &[usize]) {
    let (pending, running, done, failed) = m.counts();
    println!("sweep {}", dir.display());
    println!(
        "  model {}  times {}  tag {}",
        m.config.model.display(),
        m.config.times.as_deref().unwrap_or("(default)"),
        m.config.tag.as_deref().unwrap_or("(none)")
    );
    println!(
        "  {} runs: {done} done, {failed} failed, {running} running, {pending} pending",
        m.runs.len()
    );
    // The manifest is data: a launcher command it carries is shown before
    // anything runs it.
    match &m.config.mpi_command {
        Some(c) => println!("  mpi_command (from the manifest): {c}"),
        None => {
            let p = super::runner::mpi_prefix(m);
            if !p.is_empty() {
                println!("  launched with: {}", p.join(" "));
            }
        }
    }
    if !m.config.run_args.is_empty() {
        println!("  extra run arguments: {}", m.config.run_args.join(" "));
    }
    if todo.is_empty() {
        return;
    }
    println!("  to launch ({}):", todo.len());
    for &i in todo {
        let r = &m.runs[i];
        let note = match r.attempts {
            0 => String::new(),
            n => format!("  [{:?}, {n} attempt(s) before]", r.state).to_lowercase(),
        };
        println!("  {i:>5}  {}{note}", r.describe());
    }
}

/// Ask before launching `n` runs. `--yes` skips the question; without a
/// terminal to ask on, refuse rather than launch unseen.
pub fn confirm(yes: bool, n: usize, what: &str) -> Result<()> {
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        bail!(
            "refusing to {what} {n} run(s) without confirmation: stdin is not a terminal; \
             review the list above and pass --yes"
        );
    }
    print!("{what} these {n} run(s)? [y/N] ");
    std::io::stdout().flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    if matches!(line.trim(), "y" | "Y" | "yes" | "YES" | "Yes") {
        Ok(())
    } else {
        bail!("not launched")
    }
}
