//! Every window the harness waits in, in one place: how long a device may stay quiet before
//! its answer counts as over, how long the harness drains after a case or a reset, and how
//! often it polls a link. Each window is widened by the link's measured round trip where it
//! is used (`Device::window`); none of them is a timing clause (those are in the spec).

use std::time::Duration;

/// A drain: read until the device has been quiet for `quiet`, and never longer than `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// How long a silence ends it.
    pub quiet: Duration,
    /// The longest it lasts however much the device talks.
    pub max: Duration,
}

const fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

const fn window(quiet: u64, max: u64) -> Window {
    Window {
        quiet: ms(quiet),
        max: ms(max),
    }
}

// ---- one step's answer (device.rs, `exchange`)

/// How long a device may stay silent after a final result before the answer counts as over.
pub const SETTLE: Duration = ms(300);
/// How long to wait for output when none is expected to end with a result.
pub const QUIET: Duration = ms(50);
/// How long a device must be quiet before output that cannot become the expected answer
/// fails the step (instead of waiting out `--timeout`).
pub const DIVERGED_AFTER: Duration = ms(400);
/// Delay before `busy` bytes are written, so they arrive while the command runs.
pub const BUSY_AFTER: Duration = ms(40);
/// Longest wait for a command's request before its busy bytes are written anyway (an
/// emulated chip under load can take a second to connect; the peer answers late on purpose).
pub const BUSY_REQUEST_MAX: Duration = ms(1000);
/// One read of the link while an answer comes in.
pub const POLL: Duration = ms(20);
/// One read while busy bytes wait for their moment (they must not be written late).
pub const BUSY_POLL: Duration = ms(5);

// ---- after a case (runner/)

/// After the last answer: anything the device still prints is a trailer (fails the case).
/// Watched for the whole quiet window (`QUIET`): output a device sends a few milliseconds
/// after its final result is still the device's, not the next case's.
pub const TRAILER: Window = Window {
    quiet: QUIET,
    max: ms(500),
};
/// After a case stopped at a disagreement: what the device still prints belongs to it.
pub const AFTER_STOP: Window = window(300, 3_000);
/// After the promised bytes that end an unexpected data phase (its answer may be long).
pub const AFTER_DATA: Window = window(300, 10_000);

// ---- bring-up, setup and recovery (device.rs)

/// The longest link round trip the harness adapts its windows to; beyond it a device is
/// too slow to certify interactively.
pub const LATENCY_MAX: Duration = Duration::from_secs(5);
/// Before each of the three round-trip probes: whatever the link still holds.
pub const BEFORE_PROBE: Window = window(20, 200);
/// One read while a probe waits for its first byte (the read's length bounds the error).
pub const PROBE_POLL: Duration = ms(5);
/// After a setup step's expected line: the rest of its answer (a final OK).
pub const SETUP_REST: Window = window(50, 2_000);
/// `AT+GMR`'s whole answer at bring-up.
pub const GMR_ANSWER: Duration = ms(2_000);
/// The known-state burst's whole answer.
pub const KNOWN_STATE_ANSWER: Duration = ms(3_000);
/// `AT`'s answer when probing whether a device answers.
pub const AT_ANSWER: Duration = ms(1_000);
/// Before recovery starts: what a hung device still prints.
pub const BEFORE_RECOVERY: Window = window(200, 3_000);
/// After `AT+RST`: the restart's boot output.
pub const AFTER_RST: Window = window(500, 3_000);
/// A device that is starting: its boot output (a ROM log, banners, `ready`), which may pause.
pub const BOOT: Window = window(300, 3_000);
/// Between two `AT` probes of a booting device.
pub const BOOT_RETRY: Window = window(100, 1_000);
