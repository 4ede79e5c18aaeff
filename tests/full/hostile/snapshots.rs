//! Bad data is not accepted: a snapshot with NaN weights, or with invalid
//! state JSON, is refused on restore with what is wrong and where, before
//! any run folder exists.

use super::common::*;

/// An editable copy of a fresh snapshot.
fn snapshot(s: &Scratch) -> std::path::PathBuf {
    let snap = fresh_snapshot(s, "1,2");
    let copy = s.path().join("edited.snapshot.h5");
    std::fs::copy(&snap, &copy).unwrap();
    copy
}

/// Every float dataset's path in the file.
fn float_datasets(g: &hdf5::Group, prefix: &str, out: &mut Vec<String>) {
    for name in g.member_names().unwrap() {
        let p = format!("{prefix}/{name}");
        if let Ok(sub) = g.group(&name) {
            float_datasets(&sub, &p, out);
        } else if let Ok(ds) = g.dataset(&name) {
            // Coordinates (netCDF-4 dimension scales) label the data and are
            // never read back into the state.
            if ds.attr("CLASS").is_ok() {
                continue;
            }
            let dt = ds.dtype().unwrap();
            if dt.is::<f64>() || dt.is::<f32>() {
                out.push(p);
            }
        }
    }
}

fn restore(s: &Scratch, snap: &std::path::Path) -> Ran {
    run_tiny(s, "out", "3", &["--restore", snap.to_str().unwrap()])
}

#[test]
fn nan_or_infinite_values_are_refused_naming_the_dataset() {
    let s = Scratch::new();
    let snap = snapshot(&s);
    let paths = {
        let f = hdf5::File::open(&snap).unwrap();
        let mut v = Vec::new();
        float_datasets(&f.as_group().unwrap(), "", &mut v);
        v
    };
    let weights: Vec<&String> = paths.iter().filter(|p| p.contains("weights")).collect();
    assert!(!weights.is_empty(), "{paths:?}");
    for (i, bad) in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY]
        .into_iter()
        .enumerate()
    {
        let target = if i == 0 {
            weights[0]
        } else {
            &paths[i % paths.len()]
        };
        let copy = s.path().join(format!("bad{i}.snapshot.h5"));
        std::fs::copy(&snap, &copy).unwrap();
        {
            let f = hdf5::File::open_rw(&copy).unwrap();
            let ds = f.dataset(target).unwrap();
            let mut v: Vec<f64> = ds.read_raw().unwrap();
            let k = v.len() / 2;
            v[k] = bad;
            ds.write_raw(&v).unwrap();
        }
        let r = restore(&s, &copy);
        assert_eq!(r.code, Some(1), "{target}: {}", r.all());
        assert!(r.stderr.contains("NaN or infinite"), "{}", r.all());
        assert!(
            r.stderr.contains(target.trim_start_matches('/')),
            "{target}: {}",
            r.all()
        );
        assert!(
            r.stderr
                .contains(copy.file_name().unwrap().to_str().unwrap()),
            "{}",
            r.all()
        );
        assert!(s.run_dirs().is_empty(), "a folder was left");
    }
    // The unedited copy restores.
    let r = restore(&s, &snap);
    assert_eq!(r.code, Some(0), "{}", r.all());
}

#[test]
fn invalid_state_json_names_the_file() {
    let s = Scratch::new();
    let snap = snapshot(&s);
    {
        let f = hdf5::File::open_rw(&snap).unwrap();
        let ds = f.dataset("meta/state_json").unwrap();
        let mut v: Vec<u8> = ds.read_raw().unwrap();
        v[0] = b'#';
        ds.write_raw(&v).unwrap();
    }
    let r = restore(&s, &snap);
    assert_eq!(r.code, Some(1), "{}", r.all());
    assert!(r.stderr.contains("state_json"), "{}", r.all());
    assert!(r.stderr.contains("edited.snapshot.h5"), "{}", r.all());
    assert!(s.run_dirs().is_empty());
}

#[test]
fn a_truncated_or_foreign_file_is_refused() {
    let s = Scratch::new();
    let snap = snapshot(&s);
    let bytes = std::fs::read(&snap).unwrap();
    std::fs::write(&snap, &bytes[..bytes.len() / 3]).unwrap();
    let r = restore(&s, &snap);
    assert_eq!(r.code, Some(1), "{}", r.all());
    std::fs::write(&snap, "not hdf5 at all").unwrap();
    let r = restore(&s, &snap);
    assert_eq!(r.code, Some(1), "{}", r.all());
    assert!(s.run_dirs().is_empty());
}
