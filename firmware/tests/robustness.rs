//! The engine never panics, never loses output and frames lines the same way however the UART
//! chunks its input.

use atspec_firmware::testkit;
use atspec_firmware::{Config, Engine, Pki};
use atspec_rt::strategy::cases;
use proptest::prelude::*;

/// Feeds `bytes` in the given chunk sizes, draining after each chunk like a board does.
fn feed(bytes: &[u8], chunks: &[usize]) -> (Vec<u8>, Engine) {
    let mut e = Engine::new(Config {
        pki: Pki {
            certs: 1,
            keys: 1,
            cas: 1,
        },
    });
    let out = testkit::feed(&mut e, bytes, chunks);
    (out, e)
}

fn uart_bytes() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        4 => proptest::sample::select(vec![
            &b"AT\r\n"[..], b"ATE0\r\n", b"ATE1\r\n", b"AT+GMR\r\n", b"AT+SYSLOG=1\r\n", b"AT+SYSLOG?\r\n",
            b"AT+HTTPURLCFG=8\r\n", b"AT+HTTPURLCFG?\r\n", b"AT+HTTPCHEAD=4\r\n", b"AT+HTTPCHEAD?\r\n",
            b"AT+HTTPCFG=3,0,0\r\n", b"AT+RST\r\n", b"http://h", b"A: b", b"\r\n", b"\0",
        ]).prop_map(<[u8]>::to_vec),
        2 => proptest::collection::vec(any::<u8>(), 0..64),
        1 => proptest::collection::vec(b'x'..=b'z', 200..300),
    ];
    proptest::collection::vec(piece, 0..24).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(2_000), ..ProptestConfig::default() })]

    /// Same bytes, any chunking: same output (no network transaction runs here, so nothing
    /// depends on chunk boundaries), nothing dropped, no panic.
    #[test]
    fn chunking_does_not_change_output(bytes in uart_bytes(), chunks in proptest::collection::vec(1usize..40, 1..8)) {
        let (whole, e1) = feed(&bytes, &[usize::MAX]);
        let (split, e2) = feed(&bytes, &chunks);
        prop_assert_eq!(e1.dropped_output(), 0);
        prop_assert_eq!(e2.dropped_output(), 0);
        prop_assert!(whole == split);
    }
}

#[test]
fn engine_state_is_fixed_size() {
    // All state is inline: the size is a constant of the type, whatever the engine has seen.
    let size = std::mem::size_of::<Engine>();
    println!("size_of::<Engine>() = {size} bytes");
    println!(
        "size_of::<Engine<10240, 10240>>() = {} bytes",
        std::mem::size_of::<Engine<10240, 10240>>()
    );
    assert!(size < 16 * 1024, "engine state is {size} bytes");
}

/// One thing that can happen to the engine.
#[derive(Debug, Clone)]
enum Event {
    Uart(Vec<u8>),
    Connected,
    Received(Vec<u8>),
    Closed,
    NetError,
    Time(u64),
    PollAction,
    PollNet(usize),
    Drain(usize),
}

fn events() -> impl Strategy<Value = Vec<Event>> {
    let line = proptest::sample::select(vec![
        &b"AT+HTTPCGET=\"http://h/\"\r\n"[..],
        b"AT+HTTPCLIENT=2,,\"http://h/\",,,1\r\n",
        b"AT+HTTPCLIENT=1,,\"http://h/\",,,1\r\n",
        b"AT+HTTPGETSIZE=\"http://h/\"\r\n",
        b"AT+HTTPCPOST=\"http://h/\",5\r\n",
        b"AT\r\n",
        b"AT+RST\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbody",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
    ])
    .prop_map(<[u8]>::to_vec);
    let bytes = prop_oneof![line.clone(), proptest::collection::vec(any::<u8>(), 0..80)];
    let event = prop_oneof![
        3 => bytes.clone().prop_map(Event::Uart),
        3 => bytes.prop_map(Event::Received),
        2 => Just(Event::Connected),
        1 => Just(Event::Closed),
        1 => Just(Event::NetError),
        1 => (0u64..20_000).prop_map(Event::Time),
        2 => Just(Event::PollAction),
        2 => (0usize..600).prop_map(Event::PollNet),
        2 => (0usize..3000).prop_map(Event::Drain),
    ];
    proptest::collection::vec(event, 0..40)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(100_000), ..ProptestConfig::default() })]

    /// Arbitrary UART bytes interleaved with arbitrary network events: no panic, no output
    /// lost (the engine only takes what it can answer), and the engine comes back to `AT` → OK
    /// once the network is gone.
    #[test]
    fn arbitrary_uart_and_network_events(evs in events()) {
        let mut e = Engine::new(Config { pki: Pki { certs: 1, keys: 1, cas: 1 } });
        let mut sink = vec![0u8; 4096];
        let mut now = 0u64;
        for ev in evs {
            match ev {
                Event::Uart(b) => { let _ = e.handle_uart(&b); }
                Event::Connected => e.handle_connected(),
                Event::Received(b) => { let _ = e.handle_received(&b); }
                Event::Closed => e.handle_closed(),
                Event::NetError => e.handle_net_error(),
                Event::Time(dt) => { now += dt; e.handle_time(now); }
                Event::PollAction => { let _ = e.poll_action(); }
                Event::PollNet(n) => { e.poll_net_transmit(&mut sink[..n]); }
                Event::Drain(n) => { e.poll_transmit(&mut sink[..n]); }
            }
            prop_assert_eq!(e.dropped_output(), 0);
        }
        // Recovery: the network goes away, time passes, output is drained; a data phase
        // still waiting for bytes gets them.
        e.handle_net_error();
        e.handle_time(now + 200_000);
        while e.poll_transmit(&mut sink) > 0 {}
        while e.in_data_phase() {
            let took = e.handle_uart(&[b'x'; 64]);
            while e.poll_transmit(&mut sink) > 0 {}
            prop_assert!(took > 0 || !e.in_data_phase());
            e.handle_net_error();
        }
        while e.poll_transmit(&mut sink) > 0 {}
        let mut out = Vec::new();
        let _ = e.handle_uart(b"\r\nAT\r\n");
        loop {
            let n = e.poll_transmit(&mut sink);
            if n == 0 { break; }
            out.extend_from_slice(&sink[..n]);
        }
        prop_assert!(out.ends_with(b"\r\nOK\r\n"), "no OK after recovery: {:?}", String::from_utf8_lossy(&out));
        prop_assert_eq!(e.dropped_output(), 0);
    }
}
