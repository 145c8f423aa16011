//! Deliberate deviations from the spec, compiled only with the `mutants` feature.
//!
//! Each one is a bug an ESP-AT-compatible clone could plausibly ship. They exist to prove that
//! the conformance harness catches real mistakes: `atspec certify --mutant NAME` must fail with
//! the clause named here. A build without the feature has no mutant code paths at all.
//!
//! A mutant either behaves differently (a [`Quirk`] the engine asks about, constant `false`
//! without the feature) or prints differently (a [`Rewrite`] of the output stream, which the
//! engine never sees): `Mutant::deviation` says which.

mod rewrite;

use crate::quirk::Quirk;
pub use rewrite::Rewrite;
use rewrite::*;

/// One deviation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mutant {
    /// The data prompt is `>` followed by a space (as some older firmware printed it).
    PromptSpace,
    /// Input while a command runs is discarded silently, without `busy p...`.
    NoBusy,
    /// ERR CODE for an HTTP status is the bare 0x010a7000, without the status added.
    StatusErrcodeFlat,
    /// The last piece of a Content-Length body is not printed.
    DropLastPiece,
    /// content-type values map one position off (1 sends multipart/form-data).
    ContentTypeShift,
    /// HEAD (opt 1) is sent as GET and the body printed.
    HeadAsGet,
    /// An empty URL parameter does not fall back to the AT+HTTPURLCFG URL.
    UrlcfgEmptyIgnored,
    /// AT+HTTPCHEAD adds a same-name header as a new entry instead of replacing it.
    CheadDuplicates,
    /// AT+HTTPGETSIZE sends HEAD instead of GET.
    GetsizeHead,
    /// ERR CODE lines are never printed, even with AT+SYSLOG=1.
    NoSyslog,
    /// ERR CODE digits are upper-case hexadecimal.
    ErrcodeUppercase,
    /// AT+HTTPCPOST/PUT end with SEND FAIL when the status is ≥ 400.
    SendFailOnStatus,
    /// Echo is off after power-up and AT+RST.
    EchoDefaultOff,
    /// Payload pieces may hold one byte more than the rx buffer size.
    RxSizePlusOne,
    /// The User-Agent header says version 1.1.
    UserAgent,
    /// Chunked bodies are printed with their chunk framing.
    ChunkFramingLeak,
    /// AT+HTTPGETSIZE never answers (the device hangs until restarted).
    SilentGetsize,
    /// The data prompt is a bare CR LF `>`, without the OK before it.
    PromptBare,
    /// AT+HTTPCHEAD prompts for any length, 2^31 − 1 included: the device then sits in a
    /// data phase that swallows AT+RST, and only a hardware reset brings it back.
    CheadAnyLength,
    /// A data phase that receives nothing for 2 s is abandoned with ERROR (the spec has no
    /// data-phase timeout).
    DataTimeout2s,
    /// A timeout parameter of 0 means 1 s instead of the 5 s default.
    TimeoutZeroOneSecond,
    /// Redirects are followed, but the new request of AT+HTTPCPOST/PUT goes out as GET (as
    /// browsers treat 301/302), where the ESP-AT client re-uses the method.
    RedirectAsGet,
    /// Requests go out as HTTP/1.0 (the request line's version).
    Http10,
    /// Every request carries a field line without a colon (`Connection close`).
    HeaderNoColon,
    /// AT+HTTPCFG=0 accepts and ignores whatever follows it (`AT+HTTPCFG=0,"junk",x,9,9`),
    /// not only the indexes its syntax has.
    Mode0AcceptsAnything,
    /// AT+HTTPCGET/CPOST/CPUT follow 307 and 308 but not 301, 302 or 303: each redirect
    /// alone is a reading the contract allows, the two together are not one reading.
    Follows307Only,
    /// SEND OK without its leading CR LF (`SEND OK\r\n`): judged at once when the device
    /// goes quiet, never waited out as a hang.
    SendOkBare,
    /// AT+SYSLOG?'s OK is followed 20 ms later by a stray CR LF: output after the final result
    /// that a check's last step only shows to a trailer watched for the quiet window.
    LateTrailer,
    /// A timeout parameter below 1 s is taken as 1 s (a 300 ms timeout fires at 1000 ms).
    TimeoutFloor1s,
}

impl Mutant {
    /// Every mutant.
    pub const ALL: &'static [Mutant] = &[
        Mutant::PromptSpace,
        Mutant::NoBusy,
        Mutant::StatusErrcodeFlat,
        Mutant::DropLastPiece,
        Mutant::ContentTypeShift,
        Mutant::HeadAsGet,
        Mutant::UrlcfgEmptyIgnored,
        Mutant::CheadDuplicates,
        Mutant::GetsizeHead,
        Mutant::NoSyslog,
        Mutant::ErrcodeUppercase,
        Mutant::SendFailOnStatus,
        Mutant::EchoDefaultOff,
        Mutant::RxSizePlusOne,
        Mutant::UserAgent,
        Mutant::ChunkFramingLeak,
        Mutant::SilentGetsize,
        Mutant::PromptBare,
        Mutant::CheadAnyLength,
        Mutant::DataTimeout2s,
        Mutant::TimeoutZeroOneSecond,
        Mutant::RedirectAsGet,
        Mutant::Http10,
        Mutant::HeaderNoColon,
        Mutant::Mode0AcceptsAnything,
        Mutant::Follows307Only,
        Mutant::SendOkBare,
        Mutant::LateTrailer,
        Mutant::TimeoutFloor1s,
    ];

    /// The command-line name (`prompt-space`).
    pub const fn name(self) -> &'static str {
        match self {
            Mutant::PromptSpace => "prompt-space",
            Mutant::NoBusy => "no-busy",
            Mutant::StatusErrcodeFlat => "status-errcode-flat",
            Mutant::DropLastPiece => "drop-last-piece",
            Mutant::ContentTypeShift => "content-type-shift",
            Mutant::HeadAsGet => "head-as-get",
            Mutant::UrlcfgEmptyIgnored => "urlcfg-empty-ignored",
            Mutant::CheadDuplicates => "chead-duplicates",
            Mutant::GetsizeHead => "getsize-head",
            Mutant::NoSyslog => "no-syslog",
            Mutant::ErrcodeUppercase => "errcode-uppercase",
            Mutant::SendFailOnStatus => "send-fail-on-status",
            Mutant::EchoDefaultOff => "echo-default-off",
            Mutant::RxSizePlusOne => "rx-size-plus-one",
            Mutant::UserAgent => "user-agent",
            Mutant::ChunkFramingLeak => "chunk-framing-leak",
            Mutant::SilentGetsize => "silent-getsize",
            Mutant::PromptBare => "prompt-bare",
            Mutant::CheadAnyLength => "chead-any-length",
            Mutant::DataTimeout2s => "data-timeout-2s",
            Mutant::TimeoutZeroOneSecond => "timeout-zero-1s",
            Mutant::RedirectAsGet => "redirect-as-get",
            Mutant::Http10 => "http10",
            Mutant::HeaderNoColon => "header-no-colon",
            Mutant::Mode0AcceptsAnything => "mode0-accepts-anything",
            Mutant::Follows307Only => "follows-307-only",
            Mutant::SendOkBare => "send-ok-bare",
            Mutant::LateTrailer => "late-trailer",
            Mutant::TimeoutFloor1s => "timeout-floor-1s",
        }
    }

    /// How this mutant departs from the spec.
    pub(crate) fn deviation(self) -> Deviation {
        use Deviation::{Behaves, Prints};
        match self {
            Mutant::PromptSpace => Prints(PROMPT_SPACE),
            Mutant::PromptBare => Prints(PROMPT_BARE),
            Mutant::NoSyslog => Prints(NO_SYSLOG),
            Mutant::ErrcodeUppercase => Prints(ERRCODE_UPPERCASE),
            Mutant::StatusErrcodeFlat => Prints(STATUS_ERRCODE_FLAT),
            Mutant::SendOkBare => Prints(SEND_OK_BARE),
            Mutant::NoBusy => Prints(NO_BUSY),
            Mutant::DropLastPiece => Behaves(Quirk::DropLastPiece),
            Mutant::ContentTypeShift => Behaves(Quirk::ContentTypeShift),
            Mutant::HeadAsGet => Behaves(Quirk::HeadAsGet),
            Mutant::UrlcfgEmptyIgnored => Behaves(Quirk::UrlcfgEmptyIgnored),
            Mutant::CheadDuplicates => Behaves(Quirk::CheadDuplicates),
            Mutant::GetsizeHead => Behaves(Quirk::GetsizeHead),
            Mutant::SendFailOnStatus => Behaves(Quirk::SendFailOnStatus),
            Mutant::EchoDefaultOff => Behaves(Quirk::EchoOffAtStart),
            Mutant::RxSizePlusOne => Behaves(Quirk::RxSizePlusOne),
            Mutant::UserAgent => Behaves(Quirk::UserAgent11),
            Mutant::ChunkFramingLeak => Behaves(Quirk::ChunkFramingLeak),
            Mutant::SilentGetsize => Behaves(Quirk::SilentGetsize),
            Mutant::CheadAnyLength => Behaves(Quirk::CheadAnyLength),
            Mutant::DataTimeout2s => Behaves(Quirk::DataTimeout2s),
            Mutant::TimeoutZeroOneSecond => Behaves(Quirk::TimeoutZeroOneSecond),
            Mutant::RedirectAsGet => Behaves(Quirk::RedirectAsGet),
            Mutant::Http10 => Behaves(Quirk::Http10),
            Mutant::HeaderNoColon => Behaves(Quirk::HeaderNoColon),
            Mutant::Mode0AcceptsAnything => Behaves(Quirk::Mode0AcceptsAnything),
            Mutant::Follows307Only => Behaves(Quirk::Follows307Only),
            Mutant::LateTrailer => Behaves(Quirk::LateTrailer),
            Mutant::TimeoutFloor1s => Behaves(Quirk::TimeoutFloor1s),
        }
    }

    /// The mutant of this name.
    pub fn from_name(name: &str) -> Option<Mutant> {
        Mutant::ALL.iter().copied().find(|m| m.name() == name)
    }
}

/// How a mutant departs from the spec.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Deviation {
    /// The engine behaves differently.
    Behaves(Quirk),
    /// The engine's output is rewritten by these rules.
    Prints(&'static [Rule]),
}
