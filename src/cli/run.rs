//! `portsim run`: load, run the replications, report.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use super::args::{Format, RunArgs, RunOptionsArgs};
use super::sets::parse_sets;
use super::shard::{self, Context, Work};
use super::{Failure, output, progress, terminal};
use crate::decide::metrics::{DEFAULT_PRECISION, MetricKey};
use crate::decide::precision;
use crate::decide::runner::Runner;
use crate::engine::time::Span;
use crate::experiment::run::{RunOptions, RunOutput};
use crate::model::Limits;
use crate::report::decide::{json as decide_json, table as decide_table};
use crate::report::{csv, json, table};
use crate::scenario::limits::{self, LimitError};
use crate::scenario::{self, Scenario};
use crate::store::identity::{Overrides, RunIdentity, Simulated};
use crate::store::set::SetInfo;

fn parse_span(flag: &str, text: &str) -> Result<Span, Failure> {
    scenario::parse_duration(text)
        .map_err(|e| Failure::User(format!("error: invalid value `{text}` for `--{flag}`: {e}")))
}

/// A limit broken by a flag's value.
fn flag_limit(flag: &str, value: impl std::fmt::Display, e: LimitError) -> Failure {
    Failure::User(format!(
        "error: invalid value `{value}` for `--{flag}`: {e}"
    ))
}

/// The command-line overrides as the values that take effect.
pub fn overrides(args: &RunOptionsArgs) -> Result<Overrides, Failure> {
    Ok(Overrides {
        horizon_ms: args
            .horizon
            .as_deref()
            .map(|h| parse_span("horizon", h))
            .transpose()?,
        warmup_ms: args
            .warmup
            .as_deref()
            .map(|w| parse_span("warmup", w))
            .transpose()?,
        seed: args.seed,
        replications: args.replications,
        set: args.sets.clone(),
    })
}

/// The overrides given, as the flags read ("--horizon 30000d").
fn given(args: &RunOptionsArgs) -> String {
    let mut flags = Vec::new();
    if let Some(r) = args.replications {
        flags.push(format!("--replications {r}"));
    }
    if let Some(h) = &args.horizon {
        flags.push(format!("--horizon {h}"));
    }
    if let Some(w) = &args.warmup {
        flags.push(format!("--warmup {w}"));
    }
    flags.join(" ")
}

/// Loads a scenario and applies the command-line overrides, checking
/// every flag against the same limits as the file.
pub fn load(file: &Path, args: &RunOptionsArgs) -> Result<(Scenario, RunOptions), Failure> {
    if let Some(r) = args.replications {
        limits::replications(r).map_err(|e| flag_limit("replications", r, e))?;
    }
    if let Some(j) = args.threads {
        limits::threads(j).map_err(|e| flag_limit("threads", j, e))?;
    }
    let over = overrides(args)?;
    if over.horizon_ms == Some(0) {
        return Err(Failure::User(
            "error: `--horizon` must be longer than zero".into(),
        ));
    }
    let sets = parse_sets(&args.sets)?;
    let mut s = scenario::load_with(file, &[], &sets).map_err(|e| Failure::User(e.to_string()))?;
    if let Some(seed) = args.seed {
        s.seed = seed;
    }
    if let Some(h) = over.horizon_ms {
        s.horizon = h;
    }
    if let Some(w) = over.warmup_ms {
        s.warmup = w;
    }
    if let Some(r) = args.replications {
        s.replications = r;
    }
    limits::check(&s).map_err(|e| {
        Failure::User(format!(
            "error: {e} (`{}` with {})",
            file.display(),
            given(args)
        ))
    })?;
    let options = RunOptions {
        replications: s.replications,
        // More threads than replications would only start idle ones.
        threads: args
            .threads
            .map(|j| j.min(usize::try_from(s.replications).unwrap_or(usize::MAX))),
        limits: Limits {
            max_in_system: args.max_trucks,
        },
        keep_reps: false,
    };
    Ok((s, options))
}

/// The identity of running `runs` (label, scenario) with `options`.
pub fn identity(
    command: &'static str,
    runs: &[(String, &Scenario)],
    options: &RunOptions,
    args: &RunOptionsArgs,
) -> Result<RunIdentity, Failure> {
    Ok(RunIdentity {
        command,
        runs: runs
            .iter()
            .map(|(label, s)| Simulated {
                label: label.clone(),
                scenario_hash: s.hash(),
                seed: s.seed,
                replications: options.replications,
            })
            .collect(),
        max_trucks: options.limits.max_in_system,
        overrides: overrides(args)?,
        other: Vec::new(),
    })
}

/// Threads actually used.
pub fn threads(options: &RunOptions) -> usize {
    options.threads.unwrap_or_else(rayon::current_num_threads)
}

/// The files of a `run --out` set, in order.
pub const SET: &[&str] = &[
    "results.json",
    "replications.csv",
    "stages.csv",
    "daily.csv",
    "hourly.csv",
    "time_breakdown.csv",
];

/// The files of the `--out` set ([`SET`]), each CSV marked complete or not.
fn set_files(s: &Scenario, out: &RunOutput, results: &str) -> Vec<(&'static str, Vec<u8>)> {
    let mark = |bytes: Vec<u8>| csv::with_complete(&bytes, out.complete);
    vec![
        ("results.json", results.as_bytes().to_vec()),
        ("replications.csv", mark(csv::replications(out))),
        ("stages.csv", mark(csv::stages(&out.summary))),
        ("daily.csv", mark(csv::daily(&out.summary, s))),
        ("hourly.csv", mark(csv::hourly(&out.summary))),
        (
            "time_breakdown.csv",
            mark(csv::time_breakdown(&out.summary)),
        ),
    ]
}

/// The precision goal of `--precision`, validated before anything runs.
fn precision_goal(args: &RunArgs) -> Result<Option<precision::Goal>, Failure> {
    let Some(text) = &args.precision else {
        return Ok(None);
    };
    let user = |m: String| Failure::User(format!("error: {m}"));
    let target = precision::Target::parse(text).map_err(|m| user(format!("`--precision`: {m}")))?;
    let names: Vec<&str> = if args.precision_metrics.is_empty() {
        DEFAULT_PRECISION.to_vec()
    } else {
        args.precision_metrics.iter().map(String::as_str).collect()
    };
    let metrics = names
        .iter()
        .map(|n| MetricKey::parse(n).map_err(|m| user(format!("`--precision-metric`: {m}"))))
        .collect::<Result<Vec<_>, _>>()?;
    let cap = args.max_replications.unwrap_or(200);
    limits::replications(cap).map_err(|e| flag_limit("max-replications", cap, e))?;
    if cap < 2 {
        return Err(user(format!(
            "`--max-replications` must be at least 2, found {cap}"
        )));
    }
    Ok(Some(precision::Goal {
        target,
        metrics,
        cap,
    }))
}

/// Runs by precision: replications in rounds until `goal` is met.
fn execute_to_precision(
    s: &Scenario,
    options: &RunOptions,
    goal: &precision::Goal,
    quiet: bool,
    cancel: &AtomicBool,
) -> Result<(RunOutput, precision::Report), Failure> {
    let bar = progress::bar(goal.cap, &terminal::clean(&s.name), quiet);
    let runner = Runner {
        threads: options.threads,
        limits: options.limits,
    };
    let done = precision::run(s, &runner, goal, cancel, &|| bar.inc(1))
        .map_err(|e| Failure::Check(format!("error: {e}")))?;
    bar.finish_and_clear();
    Ok(done)
}

/// `portsim run FILE …`.
pub fn run(args: &RunArgs) -> Result<(), Failure> {
    if args.precision.is_some() {
        shard::refuse(
            &args.shard,
            "with `--precision`: how many replications run depends on the results, so the work cannot be split in advance",
        )?;
    }
    if args.trace.is_some() {
        shard::refuse(
            &args.shard,
            "with `--trace`: one replication is traced, by one command (run it without `--shard`)",
        )?;
    }
    let work = shard::work(&args.shard, args.out.is_some() || args.html.is_some())?;
    run_with(args, &work)
}

/// `--trace FILE`: replication `--trace-replication` of `s` run again with
/// its events recorded, and written as an event log. Checked before the
/// run: the replication exists, and the file is one an output may replace.
fn trace(args: &RunArgs, s: &Scenario, options: &RunOptions) -> Result<(), Failure> {
    let Some(path) = &args.trace else {
        return Ok(());
    };
    let user = |m: String| Failure::User(format!("error: {m}"));
    let i = args.trace_replication.unwrap_or(0);
    if i >= options.replications {
        return Err(user(format!(
            "`--trace-replication {i}`: the run has {} replication(s), numbered from 0 to {}",
            options.replications,
            options.replications - 1
        )));
    }
    crate::store::write::target(path).map_err(|e| user(e.to_string()))?;
    let (result, trace) =
        crate::model::simulate_traced(s, i, &options.limits, limits::MAX_TRACE_ROWS)
            .map_err(|e| user(e.to_string()))?;
    if trace.full {
        return Err(user(format!(
            "`--trace {}`: replication {i} has more than {} events, the limit of a trace (`scenario::limits::MAX_TRACE_ROWS`); shorten the horizon (`--horizon`) to trace part of it",
            path.display(),
            limits::MAX_TRACE_ROWS
        )));
    }
    if let Some(stop) = &result.stopped {
        return Err(Failure::Check(format!(
            "error: `--trace {}`: replication {i} was stopped by the runaway guard ({}); nothing was written",
            path.display(),
            stop.reason
        )));
    }
    output::file(path, &crate::report::trace::csv(s, &trace))
}

/// `portsim run FILE …` doing `work` with its replications: all of them,
/// a shard's, or those of merged parts.
pub fn run_with(args: &RunArgs, work: &Work) -> Result<(), Failure> {
    let goal = precision_goal(args)?;
    let (s, mut options) = load(&args.file, &args.options)?;
    let mut id = identity("run", &[("scenario".into(), &s)], &options, &args.options)?;
    if let Some(g) = &goal {
        // The count run depends on the goal, so the id does too.
        let keys: Vec<String> = g.metrics.iter().map(ToString::to_string).collect();
        id.other.extend([
            ("precision".to_owned(), g.target.fraction().to_string()),
            ("max_replications".to_owned(), g.cap.to_string()),
            ("precision_metrics".to_owned(), keys.join(",")),
        ]);
    }
    let outputs = output::prepare(args.out.as_deref(), args.html.as_deref(), SET)?;
    trace(args, &s, &options)?;
    let warnings = scenario::load_warnings(&s);
    if !args.options.quiet {
        for w in &warnings {
            super::stderr::say(&format!("warning: {w}"));
        }
    }
    let cancel = super::signal::cancel_flag();
    let (out, reached) = match &goal {
        None => {
            let ctx = Context {
                command: "run",
                run_id: id.id(),
                overrides: &args.options.sets,
                seed: s.seed,
                replications: options.replications,
            };
            let quiet = args.options.quiet;
            match shard::together(work, &ctx, &[&s], &options, &s.name, quiet, cancel)? {
                Some(mut outs) => (outs.pop().ok_or_else(|| internal("no run"))?, None),
                None => return Ok(()),
            }
        }
        Some(goal) => {
            let (out, report) =
                execute_to_precision(&s, &options, goal, args.options.quiet, cancel)?;
            options.replications = report.replications;
            (out, Some(report))
        }
    };
    let manifest = json::Manifest::new(
        &s,
        options.replications,
        threads(&options),
        out.wall.as_secs_f64(),
    )
    .with_run_id(id.id());
    let mut doc = json::run(&s, &out, &manifest, &warnings);
    if let (Some(r), serde_json::Value::Object(map)) = (&reached, &mut doc) {
        map.insert("precision".into(), decide_json::precision(r));
    }
    let pretty = serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n";
    let mark = |bytes: Vec<u8>| csv::with_complete(&bytes, out.complete);
    output::out_set(
        &outputs,
        || set_files(&s, &out, &pretty),
        &SetInfo {
            run_id: id.id(),
            identity: id.to_json(),
            complete: out.complete,
            replications: out.finished,
            replications_requested: out.requested,
        },
    )?;
    let page_on_stdout = output::page(&outputs, || {
        crate::report::html::run(&s, &out, &manifest, &warnings)
    })?;
    if !page_on_stdout {
        match args.format {
            Format::Table => {
                let mut text = table::run(&s, &out, &[]);
                if let Some(r) = &reached {
                    text.push_str(&decide_table::precision(r, &s.costs.currency));
                }
                output::text(&text)?;
            }
            Format::Json => output::json(&pretty)?,
            Format::Csv => output::csv(&mark(csv::summary(&out.summary, &s.costs.currency)))?,
        }
    }
    if out.interrupted {
        return Err(Failure::Interrupted { written: true });
    }
    stopped_failure(&out.summary)
}

fn internal(what: &str) -> Failure {
    Failure::Check(format!("error: internal: {what}"))
}

/// Exit 1 naming every replication the runaway guard stopped, if any.
pub fn stopped_failure(summary: &crate::experiment::summary::Summary) -> Result<(), Failure> {
    if summary.stopped.is_empty() {
        return Ok(());
    }
    let lines: Vec<String> = summary
        .stopped
        .iter()
        .map(|(i, r)| {
            format!(
                "  replication {i}, at day {:.1}: {}; stage `{}` had the longest queue ({} waiting), {} on the road",
                r.at as f64 / 86_400_000.0,
                r.reason,
                r.stage,
                r.stage_queue,
                r.road_queue
            )
        })
        .collect();
    Err(Failure::Check(format!(
        "error: {} replication(s) were stopped by the runaway guard and left out of every figure ({} counted; the results are marked incomplete):\n{}\nraise --max-trucks if the machine has the memory, or shorten the horizon",
        summary.stopped.len(),
        summary.replications,
        lines.join("\n")
    )))
}
