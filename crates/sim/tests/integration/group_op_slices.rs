//! A sheet's priority groups combined a slice at a time
//! (`GroupOp::apply_slice`) give the bits of the per-element
//! `GroupOp::apply`: for every operation over edge values (signed zeros,
//! infinities, NaN, negatives), and in whole GCAL (whose LGN divides by
//! its gain-control group) and LISSOM runs on 1, 2 and 3 threads.

use crate::batched_responses::gcal_and_lissom_same_bits_either_way;

use topo_sim::projection::{self, GroupOp};

#[test]
fn apply_slice_equals_apply_for_every_op() {
    let edge = [
        0.0,
        -0.0,
        1.0,
        -1.0,
        0.11,
        -0.11,
        2.5e-300,
        1e300,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
    ];
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for &a in &edge {
        for &b in &edge {
            x.push(a);
            y.push(b);
        }
    }
    let ops = [
        GroupOp::Add,
        GroupOp::Subtract,
        GroupOp::Multiply,
        GroupOp::Divide,
        GroupOp::Maximum,
        GroupOp::Minimum,
        GroupOp::DivideWithConstant(0.11),
        GroupOp::MultiplyWithConstant(-0.5),
    ];
    for op in ops {
        let want: Vec<u64> = x
            .iter()
            .zip(&y)
            .map(|(&a, &b)| op.apply(a, b).to_bits())
            .collect();
        let mut got = x.clone();
        op.apply_slice(&mut got, &y);
        let got: Vec<u64> = got.iter().map(|v| v.to_bits()).collect();
        assert_eq!(got, want, "{op:?}");
    }
}

#[test]
fn gcal_and_lissom_same_bits_by_slices() {
    gcal_and_lissom_same_bits_either_way("per element", &projection::set_group_op_per_element);
}
