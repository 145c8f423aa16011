//! Reading a spec file: YAML → [`Spec`](crate::Spec) with resource limits, then validation.

use std::path::Path;

use crate::diag::{Diagnostics, Sink};
use crate::model::Spec;
use crate::validate;

/// Resource limits for the YAML parser. The real spec is a few thousand lines; these bounds
/// leave ample room while making an alias bomb or a runaway document fail fast with a position.
fn options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_events: 200_000,
            max_aliases: 256,
            max_anchors: 256,
            max_depth: 64,
            max_nodes: 200_000,
            max_total_scalar_bytes: 8 * 1024 * 1024,
        },
    }
}

/// Parses and validates spec text. `file` names it in diagnostics.
pub fn load_str(file: &str, text: &str) -> Result<Spec, Diagnostics> {
    let spec: Spec = serde_saphyr::from_str_with_options(text, options())
        .map_err(|e| Diagnostics(vec![yaml_diagnostic(file, &e)]))?;
    let mut sink = Sink::new(file);
    validate::check(&spec, &mut sink);
    sink.finish()?;
    Ok(spec)
}

/// The largest spec file read (the ESP-AT spec is under 100 KiB).
pub const SPEC_MAX: u64 = 16 * 1024 * 1024;

/// Reads, parses and validates a spec file: a regular file of at most `SPEC_MAX` bytes (a
/// device node or FIFO would be read forever).
pub fn load(path: impl AsRef<Path>) -> Result<Spec, Diagnostics> {
    let path = path.as_ref();
    let shown = path.display().to_string();
    match std::fs::metadata(path) {
        Ok(m) if !m.is_file() => {
            return Err(Diagnostics::whole_file(
                &shown,
                "the spec must be a regular file (not a device, FIFO or directory)".into(),
            ));
        }
        Ok(m) if m.len() > SPEC_MAX => {
            return Err(Diagnostics::whole_file(
                &shown,
                format!("the spec is {} bytes; at most {SPEC_MAX} are read", m.len()),
            ));
        }
        _ => {}
    }
    let text = std::fs::read_to_string(path).map_err(|e| {
        let mut sink = Sink::new(&shown);
        sink.push(0, 0, format!("cannot read the spec: {e}"));
        sink.finish().unwrap_err()
    })?;
    load_str(&shown, &text)
}

/// A YAML error of any file the tools read (specs, device profiles, setup scripts) as a
/// diagnostic at its `file:line:col`.
pub fn yaml_diagnostic(file: &str, e: &serde_saphyr::Error) -> crate::Diagnostic {
    let (line, col) = e
        .location()
        .map(|l| (l.line() as usize, l.column() as usize))
        .unwrap_or((0, 0));
    crate::Diagnostic {
        file: file.to_owned(),
        line,
        col,
        message: yaml_message(e),
    }
}

/// The parser's message without its own "at line L, column C" suffix (the diagnostic
/// already leads with the position).
fn yaml_message(e: &serde_saphyr::Error) -> String {
    let text = e.without_snippet().to_string();
    match text.find(" at line ") {
        Some(i) if text[i..].contains("column") => text[..i].to_owned(),
        _ => text,
    }
}
