//! Standard error, for people: the one writer of every message, warning
//! and note portsim prints there.
//!
//! An error message is the last thing a failing command does, and where
//! it goes is not portsim's to choose: a pipe whose reader has gone
//! (`portsim sweep bad.toml 2>&1 | head -1`), a full disk (`2>/dev/full`)
//! or a closed descriptor. `eprintln!` panics when its write fails, which
//! turns a user's mistake (exit 2) into a crash (exit 101). [`say`] writes
//! the line with its control characters escaped (`terminal::clean`) and
//! drops any write error: the exit code still tells what happened, and
//! there is nowhere else to report a failing stderr. Nothing else in
//! `cli/` prints to stderr (clippy's `print_stderr` lint is on for the
//! whole crate, so an `eprintln!` fails the build). The progress bar
//! draws through indicatif, which discards its own write errors too.
//! On a terminal (see `colour`), the `error` and `warning` opening a line
//! are coloured.

use super::{colour, terminal};

/// Writes `text` and a newline to stderr, control characters escaped;
/// a write that fails is ignored.
pub fn say(text: &str) {
    let line = format!("{}\n", terminal::clean(text));
    // Ignored on purpose: see the module documentation.
    let _ = colour::write(std::io::stderr().lock(), &line, colour::message);
}
