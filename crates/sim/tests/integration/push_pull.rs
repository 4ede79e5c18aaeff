//! The pushed dot product (from the non-zero inputs, weights stored per
//! source; `topo_sim::push`) gives bit for bit the pulled one
//! (`topo_sim::response::dot_product`) on the same deliveries: the real
//! inputs of a GCAL run, random sparse inputs of both signs, a dense input
//! (95 % small non-zero values), and inputs holding ±inf or NaN (which
//! the projection must pull). On 1 and 3 threads, after learning changed
//! the weights (the per-source copy is kept in step by syncing the
//! active units' CFs). Compared with `to_bits`: no tolerance.

use crate::dyn_common;

use topo_sim::exchange::{LocalExchange, WholeSheets};
use topo_sim::projection::ResponseKind;
use topo_sim::push::{
    push_dot_product, set_sync_branch_free_off, set_sync_prefetch_off, PushLayout, PushScratch,
};
use topo_sim::response::dot_product;
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

fn gcal() -> (Network, LocalExchange) {
    let spec = dyn_common::example_model("gcal_class.ty", &[("cortex_density", "20")]);
    let mut ex = LocalExchange::new();
    let net = Network::build(&spec, &WholeSheets, &mut ex).expect("build");
    (net, ex)
}

/// Inputs to try on a projection whose last real input is `real`.
fn inputs(real: &[f64], seed: u64) -> Vec<(String, Vec<f64>)> {
    let n = real.len();
    let mut rng = Rng(seed);
    let mut out = vec![("real".to_string(), real.to_vec())];
    for density in [0.02, 0.2] {
        let x = (0..n)
            .map(|_| {
                if rng.next() < density {
                    (rng.next() - 0.3) * 3.0
                } else {
                    0.0
                }
            })
            .collect();
        out.push((format!("sparse {density}"), x));
    }
    let dense = (0..n)
        .map(|_| {
            if rng.next() < 0.95 {
                rng.next() * 1e-3
            } else {
                0.0
            }
        })
        .collect();
    out.push(("dense 0.95".to_string(), dense));
    for bad in [f64::INFINITY, f64::NEG_INFINITY, f64::NAN] {
        let mut x = out[1].1.clone();
        x[n / 2] = bad;
        out.push((format!("sparse with {bad}"), x));
    }
    out
}

fn pulled(net: &Network, dest: &str, name: &str, x: &[f64]) -> Vec<f64> {
    let p = net.projection(dest, name).expect("projection");
    let mut act = vec![0.0; p.activity.len()];
    let mut spans = Vec::new();
    dot_product(&p.cfs, x, &p.cfs.needed, p.strength, &mut act, &mut spans);
    act
}

#[test]
fn push_equals_pull_bit_for_bit() {
    let (mut net, mut ex) = gcal();
    // Two iterations: learning has changed the plastic weights since the
    // per-source copies were built in the first one.
    net.run(Time::from_int(2), &mut ex).expect("run");
    let mut checked = 0;
    for (dest, name) in net.projection_names() {
        let p = net.projection(&dest, &name).expect("projection");
        if p.response != ResponseKind::DotProduct || p.cfs.shared.is_some() {
            continue;
        }
        let real = p.input.clone();
        for (what, x) in inputs(&real, 0x9e37_79b9 ^ checked as u64) {
            let want = bits(&pulled(&net, &dest, &name, &x));
            let p = net.projection(&dest, &name).expect("projection");
            let layout = PushLayout::build(&p.cfs).expect("own weights");
            let mut sc = PushScratch::default();
            let finite = sc.scan(&x).is_some();
            assert_eq!(finite, x.iter().all(|v| v.is_finite()), "{what}");
            if finite {
                for threads in [1, 3] {
                    let pool = rayon::ThreadPoolBuilder::new()
                        .num_threads(threads)
                        .build()
                        .expect("pool");
                    let mut act = vec![0.0; p.activity.len()];
                    pool.install(|| {
                        push_dot_product(&layout, &x, &p.cfs.needed, p.strength, &mut act, &mut sc)
                    });
                    assert_eq!(bits(&act), want, "{dest}.{name}, {what}, {threads} threads");
                }
            }
            // The projection's own choice (push when finite and modelled
            // no slower, `push_choice`; pull otherwise) gives the same
            // bits too.
            let pm = net.projection_mut(&dest, &name).expect("projection");
            pm.input.copy_from_slice(&x);
            pm.dot_product_response();
            assert_eq!(
                bits(&pm.activity),
                want,
                "{dest}.{name}, {what}, chosen path"
            );
            checked += 1;
        }
    }
    assert!(checked >= 4 * 7, "only {checked} projection inputs checked");
}

/// A run whose deliveries are pushed gives the same trace as one where
/// every projection pulls (pushing switched off before the first step).
#[test]
fn run_with_push_equals_run_without() {
    let trace = |push: bool| {
        let (mut net, mut ex) = gcal();
        if !push {
            for (dest, name) in net.projection_names() {
                net.projection_mut(&dest, &name)
                    .expect("projection")
                    .push_off = true;
            }
        }
        let mut out = Vec::new();
        for _ in 0..3 {
            net.run(Time::from_int(1), &mut ex).expect("run");
            for s in net.sheet_names() {
                out.push(bits(net.activity(&s)));
            }
            for (dest, name) in net.projection_names() {
                let p = net.projection(&dest, &name).expect("projection");
                out.push(
                    p.cfs
                        .weights
                        .iter()
                        .map(|w| u64::from(w.to_bits()))
                        .collect(),
                );
                out.push(bits(&p.activity));
            }
        }
        let pushed = net
            .projection_names()
            .iter()
            .filter(|(d, n)| net.projection(d, n).expect("projection").push.is_some())
            .count();
        (out, pushed)
    };
    let (with, pushed) = trace(true);
    let (without, none) = trace(false);
    assert!(pushed >= 2, "only {pushed} projections pushed");
    assert_eq!(none, 0);
    assert!(with == without, "pushed and pulled runs differ");
}

/// The parallel build of the per-source copy equals the serial reference
/// exactly (runs, weights, addresses) on 1, 2 and 3 threads: for every
/// own-weights projection of GCAL after learning (edge CFs cropped at
/// the sheet borders), and with a third of the entries dropped at random
/// (mask and weight zero: runs cut into pieces, sources with no target).
#[test]
fn parallel_build_equals_serial_build() {
    let (mut net, mut ex) = gcal();
    net.run(Time::from_int(2), &mut ex).expect("run");
    let mut rng = Rng(0x2545_f491);
    let mut checked = 0;
    for (dest, name) in net.projection_names() {
        let p = net.projection(&dest, &name).expect("projection");
        if p.cfs.shared.is_some() {
            continue;
        }
        let mut holed = p.cfs.clone();
        for k in 0..holed.weights.len() {
            if rng.next() < 0.3 {
                holed.weights[k] = 0.0;
                holed.masks[k] = 0.0;
            }
        }
        for cfs in [&p.cfs, &holed] {
            let want = PushLayout::build_serial(cfs).expect("own weights");
            for threads in [1, 2, 3] {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .expect("pool");
                let got = pool
                    .install(|| PushLayout::build(cfs))
                    .expect("own weights");
                assert!(got == want, "{dest}.{name}: {threads} threads");
            }
            checked += 1;
        }
    }
    assert!(checked >= 2 * 4, "only {checked} layouts checked");
}

/// Band sizes of the sync to try (`None`: the default, one band at this
/// density): one source row per band, and bands of a few rows.
const SYNC_BANDS: [Option<usize>; 3] = [None, Some(1), Some(20_000)];

/// The banded sync's settings to try: `(band bytes, prefetch,
/// branch-free)`, every band size of [`SYNC_BANDS`] with and without the
/// prefetch and the branch-free copy.
fn sync_variants() -> impl Iterator<Item = (Option<usize>, bool, bool)> {
    SYNC_BANDS.into_iter().flat_map(|b| {
        [(true, true), (true, false), (false, true), (false, false)]
            .map(|(prefetch, free)| (b, prefetch, free))
    })
}

/// Sets the banded sync's switches (see [`sync_variants`]).
fn set_sync_switches(prefetch: bool, free: bool) {
    set_sync_prefetch_off(!prefetch);
    set_sync_branch_free_off(!free);
}

/// The sync after learning gives the copy a fresh build of the changed
/// weights gives (bit for bit): in unit order, and by bands of sources
/// (several band sizes) on 1, 2 and 3 threads, twice in a row, with and
/// without its prefetch and its branch-free copy (the same bits). The
/// changes: random new values (zeros of both signs among them) in the CFs
/// of random active units, where the mask is non-zero (so the set of kept
/// entries is unchanged). A dropped entry of an active unit that became
/// non-zero (0.5 or NaN) makes either sync refuse, alone or between
/// active neighbours; the same entry of an inactive unit is not looked
/// at, and -0.0 there is accepted.
#[test]
fn sync_equals_fresh_build() {
    let (mut net, mut ex) = gcal();
    net.run(Time::from_int(2), &mut ex).expect("run");
    let mut rng = Rng(0x5851_f42d);
    let mut checked = 0;
    for (dest, name) in net.projection_names() {
        let p = net.projection(&dest, &name).expect("projection");
        if p.cfs.shared.is_some() {
            continue;
        }
        let units = p.cfs.slices.len();
        let active: Vec<f64> = (0..units)
            .map(|_| if rng.next() < 0.3 { rng.next() } else { 0.0 })
            .collect();
        let mut learned = p.cfs.clone();
        for (u, &y) in active.iter().enumerate() {
            if y == 0.0 {
                continue;
            }
            for k in learned.offsets[u]..learned.offsets[u + 1] {
                if learned.masks[k] != 0.0 {
                    let r = rng.next();
                    learned.weights[k] = match r {
                        r if r < 0.05 => 0.0,
                        r if r < 0.1 => -0.0,
                        r => r as f32,
                    };
                }
            }
        }
        let want = PushLayout::build_serial(&learned).expect("own weights");
        let mut layout = PushLayout::build(&p.cfs).expect("own weights");
        assert!(layout.sync_units_unit_order(&learned, &active));
        assert!(layout == want, "{dest}.{name}: unit order");
        for threads in [1, 2, 3] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("pool");
            for (band_bytes, prefetch, free) in sync_variants() {
                set_sync_switches(prefetch, free);
                let mut layout = PushLayout::build(&p.cfs).expect("own weights");
                // Prefetching whatever the size of the copy.
                layout.set_sync_prefetch_min_bytes(0);
                if let Some(b) = band_bytes {
                    layout.set_sync_band_bytes(b);
                }
                assert!(pool.install(|| layout.sync_units_banded(&learned, &active)));
                assert!(
                    layout == want,
                    "{dest}.{name}: {threads} threads, bands of {band_bytes:?} bytes, \
                     prefetch {prefetch}, branch-free {free}"
                );
                // Again, from the synced copy (the active list is reused).
                assert!(pool.install(|| layout.sync_units_banded(&learned, &active)));
                assert!(layout == want, "{dest}.{name}: second sync");
            }
            set_sync_switches(true, true);
            // The path the engine takes: unit order with one band (the
            // default here), by bands when there are several and more
            // than one thread.
            for band_bytes in SYNC_BANDS {
                let mut layout = PushLayout::build(&p.cfs).expect("own weights");
                if let Some(b) = band_bytes {
                    layout.set_sync_band_bytes(b);
                }
                assert!(pool.install(|| layout.sync_units(&learned, &active)));
                assert!(
                    layout == want,
                    "{dest}.{name}: {threads} threads, engine's path, bands of {band_bytes:?} bytes"
                );
            }
        }
        // A dropped entry (mask and weight zero) turned non-zero.
        let dropped = (0..units).find_map(|u| {
            (learned.offsets[u]..learned.offsets[u + 1])
                .find(|&k| learned.masks[k] == 0.0 && learned.weights[k] == 0.0)
                .map(|k| (u, k))
        });
        if let Some((u, k)) = dropped {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(2)
                .build()
                .expect("pool");
            for (band_bytes, prefetch, free) in sync_variants() {
                set_sync_switches(prefetch, free);
                for (value, neighbours) in
                    [(0.5, false), (f32::NAN, false), (0.5, true), (-0.0, true)]
                {
                    let mut bad = learned.clone();
                    bad.weights[k] = value;
                    let what = format!(
                        "{dest}.{name}: dropped entry {value}, neighbours {neighbours}, bands \
                         of {band_bytes:?} bytes, prefetch {prefetch}, branch-free {free}"
                    );
                    let mut only = vec![0.0; units];
                    let mut layout = PushLayout::build(&learned).expect("own weights");
                    layout.set_sync_prefetch_min_bytes(0);
                    if let Some(b) = band_bytes {
                        layout.set_sync_band_bytes(b);
                    }
                    if neighbours {
                        // The units around `u` active, so that their
                        // pieces follow one another in a band.
                        only[u.saturating_sub(2)..(u + 3).min(units)].fill(1.0);
                        only[u] = 0.0;
                    }
                    assert!(
                        layout.sync_units_unit_order(&bad, &only)
                            && pool.install(|| layout.sync_units_banded(&bad, &only)),
                        "{what}: inactive unit read"
                    );
                    only[u] = 1.0;
                    let accept = value == 0.0;
                    assert_eq!(
                        layout.sync_units_unit_order(&bad, &only),
                        accept,
                        "{what}: unit order"
                    );
                    assert_eq!(
                        pool.install(|| layout.sync_units_banded(&bad, &only)),
                        accept,
                        "{what}: bands"
                    );
                }
            }
            set_sync_switches(true, true);
            checked += 1;
        }
        checked += 1;
    }
    assert!(checked >= 5, "only {checked} projections checked");
}
