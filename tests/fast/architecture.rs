//! The architecture as tests (fast tier: plain `cargo test`, reads sources
//! only):
//!
//! - the root crate's top-level modules (`src/<module>`) form no cycle
//!   through `crate::` (or `super::` up to the crate) references, so each
//!   layer can be read and changed without the ones above it;
//! - no source file outside `crates/par` names MPI (`mpi::`, `mpi_sys`,
//!   `MPI_...`) or parallel HDF5's MPI-IO (`...mpio`): the parallel layer is
//!   the only crate that may, so a build without MPI needs only it changed.
//!
//! Comments and string literals are not code and are skipped (a comment
//! may well say "MPI_Abort"; an environment variable may be called
//! `MPI_LOCALNRANKS`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file under `dir`, sorted, skipping `target` and hidden
/// folders.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            let name = e.file_name().to_string_lossy().into_owned();
            if p.is_dir() {
                if name != "target" && !name.starts_with('.') {
                    stack.push(p);
                }
            } else if name.ends_with(".rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The code of one line with comments and string/char literal contents
/// blanked; `in_block` carries a `/* */` comment across lines.
fn code_of(line: &str, in_block: &mut bool) -> String {
    let b: Vec<char> = line.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < b.len() {
        if *in_block {
            if b[i] == '*' && b.get(i + 1) == Some(&'/') {
                *in_block = false;
                i += 2;
            } else {
                i += 1;
            }
            continue;
        }
        match b[i] {
            '/' if b.get(i + 1) == Some(&'/') => break,
            '/' if b.get(i + 1) == Some(&'*') => {
                *in_block = true;
                i += 2;
            }
            '"' => {
                // Skip to the closing quote (escapes honoured); a string
                // continued on the next line is rare in this code base and
                // only blanks less.
                i += 1;
                while i < b.len() && b[i] != '"' {
                    i += if b[i] == '\\' { 2 } else { 1 };
                }
                i += 1;
                out.push_str("\"\"");
            }
            '\'' if b.get(i + 2) == Some(&'\'') => i += 3,
            '\'' if b.get(i + 1) == Some(&'\\') => {
                i += 2;
                while i < b.len() && b[i] != '\'' {
                    i += 1;
                }
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// Identifiers and the punctuation that matters here (`::`, `{`, `}`, `,`).
fn tokens(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let b: Vec<char> = code.chars().collect();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_alphanumeric() || c == '_' {
            let s = i;
            while i < b.len() && (b[i].is_alphanumeric() || b[i] == '_') {
                i += 1;
            }
            out.push(b[s..i].iter().collect());
        } else if c == ':' && b.get(i + 1) == Some(&':') {
            out.push("::".into());
            i += 2;
        } else {
            if "{},;".contains(c) {
                out.push(c.to_string());
            }
            i += 1;
        }
    }
    out
}

/// A file's tokens with the line each comes from.
fn file_tokens(path: &Path) -> Vec<(usize, String)> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut in_block = false;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        for t in tokens(&code_of(line, &mut in_block)) {
            out.push((n + 1, t));
        }
    }
    out
}

/// The top-level modules of the root crate: `src/<m>.rs` and `src/<m>/`.
fn top_modules() -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for e in std::fs::read_dir(root().join("src")).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if e.path().is_dir() {
            if name != "bin" {
                out.insert(name);
            }
        } else if let Some(m) = name.strip_suffix(".rs") {
            if m != "lib" && m != "main" {
                out.insert(m.to_string());
            }
        }
    }
    out
}

/// The top-level module a file of `src/` belongs to, and its module depth
/// (`src/m.rs` and `src/m/mod.rs`: 1, `src/m/f.rs`: 2, ...).
fn module_of(rel: &Path) -> Option<(String, usize)> {
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let first = parts.first()?.trim_end_matches(".rs").to_string();
    let last = parts.last()?;
    let depth = parts.len() - usize::from(last == "mod.rs");
    Some((first, depth))
}

/// Edges `from -> to` between top-level modules, each with the first
/// `file:line` that makes it.
fn module_edges() -> BTreeMap<(String, String), String> {
    let mods = top_modules();
    let src = root().join("src");
    let mut edges = BTreeMap::new();
    for f in rust_files(&src) {
        let rel = f.strip_prefix(&src).unwrap();
        let Some((from, depth)) = module_of(rel) else {
            continue;
        };
        if !mods.contains(&from) {
            continue;
        }
        let toks = file_tokens(&f);
        let mut add = |to: &str, line: usize| {
            if to != from && mods.contains(to) {
                edges
                    .entry((from.clone(), to.to_string()))
                    .or_insert_with(|| format!("src/{}:{line}", rel.display()));
            }
        };
        for i in 0..toks.len() {
            // The path's start at the crate root: `crate::` or enough
            // `super::`s to climb out of this file's module.
            let after = if toks[i].1 == "crate" && toks.get(i + 1).is_some_and(|t| t.1 == "::") {
                if i > 0 && toks[i - 1].1 == "::" {
                    continue;
                }
                i + 2
            } else if toks[i].1 == "super" && (i < 2 || toks[i - 2].1 != "super") {
                let mut j = i;
                let mut ups = 0;
                while toks.get(j).is_some_and(|t| t.1 == "super")
                    && toks.get(j + 1).is_some_and(|t| t.1 == "::")
                {
                    ups += 1;
                    j += 2;
                }
                if ups != depth {
                    continue;
                }
                j
            } else {
                continue;
            };
            let Some((line, next)) = toks.get(after) else {
                continue;
            };
            if next != "{" {
                add(next, *line);
                continue;
            }
            // `crate::{a, b::c, d::{..}}`: the first name of each item.
            let mut depth_b = 0;
            let mut expect_name = true;
            for (line, t) in &toks[after..] {
                match t.as_str() {
                    "{" => {
                        depth_b += 1;
                        expect_name = depth_b == 1;
                    }
                    "}" => {
                        depth_b -= 1;
                        if depth_b == 0 {
                            break;
                        }
                    }
                    "," => expect_name = depth_b == 1,
                    name if expect_name && name != "::" => {
                        add(name, *line);
                        expect_name = false;
                    }
                    _ => {}
                }
            }
        }
    }
    edges
}

/// A cycle in `edges` if there is one, as the list of modules visited.
fn find_cycle(edges: &BTreeMap<(String, String), String>) -> Option<Vec<String>> {
    let mut adj: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (a, b) in edges.keys() {
        adj.entry(a).or_default().push(b);
    }
    // Depth-first search with colours: 1 on the stack, 2 done.
    fn visit<'a>(
        n: &'a str,
        adj: &BTreeMap<&'a str, Vec<&'a str>>,
        colour: &mut BTreeMap<&'a str, u8>,
        stack: &mut Vec<&'a str>,
    ) -> Option<Vec<String>> {
        colour.insert(n, 1);
        stack.push(n);
        for &m in adj.get(n).map(Vec::as_slice).unwrap_or(&[]) {
            match colour.get(m).copied().unwrap_or(0) {
                1 => {
                    let at = stack.iter().position(|&s| s == m).unwrap();
                    let mut cycle: Vec<String> =
                        stack[at..].iter().map(|s| s.to_string()).collect();
                    cycle.push(m.to_string());
                    return Some(cycle);
                }
                0 => {
                    if let Some(c) = visit(m, adj, colour, stack) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        colour.insert(n, 2);
        None
    }
    let mut colour = BTreeMap::new();
    let nodes: Vec<&str> = adj.keys().copied().collect();
    for n in nodes {
        if colour.get(n).copied().unwrap_or(0) == 0 {
            let mut stack = Vec::new();
            if let Some(c) = visit(n, &adj, &mut colour, &mut stack) {
                return Some(c);
            }
        }
    }
    None
}

#[test]
fn the_root_crates_modules_form_no_cycle() {
    let edges = module_edges();
    assert!(
        edges.len() > 5,
        "the scan found only {} module edges: it is broken",
        edges.len()
    );
    if let Some(cycle) = find_cycle(&edges) {
        let steps: Vec<String> = cycle
            .windows(2)
            .map(|w| {
                let at = &edges[&(w[0].clone(), w[1].clone())];
                format!("  {} -> {}   ({at})", w[0], w[1])
            })
            .collect();
        panic!(
            "the root crate's modules form a cycle:\n{}\nmove the shared item down a layer, or the caller up",
            steps.join("\n")
        );
    }
}

#[test]
fn the_cycle_finder_finds_a_cycle() {
    let mut edges = BTreeMap::new();
    for (a, b) in [
        ("cli", "batch"),
        ("batch", "io"),
        ("io", "cli"),
        ("io", "par"),
    ] {
        edges.insert((a.to_string(), b.to_string()), String::new());
    }
    let c = find_cycle(&edges).expect("a cycle");
    assert_eq!(c.first(), c.last());
    assert_eq!(c.len(), 4, "{c:?}");
    edges.remove(&("io".to_string(), "cli".to_string()));
    assert_eq!(find_cycle(&edges), None);
}

/// The MPI names in one file's code: `(line, token)`.
fn mpi_names(path: &Path) -> Vec<(usize, String)> {
    let toks = file_tokens(path);
    let mut out = Vec::new();
    for (k, (line, t)) in toks.iter().enumerate() {
        let next_is_path = toks.get(k + 1).is_some_and(|n| n.1 == "::");
        let prev_is_path = k > 0 && toks[k - 1].1 == "::";
        let hit = (t == "mpi" && next_is_path && !prev_is_path)
            || t == "mpi_sys"
            || t.starts_with("MPI_")
            || t.contains("mpio");
        if hit {
            out.push((*line, t.clone()));
        }
    }
    out
}

#[test]
fn nothing_outside_the_par_crate_names_mpi() {
    let root = root();
    let par = root.join("crates").join("par");
    let me = root.join("tests").join("fast").join("architecture.rs");
    let mut found = Vec::new();
    let mut scanned = 0;
    for f in rust_files(&root) {
        if f.starts_with(&par) || f == me {
            continue;
        }
        scanned += 1;
        for (line, t) in mpi_names(&f) {
            found.push(format!(
                "  {}:{line}: {t}",
                f.strip_prefix(&root).unwrap().display()
            ));
        }
    }
    assert!(
        scanned > 50,
        "only {scanned} files scanned: the scan is broken"
    );
    assert!(
        found.is_empty(),
        "MPI named outside crates/par (go through topo_par::Context / H5Access instead):\n{}",
        found.join("\n")
    );
    // The scan itself sees what it looks for.
    let par_hits: usize = rust_files(&par).iter().map(|f| mpi_names(f).len()).sum();
    assert!(par_hits > 10, "the scan finds no MPI even in crates/par");
}

#[test]
fn comments_and_strings_are_not_code() {
    let mut b = false;
    assert_eq!(
        code_of(r#"let x = "MPI_X"; // mpi::y"#, &mut b),
        r#"let x = ""; "#
    );
    assert_eq!(code_of("a /* MPI_A", &mut b), "a ");
    assert!(b);
    assert_eq!(code_of("still */ mpi::b", &mut b), " mpi::b");
    assert_eq!(
        tokens("use crate::{a, b::c};"),
        ["use", "crate", "::", "{", "a", ",", "b", "::", "c", "}", ";"]
    );
}
