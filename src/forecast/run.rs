//! A forecast: the state at `--at` run forward `-r` times, hour by hour.
//!
//! The scenario is read with its `start` set to the date of `--at`
//! ([`start_override`]), so simulated time zero is the midnight before
//! `--at` and the weekly hours, shifts, demand profile and dated keys
//! follow the real clock. [`prepare`] then sets the origin (the warm-up,
//! a time of day) and the window (`--hours`); the scenario's own
//! `horizon`, `warmup`, `replications` and `[initial]` do not apply.
//! Each replication runs `model::simulate_from` on its own streams (seed,
//! replication), in parallel, collected in index order, so the result is
//! the same on any thread count.

use rayon::prelude::*;

use super::ForecastError;
use super::bands::Band;
use super::state::{self, Observed, Tracks};
use crate::calibrate::log::Log;
use crate::calibrate::log::time::{DAY, date};
use crate::engine::time::{HOUR, SECOND};
use crate::model::ahead::Ahead;
use crate::model::{Limits, simulate_from};
use crate::scenario::{Initial, Override, Scenario};

/// How to forecast.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// The state's time, seconds on the log's clock.
    pub at: i64,
    /// Hours ahead.
    pub hours: u32,
    /// Replications.
    pub replications: u64,
    /// Master seed.
    pub seed: u64,
    /// Worker threads (`None`: one per core).
    pub threads: Option<usize>,
    /// The runaway guard.
    pub limits: Limits,
}

/// One hour ahead, as bands across replications.
#[derive(Clone, Debug, PartialEq)]
pub struct HourBands {
    /// The hour's start, seconds on the log's clock.
    pub start: i64,
    /// Trucks leaving cleared in the hour.
    pub departures: Band,
    /// Trucks at the port at the hour's end, road included.
    pub in_port: Band,
    /// Trucks reaching the port in the hour.
    pub arrivals: Band,
    /// Each stage's queue at the hour's end.
    pub queued: Vec<Band>,
    /// The time in port of the hour's arrivals (per replication their
    /// mean), seconds.
    pub time_in_port_of_arrivals_s: Band,
}

/// A forecast.
#[derive(Clone, Debug, PartialEq)]
pub struct Forecast {
    /// The scenario's name.
    pub scenario: String,
    /// The stages' names.
    pub stages: Vec<String>,
    /// Replications run.
    pub replications: u64,
    /// Master seed.
    pub seed: u64,
    /// The state at `--at`.
    pub state: Observed,
    /// The hours ahead.
    pub hours: Vec<HourBands>,
    /// Arrivals of the window still at the port a week after it, over all
    /// replications (their time in port is a lower bound).
    pub unfinished: u64,
    /// Replications the runaway guard stopped (in no band).
    pub stopped: u64,
}

/// The override that sets a scenario's `start` to the date of `at`.
pub fn start_override(at: i64) -> Result<Override, ForecastError> {
    Override::parse(&format!("start=\"{}\"", date(at)))
        .map_err(|d| ForecastError::Scenario(d.to_string()))
}

/// `scenario` (read with [`start_override`]) set to run from `at` for
/// `hours`, seeded with `seed`.
pub fn prepare(
    scenario: &Scenario,
    at: i64,
    hours: u32,
    seed: u64,
) -> Result<Scenario, ForecastError> {
    if scenario.start_date != Some(at.div_euclid(DAY)) {
        return Err(ForecastError::Usage(format!(
            "the scenario must start on the date of `--at` ({}): read it with forecast::run::start_override",
            date(at)
        )));
    }
    let mut s = scenario.clone();
    s.warmup = at.rem_euclid(DAY) as u64 * SECOND;
    s.horizon = u64::from(hours) * HOUR;
    s.initial = None;
    s.seed = seed;
    Ok(s)
}

/// Runs `replications` replications of `prepared` from `state`, in
/// parallel, handed back in index order.
pub fn replicate(
    prepared: &Scenario,
    state: &Initial,
    options: &Options,
    tick: &(dyn Fn() + Sync),
) -> Result<Vec<Ahead>, ForecastError> {
    let go = || {
        (0..options.replications)
            .into_par_iter()
            .map(|i| {
                let ahead = simulate_from(prepared, state, i, &options.limits);
                tick();
                ahead
            })
            .collect::<Result<Vec<_>, _>>()
    };
    let out = match options.threads {
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build()
            .map_err(|e| ForecastError::Threads(e.to_string()))?
            .install(go),
        None => go(),
    };
    Ok(out?)
}

/// The bands of each hour across `runs`.
pub fn summarise(runs: &[Ahead], at: i64, hours: u32, stages: usize) -> Vec<HourBands> {
    (0..hours as usize)
        .map(|k| {
            let of = |f: &dyn Fn(&crate::model::ahead::Hour) -> f64| {
                let mut v: Vec<f64> = runs.iter().filter_map(|r| r.hours.get(k)).map(f).collect();
                Band::of(&mut v)
            };
            HourBands {
                start: at + k as i64 * 3_600,
                departures: of(&|h| f64::from(h.departures)),
                in_port: of(&|h| f64::from(h.in_port)),
                arrivals: of(&|h| f64::from(h.arrivals)),
                queued: (0..stages)
                    .map(|s| of(&|h| h.queued.get(s).map_or(f64::NAN, |&q| f64::from(q))))
                    .collect(),
                time_in_port_of_arrivals_s: of(&|h| h.mean_time_in_port_s()),
            }
        })
        .collect()
}

/// Forecasts `scenario` (read with [`start_override`] for `options.at`)
/// from the state `log` shows at `options.at`.
pub fn forecast(
    scenario: &Scenario,
    log: &Log,
    options: &Options,
    tick: &(dyn Fn() + Sync),
) -> Result<Forecast, ForecastError> {
    let tracks = state::tracks(log, scenario);
    forecast_tracks(scenario, &tracks, options, tick)
}

/// [`forecast`] from a log already read for the scenario.
pub fn forecast_tracks(
    scenario: &Scenario,
    tracks: &Tracks,
    options: &Options,
    tick: &(dyn Fn() + Sync),
) -> Result<Forecast, ForecastError> {
    let n = scenario.stages.len();
    let plausible = state::plausible(tracks, n, options.at);
    let observed = state::observe(tracks, scenario, &plausible, options.at);
    let prepared = prepare(scenario, options.at, options.hours, options.seed)?;
    let mut runs = replicate(&prepared, &observed.initial(), options, tick)?;
    let all = runs.len();
    runs.retain(|r| !r.stopped);
    Ok(Forecast {
        stopped: (all - runs.len()) as u64,
        scenario: scenario.name.clone(),
        stages: scenario.stages.iter().map(|s| s.name.clone()).collect(),
        replications: options.replications,
        seed: options.seed,
        hours: summarise(&runs, options.at, options.hours, n),
        unfinished: runs.iter().map(|r| u64::from(r.unfinished)).sum(),
        state: observed,
    })
}
