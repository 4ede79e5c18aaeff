//! [`Context`]: this process's place in the job, chosen once at start-up.
//!
//! A `Context` is a [`Communicator`] (local, MPI or dry run, behind one
//! interface, as arbor's `distributed_context`) plus what every command
//! wants on top of it: printing on rank 0 only and ending the job on an
//! error. Nothing outside this crate checks which implementation runs.

use crate::comm::MpiExchange;
pub use crate::communicator::Gathered;
use crate::communicator::{Communicator, Kind};
use crate::hdf5_access::H5Access;
use crate::local::Local;
use crate::mpi_comm::MpiCommunicator;
pub use crate::mpi_comm::PANIC_EXIT_CODE;
use std::fmt::Display;
use std::io::Write;
use std::time::Duration;

/// Exit code of a job ended by [`Context::fail`].
pub const ERROR_EXIT_CODE: i32 = 1;

/// The parallel environment of this process.
pub struct Context {
    comm: Box<dyn Communicator>,
}

impl Context {
    /// Initialise MPI (threading level "funneled") and install the
    /// abort-on-panic hook. If MPI was already initialised elsewhere in
    /// this process, the result is a one-process [`Local`] context.
    pub fn init() -> Context {
        // Read before MPI_Init, which sets the launcher's variables for a
        // singleton too.
        crate::launcher::launched_by();
        match MpiCommunicator::init() {
            Some(mpi) => Context {
                comm: Box::new(mpi),
            },
            None => Context::local(),
        }
    }

    /// One process without MPI (tools and unit tests).
    pub fn local() -> Context {
        Context::with(Local)
    }

    /// A context over a communicator made elsewhere (such as
    /// [`crate::DryRun`]).
    pub fn with(comm: impl Communicator + 'static) -> Context {
        Context {
            comm: Box::new(comm),
        }
    }

    /// The communicator itself (to pass to code written against the
    /// interface).
    pub fn communicator(&self) -> &dyn Communicator {
        &*self.comm
    }

    /// Which implementation runs.
    pub fn kind(&self) -> Kind {
        self.comm.kind()
    }

    /// This process's rank.
    pub fn rank(&self) -> usize {
        self.comm.rank()
    }

    /// Number of ranks.
    pub fn size(&self) -> usize {
        self.comm.size()
    }

    /// Whether this is rank 0, which prints and writes shared files.
    pub fn is_root(&self) -> bool {
        self.comm.rank() == 0
    }

    /// The engine's communicator: MPI over all ranks, or one process.
    ///
    /// # Panics
    /// On a dry-run context of more than one rank: a dry run plans with its
    /// own exchange, which derives every rank's halos without sending.
    pub fn exchange(&self) -> MpiExchange {
        if self.kind() == Kind::Mpi {
            // Only MpiCommunicator reports Kind::Mpi, and it owns MPI for
            // this context's life.
            MpiExchange::world()
        } else {
            assert!(
                self.size() == 1,
                "a {:?} context of {} ranks has no halo exchange",
                self.kind(),
                self.size()
            );
            MpiExchange::single()
        }
    }

    /// How HDF5 files are opened here: parallel HDF5 over the communicator
    /// under MPI, serial HDF5 otherwise.
    pub fn h5_access(&self) -> H5Access {
        self.comm.h5_access()
    }

    /// Collective: wait for every rank.
    pub fn barrier(&self) {
        self.comm.barrier()
    }

    /// Collective: see [`Communicator::all_ok`].
    pub fn all_ok(&self, ok: bool) -> bool {
        self.comm.all_ok(ok)
    }

    /// Collective: see [`Communicator::broadcast_string`].
    pub fn broadcast_string(&self, s: &str) -> String {
        self.comm.broadcast_string(s)
    }

    /// Collective: see [`Communicator::gather`].
    pub fn gather(&self, bytes: &[u8]) -> Option<Vec<Vec<u8>>> {
        self.comm.gather(bytes)
    }

    /// See [`Communicator::gather_within`].
    pub fn gather_within(&self, bytes: &[u8], wait: Duration) -> Gathered {
        self.comm.gather_within(bytes, wait)
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
        self.comm.abort(&format!("error: {err}"), ERROR_EXIT_CODE)
    }
}

/// `text` and a newline, best effort: a closed pipe must not end the run
/// (the run's record is its `.out` file).
fn print_line(w: &mut impl Write, text: &str) {
    let _ = writeln!(w, "{text}");
}
