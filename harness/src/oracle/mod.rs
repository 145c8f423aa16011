//! The oracle: an executable model of the spec that predicts, for every byte the harness sends
//! and the mock answer in force, the exact device output and the exact requests the mock peer
//! must see.
//!
//! It is written here, from the spec's clauses, and never calls a device implementation. The
//! only code it shares with firmware is generated syntax: `device::parse` (how a line reads)
//! and the result/err-code constants. Framing, echo, state, data phases, busy, request building
//! and response printing are modelled below; every rule names its clause.

pub mod compare;
mod http;
mod overflow;
pub mod url;

use crate::profile::DeviceProfile;
use crate::syntax::device::{self, Reply, err_code};
use crate::syntax::host;
use crate::world::scenario::Scenario;

pub use crate::world::{HttpRequest, Server, TlsFront, World};

/// The `ERR CODE` line for `code`, as the spec's template writes it (`ERRCODE.FORMAT`): the
/// one place the oracle spells it.
pub fn err_code_line(code: u32) -> Vec<u8> {
    let mut line = Vec::new();
    device::respond::err_code_line(&mut line, code);
    line
}

/// Bytes a line may hold before the overflow rule discards them (`FRAMING.LINE.OVERFLOW`).
const LINE_CAPACITY: usize = host::LINE_BYTES;

/// A spec profile, as generated (`contract`, `esp-at`, `esp-at-3.1`…).
pub type SpecProfile = atspec_rt::SpecProfile<device::Name>;

/// The spec's profile `id`.
pub fn judge(id: &str) -> Option<&'static SpecProfile> {
    device::profile(id)
}

/// The contract: the spec's first profile.
pub fn contract() -> &'static SpecProfile {
    &device::PROFILES[0]
}

/// What the oracle expects from one step.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expect {
    /// The device output, with every response body as one payload line.
    pub output: Vec<u8>,
    /// Requests the mock peer must record, in order.
    pub requests: Vec<HttpRequest>,
    /// The command whose body lines may arrive in pieces (merged before comparing).
    pub merge: Option<&'static str>,
    /// Largest allowed piece of a body.
    pub rx_limit: usize,
    /// Whether the step ends in the data prompt (so the decoder treats `OK` carefully).
    pub prompt: bool,
    /// The exact output cannot be predicted (device-specific text such as AT+GMR, or a
    /// device-specific limit): only the final result's kind is checked.
    pub loose: Option<Loose>,
    /// Other answers the spec allows for this step (a clause's `alternatives`), each with the
    /// model state it leaves; any of them passes.
    pub alternatives: Vec<Reading>,
    /// Whether the step's busy bytes were read, as input while a command ran or as the next
    /// input after one that ended at once; otherwise they follow the step's bytes.
    busy_read: bool,
}

/// An answer a clause's `alternatives` allow besides the one the oracle predicts first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading {
    /// The clause that allows it.
    pub clause: &'static str,
    /// The expectation under that reading.
    pub expect: Expect,
    /// The device as it is after answering that way.
    pub model: Box<Model>,
}

/// What is still checked when output is not predictable byte for byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loose {
    /// AT+GMR: one or more printable lines, then OK; with a version, one of them must be
    /// `AT version:<major>.<minor>.…` (a device judged as that ESP-AT version claims it).
    VersionLines(Option<(u16, u16)>),
    /// Any final result; the device must stay responsive.
    AnyFinal,
}

/// Where raw input bytes go.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Mode {
    Command,
    /// A data phase: `need` more bytes for `what`.
    Data {
        what: DataFor,
        need: usize,
        got: Vec<u8>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum DataFor {
    Url,
    Header,
    /// AT+HTTPCPOST/PUT body; the prepared request waits for it.
    Body(Box<http::Pending>),
}

/// The AT+HTTPCFG setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Auth {
    /// 0..=3.
    pub mode: u8,
    /// Client certificate index.
    pub pki: i32,
    /// CA index.
    pub ca: i32,
}

/// The device as the spec describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Model {
    /// `ECHO.*`.
    pub echo: bool,
    /// `SYSLOG.*`.
    pub syslog: bool,
    /// AT+HTTPURLCFG's URL.
    pub url: Option<Vec<u8>>,
    /// AT+HTTPCHEAD entries, newest first, as typed.
    pub headers: Vec<Vec<u8>>,
    /// AT+HTTPCFG.
    pub auth: Auth,
    /// What the spec leaves to the device.
    pub profile: DeviceProfile,
    /// The spec profile the device is judged by: which commands exist, which readings pass,
    /// which clause variants apply.
    pub judge: &'static SpecProfile,
    /// Follow redirects although the judge does not expect it (the `RedirectFollowed`
    /// reading being predicted).
    follow: bool,
    line: Vec<u8>,
    /// Since an overflow in the unterminated run: what a device that discards whole chunks
    /// may still hold (`FRAMING.LINE.OVERFLOW_CHUNK`).
    overflow: Option<overflow::Run>,
    /// A model running another reading: it predicts no readings of its own.
    nested: bool,
    mode: Mode,
}

impl Model {
    /// A device right after power-up or AT+RST.
    pub fn new(profile: DeviceProfile) -> Model {
        Model::judged(profile, contract())
    }

    /// A device right after power-up, judged by spec profile `judge`.
    pub fn judged(profile: DeviceProfile, judge: &'static SpecProfile) -> Model {
        implements!(EchoDefaultOn, SyslogDefaultOff);
        Model {
            echo: true,
            syslog: false,
            url: None,
            headers: Vec::new(),
            auth: Auth::default(),
            profile,
            judge,
            follow: false,
            line: Vec::new(),
            overflow: None,
            nested: false,
            mode: Mode::Command,
        }
    }

    /// Whether the device waits for data-phase bytes.
    pub fn in_data_phase(&self) -> bool {
        matches!(self.mode, Mode::Data { .. })
    }

    /// Predicts the answer to `bytes`, written while the device is idle, and to `busy`,
    /// written while the command they start runs.
    pub fn step(&mut self, bytes: &[u8], busy: Option<&[u8]>, world: &World) -> Expect {
        // Other readings exist only for one line of a command whose clauses state
        // alternatives, or while the mock answers with a redirect; only then is the model as
        // it was before the step worth keeping.
        let other_line = self.may_read_otherwise(bytes);
        let follow = self.may_follow(world);
        let before = (other_line || follow.is_some()).then(|| self.clone());
        let mut x = self.step_one(bytes, busy, world);
        // A reading that answers as the first one does is no other answer.
        x.alternatives
            .retain(|r| r.expect.output != x.output || r.expect.requests != x.requests);
        if let Some(before) = before {
            if other_line {
                let readings = before.readings(bytes, busy, world, self, &x);
                x.alternatives.extend(readings);
            }
            if let Some(clause) = follow {
                x.alternatives
                    .extend(before.followed(clause, bytes, busy, world, &x));
            }
        }
        x
    }

    /// The clause that lets a device follow the redirect the mock now answers with, when the
    /// judge accepts alternatives and does not already expect it to follow.
    fn may_follow(&self, world: &World) -> Option<&'static str> {
        if !self.judge.alternatives
            || self.judge.behaviour.follows_redirects
            || !world.scenario.redirects()
        {
            return None;
        }
        host::CLAUSES
            .iter()
            .find(|c| {
                c.alternatives
                    .contains(&host::Alternative::RedirectFollowed)
            })
            .map(|c| c.id)
    }

    /// The answer when the device follows redirects (`RedirectFollowed`), if it differs.
    fn followed(
        &self,
        clause: &'static str,
        bytes: &[u8],
        busy: Option<&[u8]>,
        world: &World,
        x: &Expect,
    ) -> Option<Reading> {
        let mut m = self.clone();
        m.follow = true;
        let mut y = m.step_one(bytes, busy, world);
        m.follow = false;
        if y.output == x.output && y.requests == x.requests {
            return None;
        }
        y.alternatives.clear();
        Some(Reading {
            clause,
            expect: y,
            model: Box::new(m),
        })
    }

    /// Whether `bytes` are one command line, typed at an empty line buffer, of a command that
    /// some clause gives `alternatives`.
    fn may_read_otherwise(&self, bytes: &[u8]) -> bool {
        let Some(line) = bytes.strip_suffix(b"\r\n") else {
            return false;
        };
        if !matches!(self.mode, Mode::Command) || !self.line.is_empty() || line.contains(&b'\n') {
            return false;
        }
        let name = command_name(line);
        host::CLAUSES
            .iter()
            .any(|c| c.binds == [name.as_str()] && c.alternatives.iter().any(|a| self.takes(a)))
    }

    /// Whether this judge takes alternative `a`: a profile that takes alternatives takes
    /// them all; any profile takes one the sources leave open for the firmware itself.
    fn takes(&self, a: &host::Alternative) -> bool {
        self.judge.alternatives
            || matches!(
                a,
                host::Alternative::ErrCodeOptional {
                    every_profile: true
                }
            )
    }

    /// The answer under the spec's first reading (see [`Model::step`]).
    fn step_one(&mut self, bytes: &[u8], busy: Option<&[u8]>, world: &World) -> Expect {
        let mut x = Expect {
            rx_limit: http::DEFAULT_BUFFER,
            ..Expect::default()
        };
        self.read_all(bytes, busy, world, &mut x);
        if let Some(b) = busy.filter(|b| !b.is_empty() && !x.busy_read) {
            // The bytes ended before any command ran (a line not yet complete, a data
            // phase): what comes while nothing runs is just more input.
            x.busy_read = true;
            self.read_all(b, None, world, &mut x);
        }
        x.prompt = self.in_data_phase();
        x
    }

    /// Reads `bytes` to the end, in whatever mode each part finds the device.
    fn read_all(&mut self, bytes: &[u8], busy: Option<&[u8]>, world: &World, x: &mut Expect) {
        let mut rest = bytes;
        while !rest.is_empty() {
            rest = match &self.mode {
                Mode::Command => self.command_bytes(rest, busy, world, x),
                Mode::Data { .. } => self.data_bytes(rest, busy, world, x),
            };
        }
    }

    /// The other answers a clause allows for `bytes`, when they are one command line that the
    /// spec's first reading refuses. `self` is the model before the step, `after` and `x` the
    /// first reading's state and answer.
    fn readings(
        &self,
        bytes: &[u8],
        busy: Option<&[u8]>,
        world: &World,
        after: &Model,
        x: &Expect,
    ) -> Vec<Reading> {
        let line = bytes.strip_suffix(b"\r\n").unwrap_or(bytes);
        let mut scratch = [0u8; LINE_CAPACITY];
        let Err(rejection) = device::parse(line, &mut scratch) else {
            return Vec::new();
        };
        let name = command_name(line);
        let fields = field_spans(line).len();
        let mut out = Vec::new();
        for c in host::CLAUSES {
            if c.binds != [name.as_str()] {
                continue;
            }
            for a in c.alternatives.iter().filter(|a| self.takes(a)) {
                match *a {
                    host::Alternative::ErrCodeOptional { .. } => {
                        let missing = matches!(
                            rejection.kind,
                            atspec_rt::RejectKind::ParseFailure { index } if usize::from(index) >= fields
                        );
                        if let (true, true, Some(code)) = (missing, self.syslog, rejection.err_code)
                        {
                            let line = err_code_line(code);
                            let mut y = x.clone();
                            y.alternatives.clear();
                            if let Some(at) = find(&y.output, &line) {
                                y.output.drain(at..at + line.len());
                                out.push(Reading {
                                    clause: c.id,
                                    expect: y,
                                    model: Box::new(after.clone()),
                                });
                            }
                        }
                    }
                    host::Alternative::MissingMeansDefault { field, value } => {
                        if fields != usize::from(field) {
                            continue;
                        }
                        let mut alt = line.to_vec();
                        alt.extend_from_slice(format!(",{value}\r\n").as_bytes());
                        out.push(self.read_as(c.id, &alt, bytes, busy, world));
                    }
                    // Not a reading of the line: see `Model::followed`.
                    host::Alternative::RedirectFollowed => {}
                    host::Alternative::ExtraParamsIgnored {
                        field,
                        when,
                        values,
                    } => {
                        let spans = field_spans(line);
                        let decides = spans
                            .get(usize::from(when))
                            .and_then(|&(a, b)| std::str::from_utf8(&line[a..b]).ok())
                            .and_then(|t| t.trim().parse::<i64>().ok())
                            .is_some_and(|v| values.contains(&v));
                        let Some(&(start, _)) = spans.get(usize::from(field)) else {
                            continue;
                        };
                        if !decides || field == 0 || !ignorable(&name, line, &spans, field) {
                            continue;
                        }
                        // The line up to the comma before the first ignored field.
                        let mut alt = line[..start - 1].to_vec();
                        alt.extend_from_slice(b"\r\n");
                        out.push(self.read_as(c.id, &alt, bytes, busy, world));
                    }
                }
            }
        }
        out
    }

    /// The answer to `sent` when the device reads it as the line `alt`: a clone of the model
    /// runs `alt`, and the echo is put back to the bytes that were sent.
    fn read_as(
        &self,
        clause: &'static str,
        alt: &[u8],
        sent: &[u8],
        busy: Option<&[u8]>,
        world: &World,
    ) -> Reading {
        let mut m = self.clone();
        let mut y = m.step_one(alt, busy, world);
        if self.echo && y.output.starts_with(alt) {
            // The device echoes what was sent, not the line it reads it as.
            y.output.splice(..alt.len(), sent.iter().copied());
        }
        Reading {
            clause,
            expect: y,
            model: Box::new(m),
        }
    }

    /// Echoes and frames bytes until a line runs; returns what is left.
    fn command_bytes<'b>(
        &mut self,
        bytes: &'b [u8],
        busy: Option<&[u8]>,
        world: &World,
        x: &mut Expect,
    ) -> &'b [u8] {
        for (i, &b) in bytes.iter().enumerate() {
            if self.echo {
                implements!(EchoBytes);
                x.output.push(b);
            }
            if b == 0 {
                implements!(FramingLineNul);
                self.line.clear();
                // A device discarding the rest of a chunk discards past a NUL too: the run
                // goes on, and its lines are tails of what follows the NUL.
                if let Some(run) = &mut self.overflow {
                    *run = overflow::Run::default();
                }
                continue;
            }
            self.line.push(b);
            if let Some(run) = &mut self.overflow {
                run.push(b);
            }
            if self.line.ends_with(b"\r\n") {
                implements!(FramingLineTerminator);
                let mut line = std::mem::take(&mut self.line);
                line.truncate(line.len() - 2);
                let rest = &bytes[i + 1..];
                if let Some(run) = self.overflow.take() {
                    self.chunk_readings(&run, &line, rest, busy, world, x);
                }
                return self.complete_line(&line, rest, busy, world, x);
            }
            if self.line.len() >= LINE_CAPACITY {
                implements!(
                    FramingLineOverflow,
                    FramingLineMaxLength,
                    HttpclientLineLimit
                );
                let keep_cr = b == b'\r';
                self.line.clear();
                if keep_cr {
                    self.line.push(b'\r');
                }
                self.overflow.get_or_insert_with(overflow::Run::default);
            }
        }
        &[]
    }

    /// Runs a completed line, then reads what follows it in the step: bytes while it runs
    /// are busy input. Returns what is left.
    fn complete_line<'b>(
        &mut self,
        line: &[u8],
        rest: &'b [u8],
        busy: Option<&[u8]>,
        world: &World,
        x: &mut Expect,
    ) -> &'b [u8] {
        let runs = self.run_line(line, world, x);
        // Bytes after a command that keeps running are input while busy.
        if let Some(after) = runs {
            return self.while_running(rest, busy, after, x);
        }
        if let Some(b) = busy {
            // The command ended at once: `busy` bytes are just more input later.
            if rest.is_empty() && !b.is_empty() {
                x.busy_read = true;
                let mut y = self.step(b, None, world);
                x.output.append(&mut y.output);
                x.requests.append(&mut y.requests);
            }
        }
        rest
    }

    fn data_bytes<'b>(
        &mut self,
        bytes: &'b [u8],
        busy: Option<&[u8]>,
        world: &World,
        x: &mut Expect,
    ) -> &'b [u8] {
        // However long the data takes: no timeout ends a data phase.
        implements!(EchoDataModeOff, HttpcsendDataRaw, HttpcsendDataNoTimeout);
        let Mode::Data { need, got, .. } = &mut self.mode else {
            return bytes;
        };
        let n = (*need - got.len()).min(bytes.len());
        got.extend_from_slice(&bytes[..n]);
        let rest = &bytes[n..];
        if got.len() < *need {
            return rest;
        }
        let Mode::Data { what, got, .. } = std::mem::replace(&mut self.mode, Mode::Command) else {
            unreachable!()
        };
        match what {
            DataFor::Url => {
                if got.contains(&0) {
                    implements!(HttpurlcfgNul);
                    x.output.extend_from_slice(Reply::Error.bytes());
                } else {
                    // Stored as sent: a URL is read only when a command uses it.
                    implements!(
                        HttpurlcfgPrompt,
                        HttpurlcfgStoreReplace,
                        HttpurlcfgNotValidated,
                        HttpUrlLongViaUrlcfg
                    );
                    self.url = Some(got);
                    x.output.extend_from_slice(Reply::SetOk.bytes());
                }
                rest
            }
            DataFor::Header => {
                match got.iter().position(|&c| c == b':') {
                    Some(colon) if !got.contains(&0) => {
                        implements!(HttpcheadStoreVerbatim, HttpcheadStoreReplaceSameName);
                        let name = got[..colon].to_vec();
                        // `chead_appends` (v3.1): a repeated name is one more entry.
                        let replace = !self.judge.behaviour.chead_appends;
                        match self
                            .headers
                            .iter()
                            .position(|e| e.starts_with(&name) && e.get(colon) == Some(&b':'))
                            .filter(|_| replace)
                        {
                            Some(i) => self.headers[i] = got,
                            None => self.headers.insert(0, got),
                        }
                        x.output.extend_from_slice(Reply::Ok.bytes());
                    }
                    _ => {
                        implements!(HttpcheadNeedColon);
                        x.output.extend_from_slice(Reply::Error.bytes());
                    }
                }
                rest
            }
            DataFor::Body(pending) => {
                implements!(HttpcsendPrompt);
                let run = http::finish_send(self, *pending, &got, world, x);
                self.while_running(rest, busy, run, x)
            }
        }
    }

    /// The command keeps running (`run` is its remaining output): bytes that arrive now are
    /// answered with busy, then the command's output follows.
    fn while_running<'b>(
        &mut self,
        rest: &'b [u8],
        busy: Option<&[u8]>,
        run: Running,
        x: &mut Expect,
    ) -> &'b [u8] {
        x.busy_read = true;
        for chunk in [Some(rest), busy].into_iter().flatten() {
            if chunk.is_empty() {
                continue;
            }
            if contains(chunk, b"AT+RST\r\n") {
                implements!(BusyForceRestart);
                x.output.extend_from_slice(Reply::ForceRestart.bytes());
                self.reset();
                x.output.extend_from_slice(Reply::Ready.bytes());
                return &[];
            }
            implements!(BusyReject, BusyAfterData, BusyErrCode);
            self.err_code(Some(err_code::BUSY), x);
            x.output.extend_from_slice(Reply::Busy.bytes());
        }
        x.output.extend_from_slice(&run.output);
        &[]
    }

    /// Back to power-up state (`BASE.RST.CLEARS_STATE`).
    fn reset(&mut self) {
        implements!(BaseRstClearsState);
        // A restart clears the device's state, not the profile it is judged by.
        *self = Model::judged(self.profile, self.judge);
    }

    /// An ERR CODE line, when SYSLOG is on (`ERRCODE.SYSLOG_ONLY`, `ERRCODE.FORMAT`).
    fn err_code(&self, code: Option<u32>, x: &mut Expect) {
        if let (true, Some(c)) = (self.syslog, code) {
            implements!(ErrcodeSyslogOnly, ErrcodeFormat, ErrcodeBeforeResult);
            x.output.extend_from_slice(&err_code_line(c));
        }
    }

    /// Runs one line. `Some` when the command keeps running (network), with the output it
    /// prints when done.
    fn run_line(&mut self, line: &[u8], world: &World, x: &mut Expect) -> Option<Running> {
        let cmd = match self.parse_line(line) {
            Ok(c) => c,
            Err(r) => {
                implements!(FramingLinePrefix, FramingCommandUnknown, FramingFormMissing);
                self.err_code(r.err_code, x);
                x.output.extend_from_slice(r.result);
                return None;
            }
        };
        match cmd {
            host::Command::HttpCfg(c) => self.http_cfg(&c, x),
            host::Command::HttpClient(c) => return http::client(self, &c, world, x),
            host::Command::HttpGetSize(c) => {
                let sizes = (
                    c.tx_size_or_default(),
                    c.rx_size_or_default(),
                    c.timeout_or_default(),
                );
                return http::sized(
                    self,
                    http::Sized::GetSize,
                    c.url.as_deref(),
                    sizes,
                    world,
                    x,
                );
            }
            host::Command::HttpCGet(c) => {
                let sizes = (
                    c.tx_size_or_default(),
                    c.rx_size_or_default(),
                    c.timeout_or_default(),
                );
                return http::sized(self, http::Sized::CGet, c.url.as_deref(), sizes, world, x);
            }
            host::Command::HttpCPost(c) => http::send(
                self,
                false,
                c.url.as_deref(),
                c.length,
                &c.http_req_header,
                world,
                x,
            ),
            host::Command::HttpCPut(c) => http::send(
                self,
                true,
                c.url.as_deref(),
                c.length,
                &c.http_req_header,
                world,
                x,
            ),
            other => self.local_command(other, x),
        }
        None
    }

    /// A line as this profile reads it: a command, or how it is refused.
    fn parse_line(&self, line: &[u8]) -> Result<host::Command, atspec_rt::Rejection> {
        let mut scratch = [0u8; LINE_CAPACITY];
        // A version without the command answers it as an unknown one, whatever form or
        // parameters follow the name (ESP-AT looks the name up first).
        let lacked = atspec_rt::head(line, LINE_CAPACITY)
            .ok()
            .and_then(|h| device::Name::lookup(h.name))
            .is_some_and(|name| !self.judge.has(name));
        let parsed = if lacked {
            Err(device::ANSWERS.reject(atspec_rt::RejectKind::UnknownCommand))
        } else if http::send_url_unusable(self, line) {
            // AT+HTTPCPOST/PUT check their URL before anything else (reference §2.4).
            implements!(FramingFaultsEither, HttpcsendErrorBeforePrompt);
            Err(device::ANSWERS.reject(atspec_rt::RejectKind::InvalidParam { index: 0 }))
        } else {
            device::parse(line, &mut scratch)
        };
        parsed
            .and_then(|c| {
                let name = c.name_and_form().0;
                if name == device::Name::HttpGetSize
                    && self.judge.behaviour.getsize_url_only
                    && field_spans(line).len() > 1
                {
                    // Cores before v3.0 (`getsize_url_only`): the URL and nothing else.
                    implements!(HttpParamCountSized);
                    let given = u8::try_from(field_spans(line).len()).unwrap_or(u8::MAX);
                    Err(device::ANSWERS.reject(atspec_rt::RejectKind::ParamCount { given }))
                } else {
                    Ok(c)
                }
            })
            .map(|c| host::Command::from_device(&c))
    }

    /// A command that runs without the network: the base commands and the stores.
    fn local_command(&mut self, cmd: host::Command, x: &mut Expect) {
        let ok = Reply::Ok.bytes();
        match cmd {
            host::Command::At => {
                implements!(BaseAtOk);
                x.output.extend_from_slice(ok)
            }
            host::Command::EchoOff | host::Command::EchoOn => {
                implements!(EchoSwitch);
                self.echo = matches!(cmd, host::Command::EchoOn);
                x.output.extend_from_slice(ok);
            }
            host::Command::Gmr => {
                implements!(BaseGmrVersionLines, BaseGmrAtVersion);
                x.loose = Some(Loose::VersionLines(self.judge.esp_at_version));
                x.output.extend_from_slice(ok);
            }
            host::Command::Rst => {
                implements!(BaseRstReady);
                x.output.extend_from_slice(ok);
                self.reset();
                x.output.extend_from_slice(Reply::Ready.bytes());
            }
            host::Command::SyslogQuery => {
                implements!(SyslogQuery);
                x.output
                    .extend_from_slice(format!("+SYSLOG:{}\r\n", u8::from(self.syslog)).as_bytes());
                x.output.extend_from_slice(ok);
            }
            host::Command::SyslogSet(s) => {
                implements!(SyslogSet);
                self.syslog = s.status == host::SyslogSetStatus::On;
                x.output.extend_from_slice(ok);
            }
            host::Command::HttpUrlCfgQuery => {
                implements!(HttpurlcfgQuery);
                if let Some(u) = &self.url {
                    x.output
                        .extend_from_slice(format!("+HTTPURLCFG:{},", u.len()).as_bytes());
                    x.output.extend_from_slice(u);
                }
                x.output.extend_from_slice(ok);
            }
            host::Command::HttpUrlCfgSet(s) => {
                implements!(HttpurlcfgLengthRange);
                if s.url_length == 0 {
                    implements!(HttpurlcfgClear);
                    self.url = None;
                    x.output.extend_from_slice(ok);
                } else {
                    self.prompt(DataFor::Url, s.url_length as usize, x);
                }
            }
            host::Command::HttpCHeadQuery => {
                implements!(HttpcheadQuery);
                for (i, e) in self.headers.iter().enumerate() {
                    x.output
                        .extend_from_slice(format!("+HTTPCHEAD:{i},\"").as_bytes());
                    x.output.extend_from_slice(e);
                    x.output.extend_from_slice(b"\"\r\n");
                }
                x.output.extend_from_slice(ok);
            }
            host::Command::HttpCHeadSet(s) => {
                if s.req_header_len == 0 {
                    implements!(HttpcheadClear);
                    self.headers.clear();
                    x.output.extend_from_slice(ok);
                } else if self.profile.refuses_chead(s.req_header_len as u32) {
                    implements!(HttpcheadLengthRange);
                    x.output.extend_from_slice(Reply::Error.bytes());
                } else {
                    implements!(HttpcheadPrompt);
                    self.prompt(DataFor::Header, s.req_header_len as usize, x);
                }
            }
            _ => unreachable!("an HTTP command is run by run_line"),
        }
    }

    fn prompt(&mut self, what: DataFor, need: usize, x: &mut Expect) {
        implements!(ResultPromptBytes);
        x.output.extend_from_slice(Reply::Prompt.bytes());
        self.mode = Mode::Data {
            what,
            need,
            got: Vec::new(),
        };
    }

    fn http_cfg(&mut self, c: &host::HttpCfg, x: &mut Expect) {
        implements!(HttpcfgModeMeaning, HttpcfgGlobal);
        let mode = c.auth_mode.value() as u8;
        let pki = c.pki_number.unwrap_or(0);
        let ca = c.ca_number.unwrap_or(0);
        let error = Reply::Error.bytes();
        if mode & 1 != 0 {
            implements!(HttpcfgNoCert);
            if pki >= self.profile.certificates.certs {
                x.output.extend_from_slice(b"NO CERT FOUND\r\n");
                return x.output.extend_from_slice(error);
            }
            if pki >= self.profile.certificates.keys {
                x.output.extend_from_slice(b"NO PRVT_KEY FOUND\r\n");
                return x.output.extend_from_slice(error);
            }
        }
        if mode & 2 != 0 && ca >= self.profile.certificates.cas {
            implements!(HttpcfgNoCa);
            x.output.extend_from_slice(b"NO CA FOUND\r\n");
            return x.output.extend_from_slice(error);
        }
        self.auth = Auth { mode, pki, ca };
        x.output.extend_from_slice(Reply::Ok.bytes());
    }
}

/// A command that keeps running: what it prints when it ends.
#[derive(Debug, Clone, Default)]
pub(crate) struct Running {
    output: Vec<u8>,
}

/// `AT+NAME` of a line, upper-cased, without its form marker and parameters.
fn command_name(line: &[u8]) -> String {
    let end = line
        .iter()
        .position(|&b| b == b'=' || b == b'?')
        .unwrap_or(line.len());
    String::from_utf8_lossy(&line[..end]).to_ascii_uppercase()
}

/// Byte ranges of a set line's fields: commas outside quoted strings (with `\\` escapes)
/// separate them. `AT+X=` has one empty field; a line without `=` has none.
pub(crate) fn field_spans(line: &[u8]) -> Vec<(usize, usize)> {
    let Some(eq) = line.iter().position(|&b| b == b'=') else {
        return Vec::new();
    };
    let mut spans = Vec::new();
    let mut start = eq + 1;
    let (mut quoted, mut escaped) = (false, false);
    for (i, &b) in line.iter().enumerate().skip(eq + 1) {
        match b {
            _ if escaped => escaped = false,
            b'\\' => escaped = true,
            b'"' => quoted = !quoted,
            b',' if !quoted => {
                spans.push((start, i));
                start = i + 1;
            }
            _ => {}
        }
    }
    spans.push((start, line.len()));
    spans
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// The scenario a server plays.
pub fn played(server: Server, scenario: &Scenario) -> Scenario {
    match server {
        Server::Wiremock => scenario.for_wiremock(),
        _ => scenario.clone(),
    }
}

/// What `server` answers a request for `path`: the scenario's landing at its path, else the
/// scenario itself, as that server plays it.
pub fn played_at(server: Server, scenario: &Scenario, path: &[u8]) -> Scenario {
    played(server, scenario.answer_for(path))
}

/// Whether the fields of `line` from `field` on are what `ExtraParamsIgnored` lets a device
/// ignore: the form's own parameters in their places (no more fields than it declares), each
/// written as its type allows (an integer within its range, a quoted string) or left empty.
/// Junk, or more fields than the syntax has, is no reading of the seed's brackets.
fn ignorable(command: &str, line: &[u8], spans: &[(usize, usize)], field: u8) -> bool {
    use atspec_rt::strategy::WireType;
    let Some(form) = host::strategies::FORMS
        .iter()
        .find(|f| f.command == command && f.marker == "=")
    else {
        return false;
    };
    if spans.len() > form.params.len() {
        return false;
    }
    spans
        .iter()
        .zip(form.params)
        .skip(usize::from(field))
        .all(|(&(a, b), p)| {
            let text = &line[a..b];
            if text.is_empty() {
                return true;
            }
            match p.kind {
                WireType::Int { bounds } => {
                    atspec_rt::int::parse(text, host::strategies::SPEC.syntax.hex)
                        .is_ok_and(|v| bounds.is_none_or(|(lo, hi)| (lo..=hi).contains(&v)))
                }
                WireType::Str => {
                    text.len() >= 2 && text.starts_with(b"\"") && text.ends_with(b"\"")
                }
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A raw server at 127.0.0.1:9 answering 200 "hello".
    fn world() -> World {
        World {
            scenario: crate::world::scenario::Scenario::default(),
            host: "127.0.0.1".into(),
            servers: vec![(9, Server::Raw)],
        }
    }

    fn expect(model: &mut Model, line: &str) -> Expect {
        model.step(format!("{line}\r\n").as_bytes(), None, &world())
    }

    /// AT+RST clears the device's state but not the profile it is judged by: a v2.2 device
    /// still lacks AT+HTTPCGET after a restart (the model used to come back as the contract).
    #[test]
    fn a_restart_keeps_the_judging_profile() {
        let mut m = Model::judged(DeviceProfile::default(), judge("esp-at-2.2").unwrap());
        m.echo = false;
        let _ = expect(&mut m, "AT+RST");
        let _ = expect(&mut m, "ATE0");
        let _ = expect(&mut m, "AT+SYSLOG=1");
        let x = expect(&mut m, "AT+HTTPCGET=\"http://127.0.0.1:9/x\"");
        assert_eq!(x.output, b"ERR CODE:0x01090000\r\n\r\nERROR\r\n");
        assert_eq!(m.judge.id, "esp-at-2.2");
    }

    /// Busy bytes written while no command runs are the next input: with a length the
    /// device refuses, the data and its busy CR LF make a line of their own.
    #[test]
    fn busy_bytes_after_a_refused_command_are_read_as_input() {
        let profile = DeviceProfile {
            send_length_max: Some(4),
            ..DeviceProfile::default()
        };
        let mut m = Model::new(profile);
        m.syslog = true;
        m.echo = false;
        let x = expect(&mut m, "AT+HTTPCPOST=\"http://127.0.0.1:9/p\",5");
        assert_eq!(x.output, b"\r\nERROR\r\n");
        let x = m.step(b"hello", Some(b"\r\n"), &world());
        assert_eq!(x.output, b"ERR CODE:0x01030000\r\n\r\nERROR\r\n");
        // A length it stores takes the same bytes as data, then the CR LF as busy input.
        let mut m = Model::new(DeviceProfile::default());
        m.echo = false;
        let _ = expect(&mut m, "AT+HTTPCPOST=\"http://127.0.0.1:9/p\",5");
        let x = m.step(b"hello", Some(b"\r\n"), &world());
        assert!(
            x.output.starts_with(b"\r\nbusy p...\r\n"),
            "{}",
            String::from_utf8_lossy(&x.output)
        );
    }

    #[test]
    fn a_missing_index_may_come_without_its_err_code() {
        let mut m = Model::new(DeviceProfile::default());
        m.syslog = true;
        m.echo = false;
        let x = expect(&mut m, "AT+HTTPCFG=2");
        assert_eq!(x.output, b"ERR CODE:0x01080001\r\n\r\nERROR\r\n");
        assert_eq!(x.alternatives.len(), 1);
        assert_eq!(x.alternatives[0].clause, "HTTPCFG.INDEXES.MODES_1_3");
        assert_eq!(x.alternatives[0].expect.output, b"\r\nERROR\r\n");
        // A present but malformed index is no "missing" one: its code is pinned.
        let x = expect(&mut m, "AT+HTTPCFG=1,x,0");
        assert!(x.alternatives.is_empty(), "{:?}", x.alternatives);
        // Other commands keep their one reading.
        let x = expect(&mut m, "AT+HTTPCGET");
        assert!(x.alternatives.is_empty());
    }

    /// The order of the two refusals of `AT+HTTPCFG=2` is open for the firmware too: the
    /// ESP-AT 4.1 profile (which takes no other alternative) takes both answers, and still
    /// refuses the contract's other readings (a missing transport run with the default).
    #[test]
    fn an_order_the_sources_leave_open_holds_under_a_version_profile() {
        let mut m = Model::judged(DeviceProfile::default(), judge("esp-at-4.1").unwrap());
        assert!(!m.judge.alternatives);
        m.syslog = true;
        m.echo = false;
        let x = expect(&mut m, "AT+HTTPCFG=2");
        assert_eq!(x.output, b"ERR CODE:0x01080001\r\n\r\nERROR\r\n");
        assert_eq!(x.alternatives.len(), 1, "{:?}", x.alternatives);
        assert_eq!(x.alternatives[0].expect.output, b"\r\nERROR\r\n");
        let line = "AT+HTTPCLIENT=2,0,\"http://127.0.0.1:9/x\",,";
        let x = expect(&mut m, line);
        assert!(x.alternatives.is_empty(), "{:?}", x.alternatives);
        let mut contract = Model::new(DeviceProfile::default());
        contract.syslog = true;
        contract.echo = false;
        assert_eq!(expect(&mut contract, line).alternatives.len(), 1);
    }

    #[test]
    fn a_line_that_ends_before_transport_may_run_with_the_default() {
        let mut m = Model::new(DeviceProfile::default());
        m.syslog = true;
        let x = expect(&mut m, "AT+HTTPCLIENT=2,,\"http://127.0.0.1:9/t\",,");
        assert!(
            x.output.ends_with(b"\r\nERROR\r\n"),
            "{}",
            String::from_utf8_lossy(&x.output)
        );
        assert_eq!(x.alternatives.len(), 1);
        let alt = &x.alternatives[0];
        assert_eq!(alt.clause, "HTTPCLIENT.TRANSPORT.DEFAULT");
        // The other reading runs the request; the echo stays the line that was sent.
        assert!(
            alt.expect
                .output
                .starts_with(b"AT+HTTPCLIENT=2,,\"http://127.0.0.1:9/t\",,\r\n"),
            "{}",
            String::from_utf8_lossy(&alt.expect.output)
        );
        assert!(
            alt.expect.output.ends_with(b"\r\nOK\r\n"),
            "{}",
            String::from_utf8_lossy(&alt.expect.output)
        );
        assert_eq!(alt.expect.requests.len(), 1);
        assert_eq!(alt.expect.requests[0].method, "GET");
        // With transport_type written, or more fields, there is one reading only.
        assert!(
            expect(&mut m, "AT+HTTPCLIENT=2,,\"http://127.0.0.1:9/t\",,,")
                .alternatives
                .is_empty()
        );
        assert!(
            expect(&mut m, "AT+HTTPCLIENT=2,,\"http://127.0.0.1:9/t\"")
                .alternatives
                .is_empty()
        );
    }

    #[test]
    fn mode_0_may_ignore_indexes() {
        let mut m = Model::new(DeviceProfile::default());
        m.syslog = true;
        let x = expect(&mut m, "AT+HTTPCFG=0,0,0");
        assert!(x.output.ends_with(b"\r\nERROR\r\n"));
        assert_eq!(x.alternatives.len(), 1);
        let alt = &x.alternatives[0];
        assert_eq!(alt.clause, "HTTPCFG.INDEXES.MODE_0");
        assert_eq!(alt.expect.output, b"AT+HTTPCFG=0,0,0\r\n\r\nOK\r\n");
        // Only for mode 0: a mode 1 line with too many fields has one reading.
        assert!(expect(&mut m, "AT+HTTPCFG=1,0,0,0").alternatives.is_empty());
    }

    #[test]
    fn fields_are_counted_outside_quotes() {
        let count = |l: &[u8]| field_spans(l).len();
        assert_eq!(count(b"AT+X=1"), 1);
        assert_eq!(count(b"AT+X="), 1);
        assert_eq!(count(b"AT+X"), 0);
        assert_eq!(count(b"AT+X=\"a,b\",2"), 2);
        assert_eq!(count(b"AT+X=\"a\\\",b\",2"), 2);
    }
}
