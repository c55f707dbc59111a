//! `portsim sensitivity`: read the study, run its settings (skipping
//! those kept from an earlier run), report the tornado.

use std::time::Instant;

use super::args::{SensitivityArgs, StudyFormat};
use super::shard::{self, Context, Work};
use super::{Failure, output, progress, signal, study, terminal};
use crate::decide::points::Options;
use crate::decide::sensitivity;
use crate::report::decide::{html, json, table};
use crate::report::json::Manifest;
use crate::store::set::SetInfo;

/// The files of a `sensitivity --out` set (the settings kept for resuming
/// live beside them, in `points/`).
pub const SET: &[&str] = &["sensitivity.json"];

/// `portsim sensitivity SENS.toml …`.
pub fn sensitivity(args: &SensitivityArgs) -> Result<(), Failure> {
    let work = shard::work(&args.shard, args.out.is_some() || args.html.is_some())?;
    sensitivity_with(args, &work)
}

/// `portsim sensitivity` doing `work` with its units: all of them, a shard's, or
/// those of merged parts.
pub fn sensitivity_with(args: &SensitivityArgs, work: &Work) -> Result<(), Failure> {
    let o = &args.options;
    let command_line = study::overrides(o)?;
    let runner = study::runner(o)?;
    let s = sensitivity::read(&args.file, &command_line).map_err(study::failure)?;
    let labels: Vec<(String, &crate::scenario::Scenario)> = s
        .points
        .iter()
        .enumerate()
        .map(|(i, p)| (format!("setting {i}"), &p.scenario))
        .collect();
    let id = study::identity("sensitivity", &labels, &runner, o, &s.study.file.text);
    let outputs = output::prepare(args.out.as_deref(), args.html.as_deref(), SET)?;
    let mut sides = vec![&s.base];
    if let Some((_, v)) = &s.variant {
        sides.push(v);
    }
    sides.extend(s.points.iter().map(|p| &p.scenario));
    study::warn(&sides, o.quiet);
    let cache = study::cache(args.out.as_deref(), &s.points)?;
    let total: u64 = s.points.iter().map(|p| p.scenario.replications).sum();
    let bar = progress::bar(total, &terminal::clean(&s.base.name), o.quiet);
    let n = s.points.len();
    let started = Instant::now();
    let on_point = |i: usize, done: bool| {
        bar.set_message(format!("sensitivity setting {}/{n}", i + 1));
        if done {
            bar.inc(s.points[i].scenario.replications);
        }
    };
    let on_replication = || bar.inc(1);
    let ctx = Context {
        command: "sensitivity",
        run_id: id.id(),
        overrides: &o.sets,
        seed: s.base.seed,
        replications: s.base.replications,
    };
    let options = Options {
        runner: &runner,
        cache: cache.as_ref(),
        cancel: signal::cancel_flag(),
        on_point: &on_point,
        on_replication: &on_replication,
    };
    let Some(outcome) = shard::study(work, &ctx, &s.points, &options)? else {
        bar.finish_and_clear();
        return Ok(());
    };
    bar.finish_and_clear();
    let findings = sensitivity::findings(&s, &outcome);
    let manifest = Manifest::new(
        &s.base,
        s.base.replications,
        study::threads(&runner),
        started.elapsed().as_secs_f64(),
    )
    .with_run_id(id.id());
    let doc = json::sensitivity(&s, &outcome, findings.as_ref(), &manifest);
    let pretty = serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n";
    let done: u64 = outcome
        .results
        .iter()
        .flatten()
        .map(|x| x.replications)
        .sum();
    output::out_set(
        &outputs,
        || vec![("sensitivity.json", pretty.as_bytes().to_vec())],
        &SetInfo {
            run_id: id.id(),
            identity: id.to_json(),
            complete: outcome.complete,
            replications: done,
            replications_requested: total,
        },
    )?;
    let page_on_stdout = output::page(&outputs, || {
        html::sensitivity(&s, findings.as_ref(), &manifest)
    })?;
    if !page_on_stdout {
        match args.format {
            StudyFormat::Table => output::text(&table::sensitivity(&s, findings.as_ref()))?,
            StudyFormat::Json => output::json(&pretty)?,
        }
    }
    if !outcome.complete {
        return Err(Failure::Interrupted { written: true });
    }
    Ok(())
}
