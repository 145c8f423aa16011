//! A device session: writing steps, reading answers until they are complete, bring-up,
//! the known starting state of every case, and recovery from a hung device.

use std::time::{Duration, Instant};

use crate::link::Link;
use crate::recovery::{Reset, Setup};
use crate::syntax::device::Reply;
use crate::syntax::host;
use crate::waits::{
    self, BUSY_AFTER, BUSY_REQUEST_MAX, DIVERGED_AFTER, LATENCY_MAX, QUIET, SETTLE, Window,
};
use atspec_rt::decode::Event;

/// The most of one setup step's answer kept (a device that floods is cut there).
const SETUP_ANSWER_MAX: usize = 64 * 1024;
/// The most output one step may bring: twice the expected answer plus a megabyte (a device
/// that floods without end is cut there, not read into memory for as long as it talks).
pub fn step_budget(expected_len: usize) -> usize {
    expected_len.saturating_mul(2).saturating_add(1 << 20)
}

/// The commands that put a device into the harness's known state (`ECHO`, `SYSLOG`, and the
/// global HTTP state cleared), sent as one burst. The first line ends whatever partial line a
/// previous case left behind (it is answered with ERROR either way).
pub const KNOWN_STATE: &[&[u8]] = &[
    b"\r\n",
    b"ATE1\r\n",
    b"AT+SYSLOG=1\r\n",
    b"AT+HTTPURLCFG=0\r\n",
    b"AT+HTTPCHEAD=0\r\n",
    b"AT+HTTPCFG=0\r\n",
    b"AT+HTTPURLCFG?\r\n",
    b"AT+HTTPCHEAD?\r\n",
];

/// Lines of [`KNOWN_STATE`] before the echo is known to be on (their answers depend on the
/// state the device was left in).
const KNOWN_STATE_PROLOGUE: usize = 2;

/// What one exchange read.
#[derive(Debug, Clone, Default)]
pub struct Reading {
    /// Every byte the device wrote.
    pub bytes: Vec<u8>,
    /// The expected end never came within the case timeout.
    pub hung: bool,
    /// The device wrote more than the step's byte budget ([`step_budget`]): how many bytes
    /// it wrote in all (only the first budget's worth are kept).
    pub flooded: Option<usize>,
    /// From the write to the last byte read.
    pub took: Duration,
}

/// The device identity for reports (`AT+GMR`).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Identity {
    /// The link.
    pub link: String,
    /// AT+GMR's lines.
    pub version: Vec<String>,
    /// The link's round trip the quiet windows were widened by (measured, or `--latency`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u64>,
    /// The device profile the run judged it under.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<crate::profile::DeviceProfile>,
    /// The bring-up script's lines as written (`${NAME}` not expanded).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub setup: Vec<String>,
    /// The hardware reset method.
    pub reset: String,
    /// Which share of a split run this report covers (`--parallel-index` of
    /// `--parallel-count`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<String>,
    /// The full UART transcript of the run, when one was written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uart_log: Option<String>,
    /// The firmware image, when the harness booted it (`qemu:IMAGE`): sizes, static RAM,
    /// boot time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firmware: Option<crate::link::Firmware>,
}

/// What ends an answer, as the caller (the runner, from the oracle's expectations) tells it:
/// the device layer keeps no model of the spec, only the framing of final results.
pub struct Until<'a> {
    /// Final results (and the data prompt) the complete answer holds.
    pub finals: usize,
    /// Bytes the complete answer has: after its last final result some may still be in
    /// flight (an echo at a slow line rate).
    pub len: usize,
    /// Whether the answer may end in the data prompt.
    pub prompt: bool,
    /// Whether the bytes so far can no longer become any answer the caller allows: the step
    /// is then judged at once instead of timing out.
    pub diverged: &'a dyn Fn(&[u8]) -> bool,
    /// With busy bytes, whether the command's request has reached the peer: the bytes are
    /// written after it (at most [`BUSY_REQUEST_MAX`] late), so they interrupt a command that
    /// is under way however slowly the device connects. `None`: the command makes no request.
    pub requested: Option<&'a dyn Fn() -> bool>,
}

/// A session with a device.
pub struct Device {
    link: Box<dyn Link>,
    /// Longest wait for one step's answer.
    pub timeout: Duration,
    buf: Vec<u8>,
    reset: Reset,
    setup: Setup,
    /// The known-state lines this device takes (see [`Device::omit_commands`]).
    known: Vec<&'static [u8]>,
    /// The last read or write error of the link since it last worked.
    link_error: Option<String>,
    /// Set when the link failed and one recovery did not bring it back: the device is gone
    /// for the rest of the run, and every later case is hung at once with this reason.
    lost: Option<String>,
    /// The harness itself restarted the device (AT+RST, a reset, a reopened link) since the
    /// last known state: a `ready` that follows is expected.
    resetting: bool,
    /// The last known state began with an unprompted `ready`.
    restarted: bool,
    /// The link's round trip: measured at bring-up, or `--latency`.
    latency: Duration,
    /// `--latency` was given: never measured.
    latency_fixed: bool,
}

impl Device {
    /// A session over `link`.
    pub fn new(link: Box<dyn Link>, timeout: Duration) -> Device {
        Device {
            link,
            timeout,
            buf: vec![0; 64 * 1024],
            reset: Reset::None,
            setup: Setup::default(),
            known: KNOWN_STATE.to_vec(),
            link_error: None,
            lost: None,
            resetting: false,
            restarted: false,
            latency: Duration::ZERO,
            latency_fixed: false,
        }
    }

    /// A fixed link round trip (`--latency`) instead of the one measured at bring-up.
    pub fn with_latency(mut self, latency: Option<Duration>) -> Device {
        if let Some(l) = latency {
            self.latency = l.min(LATENCY_MAX);
            self.latency_fixed = true;
        }
        self
    }

    /// The link's round trip the windows follow.
    pub fn latency(&self) -> Duration {
        self.latency
    }

    /// `base` widened for the link: output the device wrote `base` ago may still be on its
    /// way for one round trip, and a loaded link jitters by half of one more.
    pub fn window(&self, base: Duration) -> Duration {
        base + self.latency + self.latency / 2
    }

    /// Measures the round trip: the longest of three `AT` → first byte times (the echo, or
    /// the answer when echo is off), bounded by [`LATENCY_MAX`].
    fn measure_latency(&mut self) -> Duration {
        let mut worst = Duration::ZERO;
        for _ in 0..3 {
            self.drain(waits::BEFORE_PROBE);
            if self.link.write_all(b"AT\r\n").is_err() {
                break;
            }
            let start = Instant::now();
            let mut got = Vec::new();
            while start.elapsed() < LATENCY_MAX {
                match self.link.read(&mut self.buf, waits::PROBE_POLL) {
                    Ok(n) if n > 0 => {
                        if got.is_empty() {
                            worst = worst.max(start.elapsed());
                        }
                        got.extend_from_slice(&self.buf[..n]);
                        if terminals(&got, false) > 0 {
                            break;
                        }
                    }
                    Ok(_) => {}
                    Err(_) => return worst,
                }
            }
            if got.is_empty() {
                worst = LATENCY_MAX;
            }
        }
        worst.min(LATENCY_MAX)
    }

    /// Why the device is gone for the rest of the run: its link failed and one recovery did
    /// not bring it back.
    pub fn lost(&self) -> Option<&str> {
        self.lost.as_deref()
    }

    /// Whether the device restarted on its own before the last known state (it printed
    /// `ready` when nothing of the harness's had restarted it); reading it clears it.
    pub fn take_restarted(&mut self) -> bool {
        std::mem::take(&mut self.restarted)
    }

    /// Leaves the known-state lines of commands the device does not have (an older ESP-AT
    /// version's missing stores) out of every later known state.
    pub fn omit_commands(&mut self, names: &[&str]) {
        self.known.retain(|line| {
            let end = line
                .iter()
                .position(|&b| matches!(b, b'=' | b'?' | b'\r'))
                .unwrap_or(line.len());
            !names.iter().any(|n| n.as_bytes() == &line[..end])
        });
    }

    /// How the device is reset in hardware, and the script that brings it up after power-up
    /// and after every reset.
    pub fn with_recovery(mut self, reset: Reset, setup: Setup) -> Device {
        self.reset = reset;
        self.setup = setup;
        self
    }

    /// Runs the bring-up script; a failing step is an error that shows the exchange.
    /// A step fails as soon as its answer ends in ERROR (or FAIL) without matching.
    fn run_setup(&mut self) -> Result<(), String> {
        for i in 0..self.setup.steps.len() {
            let step = self.setup.steps[i].clone();
            let mut line = step.send.clone().into_bytes();
            line.extend_from_slice(b"\r\n");
            self.link
                .write_all(&line)
                .map_err(|e| format!("setup step `{}`: write: {e}", step.shown))?;
            let start = Instant::now();
            let mut out = Vec::new();
            loop {
                let n = self
                    .link
                    .read(&mut self.buf, waits::POLL)
                    .map_err(|e| format!("setup step `{}`: the link is lost: {e}", step.shown))?;
                if n > 0 {
                    // A setup answer is a few lines; a flood is kept to its start.
                    let room = SETUP_ANSWER_MAX.saturating_sub(out.len());
                    out.extend_from_slice(&self.buf[..n.min(room)]);
                }
                if step.expect.is_match(&String::from_utf8_lossy(&out)) {
                    break;
                }
                // A final ERROR that the pattern did not take means it never will: fail now,
                // not after the step's whole timeout.
                let refused = out.ends_with(b"\r\nERROR\r\n") || out.ends_with(b"\r\nFAIL\r\n");
                if refused || start.elapsed() >= step.timeout {
                    // The answer may echo the expanded line: show only what matched the
                    // script as written (and no secret, whatever the device did with it).
                    let seen = String::from_utf8_lossy(&out).replace(&step.send, &step.shown);
                    let seen = crate::secrets::mask(&crate::bytes::escape(seen.as_bytes()));
                    return Err(if refused {
                        format!(
                            "setup step `{}` was refused (the answer ended in a final result that does not match /{}/); got `{seen}`",
                            step.shown,
                            step.expect.as_str(),
                        )
                    } else {
                        format!(
                            "setup step `{}` did not answer /{}/ within {:?}; got `{seen}`",
                            step.shown,
                            step.expect.as_str(),
                            step.timeout,
                        )
                    });
                }
            }
            // Let the rest of the answer (a final OK after the matched line) arrive.
            self.drain(waits::SETUP_REST);
        }
        Ok(())
    }

    /// Where the UART log stands (see [`Link::log_offset`]).
    pub fn log_offset(&mut self) -> Option<u64> {
        self.link.log_offset()
    }

    /// The link's description.
    pub fn describe(&self) -> String {
        self.link.describe()
    }

    /// Writes `bytes` (and `busy` while the command runs) and reads until the answer is as
    /// complete as `until` says it will be.
    pub fn exchange(&mut self, bytes: &[u8], busy: Option<&[u8]>, until: &Until<'_>) -> Reading {
        let want = until.finals;
        let mut decoder = host::decoder();
        decoder.expect_prompt(until.prompt);
        let mut flushed = false;
        let mut r = Reading::default();
        // Timed from before the write: the device cannot start on the command before it, so
        // a lower bound (an answer no sooner than a server's delay) holds even when the
        // harness is descheduled while it writes.
        let start = Instant::now();
        if let Err(e) = self.link.write_all(bytes) {
            r.bytes
                .extend_from_slice(format!("<link write failed: {e}>").as_bytes());
            r.hung = true;
            self.link_error = Some(e.to_string());
            return r;
        }
        if has_line(bytes, b"AT+RST") {
            self.resetting = true;
        }
        let mut busy = busy.filter(|b| !b.is_empty());
        let mut last = Instant::now();
        let mut have = 0;
        let budget = step_budget(until.len);
        let mut total = 0usize;
        loop {
            if let Some(b) = busy
                // The bytes must reach the device while the command runs: they go one way,
                // so half the round trip, not a whole window; and after its request, if it
                // makes one, so that a device slow to connect is still interrupted mid-request.
                && start.elapsed() >= BUSY_AFTER + self.latency / 2
                && (until.requested.is_none_or(|seen| seen())
                    || start.elapsed() >= BUSY_REQUEST_MAX)
            {
                let _ = self.link.write_all(b);
                busy = None;
            }
            let wait = if busy.is_some() {
                waits::BUSY_POLL
            } else {
                waits::POLL
            };
            match self.link.read(&mut self.buf, wait) {
                Ok(0) => {}
                Ok(n) => {
                    total += n;
                    if total > budget {
                        // Keep the budget's worth; how much came in all is the evidence.
                        let room = budget.saturating_sub(r.bytes.len());
                        r.bytes.extend_from_slice(&self.buf[..n.min(room)]);
                        r.flooded = Some(total);
                        r.took = start.elapsed();
                        return r;
                    }
                    r.bytes.extend_from_slice(&self.buf[..n]);
                    last = Instant::now();
                    r.took = start.elapsed();
                    have += count_terminals(&decoder.feed(&self.buf[..n]));
                }
                Err(e) => {
                    r.bytes
                        .extend_from_slice(format!("<link read failed: {e}>").as_bytes());
                    r.hung = true;
                    self.link_error = Some(e.to_string());
                    return r;
                }
            }
            if busy.is_some() {
                continue;
            }
            // Every final result is in. Bytes the answer has after its last one (the echo of
            // a partial line) may still be on the wire at a slow line rate, or behind a busy
            // machine: wait for the expected length, or for the line to settle.
            let (settle, quiet) = (self.window(SETTLE), self.window(QUIET));
            if want > 0 && have >= want && (r.bytes.len() >= until.len || last.elapsed() >= settle)
            {
                return r;
            }
            // No result to wait for: the answer is over once the line goes quiet, but while
            // fewer bytes than expected have come (an echo behind a loaded farm link) quiet
            // means the longer settle window.
            if want == 0
                && last.elapsed()
                    >= if r.bytes.len() < until.len {
                        settle
                    } else {
                        quiet
                    }
            {
                return r;
            }
            if !flushed && last.elapsed() >= quiet {
                // An OK held back as a possible prompt start: the device went quiet.
                have += count_terminals(&decoder.flush());
                flushed = true;
            }
            if have > 0 && last.elapsed() >= settle {
                return r;
            }
            if last.elapsed() >= self.window(DIVERGED_AFTER) && (until.diverged)(&r.bytes) {
                // Judged on divergence: the diff is the verdict, not a timeout.
                return r;
            }
            if start.elapsed() >= self.timeout || crate::interrupt::requested().is_some() {
                r.hung = true;
                return r;
            }
        }
    }

    /// Writes bytes without reading an answer.
    pub fn send(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.link.write_all(bytes)
    }

    /// Reads until the device has been quiet for `w.quiet` (or `w.max` passed); what it keeps is
    /// bounded by [`step_budget`] (the rest is read and dropped).
    pub fn drain(&mut self, w: Window) -> Vec<u8> {
        let (quiet, max) = (self.window(w.quiet), self.window(w.max));
        let start = Instant::now();
        let mut last = Instant::now();
        let mut out = Vec::new();
        let budget = step_budget(0);
        while last.elapsed() < quiet
            && start.elapsed() < max
            && crate::interrupt::requested().is_none()
        {
            let wait = quiet
                .saturating_sub(last.elapsed())
                .max(Duration::from_millis(1));
            match self.link.read(&mut self.buf, wait) {
                Ok(n) if n > 0 => {
                    let room = budget.saturating_sub(out.len());
                    out.extend_from_slice(&self.buf[..n.min(room)]);
                    last = Instant::now();
                }
                Ok(_) => {}
                Err(e) => {
                    self.link_error = Some(e.to_string());
                    break;
                }
            }
        }
        out
    }

    /// Writes a burst of lines and reads until each has had its final result.
    fn burst(&mut self, lines: &[&[u8]], timeout: Duration) -> Result<Vec<u8>, String> {
        let all: Vec<u8> = lines.concat();
        if let Err(e) = self.link.write_all(&all) {
            self.link_error = Some(e.to_string());
            return Err(format!("write: {e}"));
        }
        let start = Instant::now();
        let mut out = Vec::new();
        let budget = step_budget(all.len());
        while start.elapsed() < timeout && crate::interrupt::requested().is_none() {
            // A read error means the link is lost: say so once, never spin on it.
            let n = match self.link.read(&mut self.buf, waits::POLL) {
                Ok(n) => n,
                Err(e) => {
                    self.link_error = Some(e.to_string());
                    return Err(format!("the link is lost: {e}"));
                }
            };
            if n > 0 {
                if out.len() + n > budget {
                    return Err(format!(
                        "the device flooded more than {budget} bytes answering {} lines",
                        lines.len()
                    ));
                }
                out.extend_from_slice(&self.buf[..n]);
                if terminals(&out, false) >= lines.len() {
                    return Ok(out);
                }
            }
        }
        Err(format!(
            "no answer to {} within {timeout:?} (got `{}`)",
            crate::bytes::escape(&all),
            crate::bytes::escape(&out)
        ))
    }

    /// Waits for `ready` or answers `AT` with `OK` (bounded retries), then identifies the
    /// device with AT+GMR.
    pub fn bring_up(&mut self) -> Result<Identity, String> {
        if !self.boots() {
            return Err(format!("{}: no OK to AT after 5 tries", self.describe()));
        }
        if !self.latency_fixed {
            self.latency = self.measure_latency();
        }
        self.run_setup()?;
        let out = self.burst(&[b"AT+GMR\r\n"], waits::GMR_ANSWER)?;
        let version: Vec<String> = String::from_utf8_lossy(&out)
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && *l != "OK" && !l.eq_ignore_ascii_case("AT+GMR"))
            .map(String::from)
            .collect();
        // A device that reports an ESP-AT version without some stores cannot reset them.
        if let Some(p) = version
            .iter()
            .find_map(|l| atspec_rt::profile::at_version(l.as_bytes()))
            .and_then(crate::syntax::device::profile_for_version)
        {
            let lacks: Vec<&str> = p.lacks.iter().map(|n| n.as_str()).collect();
            self.omit_commands(&lacks);
        }
        self.known_state()?;
        Ok(Identity {
            link: self.describe(),
            version,
            profile: None,
            setup: self.setup.steps.iter().map(|s| s.shown.clone()).collect(),
            reset: self.reset.to_string(),
            shard: None,
            uart_log: None,
            firmware: self.link.firmware(),
            latency_ms: Some(self.latency.as_millis() as u64),
        })
    }

    /// Puts the device into the known state every case starts from, and verifies it: once
    /// the echo is on, every line must answer exactly its echo and OK, and the queries must
    /// show empty stores (no URL, no headers) — not merely some OKs.
    pub fn known_state(&mut self) -> Result<(), String> {
        let lines = self.known.clone();
        let out = self.burst(&lines, waits::KNOWN_STATE_ANSWER)?;
        self.restarted = !std::mem::take(&mut self.resetting) && has_line(&out, b"ready");
        let mut tail = Vec::new();
        for line in &lines[KNOWN_STATE_PROLOGUE.min(lines.len())..] {
            tail.extend_from_slice(line);
            tail.extend_from_slice(b"\r\nOK\r\n");
        }
        let oks = out.windows(6).filter(|w| *w == b"\r\nOK\r\n").count();
        if oks < lines.len() - 1 || !out.ends_with(&tail) {
            return Err(format!(
                "the known state was not reached: expected the answers to end `{}`, got `{}`",
                crate::bytes::escape(&tail),
                crate::bytes::escape(&out)
            ));
        }
        Ok(())
    }

    /// Gets a device back, escalating: drain → `AT` → `AT+RST` → hardware reset (`--reset`)
    /// → reopened link. Returns the steps taken, the last one being what brought it back.
    /// A link that failed gets this one recovery: if it does not bring the device back, the
    /// device is [lost](Device::lost) and later recoveries fail at once (no spinning on a
    /// dead link, no minutes of retries per remaining check).
    pub fn recover(&mut self) -> Result<Vec<String>, String> {
        if let Some(l) = &self.lost {
            return Err(l.clone());
        }
        self.resetting = true;
        let r = self.recover_once();
        // Recovered, or failed on a link that works: the link's error, if any, is history.
        if let (Err(e), Some(link)) = (&r, self.link_error.take()) {
            self.lost = Some(format!(
                "the link is lost ({link}) and one recovery did not bring the device back: {e}"
            ));
        }
        r
    }

    fn recover_once(&mut self) -> Result<Vec<String>, String> {
        let mut log = Vec::new();
        if let Some(sig) = crate::interrupt::requested() {
            return Err(format!("not recovered: {sig} stopped the run"));
        }
        self.drain(waits::BEFORE_RECOVERY);
        log.push("drain".to_string());
        if self.answers_at() && self.known_state().is_ok() {
            log.push("AT answered".into());
            return Ok(log);
        }
        log.push("AT+RST".into());
        let _ = self.link.write_all(b"AT+RST\r\n");
        self.drain(waits::AFTER_RST);
        if self.answers_at() && self.run_setup().is_ok() && self.known_state().is_ok() {
            return Ok(log);
        }
        if self.reset != Reset::None {
            let reset = self.reset.clone();
            match crate::recovery::hardware_reset(&reset, self.link.as_mut()) {
                Ok(()) => {
                    log.push(format!("hardware reset ({reset})"));
                    if self.boots() && self.run_setup().is_ok() && self.known_state().is_ok() {
                        return Ok(log);
                    }
                }
                Err(e) => log.push(format!("hardware reset failed: {e}")),
            }
        }
        log.push("reopen".into());
        self.link
            .reopen()
            .map_err(|e| format!("{}; reopening the link: {e}", log.join(" → ")))?;
        self.bring_up()
            .map(|_| log.clone())
            .map_err(|e| format!("{}: {e}", log.join(" → ")))
    }

    /// Waits for a device that is starting: its boot output (a ROM log, banners, `ready`) is
    /// not judged and may pause; `AT` is tried up to 5 times, a second each.
    fn boots(&mut self) -> bool {
        self.drain(waits::BOOT);
        for _ in 0..5 {
            if self.answers_at() {
                return true;
            }
            self.drain(waits::BOOT_RETRY);
        }
        false
    }

    /// `AT` → OK within a second.
    fn answers_at(&mut self) -> bool {
        self.burst(&[b"AT\r\n"], waits::AT_ANSWER)
            .is_ok_and(|out| out.windows(6).any(|w| w == b"\r\nOK\r\n"))
    }
}

/// Whether `bytes` hold a line that is `word` (ASCII case ignored), framed by line ends or
/// the buffer's ends.
pub fn has_line(bytes: &[u8], word: &[u8]) -> bool {
    bytes
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l).trim_ascii())
        .any(|l| l.eq_ignore_ascii_case(word))
}

/// How many events that end waiting (final results, the prompt, ready) the bytes hold.
pub fn terminals(bytes: &[u8], prompt: bool) -> usize {
    let mut d = host::decoder();
    d.expect_prompt(prompt);
    let mut events = d.feed(bytes);
    events.extend(d.flush());
    count_terminals(&events)
}

/// How many of `events` end waiting.
pub fn count_terminals(events: &[Event]) -> usize {
    events
        .iter()
        .filter(|e| match e {
            Event::Result(r) => {
                *r == "prompt"
                    || *r == "ready"
                    || Reply::ALL.iter().any(|x| x.name() == *r && x.is_final())
            }
            _ => false,
        })
        .count()
}
