//! Which checks a run selects: `--clause` and `--check` patterns, as globs (`*` any run of
//! characters, `?` one), ASCII case-insensitive. A check runs when one of its clauses
//! matches a `--clause` pattern or its name matches a `--check` pattern; with neither, every
//! check runs (and fuzzing too).

use crate::checks::Check;

/// Whether `text` matches `pattern` (`*`, `?`; ASCII case-insensitive). Iterative, with one
/// backtracking point: linear in practice, never recursive.
pub fn glob(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let (mut i, mut j) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while j < t.len() {
        if i < p.len() && (p[i] == b'?' || p[i].eq_ignore_ascii_case(&t[j])) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == b'*' {
            star = Some((i, j));
            i += 1;
        } else if let Some((si, sj)) = star {
            // Let the last `*` take one more character.
            i = si + 1;
            j = sj + 1;
            star = Some((si, sj + 1));
        } else {
            return false;
        }
    }
    p[i..].iter().all(|&c| c == b'*')
}

/// The run's selection.
#[derive(Debug, Clone, Copy)]
pub struct Selection<'a> {
    /// `--clause` patterns.
    pub clauses: &'a [String],
    /// `--check` patterns.
    pub checks: &'a [String],
}

impl Selection<'_> {
    /// Whether nothing was selected, i.e. the whole certification runs.
    pub fn is_all(&self) -> bool {
        self.clauses.is_empty() && self.checks.is_empty()
    }

    /// Whether check `c` runs.
    pub fn selects(&self, c: &Check) -> bool {
        self.is_all()
            || self
                .clauses
                .iter()
                .any(|p| c.clauses.iter().any(|id| glob(p, id.id())))
            || self.checks.iter().any(|p| glob(p, c.name))
    }

    /// A pattern that selects nothing, with what to do about it.
    pub fn unmatched(&self, all: &[Check]) -> Option<String> {
        for p in self.clauses {
            let known = crate::syntax::host::CLAUSES.iter().any(|c| glob(p, c.id));
            if !known {
                return Some(format!(
                    "no clause matches `{p}` (`atspec list clauses` lists them; globs: `HTTPCFG.*`)"
                ));
            }
        }
        for p in self.checks {
            if !all.iter().any(|c| glob(p, c.name)) {
                return Some(format!(
                    "no check matches `{p}` (`atspec list checks` lists them; globs: `httpcfg.*`)"
                ));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn globs_match_as_shells_do_but_ignore_ascii_case() {
        assert!(glob("HTTPCFG.*", "HTTPCFG.MODE.MEANING"));
        assert!(glob("httpcfg.*", "HTTPCFG.MODE.MEANING"));
        assert!(glob("*.QUERY", "HTTPCHEAD.QUERY"));
        assert!(glob("HTTP?FG.*", "HTTPCFG.GLOBAL"));
        assert!(glob("*", ""));
        assert!(glob("a*b*c", "aXXbYYbZc"));
        assert!(glob("HTTPCHEAD.QUERY", "HTTPCHEAD.QUERY"));
        assert!(!glob("HTTPCHEAD.QUERY", "HTTPCHEAD.QUERY.X"));
        assert!(!glob("HTTPCFG.*", "HTTPCHEAD.QUERY"));
        assert!(!glob("a*b", "aXXbY"));
        assert!(!glob("?", ""));
    }
}
