//! Text for a terminal: control characters escaped.
//!
//! Scenario names, descriptions, stage and class names and the lines of a
//! scenario echoed in an error are the user's text. Printed raw, an ESC
//! could recolour or rewrite the terminal, a BEL ring, a CR overwrite the
//! start of a line, and bidirectional overrides reorder what is shown.
//! Everything portsim prints for people (tables, messages, warnings, the
//! progress bar's label) goes through [`clean`], which keeps newlines and
//! tabs and writes every other control character as a visible escape such
//! as `\u{1b}` or `\r`. JSON needs no help (serde_json escapes controls);
//! CSV on a terminal gets the same treatment, CSV into a file or pipe is
//! left exact.

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
}
