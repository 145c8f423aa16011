//! Legitimate variants, compiled only with the `variants` feature.
//!
//! Each one is behaviour the spec permits but the board does not choose by default: what an
//! independently written device, or the ESP-AT firmware itself, may do. They are the other
//! half of the harness's teeth: `atspec certify --variant NAME` must stay CONFORMANT, just as
//! every mutant must fail. A build without the feature has no variant code paths at all
//! (each is a [`Quirk`] the engine asks about, constant `false` without the feature).

use crate::quirk::Quirk;

/// One permitted behaviour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// Request header fields in ESP-IDF `esp_http_client` order: `User-Agent` before `Host`,
    /// per-command and AT+HTTPCHEAD fields next, `Content-Length` last (reference §2).
    IdfHeaderOrder,
    /// Body pieces of at most 97 bytes: any size from 1 to the rx buffer size is allowed
    /// (`HTTP.RESPONSE.PIECES`), as a device with a small socket buffer prints them.
    SmallPieces,
    /// Smaller stores, declared in a device profile (`fixtures/profiles/small-stores.yaml`):
    /// an AT+HTTPCHEAD entry of at most 256 bytes and an AT+HTTPCPOST/PUT length of at most
    /// 4096, longer ones refused before the prompt ("a length the device cannot store").
    SmallStores,
    /// AT+HTTPCFG refuses a line that lacks an index with a bare ERROR, without the getter's
    /// ERR CODE 0x010800NN (its count check fires first; `HTTPCFG.INDEXES.MODES_1_3`).
    BareMissingIndex,
    /// AT+HTTPCLIENT runs a line that ends before transport_type with the seed's
    /// "Default: 1" instead of refusing it (`HTTPCLIENT.TRANSPORT.DEFAULT`).
    TransportDefault,
    /// AT+HTTPCFG=0 with certificate indexes accepts and ignores them (the seed: "not
    /// required"), where the default refuses the line (`HTTPCFG.INDEXES.MODE_0`).
    Mode0IgnoresIndexes,
    /// AT+HTTPCGET, AT+HTTPCPOST and AT+HTTPCPUT follow redirects as the ESP-AT firmware is
    /// inferred to (`HTTP.REDIRECT.NOT_FOLLOWED`'s alternative, variant `follows_redirects`).
    FollowsRedirects,
    /// AT+HTTPCLIENT with an opt that names no method and no usable URL answers the URL's
    /// fault (a bare ERROR) rather than the opt's (`FRAMING.FAULTS.EITHER`: no source orders
    /// the two checks).
    UrlFirst,
    /// An overlong line discards, with the 255 bytes that overflowed, the rest of the chunk
    /// the UART handed over, up to the next CR LF (`FRAMING.LINE.OVERFLOW_CHUNK`: how bytes
    /// reach the parser is not stated).
    ChunkDiscard,
    /// The smallest stores a certificate accepts, declared in a device profile
    /// (`fixtures/profiles/tiny-stores.yaml`): an AT+HTTPCHEAD entry and an AT+HTTPCPOST/PUT
    /// length of at most 5 bytes (the spec's floors), longer ones refused before the prompt.
    /// The behaviour checks then store and send payloads that fit, and still prove their
    /// clauses.
    TinyStores,
}

/// `small-stores`: the longest AT+HTTPCHEAD entry.
pub const SMALL_CHEAD: usize = 256;
/// `small-stores`: the longest AT+HTTPCPOST/PUT length.
pub const SMALL_SEND: u32 = 4096;
/// `tiny-stores`: the longest AT+HTTPCHEAD entry.
pub const TINY_CHEAD: usize = 5;
/// `tiny-stores`: the longest AT+HTTPCPOST/PUT length.
pub const TINY_SEND: u32 = 5;

impl Variant {
    /// Every variant.
    pub const ALL: &'static [Variant] = &[
        Variant::IdfHeaderOrder,
        Variant::SmallPieces,
        Variant::SmallStores,
        Variant::BareMissingIndex,
        Variant::TransportDefault,
        Variant::Mode0IgnoresIndexes,
        Variant::FollowsRedirects,
        Variant::UrlFirst,
        Variant::ChunkDiscard,
        Variant::TinyStores,
    ];

    /// The command-line name (`idf-header-order`).
    pub const fn name(self) -> &'static str {
        match self {
            Variant::IdfHeaderOrder => "idf-header-order",
            Variant::SmallPieces => "small-pieces",
            Variant::SmallStores => "small-stores",
            Variant::BareMissingIndex => "bare-missing-index",
            Variant::TransportDefault => "transport-default",
            Variant::Mode0IgnoresIndexes => "mode0-ignores-indexes",
            Variant::FollowsRedirects => "follows-redirects",
            Variant::UrlFirst => "url-first",
            Variant::ChunkDiscard => "chunk-discard",
            Variant::TinyStores => "tiny-stores",
        }
    }

    /// The engine behaviour this variant is.
    pub(crate) const fn quirk(self) -> Quirk {
        match self {
            Variant::IdfHeaderOrder => Quirk::IdfHeaderOrder,
            Variant::SmallPieces => Quirk::SmallPieces,
            Variant::SmallStores => Quirk::SmallStores,
            Variant::BareMissingIndex => Quirk::BareMissingIndex,
            Variant::TransportDefault => Quirk::TransportDefault,
            Variant::Mode0IgnoresIndexes => Quirk::Mode0IgnoresIndexes,
            Variant::FollowsRedirects => Quirk::FollowsRedirects,
            Variant::UrlFirst => Quirk::UrlFirst,
            Variant::ChunkDiscard => Quirk::ChunkDiscard,
            Variant::TinyStores => Quirk::TinyStores,
        }
    }

    /// The variant of this name.
    pub fn from_name(name: &str) -> Option<Variant> {
        Variant::ALL.iter().copied().find(|v| v.name() == name)
    }
}
