//! Behaviours the engine can be told to have besides its default reading: the legitimate
//! variants of the harness's tolerance tests (readings the spec permits) and the behavioural
//! half of its mutants (deliberate bugs; the byte-level half is a filter on the output queue,
//! `mutant::Rewrite`).
//!
//! Both are test machinery. The engine asks [`Quirks::has`] where a behaviour departs; in a
//! build without the `variants` and `mutants` features `Quirks` has no fields and every
//! answer is the constant `false`, so no such code path is left in firmware.

/// One behaviour besides the default reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Quirk {
    // ---- readings the spec permits (variants)
    /// Request header fields in ESP-IDF `esp_http_client` order.
    IdfHeaderOrder,
    /// Body pieces of at most 97 bytes.
    SmallPieces,
    /// An AT+HTTPCHEAD entry of at most 256 bytes, an AT+HTTPCPOST/PUT length of at most 4096.
    SmallStores,
    /// AT+HTTPCFG refuses a line that lacks an index with a bare ERROR.
    BareMissingIndex,
    /// AT+HTTPCLIENT without transport_type runs with the seed's default 1.
    TransportDefault,
    /// AT+HTTPCFG=0 accepts and ignores certificate indexes.
    Mode0IgnoresIndexes,
    /// AT+HTTPCGET/CPOST/CPUT follow redirects: the profile behaviour `follows_redirects`
    /// under the contract (see [`Quirks::behaviour`]).
    FollowsRedirects,
    /// AT+HTTPCLIENT checks that a URL resolves before it checks opt.
    UrlFirst,
    /// An overflow discards the rest of the received chunk up to the next CR LF.
    ChunkDiscard,
    /// An AT+HTTPCHEAD entry and an AT+HTTPCPOST/PUT length of at most 5 bytes.
    TinyStores,
    // ---- deliberate bugs (mutants)
    /// Echo is off after power-up and AT+RST.
    EchoOffAtStart,
    /// AT+HTTPCFG=0 accepts and ignores anything after the mode.
    Mode0AcceptsAnything,
    /// AT+HTTPCPOST/PUT end with SEND FAIL on a status of 400 or more.
    SendFailOnStatus,
    /// AT+HTTPCHEAD adds a same-name header as a new entry.
    CheadDuplicates,
    /// AT+HTTPCHEAD prompts for any length.
    CheadAnyLength,
    /// A data phase idle for 2 s is abandoned with ERROR.
    DataTimeout2s,
    /// A timeout parameter of 0 means 1 s.
    TimeoutZeroOneSecond,
    /// A followed redirect of AT+HTTPCPOST/PUT goes out as GET.
    RedirectAsGet,
    /// Only 307 and 308 are followed.
    Follows307Only,
    /// Requests say HTTP/1.0.
    Http10,
    /// Requests carry a field line without a colon.
    HeaderNoColon,
    /// The User-Agent says version 1.1.
    UserAgent11,
    /// AT+HTTPGETSIZE never answers.
    SilentGetsize,
    /// AT+HTTPGETSIZE sends HEAD.
    GetsizeHead,
    /// Payload pieces may hold one byte more than the rx buffer size.
    RxSizePlusOne,
    /// Chunk framing is printed as payload.
    ChunkFramingLeak,
    /// The last piece of a sized body is not printed.
    DropLastPiece,
    /// content-type values map one position off.
    ContentTypeShift,
    /// HEAD goes out as GET and the body is printed.
    HeadAsGet,
    /// An empty URL parameter does not fall back to the AT+HTTPURLCFG URL.
    UrlcfgEmptyIgnored,
    /// AT+SYSLOG?'s OK is followed 20 ms later by a stray CR LF.
    LateTrailer,
    /// A timeout parameter below 1 s is taken as 1 s.
    TimeoutFloor1s,
}

/// The quirks an engine has (none by default, and always none without the features).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Quirks {
    #[cfg(any(feature = "mutants", feature = "variants"))]
    bits: u32,
}

impl Quirks {
    /// The default reading.
    pub const NONE: Quirks = Quirks {
        #[cfg(any(feature = "mutants", feature = "variants"))]
        bits: 0,
    };

    /// Whether `q` is among them.
    #[inline(always)]
    pub const fn has(self, q: Quirk) -> bool {
        #[cfg(any(feature = "mutants", feature = "variants"))]
        {
            self.bits & (1 << q as u32) != 0
        }
        #[cfg(not(any(feature = "mutants", feature = "variants")))]
        {
            let _ = q;
            false
        }
    }

    /// These and `q`.
    #[cfg(any(feature = "mutants", feature = "variants"))]
    pub const fn with(self, q: Quirk) -> Quirks {
        Quirks {
            bits: self.bits | 1 << q as u32,
        }
    }

    /// A profile's clause variants as these quirks change them: a variant that chooses a
    /// reading a profile behaviour names sets that behaviour (so the engine knows one flag
    /// for it, the profile's).
    pub const fn behaviour(self, mut b: atspec_rt::Behaviour) -> atspec_rt::Behaviour {
        if self.has(Quirk::FollowsRedirects) {
            b.follows_redirects = true;
        }
        b
    }
}

#[cfg(all(test, any(feature = "mutants", feature = "variants")))]
mod tests {
    use super::*;

    #[test]
    fn every_quirk_has_its_own_bit_and_none_has_none() {
        let all = [
            Quirk::IdfHeaderOrder,
            Quirk::UrlcfgEmptyIgnored,
            Quirk::Http10,
            Quirk::TimeoutFloor1s,
        ];
        for q in all {
            assert!(!Quirks::NONE.has(q));
            let one = Quirks::NONE.with(q);
            assert!(one.has(q));
            assert_eq!(all.iter().filter(|&&o| one.has(o)).count(), 1);
        }
        // The last quirk: the set is a u32, and with 32 quirks it is full (one more needs a
        // u64).
        assert!((Quirk::TimeoutFloor1s as u32) < 32, "the set is a u32");
    }
}
