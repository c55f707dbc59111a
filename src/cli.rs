//! The `portsim` command line: argument parsing, running, output and exit
//! codes.
//!
//! Exit codes: 0 success; 1 a check failed (a regression, or a replication
//! that ran away); 2 a user error (bad arguments or scenario); 130
//! interrupted. Errors are printed to stderr, results to stdout or files,
//! and the progress bar only when stderr is a terminal.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "the command line is where portsim talks to people"
)]

mod args;
mod check;
mod compare;
mod output;
mod progress;
mod run;
mod signal;

use std::process::ExitCode;

use clap::Parser;

pub use args::{Cli, Command};

/// How a command ended.
#[derive(Debug)]
pub enum Failure {
    /// The user's input was wrong (exit 2).
    User(String),
    /// A check failed or the model ran away (exit 1).
    Check(String),
    /// Interrupted by a signal (exit 130).
    Interrupted,
}

impl Failure {
    fn exit_code(&self) -> u8 {
        match self {
            Failure::User(_) => 2,
            Failure::Check(_) => 1,
            Failure::Interrupted => 130,
        }
    }
}

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help and version to stdout (exit 0) and usage
            // errors to stderr (exit 2).
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let result = match cli.command {
        Command::Run(args) => run::run(&args),
        Command::Compare(args) => compare::compare(&args),
        Command::Check(args) => check::check(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            match &failure {
                Failure::User(msg) | Failure::Check(msg) => eprintln!("{msg}"),
                Failure::Interrupted => eprintln!(
                    "interrupted: the results written are incomplete (\"complete\": false)"
                ),
            }
            ExitCode::from(failure.exit_code())
        }
    }
}
