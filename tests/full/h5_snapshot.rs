//! The HDF5 layer in one process: collective writes of hyperslabs, the
//! crash-safe rename, reading back, and h5py reading the same file.
//! (MPI initialises once per process, so this file holds one test, and it
//! runs in a child process of the test binary: see [`in_own_process`].)

use topo_hpc::io::h5::Attr;
use topo_hpc::io::snapshot::{self, Snapshot, SnapshotMeta};
use topo_hpc::sim::state::{ArrayData, Hyperslab, LocalArray};

/// Set in the child process that runs the test's body.
const CHILD: &str = "TOPO_HPC_TEST_H5_SNAPSHOT_CHILD";

/// The full tier is one test binary, and MPI initialised in it would stay
/// so (and leave its OMPI_/PMIX_ variables in the environment of every
/// process the other tests start): this test re-runs itself, alone, in a
/// child process of the same binary, and fails when the child fails.
#[test]
fn snapshot_round_trip_and_h5py_reads_it() {
    if std::env::var_os(CHILD).is_some() {
        return round_trip();
    }
    in_own_process("snapshot_round_trip_and_h5py_reads_it");
}

/// Runs test `name` of this module in a child process with [`CHILD`] set.
fn in_own_process(name: &str) {
    // module_path!() starts with the test crate's name, which test names omit.
    let module = module_path!().split_once("::").map_or("", |(_, m)| m);
    let full_name = format!("{module}::{name}");
    let o = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            full_name.as_str(),
            "--exact",
            "--test-threads=1",
            "--nocapture",
        ])
        .env(CHILD, "1")
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success() && out.contains("test result: ok. 1 passed"),
        "{full_name} in its own process: {:?}\n{out}\n{}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
}

fn round_trip() {
    // MPI (a singleton here), so the file goes through parallel HDF5.
    let ctx = topo_hpc::par::Context::init();
    assert_eq!(ctx.kind(), topo_hpc::par::Kind::Mpi);
    let comm = ctx.h5_access();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run_000010.00.h5");
    // A stale temporary from a "killed" earlier write must not matter.
    std::fs::write(snapshot::temp_path(&path), b"garbage").unwrap();

    let act: Vec<f64> = (0..12).map(|i| i as f64 * 0.5).collect();
    let w: Vec<f32> = (0..24).map(|i| i as f32 * 0.25).collect();
    let striped: Vec<f32> = (0..16).map(|i| 1.0 + i as f32).collect();
    let slab = |start: &[usize], count: &[usize]| Hyperslab {
        start: start.to_vec(),
        count: count.to_vec(),
    };
    let arrays = vec![
        LocalArray {
            path: "sheets/V1/activity".into(),
            global_shape: vec![3, 4],
            slabs: vec![slab(&[0, 0], &[3, 4])],
            data: ArrayData::F64(act.clone()),
        },
        LocalArray {
            path: "projections/V1.Afferent/weights".into(),
            global_shape: vec![3, 4, 2],
            slabs: vec![slab(&[0, 0, 0], &[3, 4, 2])],
            data: ArrayData::F32(w.clone()),
        },
        // Rows dealt in stripes: rows 0 and 2 of a 3-row sheet, as one
        // selection of two hyperslabs (row 1 is left unwritten).
        LocalArray {
            path: "projections/V1.Lateral/weights".into(),
            global_shape: vec![3, 4, 2],
            slabs: vec![slab(&[0, 0, 0], &[1, 4, 2]), slab(&[2, 0, 0], &[1, 4, 2])],
            data: ArrayData::F32(striped.clone()),
        },
    ];
    let meta = SnapshotMeta {
        spec_json: "{\"sheets\":[]}",
        state_json: "{\"time\":[10,1]}",
        attrs: vec![
            ("time".into(), Attr::F64(10.0)),
            ("model".into(), Attr::Str("tiny.ty".into())),
        ],
    };
    snapshot::write(comm, true, &|| ctx.barrier(), &path, &arrays, &meta).unwrap();
    assert!(path.exists());
    assert!(!snapshot::temp_path(&path).exists());

    let s = Snapshot::open(&path, comm).unwrap();
    assert_eq!(s.spec_json().unwrap(), "{\"sheets\":[]}");
    assert_eq!(s.state_json().unwrap(), "{\"time\":[10,1]}");
    assert_eq!(s.attr_str("model").unwrap(), "tiny.ty");
    // A block of a different decomposition than the one written.
    match s.read("sheets/V1/activity", &[1, 1], &[2, 2]).unwrap() {
        ArrayData::F64(v) => assert_eq!(v, vec![act[5], act[6], act[9], act[10]]),
        other => panic!("wrong type {other:?}"),
    }
    match s
        .read("projections/V1.Afferent/weights", &[2, 3, 0], &[1, 1, 2])
        .unwrap()
    {
        ArrayData::F32(v) => assert_eq!(v, vec![w[22], w[23]]),
        other => panic!("wrong type {other:?}"),
    }
    // Each stripe lands at its own rows, in order; the row between them
    // holds the fill value.
    for (row, want) in [(0, &striped[..8]), (2, &striped[8..])] {
        match s
            .read("projections/V1.Lateral/weights", &[row, 0, 0], &[1, 4, 2])
            .unwrap()
        {
            ArrayData::F32(v) => assert_eq!(v, want, "row {row}"),
            other => panic!("wrong type {other:?}"),
        }
    }
    match s
        .read("projections/V1.Lateral/weights", &[1, 0, 0], &[1, 4, 2])
        .unwrap()
    {
        ArrayData::F32(v) => assert_eq!(v, vec![0.0; 8]),
        other => panic!("wrong type {other:?}"),
    }
    s.close().unwrap();

    let py = std::process::Command::new("python3")
        .arg("-c")
        .arg(
            "import h5py,sys,numpy as np\n\
             f=h5py.File(sys.argv[1],'r')\n\
             a=f['sheets/V1/activity'][...]\n\
             assert a.shape==(3,4) and a[2,3]==5.5, a\n\
             assert f['projections/V1.Afferent/weights'].dtype==np.float32\n\
             assert f.attrs['model']=='tiny.ty'\n\
             print('ok')",
        )
        .arg(&path)
        .output()
        .expect("python3");
    assert!(
        py.status.success(),
        "h5py could not read the snapshot: {}",
        String::from_utf8_lossy(&py.stderr)
    );
}
