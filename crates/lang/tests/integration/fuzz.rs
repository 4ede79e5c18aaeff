//! Mutation fuzzing (proptest): example model files with random byte
//! edits, line deletions/duplications and token swaps must load or fail
//! with an error, never panic. Case count is set below; the run takes a
//! few seconds.

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

const TOKENS: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    ",",
    "=",
    "-",
    "*",
    "/",
    "**",
    "0",
    "1e400",
    "-1",
    "None",
    "True",
    "'x'",
    "p.",
    "topo.sim",
    "lambda x: x",
    "print ",
    "\n",
    "    ",
    "for i in range(3):\n",
    "if ",
    ":",
    "xrange(10**7)",
    ".projections()",
    "import os\n",
    "**",
    "%",
    "9",
    "1e-300",
    "topo.sim.model = ",
];

#[derive(Debug, Clone)]
enum Edit {
    Byte(usize, u8),
    Delete(usize, usize),
    Insert(usize, usize),
    DropLine(usize),
    DupLine(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Edit::Byte(i, b)),
        (any::<usize>(), 1usize..20).prop_map(|(i, n)| Edit::Delete(i, n)),
        (any::<usize>(), 0..TOKENS.len()).prop_map(|(i, t)| Edit::Insert(i, t)),
        any::<usize>().prop_map(Edit::DropLine),
        any::<usize>().prop_map(Edit::DupLine),
    ]
}

fn apply(text: &str, e: &Edit) -> String {
    let mut b = text.as_bytes().to_vec();
    match *e {
        Edit::Byte(i, v) if !b.is_empty() => {
            let i = i % b.len();
            b[i] = v;
        }
        Edit::Delete(i, n) if !b.is_empty() => {
            let i = i % b.len();
            let j = (i + n).min(b.len());
            b.drain(i..j);
        }
        Edit::Insert(i, t) => {
            let i = i % (b.len() + 1);
            b.splice(i..i, TOKENS[t].bytes());
        }
        Edit::DropLine(i) | Edit::DupLine(i) => {
            let mut lines: Vec<&str> = text.lines().collect();
            if !lines.is_empty() {
                let i = i % lines.len();
                if matches!(e, Edit::DropLine(_)) {
                    lines.remove(i);
                } else {
                    lines.insert(i, lines[i]);
                }
            }
            return lines.join("\n");
        }
        _ => {}
    }
    String::from_utf8_lossy(&b).into_owned()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: CASES, failure_persistence: None, ..ProptestConfig::default() })]
    #[test]
    fn mutated_examples_never_panic(which in 0usize..6, edits in prop::collection::vec(edit(), 1..6), ov in prop::option::of((0usize..3, "[-a-z0-9_.'()]{0,8}"))) {
        let sources = examples();
        let mut text = sources[which].clone();
        for e in &edits {
            text = apply(&text, e);
        }
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
