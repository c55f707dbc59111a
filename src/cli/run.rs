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
            trend: true,
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
    if !out.complete {
        return Err(Failure::Interrupted);
    }
    if let Some((i, r)) = out.summary.runaways.first() {
        return Err(Failure::Check(format!(
            "error: replication {i} ran away and was stopped: {} ({} trucks in the system at day {:.1}, limit --max-trucks {}); stage `{}` had the longest queue ({} waiting), {} on the road; offered load exceeds capacity",
            r.reason,
            r.in_system,
            r.at as f64 / 86_400_000.0,
            options.limits.max_in_system,
            r.stage,
            r.stage_queue,
            r.road_queue
        )));
    }
    Ok(())
}
