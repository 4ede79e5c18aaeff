//! The O(1) push/pull decision (`push_choice::push_surely_pays`, used by
//! `should_push_bounded`): it never pushes where the exact count of
//! `should_push` would pull, it does decide V1's real lateral deliveries
//! (so it saves the count there), and a run with it gives the very bits
//! of a run counting every delivery, on 1, 2 and 3 threads.

use crate::batched_responses::gcal_and_lissom_same_bits_either_way;
use crate::dyn_common;
use crate::push_choice::blobs;

use topo_sim::exchange::{LocalExchange, WholeSheets};
use topo_sim::push::{PushLayout, PushScratch};
use topo_sim::push_choice::{self, SourceBound};
use topo_sim::Network;
use topo_spec::Time;

/// For every own-weight projection of GCAL at `density` after two
/// iterations, its real input and patchy inputs from 0 % to 100 %
/// non-zero: where the bound says "push", the exact count says so too.
/// Returns how many of V1's real lateral inputs the bound decided.
fn bound_agrees(density: u32) -> usize {
    let d = density.to_string();
    let spec = dyn_common::example_model("gcal_class.ty", &[("cortex_density", &d)]);
    let mut ex = LocalExchange::new();
    let mut net = Network::build(&spec, &WholeSheets, &mut ex).expect("build");
    net.run(Time::from_int(2), &mut ex).expect("run");
    let mut decided_real = 0;
    let (mut yes, mut no, mut pulls) = (0, 0, 0);
    for (dest, name) in net.projection_names() {
        let p = net.projection(&dest, &name).expect("projection");
        if p.cfs.shared.is_some() {
            continue;
        }
        let layout = PushLayout::build(&p.cfs).expect("own weights");
        let bound = SourceBound::of(&layout, p.cfs.needed.len());
        let (rows, cols) = (p.cfs.needed.rows(), p.cfs.needed.cols());
        let mut inputs: Vec<Vec<f64>> = [0.0, 0.01, 0.05, 0.1, 0.2, 0.35, 0.5, 0.7, 0.9, 1.0]
            .iter()
            .map(|&f| blobs(rows, cols, f))
            .collect();
        inputs.push(p.input.clone());
        for (k, x) in inputs.iter().enumerate() {
            let nonzero = x.iter().filter(|&&v| v != 0.0).count();
            let mut sc = PushScratch::default();
            let exact = push_choice::should_push(x, &p.cfs, Some(&layout), &mut sc);
            let sure = push_choice::push_surely_pays(&p.cfs, &bound, nonzero);
            assert!(
                exact || !sure,
                "{dest}.{name}, input {k} ({nonzero} non-zero): bound pushes, count pulls"
            );
            let bounded =
                push_choice::should_push_bounded(x, &p.cfs, Some(&layout), Some(&bound), &mut sc);
            assert_eq!(bounded, exact, "{dest}.{name}, input {k}");
            pulls += usize::from(!exact);
            if sure {
                yes += 1;
            } else {
                no += 1;
            }
            if sure && k + 1 == inputs.len() && dest == "V1" && name.starts_with("Lateral") {
                decided_real += 1;
            }
        }
    }
    // Neither a bound that never decides nor one that always does.
    assert!(yes > 0 && no > 0, "bound decided {yes}, left {no}");
    // Some inputs are pulled, so a bound that pushed them would fail.
    assert!(pulls > 0, "every input was pushed");
    decided_real
}

#[test]
fn bound_never_pushes_where_the_count_pulls() {
    assert_eq!(
        bound_agrees(20),
        2,
        "V1's lateral real inputs left to the count"
    );
}

/// GCAL (pushes most V1 deliveries) and LISSOM: same bits with and
/// without the bound.
#[test]
fn gcal_and_lissom_same_bits_with_the_bound() {
    gcal_and_lissom_same_bits_either_way("bound off", &push_choice::set_bound_off);
}
