//! Rendering the complete human reference of a spec.
//!
//! The content is built once as a list of blocks and then written as Markdown or HTML, so
//! the two formats cannot drift apart. The Markdown output is committed as `docs/reference.md`
//! and a test fails when it no longer matches the spec.

use std::fmt::Write;

use crate::model::*;

/// Output format of [`render`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// GitHub-flavoured Markdown.
    Markdown,
    /// One self-contained HTML page.
    Html,
}

/// Renders the reference of `spec`.
pub fn render(spec: &Spec, format: Format) -> String {
    let blocks = build(spec);
    match format {
        Format::Markdown => markdown(&blocks),
        Format::Html => html(&spec.spec.title, &blocks),
    }
}

/// A run of inline text.
#[derive(Debug, Clone)]
enum Span {
    Text(String),
    Code(String),
    Link(String, String),
}

type Inline = Vec<Span>;

#[derive(Debug, Clone)]
enum Block {
    Heading(u8, String, String),
    Para(Inline),
    Code(String),
    List(Vec<Inline>),
    Table(Vec<&'static str>, Vec<Vec<Inline>>),
}

/// Prose: text in which `backticks` mark code, as in the YAML descriptions.
fn t(s: impl Into<String>) -> Inline {
    let s = s.into();
    let mut out = Vec::new();
    for (i, part) in s.split('`').enumerate() {
        if part.is_empty() {
            continue;
        }
        // Odd pieces sit between backticks; an unpaired final backtick leaves its text as prose.
        let closed = i % 2 == 1 && s.split('`').count() > i + 1;
        out.push(if closed {
            Span::Code(part.to_owned())
        } else {
            Span::Text(part.to_owned())
        });
    }
    out
}

fn c(s: impl Into<String>) -> Inline {
    vec![Span::Code(s.into())]
}

/// Anchor for a heading: lower-case words joined by `-`.
fn anchor(s: &str) -> String {
    let mut out = String::new();
    for ch in s.chars() {
        if ch.is_ascii_alphanumeric() {
            out.push(ch.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

/// Bytes as a reader sees them: CR, LF and other control bytes written as escapes.
pub fn visible(bytes: &str) -> String {
    let mut s = String::new();
    for ch in bytes.chars() {
        match ch {
            '\r' => s.push_str("\\r"),
            '\n' => s.push_str("\\n"),
            '\t' => s.push_str("\\t"),
            '\0' => s.push_str("\\0"),
            c if c.is_control() => {
                let _ = write!(s, "\\x{:02x}", c as u32);
            }
            c => s.push(c),
        }
    }
    s
}

fn clause_link(id: &str) -> Span {
    Span::Link(id.to_owned(), anchor(id))
}

fn clause_list(ids: &[S<String>]) -> Inline {
    let mut out = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            out.push(Span::Text(", ".into()));
        }
        out.push(clause_link(&id.value));
    }
    out
}

fn join_code<'a>(items: impl Iterator<Item = &'a str>) -> Inline {
    let mut out = Vec::new();
    for (i, s) in items.enumerate() {
        if i > 0 {
            out.push(Span::Text(", ".into()));
        }
        out.push(Span::Code(s.to_owned()));
    }
    out
}

fn build(spec: &Spec) -> Vec<Block> {
    let mut b = Vec::new();
    let m = &spec.spec;
    b.push(Block::Heading(
        1,
        format!("{} — reference", m.title),
        "top".into(),
    ));
    b.push(Block::Para(vec![
        Span::Text("Generated from the spec ".into()),
        Span::Code(format!("{} {}", m.name.value, m.version.value)),
        Span::Text(" by ".into()),
        Span::Code("atspec spec doc".into()),
        Span::Text(". Do not edit by hand: edit the YAML and regenerate.".into()),
    ]));
    if !m.description.is_empty() {
        b.push(Block::Para(t(m.description.trim())));
    }
    b.push(Block::Para(t(format!(
        "{} commands ({} HTTP, {} base), {} clauses, {} error codes, {} documented HTTP statuses.",
        spec.commands.len(),
        spec.count(Group::Http),
        spec.count(Group::Base),
        spec.clauses.len(),
        spec.error_codes.codes.len(),
        spec.error_codes.http_status.len()
    ))));
    let mut toc: Vec<Inline> = ["Sources", "Limits", "Framing", "Error codes", "State"]
        .iter()
        .map(|s| vec![Span::Link((*s).into(), anchor(s))])
        .collect();
    toc.push(vec![Span::Link("Commands".into(), "commands".into())]);
    for cmd in &spec.commands {
        toc.push(vec![
            Span::Text("    ".into()),
            Span::Link(cmd.name.value.clone(), anchor(&cmd.name.value)),
        ]);
    }
    toc.push(vec![Span::Link("Clauses".into(), "clauses".into())]);
    if !spec.profiles.is_empty() {
        toc.push(vec![Span::Link("Profiles".into(), anchor("Profiles"))]);
    }
    b.push(Block::List(toc));

    sources(spec, &mut b);
    limits(spec, &mut b);
    framing(spec, &mut b);
    error_codes(spec, &mut b);
    state(spec, &mut b);
    commands(spec, &mut b);
    clauses(spec, &mut b);
    profiles(spec, &mut b);
    b
}

fn profiles(spec: &Spec, b: &mut Vec<Block>) {
    if spec.profiles.is_empty() {
        return;
    }
    b.push(Block::Heading(2, "Profiles".into(), anchor("Profiles")));
    b.push(Block::Para(t(
        "A profile is a set of expectations a device is judged by. `atspec certify --profile ID` picks the one that decides the exit status; a report states the contract's verdict and the ESP-AT version's side by side. Under a profile that lacks a command, that command's checks are not applicable; a clause variant replaces the clause's statement under the profiles it names.",
    )));
    let rows = spec
        .profiles
        .iter()
        .map(|p| {
            let variants: Vec<String> = spec
                .clauses
                .iter()
                .flat_map(|cl| cl.variants.iter().map(move |v| (cl, v)))
                .filter(|(_, v)| v.profiles.iter().any(|x| x.value == p.id.value))
                .map(|(cl, v)| format!("{} ({})", v.kind.name(), cl.id.value))
                .collect();
            vec![
                c(&p.id.value),
                t(p.esp_at_version
                    .as_ref()
                    .map_or("—".into(), |v| v.value.clone())),
                t(if p.alternatives { "yes" } else { "no" }),
                if p.lacks.is_empty() {
                    t("—")
                } else {
                    join_code(p.lacks.iter().map(|x| x.value.as_str()))
                },
                t(if variants.is_empty() {
                    "—".into()
                } else {
                    variants.join(", ")
                }),
                t(format!("{}. {}", p.title, p.description.trim())),
            ]
        })
        .collect();
    b.push(Block::Table(
        vec![
            "profile",
            "ESP-AT",
            "alternatives pass",
            "lacks",
            "variants",
            "description",
        ],
        rows,
    ));
}

fn sources(spec: &Spec, b: &mut Vec<Block>) {
    b.push(Block::Heading(2, "Sources".into(), "sources".into()));
    b.push(Block::Para(t(
        "A clause cites one or more sources. Where sources disagree, the lower precedence number wins.",
    )));
    let rows = spec
        .spec
        .sources
        .iter()
        .map(|s| {
            vec![
                c(&s.id.value),
                t(s.precedence.to_string()),
                t(if s.sections { "yes" } else { "no" }),
                t(&s.title),
            ]
        })
        .collect();
    b.push(Block::Table(
        vec!["id", "precedence", "cites sections", "document"],
        rows,
    ));
}

fn limits(spec: &Spec, b: &mut Vec<Block>) {
    let l = &spec.limits;
    b.push(Block::Heading(2, "Limits".into(), "limits".into()));
    b.push(Block::List(vec![
        t(format!(
            "Command line: at most {} bytes, terminator included.",
            l.line_bytes.value
        )),
        t(format!(
            "Parameters: at most {} per command.",
            l.max_params.value
        )),
    ]));
    let rows = l
        .ranges
        .iter()
        .map(|r| {
            vec![
                c(&r.name.value),
                t(format!("[{}, {}]", r.range[0].value, r.range[1].value)),
                t(r.default
                    .as_ref()
                    .map_or("—".into(), |d| d.value.to_string())),
                t(r.unit.clone().unwrap_or_default()),
                t(r.description.trim()),
            ]
        })
        .collect();
    b.push(Block::Table(
        vec!["range", "bounds", "default", "unit", "meaning"],
        rows,
    ));
    if !l.strings.is_empty() {
        let rows = l
            .strings
            .iter()
            .map(|s| vec![c(&s.name.value), c(&s.value), t(s.description.trim())])
            .collect();
        b.push(Block::Table(vec!["string", "value", "meaning"], rows));
    }
}

fn answer(a: &Answer) -> Inline {
    let mut out = Vec::new();
    if let Some(code) = &a.err_code {
        out.push(Span::Text("ERR CODE ".into()));
        out.push(Span::Code(code.value.clone()));
        out.push(Span::Text(" (with SYSLOG=1), then ".into()));
    }
    out.push(Span::Code(a.result.value.clone()));
    if a.err_code.is_none() {
        out.push(Span::Text(", no ERR CODE line".into()));
    }
    out
}

fn framing(spec: &Spec, b: &mut Vec<Block>) {
    let f = &spec.framing;
    let p = &f.params;
    b.push(Block::Heading(2, "Framing".into(), "framing".into()));
    b.push(Block::List(vec![
        [t("Terminator: "), c(visible(&f.terminator.value))].concat(),
        t(format!(
            "Echo after power-up: {}.",
            if f.echo_default { "on" } else { "off" }
        )),
        [
            t("Parameters are separated by "),
            c(&p.separator.value),
            t(", strings are quoted with "),
            c(&p.quote.value),
            t(", and "),
            c(&p.escape.value),
            t(" makes the next byte literal."),
        ]
        .concat(),
        [
            t("Integers: "),
            join_code(p.integer_forms.iter().map(|f| f.value.as_str())),
            t(format!(
                ". An empty field {}.",
                if p.empty_is_omitted {
                    "is an omitted parameter"
                } else {
                    "is an error"
                }
            )),
        ]
        .concat(),
        [
            t("A form the command does not have: "),
            answer(&f.missing_form),
        ]
        .concat(),
        [t("An unknown command: "), answer(&f.unknown_command)].concat(),
        [t("A line without AT, or too long: "), answer(&f.bad_line)].concat(),
        [
            t("More parameters than the limit: "),
            answer(&f.too_many_params),
        ]
        .concat(),
        [
            t("A parameter that cannot be read: "),
            answer(&f.parse_failure),
        ]
        .concat(),
        [
            t("A parameter read but not acceptable: "),
            answer(&f.invalid_param),
        ]
        .concat(),
    ]));
    b.push(Block::Heading(
        3,
        "Result strings".into(),
        "result-strings".into(),
    ));
    let rows = f
        .results
        .iter()
        .map(|r| {
            vec![
                c(&r.name.value),
                c(visible(&r.bytes.value)),
                t(if r.r#final { "final" } else { "intermediate" }),
                t(&r.description),
            ]
        })
        .collect();
    b.push(Block::Table(vec!["name", "bytes", "kind", "when"], rows));
    if !f.clauses.is_empty() {
        b.push(Block::Para(
            [t("Clauses: "), clause_list(&f.clauses)].concat(),
        ));
    }
}

fn error_codes(spec: &Spec, b: &mut Vec<Block>) {
    let e = &spec.error_codes;
    b.push(Block::Heading(
        2,
        "Error codes".into(),
        "error-codes".into(),
    ));
    b.push(Block::Para(t(e.layout.trim())));
    b.push(Block::Para(
        [t("Line template: "), c(visible(&e.line.value))].concat(),
    ));
    b.push(Block::Heading(
        3,
        "Sub-categories".into(),
        "sub-categories".into(),
    ));
    let rows = e
        .subcategories
        .iter()
        .map(|s| {
            vec![
                c(&s.name.value),
                c(format!("{:#04x}", s.value.value)),
                t(if s.emitted { "yes" } else { "no" }),
                t(&s.description),
            ]
        })
        .collect();
    b.push(Block::Table(vec!["name", "SS", "printed", "meaning"], rows));
    b.push(Block::Heading(3, "Codes".into(), "codes".into()));
    let rows = e
        .codes
        .iter()
        .map(|code| {
            let value = spec
                .code_value(code)
                .map_or("?".into(), |v| format!("{v:#010x}"));
            let value = match code.plus.as_ref().map(|p| p.value) {
                None => value,
                Some(CodeVariable::ParamIndex) => format!("{value} + parameter index"),
                Some(CodeVariable::HttpStatus) => format!("{value} + HTTP status"),
            };
            vec![
                c(&code.name.value),
                c(value),
                t(code.description.trim()),
                clause_list(&code.clauses),
            ]
        })
        .collect();
    b.push(Block::Table(
        vec!["name", "value", "meaning", "clauses"],
        rows,
    ));
    b.push(Block::Heading(
        3,
        "Documented HTTP statuses".into(),
        "documented-http-statuses".into(),
    ));
    let base = spec
        .error_codes
        .codes
        .iter()
        .find(|c| c.plus.as_ref().map(|p| p.value) == Some(CodeVariable::HttpStatus))
        .and_then(|c| spec.code_value(c));
    let rows = e
        .http_status
        .iter()
        .map(|h| {
            vec![
                t(h.status.value.to_string()),
                c(base.map_or("?".into(), |v| format!("{:#010x}", v + h.status.value))),
                t(&h.reason),
            ]
        })
        .collect();
    b.push(Block::Table(vec!["status", "ERR CODE", "reason"], rows));
}

fn state(spec: &Spec, b: &mut Vec<Block>) {
    b.push(Block::Heading(2, "State".into(), "state".into()));
    let rows = spec
        .state
        .iter()
        .map(|s| {
            vec![
                c(&s.name.value),
                t(&s.initial),
                join_code(s.set_by.iter().map(|x| x.value.as_str())),
                t(&s.description),
            ]
        })
        .collect();
    b.push(Block::Table(
        vec!["name", "initial", "changed by", "holds"],
        rows,
    ));
}

fn commands(spec: &Spec, b: &mut Vec<Block>) {
    b.push(Block::Heading(2, "Commands".into(), "commands".into()));
    let rows = spec
        .commands
        .iter()
        .map(|cmd| {
            vec![
                vec![Span::Link(cmd.name.value.clone(), anchor(&cmd.name.value))],
                t(match cmd.group {
                    Group::Base => "base",
                    Group::Http => "http",
                }),
                join_code(cmd.forms.iter().map(|(k, _)| k.as_str())),
                t(cmd.since.clone().unwrap_or_else(|| "—".into())),
                t(&cmd.summary),
            ]
        })
        .collect();
    b.push(Block::Table(
        vec!["command", "group", "forms", "since", "summary"],
        rows,
    ));
    for cmd in &spec.commands {
        command(spec, cmd, b);
    }
}

fn command(spec: &Spec, cmd: &Command, b: &mut Vec<Block>) {
    b.push(Block::Heading(
        3,
        cmd.name.value.clone(),
        anchor(&cmd.name.value),
    ));
    b.push(Block::Para(t(&cmd.summary)));
    if !cmd.description.is_empty() {
        b.push(Block::Para(t(cmd.description.trim())));
    }
    let forms = FormKind::ALL
        .iter()
        .map(|&k| {
            let line = format!("{}{}", cmd.name.value, k.marker());
            vec![
                t(k.as_str()),
                c(line),
                match cmd.forms.get(k) {
                    Some(_) => t("yes"),
                    None => [t("no → "), answer(&spec.framing.missing_form)].concat(),
                },
            ]
        })
        .collect();
    b.push(Block::Table(vec!["form", "marker", "exists"], forms));
    if !cmd.clauses.is_empty() {
        b.push(Block::Para(
            [t("Clauses: "), clause_list(&cmd.clauses)].concat(),
        ));
    }
    for (kind, form) in cmd.forms.iter() {
        form_section(spec, cmd, kind, form, b);
    }
    bound_clauses(spec, cmd, b);
}

/// One form: its syntax, parameters, data phase, request, response lines and outcomes.
fn form_section(spec: &Spec, cmd: &Command, kind: FormKind, form: &Form, b: &mut Vec<Block>) {
    let title = format!("{} — {} form", cmd.name.value, kind.as_str());
    b.push(Block::Heading(4, title.clone(), anchor(&title)));
    b.push(Block::Code(form.syntax.clone()));
    params(spec, form, b);
    if let Some(d) = &form.data {
        b.push(Block::Para(data_phase(d)));
    }
    if let Some(r) = &form.request {
        b.push(Block::List(vec![
            [
                t("Target, first that applies: "),
                join_code(r.target.iter().map(|x| x.value.as_str())),
            ]
            .concat(),
            [t("Method: "), c(&r.method.value)].concat(),
            [t("Body: "), c(&r.body.value)].concat(),
            [t("Timeout: "), c(&r.timeout.value)].concat(),
            [t("Buffers: "), c(&r.buffers.value)].concat(),
            t(format!("Content-Type: {}", r.content_type.trim())),
        ]));
    }
    if !form.responses.is_empty() {
        b.push(response_table(form));
    }
    b.push(outcome_table(form));
    if !form.clauses.is_empty() {
        b.push(Block::Para(
            [t("Clauses: "), clause_list(&form.clauses)].concat(),
        ));
    }
}

/// The data phase of a form, in words.
fn data_phase(d: &DataPhase) -> Inline {
    let mut text = [
        t("Data phase: the length comes from "),
        c(&d.length_param.value),
        t("; the device prints "),
        c(&d.prompt.value),
        t(format!(
            " and reads exactly that many raw bytes ({}). ",
            if d.echo { "echoed" } else { "not echoed" }
        )),
    ]
    .concat();
    if !d.no_data_when.is_empty() {
        text.push(Span::Text("No data phase when the length is ".into()));
        text.extend(join_code(
            d.no_data_when
                .iter()
                .map(|v| v.value.to_string())
                .collect::<Vec<_>>()
                .iter()
                .map(String::as_str),
        ));
        text.push(Span::Text(". ".into()));
    }
    text.push(Span::Text(d.description.trim().to_owned()));
    text
}

/// The response lines of a form: template, fields, count and when.
fn response_table(form: &Form) -> Block {
    let rows = form
        .responses
        .iter()
        .map(|r| {
            let fields: Vec<String> = r
                .fields
                .iter()
                .map(|f| {
                    let ty = match f.ty.value {
                        FieldType::Decimal => "decimal".to_owned(),
                        FieldType::Text => "text".to_owned(),
                        FieldType::Bytes => format!(
                            "bytes[{}]",
                            f.length_field.as_ref().map_or("", |l| l.value.as_str())
                        ),
                    };
                    format!("{}: {ty}", f.name.value)
                })
                .collect();
            vec![
                c(&r.name.value),
                c(visible(&r.template.value)),
                t(fields.join(", ")),
                t(if r.repeat { "0..n" } else { "1" }),
                t(&r.description),
            ]
        })
        .collect();
    Block::Table(vec!["line", "template", "fields", "count", "when"], rows)
}

/// The outcomes of a form: when, lines, ERR CODE, result and clauses.
fn outcome_table(form: &Form) -> Block {
    let rows = form
        .outcomes
        .iter()
        .map(|o| {
            let mut result = c(&o.result.value);
            if let Some(then) = &o.then {
                result.push(Span::Text(", later ".into()));
                result.push(Span::Code(then.value.clone()));
            }
            vec![
                c(&o.name.value),
                t(&o.when),
                join_code(o.lines.iter().map(|l| l.value.as_str())),
                o.err_code.as_ref().map_or(t("—"), |e| c(&e.value)),
                result,
                clause_list(&o.clauses),
            ]
        })
        .collect();
    Block::Table(
        vec!["outcome", "when", "lines", "ERR CODE", "result", "clauses"],
        rows,
    )
}

/// The clauses that bind this command by name.
fn bound_clauses(spec: &Spec, cmd: &Command, b: &mut Vec<Block>) {
    let bound: Vec<Inline> = spec
        .clauses
        .iter()
        .filter(|cl| cl.binds.iter().any(|x| x.value == cmd.name.value))
        .map(|cl| {
            [
                vec![clause_link(&cl.id.value)],
                t(format!(" — {}", cl.statement)),
            ]
            .concat()
        })
        .collect();
    if !bound.is_empty() {
        b.push(Block::Para(t(format!(
            "Clauses binding {} (besides those binding every command):",
            cmd.name.value
        ))));
        b.push(Block::List(bound));
    }
}

fn params(spec: &Spec, form: &Form, b: &mut Vec<Block>) {
    if form.params.is_empty() && form.variadic.is_none() {
        return;
    }
    let mut rows: Vec<Vec<Inline>> = form
        .params
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let ty = match p.ty.value {
                ParamType::Int => "int",
                ParamType::String => "string",
            };
            let presence = match p.presence.value {
                Presence::Required => "required",
                Presence::Positional => "position required, may be empty",
                Presence::Optional => "optional",
                Presence::Trailing => "optional (not empty when written)",
            };
            let mut presence = t(presence);
            if let Some(cond) = &p.only_if {
                let vals: Vec<String> = cond.values.iter().map(|v| v.value.to_string()).collect();
                presence.push(Span::Text(format!(
                    "; only when {} ∈ {{{}}}",
                    cond.param.value,
                    vals.join(", ")
                )));
            }
            let range = match p.bounds(spec) {
                Some((lo, hi)) => {
                    let mut r = format!("[{lo}, {hi}]");
                    if let Some(l) = &p.limit {
                        r.push_str(&format!(" ({})", l.value));
                    }
                    t(r)
                }
                None if p.enum_open => t("any integer"),
                None => t("—"),
            };
            let default = p.default_value(spec).map_or(t("—"), |d| c(d.to_string()));
            let mut values: Vec<String> = p
                .enum_values
                .iter()
                .map(|e| format!("{} = {} ({})", e.value.value, e.name.value, e.meaning))
                .collect();
            values.extend(
                p.special
                    .iter()
                    .map(|s| format!("{}: {}", s.value.value, s.meaning)),
            );
            if let Some(m) = &p.must_contain {
                values.push(format!("must contain {:?}", m.value));
            }
            vec![
                t(i.to_string()),
                c(&p.name.value),
                t(ty),
                presence,
                range,
                default,
                t(values.join("; ")),
                [t(p.description.trim()), t(" "), clause_list(&p.clauses)].concat(),
            ]
        })
        .collect();
    if let Some(v) = &form.variadic {
        let count = match &v.count_param {
            Some(cp) => format!("count given by {}", cp.value),
            None => "every remaining field".into(),
        };
        let contain = v
            .must_contain
            .as_ref()
            .map_or(String::new(), |m| format!("must contain {:?}", m.value));
        rows.push(vec![
            t(format!("{}..", form.params.len())),
            c(&v.name.value),
            t("string"),
            t(count),
            t("—"),
            t("—"),
            t(contain),
            [t(v.description.trim()), t(" "), clause_list(&v.clauses)].concat(),
        ]);
    }
    b.push(Block::Table(
        vec![
            "#",
            "parameter",
            "type",
            "presence",
            "range",
            "default",
            "values",
            "meaning",
        ],
        rows,
    ));
}

fn clauses(spec: &Spec, b: &mut Vec<Block>) {
    b.push(Block::Heading(2, "Clauses".into(), "clauses".into()));
    b.push(Block::Para(t(format!(
        "{} clauses. Each has a stable id that the firmware names where it implements the rule and the harness names where it checks it.",
        spec.clauses.len()
    ))));
    let mut group = "";
    for cl in &spec.clauses {
        let g = cl.id.value.split('.').next().unwrap_or("");
        if g != group {
            group = g;
            b.push(Block::Heading(
                3,
                g.to_owned(),
                anchor(&format!("group {g}")),
            ));
        }
        b.push(Block::Heading(4, cl.id.value.clone(), anchor(&cl.id.value)));
        b.push(Block::Para(t(&cl.statement)));
        let mut items = vec![
            [
                t("Binds: "),
                join_code(cl.binds.iter().map(|x| x.value.as_str())),
            ]
            .concat(),
            [t("Source: "), t(&cl.source.value)].concat(),
        ];
        if let Some(n) = &cl.note {
            items.push(t(format!("Note: {}", n.trim())));
        }
        for a in &cl.alternatives {
            let what = match a {
                crate::model::Alternative::ErrCodeOptional { every_profile, .. } => format!(
                    "a rejection for a missing parameter without its ERR CODE line{}",
                    if *every_profile {
                        " (under every profile, the ESP-AT versions' included)"
                    } else {
                        ""
                    }
                ),
                crate::model::Alternative::MissingMeansDefault { param, value, .. } => {
                    format!("a line that ends before {param} runs with {param} = {value}")
                }
                crate::model::Alternative::ExtraParamsIgnored {
                    param,
                    when,
                    values,
                    ..
                } => format!(
                    "with {when} in {values:?}, {param} and the fields after it are ignored instead of refused"
                ),
                crate::model::Alternative::RedirectFollowed { .. } => {
                    "a 301/302/303/307/308 with a Location is followed, as variant follows_redirects describes".to_string()
                }
            };
            items.push(t(format!("Also allowed: {what} ({})", a.why().trim())));
        }
        for v in &cl.variants {
            let who: Vec<&str> = v.profiles.iter().map(|p| p.value.as_str()).collect();
            items.push(t(format!(
                "Variant {} under {}: {} ({})",
                v.kind.name(),
                who.join(", "),
                v.statement.trim(),
                v.source.value
            )));
        }
        b.push(Block::List(items));
    }
}

// ---------------------------------------------------------------- writers

fn md_inline(spans: &[Span], in_table: bool) -> String {
    let mut s = String::new();
    for span in spans {
        match span {
            Span::Text(x) => {
                let mut x = x
                    .replace('\\', "\\\\")
                    .replace('*', "\\*")
                    .replace('_', "\\_");
                x = x.replace('<', "&lt;").replace('>', "&gt;");
                if in_table {
                    x = x.replace('|', "\\|");
                }
                s.push_str(&x);
            }
            Span::Code(x) => {
                let x = if in_table {
                    x.replace('|', "\\|")
                } else {
                    x.clone()
                };
                let fence = if x.contains('`') { "`` " } else { "`" };
                let close = if x.contains('`') { " ``" } else { "`" };
                s.push_str(fence);
                s.push_str(&x);
                s.push_str(close);
            }
            Span::Link(text, target) => {
                let _ = write!(s, "[{}](#{target})", text.replace('_', "\\_"));
            }
        }
    }
    s
}

fn markdown(blocks: &[Block]) -> String {
    let mut out = String::new();
    for block in blocks {
        match block {
            Block::Heading(level, text, id) => {
                let _ = writeln!(
                    out,
                    "{} {}<a id=\"{id}\"></a>\n",
                    "#".repeat(*level as usize),
                    md_inline(&t(text.as_str()), false)
                );
            }
            Block::Para(spans) => {
                let _ = writeln!(out, "{}\n", md_inline(spans, false));
            }
            Block::Code(text) => {
                let _ = writeln!(out, "```text\n{text}\n```\n");
            }
            Block::List(items) => {
                for item in items {
                    let indent = match item.first() {
                        Some(Span::Text(x)) if x.trim().is_empty() && !x.is_empty() => "  ",
                        _ => "",
                    };
                    let rest: Vec<Span> = item
                        .iter()
                        .filter(
                            |s| !matches!(s, Span::Text(x) if x.trim().is_empty() && !x.is_empty()),
                        )
                        .cloned()
                        .collect();
                    let _ = writeln!(out, "{indent}- {}", md_inline(&rest, false));
                }
                out.push('\n');
            }
            Block::Table(head, rows) => {
                let _ = writeln!(out, "| {} |", head.join(" | "));
                let _ = writeln!(out, "|{}", "---|".repeat(head.len()));
                for row in rows {
                    let cells: Vec<String> = row.iter().map(|c| md_inline(c, true)).collect();
                    let _ = writeln!(out, "| {} |", cells.join(" | "));
                }
                out.push('\n');
            }
        }
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

// Markdown output ends with exactly one newline (see the loop above), like a committed file.

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn html_inline(spans: &[Span]) -> String {
    let mut s = String::new();
    for span in spans {
        match span {
            Span::Text(x) => s.push_str(&esc(x)),
            Span::Code(x) => {
                let _ = write!(s, "<code>{}</code>", esc(x));
            }
            Span::Link(text, target) => {
                let _ = write!(s, "<a href=\"#{target}\">{}</a>", esc(text));
            }
        }
    }
    s
}

const CSS: &str = "body{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;line-height:1.45;color:#1b1f24}\
table{border-collapse:collapse;margin:1rem 0;font-size:.92rem}th,td{border:1px solid #d0d7de;padding:.3rem .5rem;vertical-align:top;text-align:left}\
th{background:#f6f8fa}code{background:#f3f4f6;padding:0 .2rem;border-radius:3px}pre{background:#f6f8fa;padding:.7rem;overflow-x:auto}\
h4{margin-bottom:.3rem}";

fn html(title: &str, blocks: &[Block]) -> String {
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>{CSS}</style></head><body>\n",
        esc(title)
    );
    for block in blocks {
        match block {
            Block::Heading(level, text, id) => {
                let _ = writeln!(out, "<h{level} id=\"{id}\">{}</h{level}>", esc(text));
            }
            Block::Para(spans) => {
                let _ = writeln!(out, "<p>{}</p>", html_inline(spans));
            }
            Block::Code(text) => {
                let _ = writeln!(out, "<pre><code>{}</code></pre>", esc(text));
            }
            Block::List(items) => {
                out.push_str("<ul>\n");
                for item in items {
                    let _ = writeln!(out, "<li>{}</li>", html_inline(item));
                }
                out.push_str("</ul>\n");
            }
            Block::Table(head, rows) => {
                out.push_str("<table><thead><tr>");
                for h in head {
                    let _ = write!(out, "<th>{}</th>", esc(h));
                }
                out.push_str("</tr></thead><tbody>\n");
                for row in rows {
                    out.push_str("<tr>");
                    for cell in row {
                        let _ = write!(out, "<td>{}</td>", html_inline(cell));
                    }
                    out.push_str("</tr>\n");
                }
                out.push_str("</tbody></table>\n");
            }
        }
    }
    out.push_str("</body></html>\n");
    out
}
