//! `--shard I/N --part PART` on the commands that run units, and the other
//! half of `portsim merge`: the units read back from the parts.
//!
//! A command decides once what it does with its units ([`Work`]): run
//! them all here; run its shard's block and write the part (then print
//! nothing); or take every unit's digest from merged parts. Everything
//! before (reading, validating, the run id) and after (the fold, the
//! reports) is the same code in all three, which is what makes a merged
//! output the single-process output.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use super::args::ShardArgs;
use super::{Failure, progress, terminal};
use crate::decide::points::{self, Outcome, Resolved, UnitValues};
use crate::experiment::run::{Fold, RunOptions, RunOutput, run_units};
use crate::scenario::Scenario;
use crate::shard::codec::{self, Reader, Writer};
use crate::shard::merge::Merged;
use crate::shard::part::{self, Manifest, Part, UnitDigest};
use crate::shard::{assign, spec};

/// What a command does with its work units.
#[derive(Debug)]
pub enum Work {
    /// Runs them all (no `--shard`).
    Local,
    /// Runs one shard's block and writes the part.
    Shard(Job),
    /// Reads them from merged parts (`portsim merge`).
    Merge(Box<Merged>),
}

/// A shard to run.
#[derive(Debug)]
pub struct Job {
    shard: spec::Shard,
    part: PathBuf,
    arguments: Vec<String>,
    cwd: String,
    started: Instant,
}

/// What the parts of a run record about it, and check on merging.
pub struct Context<'a> {
    /// The command.
    pub command: &'static str,
    /// The run id.
    pub run_id: String,
    /// The `--set` overrides, as given.
    pub overrides: &'a [String],
    /// Master seed.
    pub seed: u64,
    /// Replications (per scenario, or per point).
    pub replications: u64,
}

fn user(message: impl std::fmt::Display) -> Failure {
    Failure::User(format!("error: {message}"))
}

/// The work of a command given `args`; `writes` is whether `--out` or
/// `--html` was given too (a shard writes its part only).
pub fn work(args: &ShardArgs, writes: bool) -> Result<Work, Failure> {
    let (Some(text), Some(part)) = (&args.shard, &args.part) else {
        if args.shard.is_some() {
            return Err(user(
                "`--shard` needs `--part PART`, the file to write the shard's results to",
            ));
        }
        return Ok(Work::Local);
    };
    if writes {
        return Err(user(
            "a shard writes only its partial result (`--part`); give `--out` and `--html` to `portsim merge`",
        ));
    }
    let shard = spec::from_env(text).map_err(user)?;
    Ok(Work::Shard(Job {
        shard,
        part: part.clone(),
        arguments: arguments()?,
        cwd: std::env::current_dir()
            .map(|d| d.display().to_string())
            .unwrap_or_default(),
        started: Instant::now(),
    }))
}

/// Exit 2 if `--shard` was given to work that cannot be split (`why`).
pub fn refuse(args: &ShardArgs, why: &str) -> Result<(), Failure> {
    if args.shard.is_some() || args.part.is_some() {
        return Err(user(format!("`--shard` cannot be used {why}")));
    }
    Ok(())
}

/// The command line, without the program, `--shard` and `--part`.
fn arguments() -> Result<Vec<String>, Failure> {
    let mut out = Vec::new();
    let mut skip = false;
    for a in std::env::args_os().skip(1) {
        let Some(a) = a.to_str().map(str::to_owned) else {
            return Err(user(format!(
                "with `--shard`, every argument must be UTF-8 text to be recorded in the part (found {})",
                a.to_string_lossy()
            )));
        };
        if std::mem::take(&mut skip) {
            continue;
        }
        match a.as_str() {
            "--shard" | "--part" => skip = true,
            _ if a.starts_with("--shard=") || a.starts_with("--part=") => {}
            _ => out.push(a),
        }
    }
    Ok(out)
}

fn manifest(job: &Job, ctx: &Context, scenarios: Vec<String>, units: u64) -> Manifest {
    let held = assign::block(units, job.shard);
    Manifest {
        portsim_version: env!("CARGO_PKG_VERSION").to_owned(),
        command: ctx.command.to_owned(),
        arguments: job.arguments.clone(),
        cwd: job.cwd.clone(),
        run_id: ctx.run_id.clone(),
        scenarios,
        overrides: ctx.overrides.to_vec(),
        seed: ctx.seed,
        replications: ctx.replications,
        units,
        shard: job.shard.into(),
        held: [held.start, held.end],
        wall_time_s: job.started.elapsed().as_secs_f64(),
    }
}

fn write(job: &Job, manifest: Manifest, units: Vec<UnitDigest>) -> Result<(), Failure> {
    part::write(&job.part, &Part::new(manifest, units)).map_err(user)
}

/// Checks where the part will go before the shard runs: a regular file
/// (or none yet) that is not one of the command's inputs.
fn part_target(job: &Job) -> Result<(), Failure> {
    crate::store::write::target(&job.part).map_err(user)?;
    Ok(())
}

/// The parts' files, for messages.
fn files(m: &Merged) -> String {
    m.files
        .iter()
        .map(|f| format!("`{}`", f.display()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Checks that merged parts are of this run: same command, scenarios,
/// id and number of units.
fn check(m: &Merged, ctx: &Context, scenarios: &[String], units: u64) -> Result<(), Failure> {
    let got = &m.manifest;
    if got.command != ctx.command {
        return Err(user(format!(
            "the parts {} are not of this `{}` run",
            files(m),
            ctx.command
        )));
    }
    if got.scenarios != scenarios {
        return Err(user(format!(
            "the scenarios changed since the shards ran: their resolved hashes differ from those recorded in {}; merge with the files as the shards read them, or run the shards again",
            files(m)
        )));
    }
    if got.run_id != ctx.run_id || got.units != units {
        return Err(user(format!(
            "the run's settings differ from those of the parts {} (run id {} with {units} units, the parts' {} with {})",
            files(m),
            ctx.run_id,
            got.run_id,
            got.units
        )));
    }
    Ok(())
}

/// The error of a unit whose digest does not decode, naming its part.
fn damaged(m: &Merged, unit: usize, e: codec::CodecError) -> Failure {
    let file = m
        .sources
        .get(unit)
        .and_then(|&i| m.files.get(i))
        .map_or_else(|| files(m), |f| format!("`{}`", f.display()));
    user(format!(
        "{file} is damaged: the digest of unit {unit} does not decode: {e}"
    ))
}

/// Runs (or reads) replication `i` of every scenario of `scenarios` as one
/// unit, for `i` in `0..options.replications`. `None`: a shard was run
/// and its part written, so the command has nothing more to do.
pub fn together(
    work: &Work,
    ctx: &Context,
    scenarios: &[&Scenario],
    options: &RunOptions,
    label: &str,
    quiet: bool,
    cancel: &AtomicBool,
) -> Result<Option<Vec<RunOutput>>, Failure> {
    let hashes: Vec<String> = scenarios.iter().map(|s| s.hash()).collect();
    let total = options.replications;
    match work {
        Work::Local => {
            super::execute::execute_together(scenarios, options, label, quiet, cancel).map(Some)
        }
        Work::Shard(job) => {
            part_target(job)?;
            let block = assign::block(total, job.shard);
            let n = block.end - block.start;
            let bar = progress::bar(n, &terminal::clean(label), quiet);
            let mut units = Vec::new();
            let finished = run_units(
                scenarios,
                block,
                options,
                cancel,
                || bar.inc(1),
                |i, unit| {
                    let mut w = Writer::default();
                    for (digest, _) in &unit {
                        codec::put_digest(&mut w, digest);
                    }
                    units.push(UnitDigest {
                        unit: i,
                        words: w.finish(),
                    });
                },
            )
            .map_err(|e| Failure::Check(format!("error: {e}")))?;
            bar.finish_and_clear();
            if finished < n {
                return Err(Failure::Interrupted { written: false });
            }
            write(job, manifest(job, ctx, hashes, total), units)?;
            Ok(None)
        }
        Work::Merge(m) => {
            check(m, ctx, &hashes, total)?;
            let mut fold = Fold::new(scenarios);
            for (i, words) in m.units.iter().enumerate() {
                let mut r = Reader::new(words);
                let digests = scenarios
                    .iter()
                    .map(|_| codec::get_digest(&mut r))
                    .collect::<Result<Vec<_>, _>>()
                    .and_then(|d| r.end().map(|()| d))
                    .map_err(|e| damaged(m, i, e))?;
                fold.add(i as u64, digests);
            }
            Ok(Some(fold.finish(
                total,
                Duration::from_secs_f64(m.wall_time_s.max(0.0)),
            )))
        }
    }
}

/// Runs (or reads) the units of a study's `points`. `None`: a shard was
/// run and its part written.
pub fn study(
    work: &Work,
    ctx: &Context,
    resolved: &[Resolved],
    options: &points::Options,
) -> Result<Option<Outcome>, Failure> {
    let hashes: Vec<String> = resolved.iter().map(|p| p.hash.clone()).collect();
    let total: u64 = resolved.iter().map(|p| p.scenario.replications).sum();
    match work {
        Work::Local => points::run(resolved, options)
            .map(Some)
            .map_err(super::study::failure),
        Work::Shard(job) => {
            part_target(job)?;
            let block = assign::block(total, job.shard);
            let values = points::run_block(resolved, block.clone(), options)
                .map_err(super::study::failure)?;
            let units = block
                .zip(&values)
                .map(|(unit, v)| {
                    let mut w = Writer::default();
                    codec::put_unit_values(&mut w, v);
                    UnitDigest {
                        unit,
                        words: w.finish(),
                    }
                })
                .collect();
            write(job, manifest(job, ctx, hashes, total), units)?;
            Ok(None)
        }
        Work::Merge(m) => {
            check(m, ctx, &hashes, total)?;
            let keys = crate::decide::metrics::MetricKey::all().len();
            let values = m
                .units
                .iter()
                .enumerate()
                .map(|(i, words)| {
                    let mut r = Reader::new(words);
                    let v: UnitValues = codec::get_unit_values(&mut r)
                        .and_then(|v| r.end().map(|()| v))
                        .map_err(|e| damaged(m, i, e))?;
                    if v.values.len() != keys {
                        return Err(damaged(
                            m,
                            i,
                            codec::CodecError::Invalid("another list of metrics"),
                        ));
                    }
                    Ok(v)
                })
                .collect::<Result<Vec<_>, Failure>>()?;
            points::outcome_of(resolved, &values, options.cache, &options.runner.limits)
                .map(Some)
                .map_err(super::study::failure)
        }
    }
}
