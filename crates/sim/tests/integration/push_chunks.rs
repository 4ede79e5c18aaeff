//! The pushed dot product split by chunks of target units
//! (`topo_sim::push::push_dot_product_by_chunks`: one parallel loop, each task
//! scattering only into its own units' planes) gives the bits of the
//! pulled dot product and of the pushed one split by planes
//! (`push_dot_product_by_planes`), on 1, 2, 3 and 5 threads (1 to 11
//! chunks of at least 128 units over GCAL's 36 x 36 V1, so runs cut at
//! chunk boundaries), for every own-weights projection on its real input
//! and on random sparse inputs of both signs. Compared with `to_bits`:
//! no tolerance.

use crate::dyn_common;

use topo_sim::exchange::{LocalExchange, WholeSheets};
use topo_sim::projection::ResponseKind;
use topo_sim::push::{
    push_dot_product_by_chunks, push_dot_product_by_planes, PushLayout, PushScratch,
};
use topo_sim::response::dot_product;
use topo_sim::Network;
use topo_spec::Time;

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

#[test]
fn unit_chunks_equal_planes_and_pull() {
    let spec = dyn_common::example_model("gcal_class.ty", &[("cortex_density", "36")]);
    let mut ex = LocalExchange::new();
    let mut net = Network::build(&spec, &WholeSheets, &mut ex).expect("build");
    net.run(Time::from_int(1), &mut ex).expect("run");
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut rnd = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut checked = 0;
    for (dest, name) in net.projection_names() {
        let p = net.projection(&dest, &name).expect("projection");
        if p.response != ResponseKind::DotProduct || p.cfs.shared.is_some() {
            continue;
        }
        let layout = PushLayout::build(&p.cfs).expect("own weights");
        let mut xs = vec![p.input.clone()];
        for density in [0.01, 0.1, 0.3] {
            xs.push(
                p.input
                    .iter()
                    .map(|_| {
                        if rnd() < density {
                            (rnd() - 0.4) * 2.0
                        } else {
                            0.0
                        }
                    })
                    .collect(),
            );
        }
        for x in &xs {
            let mut want = vec![0.0; p.activity.len()];
            dot_product(
                &p.cfs,
                x,
                &p.cfs.needed,
                p.strength,
                &mut want,
                &mut Vec::new(),
            );
            let want = bits(&want);
            let mut sc = PushScratch::default();
            assert!(sc.scan(x).is_some());
            for threads in [1, 2, 3, 5] {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .expect("pool");
                let mut chunks = vec![0.0; want.len()];
                let mut planes = vec![0.0; want.len()];
                pool.install(|| {
                    push_dot_product_by_chunks(
                        &layout,
                        x,
                        &p.cfs.needed,
                        p.strength,
                        &mut chunks,
                        &mut sc,
                    );
                    push_dot_product_by_planes(
                        &layout,
                        x,
                        &p.cfs.needed,
                        p.strength,
                        &mut planes,
                        &mut sc,
                    );
                });
                assert_eq!(
                    bits(&chunks),
                    want,
                    "{dest}.{name}: chunks, {threads} threads"
                );
                assert_eq!(
                    bits(&planes),
                    want,
                    "{dest}.{name}: planes, {threads} threads"
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 4 * 4, "only {checked} inputs checked");
}
