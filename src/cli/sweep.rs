//! `portsim sweep`: read the sweep, run its points (skipping those kept
//! from an earlier run), report.

use std::time::Instant;

use super::args::{SweepArgs, SweepFormat};
use super::shard::{self, Context, Work};
use super::{Failure, output, progress, signal, study, terminal};
use crate::decide::points::Options;
use crate::decide::sweep;
use crate::report::decide::{csv, html, json, table};
use crate::report::json::Manifest;
use crate::store::set::SetInfo;

/// The files of a `sweep --out` set (the points kept for resuming live
/// beside them, in `points/`).
pub const SET: &[&str] = &["sweep.json", "sweep.csv"];

/// `portsim sweep SWEEP.toml …`.
pub fn sweep(args: &SweepArgs) -> Result<(), Failure> {
    let work = shard::work(&args.shard, args.out.is_some() || args.html.is_some())?;
    sweep_with(args, &work)
}

/// `portsim sweep` doing `work` with its units: all of them, a shard's, or
/// those of merged parts.
pub fn sweep_with(args: &SweepArgs, work: &Work) -> Result<(), Failure> {
    let o = &args.options;
    let command_line = study::overrides(o)?;
    let runner = study::runner(o)?;
    let sw = sweep::read(&args.file, &command_line).map_err(study::failure)?;
    let labels: Vec<(String, &crate::scenario::Scenario)> = sw
        .points
        .iter()
        .enumerate()
        .map(|(i, p)| (format!("point {i}"), &p.scenario))
        .collect();
    let id = study::identity("sweep", &labels, &runner, o, &sw.study.file.text);
    let outputs = output::prepare(args.out.as_deref(), args.html.as_deref(), SET)?;
    let scenarios: Vec<&crate::scenario::Scenario> = std::iter::once(&sw.base)
        .chain(sw.points.iter().map(|p| &p.scenario))
        .collect();
    study::warn(&scenarios, o.quiet);
    let cache = study::cache(args.out.as_deref(), &sw.points)?;
    let total: u64 = sw.points.iter().map(|p| p.scenario.replications).sum();
    let bar = progress::bar(total, &terminal::clean(&sw.base.name), o.quiet);
    let n = sw.points.len();
    let started = Instant::now();
    let on_point = |i: usize, done: bool| {
        bar.set_message(format!("sweep point {}/{n}", i + 1));
        if done {
            bar.inc(sw.points[i].scenario.replications);
        }
    };
    let on_replication = || bar.inc(1);
    let ctx = Context {
        command: "sweep",
        run_id: id.id(),
        overrides: &o.sets,
        seed: sw.base.seed,
        replications: sw.base.replications,
    };
    let options = Options {
        runner: &runner,
        cache: cache.as_ref(),
        cancel: signal::cancel_flag(),
        on_point: &on_point,
        on_replication: &on_replication,
    };
    let Some(outcome) = shard::study(work, &ctx, &sw.points, &options)? else {
        bar.finish_and_clear();
        return Ok(());
    };
    bar.finish_and_clear();
    if !o.quiet {
        super::stderr::say(&format!(
            "sweep: {n} points, {} run now, {} already done{}",
            outcome.ran,
            outcome.reused,
            args.out
                .as_ref()
                .map(|d| format!(" (kept in {})", d.join("points").display()))
                .unwrap_or_default()
        ));
    }
    let manifest = Manifest::new(
        &sw.base,
        sw.base.replications,
        study::threads(&runner),
        started.elapsed().as_secs_f64(),
    )
    .with_run_id(id.id());
    let doc = json::sweep(&sw, &outcome, &manifest);
    let pretty = serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n";
    let rows = csv::sweep(&sw, &outcome);
    let done: u64 = outcome
        .results
        .iter()
        .flatten()
        .map(|s| s.replications)
        .sum();
    output::out_set(
        &outputs,
        || {
            vec![
                ("sweep.json", pretty.as_bytes().to_vec()),
                ("sweep.csv", rows.clone()),
            ]
        },
        &SetInfo {
            run_id: id.id(),
            identity: id.to_json(),
            complete: outcome.complete,
            replications: done,
            replications_requested: total,
        },
    )?;
    let page_on_stdout = output::page(&outputs, || html::sweep(&sw, &outcome, &manifest))?;
    if !page_on_stdout {
        match args.format {
            SweepFormat::Table => output::text(&table::sweep(&sw, &outcome))?,
            SweepFormat::Json => output::json(&pretty)?,
            SweepFormat::Csv => output::csv(&rows)?,
        }
    }
    if !outcome.complete {
        return Err(Failure::Interrupted { written: true });
    }
    Ok(())
}
