//! Mutation fuzzing (proptest): example model files with random byte
//! edits, line deletions/duplications and token swaps (`mutation.rs`) must
//! load or fail with an error, never panic. Case count is set below; the run takes a
//! few seconds.

use crate::mutation::{edit, mutate};
use proptest::prelude::*;
use std::path::PathBuf;

const CASES: u32 = 8000;

fn examples() -> Vec<String> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    [
        "tiny.ty",
        "gcal.ty",
        "gcal_class.ty",
        "lissom_oo_or.ty",
        "lissom_or.ty",
        "som_retinotopy.ty",
    ]
    .iter()
    .map(|f| std::fs::read_to_string(dir.join(f)).unwrap())
    .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: CASES, failure_persistence: None, ..ProptestConfig::default() })]
    #[test]
    fn mutated_examples_never_panic(which in 0usize..6, edits in prop::collection::vec(edit(), 1..6), ov in prop::option::of((0usize..3, "[-a-z0-9_.'()]{0,8}"))) {
        let sources = examples();
        let text = mutate(&sources[which], &edits);
        let overrides: Vec<(String, String)> = ov.map(|(k, v)| vec![(["cortex_density", "retina_density", "bogus"][k].to_string(), v)]).unwrap_or_default();
        let r = std::panic::catch_unwind(|| topo_lang::load_model_source("fuzz.ty", &text, &overrides));
        prop_assert!(r.is_ok(), "panicked on:\n{}", text);
        // a panic inside the interpreter thread is reported as <internal>
        if let Ok(Err(e)) = &r {
            prop_assert!(e.file != "<internal>", "internal panic on:\n{}", text);
        }
        if let Ok(Ok(spec)) = r {
            // whatever loads must also survive script_repr and reload
            let back = std::panic::catch_unwind(|| topo_lang::load_model_source("r.ty", &topo_lang::script_repr(&spec), &[]));
            prop_assert!(matches!(back, Ok(Ok(_))), "script_repr did not reload for:\n{}", text);
        }
    }
}
