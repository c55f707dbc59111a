//! `portsim run`: load, run the replications, report.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use super::args::{Format, RunArgs, RunOptionsArgs};
use super::{Failure, output, progress};
use crate::engine::time::Span;
use crate::experiment::run::{RunOptions, RunOutput, run as run_scenario};
use crate::model::Limits;
use crate::report::{csv, json, table};
use crate::scenario::{self, Scenario};

fn parse_span(flag: &str, text: &str) -> Result<Span, Failure> {
    scenario::parse_duration(text)
        .map_err(|e| Failure::User(format!("error: invalid value `{text}` for `--{flag}`: {e}")))
}

/// Loads a scenario and applies the command-line overrides.
pub fn load(file: &Path, args: &RunOptionsArgs) -> Result<(Scenario, RunOptions), Failure> {
    let mut s = scenario::load(file).map_err(|e| Failure::User(e.to_string()))?;
    if let Some(seed) = args.seed {
        s.seed = seed;
    }
    if let Some(h) = &args.horizon {
        let h = parse_span("horizon", h)?;
        if h == 0 {
            return Err(Failure::User(
                "error: `--horizon` must be longer than zero".into(),
            ));
        }
        s.horizon = h;
    }
    if let Some(w) = &args.warmup {
        s.warmup = parse_span("warmup", w)?;
    }
    if let Some(r) = args.replications {
        if r == 0 {
            return Err(Failure::User(
                "error: `--replications` must be at least 1".into(),
            ));
        }
        s.replications = r;
    }
    scenario::limits::check(&s).map_err(|message| {
        Failure::User(format!(
            "error: {message} (in `{}` with the command-line options)",
            file.display()
        ))
    })?;
    if args.threads == Some(0) {
        return Err(Failure::User(
            "error: `--threads` must be at least 1".into(),
        ));
    }
    let options = RunOptions {
        replications: s.replications,
        threads: args.threads,
        limits: Limits {
            max_in_system: args.max_trucks,
        },
    };
    Ok((s, options))
}

/// Runs `scenario` with a progress bar.
pub fn execute(
    s: &Scenario,
    options: &RunOptions,
    quiet: bool,
    cancel: &AtomicBool,
) -> Result<RunOutput, Failure> {
    let bar = progress::bar(options.replications, &s.name, quiet);
    let out = run_scenario(s, options, cancel, || bar.inc(1))
        .map_err(|e| Failure::Check(format!("error: {e}")))?;
    bar.finish_and_clear();
    Ok(out)
}

/// Threads actually used.
pub fn threads(options: &RunOptions) -> usize {
    options.threads.unwrap_or_else(rayon::current_num_threads)
}

/// `portsim run FILE …`.
pub fn run(args: &RunArgs) -> Result<(), Failure> {
    let (s, options) = load(&args.file, &args.options)?;
    let warnings = scenario::load_warnings(&s);
    if !args.options.quiet {
        for w in &warnings {
            eprintln!("warning: {w}");
        }
    }
    let cancel = super::signal::cancel_flag();
    let out = execute(&s, &options, args.options.quiet, cancel)?;
    let manifest = json::Manifest::new(
        &s,
        options.replications,
        threads(&options),
        out.wall.as_secs_f64(),
    );
    let doc = json::run(&s, &out, &manifest, &warnings);
    let pretty = serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n";
    if let Some(dir) = &args.out {
        output::file(&dir.join("results.json"), pretty.as_bytes())?;
        output::file(&dir.join("replications.csv"), &csv::replications(&out))?;
        output::file(&dir.join("stages.csv"), &csv::stages(&out.summary))?;
        output::file(&dir.join("daily.csv"), &csv::daily(&out.summary))?;
        output::file(&dir.join("hourly.csv"), &csv::hourly(&out.summary))?;
    }
    if let Some(path) = &args.html {
        let page = crate::report::html::run(&s, &out, &manifest, &warnings);
        output::file(path, page.as_bytes())?;
    }
    match args.format {
        Format::Table => output::stdout(table::run(&s, &out, &[]).as_bytes())?,
        Format::Json => output::stdout(pretty.as_bytes())?,
        Format::Csv => output::stdout(&csv::summary(&out.summary))?,
    }
    if out.interrupted {
        return Err(Failure::Interrupted);
    }
    stopped_failure(&out.summary)
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
