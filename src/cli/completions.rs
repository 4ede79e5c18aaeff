//! `topo-hpc completions <shell>` and `topo-hpc man`: generated from the
//! same clap definition as the parser, so they never drift from it.

use anyhow::{Context as _, Result};
use clap::CommandFactory;
use std::path::Path;

/// The completion script for `shell` on stdout.
pub fn completions(shell: clap_complete::Shell, out: &mut dyn std::io::Write) {
    let mut cmd = super::Cli::command();
    clap_complete::generate(shell, &mut cmd, "topo-hpc", out);
}

/// The man page (roff): `topo-hpc.1` and one `topo-hpc-<cmd>.1` per
/// subcommand into `dir`, or the main page on stdout when `dir` is None.
pub fn man(dir: Option<&Path>, out: &mut dyn std::io::Write) -> Result<()> {
    let cmd = super::Cli::command();
    match dir {
        None => clap_mangen::Man::new(cmd).render(out)?,
        Some(d) => {
            std::fs::create_dir_all(d).with_context(|| format!("cannot create {}", d.display()))?;
            clap_mangen::generate_to(cmd, d)
                .with_context(|| format!("cannot write man pages into {}", d.display()))?;
        }
    }
    Ok(())
}
