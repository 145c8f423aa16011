//! Configuration of `atspec certify` besides its command line, as cargo-nextest's config does
//! it: every option also reads `ATSPEC_<LONG_NAME>` (`--mock-bind` → `ATSPEC_MOCK_BIND`), and
//! a TOML file — `--config FILE`, else `atspec.toml` in the current directory — holds any
//! option under its long name (`mock-bind = "0.0.0.0"`, `device = ["virtual", …]`).
//! Precedence: command line, then environment, then file, then default.
//!
//! A file value reaches the parser as the option's default, below the command line and the
//! environment; which defaults came from the file is kept, so `--print-config` can say where
//! each value came from.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The file read when no `--config` is given.
pub const DEFAULT_FILE: &str = "atspec.toml";
/// The largest configuration file read.
const FILE_MAX: u64 = 256 * 1024;

/// Where file values went: option id → `FILE:LINE`.
#[derive(Debug, Default, Clone)]
pub struct FromFile(pub BTreeMap<String, String>);

/// `ATSPEC_MOCK_BIND` for `mock-bind`.
pub fn env_name(long: &str) -> String {
    format!("ATSPEC_{}", long.to_ascii_uppercase().replace('-', "_"))
}

/// The options of `certify`, each given its environment variable; options that repeat
/// take a comma-separated list there.
pub fn with_env(c: clap::Command) -> clap::Command {
    let longs: Vec<(String, String, bool, usize)> = c
        .get_arguments()
        .enumerate()
        .filter_map(|(i, a)| {
            let repeats = matches!(a.get_action(), clap::ArgAction::Append);
            // Help sections in the order a user sets a run up.
            let rank = HEADINGS
                .iter()
                .position(|h| Some(*h) == a.get_help_heading())
                .unwrap_or(HEADINGS.len());
            a.get_long().map(|l| {
                (
                    a.get_id().to_string(),
                    l.to_string(),
                    repeats,
                    rank * 100 + i,
                )
            })
        })
        .collect();
    let mut c = c;
    for (id, long, repeats, order) in longs {
        c = c.mut_arg(&id, |a| a.display_order(order));
        if long == "config" {
            continue;
        }
        // clap keeps `&'static` names; a few dozen short strings once per process.
        let name: &'static str = Box::leak(env_name(&long).into_boxed_str());
        c = c.mut_arg(id, |a| {
            let a = a.env(name);
            if repeats { a.value_delimiter(',') } else { a }
        });
    }
    c
}

/// `certify --help`'s sections, in order.
const HEADINGS: [&str; 7] = [
    "Device",
    "Mock peer and TLS",
    "Evidence",
    "Fuzzing",
    "Farm",
    "Reports",
    "Virtual board",
];

/// The options of `certify` with the file's values as their defaults (`entries`: long
/// name, value; a repeating option's list comma-separated).
pub fn with_file(c: clap::Command, entries: &[(String, String)]) -> clap::Command {
    let mut c = c;
    for (long, value) in entries {
        let Some((id, repeats)) = c
            .get_arguments()
            .find(|a| a.get_long() == Some(long.as_str()))
            .map(|a| {
                (
                    a.get_id().to_string(),
                    matches!(a.get_action(), clap::ArgAction::Append),
                )
            })
        else {
            continue;
        };
        // clap keeps `&'static` defaults; a few short strings once per process.
        let values: Vec<&'static str> = if repeats {
            value
                .split(',')
                .map(|v| &*Box::leak(v.to_string().into_boxed_str()))
                .collect()
        } else {
            vec![Box::leak(value.clone().into_boxed_str())]
        };
        c = c.mut_arg(id, |a| a.default_values(values));
    }
    c
}

/// The configuration file `args` name with `--config`, else [`DEFAULT_FILE`] when it exists.
pub fn file_in(args: &[std::ffi::OsString]) -> Option<PathBuf> {
    let mut it = args.iter().map(|a| a.to_string_lossy());
    while let Some(a) = it.next() {
        if a == "--config" {
            return it.next().map(|p| PathBuf::from(p.as_ref()));
        }
        if let Some(p) = a.strip_prefix("--config=") {
            return Some(PathBuf::from(p));
        }
    }
    Path::new(DEFAULT_FILE)
        .is_file()
        .then(|| PathBuf::from(DEFAULT_FILE))
}

/// Reads `path` into (long name, value, line) triples, checked against `longs` (the options
/// `certify` takes). Keys may sit at the top level or under `[certify]`.
pub fn read(path: &Path, longs: &[String]) -> Result<Vec<(String, String, usize)>, String> {
    let shown = path.display();
    let meta = std::fs::metadata(path).map_err(|e| format!("{shown}: {e}"))?;
    if meta.len() > FILE_MAX {
        return Err(format!("{shown}: larger than {FILE_MAX} bytes"));
    }
    let text = std::fs::read_to_string(path).map_err(|e| format!("{shown}: {e}"))?;
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| match e.span() {
        Some(s) => {
            let (line, col) = line_col(&text, s.start);
            format!("{shown}:{line}:{col}: {}", e.message())
        }
        None => format!("{shown}: {}", e.message()),
    })?;
    let mut out = Vec::new();
    let mut entries: Vec<(&String, &toml::Value)> = Vec::new();
    for (k, v) in &table {
        match (k.as_str(), v) {
            ("certify", toml::Value::Table(t)) => entries.extend(t.iter()),
            _ => entries.push((k, v)),
        }
    }
    for (k, v) in entries {
        let line = key_line(&text, k);
        if k == "config" || !longs.contains(k) {
            return Err(format!(
                "{shown}:{line}: unknown option `{k}` (certify's options, without `--`: {})",
                longs.join(", ")
            ));
        }
        let value = match v {
            toml::Value::String(s) => s.clone(),
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
            toml::Value::Float(f) => f.to_string(),
            toml::Value::Array(items) => {
                let mut parts = Vec::new();
                for i in items {
                    match i {
                        toml::Value::String(s) if !s.contains(',') => parts.push(s.clone()),
                        toml::Value::Integer(n) => parts.push(n.to_string()),
                        _ => {
                            return Err(format!(
                                "{shown}:{line}: `{k}`: a list holds strings without commas or numbers"
                            ));
                        }
                    }
                }
                parts.join(",")
            }
            _ => {
                return Err(format!(
                    "{shown}:{line}: `{k}`: not a string, number, boolean or list"
                ));
            }
        };
        out.push((k.clone(), value, line));
    }
    Ok(out)
}

fn line_col(text: &str, at: usize) -> (usize, usize) {
    let before = &text[..at.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    (line, col)
}

/// The line `key = …` is on (1 when it cannot be told).
fn key_line(text: &str, key: &str) -> usize {
    text.lines()
        .position(|l| {
            let l = l.trim_start();
            l.strip_prefix(key)
                .is_some_and(|r| r.trim_start().starts_with('='))
                || l.strip_prefix(&format!("\"{key}\""))
                    .is_some_and(|r| r.trim_start().starts_with('='))
        })
        .map_or(1, |i| i + 1)
}

/// One option's value and where it came from, for `--print-config`.
pub fn describe(
    matches: &clap::ArgMatches,
    command: &clap::Command,
    from_file: &FromFile,
) -> String {
    let mut out = String::new();
    for a in command.get_arguments() {
        let (Some(long), id) = (a.get_long(), a.get_id().as_str()) else {
            continue;
        };
        if matches!(long, "config" | "print-config" | "help") {
            continue;
        }
        let values: Vec<String> = matches
            .get_raw(id)
            .map(|v| v.map(|s| s.to_string_lossy().into_owned()).collect())
            .unwrap_or_default();
        let source = match matches.value_source(id) {
            Some(clap::parser::ValueSource::CommandLine) => "command line".to_string(),
            Some(clap::parser::ValueSource::EnvVariable) => {
                format!("environment {}", env_name(long))
            }
            Some(clap::parser::ValueSource::DefaultValue) => match from_file.0.get(long) {
                Some(at) => format!("file {at}"),
                None => "default".to_string(),
            },
            _ => "unset".to_string(),
        };
        let shown = if values.is_empty() {
            "-".to_string()
        } else {
            crate_mask(&values.join(","))
        };
        out.push_str(&format!("{long:<22} {shown:<40} ({source})\n"));
    }
    out
}

/// Values are shown as the reports would show them: secrets masked.
fn crate_mask(s: &str) -> String {
    atspec::secrets::mask(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_names_follow_the_long_names() {
        assert_eq!(env_name("mock-bind"), "ATSPEC_MOCK_BIND");
        assert_eq!(env_name("cases"), "ATSPEC_CASES");
    }

    #[test]
    fn a_file_is_read_with_lines_and_checked() {
        let dir = std::env::temp_dir().join(format!("atspec-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("atspec.toml");
        let longs: Vec<String> = ["cases", "device", "mock-bind", "quiet"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        std::fs::write(
            &p,
            "cases = 7\n[certify]\ndevice = [\"virtual\", \"tcp:h:1\"]\nquiet = true\n",
        )
        .unwrap();
        let got = read(&p, &longs).unwrap();
        assert!(got.contains(&("cases".into(), "7".into(), 1)), "{got:?}");
        assert!(got.contains(&("device".into(), "virtual,tcp:h:1".into(), 3)));
        assert!(got.contains(&("quiet".into(), "true".into(), 4)));
        std::fs::write(&p, "cases = 7\nseeed = 3\n").unwrap();
        let e = read(&p, &longs).unwrap_err();
        assert!(e.contains("atspec.toml:2: unknown option `seeed`"), "{e}");
        std::fs::write(&p, "cases = = 7\n").unwrap();
        let e = read(&p, &longs).unwrap_err();
        assert!(e.contains("atspec.toml:1:"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
