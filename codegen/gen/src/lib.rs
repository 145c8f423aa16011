//! # atspec-codegen-gen
//!
//! Turns an atspec spec into Rust code. This is the engine behind the `atspec-codegen`
//! proc-macros (`device!`, `host!`) and behind `atspec spec expand`, which prints the same code
//! for review. Work is split like serde_derive: [`ir::load`] parses and validates the spec into
//! an IR (every error of the file at once, with `file:line:col`), then [`generate`] emits code.

pub mod c;
mod common;
mod device;
mod host;
pub mod ir;
mod names;

use proc_macro2::TokenStream;
use quote::quote;

pub use ir::{Ir, load};

/// Which side to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// `no_std` parser, dispatcher and writers for firmware.
    Device,
    /// Encoders, decoders, strategies and the clause table for the harness.
    Host,
}

/// Generation options.
pub struct Options {
    /// Path of the runtime crate in the generated code (default `::atspec_rt`).
    pub runtime: syn::Path,
    /// Host side: the module holding `device!` output, to generate `Command::from_device`.
    pub device: Option<syn::Path>,
    /// Absolute path of the spec file; the generated code `include_bytes!`s it so cargo
    /// rebuilds when the YAML changes.
    pub track: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            runtime: syn::parse_quote!(::atspec_rt),
            device: None,
            track: None,
        }
    }
}

/// Generates one side's items.
pub fn generate(ir: &Ir, side: Side, opts: &Options) -> TokenStream {
    let rt = &opts.runtime;
    let rt = quote!(#rt);
    let body = match side {
        Side::Device => device::generate(ir, &rt),
        Side::Host => host::generate(ir, &rt, opts.device.as_ref()),
    };
    let track = opts.track.as_ref().map(|p| {
        quote! {
            // Makes cargo rebuild this crate when the spec file changes.
            const _: &[u8] = include_bytes!(#p);
        }
    });
    quote! { #track #body }
}

/// The generated code of one side as pretty-printed Rust source, for review
/// (`atspec spec expand`). Without file tracking, so the output does not depend on where the
/// spec lives.
#[cfg(feature = "pretty")]
pub fn expand(
    path: &std::path::Path,
    shown: &str,
    side: Side,
) -> Result<String, atspec_spec::Diagnostics> {
    let ir = load(path, shown)?;
    let tokens = generate(&ir, side, &Options::default());
    let file: syn::File = syn::parse2(tokens).map_err(|e| {
        atspec_spec::Diagnostics::whole_file(
            shown,
            format!("generated code does not parse (a generator bug): {e}"),
        )
    })?;
    Ok(prettyplease::unparse(&file))
}
