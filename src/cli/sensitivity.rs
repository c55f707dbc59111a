//! `portsim sensitivity`: read the study, run its settings (skipping
//! those kept from an earlier run), report the tornado.

use std::time::Instant;

use super::args::{SensitivityArgs, StudyFormat};
use super::{Failure, output, progress, signal, study};
use crate::decide::cache::Cache;
use crate::decide::points::{self, Options};
use crate::decide::sensitivity;
use crate::report::decide::{html, json, table};
use crate::report::json::Manifest;

/// `portsim sensitivity SENS.toml …`.
pub fn sensitivity(args: &SensitivityArgs) -> Result<(), Failure> {
    let o = &args.options;
    let command_line = study::overrides(o)?;
    let runner = study::runner(o)?;
    let s = sensitivity::read(&args.file, &command_line).map_err(study::failure)?;
    let mut sides = vec![&s.base];
    if let Some((_, v)) = &s.variant {
        sides.push(v);
    }
    study::warn(&sides, o.quiet);
    let cache = args.out.as_ref().map(|d| Cache::new(&d.join("points")));
    let total: u64 = s.points.iter().map(|p| p.scenario.replications).sum();
    let bar = progress::bar(total, "sensitivity", o.quiet);
    let n = s.points.len();
    let started = Instant::now();
    let on_point = |i: usize, done: bool| {
        bar.set_message(format!("sensitivity setting {}/{n}", i + 1));
        if done {
            bar.inc(s.points[i].scenario.replications);
        }
    };
    let on_replication = || bar.inc(1);
    let outcome = points::run(
        &s.points,
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
    let findings = sensitivity::findings(&s, &outcome);
    let manifest = Manifest::new(
        &s.base,
        s.base.replications,
        study::threads(&runner),
        started.elapsed().as_secs_f64(),
    );
    let doc = json::sensitivity(&s, &outcome, findings.as_ref(), &manifest);
    let pretty = serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n";
    if let Some(dir) = &args.out {
        output::file(&dir.join("sensitivity.json"), pretty.as_bytes())?;
    }
    if let Some(path) = &args.html {
        output::file(
            path,
            html::sensitivity(&s, findings.as_ref(), &manifest).as_bytes(),
        )?;
    }
    match args.format {
        StudyFormat::Table => output::stdout(table::sensitivity(&s, findings.as_ref()).as_bytes())?,
        StudyFormat::Json => output::stdout(pretty.as_bytes())?,
    }
    if !outcome.complete {
        return Err(Failure::Interrupted { written: true });
    }
    Ok(())
}
