//! A case as data: what the harness sends and how the mock answers. Clause checks, fuzzed
//! sequences and transcript files are all lists of steps.

use serde::{Deserialize, Serialize};

use super::scenario::Scenario;
use crate::bytes::Bytes;

/// Most data bytes the harness sends in one data phase: the largest declared limit a check
/// fills, the longest phase a fuzzed command opens, and the most it sends to close a phase it
/// did not expect (a device that prompts for 2^31 − 1 bytes is recovered instead).
pub const DATA_PHASE_MAX: usize = 64 * 1024;

/// A window for an answer's completion, in milliseconds after the write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Within {
    /// Not sooner than this.
    pub min_ms: u64,
    /// Not later than this.
    pub max_ms: u64,
}

/// One thing the harness does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    /// Write bytes to the device (a command line, data after a prompt, or anything else) and
    /// read its answer.
    Send {
        /// The bytes.
        bytes: Bytes,
        /// Bytes written while the command that `bytes` starts is still running.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        busy: Option<Bytes>,
        /// When the answer must be complete, counted from the write (timing clauses).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        within: Option<Within>,
    },
    /// Wait this long; the device must stay silent (a pause inside a data phase).
    Pause {
        /// Milliseconds.
        ms: u64,
    },
    /// Set the mock peer's answer for the following requests.
    Mock {
        /// The answer.
        scenario: Scenario,
    },
}

impl Step {
    /// A command line: `text` plus CR LF.
    pub fn line(text: impl AsRef<[u8]>) -> Step {
        let mut b = text.as_ref().to_vec();
        b.extend_from_slice(b"\r\n");
        Step::raw(b)
    }

    /// Bytes as they are.
    pub fn raw(bytes: impl Into<Vec<u8>>) -> Step {
        Step::Send {
            bytes: Bytes(bytes.into()),
            busy: None,
            within: None,
        }
    }

    /// This step, whose answer must be complete between `min_ms` and `max_ms` after the write.
    pub fn within(self, min_ms: u64, max_ms: u64) -> Step {
        match self {
            Step::Send { bytes, busy, .. } => Step::Send {
                bytes,
                busy,
                within: Some(Within { min_ms, max_ms }),
            },
            s => s,
        }
    }

    /// A silent wait of `ms`.
    pub fn pause(ms: u64) -> Step {
        Step::Pause { ms }
    }

    /// A line, and `busy` written while it runs.
    pub fn line_then_busy(text: impl AsRef<[u8]>, busy: impl Into<Vec<u8>>) -> Step {
        match Step::line(text) {
            Step::Send { bytes, .. } => Step::Send {
                bytes,
                busy: Some(Bytes(busy.into())),
                within: None,
            },
            s => s,
        }
    }

    /// A mock answer.
    pub fn mock(scenario: Scenario) -> Step {
        Step::Mock { scenario }
    }
}
