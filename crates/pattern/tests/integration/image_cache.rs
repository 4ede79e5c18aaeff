//! An image is read once per process (so once per MPI rank) and shared by
//! every thread: `image::load` hands all callers one copy, and does not
//! go back to the file once it has read it.

use std::path::PathBuf;
use std::sync::Arc;
use topo_pattern::image;

#[test]
fn an_image_is_read_once_and_shared_by_threads() {
    let d = std::env::temp_dir().join(format!("topo-pattern-cache-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    let path = d.join("shared.png");
    std::fs::copy(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/images/combined01.png"),
        &path,
    )
    .unwrap();
    let copies: Vec<Arc<image::Image>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| s.spawn(|| image::load(&path).unwrap()))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for c in &copies[1..] {
        assert!(Arc::ptr_eq(&copies[0], c), "each thread got its own copy");
    }
    // Gone from the disk, it still loads: the file is not read again.
    std::fs::remove_file(&path).unwrap();
    let again = image::load(&path).expect("the copy read before");
    assert!(Arc::ptr_eq(&copies[0], &again));
    // A file never read is an error naming it.
    let missing = d.join("never.png");
    let e = image::load(&missing).unwrap_err().to_string();
    assert!(e.contains("never.png"), "{e}");
    std::fs::remove_dir_all(&d).unwrap();
}
