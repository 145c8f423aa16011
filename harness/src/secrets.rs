//! Secrets: every value expanded from the environment (a setup script's `${WIFI_PASSWORD}`) is
//! registered here and replaced by `${NAME}` in every byte the harness writes anywhere: UART
//! logs (both directions, the device's echo too, even split across reads), transcripts, the
//! terminal, JSON, HTML, JUnit, fuzz logs and failure files. Like CI secret masking, it is a
//! process-wide list, so no output path can forget it.
//!
//! A value is also registered in the escaped forms reports show bytes in (`\r`/`\xNN`, JSON,
//! HTML and XML text), so an escape does not unmask it. Values shorter than
//! [`MIN_SECRET`] bytes are not masked (they would blank out ordinary text); registering one
//! says so.

use std::sync::{Mutex, OnceLock};

/// The shortest value that is masked.
pub const MIN_SECRET: usize = 3;

/// One registered value: every form it may take in an output, and what replaces it.
struct Secret {
    forms: Vec<Vec<u8>>,
    name: String,
}

fn registry() -> &'static Mutex<Vec<Secret>> {
    static R: OnceLock<Mutex<Vec<Secret>>> = OnceLock::new();
    R.get_or_init(|| Mutex::new(Vec::new()))
}

/// Registers `value`, expanded from the environment variable `name`. `Err` (with the reason)
/// when it is too short to mask; it is then not registered.
pub fn register(name: &str, value: &str) -> Result<(), String> {
    if value.len() < MIN_SECRET {
        return Err(format!(
            "the value of ${{{name}}} is shorter than {MIN_SECRET} bytes and is not masked in logs and reports"
        ));
    }
    let mut forms: Vec<Vec<u8>> = vec![
        value.as_bytes().to_vec(),
        crate::bytes::escape(value.as_bytes()).into_bytes(),
        json_escaped(value).into_bytes(),
        html_escaped(value).into_bytes(),
        crate::bytes::xml_text(value).into_bytes(),
    ];
    // Longest first, so a form that contains another is replaced whole.
    forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
    forms.dedup();
    let mut r = registry().lock().unwrap_or_else(|e| e.into_inner());
    if !r.iter().any(|s| s.name == name && s.forms == forms) {
        r.push(Secret {
            forms,
            name: name.to_string(),
        });
    }
    Ok(())
}

fn json_escaped(v: &str) -> String {
    let s = serde_json::to_string(v).unwrap_or_default();
    s.get(1..s.len().saturating_sub(1))
        .unwrap_or_default()
        .to_string()
}

fn html_escaped(v: &str) -> String {
    v.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `bytes` with every registered secret replaced by `${NAME}`.
pub fn mask_bytes(bytes: &[u8]) -> Vec<u8> {
    let r = registry().lock().unwrap_or_else(|e| e.into_inner());
    if r.is_empty() {
        return bytes.to_vec();
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    'scan: while i < bytes.len() {
        for s in r.iter() {
            for f in &s.forms {
                if bytes[i..].starts_with(f) {
                    out.extend_from_slice(format!("${{{}}}", s.name).as_bytes());
                    i += f.len();
                    continue 'scan;
                }
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

/// `text` with every registered secret replaced by `${NAME}`.
pub fn mask(text: &str) -> String {
    String::from_utf8_lossy(&mask_bytes(text.as_bytes())).into_owned()
}

/// How many trailing bytes of `bytes` could be the start of a secret (a proper prefix of one
/// of its forms): a stream masker holds them back until the next bytes tell.
pub fn partial_tail(bytes: &[u8]) -> usize {
    let r = registry().lock().unwrap_or_else(|e| e.into_inner());
    let mut longest = 0;
    for f in r.iter().flat_map(|s| s.forms.iter()) {
        for k in (longest + 1..f.len().min(bytes.len() + 1)).rev() {
            if bytes.ends_with(&f[..k]) {
                longest = k;
                break;
            }
        }
    }
    longest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_is_masked_in_every_form_and_short_values_are_refused() {
        register("ATSPEC_TEST_PW", "s3cr\"t&<pw>\r").unwrap();
        assert_eq!(
            mask("AT+CWJAP=\"lab\",\"s3cr\"t&<pw>\r\""),
            "AT+CWJAP=\"lab\",\"${ATSPEC_TEST_PW}\""
        );
        // As the UART log and transcripts show bytes, as JSON, HTML and XML do.
        assert_eq!(mask("s3cr\"t&<pw>\\r"), "${ATSPEC_TEST_PW}");
        assert_eq!(mask("x s3cr\\\"t&<pw>\\r y"), "x ${ATSPEC_TEST_PW} y");
        assert_eq!(mask("s3cr&quot;t&amp;&lt;pw&gt;\r"), "${ATSPEC_TEST_PW}");
        assert_eq!(mask("nothing here"), "nothing here");
        // A stream that ends inside the value holds those bytes back.
        assert_eq!(partial_tail(b"AT+CWJAP=\"s3cr"), 4);
        assert_eq!(partial_tail(b"AT+CWJAP=\"xyz"), 0);
        assert!(register("ATSPEC_TEST_SHORT", "ab").is_err());
        assert_eq!(mask("ab"), "ab");
    }
}
