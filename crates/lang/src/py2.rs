//! Python 2 surface syntax that Topographica's model files contain and the
//! Python 3 grammar of `rustpython-parser` rejects, rewritten before
//! parsing so that line numbers stay the same:
//!
//! * indentation mixing tabs and spaces: Python 2's tokenizer
//!   (`Parser/tokenizer.c`, `tok_get`) advances a tab to the next multiple
//!   of 8 columns, so the leading tabs of each line are expanded that way;
//! * `print x, y` statements become calls `print(x, y)` (the interpreter
//!   prints them to the run's log, see `namespace.rs`). `print >>f, x`
//!   writes to a file and stays a parse error (the sandbox refuses it).

/// The text with Python 2 indentation and print statements rewritten.
/// Every line keeps its number; columns change only on lines with leading
/// tabs and after a rewritten `print`.
pub(crate) fn normalize(text: &str) -> String {
    let text = expand_leading_tabs(text);
    rewrite_print_statements(&text)
}

fn expand_leading_tabs(text: &str) -> String {
    if !text.contains('\t') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let ws_end = line
            .find(|c: char| c != ' ' && c != '\t')
            .unwrap_or(line.len());
        let mut col = 0usize;
        for c in line[..ws_end].chars() {
            if c == '\t' {
                let next = (col / 8 + 1) * 8;
                out.extend(std::iter::repeat_n(' ', next - col));
                col = next;
            } else {
                out.push(c);
                col += 1;
            }
        }
        out.push_str(&line[ws_end..]);
    }
    out
}

/// Lexical state while scanning for statement starts.
#[derive(Clone, Copy, PartialEq)]
enum Str {
    None,
    Single(u8),
    Triple(u8),
}

fn rewrite_print_statements(text: &str) -> String {
    let b = text.as_bytes();
    // (position of the space/quote after `print`, position of the end)
    let mut edits: Vec<(usize, usize, bool)> = Vec::new();
    let mut depth = 0usize;
    let mut s = Str::None;
    let mut i = 0usize;
    let mut line_start = true;
    let mut continued = false;
    while i < b.len() {
        let c = b[i];
        match s {
            Str::Single(q) => {
                if c == b'\\' {
                    i += 2;
                    continue;
                }
                if c == q || c == b'\n' {
                    s = Str::None;
                }
                i += 1;
                continue;
            }
            Str::Triple(q) => {
                if c == b'\\' {
                    i += 2;
                    continue;
                }
                if c == q && b.get(i + 1) == Some(&q) && b.get(i + 2) == Some(&q) {
                    s = Str::None;
                    i += 3;
                } else {
                    i += 1;
                }
                continue;
            }
            Str::None => {}
        }
        if line_start && depth == 0 && !continued {
            let rest = &text[i..];
            let indent = rest.len() - rest.trim_start_matches([' ', '\t']).len();
            let j = i + indent;
            if let Some(after) = text[j..].strip_prefix("print") {
                let next = after.bytes().next();
                let is_stmt = matches!(next, Some(b' ' | b'\t' | b'"' | b'\''));
                let arg = after.trim_start_matches([' ', '\t']);
                let redirect = arg.starts_with(">>");
                let call_like = arg.starts_with('(') || arg.starts_with('=');
                let empty = arg.is_empty() || arg.starts_with(['\n', '\r', '#', ';']);
                if is_stmt && !redirect && !call_like && !empty {
                    let end = statement_end(text, j + 5);
                    let spaced = matches!(next, Some(b' ' | b'\t'));
                    edits.push((j + 5, end, spaced));
                }
            }
            line_start = false;
        }
        match c {
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'\'' | b'"' => {
                if b.get(i + 1) == Some(&c) && b.get(i + 2) == Some(&c) {
                    s = Str::Triple(c);
                    i += 3;
                } else {
                    s = Str::Single(c);
                    i += 1;
                }
                continue;
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b'\\' if b.get(i + 1) == Some(&b'\n') => {
                continued = true;
                i += 2;
                line_start = true;
                continue;
            }
            b'\n' => {
                line_start = true;
                continued = false;
                i += 1;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    if edits.is_empty() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 2 * edits.len());
    let mut pos = 0;
    for (open, end, spaced) in edits {
        out.push_str(&text[pos..open]);
        // `print x` -> `print(x`: the space becomes the bracket, so the
        // argument keeps its column.
        out.push('(');
        let from = if spaced { open + 1 } else { open };
        out.push_str(&text[from.min(end)..end]);
        out.push(')');
        pos = end;
    }
    out.push_str(&text[pos..]);
    out
}

/// End of the simple statement starting before `from`: the first newline
/// (or `;` or comment) outside brackets and strings, not after a backslash,
/// with trailing blanks left outside.
fn statement_end(text: &str, from: usize) -> usize {
    let b = text.as_bytes();
    let mut depth = 0usize;
    let mut i = from;
    let mut s = Str::None;
    while i < b.len() {
        let c = b[i];
        match s {
            Str::Single(q) => {
                if c == b'\\' {
                    i += 2;
                    continue;
                }
                if c == q || c == b'\n' {
                    s = Str::None;
                }
                i += 1;
                continue;
            }
            Str::Triple(q) => {
                if c == q && b.get(i + 1) == Some(&q) && b.get(i + 2) == Some(&q) {
                    s = Str::None;
                    i += 3;
                } else {
                    i += if c == b'\\' { 2 } else { 1 };
                }
                continue;
            }
            Str::None => {}
        }
        match c {
            b'\'' | b'"' => {
                if b.get(i + 1) == Some(&c) && b.get(i + 2) == Some(&c) {
                    s = Str::Triple(c);
                    i += 3;
                } else {
                    s = Str::Single(c);
                    i += 1;
                }
                continue;
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b'\\' if b.get(i + 1) == Some(&b'\n') => {
                i += 2;
                continue;
            }
            b'\\' if b.get(i + 1) == Some(&b'\r') => {
                i += 3;
                continue;
            }
            b'\n' | b';' | b'#' if depth == 0 => break,
            b'\r' if depth == 0 => break,
            _ => {}
        }
        i += 1;
    }
    let mut end = i.min(b.len());
    while end > from && matches!(b[end - 1], b' ' | b'\t') {
        end -= 1;
    }
    end
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn tabs_advance_to_multiples_of_eight() {
        assert_eq!(normalize("if x:\n  \ty = 1\n"), "if x:\n        y = 1\n");
        assert_eq!(normalize("\tz\n"), "        z\n");
    }

    #[test]
    fn print_statements_become_calls() {
        assert_eq!(normalize("print 'a', x\n"), "print('a', x)\n");
        assert_eq!(normalize("  print \"a\" # c\n"), "  print(\"a\") # c\n");
        assert_eq!(normalize("print x,\n"), "print(x,)\n");
        assert_eq!(
            normalize("print 'a %s' % \\\n  (1,)\n"),
            "print('a %s' % \\\n  (1,))\n"
        );
        // calls, redirections, names and strings are left alone
        assert_eq!(normalize("print('a')\n"), "print('a')\n");
        assert_eq!(normalize("print >>f, x\n"), "print >>f, x\n");
        assert_eq!(normalize("printer = 1\n"), "printer = 1\n");
        assert_eq!(
            normalize("x = '''\nprint y\n'''\n"),
            "x = '''\nprint y\n'''\n"
        );
        assert_eq!(normalize("f(a,\n print)\n"), "f(a,\n print)\n");
    }
}
