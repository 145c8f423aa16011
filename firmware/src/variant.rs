//! Legitimate variants, compiled only with the `variants` feature.
//!
//! Each one is behaviour the spec permits but the board does not choose by default: what an
//! independently written device, or the ESP-AT firmware itself, may do. They are the other
//! half of the harness's teeth: `atspec certify --variant NAME` must stay CONFORMANT, just as
//! every mutant must fail. A build without the feature has no variant code paths at all
//! (`varied!` expands to `false`).

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
}

/// `small-stores`: the longest AT+HTTPCHEAD entry.
pub const SMALL_CHEAD: usize = 256;
/// `small-stores`: the longest AT+HTTPCPOST/PUT length.
pub const SMALL_SEND: i32 = 4096;

impl Variant {
    /// Every variant.
    pub const ALL: &'static [Variant] = &[
        Variant::IdfHeaderOrder,
        Variant::SmallPieces,
        Variant::SmallStores,
    ];

    /// The command-line name (`idf-header-order`).
    pub const fn name(self) -> &'static str {
        match self {
            Variant::IdfHeaderOrder => "idf-header-order",
            Variant::SmallPieces => "small-pieces",
            Variant::SmallStores => "small-stores",
        }
    }

    /// The variant of this name.
    pub fn from_name(name: &str) -> Option<Variant> {
        Variant::ALL.iter().copied().find(|v| v.name() == name)
    }
}
