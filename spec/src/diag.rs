//! Diagnostics: every load or validation problem, located at `file:line:col`.

use std::fmt;

use serde_saphyr::Location;

/// One problem found in a spec file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file as it was named when loading.
    pub file: String,
    /// 1-based line; 0 when unknown.
    pub line: usize,
    /// 1-based column; 0 when unknown.
    pub col: usize,
    /// What is wrong, in one sentence.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: error: {}",
            self.file, self.line, self.col, self.message
        )
    }
}

/// All problems of one file, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// A single problem of `file` that has no position (unreadable file, internal error).
    pub fn whole_file(file: &str, message: String) -> Diagnostics {
        let mut sink = Sink::new(file);
        sink.push(0, 0, message);
        Diagnostics(sink.found)
    }

    /// Number of problems.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The problems.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            writeln!(f, "{d}")?;
        }
        write!(
            f,
            "{} error{}",
            self.0.len(),
            if self.0.len() == 1 { "" } else { "s" }
        )
    }
}

impl std::error::Error for Diagnostics {}

/// Collects the diagnostics of one file: the loader, the validator and code generation all
/// report into one, so a build shows every problem of the file at once, in file order.
#[derive(Debug)]
pub struct Sink {
    file: String,
    found: Vec<Diagnostic>,
}

impl Sink {
    /// An empty sink for `file` (as it is to be named in messages).
    pub fn new(file: &str) -> Self {
        Sink {
            file: file.to_owned(),
            found: Vec::new(),
        }
    }

    /// Records a problem at a YAML location.
    pub fn at(&mut self, loc: &Location, message: impl Into<String>) {
        self.push(loc.line() as usize, loc.column() as usize, message.into());
    }

    /// Records a problem at 1-based `line` and `col` (0 when unknown).
    pub fn push(&mut self, line: usize, col: usize, message: String) {
        self.found.push(Diagnostic {
            file: self.file.clone(),
            line,
            col,
            message,
        });
    }

    /// `Ok(())` when nothing was recorded, else every problem sorted by position.
    pub fn finish(mut self) -> Result<(), Diagnostics> {
        if self.found.is_empty() {
            return Ok(());
        }
        self.found
            .sort_by(|a, b| (a.line, a.col, &a.message).cmp(&(b.line, b.col, &b.message)));
        self.found.dedup();
        Err(Diagnostics(self.found))
    }
}
