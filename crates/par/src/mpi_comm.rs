//! [`MpiCommunicator`]: all ranks of `MPI_COMM_WORLD` (rsmpi), MPI's
//! lifetime, and the job-wide abort.
//!
//! A failure on one rank must end the whole job with that rank's message,
//! never leave the others waiting in a collective. [`MpiCommunicator::init`]
//! installs a panic hook that prints the panic with the rank and calls
//! `MPI_Abort`; errors returned as values end the job through
//! [`communicator::Communicator::abort`].

use crate::abort;
use crate::comm::MpiExchange;
use crate::communicator::{self, Gathered, Kind};
use crate::hdf5_access::H5Access;
use mpi::collective::SystemOperation;
use mpi::datatype::PartitionMut;
use mpi::environment::Universe;
use mpi::topology::SimpleCommunicator;
use mpi::traits::*;
use mpi::Threading;
use std::sync::Once;
use std::time::{Duration, Instant};

/// Exit code of a job ended by a panic (Rust's own panic exit code).
pub const PANIC_EXIT_CODE: i32 = 101;

static HOOK: Once = Once::new();

/// MPI over all ranks of the job. Owns MPI: dropping it finalises MPI.
pub struct MpiCommunicator {
    // Fields drop in order: the communicators before the universe, which
    // finalises MPI.
    world: SimpleCommunicator,
    /// A duplicate of the world for [`communicator::Communicator::gather_within`]: its
    /// collectives can never be matched with the world's.
    aside: SimpleCommunicator,
    rank: usize,
    size: usize,
    _universe: Universe,
}

impl MpiCommunicator {
    /// Initialise MPI (threading level "funneled": only the main thread
    /// calls MPI; rayon workers compute) and install the abort-on-panic
    /// hook. `None` if MPI was already initialised elsewhere in this
    /// process (this value would not own it).
    pub fn init() -> Option<MpiCommunicator> {
        crate::mpi_io_hints::before_mpi_init();
        let (universe, _provided) = mpi::initialize_with_threading(Threading::Funneled)?;
        let world = universe.world();
        let rank = world.rank() as usize;
        let size = world.size() as usize;
        abort::set_rank(rank, size);
        install_panic_hook();
        let aside = world.duplicate();
        Some(MpiCommunicator {
            world,
            aside,
            rank,
            size,
            _universe: universe,
        })
    }

    /// The engine's halo exchange over all ranks.
    pub fn exchange(&self) -> MpiExchange {
        MpiExchange::world()
    }
}

impl communicator::Communicator for MpiCommunicator {
    fn kind(&self) -> Kind {
        Kind::Mpi
    }

    fn rank(&self) -> usize {
        self.rank
    }

    fn size(&self) -> usize {
        self.size
    }

    fn barrier(&self) {
        self.world.barrier();
    }

    fn all_ok(&self, ok: bool) -> bool {
        let mine = ok as i32;
        let mut all = mine;
        self.world
            .all_reduce_into(&mine, &mut all, SystemOperation::min());
        all == 1
    }

    fn broadcast_string(&self, s: &str) -> String {
        let root = self.world.process_at_rank(0);
        let mut len = s.len() as u64;
        root.broadcast_into(&mut len);
        if len == 0 {
            // An empty buffer is an invalid argument to MPI_Bcast.
            return String::new();
        }
        let mut bytes = if self.rank == 0 {
            s.as_bytes().to_vec()
        } else {
            vec![0u8; len as usize]
        };
        root.broadcast_into(&mut bytes[..]);
        String::from_utf8_lossy(&bytes).into_owned()
    }

    fn gather(&self, bytes: &[u8]) -> Option<Vec<Vec<u8>>> {
        gather_on(&self.world, bytes)
    }

    fn gather_within(&self, bytes: &[u8], wait: Duration) -> Gathered {
        let deadline = Instant::now() + wait;
        let mut request = self.aside.immediate_barrier();
        loop {
            match request.test() {
                Ok(_) => break,
                Err(pending) if Instant::now() >= deadline => {
                    // Dropping an incomplete request panics; the job ends
                    // soon, so leaking it is harmless.
                    std::mem::forget(pending);
                    return Gathered::Incomplete;
                }
                Err(pending) => {
                    request = pending;
                    std::thread::sleep(Duration::from_millis(1));
                }
            }
        }
        match gather_on(&self.aside, bytes) {
            Some(all) => Gathered::All(all),
            None => Gathered::Sent,
        }
    }

    fn h5_access(&self) -> H5Access {
        H5Access::parallel(self.world.as_raw())
    }

    fn abort(&self, msg: &str, code: i32) -> ! {
        report_and_abort(msg, code)
    }
}

/// Gather every rank's bytes on rank 0 of `comm`: all ranks learn every
/// length first, so that all skip the second step alike when there is
/// nothing to send. A rank whose bytes would take the total past 2 GiB
/// arrives empty.
fn gather_on(comm: &SimpleCommunicator, bytes: &[u8]) -> Option<Vec<Vec<u8>>> {
    let n = comm.size() as usize;
    let is_root = comm.rank() == 0;
    let my_len = bytes.len() as u64;
    let mut lens = vec![0u64; n];
    comm.all_gather_into(&my_len, &mut lens[..]);
    // MPI counts are i32: ranks whose bytes would take the total past that
    // send nothing (every rank knows every length, so all agree).
    let mut counts = Vec::with_capacity(n);
    let mut displs = Vec::with_capacity(n);
    let mut at: i32 = 0;
    for &l in &lens {
        let c = i32::try_from(l)
            .ok()
            .filter(|&c| at.checked_add(c).is_some())
            .unwrap_or(0);
        displs.push(at);
        counts.push(c);
        at += c;
    }
    if at == 0 {
        return is_root.then(|| vec![Vec::new(); n]);
    }
    let mine = counts[comm.rank() as usize] as usize;
    // A rank with nothing to send passes a real (non-null) buffer with a
    // count of 0: some MPI builds reject a null buffer with MPI_ERR_ARG.
    let pad = [0u8; 1];
    let send: &[u8] = if mine == 0 { &pad[..0] } else { &bytes[..mine] };
    let root = comm.process_at_rank(0);
    if !is_root {
        root.gather_varcount_into(send);
        return None;
    }
    let mut buf = vec![0u8; at as usize];
    {
        let mut part = PartitionMut::new(&mut buf[..], &counts[..], &displs[..]);
        root.gather_varcount_into_root(send, &mut part);
    }
    Some(
        counts
            .iter()
            .zip(&displs)
            .map(|(&c, &d)| buf[d as usize..(d + c) as usize].to_vec())
            .collect(),
    )
}

/// How long a failing rank other than 0 waits before reporting. An error
/// every rank meets (a bad model file) is then usually printed once, by
/// rank 0, whose abort ends the others first; an error of one rank alone is
/// still reported, a moment later.
const NON_ROOT_REPORT_DELAY: Duration = Duration::from_millis(500);

/// Print `msg` with the rank, then end the job: `MPI_Abort` on the world if
/// MPI is running, else exit the process.
fn report_and_abort(msg: &str, code: i32) -> ! {
    let mpi_running = mpi::is_initialized() && !mpi::is_finalized();
    if !mpi_running {
        abort::report_and_exit(msg, code)
    }
    if abort::rank() != 0 {
        std::thread::sleep(NON_ROOT_REPORT_DELAY);
    }
    abort::report(msg);
    SimpleCommunicator::world().abort(code)
}

/// Install (once) the hook that turns a panic on any thread of any rank
/// into a job-wide abort carrying the rank's message. Without MPI the panic
/// proceeds as usual (so unit tests can still catch panics).
fn install_panic_hook() {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if mpi::is_initialized() && !mpi::is_finalized() {
                let thread = std::thread::current();
                let name = thread.name().unwrap_or("<unnamed>");
                report_and_abort(&format!("thread '{name}' {info}"), PANIC_EXIT_CODE);
            }
            previous(info);
        }));
    });
}

/// The MPI library linked, as it names itself, and the MPI standard it
/// implements: `Open MPI v4.1.4 (MPI standard 3.1)`. May be called before
/// MPI is initialised (`MPI_Get_library_version` and `MPI_Get_version` may).
pub fn library_version() -> String {
    let name = mpi::environment::library_version()
        .map(|s| {
            let first = s.trim_end_matches('\0').lines().next().unwrap_or("");
            first.split(',').next().unwrap_or("").trim().to_string()
        })
        .unwrap_or_else(|_| "unknown".into());
    let (major, minor) = mpi::environment::version();
    format!("{name} (MPI standard {major}.{minor})")
}
