//! `portsim calibrate LOG.csv`: read, estimate, write, validate, report.
//!
//! Everything a user can get wrong is checked before any time is spent:
//! the flags' limits, the outputs (`--scenario`, `--html` and `--out`
//! refuse devices and directories; `--out` is locked), the map, then the
//! whole log (every mistake located, exit 2, nothing written), then the
//! outputs again, so that none replaces the log or the map just read. The validation runs with a
//! progress bar on a terminal; an interrupted one writes nothing.

use std::sync::atomic::Ordering;

use super::args::{CalibrateArgs, StudyFormat};
use super::{Failure, output, progress};
use crate::calibrate::{self, CalibrateError, Options};
use crate::model::Limits;
use crate::report::calibrate as report;
use crate::report::json::scenario_hash;
use crate::scenario::limits;
use crate::store::identity::{Overrides, RunIdentity, Simulated};
use crate::store::set::SetInfo;
use crate::store::write;

fn user(message: impl std::fmt::Display) -> Failure {
    Failure::User(format!("error: {message}"))
}

fn failure(e: CalibrateError) -> Failure {
    match e {
        CalibrateError::Log(e) => Failure::User(e.to_string()),
        e @ (CalibrateError::Scenario(_) | CalibrateError::Run(_)) => Failure::Check(e.to_string()),
    }
}

/// `portsim calibrate …`.
pub fn calibrate(args: &CalibrateArgs) -> Result<(), Failure> {
    let r = args.replications;
    limits::replications(r).map_err(|e| {
        user(format_args!(
            "invalid value `{r}` for `--replications`: {e}"
        ))
    })?;
    if let Some(j) = args.threads {
        limits::threads(j)
            .map_err(|e| user(format_args!("invalid value `{j}` for `--threads`: {e}")))?;
    }
    if let Some(p) = &args.scenario {
        write::target(p).map_err(user)?;
    }
    let outputs = output::prepare(args.out.as_deref(), args.html.as_deref(), report::SET)?;
    let options = Options {
        replications: r,
        seed: args.seed,
        threads: args
            .threads
            .map(|j| j.min(usize::try_from(r).unwrap_or(usize::MAX))),
        limits: Limits {
            max_in_system: args.max_trucks,
        },
    };
    let layout =
        calibrate::layout(args.map.as_deref()).map_err(|e| Failure::User(e.to_string()))?;
    let mut cal = calibrate::estimate(&args.log, &layout, &options).map_err(failure)?;
    // The log and the map are read now: no output may replace them.
    output::recheck(&outputs)?;
    if let Some(p) = &args.scenario {
        write::target(p).map_err(user)?;
    }
    let cancel = super::signal::cancel_flag();
    let bar = progress::bar(r, "validation", args.quiet);
    calibrate::validate_in_place(&mut cal, &options, cancel, || bar.inc(1)).map_err(failure)?;
    bar.finish_and_clear();
    if cancel.load(Ordering::SeqCst) {
        return Err(Failure::Interrupted { written: false });
    }
    if let Some(p) = &args.scenario {
        output::file(p, cal.scenario_text.as_bytes())?;
    }
    let identity = RunIdentity {
        command: "calibrate",
        runs: vec![Simulated {
            label: "calibrated".into(),
            scenario_hash: scenario_hash(&cal.scenario),
            seed: cal.seed,
            replications: r,
        }],
        max_trucks: args.max_trucks,
        overrides: Overrides::default(),
        other: Vec::new(),
    };
    let complete = cal.validation.as_ref().is_some_and(|v| v.complete);
    output::out_set(
        &outputs,
        || report::set_files(&cal),
        &SetInfo {
            run_id: identity.id(),
            identity: identity.to_json(),
            complete,
            replications: cal.validation.as_ref().map_or(0, |v| v.replications),
            replications_requested: r,
        },
    )?;
    if output::page(&outputs, || report::html::page(&cal))? {
        return Ok(());
    }
    match args.format {
        StudyFormat::Table => output::text(&report::table(&cal))?,
        StudyFormat::Json => {
            let text = serde_json::to_string_pretty(&report::json(&cal)).unwrap_or_default() + "\n";
            output::json(&text)?;
        }
    }
    if !args.quiet && args.format == StudyFormat::Json {
        for w in &cal.warnings {
            super::stderr::say(&format!("warning: {w}"));
        }
    }
    Ok(())
}
