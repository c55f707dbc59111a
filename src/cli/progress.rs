//! The progress bar: on stderr, and only when stderr is a terminal, so
//! machine-readable output and logs never see it. indicatif draws it and
//! drops its own write errors (a terminal gone away never stops a run);
//! every other line on stderr goes through `cli::stderr`.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar counting finished replications, hidden when not on a terminal.
pub fn bar(len: u64, what: &str, quiet: bool) -> ProgressBar {
    if quiet || super::capture::capturing() || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template(
        "{msg} [{bar:30}] {pos}/{len} replications, {elapsed} elapsed, ~{eta} left",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .progress_chars("=> ");
    bar.set_style(style);
    bar.set_message(what.to_owned());
    bar
}
