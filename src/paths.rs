//! Paths users write: `~` expansion and the search path for input files.
//!
//! Inside quoted `-c` text (`run_batch('~/Documents/Topographica/examples/tiny.ty')`)
//! or after `--option=` the shell never expands `~`, so every path a user
//! gives goes through [`expand_user`], with Python's `os.path.expanduser`
//! rules: `~` and `~/x` are the home folder (`$HOME`, else the password
//! entry), `~name/x` is that user's home, anything else is left alone.
//!
//! Relative *input* files (model files, snapshots to load) are looked up
//! as param's `resolve_path` does (param/__init__.py, `resolve_path.__call__`):
//! each folder of a search path in turn, the first existing file wins, and
//! the error lists every place tried. Topographica's search path is the
//! working directory, its own installation folders and the output path
//! (topo/__init__.py, `set_output_path` in topo/misc/commandline.py); ours is
//! the working directory, then the model file's folder, the output path (so
//! a just-saved snapshot loads back by name) and the `$TOPO_HPC_PATH`
//! entries. Output paths are only `~`-expanded: they need not exist.

use anyhow::{bail, Result};
use std::ffi::{CStr, CString, OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

/// The environment variable holding extra input folders (`:`-separated).
pub const SEARCH_PATH_VAR: &str = "TOPO_HPC_PATH";

/// `os.path.expanduser`: `~` / `~/rest` / `~user/rest` become the home
/// folder; other paths (and `~nosuchuser`) are returned unchanged.
pub fn expand_user(path: impl AsRef<Path>) -> PathBuf {
    let path = path.as_ref();
    let bytes = path.as_os_str().as_bytes();
    if bytes.first() != Some(&b'~') {
        return path.to_path_buf();
    }
    let end = bytes.iter().position(|&b| b == b'/').unwrap_or(bytes.len());
    let user = &bytes[1..end];
    let home = if user.is_empty() {
        std::env::var_os("HOME")
            .filter(|h| !h.is_empty())
            .or_else(|| home_of(None))
    } else {
        home_of(Some(user))
    };
    let Some(home) = home else {
        return path.to_path_buf();
    };
    let rest = &bytes[end..];
    let mut out = home.into_vec();
    // Python strips the home's trailing slashes before joining ("/" stays).
    while out.len() > 1 && out.last() == Some(&b'/') {
        out.pop();
    }
    if out == b"/" && rest.first() == Some(&b'/') {
        out.clear();
    }
    out.extend_from_slice(rest);
    PathBuf::from(OsString::from_vec(out))
}

/// Expands `~` in a path given as text (as Python strings are).
pub fn expand_user_str(path: &str) -> PathBuf {
    expand_user(Path::new(path))
}

/// A user's home folder from the password database (the current user's
/// when `user` is `None`).
fn home_of(user: Option<&[u8]>) -> Option<OsString> {
    let mut buf = vec![0 as libc::c_char; 16 * 1024];
    // SAFETY: `pwd` is plain old data that getpw*_r fills in; `buf` outlives
    // every pointer the call stores in it, and its length is passed.
    let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
    let mut result: *mut libc::passwd = std::ptr::null_mut();
    let rc = match user {
        Some(name) => {
            let name = CString::new(name).ok()?;
            // SAFETY: `name` is NUL-terminated, the other pointers are valid
            // for the lengths given (see above).
            unsafe {
                libc::getpwnam_r(
                    name.as_ptr(),
                    &mut pwd,
                    buf.as_mut_ptr(),
                    buf.len(),
                    &mut result,
                )
            }
        }
        // SAFETY: as above.
        None => unsafe {
            libc::getpwuid_r(
                libc::getuid(),
                &mut pwd,
                buf.as_mut_ptr(),
                buf.len(),
                &mut result,
            )
        },
    };
    if rc != 0 || result.is_null() || pwd.pw_dir.is_null() {
        return None;
    }
    // SAFETY: getpw*_r succeeded, so pw_dir points at a NUL-terminated
    // string inside `buf`, which is still alive.
    let dir = unsafe { CStr::from_ptr(pwd.pw_dir) };
    Some(OsStr::from_bytes(dir.to_bytes()).to_os_string())
}

/// The folders a relative input file is looked up in, in order.
#[derive(Debug, Clone, Default)]
pub struct SearchPath {
    dirs: Vec<PathBuf>,
}

impl SearchPath {
    /// The working directory first, then `extra` (model folder, output
    /// path, ... in the caller's order), then the `$TOPO_HPC_PATH` entries.
    /// Repeated folders are kept once, at their first place.
    pub fn new<I, P>(extra: I) -> Self
    where
        I: IntoIterator<Item = P>,
        P: AsRef<Path>,
    {
        Self::build(
            std::env::current_dir().ok(),
            extra,
            std::env::var_os(SEARCH_PATH_VAR),
        )
    }

    /// [`SearchPath::new`] with the working directory and the value of
    /// `$TOPO_HPC_PATH` given.
    fn build<I, P>(cwd: Option<PathBuf>, extra: I, env: Option<OsString>) -> Self
    where
        I: IntoIterator<Item = P>,
        P: AsRef<Path>,
    {
        let mut s = SearchPath::default();
        if let Some(cwd) = cwd {
            s.push(cwd);
        }
        for d in extra {
            s.push(expand_user(d.as_ref()));
        }
        if let Some(v) = env {
            for d in std::env::split_paths(&v) {
                if !d.as_os_str().is_empty() {
                    s.push(expand_user(&d));
                }
            }
        }
        s
    }

    fn push(&mut self, dir: PathBuf) {
        let dir = absolute(&dir);
        if !self.dirs.contains(&dir) {
            self.dirs.push(dir);
        }
    }

    /// The folders, in lookup order.
    pub fn dirs(&self) -> &[PathBuf] {
        &self.dirs
    }

    /// The existing file `path` names (`what` says what it is, for the
    /// error): `~` expanded; an absolute path must exist as it is; a
    /// relative one is tried in each folder in turn.
    pub fn resolve(&self, path: impl AsRef<Path>, what: &str) -> Result<PathBuf> {
        let given = path.as_ref();
        let p = expand_user(given);
        if p.is_absolute() {
            if p.is_file() {
                return Ok(p);
            }
            if p.exists() {
                bail!("{what} {} is not a file", p.display());
            }
            bail!("{what} {} does not exist", p.display());
        }
        let mut tried = Vec::new();
        for d in &self.dirs {
            let candidate = d.join(&p);
            if candidate.is_file() {
                return Ok(candidate);
            }
            tried.push(candidate);
        }
        let list: Vec<String> = tried.iter().map(|t| t.display().to_string()).collect();
        bail!(
            "{what} {} was not found; looked in:\n  {}\n(relative input files are looked up in the working directory, the model file's folder, the output path and ${SEARCH_PATH_VAR})",
            given.display(),
            list.join("\n  ")
        )
    }
}

/// `dir` made absolute against the working directory, without touching the
/// file system further (no symlink resolution).
fn absolute(dir: &Path) -> PathBuf {
    if dir.is_absolute() {
        dir.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|c| c.join(dir))
            .unwrap_or_else(|_| dir.to_path_buf())
    }
}

/// The folder holding a (resolved) file, for the search path of the files
/// it names.
pub fn folder_of(file: &Path) -> PathBuf {
    match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Replace what must never reach a path: separators, NUL, and a leading
/// dot (which would hide the folder or climb out of it).
pub fn safe_component(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| match c {
            '/' | '\\' | '\0' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    if out.starts_with('.') {
        out.replace_range(0..1, "_");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_order_first_existing_wins_and_error_lists_every_place() {
        let t = tempfile::tempdir().unwrap();
        let dirs: Vec<PathBuf> = ["cwd", "model", "out", "env1", "env2"]
            .iter()
            .map(|d| {
                let p = t.path().join(d);
                std::fs::create_dir(&p).unwrap();
                p
            })
            .collect();
        let env = std::env::join_paths([&dirs[3], &dirs[4]]).unwrap();
        let sp = SearchPath::build(Some(dirs[0].clone()), [&dirs[1], &dirs[2]], Some(env));
        assert_eq!(
            sp.dirs(),
            &dirs[..],
            "cwd, extra in order, then $TOPO_HPC_PATH"
        );
        // Present in the last folder only, then in more: the earliest wins.
        for i in (0..dirs.len()).rev() {
            std::fs::write(dirs[i].join("m.ty"), "").unwrap();
            assert_eq!(
                sp.resolve("m.ty", "model file").unwrap(),
                dirs[i].join("m.ty")
            );
        }
        // A folder of that name is not a file: skipped.
        std::fs::create_dir(dirs[0].join("d.ty")).unwrap();
        std::fs::write(dirs[2].join("d.ty"), "").unwrap();
        assert_eq!(
            sp.resolve("d.ty", "model file").unwrap(),
            dirs[2].join("d.ty")
        );
        let err = sp
            .resolve("sub/none.ty", "model file")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("model file sub/none.ty was not found; looked in:"),
            "{err}"
        );
        let mut at = 0;
        for d in &dirs {
            let want = d.join("sub/none.ty").display().to_string();
            let pos = err[at..]
                .find(&want)
                .unwrap_or_else(|| panic!("{want} not listed in order: {err}"));
            at += pos + want.len();
        }
        // Absolute paths are taken as they are, never searched.
        let abs = t.path().join("nowhere.ty");
        let err = sp.resolve(&abs, "snapshot").unwrap_err().to_string();
        assert_eq!(err, format!("snapshot {} does not exist", abs.display()));
        // A repeated folder is searched once.
        let sp = SearchPath::build(Some(dirs[0].clone()), [&dirs[0], &dirs[1]], None);
        assert_eq!(sp.dirs(), &dirs[..2]);
    }

    #[test]
    fn tilde_forms() {
        let home = std::env::var_os("HOME").map(PathBuf::from);
        if let Some(home) = home.filter(|h| h.as_os_str().len() > 1) {
            let h = home.to_string_lossy().trim_end_matches('/').to_string();
            assert_eq!(expand_user("~"), PathBuf::from(&h));
            assert_eq!(
                expand_user("~/a/b.ty"),
                PathBuf::from(format!("{h}/a/b.ty"))
            );
        }
        // Not at the start, or no such user: unchanged, as Python leaves them.
        assert_eq!(expand_user("a/~/b"), PathBuf::from("a/~/b"));
        assert_eq!(expand_user("/x/~"), PathBuf::from("/x/~"));
        assert_eq!(
            expand_user("~no_such_user_topo_hpc/x"),
            PathBuf::from("~no_such_user_topo_hpc/x")
        );
        // root always exists in the password database.
        let root = home_of(Some(b"root")).expect("root has a home");
        assert_eq!(
            expand_user("~root/m.ty"),
            Path::new(&root).join("m.ty"),
            "~user/rest is that user's home"
        );
    }
}
