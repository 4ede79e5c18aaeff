//! The `.out` log: everything rank 0 prints goes to the terminal and to the
//! run's `<simname>.out`, whose first line is the exact command line. The
//! terminal copy is stdout, or stderr under an MPI launcher (see
//! [`crate::console::log_line`]).

use std::fs::File;
use std::io::{self, Write};
use std::path::Path;
use std::sync::Mutex;

/// A tee of rank 0's output into the run's `.out` file, with the counts
/// Topographica prints at the end.
pub struct OutLog {
    file: Mutex<Option<File>>,
    echo: bool,
    warnings: Mutex<usize>,
    errors: Mutex<usize>,
}

impl OutLog {
    /// A log that only echoes (before run_batch opens its file).
    pub fn terminal(echo: bool) -> OutLog {
        OutLog {
            file: Mutex::new(None),
            echo,
            warnings: Mutex::new(0),
            errors: Mutex::new(0),
        }
    }

    /// Start writing to `path` (created new; it must not exist), with the
    /// shell-quoted command line as the first line.
    pub fn open(&self, path: &Path, argv: &[String]) -> io::Result<()> {
        let mut f = File::options().write(true).create_new(true).open(path)?;
        writeln!(f, "{}", shell_join(argv))?;
        *self.file.lock().unwrap() = Some(f);
        Ok(())
    }

    /// Continue an existing `.out` (a resumed run): the new command line is
    /// appended as a marked line.
    pub fn append(&self, path: &Path, argv: &[String]) -> io::Result<()> {
        use std::os::unix::fs::OpenOptionsExt;
        // Never through a link planted in the run folder.
        let mut f = File::options()
            .append(true)
            .custom_flags(libc::O_NOFOLLOW)
            .open(path)?;
        writeln!(f, "\n# resumed: {}", shell_join(argv))?;
        *self.file.lock().unwrap() = Some(f);
        Ok(())
    }

    /// Stop writing to the file (it is flushed and closed).
    pub fn close(&self) {
        if let Some(mut f) = self.file.lock().unwrap().take() {
            let _ = f.flush();
        }
    }

    /// Print a line (terminal if echoing, and the file if open).
    pub fn line(&self, text: &str) {
        if self.echo {
            crate::console::log_line(text);
        }
        if let Some(f) = self.file.lock().unwrap().as_mut() {
            let _ = writeln!(f, "{text}");
        }
    }

    /// A warning: counted, and printed as Topographica prints them.
    pub fn warning(&self, text: &str) {
        self.warning_from("", text);
    }

    /// A warning naming who saw it first (`[rank 3] `, see
    /// [`crate::batch::rank_warnings`]): counted once, printed as
    /// `<who>Warning: <text>`.
    pub fn warning_from(&self, who: &str, text: &str) {
        *self.warnings.lock().unwrap() += 1;
        self.line(&format!("{who}Warning: {text}"));
    }

    /// An error: counted and printed.
    pub fn error(&self, text: &str) {
        *self.errors.lock().unwrap() += 1;
        self.line(&format!("Error: {text}"));
    }

    /// (errors, warnings) so far.
    pub fn counts(&self) -> (usize, usize) {
        (*self.errors.lock().unwrap(), *self.warnings.lock().unwrap())
    }
}

/// Quote arguments the way Python's `pipes.quote` does, so the first line
/// of the `.out` file can be pasted back into a shell.
pub fn shell_join(argv: &[String]) -> String {
    argv.iter()
        .map(|a| shell_quote(a))
        .collect::<Vec<_>>()
        .join(" ")
}

fn shell_quote(a: &str) -> String {
    if a.is_empty() {
        return "''".into();
    }
    let safe = a
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "@%+=:,./-_".contains(c));
    if safe {
        a.to_string()
    } else {
        format!("'{}'", a.replace('\'', "'\"'\"'"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_round_trips_through_a_shell() {
        let argv: Vec<String> = ["topo-hpc", "-c", "run_batch('a b.ty', x=1)", "it's"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let line = shell_join(&argv);
        assert_eq!(
            line,
            r#"topo-hpc -c 'run_batch('"'"'a b.ty'"'"', x=1)' 'it'"'"'s'"#
        );
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("for a in {line}; do printf '%s\\n' \"$a\"; done"))
            .output()
            .unwrap();
        let got: Vec<String> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(String::from)
            .collect();
        assert_eq!(got, argv);
    }

    #[test]
    fn file_gets_command_line_then_output_and_is_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.out");
        let log = OutLog::terminal(false);
        log.open(&p, &["topo-hpc".into(), "run".into()]).unwrap();
        log.line("hello");
        log.warning("careful");
        log.warning_from("[ranks 1-3] ", "same");
        log.close();
        assert_eq!(
            std::fs::read_to_string(&p).unwrap(),
            "topo-hpc run\nhello\nWarning: careful\n[ranks 1-3] Warning: same\n"
        );
        assert_eq!(log.counts(), (0, 2));
        assert!(OutLog::terminal(false).open(&p, &[]).is_err());
    }
}
