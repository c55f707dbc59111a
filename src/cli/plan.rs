//! `portsim plan`: read the plan, search, report the choice and the
//! evidence.

use std::time::Instant;

use super::args::{PlanArgs, StudyFormat};
use super::{Failure, output, progress, signal, study, terminal};
use crate::decide::plan::{self, Hooks};
use crate::report::decide::{html, json, table};
use crate::report::json::Manifest;
use crate::store::set::SetInfo;

/// The files of a `plan --out` set.
pub const SET: &[&str] = &["plan.json"];

/// `portsim plan PLAN.toml …`.
pub fn plan(args: &PlanArgs) -> Result<(), Failure> {
    super::shard::refuse(
        &args.shard,
        "with `plan`: how many replications each candidate runs depends on the results, so the work cannot be split in advance",
    )?;
    let o = &args.options;
    let command_line = study::overrides(o)?;
    let runner = study::runner(o)?;
    let p = plan::read(&args.file, &command_line).map_err(study::failure)?;
    let id = study::identity(
        "plan",
        &[("base".into(), &p.base)],
        &runner,
        o,
        &p.study.file.text,
    );
    let outputs = output::prepare(args.out.as_deref(), args.html.as_deref(), SET)?;
    study::warn(&[&p.base, &p.corner], o.quiet);
    let bar = progress::bar(p.first, "plan", o.quiet);
    let on_look = |label: &str, from: u64, to: u64| {
        bar.set_message(format!("plan: {}", terminal::clean(label)));
        bar.set_position(from);
        bar.set_length(to);
    };
    let on_replication = || bar.inc(1);
    let started = Instant::now();
    let answer = plan::solve(
        &p,
        &runner,
        signal::cancel_flag(),
        &Hooks {
            on_look: &on_look,
            on_replication: &on_replication,
        },
    )
    .map_err(study::failure)?;
    bar.finish_and_clear();
    let manifest = Manifest::new(
        &p.base,
        p.first,
        study::threads(&runner),
        started.elapsed().as_secs_f64(),
    )
    .with_run_id(id.id());
    let doc = json::plan(&p, &answer, &manifest);
    let pretty = serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n";
    let done: u64 = answer.candidates.iter().map(|c| c.replications).sum();
    output::out_set(
        &outputs,
        || vec![("plan.json", pretty.as_bytes().to_vec())],
        &SetInfo {
            run_id: id.id(),
            identity: id.to_json(),
            complete: answer.complete,
            replications: done,
            replications_requested: done,
        },
    )?;
    let page_on_stdout = output::page(&outputs, || html::plan(&p, &answer, &manifest))?;
    if !page_on_stdout {
        match args.format {
            StudyFormat::Table => output::text(&table::plan(&p, &answer))?,
            StudyFormat::Json => output::json(&pretty)?,
        }
    }
    if !answer.complete {
        return Err(Failure::Interrupted { written: true });
    }
    Ok(())
}
