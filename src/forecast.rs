//! Forecasting: the next hours of a port from the trucks in it now, with
//! prediction intervals, and a backtest that says how far to trust them.
//!
//! A planner asks what a reform would do over a month; an operator asks
//! what happens in the next 24 hours given the queue of this morning. This
//! layer answers the second question from the port's own event log (the
//! calibration's format, read by `calibrate::log`, `--map` included):
//!
//! 1. [`state`]: the state at `--at` from the rows *before* it (a row at
//!    or after `--at` never influences a forecast): each truck still in
//!    the port waiting, queued or in service, with its age and how long it
//!    has been so; a truck whose rows stop without a leaving row is taken
//!    as gone once it has been unseen for far longer than the log shows
//!    that state ever lasts (the rule is in [`state`], and such trucks are
//!    counted).
//! 2. [`run`]: the scenario run from that state (`model::simulate_from`:
//!    residual services, queues kept in order, the real clock) over the
//!    next hours, `-r` replications, summarised per hour into [`bands`]:
//!    the mean and the 5th and 95th percentiles across replications
//!    (nearest rank), a 90 % prediction interval.
//! 3. [`backtest`]: forecasts at cut times through the log, each scored
//!    against what the log then shows ([`truth`]): mean absolute error by
//!    hours ahead, coverage of the 90 % intervals, and the naive forecast
//!    (the log's own average for that hour of the week) beside them.
//! 4. [`state_out`]: the reconstructed state in the scenario's
//!    `[[initial.trucks]]` form, to inspect, edit and reuse.
//!
//! It sits on its own rung above `calibrate` (whose log reader it shares)
//! and below `report` (which renders its results); it produces data only.

pub mod backtest;
pub mod bands;
pub mod run;
pub mod state;
pub mod state_out;
pub mod truth;

pub use run::{Forecast, Options, forecast};

use crate::calibrate::log::LogError;
use crate::engine::dist::DistError;

/// What can go wrong in a forecast.
#[derive(Debug, thiserror::Error)]
pub enum ForecastError {
    /// The log or its map (located by file, row and column).
    #[error(transparent)]
    Log(#[from] LogError),
    /// The scenario, as its diagnostics render it.
    #[error("{0}")]
    Scenario(String),
    /// A flag that cannot be used with this log.
    #[error("{0}")]
    Usage(String),
    /// A distribution that cannot be sampled (the scenario was checked, so
    /// this is not expected).
    #[error("the forecast's run failed: {0}")]
    Run(#[from] DistError),
    /// The worker threads could not be started.
    #[error("could not start the worker threads: {0}")]
    Threads(String),
}
