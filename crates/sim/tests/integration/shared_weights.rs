//! The grouped shared-weight dot product (`topo_sim::shared_weights`:
//! several adjacent units per pass over the kernel) gives bit for bit the
//! unit-by-unit one (`response::shared_dot_product_per_unit`) for every
//! unit of GCAL's shared-weight projections (retina -> LGN afferents, LGN
//! gain control), at several LGN/retina densities (kernels narrower and
//! wider than the 8 lanes, equal and unequal densities), on random inputs
//! holding zeros, -0.0, subnormals and values of very different size, on
//! 1, 2 and 3 threads, with each vector instruction set the kernel is
//! compiled for that this CPU has (`Isa`). Compared with `to_bits`: no
//! tolerance.

use crate::dyn_common;

use topo_sim::exchange::{LocalExchange, WholeSheets};
use topo_sim::response::shared_dot_product_per_unit;
use topo_sim::shared_weights::{dot_product_on, grouped_units, Isa};
use topo_sim::Network;
use topo_spec::Time;

/// A small xorshift stream (deterministic test inputs).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

/// Inputs of `n` values: the real one, then random mixes of zeros of both
/// signs, subnormals, tiny, ordinary and huge values of both signs.
fn inputs(real: &[f64], seed: u64) -> Vec<(String, Vec<f64>)> {
    let n = real.len();
    let mut rng = Rng(seed);
    let mut out = vec![("real".to_string(), real.to_vec())];
    for zeros in [0.0, 0.5, 0.9] {
        let x = (0..n)
            .map(|_| {
                if rng.next() < zeros {
                    return if rng.next() < 0.5 { 0.0 } else { -0.0 };
                }
                let sign = if rng.next() < 0.4 { -1.0 } else { 1.0 };
                let v = rng.next();
                sign * match (rng.next() * 5.0) as u32 {
                    0 => v * f64::MIN_POSITIVE, // subnormal
                    1 => v * 1e-300,
                    2 => v * 1e12,
                    _ => v,
                }
            })
            .collect();
        out.push((format!("random, {zeros} zeros"), x));
    }
    out
}

fn check(overrides: &[(&str, &str)], min_grouped: f64) {
    let spec = dyn_common::example_model("gcal_class.ty", overrides);
    let mut ex = LocalExchange::new();
    let mut net = Network::build(&spec, &WholeSheets, &mut ex).expect("build");
    net.run(Time::from_int(1), &mut ex).expect("run");
    let (mut checked, mut units, mut grouped) = (0, 0, 0);
    for (dest, name) in net.projection_names() {
        let p = net.projection(&dest, &name).expect("projection");
        if p.cfs.shared.is_none() {
            continue;
        }
        units += p.cfs.len();
        grouped += grouped_units(&p.cfs);
        for (what, x) in inputs(&p.input, 0x5eed ^ checked as u64) {
            let mut want = vec![0.0; p.activity.len()];
            shared_dot_product_per_unit(&p.cfs, &x, &p.cfs.needed, p.strength, &mut want);
            let want = bits(&want);
            for (threads, isa) in [1, 2, 3]
                .into_iter()
                .flat_map(|t| [Isa::Baseline, Isa::Avx2].map(|i| (t, i)))
            {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .expect("pool");
                let mut act = vec![f64::NAN; p.activity.len()];
                pool.install(|| {
                    dot_product_on(isa, &p.cfs, &x, &p.cfs.needed, p.strength, &mut act)
                });
                for (u, (a, b)) in bits(&act).iter().zip(&want).enumerate() {
                    assert_eq!(
                        a, b,
                        "{overrides:?} {dest}.{name}, {what}, {threads} threads, {isa:?}: unit {u} \
                         {} against {}",
                        f64::from_bits(*a),
                        f64::from_bits(*b)
                    );
                }
            }
            checked += 1;
        }
    }
    assert_eq!(
        checked,
        4 * 4,
        "{overrides:?}: four shared-weight projections"
    );
    // The grouping must really be exercised where the densities allow it.
    let share = grouped as f64 / units as f64;
    assert!(
        share >= min_grouped,
        "{overrides:?}: only {grouped} of {units} units grouped"
    );
}

#[test]
fn grouped_equals_unit_by_unit_at_gcal_densities() {
    // Afferent kernel 19 wide (two lane rounds and a tail), gain control
    // 13 wide; equal densities: most units grouped.
    check(&[("cortex_density", "10")], 0.7);
}

#[test]
fn grouped_equals_unit_by_unit_with_narrow_kernels() {
    // Kernels of 7 and 5 columns: fewer columns than lanes.
    check(
        &[
            ("cortex_density", "8"),
            ("lgn_density", "7"),
            ("retina_density", "7"),
        ],
        0.5,
    );
}

#[test]
fn unequal_densities_fall_back_unit_by_unit() {
    // The retina denser than the LGN: adjacent LGN units' afferent CFs are
    // more than one retina column apart, so only the gain control (LGN to
    // LGN) is grouped; still the same bits everywhere.
    check(
        &[
            ("cortex_density", "8"),
            ("lgn_density", "10"),
            ("retina_density", "17"),
        ],
        0.1,
    );
}
