//! Stateful property fuzzing: sequences of commands drawn from the generated valid and invalid
//! strategies, interleaved with state changes (AT+HTTPURLCFG, AT+HTTPCHEAD, AT+HTTPCFG,
//! SYSLOG, echo) and mock scenario changes, each run from the known state and judged by the
//! oracle. proptest-state-machine generates them and its value trees shrink them: fuzzing
//! goes on past a failure (up to [`FAILING_MAX`] failing sequences or [`DISTINCT_MAX`] kinds),
//! then the first failure is shrunk to a minimal sequence and returned as a replayable
//! transcript, with the first sequence of every other kind beside it.

use std::time::Duration;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use proptest_state_machine::ReferenceStateMachine;

use crate::checks::Ctx;
use crate::runner::{self, Env, Transcript, Verdict};
use crate::syntax::host::{self, Command, strategies};
use crate::world::scenario::{Fault, Framing, Scenario};
use crate::world::step::Step;

/// Where a fuzzed URL points; resolved to the run's addresses when the case runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// wiremock.
    Wiremock,
    /// The raw server.
    Raw,
    /// The good TLS front.
    Tls,
    /// A port nothing listens on.
    Closed,
}

/// One fuzzing transition.
#[derive(Debug, Clone)]
pub enum Transition {
    /// A valid command without a data phase; URL fields hold `{endpoint}` markers.
    Command(Command),
    /// A line the spec rejects.
    Invalid(Vec<u8>),
    /// AT+HTTPURLCFG with a URL (or plain text) as data.
    StoreUrl(Option<(Endpoint, String)>, String),
    /// AT+HTTPCHEAD with one header.
    StoreHeader(Vec<u8>),
    /// AT+HTTPCPOST / AT+HTTPCPUT and the data.
    Send {
        /// PUT instead of POST.
        put: bool,
        /// Target; `None` uses the stored URL.
        to: Option<(Endpoint, String)>,
        /// Header parameters.
        headers: Vec<Vec<u8>>,
        /// The data.
        data: Vec<u8>,
    },
    /// A new mock answer.
    Mock(Scenario),
    /// A server that stalls for `STALL_MS` before it answers, then this command (a GET with
    /// a timeout that fires first or not).
    Stalled(Command),
    /// Noise: random bytes, weighted toward the framing alphabet.
    Noise(Vec<u8>),
}

/// The reference state: what generation must respect.
#[derive(Debug, Clone, Default)]
pub struct State {
    /// AT+HTTPCHEAD entries stored at most (devices hold a handful).
    headers: usize,
}

/// The state machine proptest-state-machine drives.
pub struct Machine;

fn endpoint() -> impl Strategy<Value = Endpoint> {
    prop_oneof![
        3 => Just(Endpoint::Raw),
        3 => Just(Endpoint::Wiremock),
        1 => Just(Endpoint::Tls),
        1 => Just(Endpoint::Closed),
    ]
}

fn path() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("/".to_string()),
        "/[a-z0-9]{1,12}(\\?[a-z]=[0-9]{1,3})?"
    ]
}

fn target() -> impl Strategy<Value = (Endpoint, String)> {
    (endpoint(), path())
}

/// Header lines a mock server can take: a token name (never one that frames the request),
/// a colon, a printable value.
fn header() -> impl Strategy<Value = Vec<u8>> {
    ("[A-Za-z][A-Za-z0-9-]{0,10}", "[ ]{0,2}", "[ -~]{0,16}").prop_map(|(n, sp, v)| {
        format!("X-{n}:{sp}{}", v.replace(['"', '\\', ','], "")).into_bytes()
    })
}

fn noise() -> impl Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![
        2 => any::<u8>(),
        1 => prop::sample::select(b"\r\n\0AT+=?,\"\\>".to_vec()),
    ];
    // Shorter than the 255-byte overflow threshold: whether a device's overflow discard fires
    // depends on how the bytes arrive (FRAMING.LINE.OVERFLOW is checked on its own, with
    // lines that cross it for certain), so noise must leave the device's state determinate.
    prop::collection::vec(byte, 1..200)
        // A restart in the noise is legal but would only test AT+RST again.
        .prop_filter("no AT+RST", |b| {
            !b.windows(6).any(|w| w.eq_ignore_ascii_case(b"AT+RST"))
        })
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    let size = prop_oneof![
        Just(0usize),
        Just(1),
        Just(2047),
        Just(2048),
        Just(2049),
        0usize..6000
    ];
    (size, any::<u8>()).prop_map(|(n, seed)| {
        (0..n)
            .map(|i| seed.wrapping_add((i * 7 % 251) as u8))
            .collect()
    })
}

fn scenario() -> impl Strategy<Value = Scenario> {
    let status = prop::sample::select(vec![
        200u16, 200, 201, 204, 301, 302, 400, 404, 418, 500, 503,
    ]);
    let framing = prop_oneof![
        4 => Just(Framing::Length),
        2 => (1usize..3000, prop::sample::select(vec![0u64, 0, 0, 2])).prop_map(|(piece, gap_ms)| Framing::Chunked { piece, gap_ms }),
        1 => Just(Framing::Close),
    ];
    let fault = prop_oneof![
        8 => Just(None),
        1 => (0usize..100).prop_map(|k| Some(Fault::ResetAfter(k))),
        1 => Just(Some(Fault::MalformedStatus)),
    ];
    (
        status,
        body(),
        framing,
        // Mostly prompt servers; one in eight stalls past a short timeout (see `tame`).
        prop::sample::select(vec![0u64, 0, 0, 0, 0, 30, 30, STALL_MS]),
        fault,
    )
        .prop_map(|(status, body, framing, delay, fault)| {
            // Trickling stays short: at most ~60 ms of gaps per response.
            let framing = match framing {
                Framing::Chunked { piece, gap_ms } if (body.len() / piece) as u64 * gap_ms > 60 => {
                    Framing::Chunked { piece, gap_ms: 0 }
                }
                f => f,
            };
            let mut s = Scenario::status(status, &body)
                .framed(framing)
                .delayed(delay);
            s.fault = fault;
            s
        })
}

/// How long a stalling server of a fuzzed scenario waits before it answers.
const STALL_MS: u64 = 400;
/// A short timeout, well below a stall: it fires (`HTTP.TIMEOUT.NETWORK`) whatever the
/// device's speed; only ever sent against a stalling server.
const SHORT_TIMEOUT_MS: i32 = 100;
/// A long timeout, well above a stall: the late answer arrives first.
const LONG_TIMEOUT_MS: i32 = 2000;

/// Makes a generated command safe to send: URLs point at mock endpoints (no DNS), header
/// names cannot reframe a request, and timeouts stay clear of the mock's delays: at least
/// five times the stall, never close enough to it for the race to depend on the machine's
/// load or the device's speed.
fn tame(cmd: Command, to: (Endpoint, String), hosts: bool) -> Command {
    let url = |u: Option<Vec<u8>>| -> Option<Vec<u8>> {
        match u {
            Some(u) if u.windows(3).any(|w| w == b"://") => Some(marker(&to)),
            Some(u) if !u.is_empty() && hosts => Some(marker(&to)),
            other => other,
        }
    };
    // A short timeout only ever goes with a stalling server (`Transition::Stalled`): against
    // a prompt one it would race the device's own connect time (an emulated chip takes
    // longer than 100 ms), which the oracle cannot know.
    let timeout = |t: Option<i32>| {
        t.map(|t| {
            if (1..LONG_TIMEOUT_MS).contains(&t) {
                LONG_TIMEOUT_MS
            } else {
                t
            }
        })
    };
    match cmd {
        Command::HttpClient(mut c) => {
            c.url = url(c.url);
            if c.host.as_ref().is_some_and(|h| !h.is_empty()) {
                c.host = Some(b"{host}".to_vec());
            }
            if c.path.as_ref().is_some_and(|p| !p.is_empty()) {
                c.path = Some(to.1.clone().into_bytes());
            }
            c.http_req_header = c
                .http_req_header
                .into_iter()
                .map(|h| token_name(&h))
                .collect();
            Command::HttpClient(c)
        }
        Command::HttpGetSize(mut c) => {
            c.url = url(c.url);
            c.timeout = timeout(c.timeout);
            Command::HttpGetSize(c)
        }
        Command::HttpCGet(mut c) => {
            c.url = url(c.url);
            c.timeout = timeout(c.timeout);
            Command::HttpCGet(c)
        }
        other => other,
    }
}

/// A generated `name:value` header with its name made a plain token under `X-`, so no mock
/// server rejects it and it cannot reframe the request; the value is kept as generated.
fn token_name(h: &[u8]) -> Vec<u8> {
    let colon = h.iter().position(|&b| b == b':').unwrap_or(h.len());
    let mut out = b"X-F".to_vec();
    out.extend(
        h[..colon]
            .iter()
            .filter(|b| b.is_ascii_alphanumeric() || **b == b'-'),
    );
    out.push(b':');
    out.extend_from_slice(h.get(colon + 1..).unwrap_or_default());
    out
}

fn marker((e, p): &(Endpoint, String)) -> Vec<u8> {
    format!("{{{e:?}}}{p}").into_bytes()
}

impl ReferenceStateMachine for Machine {
    type State = State;
    type Transition = Transition;

    fn init_state() -> BoxedStrategy<State> {
        Just(State::default()).boxed()
    }

    fn transitions(state: &State) -> BoxedStrategy<Transition> {
        let plain = (strategies::valid(), target(), any::<bool>()).prop_filter_map(
            "data-phase commands have their own transitions",
            |(c, to, hosts)| match c {
                Command::HttpCPost(_)
                | Command::HttpCPut(_)
                | Command::HttpUrlCfgSet(_)
                | Command::HttpCHeadSet(_) => None,
                c => Some(Transition::Command(tame(c, to, hosts))),
            },
        );
        let store_url = prop_oneof![
            3 => target().prop_map(|t| Transition::StoreUrl(Some(t), String::new())),
            1 => "[ -~]{8,40}".prop_map(|junk| Transition::StoreUrl(None, junk)),
        ];
        let send = (
            any::<bool>(),
            prop::option::weighted(0.8, target()),
            prop::collection::vec(header(), 0..3),
            prop::collection::vec(any::<u8>(), 1..600),
        )
            .prop_map(|(put, to, headers, data)| Transition::Send {
                put,
                to,
                headers,
                data,
            });
        // A GET after a stalling server with a short timeout (it fires: `HTTP.TIMEOUT.NETWORK`)
        // or a long one (the late answer comes), or a GET with a long timeout against
        // whatever scenario is in force.
        let timed = (target(), any::<bool>(), any::<bool>(), any::<bool>()).prop_map(
            |(to, size, short, stall)| {
                let url = Some(marker(&to));
                let timeout = Some(if short && stall {
                    SHORT_TIMEOUT_MS
                } else {
                    LONG_TIMEOUT_MS
                });
                let get = if size {
                    Command::HttpGetSize(host::HttpGetSize {
                        url,
                        tx_size: None,
                        rx_size: None,
                        timeout,
                    })
                } else {
                    Command::HttpCGet(host::HttpCGet {
                        url,
                        tx_size: None,
                        rx_size: None,
                        timeout,
                    })
                };
                if stall {
                    Transition::Stalled(get)
                } else {
                    Transition::Command(get)
                }
            },
        );
        let header_room = state.headers < 4;
        prop_oneof![
            6 => plain,
            1 => timed,
            3 => strategies::invalid().prop_map(|(line, _, _)| Transition::Invalid(line)),
            2 => store_url,
            (if header_room { 2 } else { 0 }) => header().prop_map(Transition::StoreHeader),
            3 => send,
            3 => scenario().prop_map(Transition::Mock),
            1 => noise().prop_map(Transition::Noise),
        ]
        .boxed()
    }

    fn apply(mut state: State, t: &Transition) -> State {
        match t {
            Transition::StoreHeader(_) => state.headers += 1,
            Transition::Command(Command::Rst) => state.headers = 0,
            _ => {}
        }
        state
    }

    fn preconditions(state: &State, t: &Transition) -> bool {
        !matches!(t, Transition::StoreHeader(_)) || state.headers < 4
    }
}

/// Resolves markers and turns a transition into steps.
pub fn steps(t: &Transition, ctx: &Ctx) -> Vec<Step> {
    let url = |(e, p): &(Endpoint, String)| -> String {
        match e {
            Endpoint::Wiremock => ctx.wiremock_url(p),
            Endpoint::Raw => ctx.raw_url(p),
            // A device declared without TLS is certified to class `http`: its HTTPS is judged
            // by `CONFORMANCE.CLASS.HTTPS` alone, never by fuzzing.
            Endpoint::Tls if !ctx.profile.tls => ctx.raw_url(p),
            Endpoint::Tls => ctx.tls_url(crate::oracle::TlsFront::Good, p),
            Endpoint::Closed => ctx.closed(p),
        }
    };
    let resolve = |b: &[u8]| -> Vec<u8> {
        let mut s = String::from_utf8_lossy(b).into_owned();
        for e in [
            Endpoint::Wiremock,
            Endpoint::Raw,
            Endpoint::Tls,
            Endpoint::Closed,
        ] {
            let m = format!("{{{e:?}}}");
            if let Some(rest) = s.strip_prefix(&m) {
                s = url(&(e, rest.to_string()));
            }
        }
        s.replace("{host}", ctx.host()).into_bytes()
    };
    match t {
        Transition::Command(c) => {
            let mut c = c.clone();
            match &mut c {
                Command::HttpClient(x) => {
                    x.url = x.url.as_deref().map(resolve);
                    x.host = x.host.as_deref().map(resolve);
                    let named = |v: &Option<Vec<u8>>| v.as_ref().is_some_and(|v| !v.is_empty());
                    if !named(&x.url) && named(&x.host) && named(&x.path) && !ctx.well_known_ports()
                    {
                        // Host/path mode reaches ports 80/443, which this run does not hold
                        // (another program, or another certification run, may): the command
                        // falls back to the stored URL instead.
                        x.host = None;
                        x.path = None;
                    } else if named(&x.host)
                        && let Some(p) = x.path.as_mut().filter(|p| p.starts_with(b"/"))
                    {
                        // The path the device requests must lie under the run's prefix.
                        *p = [ctx.path("").as_bytes(), p.as_slice()].concat();
                    }
                    if !ctx.profile.tls
                        && x.transport_type == Some(host::HttpClientTransportType::Ssl)
                    {
                        // Class http: host/path mode over TCP only (see `Endpoint::Tls`).
                        x.transport_type = Some(host::HttpClientTransportType::Tcp);
                    }
                }
                Command::HttpGetSize(x) => x.url = x.url.as_deref().map(resolve),
                Command::HttpCGet(x) => x.url = x.url.as_deref().map(resolve),
                _ => {}
            }
            vec![Step::raw(host::encode(&c))]
        }
        Transition::Invalid(line) => {
            let mut b = line.clone();
            if !b.ends_with(b"\r\n") {
                b.extend_from_slice(b"\r\n");
            }
            vec![Step::raw(b)]
        }
        Transition::StoreUrl(to, junk) => {
            let u = to.as_ref().map_or_else(|| junk.clone(), url);
            vec![
                Step::line(format!("AT+HTTPURLCFG={}", u.len())),
                Step::raw(u.into_bytes()),
            ]
        }
        Transition::StoreHeader(h) => vec![
            Step::line(format!("AT+HTTPCHEAD={}", h.len())),
            Step::raw(h.clone()),
        ],
        Transition::Send {
            put,
            to,
            headers,
            data,
        } => {
            let cmd = if *put { "AT+HTTPCPUT" } else { "AT+HTTPCPOST" };
            let u = to.as_ref().map(url).unwrap_or_default();
            let mut line = format!("{cmd}=\"{u}\",{}", data.len());
            if !headers.is_empty() {
                line.push_str(&format!(",{}", headers.len()));
                for h in headers {
                    line.push_str(&format!(",\"{}\"", String::from_utf8_lossy(h)));
                }
            }
            vec![Step::line(line), Step::raw(data.clone())]
        }
        Transition::Mock(s) => vec![Step::mock(s.clone())],
        Transition::Stalled(c) => {
            let mut v = vec![Step::mock(Scenario::ok(b"late").delayed(STALL_MS))];
            v.extend(steps(&Transition::Command(c.clone()), ctx));
            v
        }
        Transition::Noise(b) => {
            // Ended by a line terminator, so the answer has an end to wait for.
            let mut b = b.clone();
            b.extend_from_slice(b"\r\n");
            vec![Step::raw(b)]
        }
    }
}

/// Fuzzing limits.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Sequences to run.
    pub cases: u32,
    /// Seed.
    pub seed: u64,
    /// Longest time spent shrinking a failure.
    pub max_shrink: Duration,
    /// Transitions per sequence.
    pub max_len: usize,
}

/// What fuzzing found.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Sequences of the requested count that ran (shrinking and re-runs apart).
    pub sequences: u64,
    /// Runs spent shrinking the first failure and re-running the shrunk sequence.
    pub shrink_runs: u64,
    /// Steps sent (shrinking included).
    pub steps: u64,
    /// Requested sequences that failed or hung.
    pub failing: u64,
    /// Fuzzing stopped before the requested count because [`FAILING_MAX`] sequences failed
    /// or [`DISTINCT_MAX`] kinds of failure were found.
    pub stopped_early: bool,
    /// The shrunk first failure, if any: the transcript of the run that failed (with its
    /// diff), never a re-run that may have passed.
    pub failure: Option<Transcript>,
    /// The first failing sequence, before shrinking, when shrinking changed it.
    pub original: Option<Transcript>,
    /// The first sequence of every other kind of failure (see [`kind`]), not shrunk.
    pub others: Vec<Transcript>,
    /// Of [`REPRODUCE`] re-runs of the shrunk failure, how many failed again.
    pub reproduced: u32,
    /// Requested sequences the run's second profile judged differently.
    pub second_differences: u64,
    /// The first of them.
    pub second_example: Option<Transcript>,
}

/// How often a shrunk failure is run again to tell a deterministic failure from one that
/// depends on timing.
pub const REPRODUCE: u32 = 2;

/// Fuzzing goes on after a failure, so that one failure cannot hide others, until this many
/// requested sequences failed...
pub const FAILING_MAX: u64 = 20;

/// ...or this many kinds of failure were found.
pub const DISTINCT_MAX: usize = 5;

/// The kind of a failing sequence: the verdict's class and the command of the step it
/// failed at (`fail AT+HTTPCPOST`), so that repeats of one fault count once.
pub fn kind(t: &Transcript) -> String {
    let class = match t.verdict {
        Verdict::Hung(_) => "hung",
        _ => "fail",
    };
    let step = t
        .records
        .iter()
        .find(|r| r.mismatch.is_some())
        .or(t.records.last());
    let command = step
        .and_then(|r| match &r.step {
            Step::Send { bytes, .. } => Some(bytes.0.clone()),
            _ => None,
        })
        .map(|b| {
            let end = b
                .iter()
                .position(|&c| matches!(c, b'=' | b'?' | b'\r' | b'\n'))
                .unwrap_or(b.len())
                .min(24);
            crate::bytes::escape(&b[..end]).to_ascii_uppercase()
        })
        .unwrap_or_default();
    format!("{class} {command}")
}

fn rng(seed: u64) -> TestRng {
    let mut bytes = [0u8; 32];
    for (i, b) in bytes.iter_mut().enumerate() {
        *b = (seed >> ((i % 8) * 8)) as u8 ^ (i as u8).wrapping_mul(37);
    }
    TestRng::from_seed(RngAlgorithm::ChaCha, &bytes)
}

fn failed(t: &Transcript) -> bool {
    matches!(t.verdict, Verdict::Fail(_) | Verdict::Hung(_))
}

/// Runs the fuzzer: the requested sequences (going on past failures, up to the caps), then
/// shrinks the first failure. `progress` is called after each run with the count so far
/// (above `limits.cases` while shrinking); `record` with each run's transcript.
pub fn run(
    env: &mut Env,
    closed_port: u16,
    limits: Limits,
    progress: &dyn Fn(u64),
    record: &mut dyn FnMut(&Transcript),
) -> Outcome {
    let mut generator = TestRunner::new_with_rng(Config::default(), rng(limits.seed));
    let strategy = Machine::sequential_strategy(1..=limits.max_len);
    let mut out = Outcome::default();
    let mut first: Option<(_, Transcript)> = None;
    let mut kinds: Vec<String> = Vec::new();
    let mut play = |env: &mut Env, tree: &dyn ValueTree<Value = Sequence>, out: &mut Outcome| {
        let (_, transitions, seen) = tree.current();
        // Every transition is sent (a case runs to its end), so all of them count as seen;
        // the shrinker drops unseen ones first.
        if let Some(seen) = &seen {
            seen.store(transitions.len(), std::sync::atomic::Ordering::SeqCst);
        }
        let ctx = Ctx::new(&env.mock, closed_port, env.profile);
        let steps: Vec<Step> = transitions.iter().flat_map(|t| steps(t, &ctx)).collect();
        let t = runner::run(env, "fuzz", &[], &steps);
        out.steps += steps.len() as u64;
        record(&t);
        t
    };
    for _ in 0..limits.cases {
        // A stopped run leaves the remaining sequences unrun (the report says so).
        if crate::interrupt::requested().is_some() {
            break;
        }
        let Ok(tree) = strategy.new_tree(&mut generator) else {
            break;
        };
        let t = play(env, &tree, &mut out);
        out.sequences += 1;
        progress(out.sequences);
        if let Some(j) = &t.second
            && matches!(j.verdict, Verdict::Fail(_) | Verdict::Hung(_))
        {
            out.second_differences += 1;
            out.second_example.get_or_insert_with(|| t.clone());
        }
        if !failed(&t) {
            continue;
        }
        out.failing += 1;
        let k = kind(&t);
        if !kinds.contains(&k) {
            kinds.push(k);
            if first.is_some() {
                out.others.push(t.clone());
            }
        }
        if first.is_none() {
            first = Some((tree, t));
        }
        if out.failing >= FAILING_MAX || kinds.len() >= DISTINCT_MAX {
            out.stopped_early = out.sequences < u64::from(limits.cases);
            break;
        }
    }
    let Some((mut tree, original)) = first else {
        return out;
    };
    // Shrinking: simplify while the sequence still fails, complicate back when it passes
    // (proptest's own loop), bounded in time and runs. The last failing run is the minimum.
    let started = std::time::Instant::now();
    let mut minimal = original.clone();
    let mut more = tree.simplify();
    while more
        && started.elapsed() < limits.max_shrink
        && out.shrink_runs < SHRINK_RUNS_MAX
        && crate::interrupt::requested().is_none()
    {
        let t = play(env, &tree, &mut out);
        out.shrink_runs += 1;
        progress(u64::from(limits.cases) + out.shrink_runs);
        more = if failed(&t) {
            minimal = t;
            tree.simplify()
        } else {
            tree.complicate()
        };
    }
    for _ in 0..REPRODUCE {
        let again = runner::run(env, "fuzz", &[], &minimal.steps);
        out.shrink_runs += 1;
        if failed(&again) {
            out.reproduced += 1;
        }
    }
    minimal.seed = Some(limits.seed);
    minimal.note = match out.reproduced {
        REPRODUCE => format!("failed again in {REPRODUCE} of {REPRODUCE} re-runs"),
        n => format!(
            "failed again in {n} of {REPRODUCE} re-runs: the failure depends on timing; \
             the original failing sequence is saved beside it"
        ),
    };
    if original.steps != minimal.steps {
        let mut o = original;
        o.seed = Some(limits.seed);
        o.note = "the first failing sequence, before shrinking".into();
        out.original = Some(o);
    }
    for o in &mut out.others {
        o.seed = Some(limits.seed);
        o.note = format!("another kind of failure ({}), not shrunk", kind(o));
    }
    out.failure = Some(minimal);
    out
}

/// Most runs spent shrinking one failure.
const SHRINK_RUNS_MAX: u64 = 2000;

/// What the state machine strategy generates: the initial state, the transitions, and the
/// count of transitions applied (for the shrinker).
type Sequence = (
    State,
    Vec<Transition>,
    Option<std::sync::Arc<std::sync::atomic::AtomicUsize>>,
);
