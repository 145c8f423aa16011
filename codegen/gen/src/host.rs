//! `host!`: the harness side (std). Owned command model, `encode`, the streaming decoder's
//! table, proptest strategies for valid and invalid input, and the clause table.

use atspec_spec::model::{ParamType, Presence};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::common::{self, bytes, presence};
use crate::ir::{CommandIr, FormIr, Ir, ParamIr, PieceIr};
use crate::names::screaming;

/// Generates the host-side module body. `device` names a module holding `device!` output
/// from the same spec; when given, `Command::from_device` converts parsed commands.
pub fn generate(ir: &Ir, rt: &TokenStream, device: Option<&syn::Path>) -> TokenStream {
    let common = common::items(ir, rt);
    let forms: Vec<(&CommandIr, &FormIr)> = ir
        .commands
        .iter()
        .flat_map(|c| c.forms.iter().map(move |f| (c, f)))
        .collect();
    let model = command_model(rt, &forms, device);
    let clauses = clause_table(ir);
    let decoder = decoder_table(ir, rt);
    let strategies = strategies(ir, rt, &forms);
    quote! {
        #common
        #model
        #clauses
        #decoder
        #strategies
    }
}

/// The name of a form's strategy descriptor (`FORM_HTTP_C_GET_SET`).
fn desc_name(f: &FormIr) -> syn::Ident {
    format_ident!("FORM_{}", screaming(&f.method.to_string()))
}

/// `Command` (one variant per form, owned), its structs, `encode`, and the conversions to
/// and from the strategies' raw forms and the device's parsed commands.
fn command_model(
    rt: &TokenStream,
    forms: &[(&CommandIr, &FormIr)],
    device: Option<&syn::Path>,
) -> TokenStream {
    let structs = forms
        .iter()
        .filter(|(_, f)| f.has_fields())
        .map(|(c, f)| structure(c, f));
    let variants = forms.iter().map(|(c, f)| {
        let v = &f.variant;
        let doc = format!("`{}{}`", c.name, common::marker(f.kind));
        if f.has_fields() {
            quote!(#[doc = #doc] #v(#v))
        } else {
            quote!(#[doc = #doc] #v)
        }
    });
    let encode_arms = forms.iter().map(|(_, f)| {
        let v = &f.variant;
        let d = desc_name(f);
        if f.has_fields() {
            let to_raw = format_ident!("to_raw_{}", f.method);
            quote!(Command::#v(c) => #rt::strategy::encode_raw(&strategies::SPEC, &strategies::#d, &#to_raw(c)))
        } else {
            quote!(Command::#v => #rt::strategy::encode_raw(&strategies::SPEC, &strategies::#d, &#rt::strategy::RawForm { params: ::std::vec::Vec::new(), list: ::std::vec::Vec::new() }))
        }
    });
    let raw_arms = forms.iter().map(|(_, f)| {
        let v = &f.variant;
        if f.has_fields() {
            let to_raw = format_ident!("to_raw_{}", f.method);
            quote!(Command::#v(c) => #to_raw(c))
        } else {
            quote!(Command::#v => #rt::strategy::RawForm { params: ::std::vec::Vec::new(), list: ::std::vec::Vec::new() })
        }
    });
    let name_arms = common::name_and_form_arms(forms, rt);
    let to_raws = forms
        .iter()
        .filter(|(_, f)| f.has_fields())
        .map(|(_, f)| to_raw(rt, f));
    let from_raws = forms
        .iter()
        .filter(|(_, f)| f.has_fields())
        .map(|(_, f)| from_raw(rt, f));
    let from_device = device.map(|d| from_device(d, forms));
    quote! {
        /// One command, owned.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum Command { #( #variants, )* }

        impl Command {
            /// The command and form.
            pub fn name_and_form(&self) -> (Name, #rt::Form) {
                match self { #( #name_arms, )* }
            }
        }

        #( #structs )*

        /// The exact wire bytes of a command, terminator included; strings are quoted and
        /// escaped per the spec, omitted trailing parameters left out.
        pub fn encode(cmd: &Command) -> ::std::vec::Vec<u8> {
            match cmd { #( #encode_arms, )* }
        }

        /// A command's values as the strategies see them: one `Raw` per positional parameter
        /// (`Empty` or `Skip` where it is absent) and the repeated parameter's items. Generic
        /// code compares commands through it (the C parser's differential test does).
        pub fn raw_form(cmd: &Command) -> #rt::strategy::RawForm {
            match cmd { #( #raw_arms, )* }
        }

        #( #to_raws )*
        #( #from_raws )*
        #from_device
    }
}

/// `CLAUSES`: every clause with its statement, source, bindings, alternatives and variants.
fn clause_table(ir: &Ir) -> TokenStream {
    let clause_rows = ir.clauses.iter().map(|c| {
        let (v, id, st, src) = (&c.variant, &c.id, &c.statement, &c.source);
        let binds = &c.binds;
        let alts = c.alternatives.iter().map(|a| match a {
            crate::ir::AltIr::ErrCodeOptional { every_profile } => {
                quote!(Alternative::ErrCodeOptional { every_profile: #every_profile })
            }
            crate::ir::AltIr::MissingMeansDefault { field, value } => {
                quote!(Alternative::MissingMeansDefault { field: #field, value: #value })
            }
            crate::ir::AltIr::ExtraParamsIgnored { field, when, values } => {
                quote!(Alternative::ExtraParamsIgnored { field: #field, when: #when, values: &[#(#values),*] })
            }
            crate::ir::AltIr::RedirectFollowed => quote!(Alternative::RedirectFollowed),
        });
        let variants = c.variants.iter().map(|(kind, profiles)| {
            quote!(VariantInfo { kind: #kind, profiles: &[#(#profiles),*] })
        });
        quote!(ClauseInfo { clause: Clause::#v, id: #id, statement: #st, source: #src, binds: &[#(#binds),*], alternatives: &[#(#alts),*], variants: &[#(#variants),*] })
    });
    quote! {
        /// A clause with its statement and source, for reports.
        #[derive(Debug, Clone, Copy)]
        pub struct ClauseInfo {
            /// The variant.
            pub clause: Clause,
            /// Stable id.
            pub id: &'static str,
            /// One line.
            pub statement: &'static str,
            /// Citation (`seed`, `reference §2.4`…).
            pub source: &'static str,
            /// Commands it binds (`*` for all).
            pub binds: &'static [&'static str],
            /// Other answers the sources allow for its command.
            pub alternatives: &'static [Alternative],
            /// What some profiles do instead.
            pub variants: &'static [VariantInfo],
        }

        /// A profile's variant of a clause.
        #[derive(Debug, Clone, Copy)]
        pub struct VariantInfo {
            /// The variant kind (`head_line_space`…; a field of `Behaviour`).
            pub kind: &'static str,
            /// Profiles that behave this way.
            pub profiles: &'static [&'static str],
        }

        /// A second answer the spec allows where the sources can be read two ways.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Alternative {
            /// A rejection for a missing parameter may come without its ERR CODE line.
            ErrCodeOptional {
                /// The sources leave the order open for the firmware too: the reading holds
                /// under every profile, not only those that take alternatives.
                every_profile: bool,
            },
            /// A line that ends before field `field` (0-based) may run with `value` there.
            MissingMeansDefault {
                /// Field index in the set form.
                field: u8,
                /// The value applied.
                value: i64,
            },
            /// With field `when` holding one of `values`, the fields from `field` on may be
            /// written and are ignored instead of refusing the line.
            ExtraParamsIgnored {
                /// First ignored field.
                field: u8,
                /// Deciding field.
                when: u8,
                /// Its values.
                values: &'static [i64],
            },
            /// A 301/302/303/307/308 with a Location may be followed (variant
            /// `follows_redirects`) instead of ending the command.
            RedirectFollowed,
        }

        /// Every clause, in spec order.
        pub static CLAUSES: &[ClauseInfo] = &[ #( #clause_rows, )* ];
    }
}

/// `strategies`: proptest strategies for valid and invalid input, per form and overall.
fn strategies(ir: &Ir, rt: &TokenStream, forms: &[(&CommandIr, &FormIr)]) -> TokenStream {
    let descs = forms
        .iter()
        .map(|(c, f)| form_desc(rt, c, f, &desc_name(f)));
    let valid_arms = forms.iter().map(|(_, f)| {
        let v = &f.variant;
        if f.has_fields() {
            let d = desc_name(f);
            let from = format_ident!("from_raw_{}", f.method);
            quote!(#rt::strategy::valid_raw(&SPEC, &#d).prop_map(|r| Command::#v(super::#from(&r))).boxed())
        } else {
            quote!(::proptest::strategy::Just(Command::#v).boxed())
        }
    });
    let per_form = forms.iter().map(|(c, f)| {
        let m = &f.method;
        let d = desc_name(f);
        let doc_valid = format!("Valid `{}{}` commands, boundary-weighted.", c.name, common::marker(f.kind));
        let doc_invalid = format!("Invalid `{}{}` lines with the rejection the spec assigns.", c.name, common::marker(f.kind));
        let valid = if f.has_fields() {
            let from = format_ident!("from_raw_{}", f.method);
            quote!(#rt::strategy::valid_raw(&SPEC, &#d).prop_map(|r| super::#from(&r)).boxed())
        } else {
            quote!(::proptest::strategy::Just(()).boxed())
        };
        let ty = if f.has_fields() { let v = &f.variant; quote!(super::#v) } else { quote!(()) };
        quote! {
            /// Strategies for one form.
            pub mod #m {
                use super::*;
                #[doc = #doc_valid]
                pub fn valid() -> BoxedStrategy<#ty> { #valid }
                #[doc = #doc_invalid]
                pub fn invalid() -> BoxedStrategy<(::std::vec::Vec<u8>, #rt::Rejection, #rt::strategy::Defect)> {
                    #rt::strategy::invalid(&SPEC, &#d)
                }
            }
        }
    });
    let form_refs: Vec<_> = forms.iter().map(|(_, f)| desc_name(f)).collect();
    let line_max = ir.line_bytes - ir.terminator.len();
    quote! {
        /// proptest strategies generated from the spec.
        pub mod strategies {
            #[allow(unused_imports)]
            use super::*;
            use ::proptest::prelude::*;

            /// Spec-wide facts for the strategies.
            pub static SPEC: #rt::strategy::SpecDesc = #rt::strategy::SpecDesc {
                syntax: SYNTAX,
                answers: ANSWERS,
                line_max: #line_max,
                max_params: MAX_PARAMS,
                terminator: TERMINATOR,
            };

            #( #descs )*

            /// Every form's descriptor.
            pub static FORMS: &[&#rt::strategy::FormDesc] = &[ #( &#form_refs, )* ];

            /// Valid commands of every form.
            pub fn valid() -> BoxedStrategy<Command> {
                ::proptest::strategy::Union::new(::std::vec![ #( #valid_arms, )* ]).boxed()
            }

            /// Invalid lines of every form, each with its rejection and the rule it breaks.
            pub fn invalid() -> BoxedStrategy<(::std::vec::Vec<u8>, #rt::Rejection, #rt::strategy::Defect)> {
                ::proptest::strategy::Union::new(FORMS.iter().map(|f| #rt::strategy::invalid(&SPEC, f)).collect::<::std::vec::Vec<_>>()).boxed()
            }

            #( #per_form )*
        }
    }
}

fn structure(c: &CommandIr, f: &FormIr) -> TokenStream {
    let v = &f.variant;
    let (doc, fields) =
        common::struct_parts(c, f, true, quote!(::std::vec::Vec<::std::vec::Vec<u8>>));
    let accessors = common::default_accessors(f, true);
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub struct #v { #( #fields, )* }
        impl #v { #accessors }
    }
}

fn presence_tokens(rt: &TokenStream, p: Presence) -> TokenStream {
    presence(rt, p)
}

fn form_desc(
    rt: &TokenStream,
    c: &CommandIr,
    f: &FormIr,
    name: &proc_macro2::Ident,
) -> TokenStream {
    let command = &c.name;
    let marker = common::marker(f.kind);
    let missing: Vec<&str> = c.missing.iter().map(|k| k.marker()).collect();
    let params = f.params.iter().map(|p| {
        let n = &p.name;
        let kind = match (p.ty, p.bounds) {
            (ParamType::String, _) => quote!(#rt::strategy::WireType::Str),
            (ParamType::Int, Some((lo, hi))) => quote!(#rt::strategy::WireType::Int { bounds: ::core::option::Option::Some((#lo, #hi)) }),
            (ParamType::Int, None) => quote!(#rt::strategy::WireType::Int { bounds: ::core::option::Option::None }),
        };
        let pres = presence_tokens(rt, p.presence);
        let values: Vec<i32> = p.enumeration.iter().flat_map(|e| e.variants.iter().map(|v| v.1)).collect();
        let open = p.enumeration.as_ref().is_some_and(|e| e.open);
        let special = &p.special;
        let default = match &p.default {
            Some(crate::ir::DefaultIr::Int(v)) => quote!(::core::option::Option::Some(#v)),
            _ => quote!(::core::option::Option::None),
        };
        let only_if = match &p.only_if {
            Some((ctl, vals)) => quote!(::core::option::Option::Some((#ctl, &[#(#vals),*]))),
            None => quote!(::core::option::Option::None),
        };
        let needle = bytes(&p.must_contain);
        let clauses = &p.clauses;
        quote!(#rt::strategy::ParamDesc {
            name: #n, kind: #kind, presence: #pres, enum_values: &[#(#values),*], enum_open: #open,
            special: &[#(#special),*], default: #default, only_if: #only_if, must_contain: #needle,
            clauses: &[#(#clauses),*],
        })
    });
    let variadic = match &f.variadic {
        Some(v) => {
            let count = match v.count_param {
                Some(c) => quote!(::core::option::Option::Some(#c)),
                None => quote!(::core::option::Option::None),
            };
            let needle = bytes(&v.must_contain);
            quote!(::core::option::Option::Some(#rt::strategy::VariadicDesc { count_param: #count, must_contain: #needle }))
        }
        None => quote!(::core::option::Option::None),
    };
    let data_param = match f.data_param {
        Some(i) => quote!(::core::option::Option::Some(#i)),
        None => quote!(::core::option::Option::None),
    };
    let doc = format!("Descriptor of `{command}{marker}`.");
    quote! {
        #[doc = #doc]
        pub static #name: #rt::strategy::FormDesc = #rt::strategy::FormDesc {
            command: #command, marker: #marker, missing_markers: &[#(#missing),*],
            params: &[ #( #params, )* ], variadic: #variadic, data_param: #data_param,
        };
    }
}

/// Typed value → raw field.
fn to_raw(rt: &TokenStream, f: &FormIr) -> TokenStream {
    let v = &f.variant;
    let func = format_ident!("to_raw_{}", f.method);
    let items = f.params.iter().map(|p| {
        let field = &p.field;
        let one = |x: TokenStream| match (p.ty, &p.enumeration) {
            (ParamType::Int, Some(_)) => quote!(#rt::strategy::Raw::Int(#x.value())),
            (ParamType::Int, None) => quote!(#rt::strategy::Raw::Int(*#x)),
            (ParamType::String, _) => quote!(#rt::strategy::Raw::Str(#x.clone())),
        };
        if p.optional() {
            let none = match (p.only_if.is_some(), p.presence) {
                (true, _) => quote!(#rt::strategy::Raw::Skip),
                (false, Presence::Positional) => quote!(#rt::strategy::Raw::Empty),
                (false, _) => quote!(#rt::strategy::Raw::Omit),
            };
            let some = one(quote!(x));
            quote!(match &c.#field { ::core::option::Option::Some(x) => #some, ::core::option::Option::None => #none })
        } else {
            one(quote!((&c.#field)))
        }
    });
    let list = match &f.variadic {
        Some(va) => {
            let n = &va.field;
            quote!(c.#n.clone())
        }
        None => quote!(::std::vec::Vec::new()),
    };
    quote! {
        fn #func(c: &#v) -> #rt::strategy::RawForm {
            #rt::strategy::RawForm { params: ::std::vec![ #( #items, )* ], list: #list }
        }
    }
}

/// Raw fields (from a strategy) → typed value.
fn from_raw(rt: &TokenStream, f: &FormIr) -> TokenStream {
    let v = &f.variant;
    let func = format_ident!("from_raw_{}", f.method);
    let fields = f.params.iter().enumerate().map(|(i, p)| {
        let field = &p.field;
        let get = match p.ty {
            ParamType::Int => quote!(r.int(#i)),
            ParamType::String => quote!(match &r.params[#i] { #rt::strategy::Raw::Str(s) => ::core::option::Option::Some(s.clone()), _ => ::core::option::Option::None }),
        };
        let conv = conv_int(p);
        if p.optional() {
            quote!(#field: #get #conv)
        } else {
            let fallback = fallback(p);
            quote!(#field: (#get #conv).unwrap_or(#fallback))
        }
    });
    let list = f.variadic.as_ref().map(|va| {
        let n = &va.field;
        quote!(#n: r.list.clone(),)
    });
    quote! {
        /// Builds the typed command from strategy output.
        pub fn #func(r: &#rt::strategy::RawForm) -> #v {
            #v { #( #fields, )* #list }
        }
    }
}

fn conv_int(p: &ParamIr) -> TokenStream {
    match &p.enumeration {
        Some(e) if e.open => {
            let t = &e.ty;
            quote!(.map(#t::from_value))
        }
        Some(e) => {
            let t = &e.ty;
            quote!(.and_then(#t::from_value))
        }
        None => quote!(),
    }
}

fn fallback(p: &ParamIr) -> TokenStream {
    match (&p.enumeration, p.ty) {
        (Some(e), _) => {
            let t = &e.ty;
            let first = &e.variants[0].0;
            quote!(#t::#first)
        }
        (None, ParamType::Int) => quote!(0),
        (None, ParamType::String) => quote!(::std::vec::Vec::new()),
    }
}

fn from_device(dev: &syn::Path, forms: &[(&CommandIr, &FormIr)]) -> TokenStream {
    let arms = forms.iter().map(|(_, f)| {
        let v = &f.variant;
        if !f.has_fields() {
            return quote!(#dev::Command::#v => Command::#v);
        }
        let fields = f.params.iter().map(|p| {
            let n = &p.field;
            let conv = |x: TokenStream| match (&p.enumeration, p.ty) {
                (Some(e), _) => {
                    let t = &e.ty;
                    let arms = e
                        .variants
                        .iter()
                        .map(|(var, _, _)| quote!(#dev::#t::#var => #t::#var));
                    let other = e.open.then(|| quote!(#dev::#t::Other(v) => #t::Other(v),));
                    quote!(match #x { #( #arms, )* #other })
                }
                (None, ParamType::Int) => x,
                (None, ParamType::String) => quote!(#x.to_vec()),
            };
            if p.optional() {
                let inner = conv(quote!(x));
                quote!(#n: d.#n.map(|x| #inner))
            } else {
                let inner = conv(quote!(d.#n));
                quote!(#n: #inner)
            }
        });
        let list = f.variadic.as_ref().map(|va| {
            let n = &va.field;
            quote!(#n: d.#n.as_slice().iter().map(|s| s.to_vec()).collect(),)
        });
        quote!(#dev::Command::#v(d) => Command::#v(#v { #( #fields, )* #list }))
    });
    quote! {
        impl Command {
            /// Converts a command parsed by the device-side code of the same spec.
            #[allow(unreachable_patterns)]
            pub fn from_device(d: &#dev::Command<'_>) -> Command {
                match d {
                    #( #arms, )*
                    _ => unreachable!("device and host code come from one spec"),
                }
            }
        }
    }
}

fn decoder_table(ir: &Ir, rt: &TokenStream) -> TokenStream {
    let results = ir.results.iter().map(|r| {
        let (n, b, f) = (&r.name, bytes(&r.bytes), r.is_final);
        quote!(#rt::decode::ResultDesc { name: #n, bytes: #b, is_final: #f })
    });
    // Payload shapes: `Lit(prefix) LengthOf(x) Lit(sep) Bytes(x) [Lit(tail)]`.
    let mut seen: Vec<Vec<u8>> = Vec::new();
    let mut payloads = Vec::new();
    for c in &ir.commands {
        for f in &c.forms {
            for r in &f.responses {
                if let [
                    PieceIr::Lit(prefix),
                    PieceIr::LengthOf(_),
                    PieceIr::Lit(sep),
                    PieceIr::Bytes(_),
                    rest @ ..,
                ] = r.pieces.as_slice()
                {
                    let tail = match rest {
                        [PieceIr::Lit(t)] => t.clone(),
                        _ => Vec::new(),
                    };
                    if seen.contains(prefix) {
                        continue;
                    }
                    seen.push(prefix.clone());
                    let (cmd, p, s, t) = (&c.name, bytes(prefix), bytes(sep), bytes(&tail));
                    payloads.push(quote!(#rt::decode::PayloadDesc { command: #cmd, prefix: #p, separator: #s, tail: #t }));
                }
            }
        }
    }
    let (prefix, digits, suffix) = match ir.err_line.as_slice() {
        [PieceIr::Lit(p), PieceIr::Hex(_, w), PieceIr::Lit(s)] => (p.clone(), *w, s.clone()),
        _ => (b"ERR CODE:0x".to_vec(), 8, b"\r\n".to_vec()),
    };
    let (prefix, suffix) = (bytes(&prefix), bytes(&suffix));
    quote! {
        /// How to decode this spec's device output.
        pub static DECODER: #rt::decode::Table = #rt::decode::Table {
            results: &[ #( #results, )* ],
            payloads: &[ #( #payloads, )* ],
            err_prefix: #prefix,
            err_digits: #digits,
            err_suffix: #suffix,
            line_end: TERMINATOR,
        };

        /// A fresh streaming decoder for this spec's device output.
        pub fn decoder() -> #rt::decode::Decoder {
            #rt::decode::Decoder::new(&DECODER)
        }
    }
}
