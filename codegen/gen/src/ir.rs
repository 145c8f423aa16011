//! The intermediate representation: the validated spec, normalized for code generation.
//!
//! Building it is the "validate" step of parse → validate → generate: everything the generators
//! need is resolved here (names to identifiers, limits to bounds, references to indexes), and
//! everything that would make generated code fail to compile (two clause ids that map to one
//! variant name, a range that does not fit 32 bits) is reported as a diagnostic at the YAML
//! position, together with the spec's own errors.

use std::collections::HashMap;

use atspec_spec::model::{
    self, CodeVariable, FieldType, FormKind, ParamType, Presence, S, Spec, Value,
};
use atspec_spec::template::{self, Piece};
use atspec_spec::{Diagnostics, Sink};
use proc_macro2::Ident;

use crate::names::{camel, ident, screaming, snake};

/// The spec, ready for generation.
#[derive(Debug)]
pub struct Ir {
    /// `spec.name`.
    pub spec_name: String,
    /// `spec.version`.
    pub spec_version: String,
    /// FNV-1a 64 of the YAML text: identifies the exact spec in reports.
    pub spec_hash: u64,
    /// Longest line, terminator included.
    pub line_bytes: usize,
    /// Most parameters per line.
    pub max_params: usize,
    /// Named ranges: constant stem (`URL_LENGTH`), min, max, default.
    pub ranges: Vec<(String, i64, i64, Option<i64>)>,
    /// Fixed strings: constant name (`USER_AGENT`) and value.
    pub strings: Vec<(String, String)>,
    /// Line terminator.
    pub terminator: Vec<u8>,
    /// Separator, quote, escape.
    pub syntax: [u8; 3],
    /// Whether `0x` integers are accepted.
    pub hex: bool,
    /// Result strings.
    pub results: Vec<ResultIr>,
    /// Named error codes.
    pub codes: Vec<CodeIr>,
    /// The six framing answers: bad line, unknown command, missing form, too many params,
    /// parse failure, invalid param.
    pub answers: [AnswerIr; 6],
    /// The `ERR CODE` line template.
    pub err_line: Vec<PieceIr>,
    /// Commands.
    pub commands: Vec<CommandIr>,
    /// Clauses.
    pub clauses: Vec<ClauseIr>,
    /// Profiles, the contract first.
    pub profiles: Vec<ProfileIr>,
}

/// A lowered [`atspec_spec::model::Profile`].
#[derive(Debug)]
pub struct ProfileIr {
    /// `esp-at-3.1`.
    pub id: String,
    /// One line.
    pub title: String,
    /// Whether alternatives pass.
    pub alternatives: bool,
    /// `(major, minor)`.
    pub version: Option<(u16, u16)>,
    /// Idents of the lacked commands' `Name` variants.
    pub lacks: Vec<Ident>,
    /// Names of the variant kinds that apply (`head_line_space`…).
    pub behaviour: Vec<&'static str>,
}

/// A result string.
#[derive(Debug)]
pub struct ResultIr {
    /// Spec name (`send_ok`).
    pub name: String,
    /// `SendOk`.
    pub variant: Ident,
    /// Exact bytes.
    pub bytes: Vec<u8>,
    /// Ends a command.
    pub is_final: bool,
}

/// A named error code.
#[derive(Debug)]
pub struct CodeIr {
    /// `NO_AT`.
    pub konst: Ident,
    /// `no_at` (for codes with a run-time part).
    pub func: Ident,
    /// Value with the run-time part 0.
    pub value: u32,
    /// The run-time part.
    pub plus: Option<CodeVariable>,
    /// Description.
    pub doc: String,
}

/// A framing answer.
#[derive(Debug, Clone, Copy)]
pub struct AnswerIr {
    /// Index into [`Ir::results`].
    pub result: usize,
    /// Error code, if any.
    pub code: Option<u32>,
    /// Whether the parameter index is added.
    pub plus_index: bool,
}

/// A command.
#[derive(Debug)]
pub struct CommandIr {
    /// `AT+HTTPCLIENT`.
    pub name: String,
    /// What follows `AT` on the wire (`+HTTPCLIENT`, `E0`, empty).
    pub wire: String,
    /// `HttpClient`: the variant of the generated `Name` enum.
    pub ident: Ident,
    /// Forms it has.
    pub forms: Vec<FormIr>,
    /// Forms it lacks.
    pub missing: Vec<FormKind>,
    /// Summary line.
    pub summary: String,
}

/// One form of a command.
#[derive(Debug)]
pub struct FormIr {
    /// Which form.
    pub kind: FormKind,
    /// `HttpClient`, `SyslogSet`: the `Command` variant and the parameter struct.
    pub variant: Ident,
    /// `http_client`, `syslog_set`: the handler method and module names.
    pub method: Ident,
    /// Positional parameters.
    pub params: Vec<ParamIr>,
    /// Trailing repeated parameter.
    pub variadic: Option<VariadicIr>,
    /// Response line writers.
    pub responses: Vec<ResponseIr>,
    /// Syntax line, for docs.
    pub syntax: String,
    /// The parameter that gives the length of the data phase, if the form has one.
    pub data_param: Option<usize>,
}

impl FormIr {
    /// Whether the form carries values (and so has a struct).
    pub fn has_fields(&self) -> bool {
        !self.params.is_empty() || self.variadic.is_some()
    }
}

/// A positional parameter.
#[derive(Debug)]
pub struct ParamIr {
    /// snake_case name.
    pub name: String,
    /// Field identifier.
    pub field: Ident,
    /// Wire type.
    pub ty: ParamType,
    /// Presence rule.
    pub presence: Presence,
    /// Inclusive range.
    pub bounds: Option<(i32, i32)>,
    /// Values accepted outside the range.
    pub special: Vec<i32>,
    /// Value when omitted.
    pub default: Option<DefaultIr>,
    /// Enumerated values.
    pub enumeration: Option<EnumIr>,
    /// Exists only when parameter `.0` has one of the values `.1`.
    pub only_if: Option<(usize, Vec<i32>)>,
    /// Bytes a string must contain.
    pub must_contain: Vec<u8>,
    /// Description.
    pub doc: String,
    /// Clause ids about it (its range, its presence).
    pub clauses: Vec<String>,
}

impl ParamIr {
    /// Whether the generated field is an `Option` (it may be absent from a valid line).
    pub fn optional(&self) -> bool {
        self.presence != Presence::Required || self.only_if.is_some()
    }
}

/// A default value.
#[derive(Debug, Clone)]
pub enum DefaultIr {
    /// Integer.
    Int(i32),
    /// String.
    Str(Vec<u8>),
}

/// An enumeration type for an int parameter.
#[derive(Debug)]
pub struct EnumIr {
    /// Type name (`HttpClientOpt`).
    pub ty: Ident,
    /// Whether other integers parse (an `Other(i32)` variant).
    pub open: bool,
    /// `(variant, value, meaning)`.
    pub variants: Vec<(Ident, i32, String)>,
}

/// A trailing repeated parameter.
#[derive(Debug)]
pub struct VariadicIr {
    /// Field identifier.
    pub field: Ident,
    /// Index of the counting parameter.
    pub count_param: Option<usize>,
    /// Bytes each element must contain.
    pub must_contain: Vec<u8>,
    /// Description.
    pub doc: String,
}

/// A response line writer.
#[derive(Debug)]
pub struct ResponseIr {
    /// `http_client_body`.
    pub func: Ident,
    /// Template pieces.
    pub pieces: Vec<PieceIr>,
    /// Description.
    pub doc: String,
}

/// One piece of a response template.
#[derive(Debug, Clone)]
pub enum PieceIr {
    /// Literal bytes.
    Lit(Vec<u8>),
    /// A decimal argument.
    Decimal(Ident),
    /// A decimal that is the length of bytes field `.1` (computed, not an argument).
    LengthOf(Ident),
    /// Raw bytes.
    Bytes(Ident),
    /// Printable text.
    Text(Ident),
    /// Zero-padded lower-case hex of the given width.
    Hex(Ident, usize),
}

/// A clause.
#[derive(Debug)]
pub struct ClauseIr {
    /// `HTTPCLIENT.REDIRECT.NOT_FOLLOWED`.
    pub id: String,
    /// `HttpclientRedirectNotFollowed`.
    pub variant: Ident,
    /// One line.
    pub statement: String,
    /// Source citation.
    pub source: String,
    /// Bound commands.
    pub binds: Vec<String>,
    /// Other answers the sources allow.
    pub alternatives: Vec<AltIr>,
    /// Profile variants: kind name and the profiles that have it.
    pub variants: Vec<(&'static str, Vec<String>)>,
}

/// A lowered [`atspec_spec::model::Alternative`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AltIr {
    /// A rejection for a missing parameter may come without its ERR CODE line; under every
    /// profile when `every_profile`.
    ErrCodeOptional {
        /// The reading holds under every profile.
        every_profile: bool,
    },
    /// A redirect may be followed (`follows_redirects`).
    RedirectFollowed,
    /// A line that ends before field `field` (0-based) may run with `value` there.
    MissingMeansDefault {
        /// Field index in the set form.
        field: u8,
        /// The value applied.
        value: i64,
    },
    /// With field `when` holding one of `values`, fields from `field` on may be ignored.
    ExtraParamsIgnored {
        /// First ignored field.
        field: u8,
        /// Deciding field.
        when: u8,
        /// Its values.
        values: Vec<i64>,
    },
}

/// The 0-based field index of `param` in the form of the one command `c` binds.
fn field_of(spec: &atspec_spec::Spec, c: &atspec_spec::model::Clause, param: &str) -> u8 {
    c.binds
        .first()
        .and_then(|b| spec.command(&b.value))
        .and_then(|cmd| {
            cmd.forms
                .iter()
                .find_map(|(_, f)| f.params.iter().position(|p| p.name.value == param))
        })
        .unwrap_or(0) as u8
}

/// Loads, validates and lowers a spec file. `shown` names it in diagnostics.
pub fn load(path: &std::path::Path, shown: &str) -> Result<Ir, Diagnostics> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Diagnostics::whole_file(shown, format!("cannot read the spec: {e}")))?;
    let spec = atspec_spec::load_str(shown, &text)?;
    lower(&spec, &text, shown)
}

struct Cx<'a> {
    spec: &'a Spec,
    /// The spec's own sink: lowering problems join the validator's, in file order.
    errors: Sink,
}

impl Cx<'_> {
    fn err<T>(&mut self, at: &S<T>, message: String) {
        self.errors.at(&at.defined, message);
    }

    fn i32_of(&mut self, v: &S<i64>) -> i32 {
        match i32::try_from(v.value) {
            Ok(x) => x,
            Err(_) => {
                self.err(v, format!("{} does not fit a 32-bit parameter", v.value));
                0
            }
        }
    }
}

/// Lowers a validated spec.
pub fn lower(spec: &Spec, text: &str, file: &str) -> Result<Ir, Diagnostics> {
    let mut cx = Cx {
        spec,
        errors: Sink::new(file),
    };
    let results: Vec<ResultIr> = spec
        .framing
        .results
        .iter()
        .map(|r| ResultIr {
            name: r.name.value.clone(),
            variant: ident(&camel(&r.name.value)),
            bytes: r.bytes.value.as_bytes().to_vec(),
            is_final: r.r#final,
        })
        .collect();
    let answers = answers(spec, &results);
    let err_line = pieces(
        &mut cx,
        &spec.error_codes.line,
        &[("code", FieldType::Decimal, None)],
        "err_code_line",
    );
    let commands = spec.commands.iter().map(|c| command(&mut cx, c)).collect();
    let f = &spec.framing;
    let p = &f.params;
    let byte = |s: &S<String>| s.value.as_bytes().first().copied().unwrap_or(b'?');
    let ir = Ir {
        spec_name: spec.spec.name.value.clone(),
        spec_version: spec.spec.version.value.clone(),
        spec_hash: fnv1a(text.as_bytes()),
        line_bytes: spec.limits.line_bytes.value as usize,
        max_params: spec.limits.max_params.value as usize,
        ranges: spec
            .limits
            .ranges
            .iter()
            .map(|r| {
                (
                    r.name.value.to_uppercase(),
                    r.range[0].value,
                    r.range[1].value,
                    r.default.as_ref().map(|d| d.value),
                )
            })
            .collect(),
        strings: spec
            .limits
            .strings
            .iter()
            .map(|s| (s.name.value.to_uppercase(), s.value.clone()))
            .collect(),
        terminator: f.terminator.value.as_bytes().to_vec(),
        syntax: [byte(&p.separator), byte(&p.quote), byte(&p.escape)],
        hex: p.integer_forms.iter().any(|f| f.value == "hex"),
        results,
        codes: codes(spec),
        answers,
        err_line,
        commands,
        clauses: clauses(spec),
        profiles: profiles(spec),
    };
    collisions(&mut cx, &ir);
    cx.errors.finish().map(|()| ir)
}

/// Every error code, with its constant and (for a code with a variable part) function name.
fn codes(spec: &Spec) -> Vec<CodeIr> {
    spec.error_codes
        .codes
        .iter()
        .map(|c| CodeIr {
            konst: ident(&screaming(&c.name.value)),
            func: ident(&c.name.value.to_ascii_lowercase()),
            value: spec.code_value(c).unwrap_or(0),
            plus: c.plus.as_ref().map(|p| p.value),
            doc: c.description.trim().to_owned(),
        })
        .collect()
}

/// What each kind of refused line is answered: its result and code.
fn answers(spec: &Spec, results: &[ResultIr]) -> [AnswerIr; 6] {
    let answer = |a: &model::Answer| {
        let result = results
            .iter()
            .position(|r| r.name == a.result.value)
            .unwrap_or(0);
        let code = a.err_code.as_ref().and_then(|n| spec.error_code(&n.value));
        AnswerIr {
            result,
            code: code.and_then(|c| spec.code_value(c)),
            plus_index: code.and_then(|c| c.plus.as_ref()).map(|p| p.value)
                == Some(CodeVariable::ParamIndex),
        }
    };
    let f = &spec.framing;
    [
        answer(&f.bad_line),
        answer(&f.unknown_command),
        answer(&f.missing_form),
        answer(&f.too_many_params),
        answer(&f.parse_failure),
        answer(&f.invalid_param),
    ]
}

/// Every clause with its alternatives (fields resolved to indexes) and profile variants.
fn clauses(spec: &Spec) -> Vec<ClauseIr> {
    spec.clauses
        .iter()
        .map(|c| ClauseIr {
            id: c.id.value.clone(),
            variant: ident(&camel(&c.id.value)),
            statement: c.statement.clone(),
            source: c.source.value.clone(),
            binds: c.binds.iter().map(|b| b.value.clone()).collect(),
            alternatives: c
                .alternatives
                .iter()
                .map(|a| match a {
                    atspec_spec::model::Alternative::ErrCodeOptional { every_profile, .. } => {
                        AltIr::ErrCodeOptional {
                            every_profile: *every_profile,
                        }
                    }
                    atspec_spec::model::Alternative::MissingMeansDefault {
                        param, value, ..
                    } => AltIr::MissingMeansDefault {
                        field: field_of(spec, c, param),
                        value: *value,
                    },
                    atspec_spec::model::Alternative::ExtraParamsIgnored {
                        param,
                        when,
                        values,
                        ..
                    } => AltIr::ExtraParamsIgnored {
                        field: field_of(spec, c, param),
                        when: field_of(spec, c, when),
                        values: values.clone(),
                    },
                    atspec_spec::model::Alternative::RedirectFollowed { .. } => {
                        AltIr::RedirectFollowed
                    }
                })
                .collect(),
            variants: c
                .variants
                .iter()
                .map(|v| {
                    (
                        v.kind.name(),
                        v.profiles.iter().map(|p| p.value.clone()).collect(),
                    )
                })
                .collect(),
        })
        .collect()
}

/// Every profile: its version, the commands it lacks, and the clause variants it has.
fn profiles(spec: &Spec) -> Vec<ProfileIr> {
    spec.profiles
        .iter()
        .map(|p| ProfileIr {
            id: p.id.value.clone(),
            title: p.title.clone(),
            alternatives: p.alternatives,
            version: p.esp_at_version.as_ref().and_then(|v| {
                let (a, b) = v.value.split_once('.')?;
                Some((a.parse().ok()?, b.parse().ok()?))
            }),
            lacks: p
                .lacks
                .iter()
                .filter_map(|n| spec.command(&n.value))
                .map(|c| ident(&c.ident.value))
                .collect(),
            behaviour: spec
                .clauses
                .iter()
                .flat_map(|c| &c.variants)
                .filter(|v| v.profiles.iter().any(|x| x.value == p.id.value))
                .map(|v| v.kind.name())
                .collect(),
        })
        .collect()
}

fn command(cx: &mut Cx<'_>, c: &model::Command) -> CommandIr {
    let present: Vec<FormKind> = c.forms.iter().map(|(k, _)| k).collect();
    let single = present.len() == 1;
    let forms = c
        .forms
        .iter()
        .map(|(kind, form)| {
            let variant = if single {
                c.ident.value.clone()
            } else {
                format!("{}{}", c.ident.value, camel(kind.as_str()))
            };
            form_ir(cx, form, kind, &variant)
        })
        .collect();
    CommandIr {
        name: c.name.value.clone(),
        wire: c.name.value.strip_prefix("AT").unwrap_or("").to_owned(),
        ident: ident(&c.ident.value),
        forms,
        missing: FormKind::ALL
            .into_iter()
            .filter(|k| !present.contains(k))
            .collect(),
        summary: c.summary.clone(),
    }
}

fn form_ir(cx: &mut Cx<'_>, form: &model::Form, kind: FormKind, variant: &str) -> FormIr {
    let names: Vec<&str> = form.params.iter().map(|p| p.name.value.as_str()).collect();
    let params = form
        .params
        .iter()
        .map(|p| param(cx, p, variant, &names))
        .collect();
    let variadic = form.variadic.as_ref().map(|v| VariadicIr {
        field: ident(&v.name.value),
        count_param: v
            .count_param
            .as_ref()
            .and_then(|c| names.iter().position(|n| *n == c.value)),
        must_contain: v
            .must_contain
            .as_ref()
            .map(|m| m.value.as_bytes().to_vec())
            .unwrap_or_default(),
        doc: v.description.trim().to_owned(),
    });
    let method = snake(variant);
    let responses = form
        .responses
        .iter()
        .map(|r| {
            let fields: Vec<(&str, FieldType, Option<&str>)> = r
                .fields
                .iter()
                .map(|f| {
                    (
                        f.name.value.as_str(),
                        f.ty.value,
                        f.length_field.as_ref().map(|l| l.value.as_str()),
                    )
                })
                .collect();
            let func = format!("{method}_{}", r.name.value);
            ResponseIr {
                func: ident(&func),
                pieces: pieces(cx, &r.template, &fields, &func),
                doc: r.description.trim().to_owned(),
            }
        })
        .collect();
    FormIr {
        kind,
        variant: ident(variant),
        method: ident(&method),
        params,
        variadic,
        responses,
        syntax: form.syntax.clone(),
        data_param: form
            .data
            .as_ref()
            .and_then(|d| names.iter().position(|n| *n == d.length_param.value)),
    }
}

fn param(cx: &mut Cx<'_>, p: &model::Param, owner: &str, names: &[&str]) -> ParamIr {
    let bounds = match (
        &p.range,
        p.limit.as_ref().and_then(|l| cx.spec.range(&l.value)),
    ) {
        (Some([lo, hi]), _) => Some((cx.i32_of(lo), cx.i32_of(hi))),
        (None, Some(r)) => Some((cx.i32_of(&r.range[0]), cx.i32_of(&r.range[1]))),
        _ => None,
    };
    let default = match p.default_value(cx.spec) {
        Some(Value::Int(v)) => Some(DefaultIr::Int(i32::try_from(v).unwrap_or(0))),
        Some(Value::Str(s)) => Some(DefaultIr::Str(s.into_bytes())),
        None => None,
    };
    let enumeration = (!p.enum_values.is_empty()).then(|| EnumIr {
        ty: ident(&format!("{owner}{}", camel(&p.name.value))),
        open: p.enum_open,
        variants: p
            .enum_values
            .iter()
            .map(|e| {
                let v = cx.i32_of(&e.value);
                (ident(&e.name.value), v, e.meaning.clone())
            })
            .collect(),
    });
    let special = p.special.iter().map(|s| cx.i32_of(&s.value)).collect();
    let only_if = p.only_if.as_ref().map(|c| {
        let idx = names.iter().position(|n| *n == c.param.value).unwrap_or(0);
        let vals = c.values.iter().map(|v| cx.i32_of(v)).collect();
        (idx, vals)
    });
    ParamIr {
        name: p.name.value.clone(),
        field: ident(&p.name.value),
        ty: p.ty.value,
        presence: p.presence.value,
        bounds,
        special,
        default,
        enumeration,
        only_if,
        must_contain: p
            .must_contain
            .as_ref()
            .map(|m| m.value.as_bytes().to_vec())
            .unwrap_or_default(),
        doc: p.description.trim().to_owned(),
        clauses: p.clauses.iter().map(|c| c.value.clone()).collect(),
    }
}

fn pieces(
    cx: &mut Cx<'_>,
    tpl: &S<String>,
    fields: &[(&str, FieldType, Option<&str>)],
    func: &str,
) -> Vec<PieceIr> {
    let parsed = match template::parse(&tpl.value) {
        Ok(p) => p,
        Err(e) => {
            cx.err(tpl, e);
            return Vec::new();
        }
    };
    let length_of: HashMap<&str, &str> = fields
        .iter()
        .filter_map(|(n, _, l)| l.map(|l| (l, *n)))
        .collect();
    parsed
        .into_iter()
        .map(|p| match p {
            Piece::Literal(s) => PieceIr::Lit(s.into_bytes()),
            Piece::Field { name, format } => {
                let ty = fields
                    .iter()
                    .find(|f| f.0 == name)
                    .map_or(FieldType::Text, |f| f.1);
                match (ty, format) {
                    (FieldType::Decimal, Some(fmt)) => {
                        let width = fmt
                            .strip_prefix('0')
                            .and_then(|w| w.strip_suffix('x'))
                            .and_then(|w| w.parse().ok());
                        match width {
                            Some(w) => PieceIr::Hex(ident(name), w),
                            None => {
                                cx.err(
                                    tpl,
                                    format!("`{func}`: unsupported format `{fmt}` (only 0Nx)"),
                                );
                                PieceIr::Decimal(ident(name))
                            }
                        }
                    }
                    (FieldType::Decimal, None) => match length_of.get(name) {
                        Some(bytes) => PieceIr::LengthOf(ident(bytes)),
                        None => PieceIr::Decimal(ident(name)),
                    },
                    (FieldType::Bytes, _) => PieceIr::Bytes(ident(name)),
                    (FieldType::Text, _) => PieceIr::Text(ident(name)),
                }
            }
        })
        .collect()
}

/// Names that would collide in generated code.
fn collisions(cx: &mut Cx<'_>, ir: &Ir) {
    let spec = cx.spec;
    let mut seen: HashMap<String, String> = HashMap::new();
    for (c, ci) in spec.clauses.iter().zip(&ir.clauses) {
        if let Some(prev) = seen.insert(ci.variant.to_string(), c.id.value.clone()) {
            cx.err(
                &c.id,
                format!(
                    "clause ids `{prev}` and `{}` both become the variant `Clause::{}`",
                    c.id.value, ci.variant
                ),
            );
        }
    }
    let mut types: HashMap<String, String> = HashMap::new();
    for (c, ci) in spec.commands.iter().zip(&ir.commands) {
        for f in &ci.forms {
            let mut owners = vec![(
                f.variant.to_string(),
                format!("{} {} form", ci.name, f.kind.as_str()),
            )];
            owners.extend(f.params.iter().filter_map(|p| {
                p.enumeration
                    .as_ref()
                    .map(|e| (e.ty.to_string(), format!("enum of {} {}", ci.name, p.name)))
            }));
            for (ty, what) in owners {
                if let Some(prev) = types.insert(ty.clone(), what.clone()) {
                    cx.err(
                        &c.ident,
                        format!("{what} and {prev} both become the type `{ty}`"),
                    );
                }
            }
        }
    }
}

/// FNV-1a, 64 bits: a stable fingerprint of the spec text without a hashing dependency.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}
