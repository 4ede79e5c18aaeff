//! The input pattern's fast paths (issue 14, session 11): whole GCAL and
//! LISSOM runs give the same bits with MT19937's reference seeding and
//! eager twist (`topo_numbergen::mt::set_fast_seed_off`), with each
//! time-dependent draw seeded alone
//! (`topo_numbergen::streams::set_batch_seed_off`) and with the generic
//! Gaussian evaluation (`topo_pattern::pattern::set_fast_gaussians_off`),
//! on 1, 2 and 3 threads (one test a switch, one test at a time). The
//! retina's blocks, as ranks render them, are checked in topo-pattern's
//! `gaussian_max` test and by the split runs of `dyn_split`.

use crate::batched_responses::gcal_and_lissom_same_bits_either_way;
use std::sync::Mutex;

/// The three tests share the streams' switches: one at a time, so none
/// runs with another's switch flipped under it.
static SWITCHES: Mutex<()> = Mutex::new(());

#[test]
fn gcal_and_lissom_same_bits_with_the_reference_mt_seeding() {
    let _one = SWITCHES.lock().unwrap_or_else(|e| e.into_inner());
    // Seeded one by one, each draw's seeding is the switched one.
    topo_numbergen::streams::set_batch_seed_off(true);
    gcal_and_lissom_same_bits_either_way(
        "reference MT19937 seeding",
        &topo_numbergen::mt::set_fast_seed_off,
    );
    topo_numbergen::streams::set_batch_seed_off(false);
}

#[test]
fn gcal_and_lissom_same_bits_with_the_generic_gaussians() {
    let _one = SWITCHES.lock().unwrap_or_else(|e| e.into_inner());
    gcal_and_lissom_same_bits_either_way(
        "generic Gaussians",
        &topo_pattern::pattern::set_fast_gaussians_off,
    );
}

#[test]
fn gcal_and_lissom_same_bits_without_batched_seeding() {
    let _one = SWITCHES.lock().unwrap_or_else(|e| e.into_inner());
    gcal_and_lissom_same_bits_either_way(
        "time-dependent draws seeded one by one",
        &topo_numbergen::streams::set_batch_seed_off,
    );
}
