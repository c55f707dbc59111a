//! `portsim merge PART…`: the parts of a sharded run, checked and
//! combined, then reported by the sharded command itself.
//!
//! The parts record the command line they ran (without `--shard` and
//! `--part`). Merging reads it again, as that command would, with this
//! command's `--format`, `--out` and `--html`, and hands the command the
//! units' digests instead of running them ([`Work::Merge`]): the fold and
//! every report are the command's own, so the output is what the command
//! prints and writes on one machine.

use std::iter;
use std::path::{Path, PathBuf};

use clap::{Parser, ValueEnum};

use super::args::{Cli, Command, MergeArgs, ShardArgs};
use super::shard::Work;
use super::{Failure, compare, run, sensitivity, sweep};
use crate::shard::merge::merge as merge_parts;
use crate::shard::part;
use crate::shard::shell::quote;

fn user(message: impl std::fmt::Display) -> Failure {
    Failure::User(format!("error: {message}"))
}

/// `--format` read as the merged command's format.
fn format<F: ValueEnum>(text: Option<&str>, default: F, command: &str) -> Result<F, Failure> {
    let Some(text) = text else {
        return Ok(default);
    };
    F::from_str(text, false).map_err(|_| {
        let names: Vec<String> = F::value_variants()
            .iter()
            .filter_map(|v| v.to_possible_value().map(|p| p.get_name().to_owned()))
            .collect();
        user(format!(
            "invalid value `{text}` for `--format`: the parts are of `portsim {command}`, whose formats are {}",
            names.join(", ")
        ))
    })
}

/// Moves to the folder the shards ran in, if it is here too and not the
/// current one, so that the command line's relative paths name the files
/// the shards read (and the reports print them as given). Returns
/// `--out` and `--html`, made absolute first when moving.
fn inputs_where_the_shards_ran(
    args: &MergeArgs,
    cwd: &str,
) -> Result<(Option<PathBuf>, Option<PathBuf>), Failure> {
    let (out, html) = (args.out.clone(), args.html.clone());
    let there = Path::new(cwd);
    let Ok(here) = std::env::current_dir() else {
        return Ok((out, html));
    };
    if cwd.is_empty() || !there.is_dir() || here == there {
        return Ok((out, html));
    }
    std::env::set_current_dir(there).map_err(|e| {
        user(format!(
            "cannot move to `{}`, where the shards ran: {e}",
            there.display()
        ))
    })?;
    if !args.quiet {
        super::stderr::say(&format!(
            "merge: reading the inputs in `{}`, where the shards ran",
            there.display()
        ));
    }
    let absolute = |p: PathBuf| {
        if p.is_absolute() || p.as_os_str() == "-" {
            p
        } else {
            here.join(p)
        }
    };
    Ok((out.map(absolute), html.map(absolute)))
}

/// `portsim merge PART… [--format F] [--out DIR] [--html FILE]`.
pub fn merge(args: &MergeArgs) -> Result<(), Failure> {
    let mut parts = Vec::with_capacity(args.parts.len());
    for path in &args.parts {
        parts.push((path.clone(), part::read(path).map_err(user)?));
    }
    let merged = merge_parts(parts).map_err(user)?;
    let (out, html) = inputs_where_the_shards_ran(args, &merged.manifest.cwd)?;
    let arguments = merged.manifest.arguments.clone();
    let command = merged.manifest.command.clone();
    let cli =
        Cli::try_parse_from(iter::once("portsim".to_owned()).chain(arguments.iter().cloned()))
            .map_err(|e| {
                user(format!(
                    "the parts' command line `portsim {}` cannot be read by this portsim: {}",
                    quote(&arguments),
                    e.to_string().trim()
                ))
            })?;
    let unsharded = ShardArgs {
        shard: None,
        part: None,
    };
    let fmt = args.format.as_deref();
    let work = Work::Merge(Box::new(merged));
    match cli.command {
        Command::Run(mut a) if command == "run" => {
            a.format = format(fmt, super::args::Format::Table, "run")?;
            a.out.clone_from(&out);
            a.html.clone_from(&html);
            a.options.quiet = args.quiet;
            a.shard = unsharded;
            a.trace = None;
            run::run_with(&a, &work)
        }
        Command::Compare(mut a) if command == "compare" => {
            a.format = format(fmt, super::args::CompareFormat::Table, "compare")?;
            a.out.clone_from(&out);
            a.html.clone_from(&html);
            a.options.quiet = args.quiet;
            a.shard = unsharded;
            compare::compare_with(&a, &work)
        }
        Command::Sweep(mut a) if command == "sweep" => {
            a.format = format(fmt, super::args::SweepFormat::Table, "sweep")?;
            a.out.clone_from(&out);
            a.html.clone_from(&html);
            a.options.quiet = args.quiet;
            a.shard = unsharded;
            sweep::sweep_with(&a, &work)
        }
        Command::Sensitivity(mut a) if command == "sensitivity" => {
            a.format = format(fmt, super::args::StudyFormat::Table, "sensitivity")?;
            a.out.clone_from(&out);
            a.html.clone_from(&html);
            a.options.quiet = args.quiet;
            a.shard = unsharded;
            sensitivity::sensitivity_with(&a, &work)
        }
        _ => Err(user(format!(
            "the parts record `portsim {}`, which is not a command that can be sharded",
            quote(&arguments)
        ))),
    }
}
