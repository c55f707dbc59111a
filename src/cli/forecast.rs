//! `portsim forecast SCENARIO --log LOG.csv --at DATETIME`: the next hours
//! from the trucks in the port now; `--backtest FROM..TO`: how far such
//! forecasts can be trusted.
//!
//! Everything a user can get wrong is checked before any time is spent:
//! the flags and their limits, the outputs (`--html`, `--state-out`:
//! devices, directories and inputs refused), the map, the whole log
//! (every mistake located by file, row and column, exit 2), the scenario
//! (read with its `start` on the date of `--at`). The replications run
//! with a progress bar on a terminal only; an interrupted run writes
//! nothing.

use std::path::Path;
use std::sync::atomic::Ordering;

use super::args::{ForecastArgs, Format};
use super::output;
use super::{Failure, progress};
use crate::calibrate::{self, log::Layout};
use crate::forecast::backtest::{self, Span};
use crate::forecast::run::start_override;
use crate::forecast::{ForecastError, Options, forecast as run_forecast, state_out};
use crate::model::Limits;
use crate::report::forecast as report;
use crate::scenario::{self, Scenario, limits};
use crate::store::write;

fn user(message: impl std::fmt::Display) -> Failure {
    Failure::User(format!("error: {message}"))
}

fn failure(e: ForecastError) -> Failure {
    match e {
        ForecastError::Log(e) => Failure::User(e.to_string()),
        ForecastError::Scenario(text) => Failure::User(text),
        ForecastError::Usage(text) => user(text),
        e @ (ForecastError::Run(_) | ForecastError::Threads(_)) => Failure::Check(e.to_string()),
    }
}

/// The most hours ahead: four weeks.
pub const MAX_HOURS: u32 = 24 * 28;

/// A date-time of a flag, in ISO form or the log's own format.
fn when(text: &str, flag: &str, layout: &Layout) -> Result<i64, Failure> {
    crate::calibrate::log::time::TimeFormat::Iso
        .parse(text)
        .or_else(|| layout.time.parse(text))
        .ok_or_else(|| {
            user(format_args!(
                "invalid value `{text}` for `{flag}`: expected a local date-time like `2025-03-20T06:00` ({})",
                layout.time.expected()
            ))
        })
}

/// The scenario at `path` with its `start` on the date of `at`.
fn load(path: &Path, at: i64) -> Result<Scenario, ForecastError> {
    let set = start_override(at)?;
    scenario::load_with(path, &[], &[set]).map_err(|e| ForecastError::Scenario(e.to_string()))
}

/// `portsim forecast …`.
pub fn forecast(args: &ForecastArgs) -> Result<(), Failure> {
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
    if args.hours == 0 || args.hours > MAX_HOURS {
        return Err(user(format_args!(
            "invalid value `{}` for `--hours`: expected 1 to {MAX_HOURS}",
            args.hours
        )));
    }
    if let Some(p) = &args.state_out {
        if args.backtest.is_some() {
            return Err(user(
                "`--state-out` writes the state at `--at`; it does not go with `--backtest`",
            ));
        }
        write::target(p).map_err(user)?;
    }
    let outputs = output::prepare(None, args.html.as_deref(), &[])?;
    let layout =
        calibrate::layout(args.map.as_deref()).map_err(|e| Failure::User(e.to_string()))?;
    let log = calibrate::log::read(&args.log, &layout).map_err(|e| Failure::User(e.to_string()))?;
    let mut options = Options {
        at: 0,
        hours: args.hours,
        replications: r,
        seed: 0,
        threads: args.threads,
        limits: Limits {
            max_in_system: args.max_trucks,
        },
    };
    let cancel = super::signal::cancel_flag();
    if let Some(range) = &args.backtest {
        let Some((from, to)) = range.split_once("..") else {
            return Err(user(format_args!(
                "invalid value `{range}` for `--backtest`: expected FROM..TO, like `2025-03-03T00:00..2025-03-20T00:00`"
            )));
        };
        let (from, to) = (
            when(from, "--backtest", &layout)?,
            when(to, "--backtest", &layout)?,
        );
        let every = scenario::parse_duration(&args.every).map_err(|e| {
            user(format_args!(
                "invalid value `{}` for `--every`: {e}",
                args.every
            ))
        })?;
        let every = (every / crate::engine::time::SECOND) as i64;
        let first = load(&args.scenario, from).map_err(failure)?;
        options.seed = args.seed.unwrap_or(first.seed);
        let cuts = if to >= from && every > 0 {
            (to - from) / every + 1
        } else {
            1
        };
        let bar = progress::bar(r.saturating_mul(cuts as u64), "backtest", args.quiet);
        let tick = || bar.inc(1);
        let b = backtest::backtest(
            &|at| load(&args.scenario, at),
            &log,
            Span { from, to, every },
            &options,
            &tick,
        )
        .map_err(failure)?;
        bar.finish_and_clear();
        if cancel.load(Ordering::SeqCst) {
            return Err(Failure::Interrupted { written: false });
        }
        if output::page(&outputs, || report::html::backtest(&b))? {
            return Ok(());
        }
        return match args.format {
            Format::Json => output::json(
                &(serde_json::to_string_pretty(&report::backtest_json(&b)).unwrap_or_default()
                    + "\n"),
            ),
            _ => output::text(&report::backtest_table(&b)),
        };
    }
    let Some(at_text) = &args.at else {
        return Err(user(
            "`--at` is required: the time to forecast from, like `--at 2025-03-20T06:00` (or give `--backtest FROM..TO`)",
        ));
    };
    let at = when(at_text, "--at", &layout)?;
    let scenario = load(&args.scenario, at).map_err(failure)?;
    options.at = at;
    options.seed = args.seed.unwrap_or(scenario.seed);
    let bar = progress::bar(r, "forecast", args.quiet);
    let tick = || bar.inc(1);
    let f = run_forecast(&scenario, &log, &options, &tick).map_err(failure)?;
    bar.finish_and_clear();
    if cancel.load(Ordering::SeqCst) {
        return Err(Failure::Interrupted { written: false });
    }
    if let Some(p) = &args.state_out {
        output::file(p, state_out::toml(&f.state, &scenario).as_bytes())?;
    }
    if output::page(&outputs, || report::html::forecast(&f))? {
        return Ok(());
    }
    match args.format {
        Format::Table => output::text(&report::table(&f)),
        Format::Json => output::json(
            &(serde_json::to_string_pretty(&report::json(&f)).unwrap_or_default() + "\n"),
        ),
        Format::Csv => output::csv(report::csv(&f).as_bytes()),
    }
}
