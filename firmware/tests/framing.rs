//! The framing invariant: every command produces exactly one final result, and it is the last
//! thing the command prints (`RESULT.FINAL.LAST`). A host that frames answers by their final
//! result code (atat, the harness) depends on it.
//!
//! The property runs a host that sends commands one at a time against a scripted peer, with
//! the network events and the UART output credit (down to one byte per drain) interleaved at
//! random. `ATSPEC_CASES` raises the case count (10^6 for the figure in the issue).

#[macro_use]
mod common;

use atspec_firmware::device::Clause;
use atspec_firmware::testkit::{COMMANDS, Command, Driver, Event, RESPONSES};
use atspec_firmware::{Config, Engine, Pki};
use atspec_rt::strategy::cases;
use proptest::prelude::*;

fn engine() -> Engine {
    Engine::new(Config {
        pki: Pki {
            certs: 1,
            keys: 1,
            cas: 1,
        },
    })
}

fn script() -> impl Strategy<Value = Vec<Command>> {
    proptest::collection::vec(proptest::sample::select(COMMANDS.to_vec()), 1..10)
}

fn events() -> impl Strategy<Value = Vec<Event>> {
    let response = prop_oneof![
        4 => proptest::sample::select(RESPONSES.to_vec()).prop_map(<[u8]>::to_vec),
        1 => proptest::collection::vec(any::<u8>(), 0..64),
    ];
    // Output credit: one byte at a time as often as a whole buffer.
    let credit = prop_oneof![
        3 => Just(1usize),
        3 => 1usize..24,
        2 => 24usize..700,
        1 => 700usize..6000,
    ];
    let event = prop_oneof![
        6 => (1usize..64).prop_map(Event::Host),
        3 => Just(Event::PollAction),
        3 => Just(Event::Connected),
        3 => response.prop_map(Event::Peer),
        1 => (0usize..6000).prop_map(Event::PeerBody),
        2 => Just(Event::PeerClose),
        1 => Just(Event::NetError),
        3 => (0usize..700).prop_map(Event::PollNet),
        2 => prop_oneof![4 => 0u64..200, 1 => 0u64..8000].prop_map(Event::Time),
        10 => credit.prop_map(Event::Drain),
    ];
    proptest::collection::vec(event, 0..160)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(3_000), ..ProptestConfig::default() })]

    /// Exactly one final result per command, and nothing of the command after it, whatever
    /// the order of network events and however slowly the UART drains.
    #[test]
    fn one_final_result_and_nothing_after_it(script in script(), evs in events()) {
        proves!(ResultFinalLast);
        let mut d = Driver::new(engine(), script);
        if let Err(v) = d.run(&evs) {
            prop_assert!(false, "{}: {v}", Clause::ResultFinalLast.id());
        }
    }
}

/// Every step of a HEAD transaction whose peer closes right after the head, with the UART
/// draining one byte per step: the line-rate bug of issue #14, spelled out.
#[test]
fn head_lines_then_close_under_slow_output() {
    proves!(HttpclientHeadNoBody, ResultFinalLast);
    for (credit, close_after) in [(1, 0), (1, 5), (7, 0), (7, 40), (64, 1), (4096, 0)] {
        let head = COMMANDS[0];
        assert!(head.line.starts_with(b"AT+HTTPCLIENT=1,"));
        let mut d = Driver::new(engine(), vec![head, COMMANDS[18]]);
        let mut evs = vec![
            Event::Host(1),
            Event::PollAction,
            Event::Connected,
            Event::PollNet(4096),
            Event::Peer(RESPONSES[0].to_vec()),
        ];
        evs.extend(std::iter::repeat_n(Event::Drain(credit), close_after));
        evs.push(Event::PeerClose);
        evs.extend(std::iter::repeat_n(Event::Drain(credit), 400));
        evs.push(Event::Host(1));
        evs.extend(std::iter::repeat_n(Event::Drain(credit), 40));
        d.run(&evs).unwrap_or_else(|v| {
            panic!(
                "{}/{}: credit {credit}, close after {close_after}: {v}",
                Clause::HttpclientHeadNoBody.id(),
                Clause::ResultFinalLast.id()
            )
        });
        assert_eq!(d.host.answered, 2, "HEAD and AT both answered");
    }
}

/// The HEAD answer's lines all come, then OK: a close or a stalled clock during the printing
/// changes nothing (the response was complete at the end of its head).
#[test]
fn a_head_answer_is_complete_when_its_head_is() {
    proves!(HttpclientHeadNoBody);
    let mut e = engine();
    let _ = e.handle_uart(b"ATE0\r\n");
    let mut sink = [0u8; 4096];
    while e.poll_transmit(&mut sink) > 0 {}
    let _ = e.handle_uart(COMMANDS[0].line);
    assert!(matches!(
        e.poll_action(),
        Some(atspec_firmware::Action::Connect { .. })
    ));
    e.handle_connected();
    while e.poll_net_transmit(&mut sink) > 0 {}
    let head = RESPONSES[1];
    assert_eq!(e.handle_received(head), head.len());
    // The connection is given up at once: nothing more is read from it.
    assert_eq!(e.poll_action(), Some(atspec_firmware::Action::Close));
    let mut out = Vec::new();
    let mut one = [0u8; 1];
    for i in 0.. {
        if i == 3 {
            e.handle_closed();
            e.handle_net_error();
            e.handle_time(10_000_000);
        }
        if e.poll_transmit(&mut one) == 0 {
            break;
        }
        out.push(one[0]);
    }
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.starts_with("+HTTPCLIENT:24,Content-Type: text/plain\r\n"),
        "{text:?}"
    );
    assert!(
        text.ends_with("+HTTPCLIENT:84,X-Long: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\nOK\r\n"),
        "{text:?}"
    );
    assert_eq!(text.matches("\r\nOK\r\n").count(), 1, "{text:?}");
    assert!(
        !text.contains("ERROR"),
        "{}: {text:?}",
        Clause::HttpclientHeadNoBody.id()
    );
    assert!(!e.is_busy());
}
