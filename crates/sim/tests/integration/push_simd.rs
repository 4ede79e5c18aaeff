//! The AVX2 and AVX-512 run loops of the pushed dot product
//! (`topo_sim::push_simd`) give the bits of the scalar loop: on single runs of every length 1..40
//! at every misalignment 0..7 with ±0.0, subnormal, huge and tiny values
//! (products that overflow to ±inf and sums that become NaN included), and
//! through both pushed kernels on GCAL's real inputs and on random sparse
//! inputs with the same kinds of values, on 1, 2 and 3 threads; the
//! kernel by planes without the prefetch of the next source's weights
//! gives the bits it gives with it; and the pulled dot product built with AVX2 gives the bits of its scalar build
//! on the same inputs (dense ones included: the real LGN inputs). Compared
//! with `to_bits`: no tolerance. On a CPU without AVX2 both sides run the
//! scalar loop (the test says so on stderr), and on one without AVX-512
//! the AVX-512 side runs the AVX2 loop.

use crate::dyn_common;

use topo_sim::exchange::{LocalExchange, WholeSheets};
use topo_sim::projection::ResponseKind;
use topo_sim::push::{
    push_dot_product_by_chunks, push_dot_product_by_planes, PushLayout, PushScratch,
};
use topo_sim::push_simd::{add_run, set_avx2_off, set_avx512_off, set_prefetch_off};
use topo_sim::response::dot_product;
use topo_sim::Network;
use topo_spec::Time;

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

/// A xorshift generator of uniform numbers in [0, 1).
fn rng(mut state: u64) -> impl FnMut() -> f64 {
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// An f64 of a random kind: ±0.0, subnormal, tiny, huge or ordinary.
fn edge_f64(rnd: &mut impl FnMut() -> f64) -> f64 {
    let sign = if rnd() < 0.5 { -1.0 } else { 1.0 };
    let k = rnd();
    sign * if k < 0.15 {
        0.0
    } else if k < 0.3 {
        f64::MIN_POSITIVE * rnd() // subnormal (or 0)
    } else if k < 0.4 {
        1e-300 * (1.0 + rnd())
    } else if k < 0.5 {
        1e300 * (1.0 + rnd())
    } else {
        (rnd() - 0.4) * 2.0
    }
}

/// An f32 weight of a random kind: ±0.0, subnormal, tiny, huge or ordinary.
fn edge_f32(rnd: &mut impl FnMut() -> f64) -> f32 {
    let sign = if rnd() < 0.5 { -1.0f32 } else { 1.0 };
    let k = rnd();
    sign * if k < 0.15 {
        0.0
    } else if k < 0.3 {
        f32::MIN_POSITIVE * rnd() as f32
    } else if k < 0.4 {
        1e-38 * (1.0 + rnd() as f32)
    } else if k < 0.5 {
        f32::MAX * rnd() as f32
    } else {
        rnd() as f32
    }
}

#[test]
fn simd_runs_equal_scalar_on_edge_values() {
    if !std::arch::is_x86_feature_detected!("avx2") {
        eprintln!("push_simd: this CPU has no AVX2; comparing scalar with scalar");
    }
    let mut rnd = rng(0x9e37_79b9_7f4a_7c15);
    let mut runs = 0;
    for len in 1..=40 {
        for start in 0..8 {
            for _ in 0..4 {
                let n = start + len + 3;
                let acc0: Vec<f64> = (0..n).map(|_| edge_f64(&mut rnd)).collect();
                let w: Vec<f32> = (0..len + 8).map(|_| edge_f32(&mut rnd)).collect();
                let x = edge_f64(&mut rnd);
                let wstart = (start + len) % 5;
                let (mut scalar, mut avx2, mut avx512) = (acc0.clone(), acc0.clone(), acc0.clone());
                let r = start..start + len;
                add_run(false, &mut scalar[r.clone()], &w[wstart..wstart + len], x);
                set_avx512_off(true);
                add_run(true, &mut avx2[r.clone()], &w[wstart..wstart + len], x);
                set_avx512_off(false);
                add_run(true, &mut avx512[r.clone()], &w[wstart..wstart + len], x);
                // The elements outside the run are untouched.
                assert_eq!(bits(&scalar[..start]), bits(&acc0[..start]));
                assert_eq!(bits(&scalar[r.end..]), bits(&acc0[r.end..]));
                assert_eq!(
                    bits(&avx2),
                    bits(&scalar),
                    "run of {len} at {start}, weights at {wstart}, x = {x:e}"
                );
                assert_eq!(
                    bits(&avx512),
                    bits(&scalar),
                    "AVX-512: run of {len} at {start}, weights at {wstart}, x = {x:e}"
                );
                runs += 1;
            }
        }
    }
    assert_eq!(runs, 40 * 8 * 4);
}

#[test]
fn simd_push_equals_scalar_push_and_pull() {
    // Prefetch whatever the size, so that the small model runs the
    // prefetching path (left so: it changes no bit of other tests).
    topo_sim::push_simd::set_prefetch_min_bytes(0);
    let spec = dyn_common::example_model("gcal_class.ty", &[("cortex_density", "36")]);
    let mut ex = LocalExchange::new();
    let mut net = Network::build(&spec, &WholeSheets, &mut ex).expect("build");
    net.run(Time::from_int(1), &mut ex).expect("run");
    let mut rnd = rng(0x2545_f491_4f6c_dd1d);
    let mut checked = 0;
    for (dest, name) in net.projection_names() {
        let p = net.projection(&dest, &name).expect("projection");
        if p.response != ResponseKind::DotProduct || p.cfs.shared.is_some() {
            continue;
        }
        let layout = PushLayout::build(&p.cfs).expect("own weights");
        // (input, whether the pulled sum is also compared: not for the
        // inputs with huge values, whose products overflow and whose
        // ±inf partial sums may meet in different lanes when pulled.)
        let mut xs = vec![(p.input.clone(), true)];
        for density in [0.01, 0.1, 0.3] {
            let ordinary = p
                .input
                .iter()
                .map(|_| {
                    if rnd() < density {
                        (rnd() - 0.4) * 2.0
                    } else {
                        0.0
                    }
                })
                .collect();
            xs.push((ordinary, true));
            let edge = p
                .input
                .iter()
                .map(|_| {
                    if rnd() < density {
                        edge_f64(&mut rnd)
                    } else {
                        0.0
                    }
                })
                .collect();
            xs.push((edge, false));
        }
        for (x, with_pull) in &xs {
            let mut sc = PushScratch::default();
            assert!(sc.scan(x).is_some());
            let n = p.activity.len();
            // The pulled sum with AVX2 (its eight lanes as two vectors)
            // against the scalar build, on every input.
            let mut pulled = [vec![0.0; n], vec![0.0; n]];
            for (k, off) in [true, false].into_iter().enumerate() {
                set_avx2_off(off);
                dot_product(
                    &p.cfs,
                    x,
                    &p.cfs.needed,
                    p.strength,
                    &mut pulled[k],
                    &mut Vec::new(),
                );
            }
            set_avx2_off(false);
            assert_eq!(
                bits(&pulled[1]),
                bits(&pulled[0]),
                "{dest}.{name}: pull AVX2"
            );
            let pull = if *with_pull {
                let mut want = vec![0.0; n];
                dot_product(
                    &p.cfs,
                    x,
                    &p.cfs.needed,
                    p.strength,
                    &mut want,
                    &mut Vec::new(),
                );
                Some(bits(&want))
            } else {
                None
            };
            for threads in [1, 2, 3] {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .expect("pool");
                let mut out: [Vec<f64>; 8] = std::array::from_fn(|_| vec![0.0; n]);
                // Both pushed kernels into `planes` and `chunks`.
                let mut both = |planes: &mut [f64], chunks: &mut [f64]| {
                    let needed = &p.cfs.needed;
                    push_dot_product_by_planes(&layout, x, needed, p.strength, planes, &mut sc);
                    push_dot_product_by_chunks(&layout, x, needed, p.strength, chunks, &mut sc);
                };
                pool.install(|| {
                    // Scalar (0, 1), then AVX2 or wider (2, 3).
                    for (k, off) in [true, false].into_iter().enumerate() {
                        set_avx2_off(off);
                        let [planes, chunks] = &mut out[2 * k..2 * k + 2] else {
                            unreachable!()
                        };
                        both(planes, chunks);
                    }
                    set_avx2_off(false);
                    // Without the prefetch of the next source's weights.
                    set_prefetch_off(true);
                    let [planes, chunks] = &mut out[4..6] else {
                        unreachable!()
                    };
                    both(planes, chunks);
                    set_prefetch_off(false);
                    // AVX2 where the CPU also has AVX-512.
                    set_avx512_off(true);
                    let [planes, chunks] = &mut out[6..8] else {
                        unreachable!()
                    };
                    both(planes, chunks);
                    set_avx512_off(false);
                });
                let scalar = bits(&out[0]);
                let what = |k: &str| format!("{dest}.{name}: {k}, {threads} threads");
                let names = [
                    "scalar chunks",
                    "SIMD planes",
                    "SIMD chunks",
                    "SIMD planes, no prefetch",
                    "SIMD chunks, no prefetch",
                    "AVX2 planes, no AVX-512",
                    "AVX2 chunks, no AVX-512",
                ];
                for (o, name) in out[1..].iter().zip(names) {
                    assert_eq!(bits(o), scalar, "{}", what(name));
                }
                if let Some(want) = &pull {
                    assert_eq!(&scalar, want, "{}", what("pull"));
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= 4 * 7, "only {checked} inputs checked");
}
