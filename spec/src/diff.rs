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
pub enum Kind {
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

impl Kind {
    /// Words for reports.
    pub fn label(self) -> &'static str {
        match self {
            Kind::CommandAdded => "command added",
            Kind::CommandRemoved => "command removed",
            Kind::FormAdded => "form added",
            Kind::FormRemoved => "form removed",
            Kind::ParamAdded => "parameter added",
            Kind::ParamRemoved => "parameter removed",
            Kind::ParamMoved => "parameter moved",
            Kind::ParamTypeChanged => "parameter type changed",
            Kind::PresenceChanged => "presence changed",
            Kind::RangeNarrowed => "range narrowed",
            Kind::RangeWidened => "range widened",
            Kind::RangeChanged => "range changed",
            Kind::DefaultChanged => "default changed",
            Kind::EnumValueAdded => "enum value added",
            Kind::EnumValueRemoved => "enum value removed",
            Kind::EnumValueRenamed => "enum value renamed",
            Kind::SpecialValueAdded => "special value added",
            Kind::SpecialValueRemoved => "special value removed",
            Kind::VariadicChanged => "variadic parameter changed",
            Kind::DataPhaseChanged => "data phase changed",
            Kind::RequestChanged => "request changed",
            Kind::ResponseChanged => "response line changed",
            Kind::OutcomeChanged => "outcome changed",
            Kind::ResultChanged => "result string changed",
            Kind::LimitChanged => "limit changed",
            Kind::ErrorCodeAdded => "error code added",
            Kind::ErrorCodeRemoved => "error code removed",
            Kind::ErrorCodeChanged => "error code changed",
            Kind::ClauseAdded => "clause added",
            Kind::ClauseRemoved => "clause removed",
            Kind::ClauseChanged => "clause changed",
            Kind::ClauseBindsWidened => "clause binds more commands",
            Kind::ClauseBindsNarrowed => "clause binds fewer commands",
            Kind::ClauseSourceChanged => "clause source or note changed",
            Kind::ClauseAlternatives => "clause alternatives changed",
            Kind::ClauseVariants => "clause variants changed",
            Kind::ProfileAdded => "profile added",
            Kind::ProfileRemoved => "profile removed",
            Kind::ProfileChanged => "profile changed",
        }
    }
}

/// One classified change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// What changed.
    pub kind: Kind,
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
    pub fn of(&self, kind: Kind) -> impl Iterator<Item = &Change> {
        self.changes.iter().filter(move |c| c.kind == kind)
    }

    fn push(
        &mut self,
        kind: Kind,
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

/// Profiles: a new one is compatible; a removed or changed one changes how devices of that
/// profile are judged (breaking for hosts and for firmware that emulates it).
fn profiles(old: &Spec, new: &Spec, r: &mut Report) {
    for np in &new.profiles {
        let id = &np.id.value;
        let Some(op) = old.profile(id) else {
            r.push(Kind::ProfileAdded, id, np.title.as_str(), C, C);
            continue;
        };
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
            r.push(Kind::ProfileChanged, id, what.join("; "), B, B);
        }
    }
    for op in &old.profiles {
        if new.profile(&op.id.value).is_none() {
            r.push(Kind::ProfileRemoved, &op.id.value, "", B, B);
        }
    }
}

/// How `new` bounds relate to `old` bounds.
fn range_change(old: (i64, i64), new: (i64, i64)) -> Option<(Kind, Impact)> {
    if old == new {
        None
    } else if new.0 <= old.0 && new.1 >= old.1 {
        Some((Kind::RangeWidened, C))
    } else if new.0 >= old.0 && new.1 <= old.1 {
        Some((Kind::RangeNarrowed, B))
    } else {
        Some((Kind::RangeChanged, B))
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
            r.push(Kind::LimitChanged, what, format!("{a} → {b}"), C, host);
        }
    }
    for nr in &n.ranges {
        let Some(or) = o.ranges.iter().find(|x| x.name.value == nr.name.value) else {
            r.push(
                Kind::LimitChanged,
                format!("range {}", nr.name.value),
                "added",
                C,
                C,
            );
            continue;
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
                Kind::DefaultChanged,
                format!("limit {}", nr.name.value),
                format!("{od:?} → {nd:?}"),
                C,
                B,
            );
        }
    }
    for or in &o.ranges {
        if !n.ranges.iter().any(|x| x.name.value == or.name.value) {
            r.push(
                Kind::LimitChanged,
                format!("range {}", or.name.value),
                "removed",
                B,
                B,
            );
        }
    }
}

fn results(old: &Spec, new: &Spec, r: &mut Report) {
    for nr in &new.framing.results {
        match old.result(&nr.name.value) {
            None => r.push(Kind::ResultChanged, &nr.name.value, "added", C, C),
            Some(or) if or.bytes.value != nr.bytes.value => r.push(
                Kind::ResultChanged,
                &nr.name.value,
                format!("{:?} → {:?}", or.bytes.value, nr.bytes.value),
                B,
                B,
            ),
            Some(_) => {}
        }
    }
    for or in &old.framing.results {
        if new.result(&or.name.value).is_none() {
            r.push(Kind::ResultChanged, &or.name.value, "removed", B, B);
        }
    }
}

fn error_codes(old: &Spec, new: &Spec, r: &mut Report) {
    for nc in &new.error_codes.codes {
        match old.error_code(&nc.name.value) {
            None => r.push(Kind::ErrorCodeAdded, &nc.name.value, "", C, C),
            Some(oc) => {
                let (ov, nv) = (old.code_value(oc), new.code_value(nc));
                let (op, np) = (
                    oc.plus.as_ref().map(|p| p.value),
                    nc.plus.as_ref().map(|p| p.value),
                );
                if ov != nv || op != np {
                    r.push(
                        Kind::ErrorCodeChanged,
                        &nc.name.value,
                        format!("{ov:#010x?} → {nv:#010x?}"),
                        B,
                        B,
                    );
                }
            }
        }
    }
    for oc in &old.error_codes.codes {
        if new.error_code(&oc.name.value).is_none() {
            r.push(Kind::ErrorCodeRemoved, &oc.name.value, "", B, B);
        }
    }
}

fn commands(old: &Spec, new: &Spec, r: &mut Report) {
    for nc in &new.commands {
        let Some(oc) = old.command(&nc.name.value) else {
            r.push(Kind::CommandAdded, &nc.name.value, "", B, C);
            continue;
        };
        for kind in FormKind::ALL {
            let subject = format!("{} {}", nc.name.value, kind.as_str());
            match (oc.forms.get(kind), nc.forms.get(kind)) {
                (None, Some(_)) => r.push(Kind::FormAdded, subject, "", B, C),
                (Some(_), None) => r.push(Kind::FormRemoved, subject, "", B, B),
                (Some(of), Some(nf)) => form(old, new, &subject, of, nf, r),
                (None, None) => {}
            }
        }
    }
    for oc in &old.commands {
        if new.command(&oc.name.value).is_none() {
            r.push(Kind::CommandRemoved, &oc.name.value, "", B, B);
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
                Kind::ParamAdded,
                s,
                format!("at position {i}"),
                impact,
                impact,
            );
            continue;
        };
        if oi != i {
            r.push(Kind::ParamMoved, &s, format!("position {oi} → {i}"), B, B);
        }
        param(old, new, &s, &of.params[oi], np, r);
    }
    for op in &of.params {
        if !nf.params.iter().any(|p| p.name.value == op.name.value) {
            r.push(
                Kind::ParamRemoved,
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
        (None, Some(_)) => r.push(Kind::VariadicChanged, subject, "added", C, C),
        (a, b) => r.push(
            Kind::VariadicChanged,
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
        r.push(Kind::DataPhaseChanged, subject, "", B, B);
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
        r.push(Kind::RequestChanged, subject, "", B, B);
    }
    for nr in &nf.responses {
        match of.responses.iter().find(|x| x.name.value == nr.name.value) {
            None => r.push(
                Kind::ResponseChanged,
                format!("{subject} {}", nr.name.value),
                "added",
                B,
                B,
            ),
            Some(or) if or.template.value != nr.template.value => r.push(
                Kind::ResponseChanged,
                format!("{subject} {}", nr.name.value),
                format!("{:?} → {:?}", or.template.value, nr.template.value),
                B,
                B,
            ),
            Some(_) => {}
        }
    }
    for or in &of.responses {
        if !nf.responses.iter().any(|x| x.name.value == or.name.value) {
            r.push(
                Kind::ResponseChanged,
                format!("{subject} {}", or.name.value),
                "removed",
                B,
                B,
            );
        }
    }
    let shape = |o: &Outcome| {
        (
            o.lines.iter().map(|l| l.value.clone()).collect::<Vec<_>>(),
            o.err_code.as_ref().map(|e| e.value.clone()),
            o.result.value.clone(),
            o.then.as_ref().map(|t| t.value.clone()),
        )
    };
    for no in &nf.outcomes {
        let s = format!("{subject} outcome {}", no.name.value);
        match of.outcomes.iter().find(|x| x.name.value == no.name.value) {
            None => r.push(Kind::OutcomeChanged, s, "added", B, B),
            Some(oo) if shape(oo) != shape(no) => r.push(
                Kind::OutcomeChanged,
                s,
                format!("{:?} → {:?}", shape(oo), shape(no)),
                B,
                B,
            ),
            Some(_) => {}
        }
    }
    for oo in &of.outcomes {
        if !nf.outcomes.iter().any(|x| x.name.value == oo.name.value) {
            r.push(
                Kind::OutcomeChanged,
                format!("{subject} outcome {}", oo.name.value),
                "removed",
                B,
                B,
            );
        }
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
            Kind::ParamTypeChanged,
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
            Kind::PresenceChanged,
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
            Kind::RangeNarrowed,
            s,
            format!("any → [{}, {}]", b.0, b.1),
            C,
            B,
        ),
        (Some(a), None) => r.push(
            Kind::RangeWidened,
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
            Kind::DefaultChanged,
            s,
            format!("{} → {}", show(&od), show(&nd)),
            C,
            B,
        );
    }
    enum_and_special(s, op, np, r);
}

fn enum_and_special(s: &str, op: &Param, np: &Param, r: &mut Report) {
    for ne in &np.enum_values {
        match op
            .enum_values
            .iter()
            .find(|e| e.value.value == ne.value.value)
        {
            None => r.push(
                Kind::EnumValueAdded,
                s,
                format!("{} = {}", ne.value.value, ne.name.value),
                B,
                C,
            ),
            Some(oe) if oe.name.value != ne.name.value => r.push(
                Kind::EnumValueRenamed,
                s,
                format!("{}: {} → {}", ne.value.value, oe.name.value, ne.name.value),
                B,
                C,
            ),
            Some(_) => {}
        }
    }
    for oe in &op.enum_values {
        if !np
            .enum_values
            .iter()
            .any(|e| e.value.value == oe.value.value)
        {
            r.push(
                Kind::EnumValueRemoved,
                s,
                format!("{} = {}", oe.value.value, oe.name.value),
                B,
                B,
            );
        }
    }
    for ns in &np.special {
        if !op.special.iter().any(|x| x.value.value == ns.value.value) {
            r.push(Kind::SpecialValueAdded, s, ns.value.value.to_string(), B, C);
        }
    }
    for os in &op.special {
        if !np.special.iter().any(|x| x.value.value == os.value.value) {
            r.push(
                Kind::SpecialValueRemoved,
                s,
                os.value.value.to_string(),
                C,
                B,
            );
        }
    }
}

fn clauses(old: &Spec, new: &Spec, r: &mut Report) {
    for nc in &new.clauses {
        let id = &nc.id.value;
        let Some(oc) = old.clause(id) else {
            r.push(Kind::ClauseAdded, id, "", B, C);
            continue;
        };
        if oc.statement.trim() != nc.statement.trim() {
            r.push(Kind::ClauseChanged, id, "statement", B, B);
        }
        let ob: Vec<&str> = oc.binds.iter().map(|b| b.value.as_str()).collect();
        let nb: Vec<&str> = nc.binds.iter().map(|b| b.value.as_str()).collect();
        let added: Vec<&str> = nb.iter().filter(|b| !ob.contains(b)).copied().collect();
        let removed: Vec<&str> = ob.iter().filter(|b| !nb.contains(b)).copied().collect();
        if !added.is_empty() {
            r.push(Kind::ClauseBindsWidened, id, added.join(", "), B, C);
        }
        if !removed.is_empty() {
            r.push(Kind::ClauseBindsNarrowed, id, removed.join(", "), C, B);
        }
        if oc.source.value != nc.source.value || oc.note != nc.note {
            r.push(Kind::ClauseSourceChanged, id, "", C, C);
        }
        // A new allowed answer breaks hosts that relied on the one answer; a withdrawn one
        // breaks devices that gave it.
        if oc.alternatives.iter().any(|a| !nc.alternatives.contains(a)) {
            r.push(Kind::ClauseAlternatives, id, "alternative withdrawn", B, C);
        }
        if nc.alternatives.iter().any(|a| !oc.alternatives.contains(a)) {
            r.push(Kind::ClauseAlternatives, id, "alternative added", C, B);
        }
        let ov: Vec<_> = oc.variants.iter().map(variant_key).collect();
        let nv: Vec<_> = nc.variants.iter().map(variant_key).collect();
        for v in nv.iter().filter(|v| !ov.contains(v)) {
            r.push(
                Kind::ClauseVariants,
                id,
                format!("variant {} under {} added or changed", v.0, v.1.join(", ")),
                B,
                B,
            );
        }
        for v in ov.iter().filter(|v| !nv.contains(v)) {
            r.push(
                Kind::ClauseVariants,
                id,
                format!("variant {} under {} withdrawn", v.0, v.1.join(", ")),
                B,
                B,
            );
        }
    }
    for oc in &old.clauses {
        if new.clause(&oc.id.value).is_none() {
            r.push(Kind::ClauseRemoved, &oc.id.value, "", C, B);
        }
    }
}
