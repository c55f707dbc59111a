//! `portsim plan`: read the plan, search, report the choice and the
//! evidence.

use std::time::Instant;

use super::args::{PlanArgs, StudyFormat};
use super::{Failure, output, progress, signal, study};
use crate::decide::plan::{self, Hooks};
use crate::report::decide::{html, json, table};
use crate::report::json::Manifest;

/// `portsim plan PLAN.toml …`.
pub fn plan(args: &PlanArgs) -> Result<(), Failure> {
    let o = &args.options;
    let command_line = study::overrides(o)?;
    let runner = study::runner(o)?;
    let p = plan::read(&args.file, &command_line).map_err(study::failure)?;
    study::warn(&[&p.base], o.quiet);
    let bar = progress::bar(p.first, "plan", o.quiet);
    let on_look = |label: &str, from: u64, to: u64| {
        bar.set_message(format!("plan: {label}"));
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
    );
    let doc = json::plan(&p, &answer, &manifest);
    let pretty = serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n";
    if let Some(dir) = &args.out {
        output::file(&dir.join("plan.json"), pretty.as_bytes())?;
    }
    if let Some(path) = &args.html {
        output::file(path, html::plan(&p, &answer, &manifest).as_bytes())?;
    }
    match args.format {
        StudyFormat::Table => output::stdout(table::plan(&p, &answer).as_bytes())?,
        StudyFormat::Json => output::stdout(pretty.as_bytes())?,
    }
    if !answer.complete {
        return Err(Failure::Interrupted { written: true });
    }
    Ok(())
}
