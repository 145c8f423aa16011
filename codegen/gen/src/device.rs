//! `device!`: the firmware side. `no_std`, allocation-free: borrowed command model, `parse`,
//! `Handler` + `dispatch`, and response writers into a byte sink.

use atspec_spec::model::ParamType;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::common::{self, bytes, presence};
use crate::ir::{FormIr, Ir, PieceIr};

/// Generates the device-side module body.
pub fn generate(ir: &Ir, rt: &TokenStream) -> TokenStream {
    let common = common::items(ir, rt);
    let forms: Vec<(&crate::ir::CommandIr, &FormIr)> = ir
        .commands
        .iter()
        .flat_map(|c| c.forms.iter().map(move |f| (c, f)))
        .collect();
    let model = command_model(rt, &forms);
    let parse = parse_fn(rt, &forms);
    let handler = handler(&forms);
    let respond = respond(ir, rt, &forms);
    quote! {
        #common
        #model
        #parse
        #handler
        #respond
    }
}

/// When no form borrows the scratch buffer, `Command<'a>` still needs its lifetime: a hidden
/// variant holds it, and matches need an arm for it.
fn phantom(forms: &[(&crate::ir::CommandIr, &FormIr)]) -> (TokenStream, TokenStream) {
    let borrows = forms
        .iter()
        .any(|(_, f)| f.has_fields() && needs_lifetime(f));
    if borrows {
        (quote!(), quote!())
    } else {
        (
            quote!(#[doc(hidden)] __Lifetime(::core::marker::PhantomData<&'a ()>),),
            quote!(Command::__Lifetime(_) => unreachable!(),),
        )
    }
}

/// `Command<'a>` (one variant per form, borrowing the scratch buffer) and its structs.
fn command_model(rt: &TokenStream, forms: &[(&crate::ir::CommandIr, &FormIr)]) -> TokenStream {
    let structs = forms.iter().map(|(c, f)| structure(c, f, rt));
    let variants = forms.iter().map(|(c, f)| {
        let v = &f.variant;
        let doc = format!("`{}{}`", c.name, common::marker(f.kind));
        if f.has_fields() {
            let lt = lifetime(f);
            quote!(#[doc = #doc] #v(#v #lt))
        } else {
            quote!(#[doc = #doc] #v)
        }
    });
    let name_arms = common::name_and_form_arms(forms, rt);
    let (phantom, phantom_arm) = phantom(forms);
    quote! {
        /// One parsed command line. Strings borrow the scratch buffer given to [`parse`].
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum Command<'a> {
            #( #variants, )*
            #phantom
        }

        impl Command<'_> {
            /// The command and form.
            pub fn name_and_form(&self) -> (Name, #rt::Form) {
                match self {
                    #( #name_arms, )*
                    #phantom_arm
                }
            }
        }

        #( #structs )*
    }
}

/// `parse`: the whole line, in the device's order of checks, and one parser per form.
fn parse_fn(rt: &TokenStream, forms: &[(&crate::ir::CommandIr, &FormIr)]) -> TokenStream {
    let parsers = forms
        .iter()
        .filter(|(_, f)| f.has_fields())
        .map(|(_, f)| parser(f, rt));
    let arms = forms.iter().map(|(c, f)| {
        let name = &c.ident;
        let v = &f.variant;
        let kind = common::form_kind(rt, f.kind);
        if f.has_fields() {
            let p = format_ident!("parse_{}", f.method);
            quote!((Name::#name, #kind) => #p(&split(head.params)?, &mut scratch).map(Command::#v))
        } else {
            quote!((Name::#name, #kind) => ::core::result::Result::Ok(Command::#v))
        }
    });
    quote! {
        /// Parses one command line (terminator removed).
        ///
        /// Checks run in the device's order: line length and `AT` prefix, command name, form,
        /// parameter count, then each parameter in turn; the first failure decides the
        /// [`Rejection`](#rt::Rejection). Decoded strings are written into `scratch`, which
        /// needs at most `line.len()` bytes; nothing is allocated.
        pub fn parse<'a>(line: &[u8], scratch: &'a mut [u8]) -> ::core::result::Result<Command<'a>, #rt::Rejection> {
            let head = match #rt::head(line, LINE_BYTES - TERMINATOR.len()) {
                ::core::result::Result::Ok(h) => h,
                ::core::result::Result::Err(#rt::HeadError::BadLine) => return ::core::result::Result::Err(ANSWERS.reject(#rt::RejectKind::BadLine)),
                ::core::result::Result::Err(#rt::HeadError::UnknownCommand) => return ::core::result::Result::Err(ANSWERS.reject(#rt::RejectKind::UnknownCommand)),
            };
            let ::core::option::Option::Some(name) = Name::lookup(head.name) else {
                return ::core::result::Result::Err(ANSWERS.reject(#rt::RejectKind::UnknownCommand));
            };
            #[allow(unused_mut)]
            let mut scratch = #rt::Scratch::new(scratch);
            match (name, head.form) {
                #( #arms, )*
                _ => ::core::result::Result::Err(ANSWERS.reject(#rt::RejectKind::MissingForm)),
            }
        }

        #[allow(dead_code)]
        fn split(params: &[u8]) -> ::core::result::Result<#rt::Fields<'_>, #rt::Rejection> {
            #rt::Fields::split(params, &SYNTAX, MAX_PARAMS).map_err(|()| ANSWERS.reject(#rt::RejectKind::TooManyParams))
        }

        #( #parsers )*
    }
}

/// `Handler` (one method per form) and `dispatch`.
fn handler(forms: &[(&crate::ir::CommandIr, &FormIr)]) -> TokenStream {
    let methods = forms.iter().map(|(c, f)| {
        let m = &f.method;
        let doc = format!("Runs `{}{}`.", c.name, common::marker(f.kind));
        if f.has_fields() {
            let v = &f.variant;
            let lt = if needs_lifetime(f) {
                quote!(<'_>)
            } else {
                quote!()
            };
            quote!(#[doc = #doc] fn #m(&mut self, cmd: &#v #lt) -> Self::Output;)
        } else {
            quote!(#[doc = #doc] fn #m(&mut self) -> Self::Output;)
        }
    });
    let dispatch_arms = forms.iter().map(|(_, f)| {
        let (v, m) = (&f.variant, &f.method);
        if f.has_fields() {
            quote!(Command::#v(c) => h.#m(c))
        } else {
            quote!(Command::#v => h.#m())
        }
    });
    let (_, phantom_arm) = phantom(forms);
    quote! {
        /// What firmware implements: one method per command form.
        pub trait Handler {
            /// What each method returns (for example, the network action to start).
            type Output;
            #( #methods )*
        }

        /// Calls the handler method of a parsed command.
        pub fn dispatch<H: Handler + ?Sized>(cmd: &Command<'_>, h: &mut H) -> H::Output {
            match cmd {
                #( #dispatch_arms, )*
                #phantom_arm
            }
        }
    }
}

/// `respond`: a writer per response template, the ERR CODE line and the fixed replies.
fn respond(ir: &Ir, rt: &TokenStream, forms: &[(&crate::ir::CommandIr, &FormIr)]) -> TokenStream {
    let writers = forms
        .iter()
        .flat_map(|(_, f)| &f.responses)
        .map(|r| writer(rt, &r.func, &r.pieces, &r.doc));
    let (err_args, err_body) = common::writer_body(rt, &ir.err_line, None);

    quote! {
        /// Writers for every response template of the spec; none allocates.
        pub mod respond {
            #[allow(unused_imports)]
            use super::*;

            #( #writers )*

            /// An `ERR CODE` line.
            pub fn err_code_line<S: #rt::ByteSink + ?Sized>(s: &mut S, #( #err_args ),*) { #err_body }

            /// A fixed reply (`OK`, the prompt, `busy p...`…).
            pub fn reply<S: #rt::ByteSink + ?Sized>(s: &mut S, r: Reply) { s.put(r.bytes()); }
        }
    }
}

fn needs_lifetime(f: &FormIr) -> bool {
    f.variadic.is_some() || f.params.iter().any(|p| p.ty == ParamType::String)
}

fn lifetime(f: &FormIr) -> TokenStream {
    if needs_lifetime(f) {
        quote!(<'a>)
    } else {
        quote!()
    }
}

fn structure(c: &crate::ir::CommandIr, f: &FormIr, rt: &TokenStream) -> TokenStream {
    if !f.has_fields() {
        return quote!();
    }
    let v = &f.variant;
    let lt = lifetime(f);
    let (doc, fields) = common::struct_parts(c, f, false, quote!(#rt::List<'a>));
    let accessors = common::default_accessors(f, false);
    let derive = if needs_lifetime(f) {
        quote!(#[derive(Debug, Clone, Copy, PartialEq, Eq)])
    } else {
        quote!(#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)])
    };
    quote! {
        #[doc = #doc]
        #derive
        pub struct #v #lt { #( #fields, )* }
        impl #lt #v #lt { #accessors }
    }
}

fn parser(f: &FormIr, rt: &TokenStream) -> TokenStream {
    let v = &f.variant;
    let func = format_ident!("parse_{}", f.method);
    let lt = if needs_lifetime(f) {
        quote!(<'a>)
    } else {
        quote!()
    };
    let mut steps = TokenStream::new();
    for (i, p) in f.params.iter().enumerate() {
        let raw = format_ident!("__raw_{}", i);
        let field = &p.field;
        let pres = presence(rt, p.presence);
        let decode = match p.ty {
            ParamType::Int => {
                let range = p.bounds.map(|(lo, hi)| {
                    let special = &p.special;
                    quote!(let v = match v { ::core::option::Option::Some(x) => ::core::option::Option::Some(#rt::param::range(x, #lo, #hi, &[#(#special),*], at, &ANSWERS)?), ::core::option::Option::None => ::core::option::Option::None };)
                });
                let conv = match &p.enumeration {
                    Some(e) if e.open => {
                        let t = &e.ty;
                        quote!(v.map(#t::from_value))
                    }
                    Some(e) => {
                        let t = &e.ty;
                        quote!(match v { ::core::option::Option::Some(x) => ::core::option::Option::Some(#t::from_value(x).ok_or_else(|| #rt::param::invalid(&ANSWERS, at))?), ::core::option::Option::None => ::core::option::Option::None })
                    }
                    None => quote!(v),
                };
                quote! {{
                    let v = #rt::param::int(f, at, #pres, &ANSWERS, &SYNTAX)?;
                    #range
                    #raw = v;
                    #conv
                }}
            }
            ParamType::String => {
                let check = (!p.must_contain.is_empty()).then(|| {
                    let needle = bytes(&p.must_contain);
                    quote!(let v = match v { ::core::option::Option::Some(x) => ::core::option::Option::Some(#rt::param::must_contain(x, #needle, at, &ANSWERS)?), ::core::option::Option::None => ::core::option::Option::None };)
                });
                quote! {{
                    let v = #rt::param::str(f, at, #pres, &ANSWERS, &SYNTAX, s)?;
                    #check
                    v
                }}
            }
        };
        // A written parameter is unwrapped before `at` moves on, so a rejection names its index.
        let decode = if p.optional() {
            decode
        } else {
            quote!((#decode).ok_or_else(|| #rt::param::invalid(&ANSWERS, at))?)
        };
        let value = match &p.only_if {
            Some((ctl, values)) => {
                let ctl_raw = format_ident!("__raw_{}", ctl);
                quote! {
                    if #ctl_raw.is_some_and(|x| matches!(x, #( #values )|*)) {
                        let v = #decode;
                        at += 1;
                        v
                    } else {
                        ::core::option::Option::None
                    }
                }
            }
            None => quote! {{
                let v = #decode;
                at += 1;
                v
            }},
        };
        steps.extend(quote! {
            #[allow(unused_assignments)]
            let mut #raw: ::core::option::Option<i32> = ::core::option::Option::None;
            let #field = #value;
        });
    }
    let list = f.variadic.as_ref().map(|va| {
        let name = &va.field;
        let check = (!va.must_contain.is_empty()).then(|| {
            let needle = bytes(&va.must_contain);
            quote!(let v = #rt::param::must_contain(v, #needle, at, &ANSWERS)?;)
        });
        let take = quote! {
            let v = #rt::param::str_req(f, at, &ANSWERS, &SYNTAX, s)?;
            #check
            let _ = #name.push(v);
            at += 1;
        };
        let lp = match va.count_param {
            Some(c) => {
                let raw = format_ident!("__raw_{}", c);
                quote!(for _ in 0..#raw.unwrap_or(0).max(0) as usize { #take })
            }
            None => quote!(while at < f.len() { #take }),
        };
        quote! {
            let mut #name = #rt::List::EMPTY;
            #lp
        }
    });
    let names = f.params.iter().map(|p| &p.field);
    let list_name = f.variadic.as_ref().map(|va| {
        let n = &va.field;
        quote!(#n,)
    });
    let scratch_lt = if needs_lifetime(f) {
        quote!('a)
    } else {
        quote!('_)
    };
    quote! {
        #[allow(unused_variables, unused_mut, clippy::let_and_return, clippy::needless_late_init)]
        fn #func #lt(f: &#rt::Fields<'_>, s: &mut #rt::Scratch<#scratch_lt>) -> ::core::result::Result<#v #lt, #rt::Rejection> {
            let mut at: usize = 0;
            #steps
            #list
            #rt::param::no_extra(f, at, &ANSWERS)?;
            ::core::result::Result::Ok(#v { #( #names, )* #list_name })
        }
    }
}

fn writer(
    rt: &TokenStream,
    func: &proc_macro2::Ident,
    pieces: &[PieceIr],
    doc: &str,
) -> TokenStream {
    let (args, body) = common::writer_body(rt, pieces, None);
    let mut out = quote! {
        #[doc = #doc]
        pub fn #func<S: #rt::ByteSink + ?Sized>(s: &mut S, #( #args ),*) { #body }
    };
    // Payload lines also get head/tail halves, so firmware can stream the data in between
    // without copying it into one buffer.
    if let Some(at) = pieces.iter().position(|p| matches!(p, PieceIr::Bytes(_))) {
        let n = format_ident!("n");
        let (head_args, head_body) = common::writer_body(rt, &pieces[..at], Some(&n));
        let (tail_args, tail_body) = common::writer_body(rt, &pieces[at + 1..], None);
        let head = format_ident!("{}_head", func);
        let tail = format_ident!("{}_tail", func);
        let head_doc = format!("The part of `{func}` before its data, for a data length of `n`.");
        let tail_doc = format!("The part of `{func}` after its data.");
        out.extend(quote! {
            #[doc = #head_doc]
            pub fn #head<S: #rt::ByteSink + ?Sized>(s: &mut S, #n: usize, #( #head_args ),*) { #head_body }
            #[doc = #tail_doc]
            pub fn #tail<S: #rt::ByteSink + ?Sized>(s: &mut S, #( #tail_args ),*) { #tail_body }
        });
    }
    out
}
