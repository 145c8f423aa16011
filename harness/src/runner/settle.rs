//! After a case: draining what the device still prints, and leaving a data phase the case
//! did not end (by sending the promised bytes, or by recovery).

use crate::device::Device;
use crate::waits;
use crate::world::step::{DATA_PHASE_MAX, Step};
use crate::world::transcript::StepRecord;
/// The steps a recovery took, or where it failed.
pub(super) fn recovery_log(r: Result<Vec<String>, String>) -> Vec<String> {
    match r {
        Ok(log) => log,
        Err(e) => vec![format!("failed: {e}")],
    }
}

/// After a case stopped at a disagreement (or a trailer came): whatever the device still
/// prints belongs to this case, not the next. A device that prompted where the oracle
/// expected something else (or prompted differently) is waiting for data: it is given what
/// the command promised. `Some`: a data phase was settled (whether it left it, and how).
pub(super) fn after_stop(
    device: &mut Device,
    records: &[StepRecord],
) -> Option<(bool, Vec<String>)> {
    device.drain(waits::AFTER_STOP);
    let rec = records
        .iter()
        .rev()
        .find(|r| matches!(r.step, Step::Send { .. }))?;
    match &rec.step {
        Step::Send { bytes, .. } if prompted(&rec.actual.0) => {
            Some(settle_data_phase(device, &bytes.0))
        }
        _ => None,
    }
}

/// Whether output ends in a data prompt of any spelling: `>` as its last byte but for
/// trailing spaces or tabs (a `> ` prompt is still a device waiting for data, and sending it
/// the promised bytes is quicker than a reset).
fn prompted(output: &[u8]) -> bool {
    let end = output
        .iter()
        .rposition(|b| !matches!(b, b' ' | b'\t'))
        .map_or(0, |i| i + 1);
    output[..end].last() == Some(&b'>')
}

/// Ends the data phase `line` opened on the device by sending the bytes it promised, when
/// that is cheap; otherwise recovers (AT+RST, then a reset or a reopened link). Returns
/// whether the device left the data phase by either means, and the recovery steps.
fn settle_data_phase(device: &mut Device, line: &[u8]) -> (bool, Vec<String>) {
    use crate::syntax::device::{Command, parse};
    let text = line.strip_suffix(b"\r\n").unwrap_or(line);
    let mut scratch = vec![0u8; text.len()];
    let promised = match parse(text, &mut scratch) {
        Ok(Command::HttpCPost(c)) => Some(i64::from(c.length)),
        Ok(Command::HttpCPut(c)) => Some(i64::from(c.length)),
        Ok(Command::HttpUrlCfgSet(c)) => Some(i64::from(c.url_length)),
        Ok(Command::HttpCHeadSet(c)) => Some(i64::from(c.req_header_len)),
        _ => None,
    };
    match promised {
        Some(n) if n > 0 && n as usize <= DATA_PHASE_MAX => {
            // Header-safe filler (no NUL, CR or LF); a header store wants a colon.
            let mut data = vec![b'x'; n as usize];
            if let Some(c) = data.get_mut(1) {
                *c = b':';
            }
            if device.send(&data).is_err() {
                let r = device.recover();
                return (r.is_ok(), recovery_log(r));
            }
            device.drain(waits::AFTER_DATA);
            (true, vec![format!("sent the {n} promised data bytes")])
        }
        _ => {
            let r = device.recover();
            (r.is_ok(), recovery_log(r))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::prompted;

    #[test]
    fn a_prompt_is_recognised_in_any_spelling_and_nothing_else_is() {
        for yes in [&b"\r\nOK\r\n\r\n>"[..], b"OK\r\n> ", b">\t \t", b">"] {
            assert!(prompted(yes), "{yes:?}");
        }
        for no in [
            &b""[..],
            b"  ",
            b"\r\nOK\r\n",
            b">\r\n",
            b"> x",
            b"ERROR\r\n",
        ] {
            assert!(!prompted(no), "{no:?}");
        }
    }
}
