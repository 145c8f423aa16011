//! Response writers: one C function per template, the same pieces as `device!`'s `respond`.

use std::fmt::Write;

use super::text::{literal, member};
use super::{Names, forms};
use crate::ir::{Ir, PieceIr};

/// How a writer argument is passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    /// `int64_t name`: a decimal.
    Decimal,
    /// `const uint8_t *name, size_t name_len`: bytes or text.
    Bytes,
    /// `uint32_t name`: zero-padded hex.
    Hex,
    /// `size_t n`: the data length a head half announces.
    Length,
}

/// A writer's arguments after the sink: name and kind, in order.
pub type Args = Vec<(String, ArgKind)>;

/// One writer: its C name, the `device!` writer it matches, and its arguments.
#[derive(Debug, Clone)]
pub struct Writer {
    /// `atspec_write_http_client_body`.
    pub c_name: String,
    /// `http_client_body`: the function of `device!`'s `respond` module.
    pub rust_name: String,
    /// Description.
    pub doc: String,
    /// Arguments after the sink, in order.
    pub args: Args,
    /// Template pieces.
    pub pieces: Vec<PieceIr>,
    /// For a payload line: the head half's and the tail half's arguments.
    pub halves: Option<(Args, Args)>,
}

/// Arguments of a writer over these pieces (`length` adds the head half's `n` first).
fn args(pieces: &[PieceIr], length: bool) -> Args {
    let mut out = Vec::new();
    if length {
        out.push(("n".to_owned(), ArgKind::Length));
    }
    for p in pieces {
        match p {
            PieceIr::Decimal(a) => out.push((member(&a.to_string()), ArgKind::Decimal)),
            PieceIr::Bytes(a) | PieceIr::Text(a) => {
                out.push((member(&a.to_string()), ArgKind::Bytes))
            }
            PieceIr::Hex(a, _) => out.push((member(&a.to_string()), ArgKind::Hex)),
            PieceIr::Lit(_) | PieceIr::LengthOf(_) => {}
        }
    }
    out
}

/// Every writer of the spec, in `device!`'s order, the ERR CODE line last.
pub(crate) fn writers(ir: &Ir, n: &Names) -> Vec<Writer> {
    let mut out: Vec<Writer> = forms(ir)
        .iter()
        .flat_map(|(_, f)| &f.responses)
        .map(|r| {
            let func = r.func.to_string();
            let halves = r
                .pieces
                .iter()
                .position(|p| matches!(p, PieceIr::Bytes(_)))
                .map(|at| {
                    (
                        args(&r.pieces[..at], true),
                        args(&r.pieces[at + 1..], false),
                    )
                });
            Writer {
                c_name: format!("{}_write_{func}", n.p),
                rust_name: func,
                doc: r.doc.clone(),
                args: args(&r.pieces, false),
                pieces: r.pieces.clone(),
                halves,
            }
        })
        .collect();
    out.push(Writer {
        c_name: format!("{}_write_err_code_line", n.p),
        rust_name: "err_code_line".to_owned(),
        doc: "An ERR CODE line.".to_owned(),
        args: args(&ir.err_line, false),
        pieces: ir.err_line.clone(),
        halves: None,
    });
    out
}

impl Writer {
    /// `void NAME(const atspec_sink *s, ARGS)`.
    pub(crate) fn prototype(&self, n: &Names, name: &str, args: &[(String, ArgKind)]) -> String {
        let mut s = format!("void {name}(const {}_sink *s", n.p);
        for (a, k) in args {
            match k {
                ArgKind::Decimal => {
                    let _ = write!(s, ", int64_t {a}");
                }
                ArgKind::Bytes => {
                    let _ = write!(s, ", const uint8_t *{a}, size_t {a}_len");
                }
                ArgKind::Hex => {
                    let _ = write!(s, ", uint32_t {a}");
                }
                ArgKind::Length => {
                    let _ = write!(s, ", size_t {a}");
                }
            }
        }
        s.push(')');
        s
    }

    /// The definitions: the writer and its halves.
    pub(crate) fn definitions(&self, n: &Names) -> String {
        let mut out = String::new();
        out.push_str(&definition(
            &self.prototype(n, &self.c_name, &self.args),
            &self.pieces,
            false,
        ));
        if let Some((head, tail)) = &self.halves {
            let at = self
                .pieces
                .iter()
                .position(|p| matches!(p, PieceIr::Bytes(_)))
                .unwrap_or(0);
            let name = format!("{}_head", self.c_name);
            out.push_str(&definition(
                &self.prototype(n, &name, head),
                &self.pieces[..at],
                true,
            ));
            let name = format!("{}_tail", self.c_name);
            out.push_str(&definition(
                &self.prototype(n, &name, tail),
                &self.pieces[at + 1..],
                false,
            ));
        }
        out
    }
}

/// One writer's body: each piece put in turn. `head`: a length piece prints `n`.
fn definition(proto: &str, pieces: &[PieceIr], head: bool) -> String {
    let mut b = format!("{proto}\n{{\n");
    if pieces.is_empty() {
        b.push_str("    (void)s;\n");
    }
    for p in pieces {
        match p {
            PieceIr::Lit(bytes) => {
                let _ = writeln!(b, "    put(s, {}, {});", literal(bytes), bytes.len());
            }
            PieceIr::Decimal(a) => {
                let _ = writeln!(b, "    put_decimal(s, {});", member(&a.to_string()));
            }
            PieceIr::LengthOf(_) if head => b.push_str("    put_decimal(s, (int64_t)n);\n"),
            PieceIr::LengthOf(a) => {
                let _ = writeln!(
                    b,
                    "    put_decimal(s, (int64_t){}_len);",
                    member(&a.to_string())
                );
            }
            PieceIr::Bytes(a) | PieceIr::Text(a) => {
                let a = member(&a.to_string());
                let _ = writeln!(b, "    s->put(s->ctx, {a}, {a}_len);");
            }
            PieceIr::Hex(a, w) => {
                let _ = writeln!(b, "    put_hex(s, {}, {w}u);", member(&a.to_string()));
            }
        }
    }
    b.push_str("}\n\n");
    b
}
