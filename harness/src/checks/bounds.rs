//! Boundary checks derived from the spec: every parameter with a range is sent at min − 1,
//! min, max and max + 1 inside a line that is otherwise valid (a value a 32-bit field cannot
//! hold is written as its decimal text). Nothing here is typed by hand: the parameters, their
//! ranges, the clauses they cite and which parameter gives a data phase's length all come
//! from the generated form descriptors (`host::strategies::FORMS`). The oracle predicts each
//! answer; the device profile decides whether an in-range length is stored.
//!
//! A line the device takes with a prompt is followed by the bytes it promised (an 8192-byte
//! URL for `AT+HTTPURLCFG=8192`), so no check leaves the device in a data phase.

use crate::syntax::host::Clause;
use std::sync::OnceLock;

use atspec_rt::strategy::{FormDesc, Raw, RawForm, WireType};

use super::{Check, Ctx, bytes};
use crate::profile::DeviceProfile;
use crate::syntax::host::strategies::{FORMS, SPEC};
use crate::world::step::{DATA_PHASE_MAX, Step};

/// One bounded parameter: its form, its index and its range.
#[derive(Clone, Copy)]
struct Bounded {
    form: &'static FormDesc,
    index: usize,
    lo: i64,
    hi: i64,
    name: &'static str,
    clauses: &'static [Clause],
}

/// Every bounded parameter of the spec, with a check name made once per process.
fn bounded() -> &'static [Bounded] {
    static ALL: OnceLock<Vec<Bounded>> = OnceLock::new();
    ALL.get_or_init(|| {
        let mut v = Vec::new();
        for form in FORMS.iter().copied() {
            for (index, p) in form.params.iter().enumerate() {
                if let WireType::Int {
                    bounds: Some((lo, hi)),
                } = p.kind
                {
                    let name = format!(
                        "bounds.{}.{}",
                        form.command.trim_start_matches("AT+").to_ascii_lowercase(),
                        p.name
                    );
                    // The descriptors cite ids of the same spec, so every one resolves; one
                    // that did not would be a generator bug, not a citation to drop quietly.
                    let clauses: &'static [Clause] = if p.clauses.is_empty() {
                        &[Clause::ParamIntSyntax]
                    } else {
                        p.clauses
                            .iter()
                            .map(|id| {
                                Clause::from_id(id).unwrap_or_else(|| {
                                    panic!("generated descriptor cites unknown clause {id}")
                                })
                            })
                            .collect::<Vec<_>>()
                            .leak()
                    };
                    v.push(Bounded {
                        form,
                        index,
                        lo: i64::from(lo),
                        hi: i64::from(hi),
                        name: Box::leak(name.into_boxed_str()),
                        clauses,
                    });
                }
            }
        }
        v
    })
}

pub(super) fn checks() -> Vec<Check> {
    bounded()
        .iter()
        .map(|b| {
            let b = *b;
            // The raw server: its answers (HEAD lines included) are predictable byte for
            // byte, so a boundary check proves its clauses exactly.
            Check::new(b.name, b.clauses, move |c: &Ctx| {
                steps(&b, &c.raw_url("/bounds"), &c.profile)
            })
        })
        .collect()
}

/// The four boundary values.
fn values(b: &Bounded) -> [i64; 4] {
    [b.lo - 1, b.lo, b.hi, b.hi + 1]
}

/// The steps for one bounded parameter: a line per boundary value, each followed by the data
/// it promises when the device takes it.
fn steps(b: &Bounded, url: &str, profile: &DeviceProfile) -> Vec<Step> {
    let mut v = Vec::new();
    for value in values(b) {
        let (form_raw, data_len) = line_for(b, value, url, profile);
        let mut line = atspec_rt::strategy::encode_raw(&SPEC, b.form, &form_raw);
        if !line.ends_with(b"\r\n") {
            line.extend_from_slice(b"\r\n");
        }
        v.push(bytes(line));
        if let Some(n) = data_len {
            v.push(bytes(data(b.form, n)));
        }
    }
    v
}

/// The line's values, and the data length it promises when the device will take it.
fn line_for(
    b: &Bounded,
    value: i64,
    url: &str,
    profile: &DeviceProfile,
) -> (RawForm, Option<usize>) {
    let form = b.form;
    let mut ints: Vec<Option<i64>> = form
        .params
        .iter()
        .map(|p| match p.kind {
            WireType::Int { bounds } => Some(i64::from(
                p.default
                    .or_else(|| p.enum_values.first().copied())
                    .or(bounds.map(|(lo, _)| lo))
                    .unwrap_or(0),
            )),
            WireType::Str => None,
        })
        .collect();
    // The parameter under test must exist: satisfy its `only_if`.
    if let Some((ctl, allowed)) = form.params[b.index].only_if
        && let Some(&first) = allowed.first()
    {
        ints[ctl] = Some(i64::from(first));
    }
    ints[b.index] = Some(value);
    let mut params: Vec<Raw> = form
        .params
        .iter()
        .enumerate()
        .map(|(k, p)| match p.kind {
            WireType::Int { .. } => {
                let v = ints[k].unwrap_or(0);
                match i32::try_from(v) {
                    Ok(v) => Raw::Int(v),
                    Err(_) => Raw::Verbatim(v.to_string().into_bytes()),
                }
            }
            WireType::Str if p.name.contains("url") => Raw::Str(url.as_bytes().to_vec()),
            WireType::Str => Raw::Omit,
        })
        .collect();
    // Parameters whose condition does not hold are not on the line.
    for (k, p) in form.params.iter().enumerate() {
        if let Some((ctl, allowed)) = p.only_if
            && k != b.index
            && !ints[ctl].is_some_and(|v| allowed.iter().any(|a| i64::from(*a) == v))
        {
            params[k] = Raw::Skip;
        }
    }
    let in_range = |k: usize| {
        let p = &form.params[k];
        match (p.kind, ints[k]) {
            (
                WireType::Int {
                    bounds: Some((lo, hi)),
                },
                Some(v),
            ) => (i64::from(lo)..=i64::from(hi)).contains(&v),
            _ => true,
        }
    };
    // A counted list needs that many elements.
    let mut list = Vec::new();
    if let Some(var) = &form.variadic
        && let Some(count) = var.count_param
        && in_range(count)
    {
        let n = ints[count].unwrap_or(0).max(0) as usize;
        list = (0..n)
            .map(|i| format!("X-B{i}: {i}").into_bytes())
            .collect();
    }
    let all_in_range = (0..form.params.len()).all(in_range);
    let data_len = form.data_param.and_then(|d| {
        let n = ints[d]?;
        let stored = match form.command {
            "AT+HTTPCHEAD" => !profile.refuses_chead(n as u32),
            "AT+HTTPCPOST" | "AT+HTTPCPUT" => !profile.refuses_send(n as u32),
            _ => true,
        };
        (all_in_range && stored && n > 0 && n as usize <= DATA_PHASE_MAX).then_some(n as usize)
    });
    (RawForm { params, list }, data_len)
}

/// Data bytes for a prompt: a URL for AT+HTTPURLCFG, a header for AT+HTTPCHEAD, body bytes
/// otherwise.
fn data(form: &FormDesc, n: usize) -> Vec<u8> {
    let mut d = match form.command {
        "AT+HTTPURLCFG" => b"http://".to_vec(),
        "AT+HTTPCHEAD" => b"X-Bound:".to_vec(),
        _ => Vec::new(),
    };
    d.resize(n.max(d.len()), b'b');
    d.truncate(n);
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::host;

    /// Fields of a set line, split at commas outside quoted strings.
    fn fields(line: &[u8]) -> Vec<String> {
        let line = line.strip_suffix(b"\r\n").unwrap_or(line);
        crate::oracle::field_spans(line)
            .into_iter()
            .map(|(a, b)| String::from_utf8_lossy(&line[a..b]).into_owned())
            .collect()
    }

    /// Every range the spec states has a check that sends min − 1, min, max and max + 1 in
    /// that parameter's field, and a line that is otherwise valid: in-range values parse.
    #[test]
    fn every_spec_range_has_a_boundary_check() {
        let names: Vec<&str> = super::super::all().iter().map(|c| c.name).collect();
        let mut seen = 0;
        for form in FORMS.iter() {
            for (i, p) in form.params.iter().enumerate() {
                let WireType::Int {
                    bounds: Some((lo, hi)),
                } = p.kind
                else {
                    continue;
                };
                seen += 1;
                let b = bounded()
                    .iter()
                    .find(|b| std::ptr::eq(b.form, *form) && b.index == i)
                    .unwrap_or_else(|| panic!("{} {} has no boundary check", form.command, p.name));
                assert!(names.contains(&b.name), "{} is not registered", b.name);
                let steps = steps(b, "http://h:1/b", &DeviceProfile::default());
                let lines: Vec<Vec<u8>> = steps
                    .iter()
                    .filter_map(|s| match s {
                        Step::Send { bytes, .. }
                            if bytes.0.starts_with(form.command.as_bytes()) =>
                        {
                            Some(bytes.0.clone())
                        }
                        _ => None,
                    })
                    .collect();
                let want = [
                    i64::from(lo) - 1,
                    i64::from(lo),
                    i64::from(hi),
                    i64::from(hi) + 1,
                ];
                assert_eq!(lines.len(), 4, "{}: {lines:?}", b.name);
                for (line, v) in lines.iter().zip(want) {
                    // Only parameters after the one under test depend on a condition, so its
                    // field is its position.
                    assert!(
                        form.params[..i]
                            .iter()
                            .all(|q| q.only_if.is_none() || q.only_if.is_some_and(|(c, _)| c < i))
                    );
                    let position = i;
                    let f = fields(line);
                    assert_eq!(
                        f.get(position).map(String::as_str),
                        Some(v.to_string().as_str()),
                        "{}: {}",
                        b.name,
                        String::from_utf8_lossy(line)
                    );
                    let text = line.strip_suffix(b"\r\n").unwrap();
                    let mut scratch = vec![0u8; text.len()];
                    let parsed = crate::syntax::device::parse(text, &mut scratch);
                    if (i64::from(lo)..=i64::from(hi)).contains(&v) {
                        assert!(
                            parsed.is_ok(),
                            "{}: {} refused",
                            b.name,
                            String::from_utf8_lossy(line)
                        );
                    } else {
                        assert!(
                            parsed.is_err(),
                            "{}: {} accepted",
                            b.name,
                            String::from_utf8_lossy(line)
                        );
                    }
                }
            }
        }
        assert!(seen >= 10, "only {seen} bounded parameters");
        // The seed's URL boundary is exercised with the URL itself.
        let urlcfg = bounded()
            .iter()
            .find(|b| b.form.command == "AT+HTTPURLCFG")
            .unwrap();
        let s = steps(urlcfg, "http://h:1/b", &DeviceProfile::default());
        assert!(
            s.iter()
                .any(|s| matches!(s, Step::Send { bytes, .. } if bytes.0.len() == 8192 && bytes.0.starts_with(b"http://"))),
            "no 8192-byte URL sent"
        );
        let _ = host::CLAUSES;
    }
}
