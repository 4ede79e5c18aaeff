//! The sandbox's memory bounds: every value the interpreter builds, and
//! every model file it reads, has a size limit, so a hostile model file
//! ends with a located error instead of exhausting memory.
//!
//! `str()` of a large list, `str.replace` and `join` built strings past
//! the per-operation caps in `expr.rs`; `[s] * n` of a long string built
//! `n` copies; a model file of `/dev/zero` was read without end.

use crate::obj::Obj;

/// The most a single value may hold: string bytes plus list, tuple and
/// dict items, counted through nesting (16 MiB; Topographica's model files
/// build nothing near it).
pub const MAX_VALUE: usize = 16 << 20;

/// The largest model file read (4 MiB; the largest of Topographica's
/// models is under 100 kB).
pub const MAX_MODEL_FILE: u64 = 4 << 20;

/// The size of `o` counted as in [`MAX_VALUE`], stopping once it passes
/// `limit` (so a huge value is not walked to its end).
pub fn deep_size(o: &Obj, limit: usize) -> usize {
    fn walk(o: &Obj, acc: &mut usize, limit: usize) {
        if *acc > limit {
            return;
        }
        match o {
            Obj::Str(s) => *acc = acc.saturating_add(s.len()),
            Obj::List(v) | Obj::Tuple(v) => {
                *acc = acc.saturating_add(v.len());
                for x in v {
                    walk(x, acc, limit);
                    if *acc > limit {
                        return;
                    }
                }
            }
            Obj::Dict(d) => {
                *acc = acc.saturating_add(d.len());
                for (k, x) in d {
                    *acc = acc.saturating_add(k.len());
                    walk(x, acc, limit);
                    if *acc > limit {
                        return;
                    }
                }
            }
            Obj::Method(recv, _) => walk(recv, acc, limit),
            _ => *acc = acc.saturating_add(1),
        }
    }
    let mut acc = 0;
    walk(o, &mut acc, limit);
    acc
}

/// `Err(message)` when `o` is larger than [`MAX_VALUE`].
pub fn check_value(o: &Obj) -> Result<(), String> {
    if deep_size(o, MAX_VALUE) > MAX_VALUE {
        Err(format!(
            "value too large: over {MAX_VALUE} bytes and items (the model-file sandbox's limit)"
        ))
    } else {
        Ok(())
    }
}

/// The length `s.replace(a, b)` would have, without building it.
pub fn replaced_len(s: &str, a: &str, b: &str) -> usize {
    let n = s.matches(a).count();
    s.len() - n * a.len() + n.saturating_mul(b.len())
}

/// Read a model file, refusing one over [`MAX_MODEL_FILE`] bytes (read
/// through a bounded reader: `/dev/zero` or a FIFO reports no size).
pub fn read_model_file(path: &std::path::Path) -> std::io::Result<String> {
    use std::io::Read;
    let f = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    f.take(MAX_MODEL_FILE + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_MODEL_FILE {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("larger than {MAX_MODEL_FILE} bytes; not a model file"),
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("not UTF-8 text: {e}"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_values_count_every_level() {
        let s = Obj::Str("x".repeat(1000));
        let l = Obj::List(vec![s.clone(); 10]);
        assert_eq!(deep_size(&l, usize::MAX), 10 + 10_000);
        assert!(deep_size(&Obj::List(vec![l; 1000]), 5000) <= 5000 + 1000 + 10);
        assert_eq!(replaced_len("abab", "a", "xyz"), 8);
    }
}
