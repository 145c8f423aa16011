//! Decoding one parameter by its presence rule; generated parsers call these per field.
//!
//! The rules, from the spec's `presence`:
//!
//! | slot    | required | positional | optional | trailing |
//! |---------|----------|------------|----------|----------|
//! | absent  | parse failure | parse failure | omitted | omitted |
//! | empty   | invalid  | omitted    | omitted  | invalid  |
//!
//! A present value that does not decode is a parse failure; one that decodes but is out of
//! range or lacks a required byte is invalid.

use crate::fields::{Fields, Slot};
use crate::reject::{Answers, RejectKind, Rejection};
use crate::scratch::Scratch;
use crate::{Presence, Syntax, int, string};

fn parse_failure(a: &Answers, i: usize) -> Rejection {
    a.reject(RejectKind::ParseFailure { index: i as u8 })
}

/// The rejection for an unacceptable parameter at field `i`.
pub fn invalid(a: &Answers, i: usize) -> Rejection {
    a.reject(RejectKind::InvalidParam { index: i as u8 })
}

/// The raw bytes of field `i`, or `None` when the presence rule lets it be omitted.
fn raw<'l>(
    f: &Fields<'l>,
    i: usize,
    p: Presence,
    a: &Answers,
) -> Result<Option<&'l [u8]>, Rejection> {
    match (f.slot(i), p) {
        (Slot::Value(v), _) => Ok(Some(v)),
        (Slot::Absent, Presence::Required | Presence::Positional) => Err(parse_failure(a, i)),
        (Slot::Empty, Presence::Required | Presence::Trailing) => Err(invalid(a, i)),
        _ => Ok(None),
    }
}

/// An integer field that may be omitted.
pub fn int(
    f: &Fields<'_>,
    i: usize,
    p: Presence,
    a: &Answers,
    s: &Syntax,
) -> Result<Option<i32>, Rejection> {
    match raw(f, i, p, a)? {
        None => Ok(None),
        Some(v) => int::parse(v, s.hex)
            .map(Some)
            .map_err(|()| parse_failure(a, i)),
    }
}

/// An integer field that must be written.
pub fn int_req(f: &Fields<'_>, i: usize, a: &Answers, s: &Syntax) -> Result<i32, Rejection> {
    int(f, i, Presence::Required, a, s)?.ok_or_else(|| invalid(a, i))
}

/// Checks `v` against `[lo, hi]`, letting `special` values through.
pub fn range(
    v: i32,
    lo: i32,
    hi: i32,
    special: &[i32],
    i: usize,
    a: &Answers,
) -> Result<i32, Rejection> {
    if (lo..=hi).contains(&v) || special.contains(&v) {
        Ok(v)
    } else {
        Err(invalid(a, i))
    }
}

/// A string field that may be omitted, decoded into the scratch buffer.
pub fn str<'a>(
    f: &Fields<'_>,
    i: usize,
    p: Presence,
    a: &Answers,
    s: &Syntax,
    scratch: &mut Scratch<'a>,
) -> Result<Option<&'a [u8]>, Rejection> {
    match raw(f, i, p, a)? {
        None => Ok(None),
        Some(v) => scratch
            .unescape(v, s)
            .map(Some)
            .map_err(|_| parse_failure(a, i)),
    }
}

/// A string field that must be written.
pub fn str_req<'a>(
    f: &Fields<'_>,
    i: usize,
    a: &Answers,
    s: &Syntax,
    scratch: &mut Scratch<'a>,
) -> Result<&'a [u8], Rejection> {
    str(f, i, Presence::Required, a, s, scratch)?.ok_or_else(|| invalid(a, i))
}

/// Checks that a decoded string contains `needle`.
pub fn must_contain<'a>(
    v: &'a [u8],
    needle: &[u8],
    i: usize,
    a: &Answers,
) -> Result<&'a [u8], Rejection> {
    if string::contains(v, needle) {
        Ok(v)
    } else {
        Err(invalid(a, i))
    }
}

/// Fails when the line has more fields than the form consumed.
pub fn no_extra(f: &Fields<'_>, consumed: usize, a: &Answers) -> Result<(), Rejection> {
    if f.len() > consumed {
        Err(a.reject(RejectKind::ParamCount {
            given: f.len() as u8,
        }))
    } else {
        Ok(())
    }
}

/// The first field of a set line's parameters read as a positional string, for a rule that
/// looks at one field before the parser's own order (AT+HTTPCPOST/PUT read their URL before
/// anything else). `Some(None)`: empty or absent; `Some(Some(s))`: decoded into `scratch`;
/// `None`: the parameters do not split, or the field is no well-formed string (the parser's
/// to refuse).
pub fn first_str<'a>(
    params: &[u8],
    syntax: &Syntax,
    max_params: usize,
    a: &Answers,
    scratch: &mut Scratch<'a>,
) -> Option<Option<&'a [u8]>> {
    let fields = Fields::split(params, syntax, max_params).ok()?;
    str(&fields, 0, Presence::Positional, a, syntax, scratch).ok()
}
