//! [`Context`]: MPI's lifetime, this rank's identity and job-wide failure.
//!
//! A failure on one rank must end the whole job with that rank's message,
//! never leave the others waiting in a collective. [`Context::init`] installs
//! a panic hook that prints the panic with the rank and calls `MPI_Abort`;
//! errors returned as values end the job through [`Context::fail`].

use crate::comm::MpiExchange;
use mpi::collective::SystemOperation;
use mpi::datatype::PartitionMut;
use mpi::environment::Universe;
use mpi::topology::SimpleCommunicator;
use mpi::traits::*;
use mpi::Threading;
use std::fmt::Display;
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Once;
use std::time::{Duration, Instant};

/// Exit code of a job ended by a panic (Rust's own panic exit code).
pub const PANIC_EXIT_CODE: i32 = 101;
/// Exit code of a job ended by [`Context::fail`].
pub const ERROR_EXIT_CODE: i32 = 1;

/// The rank and size the panic hook reports (set once MPI is up).
static HOOK_RANK: AtomicUsize = AtomicUsize::new(0);
static HOOK_SIZE: AtomicUsize = AtomicUsize::new(1);
static HOOK: Once = Once::new();

/// The parallel environment of this process.
pub struct Context {
    /// Finalises MPI when dropped (None: no MPI in this process).
    universe: Option<Universe>,
    world: Option<SimpleCommunicator>,
    /// A duplicate of the world for [`Context::gather_within`]: its
    /// collectives can never be matched with the world's.
    aside: Option<SimpleCommunicator>,
    rank: usize,
    size: usize,
}

impl Context {
    /// Initialise MPI (threading level "funneled": only the main thread
    /// calls MPI; rayon workers compute) and install the abort-on-panic hook.
    /// If MPI was already initialised elsewhere in this process, the result
    /// is a one-process context that does not own MPI.
    pub fn init() -> Context {
        crate::mpi_io_hints::before_mpi_init();
        match mpi::initialize_with_threading(Threading::Funneled) {
            Some((universe, _provided)) => {
                let world = universe.world();
                let rank = world.rank() as usize;
                let size = world.size() as usize;
                HOOK_RANK.store(rank, Ordering::SeqCst);
                HOOK_SIZE.store(size, Ordering::SeqCst);
                install_panic_hook();
                let aside = world.duplicate();
                Context {
                    universe: Some(universe),
                    world: Some(world),
                    aside: Some(aside),
                    rank,
                    size,
                }
            }
            None => Context::single(),
        }
    }

    /// One process without MPI (tools and unit tests).
    pub fn single() -> Context {
        Context {
            universe: None,
            world: None,
            aside: None,
            rank: 0,
            size: 1,
        }
    }

    /// This process's rank.
    pub fn rank(&self) -> usize {
        self.rank
    }

    /// Number of ranks.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Whether this is rank 0, which prints and writes shared files.
    pub fn is_root(&self) -> bool {
        self.rank == 0
    }

    /// Whether MPI runs in this process.
    pub fn is_mpi(&self) -> bool {
        self.universe.is_some()
    }

    /// The engine's communicator: MPI over all ranks, or one process.
    pub fn exchange(&self) -> MpiExchange {
        if self.world.is_some() {
            MpiExchange::world()
        } else {
            MpiExchange::single()
        }
    }

    /// The raw world communicator, for parallel HDF5 (None without MPI).
    pub fn raw_comm(&self) -> Option<mpi::ffi::MPI_Comm> {
        self.world.as_ref().map(|w| w.as_raw())
    }

    /// Collective: wait for every rank.
    pub fn barrier(&self) {
        if let Some(w) = &self.world {
            w.barrier();
        }
    }

    /// Collective: true on every rank iff `ok` is true on every rank. Lets
    /// ranks agree on an outcome before a step that all must take or skip.
    pub fn all_ok(&self, ok: bool) -> bool {
        let Some(w) = &self.world else {
            return ok;
        };
        let mine = ok as i32;
        let mut all = mine;
        w.all_reduce_into(&mine, &mut all, SystemOperation::min());
        all == 1
    }

    /// Collective: rank 0's string on every rank.
    pub fn broadcast_string(&self, s: &str) -> String {
        let Some(w) = &self.world else {
            return s.to_string();
        };
        let root = w.process_at_rank(0);
        let mut len = s.len() as u64;
        root.broadcast_into(&mut len);
        if len == 0 {
            // An empty buffer is an invalid argument to MPI_Bcast.
            return String::new();
        }
        let mut bytes = if self.is_root() {
            s.as_bytes().to_vec()
        } else {
            vec![0u8; len as usize]
        };
        root.broadcast_into(&mut bytes[..]);
        String::from_utf8_lossy(&bytes).into_owned()
    }

    /// Collective: every rank's `bytes` on rank 0, in rank order (`None` on
    /// the other ranks). Any rank may send nothing; the total must stay
    /// under 2 GiB (MPI's count limit), later ranks arrive empty beyond it.
    pub fn gather(&self, bytes: &[u8]) -> Option<Vec<Vec<u8>>> {
        match &self.world {
            Some(w) => gather_on(w, bytes),
            None => Some(vec![bytes.to_vec()]),
        }
    }

    /// [`Context::gather`] for a moment when it is unknown whether every
    /// rank will come (an error that may be this rank's alone): the gather
    /// happens only if every rank calls this within `wait`, on a
    /// communicator of its own, so it never mismatches a collective the
    /// other ranks are in. A rank that gives up should end the job soon
    /// (its outstanding barrier is abandoned, not completed).
    pub fn gather_within(&self, bytes: &[u8], wait: Duration) -> Gathered {
        let (Some(_), Some(aside)) = (&self.world, &self.aside) else {
            return Gathered::All(vec![bytes.to_vec()]);
        };
        let deadline = Instant::now() + wait;
        let mut request = aside.immediate_barrier();
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
        match gather_on(aside, bytes) {
            Some(all) => Gathered::All(all),
            None => Gathered::Sent,
        }
    }

    /// Print a line on stdout on rank 0 only.
    pub fn root_println(&self, msg: impl Display) {
        if self.is_root() {
            print_line(&mut std::io::stdout().lock(), &msg.to_string());
        }
    }

    /// Print a line on stderr on rank 0 only.
    pub fn root_eprintln(&self, msg: impl Display) {
        if self.is_root() {
            print_line(&mut std::io::stderr().lock(), &msg.to_string());
        }
    }

    /// End the whole job because of an error on this rank: print it with
    /// the rank on stderr and abort every rank (exit code
    /// [`ERROR_EXIT_CODE`]). Without MPI, exits the process.
    pub fn fail(&self, err: impl Display) -> ! {
        report_and_abort(&format!("error: {err}"), ERROR_EXIT_CODE)
    }
}

impl Drop for Context {
    fn drop(&mut self) {
        // The communicators must go before the universe finalises MPI.
        self.aside = None;
        self.world = None;
        self.universe = None;
    }
}

/// `text` and a newline, best effort: a closed pipe must not end the run
/// (the run's record is its `.out` file).
fn print_line(w: &mut impl Write, text: &str) {
    let _ = writeln!(w, "{text}");
}

/// What [`Context::gather_within`] achieved on this rank.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gathered {
    /// Rank 0 (or the only rank): every rank's bytes, in rank order.
    All(Vec<Vec<u8>>),
    /// Another rank: its bytes went to rank 0.
    Sent,
    /// Not every rank came in time: nothing was exchanged.
    Incomplete,
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

/// The prefix naming this rank in messages.
fn rank_prefix() -> String {
    let (r, n) = (
        HOOK_RANK.load(Ordering::SeqCst),
        HOOK_SIZE.load(Ordering::SeqCst),
    );
    format!("topo-hpc rank {r} of {n}")
}

/// How long a failing rank other than 0 waits before reporting. An error
/// every rank meets (a bad model file) is then usually printed once, by
/// rank 0, whose abort ends the others first; an error of one rank alone is
/// still reported, a moment later.
const NON_ROOT_REPORT_DELAY: std::time::Duration = std::time::Duration::from_millis(500);

/// Print `msg` with the rank, then end the job: `MPI_Abort` on the world if
/// MPI is running, else exit the process.
fn report_and_abort(msg: &str, code: i32) -> ! {
    let mpi_running = mpi::is_initialized() && !mpi::is_finalized();
    if mpi_running && HOOK_RANK.load(Ordering::SeqCst) != 0 {
        std::thread::sleep(NON_ROOT_REPORT_DELAY);
    }
    // One write, so that the line reaches mpirun whole, not interleaved
    // with other ranks' output.
    let line = format!("{}: {msg}\n", rank_prefix());
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(line.as_bytes());
    let _ = err.flush();
    drop(err);
    let _ = std::io::stdout().flush();
    if mpi_running {
        SimpleCommunicator::world().abort(code)
    }
    std::process::exit(code)
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
