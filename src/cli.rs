//! The `portsim` command line: argument parsing, running, output and exit
//! codes.
//!
//! Exit codes: 0 success; 1 a check failed (a regression, or a replication
//! that ran away); 2 a user error (bad arguments, scenario or baseline, a
//! limit, a file that cannot be read or written, stdout that cannot be
//! written); 130 interrupted. Errors are printed to stderr (control
//! characters escaped), results to stdout or files, and the progress bar
//! only when stderr is a terminal.
//!
//! Every input is read before the Ctrl-C handler is installed (see
//! `signal`), so a signal while portsim is still reading ends it at once,
//! and before the outputs are checked, so that an output that would
//! replace an input is refused (exit 2) before anything runs.
//!
//! Tables and messages are coloured on a terminal only (`colour`,
//! `--color`, `NO_COLOR`); `completions` and `man` print what clap_complete
//! and clap_mangen make of the argument definitions.

mod args;
mod calibrate;
mod capture;
mod check;
mod colour;
mod compare;
mod completions;
pub mod embed;
mod execute;
mod forecast;
mod man;
mod merge;
mod output;
mod plan;
mod progress;
mod run;
mod sensitivity;
#[cfg(feature = "serve")]
mod serve;
mod sets;
mod shard;
mod signal;
mod stderr;
mod study;
mod sweep;
mod terminal;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

pub use args::{Cli, Command};

/// How a command ended.
#[derive(Debug)]
pub enum Failure {
    /// The user's input was wrong (exit 2).
    User(String),
    /// A check failed or the model ran away (exit 1).
    Check(String),
    /// Interrupted by a signal (exit 130), after writing partial results
    /// (`written`) or nothing.
    Interrupted {
        /// Whether partial results were written.
        written: bool,
    },
}

impl Failure {
    fn exit_code(&self) -> u8 {
        match self {
            Failure::User(_) => 2,
            Failure::Check(_) => 1,
            Failure::Interrupted { .. } => 130,
        }
    }
}

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // `--color` is read first, so that clap's own help and errors follow it.
    let when = colour::from_args(&argv);
    colour::init(when);
    let parsed = Cli::command()
        .color(colour::for_clap(when))
        .try_get_matches_from(argv)
        .and_then(|m| Cli::from_arg_matches(&m));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help and version to stdout (exit 0) and usage
            // errors to stderr (exit 2).
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    colour::init(cli.color);
    // One command per process: every file it reads is remembered, so that
    // none of its outputs replaces one (the web app reads and saves the
    // same files for as long as it runs, so it does not).
    #[cfg(feature = "serve")]
    let serving = matches!(cli.command, Command::Serve(_));
    #[cfg(not(feature = "serve"))]
    let serving = false;
    if !serving {
        crate::store::inputs::track();
    }
    ExitCode::from(exit_code(dispatch(cli.command)))
}

/// Runs one command (the binary's and the embedded path alike).
fn dispatch(command: Command) -> Result<(), Failure> {
    match command {
        Command::Run(args) => run::run(&args),
        Command::Compare(args) => compare::compare(&args),
        Command::Check(args) => check::check(&args),
        Command::Sweep(args) => sweep::sweep(&args),
        Command::Plan(args) => plan::plan(&args),
        Command::Sensitivity(args) => sensitivity::sensitivity(&args),
        Command::Merge(args) => merge::merge(&args),
        Command::Calibrate(args) => calibrate::calibrate(&args),
        Command::Forecast(args) => forecast::forecast(&args),
        Command::Schema(a) => output::json(&a.kind.kind().text()),
        #[cfg(feature = "serve")]
        Command::Serve(args) => serve::serve(&args),
        Command::Completions(args) => completions::completions(&args),
        Command::Man(args) => man::man(&args),
    }
}

/// Says how a command ended on stderr (nothing when it succeeded) and
/// returns its exit code.
fn exit_code(result: Result<(), Failure>) -> u8 {
    match result {
        Ok(()) => 0,
        Err(failure) => {
            match &failure {
                Failure::User(msg) | Failure::Check(msg) => stderr::say(msg),
                Failure::Interrupted { written: true } => stderr::say(
                    "interrupted: the results written are incomplete (\"complete\": false)",
                ),
                Failure::Interrupted { written: false } => {
                    stderr::say("interrupted: nothing was written")
                }
            }
            failure.exit_code()
        }
    }
}
