//! # atspec-c-tests
//!
//! The C that `atspec gen c` writes, held to the Rust device code: both parse every line to
//! the same [`Outcome`] (the same command and values, or the same rejection and the same
//! printed bytes), and every writer prints the same bytes. `build.rs` generates the C from the
//! workspace spec and compiles it; `tests/` compares, `benches/parse.rs` times both.

mod ffi;

pub use ffi::{c_dispatch, c_meaning, c_parse, c_parse_only, c_write};

/// The device side of the spec, as Rust firmware compiles it.
pub mod device {
    atspec_codegen::device!("../../../spec/esp-at-http.yaml");
}

/// The host side (encoders, strategies), with conversions from device commands.
pub mod host {
    atspec_codegen::host!("../../../spec/esp-at-http.yaml", device = crate::device);
}

/// Where `build.rs` wrote the generated C (`atspec_at.h`, `atspec_at.c`) and the shims.
pub const GENERATED_DIR: &str = concat!(env!("OUT_DIR"), "/gen");

/// How a writer argument is passed (mirrors `atspec_codegen_gen::c::ArgKind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arg {
    /// A signed decimal.
    Decimal,
    /// Bytes or text.
    Bytes,
    /// A zero-padded hex number (32 bits).
    Hex,
    /// A head half's data length.
    Length,
}

/// One writer: its `device!` name and each part's arguments (the full writer, then the head
/// and tail halves of a payload line).
#[derive(Debug, Clone, Copy)]
pub struct WriterInfo {
    /// `http_client_body`.
    pub name: &'static str,
    /// Argument kinds of each part.
    pub parts: &'static [&'static [Arg]],
}

include!(concat!(env!("OUT_DIR"), "/writers.rs"));

/// One parameter value of a parsed command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// Omitted.
    None,
    /// An integer (an enumerated one as its wire value).
    Int(i32),
    /// A decoded string.
    Bytes(Vec<u8>),
}

/// What a parser made of one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A command: its full name, its form, its positional values then its repeated items.
    Command {
        /// `AT+HTTPCLIENT`.
        name: String,
        /// The form.
        form: atspec_rt::Form,
        /// Values in line order.
        values: Vec<Value>,
    },
    /// A rejection, and what the device prints for it with SYSLOG on.
    Rejected {
        /// Why.
        kind: atspec_rt::RejectKind,
        /// The ERR CODE the spec assigns.
        err_code: Option<u32>,
        /// The final result's bytes.
        result: Vec<u8>,
        /// ERR CODE line and result, as printed.
        printed: Vec<u8>,
    },
}

impl Outcome {
    /// One line of text for the outcome (the sanitizer driver prints the same).
    pub fn canonical(&self) -> String {
        match self {
            Outcome::Command { name, form, values } => {
                let vals: Vec<String> = values
                    .iter()
                    .map(|v| match v {
                        Value::None => "-".to_owned(),
                        Value::Int(i) => format!("i{i}"),
                        Value::Bytes(b) => format!("b{}", hex(b)),
                    })
                    .collect();
                format!("C {name} {} {}", form_index(*form), vals.join(","))
            }
            Outcome::Rejected {
                kind,
                err_code,
                printed,
                ..
            } => {
                let (k, i) = reject_parts(*kind);
                let code = err_code.map_or("-".to_owned(), |c| format!("{c:08x}"));
                format!("R {k} {i} {code} {}", hex(printed))
            }
        }
    }
}

/// Lower-case hex of bytes.
pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The C enum's index of a form.
pub fn form_index(f: atspec_rt::Form) -> u32 {
    match f {
        atspec_rt::Form::Test => 0,
        atspec_rt::Form::Query => 1,
        atspec_rt::Form::Set => 2,
        atspec_rt::Form::Execute => 3,
    }
}

/// The C enum's index of a rejection kind, and its index field.
pub fn reject_parts(k: atspec_rt::RejectKind) -> (u32, u8) {
    use atspec_rt::RejectKind as K;
    match k {
        K::BadLine => (0, 0),
        K::UnknownCommand => (1, 0),
        K::MissingForm => (2, 0),
        K::TooManyParams => (3, 0),
        K::ParseFailure { index } => (4, index),
        K::InvalidParam { index } => (5, index),
        K::ParamCount { given } => (6, given),
    }
}

/// The Rust parser's outcome, with a scratch buffer of `scratch_len` bytes.
pub fn rust_parse(line: &[u8], scratch_len: usize) -> Outcome {
    use atspec_rt::strategy::Raw;
    let mut scratch = vec![0u8; scratch_len];
    match device::parse(line, &mut scratch) {
        Ok(cmd) => {
            let (name, form) = cmd.name_and_form();
            let raw = host::raw_form(&host::Command::from_device(&cmd));
            let mut values: Vec<Value> = raw
                .params
                .into_iter()
                .map(|r| match r {
                    Raw::Int(i) => Value::Int(i),
                    Raw::Str(s) => Value::Bytes(s),
                    _ => Value::None,
                })
                .collect();
            values.extend(raw.list.into_iter().map(Value::Bytes));
            Outcome::Command {
                name: name.as_str().to_owned(),
                form,
                values,
            }
        }
        Err(r) => {
            let mut printed = Vec::new();
            if let Some(code) = r.err_code {
                device::respond::err_code_line(&mut printed, code);
            }
            printed.extend_from_slice(r.result);
            Outcome::Rejected {
                kind: r.kind,
                err_code: r.err_code,
                result: r.result.to_vec(),
                printed,
            }
        }
    }
}
