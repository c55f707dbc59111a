//! How far can a forecast be trusted: forecasts at cut times through the
//! log, each scored against what the log then shows.
//!
//! Cut `c` runs from `FROM` every `--every` (a whole number of hours) to
//! `TO`. At each cut the forecast starts from the rows before `c` only,
//! with the scenario's calendars on the cut's real date, exactly as
//! `portsim forecast --at c` would. Hour `k` after the cut is scored when
//! the log covers its end: the absolute error of the forecast's mean
//! against the log's value ([`super::truth`]), whether the 90 % interval
//! held it, and the absolute error of the **naive forecast**: the mean of
//! the log's values at the same hour of the week (weekday and hour of the
//! hour's start) over the whole hours that ended before the cut. The
//! scores are averaged by hours ahead and over all of them, for each
//! quantity (departures, arrivals, trucks in port, time in port of the
//! arrivals, each stage's queue).

use super::ForecastError;
use super::run::{self, Options};
use super::state;
use super::truth::{self, Actual};
use crate::calibrate::log::Log;
use crate::calibrate::log::time::{hour, weekday};
use crate::scenario::Scenario;

/// How to backtest.
#[derive(Clone, Copy, Debug)]
pub struct Span {
    /// The first cut, seconds on the log's clock.
    pub from: i64,
    /// The last cut at most.
    pub to: i64,
    /// Seconds between cuts (whole hours).
    pub every: i64,
}

/// The scores of one quantity at one number of hours ahead (or over all).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Score {
    /// Hours scored.
    pub n: u64,
    /// Mean absolute error of the forecast's mean.
    pub mae: f64,
    /// Share of hours whose value was inside the 90 % interval.
    pub coverage: f64,
    /// Hours the naive forecast could be scored on (it needs history).
    pub naive_n: u64,
    /// Mean absolute error of the naive forecast.
    pub naive_mae: f64,
}

/// The scores of one quantity.
#[derive(Clone, Debug, PartialEq)]
pub struct Quantity {
    /// Its key: `departures`, `arrivals`, `in_port`,
    /// `time_in_port_of_arrivals_s`, or `queued.STAGE`.
    pub key: String,
    /// By hours ahead (index 0: the first hour).
    pub by_hour: Vec<Score>,
    /// Over all hours ahead.
    pub overall: Score,
}

/// A backtest.
#[derive(Clone, Debug, PartialEq)]
pub struct Backtest {
    /// The cut times.
    pub cuts: Vec<i64>,
    /// Hours ahead of each.
    pub hours: u32,
    /// Replications of each forecast.
    pub replications: u64,
    /// Master seed.
    pub seed: u64,
    /// Per quantity.
    pub quantities: Vec<Quantity>,
}

#[derive(Clone, Copy, Default)]
struct Sums {
    n: u64,
    err: f64,
    inside: u64,
    naive_n: u64,
    naive_err: f64,
}

impl Sums {
    fn score(&self) -> Score {
        let per = |x: f64, n: u64| if n == 0 { f64::NAN } else { x / n as f64 };
        Score {
            n: self.n,
            mae: per(self.err, self.n),
            coverage: per(self.inside as f64, self.n),
            naive_n: self.naive_n,
            naive_mae: per(self.naive_err, self.naive_n),
        }
    }
}

/// Backtests the scenario `load` gives for a cut's time (read with
/// `run::start_override` of it) on `log` over `span`; `options.at` is
/// ignored. `tick` is called after every replication of every cut.
pub fn backtest(
    load: &dyn Fn(i64) -> Result<Scenario, ForecastError>,
    log: &Log,
    span: Span,
    options: &Options,
    tick: &(dyn Fn() + Sync),
) -> Result<Backtest, ForecastError> {
    const H: i64 = 3_600;
    if span.every <= 0 || span.every % H != 0 {
        return Err(ForecastError::Usage(
            "`--every` must be a whole number of hours, like `6h`".into(),
        ));
    }
    if span.to < span.from {
        return Err(ForecastError::Usage(
            "the backtest's range FROM..TO ends before it starts".into(),
        ));
    }
    let cuts: Vec<i64> = (0..)
        .map(|i| span.from + i * span.every)
        .take_while(|&c| c <= span.to)
        .collect();
    let first = load(span.from)?;
    let tracks = state::tracks(log, &first);
    if span.from <= tracks.first || span.from > tracks.last {
        return Err(ForecastError::Usage(format!(
            "the backtest's first cut must be inside the log, after its first row ({} to {})",
            crate::calibrate::log::time::show(tracks.first),
            crate::calibrate::log::time::show(tracks.last)
        )));
    }
    let stages: Vec<String> = first.stages.iter().map(|s| s.name.clone()).collect();
    // The truth on the grid of whole hours through the cuts.
    let base = span.from - (span.from - tracks.first).div_euclid(H) * H;
    let n = ((tracks.last - base).div_euclid(H)).max(0) as usize;
    let everything = state::plausible(&tracks, stages.len(), i64::MAX);
    let actual = truth::series(&tracks, &first, &everything, base, n);
    let mut keys: Vec<String> = [
        "departures",
        "arrivals",
        "in_port",
        "time_in_port_of_arrivals_s",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    keys.extend(stages.iter().map(|s| format!("queued.{s}")));
    let hours = options.hours as usize;
    let mut sums = vec![vec![Sums::default(); hours]; keys.len()];
    for &cut in &cuts {
        let scenario = if cut.div_euclid(86_400) == span.from.div_euclid(86_400) {
            first.clone()
        } else {
            load(cut)?
        };
        let f = run::forecast_tracks(
            &scenario,
            &tracks,
            &Options {
                at: cut,
                ..*options
            },
            tick,
        )?;
        let j0 = ((cut - base) / H) as usize;
        for (k, band) in f.hours.iter().enumerate() {
            let Some(truth) = actual.get(j0 + k) else {
                break;
            };
            let start = cut + k as i64 * H;
            let naive = naive(&actual, base, j0, start);
            let forecast = [
                band.departures,
                band.arrivals,
                band.in_port,
                band.time_in_port_of_arrivals_s,
            ]
            .into_iter()
            .chain(band.queued.iter().copied());
            for (q, b) in forecast.enumerate() {
                let t = value(truth, q);
                if t.is_nan() || b.mean.is_nan() {
                    continue;
                }
                let s = &mut sums[q][k];
                s.n += 1;
                s.err += (b.mean - t).abs();
                s.inside += u64::from(b.holds(t));
                if let Some(v) = naive.as_ref().map(|a| value(a, q)).filter(|v| !v.is_nan()) {
                    s.naive_n += 1;
                    s.naive_err += (v - t).abs();
                }
            }
        }
    }
    let quantities = keys
        .into_iter()
        .zip(sums)
        .map(|(key, by)| {
            let mut all = Sums::default();
            for s in &by {
                all.n += s.n;
                all.err += s.err;
                all.inside += s.inside;
                all.naive_n += s.naive_n;
                all.naive_err += s.naive_err;
            }
            Quantity {
                key,
                by_hour: by.iter().map(Sums::score).collect(),
                overall: all.score(),
            }
        })
        .collect();
    Ok(Backtest {
        cuts,
        hours: options.hours,
        replications: options.replications,
        seed: options.seed,
        quantities,
    })
}

/// Quantity `q` of an hour (in the order of the backtest's keys).
fn value(a: &Actual, q: usize) -> f64 {
    match q {
        0 => a.departures,
        1 => a.arrivals,
        2 => a.in_port,
        3 => a.time_in_port_s,
        _ => a.queued.get(q - 4).copied().unwrap_or(f64::NAN),
    }
}

/// The naive forecast of the hour starting at `start`: the mean of each
/// quantity over the hours of the series (from `base`) that ended before
/// hour `j0` and start at the same hour of the week; `None` without any.
fn naive(actual: &[Actual], base: i64, j0: usize, start: i64) -> Option<Actual> {
    let week_hour = |t: i64| weekday(t) * 24 + hour(t);
    let want = week_hour(start);
    let same: Vec<&Actual> = actual[..j0.min(actual.len())]
        .iter()
        .enumerate()
        .filter(|(j, _)| week_hour(base + *j as i64 * 3_600) == want)
        .map(|(_, a)| a)
        .collect();
    let first = same.first()?;
    let mean = |f: &dyn Fn(&Actual) -> f64| {
        let v: Vec<f64> = same.iter().map(|a| f(a)).filter(|x| !x.is_nan()).collect();
        if v.is_empty() {
            f64::NAN
        } else {
            v.iter().sum::<f64>() / v.len() as f64
        }
    };
    Some(Actual {
        arrivals: mean(&|a| a.arrivals),
        departures: mean(&|a| a.departures),
        in_port: mean(&|a| a.in_port),
        queued: (0..first.queued.len())
            .map(|s| mean(&|a| a.queued[s]))
            .collect(),
        time_in_port_s: mean(&|a| a.time_in_port_s),
    })
}
