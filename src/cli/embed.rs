//! The commands run inside another program: the Python package
//! (`python/`) calls [`invoke`] with the arguments it would give the
//! binary, and gets back what the binary would print and its exit code.
//!
//! This is the package's one way into portsim, so that a result from
//! Python is the command line's result by construction: the same argument
//! parsing, loading, limits, run id, manifest, JSON and CSV, from the same
//! functions (the package builds arguments and wraps the output; it holds
//! no model logic). What differs is where the output goes and how a run
//! is stopped:
//!
//! * stdout and stderr are captured for the calling thread while the
//!   command runs (the command writes them from that thread only; its
//!   replications on the rayon pool write nothing), so nothing reaches the
//!   host's terminal or notebook, and a control character is escaped just
//!   as it is on the command line;
//! * no signal handler is installed: Ctrl-C belongs to the host (Python's
//!   own SIGINT handler raises `KeyboardInterrupt`), and the host calls
//!   [`cancel`] when it sees one. The run then stops as on Ctrl-C: the
//!   replications in flight are discarded, and the command ends with 130;
//! * one command runs at a time in a process (a second caller waits), as
//!   the cancel flag is the process's; `serve` is refused (it never ends).
//!
//! Inputs are not tracked as the binary tracks them (`store::inputs`): a
//! host process reads many files over its life, and the package writes
//! only into temporary folders of its own.

use std::sync::{Mutex, PoisonError};

use clap::Parser;

pub use super::capture::Outcome;
use super::capture::{CAPTURE, Capture};
use super::{Cli, Command};

/// One embedded command at a time: the cancel flag is the process's.
static ONE: Mutex<()> = Mutex::new(());

/// Runs the command that `args` (without the program name) give, as the
/// binary would, capturing what it prints.
pub fn invoke<S: AsRef<str>>(args: &[S]) -> Outcome {
    let _one = ONE.lock().unwrap_or_else(PoisonError::into_inner);
    super::signal::embedded();
    // Output for a program, never painted.
    super::colour::init(super::args::ColorWhen::Never);
    let _capture = Capture::start();
    let argv = std::iter::once("portsim").chain(args.iter().map(AsRef::as_ref));
    let code = match Cli::try_parse_from(argv) {
        Err(e) => {
            let text = e.render().to_string();
            if e.use_stderr() {
                super::stderr::say(text.trim_end());
                2
            } else {
                super::capture::stdout(text.as_bytes());
                0
            }
        }
        #[cfg(feature = "serve")]
        Ok(cli) if matches!(cli.command, Command::Serve(_)) => {
            super::stderr::say("error: `serve` runs only from the command line");
            2
        }
        Ok(cli) => super::exit_code(super::dispatch(cli.command)),
    };
    let mut out = CAPTURE.with(|c| c.borrow_mut().take()).unwrap_or_default();
    out.code = code;
    out
}

/// Stops the command in flight as Ctrl-C stops it on the command line.
pub fn cancel() {
    super::signal::cancel();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::capture::{capturing, stdout};

    #[test]
    fn usage_errors_are_exit_2_on_the_captured_stderr() {
        let out = invoke(&["run", "--no-such-flag"]);
        assert_eq!(out.code, 2);
        assert!(out.stdout.is_empty());
        assert!(out.stderr.contains("--no-such-flag"), "{}", out.stderr);
    }

    #[test]
    fn help_is_exit_0_on_the_captured_stdout() {
        let out = invoke(&["--help"]);
        assert_eq!(out.code, 0);
        assert!(String::from_utf8_lossy(&out.stdout).contains("Usage"));
        assert!(out.stderr.is_empty());
    }

    #[test]
    fn nothing_is_captured_outside_a_command() {
        let _ = invoke(&["--help"]);
        assert!(!capturing());
        assert!(!stdout(b"x"));
    }
}
