//! `topo-hpc inspect RUN.h5`: what a run file (or a snapshot) holds, for a
//! login node without Python. Reads with plain serial HDF5: no mpirun.

use anyhow::{Context as _, Result};
use hdf5::types::VarLenUnicode;
use std::fmt::Write as _;
use std::path::Path;

/// The text `inspect` prints for the file at `path`.
pub fn inspect(path: &Path) -> Result<String> {
    let f = hdf5::File::open(path)
        .with_context(|| format!("cannot open {} as an HDF5 file", path.display()))?;
    let mut o = String::new();
    let _ = writeln!(o, "{}", path.display());
    let root = f.as_group()?;
    let mut attrs = root.attr_names()?;
    attrs.sort();
    for a in attrs.iter().filter(|a| a.as_str() != "parameters") {
        let _ = writeln!(o, "  {a}: {}", attr_text(&root, a));
    }
    if let Ok(p) = root
        .attr("parameters")
        .and_then(|a| a.read_scalar::<VarLenUnicode>())
    {
        let _ = writeln!(o, "parameters:");
        match serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(p.as_str()) {
            Ok(m) => {
                for (k, v) in m {
                    let _ = writeln!(o, "  {k} = {v}");
                }
            }
            Err(_) => {
                let _ = writeln!(o, "  {}", p.as_str());
            }
        }
    }
    if let Ok(an) = f.group("analysis") {
        let mut times = an.member_names()?;
        times.sort();
        let _ = writeln!(o, "analysis times ({}): {}", times.len(), times.join(" "));
        for t in &times {
            let g = an.group(t)?;
            let _ = writeln!(o, "  {t}");
            let mut sheets = g.member_names()?;
            sheets.sort();
            for s in sheets {
                let Ok(sg) = g.group(&s) else { continue };
                let _ = writeln!(o, "    {s}: {}", datasets_text(&sg)?);
            }
        }
    }
    for top in ["sheets", "projections"] {
        if let Ok(g) = f.group(top) {
            let mut names = g.member_names()?;
            names.sort();
            let _ = writeln!(o, "{top}:");
            for n in names {
                if let Ok(sub) = g.group(&n) {
                    let _ = writeln!(o, "  {n}: {}", datasets_text(&sub)?);
                }
            }
        }
    }
    if let Ok(sn) = f.group("snapshots") {
        let mut names = sn.member_names()?;
        names.sort();
        let _ = writeln!(o, "snapshots ({}):", names.len());
        let dir = path.parent().unwrap_or(Path::new("."));
        for n in names {
            let target = external_target(&sn, &n);
            let state = match &target {
                Some(file) if dir.join(file).exists() => "present",
                Some(_) => "MISSING",
                None => "not an external link",
            };
            let _ = writeln!(o, "  {n} -> {} ({state})", target.as_deref().unwrap_or("?"));
        }
    }
    Ok(o)
}

fn attr_text(loc: &hdf5::Location, name: &str) -> String {
    let Ok(a) = loc.attr(name) else {
        return "?".into();
    };
    if let Ok(s) = a.read_scalar::<VarLenUnicode>() {
        return s.as_str().to_string();
    }
    if let Ok(v) = a.read_scalar::<f64>() {
        return format!("{v}");
    }
    if let Ok(v) = a.read_scalar::<i64>() {
        return format!("{v}");
    }
    "(not a scalar)".into()
}

/// `name[shape]` of each array of a group (one-element arrays with their
/// value), without the coordinate scales.
fn datasets_text(g: &hdf5::Group) -> Result<String> {
    let mut names = g.member_names()?;
    names.sort();
    let mut parts = Vec::new();
    for n in names {
        if let Ok(ds) = g.dataset(&n) {
            if ds.attr("CLASS").is_ok() {
                continue;
            }
            let shape = ds.shape();
            if shape == [1] {
                if let Ok(v) = ds.read_raw::<f64>() {
                    parts.push(format!("{n}={}", v[0]));
                    continue;
                }
            }
            let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
            parts.push(format!("{n}[{}]", dims.join("x")));
        } else if g.group(&n).is_ok() {
            parts.push(format!("{n}/"));
        }
    }
    Ok(parts.join(", "))
}

/// The file an external link points to.
fn external_target(g: &hdf5::Group, name: &str) -> Option<String> {
    let cname = std::ffi::CString::new(name).ok()?;
    let mut buf = vec![0u8; 4096];
    // SAFETY: `g` is an open group, `cname` is NUL-terminated, and `buf`
    // is writable for the length passed; HDF5's lock is held (sync).
    let r = hdf5::sync::sync(|| unsafe {
        hdf5_sys::h5l::H5Lget_val(
            g.id(),
            cname.as_ptr(),
            buf.as_mut_ptr().cast(),
            buf.len(),
            hdf5_sys::h5p::H5P_DEFAULT,
        )
    });
    if r < 0 {
        return None;
    }
    // An external link's value: a flags byte, the file name, NUL, the
    // object path, NUL (H5Lunpack_elink_val's layout).
    let file = buf.get(1..)?.split(|&b| b == 0).next()?;
    (!file.is_empty()).then(|| String::from_utf8_lossy(file).into_owned())
}
