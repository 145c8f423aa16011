//! Semantic validation: what a well-formed YAML document can still get wrong.
//!
//! Every check reports into one [`Sink`] and keeps going, so a single run lists every problem
//! of the file. Checks are grouped by the section they look at.

use std::collections::{HashMap, HashSet};

use crate::diag::Sink;
use crate::model::*;
use crate::template;

/// HTTP methods a `request.method` may name directly.
const METHODS: [&str; 5] = ["HEAD", "GET", "POST", "PUT", "DELETE"];

/// Runs every check.
pub(crate) fn check(spec: &Spec, sink: &mut Sink) {
    let cx = Cx::new(spec);
    cx.meta(sink);
    cx.limits(sink);
    cx.framing(sink);
    cx.error_codes(sink);
    cx.state(sink);
    cx.commands(sink);
    cx.clauses(sink);
    cx.profiles(sink);
}

/// Lookup tables built once so every reference check is a set lookup.
struct Cx<'a> {
    spec: &'a Spec,
    clauses: HashSet<&'a str>,
    commands: HashSet<&'a str>,
    results: HashMap<&'a str, &'a ResultDef>,
    codes: HashSet<&'a str>,
    ranges: HashSet<&'a str>,
}

impl<'a> Cx<'a> {
    fn new(spec: &'a Spec) -> Self {
        Cx {
            spec,
            clauses: spec.clauses.iter().map(|c| c.id.value.as_str()).collect(),
            commands: spec
                .commands
                .iter()
                .map(|c| c.name.value.as_str())
                .collect(),
            results: spec
                .framing
                .results
                .iter()
                .map(|r| (r.name.value.as_str(), r))
                .collect(),
            codes: spec
                .error_codes
                .codes
                .iter()
                .map(|c| c.name.value.as_str())
                .collect(),
            ranges: spec
                .limits
                .ranges
                .iter()
                .map(|r| r.name.value.as_str())
                .collect(),
        }
    }

    fn meta(&self, sink: &mut Sink) {
        let m = &self.spec.spec;
        let v = &m.version.value;
        let parts: Vec<&str> = v.split('.').collect();
        if parts.len() != 3
            || parts
                .iter()
                .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
        {
            sink.at(
                &m.version.defined,
                format!("version {v:?} is not MAJOR.MINOR.PATCH"),
            );
        }
        unique(
            sink,
            "source id",
            m.sources.iter().map(|s| (&s.id.value, &s.id.defined)),
        );
    }

    fn limits(&self, sink: &mut Sink) {
        let l = &self.spec.limits;
        if l.line_bytes.value < 3 {
            sink.at(
                &l.line_bytes.defined,
                "line_bytes must leave room for `AT` and the terminator",
            );
        }
        if l.max_params.value == 0 {
            sink.at(&l.max_params.defined, "max_params must be at least 1");
        }
        unique(
            sink,
            "limit",
            l.ranges
                .iter()
                .map(|r| (&r.name.value, &r.name.defined))
                .chain(l.strings.iter().map(|s| (&s.name.value, &s.name.defined))),
        );
        for n in l
            .ranges
            .iter()
            .map(|r| &r.name)
            .chain(l.strings.iter().map(|s| &s.name))
        {
            let snake = !n.value.is_empty()
                && n.value.starts_with(|c: char| c.is_ascii_lowercase())
                && n.value
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !snake {
                sink.at(
                    &n.defined,
                    format!("limit name `{}` must be snake_case", n.value),
                );
            }
        }
        for r in &l.ranges {
            let (lo, hi) = (&r.range[0], &r.range[1]);
            if lo.value > hi.value {
                sink.at(
                    &lo.defined,
                    format!(
                        "range `{}` is empty: min {} > max {}",
                        r.name.value, lo.value, hi.value
                    ),
                );
            }
            if let Some(d) = &r.default
                && (d.value < lo.value || d.value > hi.value)
            {
                sink.at(
                    &d.defined,
                    format!(
                        "default {} of `{}` is outside its range [{}, {}]",
                        d.value, r.name.value, lo.value, hi.value
                    ),
                );
            }
        }
    }

    fn framing(&self, sink: &mut Sink) {
        let f = &self.spec.framing;
        if f.terminator.value.is_empty() {
            sink.at(&f.terminator.defined, "terminator must not be empty");
        }
        unique(
            sink,
            "result",
            f.results.iter().map(|r| (&r.name.value, &r.name.defined)),
        );
        for r in &f.results {
            if r.bytes.value.is_empty() {
                sink.at(
                    &r.bytes.defined,
                    format!("result `{}` has no bytes", r.name.value),
                );
            }
        }
        for b in [&f.params.separator, &f.params.quote, &f.params.escape] {
            if b.value.len() != 1 {
                sink.at(
                    &b.defined,
                    format!("{:?} must be exactly one byte", b.value),
                );
            }
        }
        for form in &f.params.integer_forms {
            if !matches!(form.value.as_str(), "decimal" | "hex") {
                sink.at(
                    &form.defined,
                    format!(
                        "unknown integer form `{}` (expected decimal or hex)",
                        form.value
                    ),
                );
            }
        }
        for a in [
            &f.missing_form,
            &f.unknown_command,
            &f.bad_line,
            &f.too_many_params,
            &f.parse_failure,
            &f.invalid_param,
        ] {
            self.answer(sink, a.err_code.as_ref(), &a.result);
        }
        self.clause_refs(sink, &f.clauses);
    }

    fn answer(&self, sink: &mut Sink, err_code: Option<&S<String>>, result: &S<String>) {
        if let Some(c) = err_code {
            self.code_ref(sink, c);
        }
        match self.results.get(result.value.as_str()) {
            None => sink.at(
                &result.defined,
                format!("unknown result `{}`", result.value),
            ),
            Some(r) if !r.r#final => sink.at(
                &result.defined,
                format!(
                    "result `{}` is not final and cannot end a command",
                    result.value
                ),
            ),
            Some(_) => {}
        }
    }

    fn error_codes(&self, sink: &mut Sink) {
        let e = &self.spec.error_codes;
        match template::fields(&e.line.value) {
            Err(msg) => sink.at(&e.line.defined, msg),
            Ok(names) => {
                if names != ["code"] {
                    sink.at(
                        &e.line.defined,
                        "the ERR CODE line template must have exactly one field, `{code}`",
                    );
                }
            }
        }
        if e.module.value > 0xff {
            sink.at(&e.module.defined, "module must fit one byte");
        }
        unique(
            sink,
            "sub-category",
            e.subcategories
                .iter()
                .map(|s| (&s.name.value, &s.name.defined)),
        );
        unique(
            sink,
            "sub-category value",
            e.subcategories
                .iter()
                .map(|s| (&s.value.value, &s.value.defined)),
        );
        for s in &e.subcategories {
            if s.value.value > 0xff {
                sink.at(&s.value.defined, "sub-category must fit one byte");
            }
        }
        unique(
            sink,
            "error code",
            e.codes.iter().map(|c| (&c.name.value, &c.name.defined)),
        );
        let mut values = HashMap::new();
        for c in &e.codes {
            if !e.subcategories.iter().any(|s| s.name.value == c.sub.value) {
                sink.at(
                    &c.sub.defined,
                    format!("unknown sub-category `{}`", c.sub.value),
                );
            }
            let top = c.ext.value
                + match c.plus.as_ref().map(|p| p.value) {
                    None => 0,
                    Some(CodeVariable::ParamIndex) => self.spec.limits.max_params.value,
                    Some(CodeVariable::HttpStatus) => 999,
                };
            if top > 0xffff {
                sink.at(
                    &c.ext.defined,
                    format!(
                        "extension of `{}` can reach {top:#x}, beyond 16 bits",
                        c.name.value
                    ),
                );
            }
            if let Some(v) = self.spec.code_value(c)
                && c.plus.is_none()
                && let Some(prev) = values.insert(v, &c.name.value)
            {
                sink.at(
                    &c.name.defined,
                    format!("code {v:#010x} is also named `{prev}`"),
                );
            }
            self.clause_refs(sink, &c.clauses);
        }
        unique(
            sink,
            "HTTP status",
            e.http_status
                .iter()
                .map(|h| (&h.status.value, &h.status.defined)),
        );
        for h in &e.http_status {
            if !(100..=999).contains(&h.status.value) {
                sink.at(&h.status.defined, "HTTP status must be 100..=999");
            }
        }
    }

    fn state(&self, sink: &mut Sink) {
        unique(
            sink,
            "state variable",
            self.spec
                .state
                .iter()
                .map(|s| (&s.name.value, &s.name.defined)),
        );
        for s in &self.spec.state {
            for c in &s.set_by {
                self.command_ref(sink, c);
            }
            self.clause_refs(sink, &s.clauses);
        }
    }

    fn commands(&self, sink: &mut Sink) {
        let cmds = &self.spec.commands;
        unique(
            sink,
            "command",
            cmds.iter().map(|c| (&c.name.value, &c.name.defined)),
        );
        unique(
            sink,
            "command ident",
            cmds.iter().map(|c| (&c.ident.value, &c.ident.defined)),
        );
        for c in cmds {
            let n = &c.name.value;
            let tail = n.strip_prefix("AT").unwrap_or("");
            if !n.starts_with("AT")
                || !tail.trim_start_matches('+').bytes().all(|b| {
                    b.is_ascii_uppercase() || b.is_ascii_digit() || b"_!%-./:".contains(&b)
                })
            {
                sink.at(
                    &c.name.defined,
                    format!("command name {n:?} must be `AT` followed by an upper-case name"),
                );
            }
            if !is_camel(&c.ident.value) {
                sink.at(
                    &c.ident.defined,
                    format!("ident {:?} must be CamelCase", c.ident.value),
                );
            }
            if c.forms.iter().next().is_none() {
                sink.at(&c.name.defined, format!("command {n} has no form at all"));
            }
            self.clause_refs(sink, &c.clauses);
            for (kind, form) in c.forms.iter() {
                self.form(sink, c, kind, form);
            }
        }
    }

    fn form(&self, sink: &mut Sink, cmd: &Command, kind: FormKind, form: &Form) {
        let params: HashMap<&str, &Param> = form
            .params
            .iter()
            .map(|p| (p.name.value.as_str(), p))
            .collect();
        let mut names: Vec<(&String, &serde_saphyr::Location)> = form
            .params
            .iter()
            .map(|p| (&p.name.value, &p.name.defined))
            .collect();
        if let Some(v) = &form.variadic {
            names.push((&v.name.value, &v.name.defined));
        }
        unique(sink, "parameter", names.into_iter());
        if kind != FormKind::Set && (!form.params.is_empty() || form.variadic.is_some()) {
            sink.at(
                &cmd.name.defined,
                format!(
                    "{} {} form cannot take parameters",
                    cmd.name.value,
                    kind.as_str()
                ),
            );
        }
        if form.params.len() as u32 > self.spec.limits.max_params.value {
            sink.at(
                &cmd.name.defined,
                format!(
                    "{} declares {} parameters, more than max_params {}",
                    cmd.name.value,
                    form.params.len(),
                    self.spec.limits.max_params.value
                ),
            );
        }
        let mut seen_optional: Option<&Param> = None;
        for (i, p) in form.params.iter().enumerate() {
            self.param(sink, p, &form.params[..i]);
            let presence = p.presence.value;
            if presence.droppable() {
                seen_optional = Some(p);
            } else if let Some(opt) = seen_optional
                && p.only_if.is_none()
            {
                sink.at(
                    &p.presence.defined,
                    format!(
                        "`{}` must be written, but it follows the optional `{}` that may be dropped",
                        p.name.value, opt.name.value
                    ),
                );
            }
        }
        if let Some(v) = &form.variadic {
            if let Some(cp) = &v.count_param {
                self.int_param_ref(sink, &params, cp);
            }
            self.clause_refs(sink, &v.clauses);
        }
        if let Some(d) = &form.data {
            if let Some(p) = self.int_param_ref(sink, &params, &d.length_param) {
                for v in &d.no_data_when {
                    if !accepts(self.spec, p, v.value) {
                        sink.at(
                            &v.defined,
                            format!("{} is not a valid value of `{}`", v.value, p.name.value),
                        );
                    }
                }
            }
            match self.results.get(d.prompt.value.as_str()) {
                None => sink.at(
                    &d.prompt.defined,
                    format!("unknown result `{}`", d.prompt.value),
                ),
                Some(r) if r.r#final => sink.at(
                    &d.prompt.defined,
                    format!("prompt `{}` must not be a final result", d.prompt.value),
                ),
                Some(_) => {}
            }
            self.clause_refs(sink, &d.clauses);
        }
        if let Some(r) = &form.request {
            self.request(sink, r, &params, form.data.is_some());
        }
        self.responses(sink, form);
        unique(
            sink,
            "outcome",
            form.outcomes
                .iter()
                .map(|o| (&o.name.value, &o.name.defined)),
        );
        if form.outcomes.is_empty() {
            sink.at(
                &cmd.name.defined,
                format!("{} {} form has no outcome", cmd.name.value, kind.as_str()),
            );
        }
        for o in &form.outcomes {
            for l in &o.lines {
                if !form.responses.iter().any(|r| r.name.value == l.value) {
                    sink.at(&l.defined, format!("unknown response line `{}`", l.value));
                }
            }
            self.answer(sink, o.err_code.as_ref(), &o.result);
            if let Some(t) = &o.then
                && !self.results.contains_key(t.value.as_str())
            {
                sink.at(&t.defined, format!("unknown result `{}`", t.value));
            }
            self.clause_refs(sink, &o.clauses);
        }
        self.clause_refs(sink, &form.clauses);
    }

    fn param(&self, sink: &mut Sink, p: &Param, before: &[Param]) {
        let name = &p.name.value;
        if !is_snake(name) {
            sink.at(
                &p.name.defined,
                format!("parameter name {name:?} must be snake_case"),
            );
        }
        match p.ty.value {
            ParamType::Int => {
                if p.range.is_some() && p.limit.is_some() {
                    sink.at(
                        &p.name.defined,
                        format!("`{name}` has both `range` and `limit`; keep one"),
                    );
                }
                if let Some(l) = &p.limit
                    && !self.ranges.contains(l.value.as_str())
                {
                    sink.at(&l.defined, format!("unknown limit range `{}`", l.value));
                }
                if let Some([lo, hi]) = &p.range
                    && lo.value > hi.value
                {
                    sink.at(
                        &lo.defined,
                        format!(
                            "range of `{name}` is empty: min {} > max {}",
                            lo.value, hi.value
                        ),
                    );
                }
                if let Some(d) = &p.default {
                    match d.value {
                        Value::Int(v) if !accepts(self.spec, p, v) => sink.at(
                            &d.defined,
                            format!("default {v} of `{name}` is outside its range"),
                        ),
                        Value::Str(_) => sink.at(
                            &d.defined,
                            format!("default of the int parameter `{name}` is a string"),
                        ),
                        _ => {}
                    }
                }
                unique(
                    sink,
                    "enum value",
                    p.enum_values
                        .iter()
                        .map(|e| (&e.value.value, &e.value.defined)),
                );
                unique(
                    sink,
                    "enum name",
                    p.enum_values
                        .iter()
                        .map(|e| (&e.name.value, &e.name.defined)),
                );
                for e in &p.enum_values {
                    if !is_camel(&e.name.value) {
                        sink.at(
                            &e.name.defined,
                            format!("enum name {:?} must be CamelCase", e.name.value),
                        );
                    }
                    if let Some((lo, hi)) = p.bounds(self.spec)
                        && (e.value.value < lo || e.value.value > hi)
                    {
                        sink.at(
                            &e.value.defined,
                            format!(
                                "enum value {} of `{name}` is outside its range [{lo}, {hi}]",
                                e.value.value
                            ),
                        );
                    }
                }
                if p.enum_open && p.enum_values.is_empty() {
                    sink.at(
                        &p.name.defined,
                        format!("`enum_open` needs `enum` values on `{name}`"),
                    );
                }
                unique(
                    sink,
                    "special value",
                    p.special.iter().map(|s| (&s.value.value, &s.value.defined)),
                );
                for (what, opt) in [
                    ("must_contain", p.must_contain.is_some()),
                    ("max_len", p.max_len.is_some()),
                ] {
                    if opt {
                        sink.at(
                            &p.name.defined,
                            format!("`{what}` applies to strings, but `{name}` is an int"),
                        );
                    }
                }
            }
            ParamType::String => {
                let int_only = [
                    ("range", p.range.is_some()),
                    ("limit", p.limit.is_some()),
                    ("enum", !p.enum_values.is_empty()),
                    ("special", !p.special.is_empty()),
                    ("enum_open", p.enum_open),
                ];
                for (what, set) in int_only {
                    if set {
                        sink.at(
                            &p.name.defined,
                            format!("`{what}` applies to ints, but `{name}` is a string"),
                        );
                    }
                }
                if let Some(d) = &p.default
                    && matches!(d.value, Value::Int(_))
                {
                    sink.at(
                        &d.defined,
                        format!("default of the string parameter `{name}` is an int"),
                    );
                }
            }
        }
        if let Some(cond) = &p.only_if {
            match before.iter().find(|b| b.name.value == cond.param.value) {
                None => sink.at(
                    &cond.param.defined,
                    format!(
                        "`only_if` must name an earlier parameter; `{}` is not one",
                        cond.param.value
                    ),
                ),
                Some(b) => {
                    for v in &cond.values {
                        if b.ty.value == ParamType::Int && !accepts(self.spec, b, v.value) {
                            sink.at(
                                &v.defined,
                                format!("{} is not a valid value of `{}`", v.value, b.name.value),
                            );
                        }
                    }
                }
            }
        }
        self.clause_refs(sink, &p.clauses);
    }

    fn int_param_ref<'p>(
        &self,
        sink: &mut Sink,
        params: &HashMap<&str, &'p Param>,
        name: &S<String>,
    ) -> Option<&'p Param> {
        match params.get(name.value.as_str()) {
            None => {
                sink.at(&name.defined, format!("unknown parameter `{}`", name.value));
                None
            }
            Some(p) if p.ty.value != ParamType::Int => {
                sink.at(
                    &name.defined,
                    format!("parameter `{}` must be an int", name.value),
                );
                None
            }
            Some(p) => Some(p),
        }
    }

    fn request(
        &self,
        sink: &mut Sink,
        r: &Request,
        params: &HashMap<&str, &Param>,
        has_data: bool,
    ) {
        let param_ref = |sink: &mut Sink, s: &S<String>, list: &str| {
            for name in list.split(',') {
                if !params.contains_key(name) {
                    sink.at(&s.defined, format!("unknown parameter `{name}`"));
                }
            }
        };
        if r.target.is_empty() {
            sink.at(
                &r.method.defined,
                "request needs at least one `target` source",
            );
        }
        for t in &r.target {
            if let Some(name) = t.value.strip_prefix("param:") {
                match params.get(name) {
                    Some(p) if p.ty.value == ParamType::String => {}
                    _ => sink.at(
                        &t.defined,
                        format!("target `{name}` must be a string parameter"),
                    ),
                }
            } else if let Some(list) = t.value.strip_prefix("host_path:") {
                if list.split(',').count() != 2 {
                    sink.at(
                        &t.defined,
                        "host_path needs two parameters: host_path:<host>,<path>",
                    );
                }
                param_ref(sink, t, list);
            } else if t.value != "urlcfg" {
                sink.at(
                    &t.defined,
                    format!(
                        "target must be param:<name>, host_path:<host>,<path> or urlcfg, not `{}`",
                        t.value
                    ),
                );
            }
        }
        let m = &r.method;
        match m.value.strip_prefix("param:") {
            Some(p) => match params.get(p) {
                Some(p) if !p.enum_values.is_empty() => {}
                _ => sink.at(
                    &m.defined,
                    format!("method parameter `{p}` must be an enumerated int"),
                ),
            },
            None if METHODS.contains(&m.value.as_str()) => {}
            None => sink.at(&m.defined, format!("unknown method `{}`", m.value)),
        }
        let b = &r.body;
        match b.value.as_str() {
            "none" => {}
            "data" if has_data => {}
            "data" => sink.at(&b.defined, "body `data` needs a data phase"),
            other => match other.strip_prefix("param:") {
                Some(list) => param_ref(sink, b, list),
                None => sink.at(
                    &b.defined,
                    format!("body must be none, data or param:<name>, not `{other}`"),
                ),
            },
        }
        for s in [&r.timeout, &r.buffers] {
            match s.value.strip_prefix("param:") {
                Some(list) => param_ref(sink, s, list),
                None => {
                    for name in s.value.split(',') {
                        if !self.ranges.contains(name) {
                            sink.at(&s.defined, format!("unknown limit range `{name}`"));
                        }
                    }
                }
            }
        }
    }

    fn responses(&self, sink: &mut Sink, form: &Form) {
        unique(
            sink,
            "response",
            form.responses
                .iter()
                .map(|r| (&r.name.value, &r.name.defined)),
        );
        for r in &form.responses {
            unique(
                sink,
                "field",
                r.fields.iter().map(|f| (&f.name.value, &f.name.defined)),
            );
            let used = match template::fields(&r.template.value) {
                Ok(u) => u,
                Err(msg) => {
                    sink.at(&r.template.defined, msg);
                    continue;
                }
            };
            for u in &used {
                if !r.fields.iter().any(|f| f.name.value == *u) {
                    sink.at(
                        &r.template.defined,
                        format!(
                            "template uses `{{{u}}}`, which is not a field of `{}`",
                            r.name.value
                        ),
                    );
                }
            }
            for f in &r.fields {
                if !used.contains(&f.name.value.as_str()) {
                    sink.at(
                        &f.name.defined,
                        format!("field `{}` is not used by the template", f.name.value),
                    );
                }
                match (f.ty.value, &f.length_field) {
                    (FieldType::Bytes, None) => sink.at(
                        &f.name.defined,
                        format!("bytes field `{}` needs a length_field", f.name.value),
                    ),
                    (FieldType::Bytes, Some(l)) => {
                        let target = r.fields.iter().find(|g| g.name.value == l.value);
                        if !matches!(target, Some(g) if g.ty.value == FieldType::Decimal) {
                            sink.at(
                                &l.defined,
                                format!("length_field `{}` must name a decimal field", l.value),
                            );
                        }
                    }
                    (_, Some(l)) => sink.at(&l.defined, "only bytes fields take a length_field"),
                    _ => {}
                }
            }
        }
    }

    /// An alternative belongs to one command: the clause binds exactly one, and a default
    /// names a parameter of its set form with a value inside the parameter's range. A followed
    /// redirect instead belongs to the commands that can follow one.
    fn alternatives(&self, sink: &mut Sink, c: &crate::model::Clause) {
        use crate::model::{Alternative, VariantKind};
        if c.alternatives.is_empty() {
            return;
        }
        if c.alternatives
            .iter()
            .all(|a| matches!(a, Alternative::RedirectFollowed { .. }))
        {
            let can = VariantKind::FollowsRedirects.commands();
            if let Some(b) = c.binds.iter().find(|b| !can.contains(&b.value.as_str())) {
                sink.at(
                    &b.defined,
                    format!(
                        "clause {} allows a followed redirect, but {} cannot follow one (only {})",
                        c.id.value,
                        b.value,
                        can.join(", ")
                    ),
                );
            }
            if c.alternatives.iter().any(|a| a.why().trim().is_empty()) {
                sink.at(
                    &c.id.defined,
                    format!("an alternative of {} needs a `why`", c.id.value),
                );
            }
            return;
        }
        let one = match &c.binds[..] {
            [b] if b.value != "*" => self.spec.command(&b.value),
            _ => None,
        };
        let Some(cmd) = one else {
            sink.at(
                &c.id.defined,
                format!(
                    "clause {} has alternatives, so it must bind exactly one command",
                    c.id.value
                ),
            );
            return;
        };
        let param_named = |name: &str| {
            cmd.forms
                .iter()
                .flat_map(|(_, f)| f.params.iter())
                .any(|p| p.name.value == name)
        };
        for a in &c.alternatives {
            if let Alternative::ExtraParamsIgnored { param, when, .. } = a {
                for n in [param, when] {
                    if !param_named(n) {
                        sink.at(
                            &c.id.defined,
                            format!(
                                "alternative of {}: {} has no parameter {n:?}",
                                c.id.value, cmd.name.value
                            ),
                        );
                    }
                }
            }
            if a.why().trim().is_empty() {
                sink.at(
                    &c.id.defined,
                    format!("an alternative of {} needs a `why`", c.id.value),
                );
            }
            if let Alternative::MissingMeansDefault { param, value, .. } = a {
                let p = cmd
                    .forms
                    .iter()
                    .flat_map(|(_, f)| f.params.iter())
                    .find(|p| p.name.value == *param);
                match p {
                    None => sink.at(
                        &c.id.defined,
                        format!(
                            "alternative of {}: {} has no parameter {param:?}",
                            c.id.value, cmd.name.value
                        ),
                    ),
                    Some(p) => {
                        let bounds = p
                            .range
                            .as_ref()
                            .map(|[lo, hi]| (lo.value, hi.value))
                            .or_else(|| {
                                let l = p.limit.as_ref()?;
                                let r = self.spec.range(&l.value)?;
                                Some((r.range[0].value, r.range[1].value))
                            });
                        if let Some((lo, hi)) = bounds
                            && !(lo..=hi).contains(value)
                        {
                            sink.at(
                                &c.id.defined,
                                format!(
                                    "alternative of {}: {value} is outside {param}'s range",
                                    c.id.value
                                ),
                            );
                        }
                    }
                }
            }
        }
    }

    fn clauses(&self, sink: &mut Sink) {
        let sources = self.sources();
        unique(
            sink,
            "clause id",
            self.spec
                .clauses
                .iter()
                .map(|c| (&c.id.value, &c.id.defined)),
        );
        for c in &self.spec.clauses {
            if !is_clause_id(&c.id.value) {
                sink.at(
                    &c.id.defined,
                    format!(
                        "clause id {:?} must be dotted upper-case words (GROUP.TOPIC.RULE)",
                        c.id.value
                    ),
                );
            }
            if c.statement.trim().is_empty() || c.statement.contains('\n') {
                sink.at(
                    &c.id.defined,
                    format!("clause {} needs a one-line statement", c.id.value),
                );
            }
            if c.binds.is_empty() {
                sink.at(
                    &c.id.defined,
                    format!("clause {} binds no command", c.id.value),
                );
            }
            self.alternatives(sink, c);
            for b in &c.binds {
                if b.value != "*" {
                    self.command_ref(sink, b);
                }
            }
            self.cite(sink, &sources, &c.source);
            self.variants(sink, c);
        }
    }

    /// The declared sources by id.
    fn sources(&self) -> HashMap<&'a str, &'a SourceDef> {
        self.spec
            .spec
            .sources
            .iter()
            .map(|s| (s.id.value.as_str(), s))
            .collect()
    }

    /// Every citation in `source` names a declared source (with a section where it has them).
    fn cite(&self, sink: &mut Sink, sources: &HashMap<&str, &SourceDef>, source: &S<String>) {
        for cite in source.value.split(',').map(str::trim) {
            let (id, section) = match cite.split_once(' ') {
                Some((i, s)) => (i, Some(s)),
                None => (cite, None),
            };
            match sources.get(id) {
                None => sink.at(
                    &source.defined,
                    format!("unknown source `{id}` in {:?}", source.value),
                ),
                Some(s) if s.sections && !is_section(section) => sink.at(
                    &source.defined,
                    format!("a citation of `{id}` must name a section like `{id} §2.4`"),
                ),
                Some(s) if !s.sections && section.is_some() => {
                    sink.at(&source.defined, format!("`{id}` takes no section"))
                }
                Some(_) => {}
            }
        }
    }

    /// A variant names declared profiles, and its clause binds a command the kind changes.
    fn variants(&self, sink: &mut Sink, c: &crate::model::Clause) {
        let sources = self.sources();
        for v in &c.variants {
            self.cite(sink, &sources, &v.source);
            if v.profiles.is_empty() {
                sink.at(
                    &c.id.defined,
                    format!("a variant of {} names no profile", c.id.value),
                );
            }
            for p in &v.profiles {
                match self.spec.profile(&p.value) {
                    None => sink.at(&p.defined, format!("unknown profile `{}`", p.value)),
                    Some(pr) if pr.esp_at_version.is_none() && pr.alternatives => sink.at(
                        &p.defined,
                        format!(
                            "profile `{}` is the contract; a variant belongs to a firmware profile",
                            p.value
                        ),
                    ),
                    Some(_) => {}
                }
            }
            if !c
                .binds
                .iter()
                .any(|b| v.kind.commands().contains(&b.value.as_str()))
            {
                sink.at(
                    &c.id.defined,
                    format!(
                        "variant {} of {} changes {}, which the clause does not bind",
                        v.kind.name(),
                        c.id.value,
                        v.kind.commands().join(", ")
                    ),
                );
            }
            if v.statement.trim().is_empty() || v.statement.contains('\n') {
                sink.at(
                    &c.id.defined,
                    format!("a variant of {} needs a one-line statement", c.id.value),
                );
            }
        }
    }

    /// Profile ids are unique and lower-case; the first is the contract (alternatives on, no
    /// version); versions read `MAJOR.MINOR`; lacked commands exist.
    fn profiles(&self, sink: &mut Sink) {
        let ps = &self.spec.profiles;
        unique(
            sink,
            "profile id",
            ps.iter().map(|p| (&p.id.value, &p.id.defined)),
        );
        if let Some(first) = ps.first()
            && (first.esp_at_version.is_some() || !first.alternatives || !first.lacks.is_empty())
        {
            sink.at(
                &first.id.defined,
                "the first profile is the contract: it accepts the alternatives, names no version and lacks nothing",
            );
        }
        for p in ps {
            let ok = !p.id.value.is_empty()
                && p.id.value.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.'
                });
            if !ok {
                sink.at(
                    &p.id.defined,
                    format!(
                        "profile id {:?} must be lower-case words, digits, `-` and `.`",
                        p.id.value
                    ),
                );
            }
            if let Some(v) = &p.esp_at_version {
                let parts: Vec<_> = v.value.split('.').collect();
                if parts.len() != 2
                    || parts
                        .iter()
                        .any(|x| x.is_empty() || !x.bytes().all(|b| b.is_ascii_digit()))
                {
                    sink.at(
                        &v.defined,
                        format!("esp_at_version {:?} must be MAJOR.MINOR", v.value),
                    );
                }
            }
            for l in &p.lacks {
                self.command_ref(sink, l);
            }
        }
        let mut versions: Vec<_> = ps
            .iter()
            .filter_map(|p| p.esp_at_version.as_ref())
            .collect();
        versions.sort_by(|a, b| a.value.cmp(&b.value));
        for w in versions.windows(2) {
            if w[0].value == w[1].value {
                sink.at(
                    &w[1].defined,
                    format!("two profiles describe ESP-AT {}", w[1].value),
                );
            }
        }
    }

    fn clause_refs(&self, sink: &mut Sink, refs: &[S<String>]) {
        for r in refs {
            if !self.clauses.contains(r.value.as_str()) {
                sink.at(&r.defined, format!("unknown clause `{}`", r.value));
            }
        }
    }

    fn command_ref(&self, sink: &mut Sink, name: &S<String>) {
        if !self.commands.contains(name.value.as_str()) {
            sink.at(&name.defined, format!("unknown command `{}`", name.value));
        }
    }

    fn code_ref(&self, sink: &mut Sink, name: &S<String>) {
        if !self.codes.contains(name.value.as_str()) {
            sink.at(
                &name.defined,
                format!("unknown error code `{}`", name.value),
            );
        }
    }
}

/// Whether an int parameter accepts a value: inside its bounds, or one of its special values.
fn accepts(spec: &Spec, p: &Param, v: i64) -> bool {
    p.special.iter().any(|s| s.value.value == v)
        || p.bounds(spec).is_none_or(|(lo, hi)| lo <= v && v <= hi)
}

/// Reports every repeat of a key after its first occurrence.
fn unique<'k, K: std::hash::Hash + Eq + std::fmt::Debug + 'k>(
    sink: &mut Sink,
    what: &str,
    items: impl Iterator<Item = (&'k K, &'k serde_saphyr::Location)>,
) {
    let mut seen: HashMap<&K, &serde_saphyr::Location> = HashMap::new();
    for (k, loc) in items {
        if let Some(first) = seen.get(k) {
            sink.at(
                loc,
                format!(
                    "duplicate {what} {k:?} (first defined at line {})",
                    first.line()
                ),
            );
        } else {
            seen.insert(k, loc);
        }
    }
}

fn is_camel(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_uppercase()) && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn is_snake(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn is_clause_id(s: &str) -> bool {
    let words: Vec<&str> = s.split('.').collect();
    words.len() >= 2
        && words.iter().all(|w| {
            w.starts_with(|c: char| c.is_ascii_uppercase())
                && w.bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        })
}

/// `§2`, `§2.4`, `§4.1`: a section sign followed by dotted numbers.
fn is_section(s: Option<&str>) -> bool {
    s.and_then(|s| s.strip_prefix('§')).is_some_and(|n| {
        !n.is_empty()
            && n.split('.')
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    })
}
