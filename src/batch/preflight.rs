//! Checks a batch run makes before its folder exists: anything that can
//! fail on bad input must fail while nothing has been written (a folder
//! left behind blocks a rerun in the same minute).

use anyhow::{bail, Result};
use std::path::Path;

/// The longest file name a POSIX file system takes (NAME_MAX).
pub const NAME_MAX: usize = 255;
/// The longest path Linux takes (PATH_MAX, with its terminating NUL).
pub const PATH_MAX: usize = 4095;
/// Room for the longest suffix topo-hpc adds to `<simname>`:
/// `_<timestr>_<sheet>_<Measurement>_<suffix>.png` and
/// `_<timestr>.snapshot.h5.tmp`.
pub const SUFFIX_ROOM: usize = 96;

/// The folder name, the file names in it and the whole path must fit the
/// file system's limits.
pub fn check_names(dir: &Path, simname: &str) -> Result<()> {
    let folder = dir.file_name().map(|n| n.len()).unwrap_or_default();
    if folder > NAME_MAX {
        bail!(
            "the run folder name would be {folder} bytes; file systems allow {NAME_MAX}: shorten the tag, prefix or parameters"
        );
    }
    let file = simname.len() + SUFFIX_ROOM;
    if file > NAME_MAX {
        bail!(
            "file names in the run folder would be up to {file} bytes ('{}…'); file systems allow {NAME_MAX}: shorten the tag (at most {} bytes for the model name, time stamp and tag together)",
            simname.chars().take(40).collect::<String>(),
            NAME_MAX - SUFFIX_ROOM
        );
    }
    let path = dir.as_os_str().len() + 1 + file;
    if path > PATH_MAX {
        bail!(
            "paths in the run folder would be up to {path} bytes; Linux allows {PATH_MAX}: use a shorter output path"
        );
    }
    Ok(())
}

/// The longest sheet or projection name accepted (it is part of file
/// names in the run folder).
pub const MAX_OBJECT_NAME: usize = 64;

/// Sheet and projection names become parts of file names (`<simname>_<t>_
/// <sheet>_Activity.png`): they must be plain names, not paths.
pub fn check_object_names(spec: &topo_spec::ModelSpec) -> Result<()> {
    let names = spec
        .sheets
        .iter()
        .map(|s| ("sheet", s.name.as_str()))
        .chain(
            spec.connections
                .iter()
                .map(|c| ("projection", c.name.as_str())),
        );
    for (what, n) in names {
        let bad = n.is_empty()
            || n.len() > MAX_OBJECT_NAME
            || n.starts_with('.')
            || n.chars().any(|c| c == '/' || c == '\\' || c.is_control());
        if bad {
            bail!(
                "{what} name {n:?} cannot be part of a file name: use up to {MAX_OBJECT_NAME} characters, no '/', '\\', control characters or leading '.'"
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_names_are_refused() {
        let ok = Path::new("/tmp/out/202601010000_tiny");
        check_names(ok, "202601010000_tiny").unwrap();
        let tag = "t".repeat(250);
        let e = check_names(ok, &format!("202601010000_tiny_{tag}")).unwrap_err();
        assert!(e.to_string().contains("shorten the tag"), "{e}");
        let deep = format!("/{}", "d/".repeat(2100));
        let e = check_names(&Path::new(&deep).join("x"), "x").unwrap_err();
        assert!(e.to_string().contains("shorter output path"), "{e}");
    }
}
