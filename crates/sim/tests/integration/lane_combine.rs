//! The lane combine of the push by planes (`topo_sim::push`'s
//! `combine` module; its unit test checks it alone on edge values):
//! whole GCAL and LISSOM runs give the same bits with the reference
//! loop, the table-driven loop and the AVX-512F one, on 1, 2 and 3
//! threads.

use crate::batched_responses::gcal_and_lissom_same_bits_either_way;

#[test]
fn gcal_and_lissom_same_bits_with_the_reference_combine() {
    gcal_and_lissom_same_bits_either_way(
        "reference combine",
        &topo_sim::push::set_lane_combine_off,
    );
}

#[test]
fn gcal_and_lissom_same_bits_without_avx512_in_the_combine() {
    gcal_and_lissom_same_bits_either_way(
        "combine without AVX-512",
        &topo_sim::push::set_combine_avx512_off,
    );
}
