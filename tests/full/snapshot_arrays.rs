//! Reading a snapshot's arrays for bit-for-bit comparisons between runs.

use std::path::Path;
use topo_hpc::io::h5::H5File;
use topo_hpc::io::snapshot::Snapshot;
use topo_hpc::sim::state::ArrayData;

/// Every array under `sheets/` and `projections/` of a snapshot, by path,
/// as the bits of its values (so that equality is bit-identity), except
/// the arrays named in `skip`.
pub fn arrays(path: &Path, skip: &[&str]) -> Vec<(String, Vec<u64>)> {
    let access = topo_hpc::par::Context::local().h5_access();
    let mut shapes = Vec::new();
    {
        let f = H5File::open_read(path, access).unwrap();
        for top in ["sheets", "projections"] {
            let g = f.file().group(top).unwrap();
            let mut groups = g.member_names().unwrap();
            groups.sort();
            for n in groups {
                let sub = g.group(&n).unwrap();
                let mut names = sub.member_names().unwrap();
                names.sort();
                for a in names {
                    if skip.contains(&a.as_str()) || sub.dataset(&a).is_err() {
                        continue;
                    }
                    let p = format!("{top}/{n}/{a}");
                    shapes.push((p.clone(), f.shape(&p).unwrap()));
                }
            }
        }
        f.close().unwrap();
    }
    let snap = Snapshot::open(path, access).unwrap();
    let out = shapes
        .into_iter()
        .map(|(p, shape)| {
            let start = vec![0; shape.len()];
            let bits = match snap.read(&p, &start, &shape).unwrap() {
                ArrayData::F64(v) => v.iter().map(|x| x.to_bits()).collect(),
                ArrayData::F32(v) => v.iter().map(|x| u64::from(x.to_bits())).collect(),
                ArrayData::I32(v) => v.iter().map(|&x| x as u32 as u64).collect(),
            };
            (p, bits)
        })
        .collect();
    snap.close().unwrap();
    out
}
