//! What Topographica's command line is made of, parsed (by
//! `crate::cli::legacy`) and then run in order by the shell.

/// One item of a Topographica-style command line, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// `-a`: auto-import commands (always on in topo-hpc).
    AutoImport,
    /// `-c CMD`.
    Command(String),
    /// `-p NAME=VAL`.
    Param(String),
    /// `-o PATH` / `--output-path PATH`.
    OutputPath(String),
    /// A script file.
    File(String),
}
