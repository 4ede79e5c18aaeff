//! Topographica's random numbers, bit for bit.
//!
//! * [`mt`]: MT19937, the generator under both Python's `random` and numpy.
//! * [`pyrandom`]: Python's `random.Random` (integer seeding, `random()`,
//!   Python 2's `randint`/`choice`, `normalvariate`, `gauss`).
//! * [`numpy`]: numpy's legacy `RandomState` (uniform draws).
//! * [`hash`]: param's md5 time hash that seeds time-dependent streams.
//! * [`streams`]: the state of every numbergen generator of a model plus
//!   imagen's shared numpy stream, evaluated with param.Dynamic's caching.
//! * [`pyops`]: Python's arithmetic for numbergen's operator wrappers.

#![warn(missing_docs)]

pub mod colour;
pub mod hash;
pub mod mt;
pub mod numpy;
pub mod pyops;
pub mod pyrandom;
pub mod streams;
pub mod userfn;

pub use hash::{time_hash, PARAM_RANDOM_SEED};
pub use numpy::NumpyRandomState;
pub use pyrandom::PyRandom;
pub use streams::{StreamError, Streams};
