//! Byte diffs cut to a window around the first difference, that byte highlighted: a 100 KiB
//! expected body is not printed whole, and the eye goes straight to where the device went
//! wrong.

use super::esc;

/// Characters shown before the first difference.
const BEFORE: usize = 60;
/// Characters shown from it on.
const AFTER: usize = 100;
/// Characters of a text shown when there is no difference to centre on.
const PLAIN_MAX: usize = 300;

/// How many chars the visible byte starting at char `at` takes: `\r`, `\\` and the like are
/// two, `\xNN` four, anything else one.
fn token_len(chars: &[char], at: usize) -> usize {
    match (chars.get(at), chars.get(at + 1)) {
        (Some('\\'), Some('x')) => 4.min(chars.len() - at),
        (Some('\\'), Some(_)) => 2,
        _ => 1,
    }
}

/// The char where two escaped texts first differ, at the start of the visible byte there
/// (so `\r` against `\n` marks the whole escape); `None` when they are equal.
pub fn first_difference(a: &str, b: &str) -> Option<usize> {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut i = 0;
    while i < a.len() && i < b.len() {
        let n = token_len(&a, i);
        if a[i..(i + n).min(a.len())] != b[i..(i + n).min(b.len())] {
            return Some(i);
        }
        i += n;
    }
    (a.len() != b.len()).then_some(i)
}

/// `text` (already escaped for display, as transcripts keep it) around char `at`, the byte
/// shown there in `<mark>`, each cut end saying how much was left out.
pub fn window(text: &str, at: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    let from = at.saturating_sub(BEFORE);
    let to = (at + AFTER).min(chars.len());
    let piece = |a: usize, b: usize| esc(&chars[a.min(b)..b].iter().collect::<String>());
    let mut h = String::new();
    if from > 0 {
        h.push_str(&format!("<span class=\"cut\">… {from} chars … </span>"));
    }
    h.push_str(&piece(from, at.min(chars.len())));
    let n = token_len(&chars, at);
    if at < chars.len() {
        h.push_str(&format!("<mark>{}</mark>", piece(at, at + n)));
        h.push_str(&piece(at + n, to.max(at + n)));
    } else {
        h.push_str("<mark class=\"end\">(ends here)</mark>");
    }
    if to < chars.len() {
        h.push_str(&format!(
            "<span class=\"cut\"> … {} chars more</span>",
            chars.len() - to
        ));
    }
    h
}

/// `text` (escaped for display) cut to its first [`PLAIN_MAX`] chars.
pub fn plain(text: &str) -> String {
    let n = text.chars().count();
    if n <= PLAIN_MAX {
        return esc(text);
    }
    let head: String = text.chars().take(PLAIN_MAX).collect();
    format!(
        "{}<span class=\"cut\"> … {} chars more</span>",
        esc(&head),
        n - PLAIN_MAX
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_diff_is_cut_around_its_first_difference() {
        let text = "a".repeat(100_000) + "X" + &"b".repeat(50_000);
        let h = window(&text, 100_000);
        assert!(h.contains("<mark>X</mark>"), "{h}");
        assert!(h.len() < 1000, "{}", h.len());
        assert!(h.contains("… 99940 chars … "), "{h}");
        assert!(h.contains(" … 49901 chars more"), "{h}");
        // A difference past the end of the shorter text.
        assert!(window("abc", 3).ends_with("<mark class=\"end\">(ends here)</mark>"));
        assert_eq!(window("<", 0), "<mark>&lt;</mark>");
        assert!(plain(&"z".repeat(1000)).contains(" … 700 chars more"));
        // An escape is one visible byte: the difference starts, and is marked, at its `\`.
        let (e, a) = ("\\r\\nERR", "\\r\\n\\r\\nERROR");
        assert_eq!(first_difference(e, a), Some(4));
        assert!(
            window(a, 4).contains("<mark>\\r</mark>"),
            "{}",
            window(a, 4)
        );
        assert_eq!(first_difference("\\x1b", "\\x1c"), Some(0));
        assert_eq!(first_difference("ab", "ab"), None);
        assert_eq!(first_difference("ab", "abc"), Some(2));
    }
}
