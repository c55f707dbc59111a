//! Text for a terminal: control characters escaped.
//!
//! Scenario names, descriptions, stage and class names and the lines of a
//! scenario echoed in an error are the user's text. Printed raw, an ESC
//! could recolour or rewrite the terminal, a BEL ring, a CR overwrite the
//! start of a line, and bidirectional overrides reorder what is shown.
//! Everything portsim prints for people (tables, messages, warnings, the
//! progress bar's label) goes through [`clean`], which keeps newlines and
//! tabs and writes every other control character as a visible escape such
//! as `\u{1b}` or `\r`. JSON on a terminal goes through [`json`], which
//! writes the controls serde_json leaves raw (DEL, the C1 range, the
//! bidirectional overrides) as `\u` escapes: the same document, safe to
//! look at. CSV on a terminal goes through [`clean`]; into a file or a
//! pipe both are left exact.

use std::borrow::Cow;

/// Whether `c` must not reach a terminal raw.
fn unsafe_char(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every control character but newline and tab escaped.
pub fn clean(text: &str) -> Cow<'_, str> {
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// JSON text with every control character that serde_json leaves raw
/// written as a `\uXXXX` escape (which means the same in a JSON string,
/// the only place such a character can be).
pub fn json(text: &str) -> Cow<'_, str> {
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) && !c.is_ascii_control() {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else if c == '\u{7f}' {
            out.push_str("\\u007f");
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_escaped_and_layout_is_kept() {
        assert_eq!(clean("plain\n\ttext"), "plain\n\ttext");
        assert_eq!(
            clean("a\u{1b}[2Jb\u{7}c\rd\u{9b}e\u{202e}f"),
            "a\\u{1b}[2Jb\\u{7}c\\rd\\u{9b}e\\u{202e}f"
        );
        assert!(matches!(clean("ok"), Cow::Borrowed(_)));
    }

    #[test]
    fn json_keeps_its_meaning() {
        let raw = "{\"name\": \"a\u{9b}b\u{7f}c\u{202e}\"}\n";
        let escaped = json(raw);
        assert_eq!(escaped, "{\"name\": \"a\\u009bb\\u007fc\\u202e\"}\n");
        let a: serde_json::Value = serde_json::from_str(raw).expect("json");
        let b: serde_json::Value = serde_json::from_str(&escaped).expect("json");
        assert_eq!(a, b);
    }
}
