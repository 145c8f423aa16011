//! Legitimate variants (feature `variants`): behaviours the spec permits that the engine does
//! not choose by default. Each must differ from the default only where the spec leaves room.

#[macro_use]
mod common;

use atspec_firmware::device::Clause;
use atspec_firmware::testkit::exchange;
use atspec_firmware::{Config, Engine, Pki, Variant};

/// The request an AT+HTTPCPOST with a stored header sends, and the UART output.
fn post(variant: Option<Variant>) -> (Vec<u8>, Vec<u8>) {
    let mut e = Engine::new(Config {
        pki: Pki::default(),
    });
    if let Some(v) = variant {
        e.set_variant(v);
    }
    let ex = exchange(
        &mut e,
        b"ATE0\r\nAT+HTTPCHEAD=6\r\nX-S: 1AT+HTTPCPOST=\"http://h:81/p\",3,1,\"X-C: 2\"\r\nabc",
        &[],
        1,
        false,
    );
    assert_eq!(ex.connects.len(), 1);
    (ex.request, ex.uart)
}

fn field_names(req: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(req)
        .split("\r\n")
        .skip(1)
        .take_while(|l| !l.is_empty())
        .map(|l| l.split(':').next().unwrap().to_string())
        .collect()
}

#[test]
fn idf_header_order_reorders_fields_and_nothing_else() {
    let (ours, out_ours) = post(None);
    let (idf, out_idf) = post(Some(Variant::IdfHeaderOrder));
    proves!(HttpRequestFieldOrder);
    let id = Clause::HttpRequestFieldOrder.id();
    assert_eq!(
        field_names(&ours),
        [
            "Host",
            "User-Agent",
            "Content-Type",
            "Content-Length",
            "X-C",
            "X-S"
        ],
        "{id}"
    );
    assert_eq!(
        field_names(&idf),
        [
            "User-Agent",
            "Host",
            "Content-Type",
            "X-C",
            "X-S",
            "Content-Length"
        ],
        "{id}"
    );
    // The same fields and values, the same request line and body, the same UART output.
    let lines = |r: &[u8]| {
        let mut v: Vec<String> = String::from_utf8_lossy(r)
            .split("\r\n")
            .map(String::from)
            .collect();
        v.sort();
        v
    };
    assert_eq!(lines(&ours), lines(&idf), "{id}");
    assert!(idf.starts_with(b"POST /p HTTP/1.1\r\n"));
    assert!(idf.ends_with(b"\r\n\r\nabc"));
    assert_eq!(out_ours, out_idf);
}

/// Output of each chunk, fed one by one to a quiet engine (echo off, SYSLOG on).
fn chunks(variant: Option<Variant>, input: &[&[u8]]) -> Vec<Vec<u8>> {
    let mut e = common::quiet_engine();
    if let Some(v) = variant {
        e.set_variant(v);
    }
    input
        .iter()
        .map(|c| {
            assert_eq!(e.handle_uart(c), c.len());
            common::drain(&mut e)
        })
        .collect()
}

#[test]
fn chunk_discard_drops_the_rest_of_an_overflowing_chunk_and_nothing_else() {
    proves!(FramingLineOverflow, FramingLineOverflowChunk);
    let id = Clause::FramingLineOverflowChunk.id();
    let no_at = b"ERR CODE:0x01030000\r\n\r\nERROR\r\n".to_vec();
    let ok = b"\r\nOK\r\n".to_vec();
    let b300 = [b'B'; 300];
    // Overflowed in one chunk, AT in the next: byte-wise the 44 kept bytes make the line a
    // non-AT one; discarding the chunk leaves `AT` alone.
    let input: [&[u8]; 2] = [&b300, b"AT\r\n"];
    assert_eq!(chunks(None, &input), [vec![], no_at.clone()], "{id}");
    assert_eq!(
        chunks(Some(Variant::ChunkDiscard), &input),
        [vec![], ok.clone()],
        "{id}"
    );
    // In one chunk the variant discards up to the CR LF, which completes an empty line.
    let mut one = b300.to_vec();
    one.extend_from_slice(b"AT\r\nAT\r\n");
    assert_eq!(
        chunks(Some(Variant::ChunkDiscard), &[&one]),
        [[no_at.clone(), ok.clone()].concat()],
        "{id}"
    );
    // Lines that fit are untouched, and a NUL still discards only up to itself.
    let fits: [&[u8]; 2] = [b"AT\r\nA\0AT\r\n", b"ATE1\r\n"];
    assert_eq!(
        chunks(Some(Variant::ChunkDiscard), &fits),
        chunks(None, &fits),
        "{id}"
    );
}
