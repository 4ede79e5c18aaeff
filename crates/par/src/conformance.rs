//! Checks that a [`Communicator`] keeps the interface's invariants, valid
//! on any number of ranks. The same checks run twice (as arbor builds its
//! unit tests as unit-local and unit-mpi): on [`crate::Local`] in
//! `cargo test`, and on [`crate::MpiCommunicator`] under `mpirun` with 1-8
//! ranks (`tests/par_mpi.rs`, through its `par_selftest` worker).
//!
//! Collective: every rank must call [`check`].

use crate::communicator::{Communicator, Gathered};
use std::time::Duration;

/// What rank `q` contributes to a gather: its own length (`q % 3`, so
/// some ranks send nothing) and bytes, distinct from every other rank's.
fn payload(q: usize) -> Vec<u8> {
    (0..q % 3).map(|i| (q * 3 + i) as u8).collect()
}

/// Run every check on `comm`; the first broken invariant as an error that
/// names it (on the rank that saw it).
pub fn check(comm: &dyn Communicator) -> Result<(), String> {
    let (rank, size) = (comm.rank(), comm.size());
    let fail = |what: &str| {
        Err(format!(
            "{:?} communicator, rank {rank} of {size}: {what}",
            comm.kind()
        ))
    };
    if size == 0 || rank >= size {
        return fail("rank must be below size, size at least 1");
    }
    comm.barrier();

    if !comm.all_ok(true) {
        return fail("all_ok(true on every rank) is false");
    }
    // False on rank 0 only, yet false everywhere.
    if comm.all_ok(rank != 0) {
        return fail("all_ok is true although rank 0 said false");
    }
    if size > 1 && comm.all_ok(rank != size - 1) {
        return fail("all_ok is true although the last rank said false");
    }

    let mine = format!("root's text, from rank {rank}");
    if comm.broadcast_string(&mine) != "root's text, from rank 0" {
        return fail("broadcast_string did not give rank 0's text");
    }
    if !comm
        .broadcast_string(if rank == 0 { "" } else { "x" })
        .is_empty()
    {
        return fail("broadcast_string of rank 0's empty text is not empty");
    }
    let long = "z".repeat(100_000);
    if comm.broadcast_string(if rank == 0 { &long } else { "" }) != long {
        return fail("broadcast_string of a long text differs");
    }

    let expected: Vec<Vec<u8>> = (0..size).map(payload).collect();
    match (rank, comm.gather(&payload(rank))) {
        (0, Some(all)) if all == expected => {}
        (0, got) => return fail(&format!("gather on rank 0 gave {got:?}, not {expected:?}")),
        (_, None) => {}
        (_, Some(_)) => return fail("gather returned data on a rank other than 0"),
    }
    match (rank, comm.gather(&[])) {
        (0, Some(all)) if all == vec![Vec::<u8>::new(); size] => {}
        (0, got) => return fail(&format!("gather of nothing gave {got:?}")),
        (_, None) => {}
        (_, Some(_)) => return fail("gather of nothing returned data off rank 0"),
    }

    // Every rank comes at once here, so the gather must complete.
    match (
        rank,
        comm.gather_within(&payload(rank), Duration::from_secs(60)),
    ) {
        (0, Gathered::All(all)) if all == expected => {}
        (_, Gathered::Sent) if rank != 0 => {}
        (_, got) => return fail(&format!("gather_within gave {got:?}")),
    }
    // The world's collectives still match after the aside one.
    if !comm.all_ok(true) {
        return fail("all_ok after gather_within is false");
    }
    comm.barrier();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Local;

    #[test]
    fn local_keeps_the_invariants() {
        check(&Local).unwrap();
    }

    /// The checks can fail: a communicator that breaks one is caught.
    #[test]
    fn a_broken_communicator_is_caught() {
        struct Liar;
        impl Communicator for Liar {
            fn kind(&self) -> crate::Kind {
                crate::Kind::Local
            }
            fn rank(&self) -> usize {
                0
            }
            fn size(&self) -> usize {
                1
            }
            fn barrier(&self) {}
            fn all_ok(&self, _ok: bool) -> bool {
                true
            }
            fn broadcast_string(&self, s: &str) -> String {
                s.into()
            }
            fn gather(&self, b: &[u8]) -> Option<Vec<Vec<u8>>> {
                Some(vec![b.to_vec()])
            }
            fn gather_within(&self, b: &[u8], _w: Duration) -> Gathered {
                Gathered::All(vec![b.to_vec()])
            }
            fn h5_access(&self) -> crate::H5Access {
                crate::H5Access::serial()
            }
            fn abort(&self, msg: &str, code: i32) -> ! {
                panic!("{msg} ({code})")
            }
        }
        let e = check(&Liar).unwrap_err();
        assert!(
            e.contains("all_ok is true although rank 0 said false"),
            "{e}"
        );
    }
}
