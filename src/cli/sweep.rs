//! `portsim sweep`: read the sweep, run its points (skipping those kept
//! from an earlier run), report.

use std::time::Instant;

use super::args::{SweepArgs, SweepFormat};
use super::{Failure, output, progress, signal, study};
use crate::decide::cache::Cache;
use crate::decide::points::{self, Options};
use crate::decide::sweep;
use crate::report::decide::{csv, html, json, table};
use crate::report::json::Manifest;

/// `portsim sweep SWEEP.toml …`.
pub fn sweep(args: &SweepArgs) -> Result<(), Failure> {
    let o = &args.options;
    let command_line = study::overrides(o)?;
    let runner = study::runner(o)?;
    let sw = sweep::read(&args.file, &command_line).map_err(study::failure)?;
    study::warn(&[&sw.base], o.quiet);
    let cache = args.out.as_ref().map(|d| Cache::new(&d.join("points")));
    let total: u64 = sw.points.iter().map(|p| p.scenario.replications).sum();
    let bar = progress::bar(total, "sweep", o.quiet);
    let n = sw.points.len();
    let started = Instant::now();
    let on_point = |i: usize, done: bool| {
        bar.set_message(format!("sweep point {}/{n}", i + 1));
        if done {
            bar.inc(sw.points[i].scenario.replications);
        }
    };
    let on_replication = || bar.inc(1);
    let outcome = points::run(
        &sw.points,
        &Options {
            runner: &runner,
            cache: cache.as_ref(),
            cancel: signal::cancel_flag(),
            on_point: &on_point,
            on_replication: &on_replication,
        },
    )
    .map_err(study::failure)?;
    bar.finish_and_clear();
    if !o.quiet {
        eprintln!(
            "sweep: {n} points, {} run now, {} already done{}",
            outcome.ran,
            outcome.reused,
            args.out
                .as_ref()
                .map(|d| format!(" (kept in {})", d.join("points").display()))
                .unwrap_or_default()
        );
    }
    let manifest = Manifest::new(
        &sw.base,
        sw.base.replications,
        study::threads(&runner),
        started.elapsed().as_secs_f64(),
    );
    let doc = json::sweep(&sw, &outcome, &manifest);
    let pretty = serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n";
    let rows = csv::sweep(&sw, &outcome);
    if let Some(dir) = &args.out {
        output::file(&dir.join("sweep.json"), pretty.as_bytes())?;
        output::file(&dir.join("sweep.csv"), &rows)?;
    }
    if let Some(path) = &args.html {
        output::file(path, html::sweep(&sw, &outcome, &manifest).as_bytes())?;
    }
    match args.format {
        SweepFormat::Table => output::stdout(table::sweep(&sw, &outcome).as_bytes())?,
        SweepFormat::Json => output::stdout(pretty.as_bytes())?,
        SweepFormat::Csv => output::stdout(&rows)?,
    }
    if !outcome.complete {
        return Err(Failure::Interrupted { written: true });
    }
    Ok(())
}
