//! What one draw of a time-dependent `numbergen.UniformRandom` costs
//! (issue 14, session 11 "pattern"): `random.Random.seed(hash)`
//! (`init_by_array` of one word) and one `random()` (two words), with
//! `topo_numbergen::mt::set_fast_seed_off` off and on, alternating in
//! blocks; best and median block in ns per draw.
//! `cargo run --release -p topo-numbergen --example reseed_speed`

use std::time::Instant;
use topo_numbergen::PyRandom;

fn main() {
    let (rounds, per_block) = (21, 20_000u32);
    let mut times = [Vec::new(), Vec::new()];
    let mut r = PyRandom::from_seed_i128(1);
    let mut acc = 0.0;
    let mut seed = 0x0123_4567i128;
    for round in 0..rounds {
        for k in 0..2 {
            let off = (k + round) % 2 == 0;
            topo_numbergen::mt::set_fast_seed_off(off);
            let start = Instant::now();
            for _ in 0..per_block {
                seed = (seed * 69_069 + 1) & 0x0fff_ffff;
                r.seed_i128(seed);
                acc += r.random();
            }
            let ns = start.elapsed().as_secs_f64() * 1e9 / per_block as f64;
            times[usize::from(!off)].push(ns);
        }
    }
    for (name, t) in ["fast_seed off (reference)", "fast_seed on (default)"]
        .iter()
        .zip(&mut times)
    {
        t.sort_by(f64::total_cmp);
        println!(
            "{name:<28} best {:7.1} ns  median {:7.1} ns per reseed + draw",
            t[0],
            t[t.len() / 2]
        );
    }
    // Six keys seeded together, as the six draws of a GCAL iteration.
    let mut best = f64::INFINITY;
    for _ in 0..rounds {
        let start = Instant::now();
        for _ in 0..per_block / 6 {
            let keys: Vec<u32> = (0..6)
                .map(|_| {
                    seed = (seed * 69_069 + 1) & 0x0fff_ffff;
                    seed as u32
                })
                .collect();
            for mut m in topo_numbergen::mt::Mt19937::new_by_single_words(&keys) {
                acc += f64::from(m.next_u32());
            }
        }
        best = best.min(start.elapsed().as_secs_f64() * 1e9 / (per_block / 6 * 6) as f64);
    }
    println!("batched 6 at a time          best {best:7.1} ns per seeding + word");
    println!("(checksum {acc:.6})");
}
