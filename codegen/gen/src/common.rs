//! Items both sides generate: spec identity and limits, result strings, error codes, clauses,
//! command names and parameter enumerations.

use atspec_spec::model::ParamType;
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use crate::ir::{AnswerIr, EnumIr, FormIr, Ir, ParamIr, PieceIr};

/// A byte-string literal.
pub fn bytes(b: &[u8]) -> Literal {
    Literal::byte_string(b)
}

/// `rt::Presence::X` for a spec presence.
pub fn presence(rt: &TokenStream, p: atspec_spec::model::Presence) -> TokenStream {
    use atspec_spec::model::Presence as P;
    match p {
        P::Required => quote!(#rt::Presence::Required),
        P::Positional => quote!(#rt::Presence::Positional),
        P::Optional => quote!(#rt::Presence::Optional),
        P::Trailing => quote!(#rt::Presence::Trailing),
    }
}

/// The form's marker on the wire.
pub fn marker(kind: atspec_spec::model::FormKind) -> &'static str {
    kind.marker()
}

/// `rt::Form::X`.
pub fn form_kind(rt: &TokenStream, kind: atspec_spec::model::FormKind) -> TokenStream {
    use atspec_spec::model::FormKind as K;
    match kind {
        K::Test => quote!(#rt::Form::Test),
        K::Query => quote!(#rt::Form::Query),
        K::Set => quote!(#rt::Form::Set),
        K::Execute => quote!(#rt::Form::Execute),
    }
}

fn answer(rt: &TokenStream, ir: &Ir, a: &AnswerIr) -> TokenStream {
    let result = bytes(&ir.results[a.result].bytes);
    let code = match a.code {
        Some(c) => quote!(::core::option::Option::Some(#c)),
        None => quote!(::core::option::Option::None),
    };
    let plus = a.plus_index;
    quote!(#rt::Answer { result: #result, err_code: #code, plus_index: #plus })
}

/// Constants, `Reply`, `err_code`, `Clause`, `Name` and the parameter enums.
pub fn items(ir: &Ir, rt: &TokenStream) -> TokenStream {
    let limits = limits(ir);
    let constants = constants(ir, rt);
    let replies = replies(ir);
    let codes = error_codes(ir);
    let clauses = clauses(ir);
    let profiles = profiles(ir, rt);
    let names = names(ir);
    let enums = ir
        .commands
        .iter()
        .flat_map(|c| &c.forms)
        .flat_map(|f| &f.params)
        .filter_map(|p| p.enumeration.as_ref())
        .map(enumeration);
    quote! {
        #limits
        #constants
        #replies
        #codes
        #clauses
        #profiles
        #names
        #( #enums )*
    }
}

/// `limits`: the spec's numeric limits and fixed strings.
fn limits(ir: &Ir) -> TokenStream {
    let mut limit_items = Vec::new();
    for (stem, lo, hi, default) in &ir.ranges {
        let (min, max) = (format_ident!("{stem}_MIN"), format_ident!("{stem}_MAX"));
        limit_items.push(quote! {
            #[doc = concat!("Least `", #stem, "` the spec allows.")]
            pub const #min: i64 = #lo;
            #[doc = concat!("Greatest `", #stem, "` the spec allows.")]
            pub const #max: i64 = #hi;
        });
        if let Some(d) = default {
            let name = format_ident!("{stem}_DEFAULT");
            limit_items.push(quote! {
                #[doc = concat!("The default `", #stem, "`.")]
                pub const #name: i64 = #d;
            });
        }
    }
    for (name, value) in &ir.strings {
        let ident = format_ident!("{name}");
        limit_items.push(quote! {
            #[doc = concat!("The spec's fixed string `", #name, "`.")]
            pub const #ident: &str = #value;
        });
    }
    quote! {
        /// The spec's numeric limits and fixed strings (`limits:`), as data: both implementations
        /// take them from here, so a limit changed in the YAML reaches both.
        pub mod limits {
            #( #limit_items )*
        }
    }
}

/// The spec's identity, framing and syntax constants, and what a refused line is answered.
fn constants(ir: &Ir, rt: &TokenStream) -> TokenStream {
    let name = &ir.spec_name;
    let version = &ir.spec_version;
    let hash = ir.spec_hash;
    let line_bytes = ir.line_bytes;
    let max_params = ir.max_params;
    let term = bytes(&ir.terminator);
    let [sep, quote_b, esc] = ir.syntax;
    let hex = ir.hex;
    let [bad, unknown, missing, many, parse, invalid] =
        ir.answers.each_ref().map(|a| answer(rt, ir, a));
    quote! {
        /// Name of the spec this code was generated from.
        pub const SPEC_NAME: &str = #name;
        /// Version of that spec.
        pub const SPEC_VERSION: &str = #version;
        /// FNV-1a 64 of the spec file: identifies the exact text.
        pub const SPEC_HASH: u64 = #hash;
        /// Longest command line in bytes, terminator included.
        pub const LINE_BYTES: usize = #line_bytes;
        /// Most parameters in one command.
        pub const MAX_PARAMS: usize = #max_params;
        /// Bytes that end a command line.
        pub const TERMINATOR: &[u8] = #term;
        /// Parameter syntax.
        pub const SYNTAX: #rt::Syntax = #rt::Syntax { separator: #sep, quote: #quote_b, escape: #esc, hex: #hex };
        /// What the device answers to each kind of refused line.
        pub const ANSWERS: #rt::Answers = #rt::Answers {
            bad_line: #bad,
            unknown_command: #unknown,
            missing_form: #missing,
            too_many_params: #many,
            parse_failure: #parse,
            invalid_param: #invalid,
        };
    }
}

/// `Reply`: the fixed strings the device prints.
fn replies(ir: &Ir) -> TokenStream {
    let reply_variants: Vec<_> = ir.results.iter().map(|r| &r.variant).collect();
    let reply_bytes: Vec<_> = ir.results.iter().map(|r| bytes(&r.bytes)).collect();
    let reply_names: Vec<_> = ir.results.iter().map(|r| &r.name).collect();
    let reply_final: Vec<_> = ir.results.iter().map(|r| r.is_final).collect();
    quote! {
        /// Fixed strings the device prints.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Reply { #( #[doc = #reply_names] #reply_variants, )* }

        impl Reply {
            /// Every reply.
            pub const ALL: &'static [Reply] = &[ #( Reply::#reply_variants, )* ];
            /// Exact bytes.
            pub const fn bytes(self) -> &'static [u8] { match self { #( Reply::#reply_variants => #reply_bytes, )* } }
            /// The spec's name.
            pub const fn name(self) -> &'static str { match self { #( Reply::#reply_variants => #reply_names, )* } }
            /// Whether it ends a command.
            pub const fn is_final(self) -> bool { match self { #( Reply::#reply_variants => #reply_final, )* } }
        }
    }
}

/// `err_code`: every code, and a function for each code that adds a variable part.
fn error_codes(ir: &Ir) -> TokenStream {
    let codes = ir.codes.iter().map(|c| {
        let k = &c.konst;
        let v = c.value;
        let doc = &c.doc;
        let func = c.plus.map(|p| {
            let f = &c.func;
            let (arg, what) = match p {
                atspec_spec::model::CodeVariable::ParamIndex => {
                    (format_ident!("index"), "the 0-based parameter index")
                }
                atspec_spec::model::CodeVariable::HttpStatus => {
                    (format_ident!("status"), "the HTTP status")
                }
            };
            let doc = format!("`{k}` plus {what}.");
            quote! {
                #[doc = #doc]
                pub const fn #f(#arg: u32) -> u32 { #k + #arg }
            }
        });
        quote! {
            #[doc = #doc]
            pub const #k: u32 = #v;
            #func
        }
    });
    quote! {
        /// Error codes (`0xMMSSEEEE`), printed while SYSLOG is on.
        pub mod err_code {
            #( #codes )*
        }
    }
}

/// `Clause`: every clause, with its id.
fn clauses(ir: &Ir) -> TokenStream {
    let clause_variants: Vec<_> = ir.clauses.iter().map(|c| &c.variant).collect();
    let clause_ids: Vec<_> = ir.clauses.iter().map(|c| &c.id).collect();
    let clause_docs: Vec<_> = ir
        .clauses
        .iter()
        .map(|c| format!("`{}`: {} ({})", c.id, c.statement, c.source))
        .collect();
    quote! {
        /// Every clause of the spec. Code that implements or checks a rule names its variant,
        /// so removing the clause from the spec breaks the build exactly there.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Clause { #( #[doc = #clause_docs] #clause_variants, )* }

        impl Clause {
            /// Every clause, in spec order.
            pub const ALL: &'static [Clause] = &[ #( Clause::#clause_variants, )* ];
            /// The stable id.
            pub const fn id(self) -> &'static str { match self { #( Clause::#clause_variants => #clause_ids, )* } }
            /// The clause with this id.
            pub fn from_id(id: &str) -> ::core::option::Option<Clause> {
                match id { #( #clause_ids => ::core::option::Option::Some(Clause::#clause_variants), )* _ => ::core::option::Option::None }
            }
        }
    }
}

/// `PROFILES` and the lookups by id and by ESP-AT version.
fn profiles(ir: &Ir, rt: &TokenStream) -> TokenStream {
    let profiles = ir.profiles.iter().map(|p| {
        let (id, title, alts) = (&p.id, &p.title, p.alternatives);
        let version = match p.version {
            Some((a, b)) => quote!(::core::option::Option::Some((#a, #b))),
            None => quote!(::core::option::Option::None),
        };
        let lacks = &p.lacks;
        let flag = |k: &str| p.behaviour.contains(&k);
        let (hs, ca, sb, fr, gu) = (
            flag("head_line_space"),
            flag("chead_appends"),
            flag("status_error_bare"),
            flag("follows_redirects"),
            flag("getsize_url_only"),
        );
        quote!(#rt::SpecProfile {
            id: #id,
            title: #title,
            alternatives: #alts,
            esp_at_version: #version,
            lacks: &[ #( Name::#lacks ),* ],
            behaviour: #rt::Behaviour {
                head_line_space: #hs,
                chead_appends: #ca,
                status_error_bare: #sb,
                follows_redirects: #fr,
                getsize_url_only: #gu,
            },
        })
    });
    quote! {
        /// Every profile of the spec, the contract first.
        pub static PROFILES: &[#rt::SpecProfile<Name>] = &[ #( #profiles, )* ];

        /// The profile with this id.
        pub fn profile(id: &str) -> ::core::option::Option<&'static #rt::SpecProfile<Name>> {
            PROFILES.iter().find(|p| p.id == id)
        }

        /// The profile that judges a device claiming ESP-AT `version`: the one of that version,
        /// else the newest below it; `None` below every versioned profile.
        pub fn profile_for_version(version: (u16, u16)) -> ::core::option::Option<&'static #rt::SpecProfile<Name>> {
            let mut best: ::core::option::Option<&'static #rt::SpecProfile<Name>> = ::core::option::Option::None;
            for p in PROFILES {
                if let ::core::option::Option::Some(v) = p.esp_at_version
                    && v <= version
                    && best.and_then(|b| b.esp_at_version).is_none_or(|bv| v > bv)
                {
                    best = ::core::option::Option::Some(p);
                }
            }
            best
        }
    }
}

/// `Name`: every command, with its wire name and a case-insensitive lookup.
fn names(ir: &Ir) -> TokenStream {
    let names: Vec<_> = ir.commands.iter().map(|c| &c.ident).collect();
    let name_strs: Vec<_> = ir.commands.iter().map(|c| &c.name).collect();
    let name_docs: Vec<_> = ir
        .commands
        .iter()
        .map(|c| format!("`{}`: {}", c.name, c.summary))
        .collect();
    let wires: Vec<_> = ir
        .commands
        .iter()
        .map(|c| bytes(c.wire.as_bytes()))
        .collect();
    quote! {
        /// Every command of the spec.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Name { #( #[doc = #name_docs] #names, )* }

        impl Name {
            /// Every command, in spec order.
            pub const ALL: &'static [Name] = &[ #( Name::#names, )* ];
            /// Full name (`AT+HTTPCLIENT`).
            pub const fn as_str(self) -> &'static str { match self { #( Name::#names => #name_strs, )* } }
            /// The command whose name (the bytes after `AT`) this is, ignoring letter case.
            pub fn lookup(wire: &[u8]) -> ::core::option::Option<Name> {
                #( if wire.eq_ignore_ascii_case(#wires) { return ::core::option::Option::Some(Name::#names); } )*
                ::core::option::Option::None
            }
        }
    }
}

fn enumeration(e: &EnumIr) -> TokenStream {
    let ty = &e.ty;
    let vars: Vec<_> = e.variants.iter().map(|v| &v.0).collect();
    let vals: Vec<_> = e.variants.iter().map(|v| v.1).collect();
    let docs: Vec<_> = e
        .variants
        .iter()
        .map(|v| format!("{} = {}", v.1, v.2))
        .collect();
    let means: Vec<_> = e.variants.iter().map(|v| &v.2).collect();
    if e.open {
        quote! {
            /// An enumerated parameter; integers outside the named values still parse.
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
            pub enum #ty {
                #( #[doc = #docs] #vars, )*
                /// Any other integer.
                Other(i32),
            }
            impl #ty {
                /// The named values.
                pub const NAMED: &'static [#ty] = &[ #( #ty::#vars, )* ];
                /// The integer on the wire.
                pub const fn value(self) -> i32 { match self { #( #ty::#vars => #vals, )* #ty::Other(v) => v } }
                /// The value for an integer.
                pub const fn from_value(v: i32) -> #ty { match v { #( #vals => #ty::#vars, )* v => #ty::Other(v) } }
                /// What the spec says the value means (empty for other integers).
                pub const fn meaning(self) -> &'static str { match self { #( #ty::#vars => #means, )* #ty::Other(_) => "" } }
            }
        }
    } else {
        quote! {
            /// An enumerated parameter.
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
            pub enum #ty { #( #[doc = #docs] #vars, )* }
            impl #ty {
                /// The named values.
                pub const NAMED: &'static [#ty] = &[ #( #ty::#vars, )* ];
                /// The integer on the wire.
                pub const fn value(self) -> i32 { match self { #( #ty::#vars => #vals, )* } }
                /// What the spec says the value means.
                pub const fn meaning(self) -> &'static str { match self { #( #ty::#vars => #means, )* } }
                /// The value for an integer, if it is one of the named values.
                pub const fn from_value(v: i32) -> ::core::option::Option<#ty> {
                    match v { #( #vals => ::core::option::Option::Some(#ty::#vars), )* _ => ::core::option::Option::None }
                }
            }
        }
    }
}

/// `pub const X_DEFAULT` and `x_or_default()` for optional parameters with a default.
pub fn default_accessors(form: &FormIr, owned: bool) -> TokenStream {
    let mut out = TokenStream::new();
    for p in form.params.iter().filter(|p| p.optional()) {
        let Some(d) = &p.default else { continue };
        let f = &p.field;
        let getter = format_ident!("{}_or_default", p.name);
        let konst = format_ident!("{}_DEFAULT", p.name.to_ascii_uppercase());
        let doc = format!("`{}`, or its default when omitted.", p.name);
        let (ty, value, expr) = match (d, &p.enumeration) {
            (crate::ir::DefaultIr::Int(v), Some(e)) => {
                let ty = &e.ty;
                let conv = if e.open {
                    quote!(#ty::from_value(#v))
                } else {
                    match e.variants.iter().find(|x| x.1 == *v) {
                        Some((var, _, _)) => quote!(#ty::#var),
                        None => continue,
                    }
                };
                (quote!(#ty), conv, quote!(self.#f.unwrap_or(Self::#konst)))
            }
            (crate::ir::DefaultIr::Int(v), None) => (
                quote!(i32),
                quote!(#v),
                quote!(self.#f.unwrap_or(Self::#konst)),
            ),
            (crate::ir::DefaultIr::Str(s), _) => {
                let lit = bytes(s);
                let expr = if owned {
                    quote!(self.#f.as_deref().unwrap_or(Self::#konst))
                } else {
                    quote!(self.#f.unwrap_or(Self::#konst))
                };
                (quote!(&'static [u8]), quote!(#lit), expr)
            }
        };
        let ret = match d {
            crate::ir::DefaultIr::Str(_) => quote!(&[u8]),
            _ => ty.clone(),
        };
        out.extend(quote! {
            #[doc = "Default of the parameter when omitted."]
            pub const #konst: #ty = #value;
            #[doc = #doc]
            pub fn #getter(&self) -> #ret { #expr }
        });
    }
    out
}

/// Argument list and body of a response writer over the given pieces.
pub fn writer_body(
    rt: &TokenStream,
    pieces: &[PieceIr],
    length_arg: Option<&proc_macro2::Ident>,
) -> (Vec<TokenStream>, TokenStream) {
    let mut args = Vec::new();
    let mut body = TokenStream::new();
    for p in pieces {
        match p {
            PieceIr::Lit(b) => {
                let lit = bytes(b);
                body.extend(quote!(s.put(#lit);));
            }
            PieceIr::Decimal(a) => {
                args.push(quote!(#a: i64));
                body.extend(quote!(#rt::sink::put_decimal(s, #a);));
            }
            PieceIr::LengthOf(b) => match length_arg {
                Some(n) => body.extend(quote!(#rt::sink::put_decimal(s, #n as i64);)),
                None => body.extend(quote!(#rt::sink::put_decimal(s, #b.len() as i64);)),
            },
            PieceIr::Bytes(a) | PieceIr::Text(a) => {
                args.push(quote!(#a: &[u8]));
                body.extend(quote!(s.put(#a);));
            }
            PieceIr::Hex(a, w) => {
                args.push(quote!(#a: u32));
                body.extend(quote!(#rt::sink::put_hex(s, #a, #w);));
            }
        }
    }
    (args, body)
}

/// Doc line and fields of a form's parameter struct. `owned` selects the host's owned types;
/// `list` is the type of the variadic field.
pub fn struct_parts(
    c: &crate::ir::CommandIr,
    f: &FormIr,
    owned: bool,
    list: TokenStream,
) -> (String, Vec<TokenStream>) {
    let doc = format!(
        "Parameters of `{}{}`: `{}`",
        c.name,
        marker(f.kind),
        f.syntax
    );
    let mut fields: Vec<TokenStream> = f
        .params
        .iter()
        .map(|p| {
            let name = &p.field;
            let ty = value_type(p, owned);
            let ty = if p.optional() {
                quote!(::core::option::Option<#ty>)
            } else {
                ty
            };
            let doc = &p.doc;
            quote!(#[doc = #doc] pub #name: #ty)
        })
        .collect();
    if let Some(va) = &f.variadic {
        let (name, doc) = (&va.field, &va.doc);
        fields.push(quote!(#[doc = #doc] pub #name: #list));
    }
    (doc, fields)
}

/// The arms of `Command::name_and_form`, the same on both sides.
pub fn name_and_form_arms(
    forms: &[(&crate::ir::CommandIr, &FormIr)],
    rt: &TokenStream,
) -> Vec<TokenStream> {
    forms
        .iter()
        .map(|(c, f)| {
            let (v, n) = (&f.variant, &c.ident);
            let pat = if f.has_fields() {
                quote!(Command::#v(_))
            } else {
                quote!(Command::#v)
            };
            let kind = form_kind(rt, f.kind);
            quote!(#pat => (Name::#n, #kind))
        })
        .collect()
}

/// The Rust type of a parameter's value (before `Option`).
fn value_type(p: &ParamIr, owned: bool) -> TokenStream {
    match (&p.enumeration, p.ty) {
        (Some(e), _) => {
            let t = &e.ty;
            quote!(#t)
        }
        (None, ParamType::Int) => quote!(i32),
        (None, ParamType::String) if owned => quote!(::std::vec::Vec<u8>),
        (None, ParamType::String) => quote!(&'a [u8]),
    }
}
