//! The typed model of a spec file.
//!
//! Every struct mirrors one YAML mapping and rejects unknown keys, so a typo in the spec is an
//! error with a position instead of a silently ignored field. Scalars that semantic validation
//! may complain about are wrapped in [`S`] (a value plus its line:col) so the complaint can point
//! at the exact place in the file.

use serde::Deserialize;

/// A value together with where it was written in the YAML file.
pub type S<T> = serde_saphyr::Spanned<T>;

/// A whole specification: one YAML document.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// Name, version and the sources clauses may cite.
    pub spec: Meta,
    /// Numeric limits shared by several commands.
    pub limits: Limits,
    /// Line framing, result strings and parameter syntax common to every command.
    pub framing: Framing,
    /// The `ERR CODE` layout and every code a device may print.
    pub error_codes: ErrorCodes,
    /// Device state that survives between commands.
    #[serde(default)]
    pub state: Vec<StateVar>,
    /// Every command the device implements.
    pub commands: Vec<Command>,
    /// Every normative statement, with a stable id and its source.
    pub clauses: Vec<Clause>,
    /// The sets of expectations a device can be judged by: the contract first, then the real
    /// firmware and its versions.
    #[serde(default)]
    pub profiles: Vec<Profile>,
}

/// A named set of expectations: which readings pass, which commands exist, which clause
/// variants apply.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// `contract`, `esp-at`, `esp-at-4.1`…
    pub id: S<String>,
    /// One line.
    pub title: String,
    /// What it is for and where it differs.
    #[serde(default)]
    pub description: String,
    /// Whether the clauses' `alternatives` pass under it (the contract accepts every reading
    /// the text allows; a firmware profile only the firmware's own).
    #[serde(default = "yes")]
    pub alternatives: bool,
    /// The ESP-AT version it describes (`MAJOR.MINOR`), matched against the `AT version:`
    /// line of AT+GMR by `--profile auto`.
    #[serde(default)]
    pub esp_at_version: Option<S<String>>,
    /// Commands that version does not have: their checks are not applicable under it, and a
    /// device of that version answers them as unknown.
    #[serde(default)]
    pub lacks: Vec<S<String>>,
}

fn yes() -> bool {
    true
}

/// Behaviour a profile has instead of the clause's statement.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Variant {
    /// Which behaviour (a closed set the generators and the harness know).
    pub kind: VariantKind,
    /// The profiles that behave this way.
    pub profiles: Vec<S<String>>,
    /// The behaviour, in one line.
    pub statement: String,
    /// Where it is documented.
    pub source: S<String>,
}

/// The behaviours a profile may have instead of a clause's statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VariantKind {
    /// AT+HTTPCLIENT HEAD lines have a space after the comma (`+HTTPCLIENT:<n>, <line>`),
    /// `n` still counting `<line>` only.
    HeadLineSpace,
    /// AT+HTTPCHEAD appends an entry whose name is already stored instead of replacing it.
    CheadAppends,
    /// A status of 400 or more ends AT+HTTPCGET, AT+HTTPCPOST and AT+HTTPCPUT with a bare
    /// ERROR (no ERR CODE line).
    StatusErrorBare,
    /// AT+HTTPCGET, AT+HTTPCPOST and AT+HTTPCPUT follow a 301/302/303/307/308 with a Location,
    /// re-using the method, headers and body, up to 10 times; the 3xx bodies are printed first.
    FollowsRedirects,
    /// AT+HTTPGETSIZE takes the URL only; a line with more parameters is refused as one with
    /// too many.
    GetsizeUrlOnly,
}

impl VariantKind {
    /// Every kind.
    pub const ALL: [VariantKind; 5] = [
        VariantKind::HeadLineSpace,
        VariantKind::CheadAppends,
        VariantKind::StatusErrorBare,
        VariantKind::FollowsRedirects,
        VariantKind::GetsizeUrlOnly,
    ];

    /// The YAML spelling.
    pub fn name(self) -> &'static str {
        match self {
            VariantKind::HeadLineSpace => "head_line_space",
            VariantKind::CheadAppends => "chead_appends",
            VariantKind::StatusErrorBare => "status_error_bare",
            VariantKind::FollowsRedirects => "follows_redirects",
            VariantKind::GetsizeUrlOnly => "getsize_url_only",
        }
    }

    /// The commands whose behaviour it changes (a clause with the variant binds one of them).
    pub fn commands(self) -> &'static [&'static str] {
        match self {
            VariantKind::HeadLineSpace => &["AT+HTTPCLIENT"],
            VariantKind::CheadAppends => &["AT+HTTPCHEAD"],
            VariantKind::StatusErrorBare | VariantKind::FollowsRedirects => {
                &["AT+HTTPCGET", "AT+HTTPCPOST", "AT+HTTPCPUT"]
            }
            VariantKind::GetsizeUrlOnly => &["AT+HTTPGETSIZE"],
        }
    }
}

/// Identification of the spec and the documents it is derived from.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    /// Short machine name, e.g. `esp-at-http`.
    pub name: S<String>,
    /// Version of this spec file (semver).
    pub version: S<String>,
    /// Human title.
    pub title: String,
    /// One paragraph on what the spec covers.
    #[serde(default)]
    pub description: String,
    /// The documents a clause's `source` may name.
    pub sources: Vec<SourceDef>,
}

/// A citable source document.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceDef {
    /// The word a clause's `source` starts with.
    pub id: S<String>,
    /// What the document is.
    pub title: String,
    /// Whether a citation must name a section (`reference §2.4`).
    #[serde(default)]
    pub sections: bool,
    /// Where the source ranks when sources disagree (lower wins).
    pub precedence: u32,
}

/// Numeric limits.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Maximum command line length in bytes, terminator included.
    pub line_bytes: S<u32>,
    /// Maximum number of comma-separated parameters in one command.
    pub max_params: S<u32>,
    /// Named integer ranges that parameters refer to with `limit:`.
    pub ranges: Vec<NamedRange>,
    /// Fixed strings the spec states (the User-Agent), generated as constants.
    #[serde(default)]
    pub strings: Vec<NamedString>,
}

/// A fixed string both implementations must use as the spec writes it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamedString {
    /// Name (snake_case); the generated constant is its upper-case form.
    pub name: S<String>,
    /// The string.
    pub value: String,
    /// What it is.
    #[serde(default)]
    pub description: String,
}

/// A named integer range with an optional default.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamedRange {
    /// Name used by `limit:` references.
    pub name: S<String>,
    /// Inclusive bounds `[min, max]`.
    pub range: [S<i64>; 2],
    /// Value used when a parameter bound to this range is omitted.
    #[serde(default)]
    pub default: Option<S<i64>>,
    /// Unit of the value (`byte`, `ms`).
    #[serde(default)]
    pub unit: Option<String>,
    /// What the range bounds.
    #[serde(default)]
    pub description: String,
}

/// Framing rules common to every command.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Framing {
    /// Bytes that end a command line.
    pub terminator: S<String>,
    /// Whether echo is on after power-up.
    pub echo_default: bool,
    /// Every final result and fixed string, byte-exact.
    pub results: Vec<ResultDef>,
    /// Parameter syntax.
    pub params: ParamSyntax,
    /// What a device answers to a form a command does not have.
    pub missing_form: Answer,
    /// What a device answers to a command name it does not know.
    pub unknown_command: Answer,
    /// What a device answers to a line that breaks the framing (no `AT`, too long).
    pub bad_line: Answer,
    /// What a device answers to more parameters than `max_params`.
    pub too_many_params: Answer,
    /// What a device answers when a parameter cannot be read: missing where the command reads
    /// it, not an integer, not a quoted string. Its error code usually adds the parameter index.
    pub parse_failure: Answer,
    /// What a device answers to a parameter that was read but is not acceptable: empty where a
    /// value is needed, out of range, without a required byte, or more fields than the form takes.
    pub invalid_param: Answer,
    /// Clauses describing the framing.
    #[serde(default)]
    pub clauses: Vec<S<String>>,
}

/// A fixed byte string the device prints (a result code, the prompt, `ready`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResultDef {
    /// Name that outcomes refer to.
    pub name: S<String>,
    /// Exact bytes on the wire.
    pub bytes: S<String>,
    /// Whether this string ends a command (a final result) or is intermediate.
    pub r#final: bool,
    /// When it is printed.
    #[serde(default)]
    pub description: String,
}

/// How parameters are written on a command line.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParamSyntax {
    /// Byte separating parameters.
    pub separator: S<String>,
    /// Byte opening and closing a string parameter.
    pub quote: S<String>,
    /// Byte that makes the next byte literal.
    pub escape: S<String>,
    /// Whether an empty field means "omitted".
    pub empty_is_omitted: bool,
    /// Integer notations accepted (`decimal`, `hex`).
    pub integer_forms: Vec<S<String>>,
}

/// A final answer: an optional `ERR CODE` and a result.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    /// Name of the error code printed first when SYSLOG is on, if any.
    #[serde(default)]
    pub err_code: Option<S<String>>,
    /// Name of the final result.
    pub result: S<String>,
}

/// The `ERR CODE` layout and every code.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorCodes {
    /// Template of the line, e.g. `ERR CODE:0x{code:08x}\r\n`.
    pub line: S<String>,
    /// Human description of the layout.
    pub layout: String,
    /// The module byte (`MM`).
    pub module: S<u32>,
    /// Sub-category bytes (`SS`).
    pub subcategories: Vec<SubCategory>,
    /// Named codes.
    pub codes: Vec<ErrorCode>,
    /// The documented HTTP status table of the extension codes.
    pub http_status: Vec<HttpStatus>,
}

/// One `SS` sub-category.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubCategory {
    /// Symbolic name.
    pub name: S<String>,
    /// The byte value.
    pub value: S<u32>,
    /// Whether a device ever prints a code of this category.
    pub emitted: bool,
    /// When it is used.
    pub description: String,
}

/// A named error code `0xMMSSEEEE`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorCode {
    /// Name outcomes refer to.
    pub name: S<String>,
    /// Sub-category name.
    pub sub: S<String>,
    /// The extension `EEEE` (base value when `plus` is set).
    pub ext: S<u32>,
    /// A run-time value added to `ext`.
    #[serde(default)]
    pub plus: Option<S<CodeVariable>>,
    /// When it is printed.
    pub description: String,
    /// Clauses that state it.
    #[serde(default)]
    pub clauses: Vec<S<String>>,
}

/// A run-time value that completes an error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CodeVariable {
    /// The 0-based index of the offending parameter.
    ParamIndex,
    /// The HTTP status code of the response.
    HttpStatus,
}

/// A documented HTTP status with its reason phrase.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpStatus {
    /// The status code.
    pub status: S<u32>,
    /// Its reason phrase as documented.
    pub reason: String,
}

/// A piece of device state.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateVar {
    /// Name.
    pub name: S<String>,
    /// Value after power-up or `AT+RST`, in words.
    pub initial: String,
    /// Commands that change it.
    pub set_by: Vec<S<String>>,
    /// What it holds.
    pub description: String,
    /// Clauses about it.
    #[serde(default)]
    pub clauses: Vec<S<String>>,
}

/// Which family a command belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    /// Base AT commands needed to operate a device.
    Base,
    /// The HTTP client commands.
    Http,
}

/// One AT command.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Command {
    /// Full name as typed, e.g. `AT+HTTPCLIENT`, `ATE0`, `AT`.
    pub name: S<String>,
    /// CamelCase identifier for generated code.
    pub ident: S<String>,
    /// Family.
    pub group: Group,
    /// One line.
    pub summary: String,
    /// Longer explanation.
    #[serde(default)]
    pub description: String,
    /// First firmware release that had it, if known.
    #[serde(default)]
    pub since: Option<String>,
    /// The forms it has; absent forms answer [`Framing::missing_form`].
    pub forms: Forms,
    /// Clauses bound to the command as a whole.
    #[serde(default)]
    pub clauses: Vec<S<String>>,
}

/// The four AT command forms.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Forms {
    /// `AT+X=?`
    #[serde(default)]
    pub test: Option<Form>,
    /// `AT+X?`
    #[serde(default)]
    pub query: Option<Form>,
    /// `AT+X=<params>`
    #[serde(default)]
    pub set: Option<Form>,
    /// `AT+X`
    #[serde(default)]
    pub execute: Option<Form>,
}

/// Names of the forms, in wire order of their markers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FormKind {
    /// `=?`
    Test,
    /// `?`
    Query,
    /// `=`
    Set,
    /// terminator right after the name
    Execute,
}

impl FormKind {
    /// All kinds, in a fixed order.
    pub const ALL: [FormKind; 4] = [
        FormKind::Test,
        FormKind::Query,
        FormKind::Set,
        FormKind::Execute,
    ];

    /// Lower-case name as used in YAML keys.
    pub fn as_str(self) -> &'static str {
        match self {
            FormKind::Test => "test",
            FormKind::Query => "query",
            FormKind::Set => "set",
            FormKind::Execute => "execute",
        }
    }

    /// The bytes between the command name and the terminator or parameters.
    pub fn marker(self) -> &'static str {
        match self {
            FormKind::Test => "=?",
            FormKind::Query => "?",
            FormKind::Set => "=",
            FormKind::Execute => "",
        }
    }
}

impl Forms {
    /// The form of a kind, if the command has it.
    pub fn get(&self, kind: FormKind) -> Option<&Form> {
        match kind {
            FormKind::Test => self.test.as_ref(),
            FormKind::Query => self.query.as_ref(),
            FormKind::Set => self.set.as_ref(),
            FormKind::Execute => self.execute.as_ref(),
        }
    }

    /// The forms present, in [`FormKind::ALL`] order.
    pub fn iter(&self) -> impl Iterator<Item = (FormKind, &Form)> {
        FormKind::ALL
            .into_iter()
            .filter_map(|k| self.get(k).map(|f| (k, f)))
    }
}

/// One form of a command: its parameters, data phase, request, output and outcomes.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Form {
    /// Syntax line as documented.
    pub syntax: String,
    /// Positional parameters, in order.
    #[serde(default)]
    pub params: Vec<Param>,
    /// A trailing repeated parameter (request headers).
    #[serde(default)]
    pub variadic: Option<Variadic>,
    /// Raw data read after the prompt.
    #[serde(default)]
    pub data: Option<DataPhase>,
    /// The HTTP request the form sends, for network commands.
    #[serde(default)]
    pub request: Option<Request>,
    /// Response line templates.
    #[serde(default)]
    pub responses: Vec<Response>,
    /// Every way the command can end.
    pub outcomes: Vec<Outcome>,
    /// Clauses bound to this form.
    #[serde(default)]
    pub clauses: Vec<S<String>>,
}

/// Wire type of a parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParamType {
    /// Decimal or `0x` hexadecimal integer.
    Int,
    /// Double-quoted string with backslash escapes.
    String,
}

/// Whether a parameter (and its comma) must be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    /// The position must exist and the field must not be empty.
    Required,
    /// The position (its comma) must exist; the field may be empty.
    Positional,
    /// The field may be empty, and dropped entirely when nothing follows it.
    Optional,
    /// The field may be dropped when nothing follows it, but when written it must not be empty.
    Trailing,
}

impl Presence {
    /// Whether the parameter may be left out together with everything after it.
    pub fn droppable(self) -> bool {
        matches!(self, Presence::Optional | Presence::Trailing)
    }

    /// Whether a written but empty field is accepted.
    pub fn allows_empty(self) -> bool {
        matches!(self, Presence::Optional | Presence::Positional)
    }
}

/// A literal value in the spec: integer or string.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Value {
    /// An integer.
    Int(i64),
    /// A string.
    Str(String),
}

impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Int(i) => write!(f, "{i}"),
            Value::Str(s) => write!(f, "{s:?}"),
        }
    }
}

/// One positional parameter.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Param {
    /// snake_case name.
    pub name: S<String>,
    /// Wire type.
    #[serde(rename = "type")]
    pub ty: S<ParamType>,
    /// Whether it must be written.
    pub presence: S<Presence>,
    /// Inclusive bounds `[min, max]` for an `int`.
    #[serde(default)]
    pub range: Option<[S<i64>; 2]>,
    /// Take range and default from a named limit instead.
    #[serde(default)]
    pub limit: Option<S<String>>,
    /// Value when omitted.
    #[serde(default)]
    pub default: Option<S<Value>>,
    /// Named values of an enumerated `int`.
    #[serde(default, rename = "enum")]
    pub enum_values: Vec<EnumValue>,
    /// Whether integers outside `enum` still parse (the command then handles them as an outcome).
    #[serde(default)]
    pub enum_open: bool,
    /// Values with a special meaning (inside or outside the range).
    #[serde(default)]
    pub special: Vec<Special>,
    /// The parameter exists only when another parameter has one of these values.
    #[serde(default)]
    pub only_if: Option<Condition>,
    /// A byte string a `string` value must contain.
    #[serde(default)]
    pub must_contain: Option<S<String>>,
    /// Maximum decoded length in bytes of a `string`.
    #[serde(default)]
    pub max_len: Option<S<u32>>,
    /// What it means.
    pub description: String,
    /// Clauses about it.
    #[serde(default)]
    pub clauses: Vec<S<String>>,
}

/// A named value of an enumerated parameter.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnumValue {
    /// The integer on the wire.
    pub value: S<i64>,
    /// CamelCase name for generated code.
    pub name: S<String>,
    /// What it selects (e.g. the MIME type).
    pub meaning: String,
}

/// A value with a special meaning.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Special {
    /// The value.
    pub value: S<i64>,
    /// What it means.
    pub meaning: String,
}

/// `param in [values]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// The parameter tested.
    pub param: S<String>,
    /// Values for which the condition holds.
    #[serde(rename = "in")]
    pub values: Vec<S<i64>>,
}

/// A trailing repeated string parameter.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Variadic {
    /// snake_case name of one element.
    pub name: S<String>,
    /// A parameter holding the number of elements; without it, all remaining fields are taken.
    #[serde(default)]
    pub count_param: Option<S<String>>,
    /// A byte string each element must contain.
    #[serde(default)]
    pub must_contain: Option<S<String>>,
    /// What one element is.
    pub description: String,
    /// Clauses about it.
    #[serde(default)]
    pub clauses: Vec<S<String>>,
}

/// Raw data read after the `>` prompt.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataPhase {
    /// The parameter giving the number of bytes.
    pub length_param: S<String>,
    /// Length values for which no prompt is printed and no data read.
    #[serde(default)]
    pub no_data_when: Vec<S<i64>>,
    /// Name of the result printed as the prompt.
    pub prompt: S<String>,
    /// Whether the data bytes are echoed.
    pub echo: bool,
    /// What happens to the bytes.
    pub description: String,
    /// Clauses about it.
    #[serde(default)]
    pub clauses: Vec<S<String>>,
}

/// The HTTP request a network command sends.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// Where the URL comes from, tried in order: `param:<url>` (used when not empty),
    /// `host_path:<host>,<path>` (used when both are not empty), `urlcfg` (the stored URL).
    pub target: Vec<S<String>>,
    /// A fixed method, or `param:<name>` for an enumerated parameter.
    pub method: S<String>,
    /// `none`, `param:<name>` or `data`.
    pub body: S<String>,
    /// Where the network timeout comes from: `param:<name>` or a fixed limit name.
    pub timeout: S<String>,
    /// Where the buffer sizes come from: `param:<tx>,<rx>` or a fixed limit name.
    pub buffers: S<String>,
    /// Content-Type rule, in words.
    pub content_type: String,
}

/// A response line template.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Response {
    /// Name outcomes refer to.
    pub name: S<String>,
    /// Bytes with `{field}` placeholders.
    pub template: S<String>,
    /// The placeholders.
    #[serde(default)]
    pub fields: Vec<Field>,
    /// Whether the line may repeat.
    #[serde(default)]
    pub repeat: bool,
    /// When it is printed.
    #[serde(default)]
    pub description: String,
}

/// How a placeholder is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    /// Decimal integer.
    Decimal,
    /// Raw bytes whose count is given by `length_field`; may contain any byte.
    Bytes,
    /// Printable text without CR or LF.
    Text,
}

/// One placeholder of a template.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// Name used in the template.
    pub name: S<String>,
    /// Wire representation.
    #[serde(rename = "type")]
    pub ty: S<FieldType>,
    /// For `bytes`: the decimal field holding its length.
    #[serde(default)]
    pub length_field: Option<S<String>>,
    /// What it holds.
    #[serde(default)]
    pub description: String,
}

/// One way a command ends.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outcome {
    /// snake_case name.
    pub name: S<String>,
    /// Condition, in words.
    pub when: String,
    /// Response lines printed before the result, in order (repeating ones 0..n times).
    #[serde(default)]
    pub lines: Vec<S<String>>,
    /// Error code printed before the result when SYSLOG is on.
    #[serde(default)]
    pub err_code: Option<S<String>>,
    /// Name of the final result.
    pub result: S<String>,
    /// A string printed some time after the result (e.g. `ready` after a restart).
    #[serde(default)]
    pub then: Option<S<String>>,
    /// Clauses that state it.
    #[serde(default)]
    pub clauses: Vec<S<String>>,
}

/// A normative statement.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clause {
    /// Stable dotted id, e.g. `HTTPCLIENT.REDIRECT.NOT_FOLLOWED`.
    pub id: S<String>,
    /// One line.
    pub statement: String,
    /// Commands it binds; `*` binds every command.
    pub binds: Vec<S<String>>,
    /// `seed`, `reference §N.N`, or another declared source.
    pub source: S<String>,
    /// Where real firmware differs, or why a choice was made.
    #[serde(default)]
    pub note: Option<String>,
    /// Readings the sources leave open: besides the answer the statement gives, a device may
    /// answer any of these, and passes.
    #[serde(default)]
    pub alternatives: Vec<Alternative>,
    /// What some profiles do instead of the statement (ESP-AT versions before a change).
    #[serde(default)]
    pub variants: Vec<Variant>,
}

/// A second answer the sources allow where they can be read two ways.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, tag = "kind", rename_all = "snake_case")]
pub enum Alternative {
    /// A rejection of the bound command for a missing parameter may come without its
    /// ERR CODE line (a bare ERROR).
    ErrCodeOptional {
        /// Why the sources allow it.
        why: String,
        /// The sources leave the order open for the firmware itself: the reading passes under
        /// every profile, the ESP-AT versions' included, not only those that take
        /// alternatives.
        #[serde(default)]
        every_profile: bool,
    },
    /// When the line of the bound command ends before `param`, the device may apply `value`
    /// instead of rejecting the line.
    MissingMeansDefault {
        /// The parameter (of the command's set form).
        param: String,
        /// The value applied.
        value: i64,
        /// Why the sources allow it.
        why: String,
    },
    /// When parameter `when` has one of `values`, the fields from `param` on may be written
    /// and are ignored, instead of refusing the line.
    ExtraParamsIgnored {
        /// The first ignored parameter.
        param: String,
        /// The parameter whose value decides.
        when: String,
        /// Its values for which the extra fields are ignored.
        values: Vec<i64>,
        /// Why the sources allow it.
        why: String,
    },
    /// A 301/302/303/307/308 response with a Location header may be followed as the
    /// `follows_redirects` variant describes, instead of ending the command.
    RedirectFollowed {
        /// Why the sources allow it.
        why: String,
    },
}

impl Alternative {
    /// Why the sources allow it.
    pub fn why(&self) -> &str {
        match self {
            Alternative::ErrCodeOptional { why, .. }
            | Alternative::MissingMeansDefault { why, .. }
            | Alternative::ExtraParamsIgnored { why, .. }
            | Alternative::RedirectFollowed { why } => why,
        }
    }
}

impl Spec {
    /// The command with this name (`AT+HTTPCGET`), if any.
    pub fn command(&self, name: &str) -> Option<&Command> {
        self.commands.iter().find(|c| c.name.value == name)
    }

    /// The profile with this id, if any.
    pub fn profile(&self, id: &str) -> Option<&Profile> {
        self.profiles.iter().find(|p| p.id.value == id)
    }

    /// The clause with this id, if any.
    pub fn clause(&self, id: &str) -> Option<&Clause> {
        self.clauses.iter().find(|c| c.id.value == id)
    }

    /// The result string with this name, if any.
    pub fn result(&self, name: &str) -> Option<&ResultDef> {
        self.framing.results.iter().find(|r| r.name.value == name)
    }

    /// The error code with this name, if any.
    pub fn error_code(&self, name: &str) -> Option<&ErrorCode> {
        self.error_codes.codes.iter().find(|c| c.name.value == name)
    }

    /// The named limit range, if any.
    pub fn range(&self, name: &str) -> Option<&NamedRange> {
        self.limits.ranges.iter().find(|r| r.name.value == name)
    }

    /// The numeric value of an error code: `0xMMSSEEEE` with `plus` taken as 0.
    pub fn code_value(&self, code: &ErrorCode) -> Option<u32> {
        let sub = self
            .error_codes
            .subcategories
            .iter()
            .find(|s| s.name.value == code.sub.value)?;
        Some((self.error_codes.module.value << 24) | (sub.value.value << 16) | code.ext.value)
    }

    /// Number of commands in a group.
    pub fn count(&self, group: Group) -> usize {
        self.commands.iter().filter(|c| c.group == group).count()
    }
}

impl Param {
    /// Inclusive bounds, from `range` or from the named `limit`.
    pub fn bounds(&self, spec: &Spec) -> Option<(i64, i64)> {
        if let Some([lo, hi]) = &self.range {
            return Some((lo.value, hi.value));
        }
        let r = spec.range(&self.limit.as_ref()?.value)?;
        Some((r.range[0].value, r.range[1].value))
    }

    /// Default, from `default` or from the named `limit`.
    pub fn default_value(&self, spec: &Spec) -> Option<Value> {
        if let Some(d) = &self.default {
            return Some(d.value.clone());
        }
        let r = spec.range(&self.limit.as_ref()?.value)?;
        r.default.as_ref().map(|d| Value::Int(d.value))
    }
}
