//! The fixed parts of a push around its run loop (`topo_sim::push`'s
//! `combine` and `scan` modules; their unit tests check them alone on
//! edge values): whole GCAL and LISSOM runs give the same bits with the
//! lane combine's reference loop, its table-driven loop and its AVX-512F
//! one, and with the scan's reference loop and its AVX-512F one, on 1, 2
//! and 3 threads.

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

#[test]
fn gcal_and_lissom_same_bits_without_avx512_in_the_scan() {
    gcal_and_lissom_same_bits_either_way(
        "scan without AVX-512",
        &topo_sim::push::set_scan_avx512_off,
    );
}
