//! # atspec-codegen
//!
//! ```ignore
//! mod device { atspec_codegen::device!("../spec/esp-at-http.yaml"); }
//! mod host { atspec_codegen::host!("../spec/esp-at-http.yaml", device = crate::device); }
//! ```
//!
//! The path is relative to the file containing the invocation (like `include_bytes!`).
//! Options: `runtime = path` (where `atspec_rt` lives, default `::atspec_rt`) and, for `host!`,
//! `device = path` (a module holding `device!` output, to generate `Command::from_device`).
//!
//! Work happens in three steps, like serde_derive: **parse** the macro input, **validate** the
//! spec (every error of the file, each `file:line:col`, combined into one compile error on the
//! string literal), **generate** with `atspec-codegen-gen`.
#![cfg_attr(span_source_file, feature(proc_macro_span))]

use std::path::PathBuf;

use atspec_codegen_gen::{Options, Side};
use proc_macro::TokenStream;
use syn::parse::{Parse, ParseStream};
use syn::{LitStr, Path, Token};

/// Generates the `no_std`, allocation-free device side: typed commands, `parse`, `Handler`,
/// `dispatch`, response writers, `Clause` and `err_code`.
#[proc_macro]
pub fn device(input: TokenStream) -> TokenStream {
    expand(input, Side::Device)
}

/// Generates the host side: owned commands, `encode`, the decoder table, proptest strategies
/// and the clause table.
#[proc_macro]
pub fn host(input: TokenStream) -> TokenStream {
    expand(input, Side::Host)
}

/// Parsed macro input.
struct Input {
    path: LitStr,
    runtime: Option<Path>,
    device: Option<Path>,
}

impl Parse for Input {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let path: LitStr = input.parse()?;
        let mut out = Input {
            path,
            runtime: None,
            device: None,
        };
        while !input.is_empty() {
            input.parse::<Token![,]>()?;
            if input.is_empty() {
                break;
            }
            let key: syn::Ident = input.parse()?;
            input.parse::<Token![=]>()?;
            let value: Path = input.parse()?;
            match key.to_string().as_str() {
                "runtime" => out.runtime = Some(value),
                "device" => out.device = Some(value),
                other => {
                    return Err(syn::Error::new(
                        key.span(),
                        format!("unknown option `{other}`; expected `runtime` or `device`"),
                    ));
                }
            }
        }
        Ok(out)
    }
}

fn expand(input: TokenStream, side: Side) -> TokenStream {
    let input = match syn::parse::<Input>(input) {
        Ok(i) => i,
        Err(e) => return e.to_compile_error().into(),
    };
    if side == Side::Device && input.device.is_some() {
        return syn::Error::new(input.path.span(), "`device = …` is an option of `host!`")
            .to_compile_error()
            .into();
    }
    let written = input.path.value();
    let path = resolve(&written);
    let ir = match atspec_codegen_gen::load(&path, &written) {
        Ok(ir) => ir,
        Err(diags) => {
            // One error per problem, all attached to the literal: a span cannot point into
            // the YAML, so the message carries the YAML position.
            let mut errors = diags.iter().map(|d| {
                syn::Error::new(
                    input.path.span(),
                    format!("{}:{}:{}: {}", d.file, d.line, d.col, d.message),
                )
            });
            let mut first = errors
                .next()
                .unwrap_or_else(|| syn::Error::new(input.path.span(), "invalid spec"));
            for e in errors {
                first.combine(e);
            }
            return first.to_compile_error().into();
        }
    };
    let mut opts = Options {
        device: input.device,
        track: Some(path.display().to_string()),
        ..Options::default()
    };
    if let Some(rt) = input.runtime {
        opts.runtime = rt;
    }
    atspec_codegen_gen::generate(&ir, side, &opts).into()
}

/// Resolves the spec path against the invoking file's directory (like `include_bytes!`),
/// falling back to the crate root when the compiler reports no file. The result is absolute so
/// the generated `include_bytes!` finds the same file.
fn resolve(written: &str) -> PathBuf {
    let p = PathBuf::from(written);
    if p.is_absolute() {
        return p;
    }
    let base = invoking_file()
        .and_then(|f| f.parent().map(PathBuf::from))
        .unwrap_or_else(|| {
            std::env::var("CARGO_MANIFEST_DIR")
                .map(PathBuf::from)
                .unwrap_or_default()
        });
    let joined = base.join(p);
    std::fs::canonicalize(&joined).unwrap_or(joined)
}

/// The file holding the invocation, when the compiler reports a real one.
#[cfg(not(span_source_file))]
fn invoking_file() -> Option<PathBuf> {
    proc_macro::Span::call_site().local_file()
}

/// The same on compilers before 1.88 (see `build.rs`).
#[cfg(span_source_file)]
fn invoking_file() -> Option<PathBuf> {
    let f = proc_macro::Span::call_site().source_file();
    f.is_real().then(|| f.path())
}
