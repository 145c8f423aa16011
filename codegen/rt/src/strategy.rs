//! proptest strategies driven by descriptor tables that `host!` generates from the spec.
//!
//! A command is generated as [`RawForm`] — one [`Raw`] per parameter plus the variadic list —
//! which the generated code turns into typed values. Valid generation is boundary-weighted (min,
//! min+1, max−1, max, defaults, special and enum values, omitted optionals, strings that need
//! escaping, strings near the line limit) and then repaired so every spec rule holds. Invalid
//! generation starts from a valid command and breaks exactly one rule, labelling the line with
//! the [`Rejection`] the spec assigns.

use proptest::prelude::*;
use proptest::sample::{Index, select};

/// Cases a property test runs by default, in CI and in the README's test command: enough to
/// exercise every strategy branch on each run (its seed is fresh every time), cheap in debug.
pub const CI_CASES: u32 = 2_000;

/// Cases for a property test whose full count is `deep`: the one place that count is chosen.
/// `ATSPEC_CASES=N` sets N for every property (quick local runs); `ATSPEC_DEEP=1` (set by
/// `ci/deep.sh`) runs each property's full count; otherwise [`CI_CASES`], at most `deep`.
pub fn cases(deep: u32) -> u32 {
    if let Some(n) = std::env::var("ATSPEC_CASES")
        .ok()
        .and_then(|v| v.trim().parse().ok())
    {
        return n;
    }
    if std::env::var_os("ATSPEC_DEEP").is_some_and(|v| v != "0" && !v.is_empty()) {
        deep
    } else {
        deep.min(CI_CASES)
    }
}

use crate::encode::{self, Out};
use crate::reject::{Answers, RejectKind, Rejection};
use crate::{Presence, Syntax};

/// Wire type of a parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WireType {
    /// An integer; `bounds` when the spec gives a range.
    Int {
        /// Inclusive range, if any.
        bounds: Option<(i32, i32)>,
    },
    /// A quoted string.
    Str,
}

/// One parameter, as the spec describes it.
#[derive(Debug, Clone, Copy)]
pub struct ParamDesc {
    /// snake_case name.
    pub name: &'static str,
    /// Type and range.
    pub kind: WireType,
    /// Presence rule.
    pub presence: Presence,
    /// Enumerated values.
    pub enum_values: &'static [i32],
    /// Whether other integers still parse.
    pub enum_open: bool,
    /// Special values.
    pub special: &'static [i32],
    /// Default when omitted.
    pub default: Option<i32>,
    /// Exists only when parameter `.0` has one of the values `.1`.
    pub only_if: Option<(usize, &'static [i32])>,
    /// Bytes a string must contain.
    pub must_contain: &'static [u8],
    /// Clause ids about it (its range, its presence).
    pub clauses: &'static [&'static str],
}

/// A trailing repeated string parameter.
#[derive(Debug, Clone, Copy)]
pub struct VariadicDesc {
    /// The parameter that counts the elements, if any.
    pub count_param: Option<usize>,
    /// Bytes each element must contain.
    pub must_contain: &'static [u8],
}

/// One form of one command.
#[derive(Debug, Clone, Copy)]
pub struct FormDesc {
    /// Full command name (`AT+HTTPCLIENT`).
    pub command: &'static str,
    /// Form marker (`=`, `?`, `=?`, or empty).
    pub marker: &'static str,
    /// Markers of the forms this command lacks.
    pub missing_markers: &'static [&'static str],
    /// Positional parameters.
    pub params: &'static [ParamDesc],
    /// Trailing repeated parameter.
    pub variadic: Option<VariadicDesc>,
    /// The parameter giving the length of the data phase after the prompt, if any.
    pub data_param: Option<usize>,
}

/// Spec-wide facts the strategies need.
#[derive(Debug, Clone, Copy)]
pub struct SpecDesc {
    /// Parameter syntax.
    pub syntax: Syntax,
    /// Rejection answers.
    pub answers: Answers,
    /// Longest line, terminator excluded.
    pub line_max: usize,
    /// Most fields per line.
    pub max_params: usize,
    /// Line terminator.
    pub terminator: &'static [u8],
}

/// One parameter's value on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Raw {
    /// Not on the line at all (an `only_if` parameter whose condition is false).
    Skip,
    /// Omitted: dropped at the end of the line, an empty field before a written one.
    Omit,
    /// An empty field.
    Empty,
    /// An integer.
    Int(i32),
    /// A decoded string (encoding escapes it).
    Str(Vec<u8>),
    /// Bytes written verbatim (invalid values).
    Verbatim(Vec<u8>),
}

/// A whole form's values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawForm {
    /// One value per positional parameter.
    pub params: Vec<Raw>,
    /// The variadic elements.
    pub list: Vec<Vec<u8>>,
}

impl RawForm {
    /// The integer value of parameter `i`, if written.
    pub fn int(&self, i: usize) -> Option<i32> {
        match self.params.get(i) {
            Some(Raw::Int(v)) => Some(*v),
            _ => None,
        }
    }
}

/// Encodes raw values as a command line, terminator included.
pub fn encode_raw(spec: &SpecDesc, form: &FormDesc, raw: &RawForm) -> Vec<u8> {
    let s = &spec.syntax;
    let mut out: Vec<Out> = Vec::new();
    for r in &raw.params {
        out.push(match r {
            Raw::Skip => continue,
            Raw::Omit => Out::Drop,
            Raw::Empty => Out::Empty,
            Raw::Int(v) => encode::int(*v),
            Raw::Str(b) => encode::string(b, s),
            Raw::Verbatim(b) => Out::Bytes(b.clone()),
        });
    }
    out.extend(raw.list.iter().map(|b| encode::string(b, s)));
    encode::line(form.command, form.marker, &out, s, spec.terminator)
}

/// Encodes fields given one by one (invalid cases put a verbatim field among them).
fn encode_fields(spec: &SpecDesc, form: &FormDesc, fields: Vec<Raw>) -> Vec<u8> {
    encode_raw(
        spec,
        form,
        &RawForm {
            params: fields,
            list: Vec::new(),
        },
    )
}

// ---------------------------------------------------------------- valid

fn int_values(p: &ParamDesc) -> BoxedStrategy<i32> {
    let WireType::Int { bounds } = p.kind else {
        unreachable!("int_values on a string parameter")
    };
    let mut picks: Vec<i32> = p.special.to_vec();
    picks.extend_from_slice(p.enum_values);
    if !p.enum_values.is_empty() && !p.enum_open {
        return select(picks).boxed();
    }
    if let Some(d) = p.default {
        picks.push(d);
    }
    match bounds {
        Some((lo, hi)) => {
            picks.extend([
                lo,
                lo.saturating_add(1).min(hi),
                hi.saturating_sub(1).max(lo),
                hi,
            ]);
            prop_oneof![3 => select(picks), 1 => lo..=hi].boxed()
        }
        None if picks.is_empty() => any::<i32>().boxed(),
        None => prop_oneof![3 => select(picks), 1 => any::<i32>()].boxed(),
    }
}

/// Strings, weighted toward the bytes that need escaping and toward long values.
pub fn strings(needle: &'static [u8]) -> BoxedStrategy<Vec<u8>> {
    let printable = || proptest::collection::vec(0x20u8..0x7f, 0..24);
    prop_oneof![
        2 => Just(Vec::new()),
        2 => select(vec![&b"\""[..], b",", b"\\", b"a\\,b\"c", b"\\\\", b"http://h/p?a=1,b=2"]).prop_map(<[u8]>::to_vec),
        4 => printable(),
        1 => proptest::collection::vec(0x20u8..0x7f, 150..250),
        1 => proptest::collection::vec(prop_oneof![0x20u8..0x7f, 0x80u8..=0xff], 0..16),
    ]
    .prop_map(move |mut s| {
        if !crate::string::contains(&s, needle) {
            s.extend_from_slice(needle);
        }
        s
    })
    .boxed()
}

fn param_values(p: &ParamDesc) -> BoxedStrategy<Raw> {
    let value = match p.kind {
        WireType::Int { .. } => int_values(p).prop_map(Raw::Int).boxed(),
        WireType::Str => strings(p.must_contain).prop_map(Raw::Str).boxed(),
    };
    match p.presence {
        Presence::Required => value,
        Presence::Positional => prop_oneof![4 => value, 1 => Just(Raw::Empty)].boxed(),
        Presence::Optional => {
            prop_oneof![3 => value, 1 => Just(Raw::Empty), 2 => Just(Raw::Omit)].boxed()
        }
        Presence::Trailing => prop_oneof![3 => value, 2 => Just(Raw::Omit)].boxed(),
    }
}

/// Valid raw values of a form: every rule of the spec holds.
pub fn valid_raw(spec: &'static SpecDesc, form: &'static FormDesc) -> BoxedStrategy<RawForm> {
    let params: Vec<BoxedStrategy<Raw>> = form.params.iter().map(param_values).collect();
    let list = match form.variadic {
        Some(v) => proptest::collection::vec(strings(v.must_contain), 0..6).boxed(),
        None => Just(Vec::new()).boxed(),
    };
    (params, list)
        .prop_map(move |(params, list)| repair(spec, form, RawForm { params, list }))
        .boxed()
}

/// Makes generated values satisfy the cross-parameter rules.
fn repair(spec: &SpecDesc, form: &FormDesc, mut raw: RawForm) -> RawForm {
    let ps = form.params;
    // Conditional parameters exist exactly when their condition holds.
    for (i, p) in ps.iter().enumerate() {
        if let Some((ctl, values)) = p.only_if {
            let on = raw.int(ctl).is_some_and(|v| values.contains(&v));
            if !on {
                raw.params[i] = Raw::Skip;
            } else if matches!(raw.params[i], Raw::Skip | Raw::Omit | Raw::Empty) {
                raw.params[i] = fallback(p);
            }
        }
    }
    // Room for the variadic list within the field limit.
    let fixed = raw.params.iter().filter(|r| **r != Raw::Skip).count();
    let room = spec.max_params.saturating_sub(fixed);
    raw.list.truncate(room);
    if let Some(v) = form.variadic
        && let Some(c) = v.count_param
    {
        let (lo, hi) = match ps[c].kind {
            WireType::Int { bounds: Some(b) } => b,
            _ => (0, i32::MAX),
        };
        let hi = (hi.max(0) as usize).min(room);
        raw.list.truncate(hi);
        let n = raw.list.len() as i32;
        if n < lo {
            raw.list.extend((n..lo).map(|_| {
                let mut s = b"x".to_vec();
                s.extend_from_slice(v.must_contain);
                s
            }));
        }
        let n = raw.list.len() as i32;
        raw.params[c] = match raw.params[c] {
            Raw::Omit if n == 0 => Raw::Omit,
            _ => Raw::Int(n),
        };
    }
    // An omitted parameter followed by a written field is written empty; a parameter that may
    // not be empty then needs a value.
    let mut written_after = !raw.list.is_empty();
    for i in (0..ps.len()).rev() {
        match raw.params[i] {
            Raw::Skip => continue,
            Raw::Omit if written_after && ps[i].presence == Presence::Trailing => {
                raw.params[i] = fallback(&ps[i]);
            }
            _ => {}
        }
        written_after |= raw.params[i] != Raw::Omit;
    }
    shorten(spec, form, &mut raw);
    raw
}

/// A value that satisfies a parameter whatever else holds.
fn fallback(p: &ParamDesc) -> Raw {
    match p.kind {
        WireType::Str => Raw::Str(p.must_contain.to_vec()),
        WireType::Int { bounds } => Raw::Int(
            p.default
                .or_else(|| p.enum_values.first().copied())
                .or_else(|| bounds.map(|b| b.0))
                .unwrap_or(0),
        ),
    }
}

/// Trims the longest strings until the line fits the limit.
fn shorten(spec: &SpecDesc, form: &FormDesc, raw: &mut RawForm) {
    let max = spec.line_max + spec.terminator.len();
    loop {
        let len = encode_raw(spec, form, raw).len();
        if len <= max {
            return;
        }
        let over = len - max;
        // Pick the longest string among parameters and list items.
        let mut longest: Option<(&mut Vec<u8>, &'static [u8])> = None;
        let needles = form.params.iter().map(|p| p.must_contain);
        for (r, needle) in raw.params.iter_mut().zip(needles) {
            if let Raw::Str(s) = r
                && longest.as_ref().is_none_or(|(l, _)| s.len() > l.len())
            {
                longest = Some((s, needle));
            }
        }
        let list_needle = form.variadic.map_or(&b""[..], |v| v.must_contain);
        for s in raw.list.iter_mut() {
            if longest.as_ref().is_none_or(|(l, _)| s.len() > l.len()) {
                longest = Some((s, list_needle));
            }
        }
        match longest {
            Some((s, needle)) if s.len() > needle.len() => {
                let keep = s.len().saturating_sub(over).max(needle.len());
                s.truncate(keep);
                // Escaped bytes count double on the wire, so trimming may need several rounds.
                if !crate::string::contains(s, needle) {
                    s.truncate(keep.saturating_sub(needle.len()));
                    s.extend_from_slice(needle);
                }
            }
            _ => {
                raw.list.pop();
                if raw.list.is_empty()
                    && raw
                        .params
                        .iter()
                        .all(|r| !matches!(r, Raw::Str(s) if !s.is_empty()))
                {
                    return;
                }
            }
        }
    }
}

// ---------------------------------------------------------------- invalid

/// The rule an invalid case breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Defect {
    /// An integer one below its range.
    BelowRange,
    /// An integer one above its range.
    AboveRange,
    /// Not an integer where one is needed.
    NonNumeric,
    /// A string without quotes.
    Unquoted,
    /// A string ending in an unpaired escape.
    DanglingEscape,
    /// The line stops before a parameter that must be written.
    MissingParam,
    /// An empty field where a value is needed.
    EmptyRequired,
    /// One field more than the form takes.
    ExtraParam,
    /// More fields than the parameter limit.
    TooManyParams,
    /// A line longer than the limit.
    Overlong,
    /// A command name the spec does not have, or junk after a form marker.
    UnknownCommand,
    /// A form the command does not have.
    MissingForm,
}

const DEFECTS: [Defect; 12] = [
    Defect::BelowRange,
    Defect::AboveRange,
    Defect::NonNumeric,
    Defect::Unquoted,
    Defect::DanglingEscape,
    Defect::MissingParam,
    Defect::EmptyRequired,
    Defect::ExtraParam,
    Defect::TooManyParams,
    Defect::Overlong,
    Defect::UnknownCommand,
    Defect::MissingForm,
];

/// Invalid command lines of a form, each with the rejection the spec assigns, and which rule
/// it breaks.
pub fn invalid(
    spec: &'static SpecDesc,
    form: &'static FormDesc,
) -> BoxedStrategy<(Vec<u8>, Rejection, Defect)> {
    let applicable: Vec<Defect> = DEFECTS.into_iter().filter(|d| applies(form, *d)).collect();
    (
        valid_raw(spec, form),
        select(applicable),
        any::<Index>(),
        any::<Index>(),
    )
        .prop_map(move |(raw, defect, a, b)| {
            let (line, kind, defect) = match break_rule(spec, form, raw, defect, a, b) {
                Some((line, kind)) => (line, kind, defect),
                None => {
                    let (line, kind) = overlong(spec, form, b);
                    (line, kind, Defect::Overlong)
                }
            };
            // The device checks the length before anything else: a mutation that pushed the
            // line over the limit is a bad line, whatever else it breaks.
            let kind = if line.len() - spec.terminator.len() > spec.line_max {
                RejectKind::BadLine
            } else {
                kind
            };
            (line, label(spec, kind), defect)
        })
        .boxed()
}

fn label(spec: &SpecDesc, kind: RejectKind) -> Rejection {
    spec.answers.reject(kind)
}

fn is_set(form: &FormDesc) -> bool {
    form.marker == "="
}

fn applies(form: &FormDesc, d: Defect) -> bool {
    let ps = form.params;
    let ranged =
        |p: &ParamDesc| matches!(p.kind, WireType::Int { bounds: Some(_) }) && !p.enum_open;
    match d {
        Defect::BelowRange | Defect::AboveRange => ps.iter().any(ranged),
        Defect::NonNumeric => ps.iter().any(|p| matches!(p.kind, WireType::Int { .. })),
        Defect::Unquoted | Defect::DanglingEscape => {
            ps.iter().any(|p| p.kind == WireType::Str) || form.variadic.is_some()
        }
        Defect::MissingParam => ps
            .iter()
            .skip(1)
            .any(|p| matches!(p.presence, Presence::Required | Presence::Positional)),
        Defect::EmptyRequired => ps
            .iter()
            .any(|p| matches!(p.presence, Presence::Required | Presence::Trailing)),
        Defect::ExtraParam => {
            is_set(form)
                && match form.variadic {
                    None => true,
                    Some(v) => v.count_param.is_some() || !v.must_contain.is_empty(),
                }
        }
        Defect::TooManyParams => is_set(form),
        Defect::Overlong | Defect::UnknownCommand => true,
        Defect::MissingForm => !form.missing_markers.is_empty(),
    }
}

/// Field index of each parameter on the line (`None` when skipped).
fn positions(raw: &RawForm) -> Vec<Option<usize>> {
    let mut at = 0;
    raw.params
        .iter()
        .map(|r| {
            if *r == Raw::Skip {
                None
            } else {
                at += 1;
                Some(at - 1)
            }
        })
        .collect()
}

/// What the device reads for a decimal written on the wire (32-bit accumulate, then `i32`).
fn device_reads(w: i64) -> Option<i32> {
    let mag = w.unsigned_abs();
    if mag > u32::MAX as u64 {
        return None;
    }
    let v = mag as u32 as i32;
    Some(if w < 0 { v.wrapping_neg() } else { v })
}

fn break_rule(
    spec: &SpecDesc,
    form: &FormDesc,
    raw: RawForm,
    defect: Defect,
    a: Index,
    b: Index,
) -> Option<(Vec<u8>, RejectKind)> {
    let cx = Breaking {
        spec,
        form,
        pos: positions(&raw),
        a,
        b,
    };
    match defect {
        Defect::BelowRange | Defect::AboveRange => cx.out_of_range(raw, defect),
        Defect::NonNumeric => cx.non_numeric(raw),
        Defect::Unquoted | Defect::DanglingEscape => cx.bad_string(raw, defect),
        Defect::MissingParam => cx.missing_param(raw),
        Defect::EmptyRequired => cx.empty_required(raw),
        Defect::ExtraParam => cx.extra_param(raw),
        Defect::TooManyParams => cx.too_many_params(),
        Defect::Overlong => Some(overlong(spec, form, b)),
        Defect::UnknownCommand => cx.unknown_command(),
        Defect::MissingForm => cx.missing_form(),
    }
}

/// One invalid line under construction: the form, a valid base's parameter positions, and
/// the two indexes that choose among candidates.
struct Breaking<'a> {
    spec: &'a SpecDesc,
    form: &'a FormDesc,
    /// Each parameter's field index on the base line (`None`: not written).
    pos: Vec<Option<usize>>,
    a: Index,
    b: Index,
}

impl Breaking<'_> {
    /// A candidate parameter: on the line in this base, and fitting the defect (`ok`).
    fn pick(&self, ok: &dyn Fn(&ParamDesc) -> bool) -> Option<usize> {
        let ps = self.form.params;
        let c: Vec<usize> = (0..ps.len())
            .filter(|&i| self.pos[i].is_some() && ok(&ps[i]))
            .collect();
        (!c.is_empty()).then(|| c[self.a.index(c.len())])
    }

    fn encode(&self, raw: &RawForm) -> Vec<u8> {
        encode_raw(self.spec, self.form, raw)
    }

    /// The form's line with these fields, written as they are.
    fn line(&self, fields: &[Out]) -> Vec<u8> {
        let (spec, form) = (self.spec, self.form);
        encode::line(
            form.command,
            form.marker,
            fields,
            &spec.syntax,
            spec.terminator,
        )
    }

    /// An integer one below or above its range (as the device reads it).
    fn out_of_range(&self, mut raw: RawForm, defect: Defect) -> Option<(Vec<u8>, RejectKind)> {
        let ps = self.form.params;
        let pos = &self.pos;
        let pick = |ok: &dyn Fn(&ParamDesc) -> bool| self.pick(ok);
        let encode = |raw: &RawForm| self.encode(raw);
        let i = pick(&|p| matches!(p.kind, WireType::Int { bounds: Some(_) }) && !p.enum_open)?;
        let WireType::Int {
            bounds: Some((lo, hi)),
        } = ps[i].kind
        else {
            return None;
        };
        let w = if defect == Defect::BelowRange {
            lo as i64 - 1
        } else {
            hi as i64 + 1
        };
        let read = device_reads(w)?;
        if (lo..=hi).contains(&read) || ps[i].special.contains(&read) {
            return None;
        }
        write_before(ps, &mut raw, i);
        raw.params[i] = Raw::Verbatim(w.to_string().into_bytes());
        Some((
            encode(&raw),
            RejectKind::InvalidParam {
                index: pos[i]? as u8,
            },
        ))
    }

    /// An integer parameter that is no number.
    fn non_numeric(&self, mut raw: RawForm) -> Option<(Vec<u8>, RejectKind)> {
        let ps = self.form.params;
        let pos = &self.pos;
        let b = self.b;
        let pick = |ok: &dyn Fn(&ParamDesc) -> bool| self.pick(ok);
        let encode = |raw: &RawForm| self.encode(raw);
        let i = pick(&|p| matches!(p.kind, WireType::Int { .. }))?;
        let junk = ["abc", "1a", "+1", " 1", "\"1\"", "1.5", "--1", "0x1g", "１"];
        write_before(ps, &mut raw, i);
        raw.params[i] = Raw::Verbatim(junk[b.index(junk.len())].as_bytes().to_vec());
        Some((
            encode(&raw),
            RejectKind::ParseFailure {
                index: pos[i]? as u8,
            },
        ))
    }

    /// A string unquoted, or ending in an unpaired escape: a fixed one or a list element.
    fn bad_string(&self, mut raw: RawForm, defect: Defect) -> Option<(Vec<u8>, RejectKind)> {
        let spec = self.spec;
        let form = self.form;
        let ps = self.form.params;
        let pos = &self.pos;
        let a = self.a;
        let encode = |raw: &RawForm| self.encode(raw);
        let bad = if defect == Defect::Unquoted {
            &b"abc"[..]
        } else {
            b"\"ab\\\""
        };
        let strs: Vec<usize> = (0..ps.len())
            .filter(|&i| pos[i].is_some() && ps[i].kind == WireType::Str)
            .collect();
        let fixed = pos.iter().flatten().count();
        let slots = strs.len() + raw.list.len();
        if slots == 0 {
            return None;
        }
        let k = a.index(slots);
        if k < strs.len() {
            write_before(ps, &mut raw, strs[k]);
            raw.params[strs[k]] = Raw::Verbatim(bad.to_vec());
            let line = encode(&raw);
            return Some((
                line,
                RejectKind::ParseFailure {
                    index: pos[strs[k]]? as u8,
                },
            ));
        }
        let j = k - strs.len();
        write_before(ps, &mut raw, ps.len());
        // The broken element is written verbatim among the others.
        let mut fields: Vec<Raw> = raw.params.clone();
        fields.extend(raw.list[..j].iter().map(|s| Raw::Str(s.clone())));
        fields.push(Raw::Verbatim(bad.to_vec()));
        fields.extend(raw.list[j + 1..].iter().map(|s| Raw::Str(s.clone())));
        let line = encode_fields(spec, form, fields);
        Some((
            line,
            RejectKind::ParseFailure {
                index: (fixed + j) as u8,
            },
        ))
    }

    /// The line ends before a required parameter.
    fn missing_param(&self, mut raw: RawForm) -> Option<(Vec<u8>, RejectKind)> {
        let spec = self.spec;
        let ps = self.form.params;
        let pos = &self.pos;
        let pick = |ok: &dyn Fn(&ParamDesc) -> bool| self.pick(ok);
        let i = pick(&|p| matches!(p.presence, Presence::Required | Presence::Positional))?;
        let k = pos[i]?;
        if k == 0 {
            return None;
        }
        write_before(ps, &mut raw, i);
        for r in raw.params[i..].iter_mut() {
            if *r != Raw::Skip {
                *r = Raw::Omit;
            }
        }
        raw.list.clear();
        // Omitted parameters before `i` are written empty so the line reaches `i - 1`.
        let mut fields: Vec<Out> = Vec::new();
        for r in &raw.params[..i] {
            match r {
                Raw::Skip => {}
                Raw::Omit | Raw::Empty => fields.push(Out::Empty),
                Raw::Int(v) => fields.push(encode::int(*v)),
                Raw::Str(s) => fields.push(encode::string(s, &spec.syntax)),
                Raw::Verbatim(v) => fields.push(Out::Bytes(v.clone())),
            }
        }
        Some((
            self.line(&fields),
            RejectKind::ParseFailure { index: k as u8 },
        ))
    }

    /// A required parameter written empty.
    fn empty_required(&self, mut raw: RawForm) -> Option<(Vec<u8>, RejectKind)> {
        let ps = self.form.params;
        let pos = &self.pos;
        let pick = |ok: &dyn Fn(&ParamDesc) -> bool| self.pick(ok);
        let encode = |raw: &RawForm| self.encode(raw);
        let i = pick(&|p| matches!(p.presence, Presence::Required | Presence::Trailing))?;
        write_before(ps, &mut raw, i);
        raw.params[i] = Raw::Empty;
        Some((
            encode(&raw),
            RejectKind::InvalidParam {
                index: pos[i]? as u8,
            },
        ))
    }

    /// One field more than the form has (or a list element without its required bytes).
    fn extra_param(&self, mut raw: RawForm) -> Option<(Vec<u8>, RejectKind)> {
        let spec = self.spec;
        let form = self.form;
        let ps = self.form.params;
        let encode = |raw: &RawForm| self.encode(raw);
        // Write every omitted parameter so the extra field lands after all of them.
        for (r, p) in raw.params.iter_mut().zip(ps) {
            if *r == Raw::Omit {
                *r = match p.presence {
                    Presence::Trailing => fallback(p),
                    _ => Raw::Empty,
                };
            }
        }
        let fixed = raw.params.iter().filter(|r| **r != Raw::Skip).count();
        match form.variadic {
            None => {
                raw.list.clear();
                let given = fixed + 1;
                if given > spec.max_params {
                    return None;
                }
                let mut fields = raw.params.clone();
                fields.push(Raw::Verbatim(b"1".to_vec()));
                let line = encode_fields(spec, form, fields);
                Some((line, RejectKind::ParamCount { given: given as u8 }))
            }
            Some(v) => {
                if let Some(c) = v.count_param {
                    raw.params[c] = Raw::Int(raw.list.len() as i32);
                    let given = fixed + raw.list.len() + 1;
                    if given > spec.max_params {
                        return None;
                    }
                    let mut item = b"X-Extra".to_vec();
                    item.extend_from_slice(v.must_contain);
                    raw.list.push(item);
                    Some((encode(&raw), RejectKind::ParamCount { given: given as u8 }))
                } else {
                    let k = fixed + raw.list.len();
                    if k + 1 > spec.max_params {
                        return None;
                    }
                    // An element without the required bytes.
                    let item: Vec<u8> = b"no-needle"
                        .iter()
                        .copied()
                        .filter(|c| !v.must_contain.contains(c))
                        .collect();
                    raw.list.push(item);
                    Some((encode(&raw), RejectKind::InvalidParam { index: k as u8 }))
                }
            }
        }
    }

    /// More fields than any command takes.
    fn too_many_params(&self) -> Option<(Vec<u8>, RejectKind)> {
        let spec = self.spec;
        let b = self.b;
        let n = spec.max_params + 1 + b.index(3);
        let fields: Vec<Out> = (0..n).map(|_| encode::int(1)).collect();
        Some((self.line(&fields), RejectKind::TooManyParams))
    }

    /// A name no command has, or junk after a query or test marker.
    fn unknown_command(&self) -> Option<(Vec<u8>, RejectKind)> {
        let spec = self.spec;
        let form = self.form;
        let a = self.a;
        let b = self.b;
        let junk_after = form.marker == "?" || form.marker == "=?";
        if junk_after && a.index(2) == 0 {
            let mut line = form.command.as_bytes().to_vec();
            line.extend_from_slice(form.marker.as_bytes());
            line.extend_from_slice(b"x");
            line.extend_from_slice(spec.terminator);
            return Some((line, RejectKind::UnknownCommand));
        }
        let names = ["AT+ZZNOSUCH", "AT+HTTPZZ", "AT+ZZ1", "AT+ZZ_X", "ATZZ"];
        let markers = ["", "?", "=?", "=1"];
        let mut line = names[a.index(names.len())].as_bytes().to_vec();
        line.extend_from_slice(markers[b.index(markers.len())].as_bytes());
        line.extend_from_slice(spec.terminator);
        Some((line, RejectKind::UnknownCommand))
    }

    /// A form the command does not have.
    fn missing_form(&self) -> Option<(Vec<u8>, RejectKind)> {
        let spec = self.spec;
        let form = self.form;
        let a = self.a;
        let m = form.missing_markers[a.index(form.missing_markers.len())];
        let mut line = form.command.as_bytes().to_vec();
        line.extend_from_slice(m.as_bytes());
        if m == "=" {
            line.extend_from_slice(b"1");
        }
        line.extend_from_slice(spec.terminator);
        Some((line, RejectKind::MissingForm))
    }
}

/// Gives every omitted `trailing` parameter before `i` a value: once a later field is written,
/// an omitted parameter becomes an empty field, which a trailing parameter does not allow.
fn write_before(ps: &[ParamDesc], raw: &mut RawForm, i: usize) {
    for (r, p) in raw.params[..i].iter_mut().zip(ps) {
        if *r == Raw::Omit && p.presence == Presence::Trailing {
            *r = fallback(p);
        }
    }
}

fn overlong(spec: &SpecDesc, form: &FormDesc, b: Index) -> (Vec<u8>, RejectKind) {
    let mut line = form.command.as_bytes().to_vec();
    line.extend_from_slice(form.marker.as_bytes());
    let target = spec.line_max + 1 + b.index(64);
    while line.len() < target {
        line.push(b'9');
    }
    line.extend_from_slice(spec.terminator);
    (line, RejectKind::BadLine)
}

/// Arbitrary bytes, weighted toward AT-looking lines: a prefix that names a command, then
/// bytes of which about half come from the syntax alphabet (separators, quotes, escapes, form
/// markers, digits, CR, LF, NUL). One byte vector per case keeps generation cheap.
pub fn arbitrary_line() -> BoxedStrategy<Vec<u8>> {
    const PREFIXES: [&str; 8] = [
        "",
        "AT",
        "at",
        "AT+",
        "AT+HTTP",
        "AT+HTTPCLIENT=",
        "AT+HTTPCPOST=",
        "AT+SYSLOG",
    ];
    const ALPHABET: &[u8] = b",,,\"\"\\\\?=0123456789x-:AT+\r\n\0 ";
    (
        0..PREFIXES.len(),
        proptest::collection::vec(any::<u8>(), 0..300),
    )
        .prop_map(|(p, raw)| {
            let mut v = PREFIXES[p].as_bytes().to_vec();
            v.extend(raw.iter().map(|&b| {
                if b & 1 == 0 {
                    ALPHABET[(b as usize >> 1) % ALPHABET.len()]
                } else {
                    b
                }
            }));
            v
        })
        .boxed()
}
