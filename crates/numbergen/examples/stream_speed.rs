//! Rough speed of the streams: drawing vs skipping doubles, and making the
//! per-CF hashed numpy states of time-dependent models.
//! `cargo run --release -p topo-numbergen --example stream_speed`

use std::time::Instant;
use topo_numbergen::{NumpyRandomState, Streams};
use topo_spec::Time;

fn main() {
    let n: u64 = 50_000_000;
    let mut r = NumpyRandomState::from_seed_u32(1);
    let start = Instant::now();
    let mut acc = 0.0;
    for _ in 0..n {
        acc += r.random_sample();
    }
    let draw = start.elapsed().as_secs_f64();
    let start = Instant::now();
    r.skip(n);
    let skip = start.elapsed().as_secs_f64();
    println!(
        "draw {:.2} ns/double, skip {:.2} ns/double (checksum {acc:.3})",
        draw * 1e9 / n as f64,
        skip * 1e9 / n as f64
    );

    let cfs = 20_000;
    let start = Instant::now();
    let mut acc = 0.0;
    for i in 0..cfs {
        let mut s =
            Streams::hashed_numpy_with_seed(&format!("V1.LGNOnAfferent.{i}"), Time::ZERO, 42);
        acc += s.random_sample();
    }
    let hashed = start.elapsed().as_secs_f64();
    println!(
        "hashed_numpy: {:.2} us per CF state (checksum {acc:.3})",
        hashed * 1e6 / cfs as f64
    );
}
