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
//!
//! The zero skip and the group plan (issue 14 session 11): the per-call
//! path (`dot_product_planned`) with each switch off and on gives the
//! same bits, on sparse inputs (whole rows of zeros, blobs), NaN and
//! infinite inputs, and falls back to reading every term when a kernel
//! weight is infinite or NaN (`inf * 0` is NaN); a whole GCAL run gives
//! the same activities with the switches off and on.

use crate::dyn_common;

use topo_sim::cf::ConnectionFields;
use topo_sim::exchange::Block;
use topo_sim::exchange::{LocalExchange, WholeSheets};
use topo_sim::response::shared_dot_product_per_unit;
use topo_sim::shared_weights::{
    dot_product_on, dot_product_planned, grouped_units, set_group_cache_off, set_narrow_off,
    set_zero_skip_off, GroupPlan, Isa, Scratch,
};
use topo_sim::Network;
use topo_spec::Time;

/// The switches are process-wide: tests that set them take this lock.
static SWITCH: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Takes [`SWITCH`] and sets the switches to their defaults (a test that
/// failed holding the lock may have left them otherwise).
fn switches() -> std::sync::MutexGuard<'static, ()> {
    let lock = SWITCH.lock().unwrap_or_else(|e| e.into_inner());
    defaults();
    lock
}

/// The switches' defaults: zero skip and group cache on, no narrowing.
fn defaults() {
    set_zero_skip_off(false);
    set_group_cache_off(false);
    set_narrow_off(true);
}

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

/// Sparse inputs over `rows x cols`: the shapes the zero skip tells apart
/// (whole rows of zeros, blobs narrower than a CF, a single value, all
/// zeros of both signs) and values it must never skip (NaN, ±inf) or
/// whose sum overflows.
fn sparse_inputs(rows: usize, cols: usize, seed: u64) -> Vec<(String, Vec<f64>)> {
    let mut rng = Rng(seed);
    let n = rows * cols;
    let zero = |rng: &mut Rng| if rng.next() < 0.5 { 0.0 } else { -0.0 };
    let mut out = Vec::new();
    let alt: Vec<f64> = (0..n)
        .map(|i| {
            if (i / cols).is_multiple_of(3) {
                rng.next()
            } else {
                zero(&mut rng)
            }
        })
        .collect();
    out.push(("every third row non-zero".to_string(), alt));
    let mut blobs: Vec<f64> = (0..n).map(|_| zero(&mut rng)).collect();
    for _ in 0..4 {
        let (r0, c0) = (
            (rng.next() * rows as f64) as usize,
            (rng.next() * cols as f64) as usize,
        );
        for r in r0..(r0 + 3).min(rows) {
            for c in c0..(c0 + 4).min(cols) {
                blobs[r * cols + c] = rng.next() * 1e3;
            }
        }
    }
    out.push(("blobs".to_string(), blobs.clone()));
    let mut one: Vec<f64> = (0..n).map(|_| zero(&mut rng)).collect();
    one[n / 2 + cols / 3] = 1.0;
    out.push(("one value".to_string(), one));
    out.push((
        "zeros of both signs".to_string(),
        (0..n).map(|_| zero(&mut rng)).collect(),
    ));
    for (what, v) in [
        ("NaN", f64::NAN),
        ("+inf", f64::INFINITY),
        ("-inf", f64::NEG_INFINITY),
        ("1e300", 1e300),
    ] {
        let mut x = blobs.clone();
        x[(n / 3) + cols / 2] = v;
        x[n - 1] = -v;
        out.push((format!("blobs and {what}"), x));
    }
    let subnormal: Vec<f64> = blobs
        .iter()
        .map(|&x| if x == 0.0 { x } else { x * 1e-310 })
        .collect();
    out.push(("subnormal blobs".to_string(), subnormal));
    out
}

/// Every setting of the switches: (zero skip off, group cache off,
/// narrowing off).
const SETTINGS: [(bool, bool, bool); 5] = [
    (true, true, true),
    (false, true, true),
    (true, false, true),
    (false, false, true),
    (false, false, false),
];

/// `dot_product_planned` on `threads` threads with every switch setting,
/// twice with the same plan and scratch, against `want`'s bits.
fn check_planned(
    cfs: &ConnectionFields,
    x: &[f64],
    needed: &Block,
    strength: f64,
    want: &[u64],
    what: &str,
) {
    for threads in [1, 2, 3] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        let (mut plan, mut scratch) = (None, Scratch::default());
        for (skip_off, cache_off, narrow_off) in SETTINGS.into_iter().chain(SETTINGS) {
            set_zero_skip_off(skip_off);
            set_group_cache_off(cache_off);
            set_narrow_off(narrow_off);
            let mut act = vec![f64::NAN; want.len()];
            pool.install(|| {
                dot_product_planned(cfs, &mut plan, x, needed, strength, &mut act, &mut scratch)
            });
            for (u, (a, b)) in bits(&act).iter().zip(want).enumerate() {
                assert_eq!(
                    a,
                    b,
                    "{what}, {threads} threads, zero skip off {skip_off}, group cache off \
                     {cache_off}, narrowing off {narrow_off}: unit {u} {} against {}",
                    f64::from_bits(*a),
                    f64::from_bits(*b)
                );
            }
        }
    }
    defaults();
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

/// GCAL's shared-weight projections after one iteration.
fn gcal_projections(overrides: &[(&str, &str)]) -> Network {
    let spec = dyn_common::example_model("gcal_class.ty", overrides);
    let mut ex = LocalExchange::new();
    let mut net = Network::build(&spec, &WholeSheets, &mut ex).expect("build");
    net.run(Time::from_int(1), &mut ex).expect("run");
    net
}

#[test]
fn zero_skip_and_group_plan_keep_the_bits() {
    let _lock = switches();
    for overrides in [
        &[("cortex_density", "10")][..],
        &[
            ("cortex_density", "8"),
            ("lgn_density", "10"),
            ("retina_density", "17"),
        ][..],
    ] {
        let net = gcal_projections(overrides);
        let mut checked = 0;
        for (dest, name) in net.projection_names() {
            let p = net.projection(&dest, &name).expect("projection");
            if p.cfs.shared.is_none() {
                continue;
            }
            let needed = p.cfs.needed;
            let mut all = inputs(&p.input, 0xabc ^ checked);
            all.extend(sparse_inputs(needed.rows(), needed.cols(), 0x51 ^ checked));
            for (what, x) in all {
                let mut want = vec![0.0; p.activity.len()];
                shared_dot_product_per_unit(&p.cfs, &x, &needed, p.strength, &mut want);
                let what = format!("{overrides:?} {dest}.{name}, {what}");
                check_planned(&p.cfs, &x, &needed, p.strength, &bits(&want), &what);
            }
            checked += 1;
        }
        assert_eq!(checked, 4, "{overrides:?}: four shared-weight projections");
    }
}

#[test]
fn a_kernel_with_inf_or_nan_reads_every_term() {
    let _lock = switches();
    let net = gcal_projections(&[("cortex_density", "10")]);
    let p = net.projection("LGNOn", "LateralGC").expect("projection");
    let needed = p.cfs.needed;
    for bad in [f32::INFINITY, f32::NEG_INFINITY, f32::NAN] {
        let mut cfs = p.cfs.clone();
        let k = cfs.shared.as_mut().expect("shared kernel");
        let centre = k.weights.len() / 2;
        k.weights[centre] = bad;
        // Inputs without NaN or infinities: where two NaNs of different
        // sign meet (`bad * 0` gives the negative default NaN, a NaN input
        // keeps its sign), which one an add returns depends on the operand
        // order the compiler picks for a commutative add, in the reference
        // and the grouped paths alike, with or without the switches.
        for (what, x) in sparse_inputs(needed.rows(), needed.cols(), 7)
            .into_iter()
            .filter(|(_, x)| x.iter().all(|v| v.is_finite()))
        {
            let mut want = vec![0.0; p.activity.len()];
            shared_dot_product_per_unit(&cfs, &x, &needed, p.strength, &mut want);
            // Skipping the zeros would give numbers where `bad * 0` makes
            // NaN: the reference must have some here.
            if what == "one value" {
                assert!(want.iter().any(|v| v.is_nan()), "{bad}: NaN expected");
            }
            let what = format!("kernel with {bad}, {what}");
            check_planned(&cfs, &x, &needed, p.strength, &bits(&want), &what);
        }
    }
}

#[test]
fn the_group_plan_follows_the_geometry() {
    let _lock = switches();
    let net = gcal_projections(&[("cortex_density", "10")]);
    let on = net.projection("LGNOn", "LateralGC").expect("projection");
    let aff = net.projection("LGNOn", "Afferent").expect("projection");
    let plan = GroupPlan::of(&on.cfs);
    assert!(plan.fits(&on.cfs));
    assert_eq!(plan.grouped(), grouped_units(&on.cfs));
    // A plan made for another geometry is replaced, not used.
    let mut stale = Some(GroupPlan::of(&on.cfs));
    let mut trimmed = aff.cfs.clone();
    trimmed.slices.pop();
    trimmed.kernel_views.pop();
    assert!(!stale.as_ref().is_some_and(|p| p.fits(&trimmed)));
    let mut act = vec![0.0; trimmed.len()];
    let (needed, mut scratch) = (trimmed.needed, Scratch::default());
    let mut want = vec![0.0; trimmed.len()];
    shared_dot_product_per_unit(&trimmed, &aff.input, &needed, aff.strength, &mut want);
    dot_product_planned(
        &trimmed,
        &mut stale,
        &aff.input,
        &needed,
        aff.strength,
        &mut act,
        &mut scratch,
    );
    assert_eq!(stale, Some(GroupPlan::of(&trimmed)));
    assert_eq!(bits(&act), bits(&want));
}

/// Every sheet's activity after each of `iterations` GCAL iterations.
fn gcal_trace(iterations: i64) -> Vec<Vec<u64>> {
    let spec = dyn_common::example_model("gcal_class.ty", &[("cortex_density", "12")]);
    let mut ex = LocalExchange::new();
    let mut net = Network::build(&spec, &WholeSheets, &mut ex).expect("build");
    let mut trace = Vec::new();
    for _ in 0..iterations {
        net.run(Time::from_int(1), &mut ex).expect("run");
        for sheet in ["Retina", "LGNOn", "LGNOff", "V1"] {
            trace.push(bits(net.activity(sheet)));
        }
    }
    trace
}

#[test]
fn gcal_runs_the_same_with_the_zero_skip_and_plan_off_and_on() {
    let _lock = switches();
    set_zero_skip_off(true);
    set_group_cache_off(true);
    let off = gcal_trace(4);
    defaults();
    let on = gcal_trace(4);
    for (i, (a, b)) in off.iter().zip(&on).enumerate() {
        assert_eq!(a, b, "iteration {}, sheet {}", i / 4, i % 4);
    }
    // The LGN's activity is sparse enough for the skip to matter.
    let lgn_on = &on[1];
    assert!(lgn_on.iter().any(|&b| f64::from_bits(b) == 0.0));
}
