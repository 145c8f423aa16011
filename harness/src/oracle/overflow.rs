//! `FRAMING.LINE.OVERFLOW_CHUNK`: what a line completed after an overflow may hold.
//!
//! The first reading (`FRAMING.LINE.OVERFLOW`) is byte-wise: after 255 buffered bytes are
//! discarded, the next byte starts a new line. A device that discards, with them, the rest
//! of the chunk its UART driver handed over holds instead whatever arrived after that chunk;
//! the harness cannot see the driver's chunks, so any tail of the bytes after the overflow is
//! a line such a device may complete. Each tail is answered as its parse says, and only a
//! tail that starts with `AT` can be answered otherwise than as a non-AT line (the empty tail
//! is one of those, `FRAMING.LINE.EMPTY`): so the readings are the empty tail and each tail
//! starting with `AT`, no matter how long the run was.

use super::{Expect, LINE_CAPACITY, Model, Reading, World};

/// The bytes of an unterminated run since its first overflow, the newest
/// [`LINE_CAPACITY`] - 1 of them: a device never holds more of a line than that.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Run {
    tail: Vec<u8>,
}

impl Run {
    /// One more byte of the run.
    pub(super) fn push(&mut self, b: u8) {
        // Trimmed in batches: the window is what matters, not the moment it is cut.
        if self.tail.len() >= 2 * LINE_CAPACITY {
            self.tail.drain(..self.tail.len() - (LINE_CAPACITY - 1));
        }
        self.tail.push(b);
    }

    /// The lines a chunk-discarding device may complete at the CR LF that ends the run,
    /// besides `line` (the byte-wise reading): the empty one and every tail starting with
    /// `AT`, shortest first.
    pub(super) fn lines(&self, line: &[u8]) -> Vec<Vec<u8>> {
        // The run's bytes before its CR LF, at most what a device can hold.
        let run = self.tail.strip_suffix(b"\r\n").unwrap_or(&self.tail);
        let run = &run[run.len().saturating_sub(LINE_CAPACITY - 2)..];
        let mut out: Vec<Vec<u8>> = vec![Vec::new()];
        for start in (0..run.len()).rev() {
            let t = &run[start..];
            if t.len() >= 2 && t[..2].eq_ignore_ascii_case(b"AT") {
                out.push(t.to_vec());
            }
        }
        out.retain(|t| t != line);
        out
    }
}

impl Model {
    /// Adds to `x` the answers of a device that completes one of `run`'s other lines
    /// instead of `line`: each runs on a copy of the model, which then reads the rest of the
    /// step (`rest` and the busy bytes) as this one will.
    pub(super) fn chunk_readings(
        &self,
        run: &Run,
        line: &[u8],
        rest: &[u8],
        busy: Option<&[u8]>,
        world: &World,
        x: &mut Expect,
    ) {
        if self.nested {
            // One line per step is read otherwise: nesting would grow as 2^lines.
            return;
        }
        for alt in run.lines(line) {
            implements!(FramingLineOverflowChunk);
            let mut m = self.clone();
            m.nested = true;
            let mut y = Expect {
                alternatives: Vec::new(),
                ..x.clone()
            };
            let left = m.complete_line(&alt, rest, busy, world, &mut y);
            m.read_all(left, busy, world, &mut y);
            y.prompt = m.in_data_phase();
            y.alternatives.clear();
            m.nested = false;
            x.alternatives.push(Reading {
                clause: "FRAMING.LINE.OVERFLOW_CHUNK",
                expect: y,
                model: Box::new(m),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(bytes: &[u8]) -> Run {
        let mut r = Run::default();
        bytes.iter().for_each(|&b| r.push(b));
        r
    }

    #[test]
    fn the_other_lines_are_the_empty_one_and_each_tail_starting_with_at() {
        // Byte-wise the device completes `xxATat+gmr`: the other readings are its tails.
        let r = run(b"xxATat+gmr\r\n");
        assert_eq!(
            r.lines(b"xxATat+gmr"),
            [b"".to_vec(), b"at+gmr".to_vec(), b"ATat+gmr".to_vec()]
        );
        // The byte-wise line itself is no other reading.
        assert_eq!(run(b"\r\n").lines(b""), Vec::<Vec<u8>>::new());
    }

    #[test]
    fn a_tail_is_never_longer_than_a_device_holds() {
        let mut bytes = b"AT".to_vec();
        bytes.extend(std::iter::repeat_n(b'z', 2000));
        bytes.extend_from_slice(b"AT\r\n");
        let lines = run(&bytes).lines(b"zzAT");
        assert_eq!(lines, [b"".to_vec(), b"AT".to_vec()]);
        assert!(lines.iter().all(|l| l.len() <= LINE_CAPACITY - 2));
    }
}

#[cfg(test)]
mod readings {
    use crate::oracle::{DeviceProfile, Model, Server, World};

    fn world() -> World {
        World {
            scenario: crate::world::scenario::Scenario::default(),
            host: "127.0.0.1".into(),
            servers: vec![(9, Server::Raw)],
        }
    }

    /// Overflowed in one write, `AT` in the next: byte-wise a non-AT line; a device that
    /// discarded the chunk runs `AT`, and that model goes on.
    #[test]
    fn a_line_after_an_overflow_may_be_any_tail() {
        let mut m = Model::new(DeviceProfile::default());
        m.echo = false;
        m.syslog = true;
        let x = m.step(&[b'B'; 300], None, &world());
        assert!(x.output.is_empty() && x.alternatives.is_empty());
        let x = m.step(b"AT\r\n", None, &world());
        assert_eq!(x.output, b"ERR CODE:0x01030000\r\n\r\nERROR\r\n");
        let outputs: Vec<&[u8]> = x
            .alternatives
            .iter()
            .map(|r| r.expect.output.as_slice())
            .collect();
        // The empty tail answers as the first reading does, so only `AT` is another answer.
        assert_eq!(outputs, [b"\r\nOK\r\n".as_slice()]);
        assert_eq!(x.alternatives[0].clause, "FRAMING.LINE.OVERFLOW_CHUNK");
        // The next line is read normally under both.
        assert!(m.step(b"AT\r\n", None, &world()).alternatives.is_empty());
        assert!(
            x.alternatives[0]
                .model
                .clone()
                .step(b"AT\r\n", None, &world())
                .alternatives
                .is_empty()
        );
        // A NUL does not end the run (a chunk may be discarded past it): the lines are
        // tails of what follows it, the empty one among them.
        let _ = m.step(&[b'B'; 300], None, &world());
        let x = m.step(b"\0AT\r\n", None, &world());
        assert_eq!(x.output, b"\r\nOK\r\n");
        let outputs: Vec<&[u8]> = x
            .alternatives
            .iter()
            .map(|r| r.expect.output.as_slice())
            .collect();
        assert_eq!(
            outputs,
            [b"ERR CODE:0x01030000\r\n\r\nERROR\r\n".as_slice()]
        );
        // With no overflow, a line is read one way only.
        let x = m.step(b"A\0AT\r\n", None, &world());
        assert!(x.alternatives.is_empty());
    }
}
