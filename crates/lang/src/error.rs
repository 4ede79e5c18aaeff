//! Errors with a source location, printed as `file:line:col: message`.

use std::fmt;

/// An error in a model file, a `-c` command or a `-p` value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LangError {
    /// File name (or a pseudo name such as `<-p cortex_density=x>`).
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub col: usize,
    /// What went wrong.
    pub message: String,
}

impl LangError {
    /// A new error.
    pub fn new(file: &str, line: usize, col: usize, message: impl Into<String>) -> LangError {
        LangError {
            file: file.to_string(),
            line,
            col,
            message: message.into(),
        }
    }
}

impl fmt::Display for LangError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.col, self.message
        )
    }
}

impl std::error::Error for LangError {}

/// Maps byte offsets of a source text to 1-based line and column.
#[derive(Clone, Debug)]
pub(crate) struct LineIndex {
    starts: Vec<usize>,
    text: String,
}

impl LineIndex {
    /// The text between two byte offsets (empty if out of range).
    pub(crate) fn slice(&self, start: usize, end: usize) -> &str {
        self.text.get(start..end).unwrap_or("")
    }

    pub(crate) fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                starts.push(i + 1);
            }
        }
        LineIndex {
            starts,
            text: text.to_string(),
        }
    }

    /// Line and column (both 1-based) of a byte offset.
    pub(crate) fn locate(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.starts[line];
        let col = self
            .text
            .get(start..offset)
            .map(|s| s.chars().count())
            .unwrap_or(offset - start);
        (line + 1, col + 1)
    }

    /// The text of a 1-based line (without its newline).
    pub(crate) fn line_text(&self, line: usize) -> &str {
        if line == 0 || line > self.starts.len() {
            return "";
        }
        let start = self.starts[line - 1];
        let end = self
            .starts
            .get(line)
            .map(|e| e - 1)
            .unwrap_or(self.text.len());
        self.text.get(start..end.max(start)).unwrap_or("")
    }
}

/// A source being evaluated: its name and line table.
#[derive(Clone, Debug)]
pub(crate) struct Source {
    pub(crate) name: String,
    pub(crate) lines: LineIndex,
}

impl Source {
    pub(crate) fn new(name: &str, text: &str) -> Source {
        Source {
            name: name.to_string(),
            lines: LineIndex::new(text),
        }
    }

    /// An error at a byte offset of this source.
    pub(crate) fn error(&self, offset: usize, message: impl Into<String>) -> LangError {
        let (line, col) = self.lines.locate(offset);
        LangError::new(&self.name, line, col, message)
    }
}
