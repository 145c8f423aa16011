//! `atspec gen c`: the device side as portable C99 — the same parser, dispatcher and writers
//! that `device!` generates for Rust firmware, from the same [`Ir`].
//!
//! The output is two files, `<prefix>_at.h` and `<prefix>_at.c`. They include only the
//! freestanding headers `<stdint.h>`, `<stddef.h>` and `<stdbool.h>` (not even `<string.h>`:
//! a bare-metal SDK without a C library builds them); no heap, no recursion, no mutable
//! global (every table is `static const`). The parser follows the Rust one check for
//! check (`codegen/rt` holds the Rust primitives this mirrors), so the two answer every line
//! with the same command or the same rejection; `codegen/c-tests` proves it differentially.
//!
//! Two optional parts are switched by macros so firmware pays only for what it uses:
//! `<PREFIX>_CLAUSE_TABLE` (default 1: the clause ids, statements and sources) and
//! `<PREFIX>_REFLECT` (default 0: a generic view of a parsed command's values, for logging
//! and for the differential tests).

mod header;
mod parse;
mod runtime;
mod source;
pub mod text;
mod writers;

use crate::ir::{CommandIr, FormIr, Ir, ParamIr};
use crate::names::snake;

use writers::writers;
pub use writers::{ArgKind, Args, Writer};

/// What to generate.
#[derive(Debug, Clone)]
pub struct COptions {
    /// Lower-case prefix of every name (`atspec` → `atspec_parse`, `ATSPEC_LINE_BYTES`) and of
    /// the file names; a second spec in one firmware takes another.
    pub prefix: String,
}

impl Default for COptions {
    fn default() -> Self {
        COptions {
            prefix: "atspec".to_owned(),
        }
    }
}

/// The generated files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CFiles {
    /// `atspec_at.h`.
    pub header_name: String,
    /// Its text.
    pub header: String,
    /// `atspec_at.c`.
    pub source_name: String,
    /// Its text.
    pub source: String,
}

/// Generates the header and the source. Fails only on a prefix that is no C identifier or on
/// spec names that would collide once spelled in C.
pub fn generate(ir: &Ir, opts: &COptions) -> Result<CFiles, String> {
    let prefix = &opts.prefix;
    let valid = prefix
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase())
        && prefix
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !valid {
        return Err(format!(
            "prefix `{prefix}` is no C identifier stem: use lower-case letters, digits and _, starting with a letter"
        ));
    }
    let n = Names::new(prefix);
    collisions(ir, &n)?;
    let header_name = format!("{prefix}_at.h");
    Ok(CFiles {
        header: header::generate(ir, &n),
        source: source::generate(ir, &n, &header_name),
        header_name,
        source_name: format!("{prefix}_at.c"),
    })
}

/// Every writer of the spec as C names it (for tools and tests that call them generically).
pub fn writer_list(ir: &Ir, opts: &COptions) -> Vec<Writer> {
    writers(ir, &Names::new(&opts.prefix))
}

/// Every enumerated parameter's meaning function: its C name, the Rust enum type `device!`
/// generates for it, and whether other integers parse (for tests that compare the two).
pub fn meaning_functions(ir: &Ir, opts: &COptions) -> Vec<(String, String, bool)> {
    let n = Names::new(&opts.prefix);
    enumerated(ir)
        .into_iter()
        .filter_map(|p| {
            let e = p.enumeration.as_ref()?;
            Some((
                format!("{}_meaning", n.enum_type(p)?),
                e.ty.to_string(),
                e.open,
            ))
        })
        .collect()
}

/// Every form in the order of the C command kinds: the full command name, its form marker,
/// the handler table's member and, for a form with values, its struct type.
pub fn form_list(ir: &Ir, opts: &COptions) -> Vec<(String, &'static str, String, Option<String>)> {
    let n = Names::new(&opts.prefix);
    forms(ir)
        .into_iter()
        .map(|(c, f)| {
            let ty = f.has_fields().then(|| n.form_type(f));
            (c.name.clone(), f.kind.marker(), n.form_member(f), ty)
        })
        .collect()
}

/// Two clause ids, or two enum values, that become one C name.
fn collisions(ir: &Ir, n: &Names) -> Result<(), String> {
    let mut seen = std::collections::HashMap::new();
    for c in &ir.clauses {
        if let Some(prev) = seen.insert(n.clause(&c.id), &c.id) {
            return Err(format!(
                "clause ids `{prev}` and `{}` both become `{}` in C",
                c.id,
                n.clause(&c.id)
            ));
        }
    }
    Ok(())
}

/// The names of one generation, under its prefix.
pub(crate) struct Names {
    /// `atspec`.
    pub p: String,
    /// `ATSPEC`.
    pub up: String,
}

impl Names {
    fn new(prefix: &str) -> Self {
        Names {
            p: prefix.to_owned(),
            up: prefix.to_ascii_uppercase(),
        }
    }

    /// `atspec_http_client`: a form's parameter struct.
    pub fn form_type(&self, f: &FormIr) -> String {
        format!(
            "{}_{}",
            self.p,
            f.method.to_string().trim_start_matches("r#")
        )
    }

    /// `http_client`: a form's union member and handler name.
    pub fn form_member(&self, f: &FormIr) -> String {
        text::member(f.method.to_string().trim_start_matches("r#"))
    }

    /// `ATSPEC_CMD_HTTP_CLIENT`: a form's command kind.
    pub fn kind(&self, f: &FormIr) -> String {
        format!(
            "{}_CMD_{}",
            self.up,
            text::upper(f.method.to_string().trim_start_matches("r#"))
        )
    }

    /// `ATSPEC_NAME_HTTP_CLIENT`.
    pub fn name(&self, c: &CommandIr) -> String {
        format!(
            "{}_NAME_{}",
            self.up,
            text::upper(&snake(&c.ident.to_string()))
        )
    }

    /// `ATSPEC_CLAUSE_HTTPCLIENT_REDIRECT_NOT_FOLLOWED`.
    pub fn clause(&self, id: &str) -> String {
        format!("{}_CLAUSE_{}", self.up, text::upper(id))
    }

    /// `atspec_http_client_opt`: an enumerated parameter's type.
    pub fn enum_type(&self, p: &ParamIr) -> Option<String> {
        let e = p.enumeration.as_ref()?;
        Some(format!("{}_{}", self.p, snake(&e.ty.to_string())))
    }

    /// `ATSPEC_HTTP_CLIENT_OPT_GET`: one named value.
    pub fn enum_value(&self, p: &ParamIr, variant: &str) -> String {
        let ty = p
            .enumeration
            .as_ref()
            .map(|e| e.ty.to_string())
            .unwrap_or_default();
        format!(
            "{}_{}_{}",
            self.up,
            text::upper(&snake(&ty)),
            text::upper(&snake(variant.trim_start_matches("r#")))
        )
    }

    /// The C type of a parameter's value: a closed enumeration's enum, `int32_t` for other
    /// integers (an open enumeration takes any), the bytes view for strings.
    pub fn value_type(&self, p: &ParamIr) -> String {
        use atspec_spec::model::ParamType;
        match (&p.enumeration, p.ty) {
            (Some(e), _) if !e.open => self.enum_type(p).unwrap_or_default(),
            (_, ParamType::Int) => "int32_t".to_owned(),
            (_, ParamType::String) => format!("{}_bytes", self.p),
        }
    }
}

/// Every form, with its command, in spec order (the order of the command kinds).
pub(crate) fn forms(ir: &Ir) -> Vec<(&CommandIr, &FormIr)> {
    ir.commands
        .iter()
        .flat_map(|c| c.forms.iter().map(move |f| (c, f)))
        .collect()
}

/// Every enumerated parameter, in spec order (each has a type of its own).
pub(crate) fn enumerated(ir: &Ir) -> Vec<&ParamIr> {
    forms(ir)
        .into_iter()
        .flat_map(|(_, f)| &f.params)
        .filter(|p| p.enumeration.is_some())
        .collect()
}
