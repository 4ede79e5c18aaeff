//! Guards on a folder topo-hpc writes into: one writer at a time, and no
//! symbolic links followed inside it.
//!
//! Two in-place resumes of one checkpoint, running at once, wrote the same
//! `.h5` and corrupted it; files planted as symbolic links in a run folder
//! were written through, outside the output root. A [`FolderLock`] is an
//! advisory `flock(2)` on a file inside the folder, held for the whole run
//! and released by the kernel on any exit (even `kill -9`); a second run
//! finds it taken and refuses before it writes anything. `flock` works on
//! local file systems, on NFS (Linux maps it to a byte-range lock) and on
//! Lustre mounted with `-o flock`.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};

/// The lock file of a run folder.
pub const RUN_LOCK: &str = ".topo-hpc.lock";
/// The lock file of a sweep folder.
pub const SWEEP_LOCK: &str = ".topo-hpc-sweep.lock";

/// An exclusive advisory lock on a folder, held while this value lives.
#[derive(Debug)]
pub struct FolderLock {
    _file: File,
    path: PathBuf,
}

impl FolderLock {
    /// Take the lock `dir/name` without waiting. `what` names the folder in
    /// messages ("run folder", "sweep folder"). Fails with a message naming
    /// the folder when another process holds it, or when the lock file is
    /// a symbolic link.
    pub fn acquire(dir: &Path, name: &str, what: &str) -> Result<FolderLock, String> {
        let path = dir.join(name);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o644)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&path)
            .map_err(|e| {
                if e.raw_os_error() == Some(libc::ELOOP) {
                    format!(
                        "{} is a symbolic link; topo-hpc never follows links inside a {what}",
                        path.display()
                    )
                } else {
                    format!("cannot open the lock {}: {e}", path.display())
                }
            })?;
        // SAFETY: flock on a file descriptor this function owns.
        let r = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
        if r != 0 {
            let e = std::io::Error::last_os_error();
            let holder = std::fs::read_to_string(&path).unwrap_or_default();
            let holder = holder.trim();
            return Err(if e.raw_os_error() == Some(libc::EWOULDBLOCK) {
                format!(
                    "{what} {} is in use by another topo-hpc process{} (it holds {}); \
                     one writer per folder: wait for it to end, or write into a new folder",
                    dir.display(),
                    if holder.is_empty() {
                        String::new()
                    } else {
                        format!(" ({holder})")
                    },
                    path.display()
                )
            } else {
                format!("cannot lock {}: {e}", path.display())
            });
        }
        // Who holds it, for the message a second run prints.
        let _ = file.set_len(0);
        let _ = writeln!(
            file,
            "pid {} on {}",
            std::process::id(),
            crate::host::hostname()
        );
        Ok(FolderLock { _file: file, path })
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Refuse a folder that is a symbolic link or holds one: a resumed run
/// writes into existing files, and must never write through a link.
pub fn refuse_symlinks(dir: &Path, what: &str) -> Result<(), String> {
    let meta = std::fs::symlink_metadata(dir)
        .map_err(|e| format!("cannot read {what} {}: {e}", dir.display()))?;
    if meta.file_type().is_symlink() {
        return Err(format!(
            "{what} {} is a symbolic link; topo-hpc never writes through links (use the real path)",
            dir.display()
        ));
    }
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read {what} {}: {e}", dir.display()))?;
    for e in entries {
        let e = e.map_err(|e| format!("cannot read {what} {}: {e}", dir.display()))?;
        let is_link = e.file_type().map(|t| t.is_symlink()).unwrap_or(false);
        if is_link {
            let target = std::fs::read_link(e.path())
                .map(|t| t.display().to_string())
                .unwrap_or_default();
            return Err(format!(
                "{} in the {what} is a symbolic link (to {target}); topo-hpc never writes through links inside a run's folder: remove it",
                e.path().display()
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_lock_is_refused_and_released_on_drop() {
        let d = tempfile::tempdir().unwrap();
        let a = FolderLock::acquire(d.path(), RUN_LOCK, "run folder").unwrap();
        let e = FolderLock::acquire(d.path(), RUN_LOCK, "run folder").unwrap_err();
        assert!(e.contains("in use by another topo-hpc process"), "{e}");
        drop(a);
        FolderLock::acquire(d.path(), RUN_LOCK, "run folder").unwrap();
    }

    #[test]
    fn links_are_refused() {
        let d = tempfile::tempdir().unwrap();
        refuse_symlinks(d.path(), "run folder").unwrap();
        std::os::unix::fs::symlink("/etc/passwd", d.path().join(RUN_LOCK)).unwrap();
        let e = FolderLock::acquire(d.path(), RUN_LOCK, "run folder").unwrap_err();
        assert!(e.contains("symbolic link"), "{e}");
        let e = refuse_symlinks(d.path(), "run folder").unwrap_err();
        assert!(e.contains("/etc/passwd"), "{e}");
    }
}
