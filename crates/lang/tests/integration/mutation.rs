//! Mutations of model-file text for the fuzzers: byte edits, deletions,
//! token insertions, copies of a slice, dropped and duplicated lines. One
//! engine and one token list for topo-lang's fuzz test (`fuzz.rs`) and
//! the root package's fuzz campaign (tests/fast/fuzz_campaign.rs, which
//! includes this file).
#![allow(dead_code)]

use proptest::prelude::*;

/// Fragments inserted by [`Edit::Insert`]: the language's punctuation,
/// literals at the edges of their ranges, statements that are refused or
/// expensive, and bytes that are not ASCII.
pub const TOKENS: &[&str] = &[
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
    "%",
    "9",
    "1e-300",
    "topo.sim.model = ",
    "for i in range(9):\n",
    "str(",
    ".replace('a', 'bb')",
    "*10**6",
    "[0]*999999",
    "'%s' % ",
    "\\",
    "\"\"\"",
    "#",
    "\t",
    "\u{0}",
    "é",
    "9999999999999999999999",
    "nan",
    "inf",
];

/// One mutation; positions are taken modulo the text's length.
#[derive(Debug, Clone)]
pub enum Edit {
    /// Set a byte.
    Byte(usize, u8),
    /// Delete up to n bytes.
    Delete(usize, usize),
    /// Insert `TOKENS[t]`.
    Insert(usize, usize),
    /// Copy 40 bytes from a second position to the first.
    Copy(usize, usize),
    /// Drop a line.
    DropLine(usize),
    /// Duplicate a line.
    DupLine(usize),
}

/// A random [`Edit`].
pub fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Edit::Byte(i, b)),
        (any::<usize>(), 1usize..24).prop_map(|(i, n)| Edit::Delete(i, n)),
        (any::<usize>(), 0..TOKENS.len()).prop_map(|(i, t)| Edit::Insert(i, t)),
        (any::<usize>(), any::<usize>()).prop_map(|(i, j)| Edit::Copy(i, j)),
        any::<usize>().prop_map(Edit::DropLine),
        any::<usize>().prop_map(Edit::DupLine),
    ]
}

/// One to five random edits.
pub fn edits() -> impl Strategy<Value = Vec<Edit>> {
    prop::collection::vec(edit(), 1..6)
}

/// `text` with `e` applied (invalid UTF-8 replaced, as a reader of the
/// file as text would see it).
pub fn apply(text: &str, e: &Edit) -> String {
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
        Edit::Copy(i, j) if !b.is_empty() => {
            let i = i % (b.len() + 1);
            let s = j % b.len();
            let piece = b[s..(s + 40).min(b.len())].to_vec();
            b.splice(i..i, piece);
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

/// `text` with every edit applied in turn.
pub fn mutate(text: &str, edits: &[Edit]) -> String {
    edits.iter().fold(text.to_string(), |t, e| apply(&t, e))
}
