//! Semantic diff of two spec versions.
//!
//! Every change is classified twice:
//!
//! - **for hosts** (code that sends commands and reads answers): *breaking* when a line that was
//!   valid under the old spec may now be rejected or mean something else, or when the device may
//!   now answer with bytes an old decoder does not expect;
//! - **for firmware** (an engine built on the generated dispatcher): *breaking* when firmware that
//!   conformed to the old spec needs code changes to conform to the new one — a new handler,
//!   a changed handler signature, a new behaviour to implement. What the generated parser
//!   handles by itself after regeneration (a widened or narrowed range, a new default) is
//!   *compatible*.
//!
//! A change is breaking overall when it breaks either side; `atspec spec diff` exits 1 then so CI
//! can gate spec changes.

use std::collections::HashMap;
use std::fmt;

use crate::model::*;

/// Effect of a change on one side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Impact {
    /// Existing code keeps working.
    Compatible,
    /// Existing code must change.
    Breaking,
}

use Impact::{Breaking as B, Compatible as C};

impl fmt::Display for Impact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Impact::Compatible => "compatible",
            Impact::Breaking => "breaking",
        })
    }
}

/// What changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum ChangeKind {
    CommandAdded,
    CommandRemoved,
    FormAdded,
    FormRemoved,
    ParamAdded,
    ParamRemoved,
    ParamMoved,
    ParamTypeChanged,
    PresenceChanged,
    RangeNarrowed,
    RangeWidened,
    RangeChanged,
    DefaultChanged,
    EnumValueAdded,
    EnumValueRemoved,
    EnumValueRenamed,
    SpecialValueAdded,
    SpecialValueRemoved,
    VariadicChanged,
    DataPhaseChanged,
    RequestChanged,
    ResponseChanged,
    OutcomeChanged,
    ResultChanged,
    LimitChanged,
    ErrorCodeAdded,
    ErrorCodeRemoved,
    ErrorCodeChanged,
    ClauseAdded,
    ClauseRemoved,
    ClauseChanged,
    ClauseBindsWidened,
    ClauseBindsNarrowed,
    ClauseSourceChanged,
    /// The answers a clause allows besides its statement changed.
    ClauseAlternatives,
    /// A profile's variant of a clause was added, withdrawn or changed.
    ClauseVariants,
    ProfileAdded,
    ProfileRemoved,
    /// A profile's version, lacked commands or acceptance of alternatives changed.
    ProfileChanged,
}

impl ChangeKind {
    /// Words for reports.
    pub fn label(self) -> &'static str {
        match self {
            ChangeKind::CommandAdded => "command added",
            ChangeKind::CommandRemoved => "command removed",
            ChangeKind::FormAdded => "form added",
            ChangeKind::FormRemoved => "form removed",
            ChangeKind::ParamAdded => "parameter added",
            ChangeKind::ParamRemoved => "parameter removed",
            ChangeKind::ParamMoved => "parameter moved",
            ChangeKind::ParamTypeChanged => "parameter type changed",
            ChangeKind::PresenceChanged => "presence changed",
            ChangeKind::RangeNarrowed => "range narrowed",
            ChangeKind::RangeWidened => "range widened",
            ChangeKind::RangeChanged => "range changed",
            ChangeKind::DefaultChanged => "default changed",
            ChangeKind::EnumValueAdded => "enum value added",
            ChangeKind::EnumValueRemoved => "enum value removed",
            ChangeKind::EnumValueRenamed => "enum value renamed",
            ChangeKind::SpecialValueAdded => "special value added",
            ChangeKind::SpecialValueRemoved => "special value removed",
            ChangeKind::VariadicChanged => "variadic parameter changed",
            ChangeKind::DataPhaseChanged => "data phase changed",
            ChangeKind::RequestChanged => "request changed",
            ChangeKind::ResponseChanged => "response line changed",
            ChangeKind::OutcomeChanged => "outcome changed",
            ChangeKind::ResultChanged => "result string changed",
            ChangeKind::LimitChanged => "limit changed",
            ChangeKind::ErrorCodeAdded => "error code added",
            ChangeKind::ErrorCodeRemoved => "error code removed",
            ChangeKind::ErrorCodeChanged => "error code changed",
            ChangeKind::ClauseAdded => "clause added",
            ChangeKind::ClauseRemoved => "clause removed",
            ChangeKind::ClauseChanged => "clause changed",
            ChangeKind::ClauseBindsWidened => "clause binds more commands",
            ChangeKind::ClauseBindsNarrowed => "clause binds fewer commands",
            ChangeKind::ClauseSourceChanged => "clause source or note changed",
            ChangeKind::ClauseAlternatives => "clause alternatives changed",
            ChangeKind::ClauseVariants => "clause variants changed",
            ChangeKind::ProfileAdded => "profile added",
            ChangeKind::ProfileRemoved => "profile removed",
            ChangeKind::ProfileChanged => "profile changed",
        }
    }
}

/// One classified change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// What changed.
    pub kind: ChangeKind,
    /// Where: `AT+HTTPCGET set tx_size`, a clause id, an error code name.
    pub subject: String,
    /// Old → new, in words.
    pub detail: String,
    /// Effect on firmware built on the generated dispatcher.
    pub firmware: Impact,
    /// Effect on hosts driving a device.
    pub host: Impact,
}

impl Change {
    /// Breaking for either side.
    pub fn breaking(&self) -> bool {
        self.firmware == B || self.host == B
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:<10} firmware: {:<10} host: {:<10} {}: {}",
            if self.breaking() {
                "BREAKING"
            } else {
                "compatible"
            },
            self.firmware,
            self.host,
            self.kind.label(),
            self.subject
        )?;
        if !self.detail.is_empty() {
            write!(f, " ({})", self.detail)?;
        }
        Ok(())
    }
}

/// Every change between two specs.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// The changes, in spec order.
    pub changes: Vec<Change>,
}

impl Report {
    /// Whether any change breaks firmware or hosts.
    pub fn breaking(&self) -> bool {
        self.changes.iter().any(Change::breaking)
    }

    /// Changes of one kind.
    pub fn of(&self, kind: ChangeKind) -> impl Iterator<Item = &Change> {
        self.changes.iter().filter(move |c| c.kind == kind)
    }

    fn push(
        &mut self,
        kind: ChangeKind,
        subject: impl Into<String>,
        detail: impl Into<String>,
        firmware: Impact,
        host: Impact,
    ) {
        self.changes.push(Change {
            kind,
            subject: subject.into(),
            detail: detail.into(),
            firmware,
            host,
        });
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in &self.changes {
            writeln!(f, "{c}")?;
        }
        let breaking = self.changes.iter().filter(|c| c.breaking()).count();
        let fw = self.changes.iter().filter(|c| c.firmware == B).count();
        let host = self.changes.iter().filter(|c| c.host == B).count();
        write!(
            f,
            "{} change{}: {breaking} breaking ({fw} for firmware, {host} for hosts), {} compatible",
            self.changes.len(),
            if self.changes.len() == 1 { "" } else { "s" },
            self.changes.len() - breaking
        )
    }
}

/// Compares two specs.
pub fn diff(old: &Spec, new: &Spec) -> Report {
    let mut r = Report::default();
    limits(old, new, &mut r);
    strings(old, new, &mut r);
    results(old, new, &mut r);
    error_codes(old, new, &mut r);
    commands(old, new, &mut r);
    clauses(old, new, &mut r);
    profiles(old, new, &mut r);
    r
}

/// A variant as compared: kind, the profiles it names (sorted) and its statement.
fn variant_key(v: &crate::model::Variant) -> (&'static str, Vec<&str>, &str) {
    let mut ps: Vec<&str> = v.profiles.iter().map(|p| p.value.as_str()).collect();
    ps.sort_unstable();
    (v.kind.name(), ps, v.statement.trim())
}

/// One item of a section, matched by its key across the two versions.
enum Pair<'a, T> {
    Added(&'a T),
    Removed(&'a T),
    Kept(&'a T, &'a T),
}

/// Every item of `new` with its namesake in `old` (in `new`'s order), then every item of
/// `old` that `new` lacks: the one walk every section of the diff makes.
fn pair<'a, T, K: PartialEq>(
    old: &'a [T],
    new: &'a [T],
    key: impl Fn(&T) -> K,
) -> Vec<Pair<'a, T>> {
    let mut v: Vec<Pair<'a, T>> = new
        .iter()
        .map(|n| match old.iter().find(|o| key(o) == key(n)) {
            Some(o) => Pair::Kept(o, n),
            None => Pair::Added(n),
        })
        .collect();
    v.extend(
        old.iter()
            .filter(|o| !new.iter().any(|n| key(n) == key(o)))
            .map(Pair::Removed),
    );
    v
}

/// Profiles: a new one is compatible; a removed or changed one changes how devices of that
/// profile are judged (breaking for hosts and for firmware that emulates it).
fn profiles(old: &Spec, new: &Spec, r: &mut Report) {
    for p in pair(&old.profiles, &new.profiles, |p| p.id.value.clone()) {
        let (op, np) = match p {
            Pair::Added(np) => {
                r.push(
                    ChangeKind::ProfileAdded,
                    &np.id.value,
                    np.title.as_str(),
                    C,
                    C,
                );
                continue;
            }
            Pair::Removed(op) => {
                r.push(ChangeKind::ProfileRemoved, &op.id.value, "", B, B);
                continue;
            }
            Pair::Kept(op, np) => (op, np),
        };
        let id = &np.id.value;
        let ver = |p: &crate::model::Profile| p.esp_at_version.as_ref().map(|v| v.value.clone());
        let lacks = |p: &crate::model::Profile| {
            let mut l: Vec<String> = p.lacks.iter().map(|x| x.value.clone()).collect();
            l.sort();
            l
        };
        let mut what = Vec::new();
        if ver(op) != ver(np) {
            what.push(format!("version {:?} → {:?}", ver(op), ver(np)));
        }
        if lacks(op) != lacks(np) {
            what.push(format!("lacks {:?} → {:?}", lacks(op), lacks(np)));
        }
        if op.alternatives != np.alternatives {
            what.push(format!(
                "alternatives pass {} → {}",
                op.alternatives, np.alternatives
            ));
        }
        if !what.is_empty() {
            r.push(ChangeKind::ProfileChanged, id, what.join("; "), B, B);
        }
    }
}

/// How `new` bounds relate to `old` bounds.
fn range_change(old: (i64, i64), new: (i64, i64)) -> Option<(ChangeKind, Impact)> {
    if old == new {
        None
    } else if new.0 <= old.0 && new.1 >= old.1 {
        Some((ChangeKind::RangeWidened, C))
    } else if new.0 >= old.0 && new.1 <= old.1 {
        Some((ChangeKind::RangeNarrowed, B))
    } else {
        Some((ChangeKind::RangeChanged, B))
    }
}

fn limits(old: &Spec, new: &Spec, r: &mut Report) {
    let (o, n) = (&old.limits, &new.limits);
    for (what, a, b) in [
        ("line_bytes", o.line_bytes.value, n.line_bytes.value),
        ("max_params", o.max_params.value, n.max_params.value),
    ] {
        if a != b {
            let host = if b < a { B } else { C };
            r.push(
                ChangeKind::LimitChanged,
                what,
                format!("{a} → {b}"),
                C,
                host,
            );
        }
    }
    for p in pair(&o.ranges, &n.ranges, |x| x.name.value.clone()) {
        let (or, nr) = match p {
            Pair::Added(nr) => {
                let s = format!("range {}", nr.name.value);
                r.push(ChangeKind::LimitChanged, s, "added", C, C);
                continue;
            }
            Pair::Removed(or) => {
                let s = format!("range {}", or.name.value);
                r.push(ChangeKind::LimitChanged, s, "removed", B, B);
                continue;
            }
            Pair::Kept(or, nr) => (or, nr),
        };
        let ob = (or.range[0].value, or.range[1].value);
        let nb = (nr.range[0].value, nr.range[1].value);
        if let Some((kind, host)) = range_change(ob, nb) {
            r.push(
                kind,
                format!("limit {}", nr.name.value),
                format!("{ob:?} → {nb:?}"),
                C,
                host,
            );
        }
        let (od, nd) = (
            or.default.as_ref().map(|d| d.value),
            nr.default.as_ref().map(|d| d.value),
        );
        if od != nd {
            r.push(
                ChangeKind::DefaultChanged,
                format!("limit {}", nr.name.value),
                format!("{od:?} → {nd:?}"),
                C,
                B,
            );
        }
    }
}

/// A fixed string changed: both sides must send or expect the new one.
fn strings(old: &Spec, new: &Spec, r: &mut Report) {
    let (o, n) = (&old.limits.strings, &new.limits.strings);
    for p in pair(o, n, |x| x.name.value.clone()) {
        let (name, what) = match p {
            Pair::Added(ns) => (&ns.name.value, format!("added {:?}", ns.value)),
            Pair::Removed(os) => (&os.name.value, format!("removed {:?}", os.value)),
            Pair::Kept(os, ns) if os.value != ns.value => {
                (&ns.name.value, format!("{:?} → {:?}", os.value, ns.value))
            }
            Pair::Kept(..) => continue,
        };
        r.push(
            ChangeKind::LimitChanged,
            format!("string {name}"),
            what,
            B,
            B,
        );
    }
}

fn results(old: &Spec, new: &Spec, r: &mut Report) {
    let (o, n) = (&old.framing.results, &new.framing.results);
    for p in pair(o, n, |x| x.name.value.clone()) {
        match p {
            Pair::Added(nr) => r.push(ChangeKind::ResultChanged, &nr.name.value, "added", C, C),
            Pair::Removed(or) => r.push(ChangeKind::ResultChanged, &or.name.value, "removed", B, B),
            Pair::Kept(or, nr) if or.bytes.value != nr.bytes.value => r.push(
                ChangeKind::ResultChanged,
                &nr.name.value,
                format!("{:?} → {:?}", or.bytes.value, nr.bytes.value),
                B,
                B,
            ),
            Pair::Kept(..) => {}
        }
    }
}

fn error_codes(old: &Spec, new: &Spec, r: &mut Report) {
    let (o, n) = (&old.error_codes.codes, &new.error_codes.codes);
    for p in pair(o, n, |x| x.name.value.clone()) {
        match p {
            Pair::Added(nc) => r.push(ChangeKind::ErrorCodeAdded, &nc.name.value, "", C, C),
            Pair::Removed(oc) => r.push(ChangeKind::ErrorCodeRemoved, &oc.name.value, "", B, B),
            Pair::Kept(oc, nc) => {
                let (ov, nv) = (old.code_value(oc), new.code_value(nc));
                let (op, np) = (
                    oc.plus.as_ref().map(|p| p.value),
                    nc.plus.as_ref().map(|p| p.value),
                );
                if ov != nv || op != np {
                    r.push(
                        ChangeKind::ErrorCodeChanged,
                        &nc.name.value,
                        format!("{ov:#010x?} → {nv:#010x?}"),
                        B,
                        B,
                    );
                }
            }
        }
    }
}

fn commands(old: &Spec, new: &Spec, r: &mut Report) {
    for p in pair(&old.commands, &new.commands, |c| c.name.value.clone()) {
        let (oc, nc) = match p {
            Pair::Added(nc) => {
                r.push(ChangeKind::CommandAdded, &nc.name.value, "", B, C);
                continue;
            }
            Pair::Removed(oc) => {
                r.push(ChangeKind::CommandRemoved, &oc.name.value, "", B, B);
                continue;
            }
            Pair::Kept(oc, nc) => (oc, nc),
        };
        for kind in FormKind::ALL {
            let subject = format!("{} {}", nc.name.value, kind.as_str());
            match (oc.forms.get(kind), nc.forms.get(kind)) {
                (None, Some(_)) => r.push(ChangeKind::FormAdded, subject, "", B, C),
                (Some(_), None) => r.push(ChangeKind::FormRemoved, subject, "", B, B),
                (Some(of), Some(nf)) => form(old, new, &subject, of, nf, r),
                (None, None) => {}
            }
        }
    }
}

fn form(old: &Spec, new: &Spec, subject: &str, of: &Form, nf: &Form, r: &mut Report) {
    let old_index: HashMap<&str, usize> = of
        .params
        .iter()
        .enumerate()
        .map(|(i, p)| (p.name.value.as_str(), i))
        .collect();
    for (i, np) in nf.params.iter().enumerate() {
        let s = format!("{subject} {}", np.name.value);
        let Some(&oi) = old_index.get(np.name.value.as_str()) else {
            // A parameter added after every old one that may be left out keeps every old line
            // valid with its old meaning; anywhere else it shifts positions or demands a field.
            let trailing =
                i >= of.params.len() && np.presence.value.droppable() && np.only_if.is_none();
            let impact = if trailing { C } else { B };
            r.push(
                ChangeKind::ParamAdded,
                s,
                format!("at position {i}"),
                impact,
                impact,
            );
            continue;
        };
        if oi != i {
            r.push(
                ChangeKind::ParamMoved,
                &s,
                format!("position {oi} → {i}"),
                B,
                B,
            );
        }
        param(old, new, &s, &of.params[oi], np, r);
    }
    for op in &of.params {
        if !nf.params.iter().any(|p| p.name.value == op.name.value) {
            r.push(
                ChangeKind::ParamRemoved,
                format!("{subject} {}", op.name.value),
                "",
                B,
                B,
            );
        }
    }
    let variadic = |v: &Option<Variadic>| {
        v.as_ref().map(|v| {
            (
                v.name.value.clone(),
                v.count_param.as_ref().map(|c| c.value.clone()),
                v.must_contain.as_ref().map(|c| c.value.clone()),
            )
        })
    };
    match (variadic(&of.variadic), variadic(&nf.variadic)) {
        (a, b) if a == b => {}
        (None, Some(_)) => r.push(ChangeKind::VariadicChanged, subject, "added", C, C),
        (a, b) => r.push(
            ChangeKind::VariadicChanged,
            subject,
            format!("{a:?} → {b:?}"),
            B,
            B,
        ),
    }
    let data = |d: &Option<DataPhase>| {
        d.as_ref().map(|d| {
            (
                d.length_param.value.clone(),
                d.no_data_when.iter().map(|v| v.value).collect::<Vec<_>>(),
                d.prompt.value.clone(),
                d.echo,
            )
        })
    };
    if data(&of.data) != data(&nf.data) {
        r.push(ChangeKind::DataPhaseChanged, subject, "", B, B);
    }
    let request = |q: &Option<Request>| {
        q.as_ref().map(|q| {
            (
                q.target.iter().map(|t| t.value.clone()).collect::<Vec<_>>(),
                q.method.value.clone(),
                q.body.value.clone(),
                q.timeout.value.clone(),
                q.buffers.value.clone(),
            )
        })
    };
    if request(&of.request) != request(&nf.request) {
        r.push(ChangeKind::RequestChanged, subject, "", B, B);
    }
    for p in pair(&of.responses, &nf.responses, |x| x.name.value.clone()) {
        let (name, what) = match p {
            Pair::Added(nr) => (&nr.name.value, "added".to_string()),
            Pair::Removed(or) => (&or.name.value, "removed".to_string()),
            Pair::Kept(or, nr) if or.template.value != nr.template.value => (
                &nr.name.value,
                format!("{:?} → {:?}", or.template.value, nr.template.value),
            ),
            Pair::Kept(..) => continue,
        };
        r.push(
            ChangeKind::ResponseChanged,
            format!("{subject} {name}"),
            what,
            B,
            B,
        );
    }
    let shape = |o: &Outcome| {
        (
            o.lines.iter().map(|l| l.value.clone()).collect::<Vec<_>>(),
            o.err_code.as_ref().map(|e| e.value.clone()),
            o.result.value.clone(),
            o.then.as_ref().map(|t| t.value.clone()),
        )
    };
    for p in pair(&of.outcomes, &nf.outcomes, |x| x.name.value.clone()) {
        let (name, what) = match p {
            Pair::Added(no) => (&no.name.value, "added".to_string()),
            Pair::Removed(oo) => (&oo.name.value, "removed".to_string()),
            Pair::Kept(oo, no) if shape(oo) != shape(no) => {
                (&no.name.value, format!("{:?} → {:?}", shape(oo), shape(no)))
            }
            Pair::Kept(..) => continue,
        };
        r.push(
            ChangeKind::OutcomeChanged,
            format!("{subject} outcome {name}"),
            what,
            B,
            B,
        );
    }
}

/// Whether a parameter may be absent from a parsed command (so its generated field is optional).
fn may_be_absent(spec: &Spec, p: &Param) -> bool {
    (p.presence.value.droppable() || p.presence.value.allows_empty())
        && p.default_value(spec).is_none()
}

fn param(old: &Spec, new: &Spec, s: &str, op: &Param, np: &Param, r: &mut Report) {
    if op.ty.value != np.ty.value {
        r.push(
            ChangeKind::ParamTypeChanged,
            s,
            format!("{:?} → {:?}", op.ty.value, np.ty.value),
            B,
            B,
        );
        return;
    }
    let (opr, npr) = (op.presence.value, np.presence.value);
    if opr != npr {
        // Hosts keep working when everything the old presence accepted is still accepted.
        let superset =
            (!opr.allows_empty() || npr.allows_empty()) && (!opr.droppable() || npr.droppable());
        let fw = if may_be_absent(old, op) != may_be_absent(new, np) {
            B
        } else {
            C
        };
        r.push(
            ChangeKind::PresenceChanged,
            s,
            format!("{opr:?} → {npr:?}"),
            fw,
            if superset { C } else { B },
        );
    }
    // A parameter bound to the same named limit on both sides inherits its range and default;
    // a change there is reported once, on the limit.
    let same_limit = matches!((&op.limit, &np.limit), (Some(a), Some(b)) if a.value == b.value);
    if same_limit
        && op.range.is_none()
        && np.range.is_none()
        && op.default.is_none()
        && np.default.is_none()
    {
        enum_and_special(s, op, np, r);
        return;
    }
    match (op.bounds(old), np.bounds(new)) {
        (Some(a), Some(b)) => {
            if let Some((kind, host)) = range_change(a, b) {
                r.push(
                    kind,
                    s,
                    format!("[{}, {}] → [{}, {}]", a.0, a.1, b.0, b.1),
                    C,
                    host,
                );
            }
        }
        (None, Some(b)) => r.push(
            ChangeKind::RangeNarrowed,
            s,
            format!("any → [{}, {}]", b.0, b.1),
            C,
            B,
        ),
        (Some(a), None) => r.push(
            ChangeKind::RangeWidened,
            s,
            format!("[{}, {}] → any", a.0, a.1),
            C,
            C,
        ),
        (None, None) => {}
    }
    let (od, nd) = (op.default_value(old), np.default_value(new));
    if od != nd {
        let show = |v: &Option<Value>| v.as_ref().map_or("none".into(), |v| v.to_string());
        r.push(
            ChangeKind::DefaultChanged,
            s,
            format!("{} → {}", show(&od), show(&nd)),
            C,
            B,
        );
    }
    enum_and_special(s, op, np, r);
}

fn enum_and_special(s: &str, op: &Param, np: &Param, r: &mut Report) {
    for p in pair(&op.enum_values, &np.enum_values, |e| e.value.value) {
        match p {
            Pair::Added(ne) => r.push(
                ChangeKind::EnumValueAdded,
                s,
                format!("{} = {}", ne.value.value, ne.name.value),
                B,
                C,
            ),
            Pair::Removed(oe) => r.push(
                ChangeKind::EnumValueRemoved,
                s,
                format!("{} = {}", oe.value.value, oe.name.value),
                B,
                B,
            ),
            Pair::Kept(oe, ne) if oe.name.value != ne.name.value => r.push(
                ChangeKind::EnumValueRenamed,
                s,
                format!("{}: {} → {}", ne.value.value, oe.name.value, ne.name.value),
                B,
                C,
            ),
            Pair::Kept(..) => {}
        }
    }
    for p in pair(&op.special, &np.special, |x| x.value.value) {
        match p {
            Pair::Added(ns) => r.push(
                ChangeKind::SpecialValueAdded,
                s,
                ns.value.value.to_string(),
                B,
                C,
            ),
            Pair::Removed(os) => r.push(
                ChangeKind::SpecialValueRemoved,
                s,
                os.value.value.to_string(),
                C,
                B,
            ),
            Pair::Kept(..) => {}
        }
    }
}

fn clauses(old: &Spec, new: &Spec, r: &mut Report) {
    for p in pair(&old.clauses, &new.clauses, |c| c.id.value.clone()) {
        let (oc, nc) = match p {
            Pair::Added(nc) => {
                r.push(ChangeKind::ClauseAdded, &nc.id.value, "", B, C);
                continue;
            }
            Pair::Removed(oc) => {
                r.push(ChangeKind::ClauseRemoved, &oc.id.value, "", C, B);
                continue;
            }
            Pair::Kept(oc, nc) => (oc, nc),
        };
        let id = &nc.id.value;
        if oc.statement.trim() != nc.statement.trim() {
            r.push(ChangeKind::ClauseChanged, id, "statement", B, B);
        }
        let ob: Vec<&str> = oc.binds.iter().map(|b| b.value.as_str()).collect();
        let nb: Vec<&str> = nc.binds.iter().map(|b| b.value.as_str()).collect();
        let added: Vec<&str> = nb.iter().filter(|b| !ob.contains(b)).copied().collect();
        let removed: Vec<&str> = ob.iter().filter(|b| !nb.contains(b)).copied().collect();
        if !added.is_empty() {
            r.push(ChangeKind::ClauseBindsWidened, id, added.join(", "), B, C);
        }
        if !removed.is_empty() {
            r.push(
                ChangeKind::ClauseBindsNarrowed,
                id,
                removed.join(", "),
                C,
                B,
            );
        }
        if oc.source.value != nc.source.value || oc.note != nc.note {
            r.push(ChangeKind::ClauseSourceChanged, id, "", C, C);
        }
        // A new allowed answer breaks hosts that relied on the one answer; a withdrawn one
        // breaks devices that gave it.
        if oc.alternatives.iter().any(|a| !nc.alternatives.contains(a)) {
            r.push(
                ChangeKind::ClauseAlternatives,
                id,
                "alternative withdrawn",
                B,
                C,
            );
        }
        if nc.alternatives.iter().any(|a| !oc.alternatives.contains(a)) {
            r.push(
                ChangeKind::ClauseAlternatives,
                id,
                "alternative added",
                C,
                B,
            );
        }
        let ov: Vec<_> = oc.variants.iter().map(variant_key).collect();
        let nv: Vec<_> = nc.variants.iter().map(variant_key).collect();
        for v in nv.iter().filter(|v| !ov.contains(v)) {
            r.push(
                ChangeKind::ClauseVariants,
                id,
                format!("variant {} under {} added or changed", v.0, v.1.join(", ")),
                B,
                B,
            );
        }
        for v in ov.iter().filter(|v| !nv.contains(v)) {
            r.push(
                ChangeKind::ClauseVariants,
                id,
                format!("variant {} under {} withdrawn", v.0, v.1.join(", ")),
                B,
                B,
            );
        }
    }
}
