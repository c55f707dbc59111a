//! Validation before trust: the calibrated scenario run over the log's
//! calendar and set beside the log.
//!
//! The scenario runs as written (its `start` is the log's first date, its
//! horizon the log's window, its warm-up whole weeks, so the measured
//! window falls on the log's weekdays), `-r` replications with common
//! random numbers (replication *i* uses streams keyed by (seed, *i*), as
//! every portsim run). Each metric the log shows is set beside the
//! replications:
//!
//! * time in port: mean, p50 and p95 of the trips that arrived and
//!   departed in the window with both rows seen;
//! * wait at each stage: from when the truck was ready (its previous
//!   service's end, or its arrival for the first stage) to its start;
//! * departures per day (including trips whose `depart` row was lost) and
//!   by hour of day (per day of exposure).
//!
//! The log is one realisation of the port, so it is judged against where
//! one replication falls, not against the interval of the replications'
//! mean: the **spread** is the 95 % prediction interval of one
//! replication, `mean ± t(0.975, n−1) · sd · √(1 + 1/n)` over the
//! replications' values, cut at 0. The verdict is `inside` when the
//! observed value lies in the spread, otherwise `above` or `below` and by
//! how much (relative to the nearest edge). `simulated.ci95` is the usual
//! interval of the mean, reported beside it.

use std::sync::atomic::AtomicBool;

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, StudentsT};

use super::arrivals::each_hour;
use super::log::Event;
use super::log::time::{DAY, hour};
use super::reconstruct::Paths;
use super::routing::counts;
use crate::experiment::estimate::Estimate;
use crate::experiment::run::{RunError, RunOptions, RunOutput, run};
use crate::scenario::Scenario;

/// What the log shows, for validation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ObservedMetrics {
    /// Trips with both `arrive` and `depart` in the window.
    pub time_in_port_n: u64,
    /// Their mean time in port, seconds.
    pub time_in_port_mean_s: Option<f64>,
    /// Median.
    pub time_in_port_p50_s: Option<f64>,
    /// 95th percentile.
    pub time_in_port_p95_s: Option<f64>,
    /// Mean wait at each stage (in visiting order), seconds, and the count.
    pub waits: Vec<(Option<f64>, u64)>,
    /// Departures per day over the window.
    pub departures_per_day: f64,
    /// Departures per day in each hour of day.
    pub departures_by_hour: Vec<f64>,
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

/// Observes the log's metrics; `order` maps stage id to visiting position.
pub fn observe(paths: &Paths, order: &[u32]) -> ObservedMetrics {
    let mut times: Vec<f64> = paths
        .trips
        .iter()
        .filter(|t| counts(t))
        .filter_map(|t| match (t.arrive, t.leave) {
            (Some(a), Some((d, Event::Depart))) => Some((d - a) as f64),
            _ => None,
        })
        .collect();
    times.sort_by(f64::total_cmp);
    let n = times.len();
    let mut waits = vec![(0f64, 0u64); order.len()];
    for v in &paths.visits {
        if let (true, Some(r)) = (v.started(), v.ready)
            && let Some(p) = order.iter().position(|&s| s == v.stage)
        {
            waits[p].0 += (v.start - r) as f64;
            waits[p].1 += 1;
        }
    }
    let days = (paths.end - paths.start).max(1) as f64 / DAY as f64;
    let mut by_hour = [0u64; 24];
    let mut seen = 0u64;
    let mut lost = 0u64;
    for t in &paths.trips {
        match t.leave {
            Some((d, Event::Depart)) => {
                seen += 1;
                by_hour[hour(d)] += 1;
            }
            None if !t.inside_at_end => lost += 1,
            _ => {}
        }
    }
    let mut exposure = [0f64; 24];
    each_hour(paths.start, paths.end.max(paths.start + 1), |t, h| {
        exposure[hour(t)] += h
    });
    let scale = if seen > 0 {
        (seen + lost) as f64 / seen as f64
    } else {
        1.0
    };
    ObservedMetrics {
        time_in_port_n: n as u64,
        time_in_port_mean_s: (n > 0).then(|| times.iter().sum::<f64>() / n as f64),
        time_in_port_p50_s: percentile(&times, 0.5),
        time_in_port_p95_s: percentile(&times, 0.95),
        waits: waits
            .iter()
            .map(|&(s, c)| ((c > 0).then(|| s / c as f64), c))
            .collect(),
        departures_per_day: (seen + lost) as f64 / days,
        departures_by_hour: (0..24)
            .map(|h| {
                if exposure[h] > 0.0 {
                    by_hour[h] as f64 * scale / exposure[h]
                } else {
                    f64::NAN
                }
            })
            .collect(),
    }
}

/// Where the log falls against the replications.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Inside the replication spread.
    Inside,
    /// Above it.
    Above,
    /// Below it.
    Below,
    /// Nothing to compare.
    #[serde(rename = "n/a")]
    NotAvailable,
}

/// The simulated side of a metric.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Simulated {
    /// Mean over replications.
    pub mean: f64,
    /// 95 % interval of that mean.
    pub ci95: Option<[f64; 2]>,
    /// 95 % prediction interval of one replication.
    pub spread: Option<[f64; 2]>,
}

/// One metric set beside the log.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Metric {
    /// `time_in_port_s.mean`, `wait_s.STAGE`, `departures_per_day`,
    /// `departures_per_day.hHH`.
    pub name: String,
    /// The log's value.
    pub observed: Option<f64>,
    /// The simulation's.
    pub simulated: Simulated,
    /// The verdict.
    pub verdict: Verdict,
    /// Distance outside the spread relative to its nearest edge (0
    /// inside).
    pub by: Option<f64>,
}

/// The validation of a calibrated scenario.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Validation {
    /// Replications run.
    pub replications: u64,
    /// Their seed.
    pub seed: u64,
    /// Whether every replication ran to its horizon.
    pub complete: bool,
    /// The metrics.
    pub metrics: Vec<Metric>,
}

impl Validation {
    /// Metrics inside their spread, and metrics compared.
    pub fn inside(&self) -> (usize, usize) {
        let compared = self
            .metrics
            .iter()
            .filter(|m| m.verdict != Verdict::NotAvailable)
            .count();
        let inside = self
            .metrics
            .iter()
            .filter(|m| m.verdict == Verdict::Inside)
            .count();
        (inside, compared)
    }
}

fn t975(df: usize) -> f64 {
    StudentsT::new(0.0, 1.0, df.max(1) as f64).map_or(1.96, |t| t.inverse_cdf(0.975))
}

/// The simulated side from per-replication values.
fn from_samples(samples: &[f64]) -> Simulated {
    let e = Estimate::from_samples(samples);
    let finite: Vec<f64> = samples.iter().copied().filter(|x| x.is_finite()).collect();
    let n = finite.len();
    let spread = (n >= 2).then(|| {
        let sd = (finite.iter().map(|x| (x - e.mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt();
        let half = t975(n - 1) * sd * (1.0 + 1.0 / n as f64).sqrt();
        [(e.mean - half).max(0.0), e.mean + half]
    });
    Simulated {
        mean: e.mean,
        ci95: e.ci95,
        spread,
    }
}

/// The simulated side from an estimate of the mean (its sd recovered from
/// the interval's half-width).
fn from_estimate(e: &Estimate) -> Simulated {
    let spread = e.ci95.filter(|_| e.n >= 2).map(|[lo, hi]| {
        let t = t975(e.n - 1);
        let sd = (hi - lo) / 2.0 * (e.n as f64).sqrt() / t;
        let half = t * sd * (1.0 + 1.0 / e.n as f64).sqrt();
        [(e.mean - half).max(0.0), e.mean + half]
    });
    Simulated {
        mean: e.mean,
        ci95: e.ci95,
        spread,
    }
}

fn judge(name: String, observed: Option<f64>, simulated: Simulated) -> Metric {
    let observed = observed.filter(|x| x.is_finite());
    let (verdict, by) = match (observed, simulated.spread) {
        (Some(o), Some([lo, hi])) if simulated.mean.is_finite() => {
            if o > hi {
                (
                    Verdict::Above,
                    Some((o - hi) / hi.abs().max(f64::MIN_POSITIVE)),
                )
            } else if o < lo {
                (
                    Verdict::Below,
                    Some((lo - o) / lo.abs().max(f64::MIN_POSITIVE)),
                )
            } else {
                (Verdict::Inside, Some(0.0))
            }
        }
        _ => (Verdict::NotAvailable, None),
    };
    Metric {
        name,
        observed,
        simulated,
        verdict,
        by,
    }
}

/// Runs `scenario` and sets it beside `observed`.
pub fn validate(
    scenario: &Scenario,
    observed: &ObservedMetrics,
    options: &RunOptions,
    cancel: &AtomicBool,
    on_done: impl Fn() + Sync,
) -> Result<(Validation, RunOutput), RunError> {
    let out = run(scenario, options, cancel, on_done)?;
    let s = &out.summary;
    let mut metrics = Vec::new();
    if let Some(m) = s.metric("time_in_port_s") {
        metrics.push(judge(
            "time_in_port_s.mean".into(),
            observed.time_in_port_mean_s,
            from_samples(&m.samples),
        ));
        if let Some(p) = &m.percentiles {
            metrics.push(judge(
                "time_in_port_s.p50".into(),
                observed.time_in_port_p50_s,
                from_samples(&p.p50.samples),
            ));
            metrics.push(judge(
                "time_in_port_s.p95".into(),
                observed.time_in_port_p95_s,
                from_samples(&p.p95.samples),
            ));
        }
    }
    for (stage, (wait, _)) in s.stages.iter().zip(&observed.waits) {
        metrics.push(judge(
            format!("wait_s.{}", stage.name),
            *wait,
            from_samples(&stage.wait.samples),
        ));
    }
    if let Some(m) = s.metric("throughput_per_day") {
        metrics.push(judge(
            "departures_per_day".into(),
            Some(observed.departures_per_day),
            from_samples(&m.samples),
        ));
    }
    for (h, e) in s.hourly.departures.iter().enumerate() {
        metrics.push(judge(
            format!("departures_per_day.h{h:02}"),
            observed.departures_by_hour.get(h).copied(),
            from_estimate(e),
        ));
    }
    Ok((
        Validation {
            replications: out.finished,
            seed: scenario.seed,
            complete: out.complete,
            metrics,
        },
        out,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spread_is_a_prediction_interval_and_the_verdict_says_where() {
        let samples = [10.0, 12.0, 8.0, 11.0, 9.0];
        let s = from_samples(&samples);
        // mean 10, sd √2.5, t(0.975, 4) = 2.776.
        let half = 2.776_445 * 2.5f64.sqrt() * (1.2f64).sqrt();
        let [lo, hi] = s.spread.unwrap();
        assert!((lo - (10.0 - half)).abs() < 1e-4 && (hi - (10.0 + half)).abs() < 1e-4);
        assert_eq!(judge("x".into(), Some(10.5), s).verdict, Verdict::Inside);
        let above = judge("x".into(), Some(2.0 * hi), s);
        assert_eq!(above.verdict, Verdict::Above);
        assert!((above.by.unwrap() - 1.0).abs() < 1e-12);
        assert_eq!(judge("x".into(), None, s).verdict, Verdict::NotAvailable);
        // The same spread from the mean's interval.
        let e = Estimate::from_samples(&samples);
        let again = from_estimate(&e).spread.unwrap();
        assert!((again[0] - lo).abs() < 1e-9 && (again[1] - hi).abs() < 1e-9);
    }

    #[test]
    fn nearest_rank_percentiles() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(percentile(&v, 0.5), Some(2.0));
        assert_eq!(percentile(&v, 0.95), Some(4.0));
        assert_eq!(percentile(&[], 0.5), None);
    }
}
