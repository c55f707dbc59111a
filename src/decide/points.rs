//! The engine every study shares: a list of points in, one sample per
//! replication and metric of each point out.
//!
//! A point is a set of overrides on the study's scenario. Points are
//! first all resolved (read, overridden, validated), so that every
//! mistake is reported before any simulation starts; a point's identity
//! is the SHA-256 of its resolved scenario, which covers the seed and the
//! replication count. Then each point runs its replications `0..n`, with
//! the streams of `(seed, i)`: common random numbers across points, since
//! no stream depends on the point.
//!
//! # Work units
//!
//! The work is a list of units `(point, replication)` in a fixed order
//! ([`units`]): point by point in the order given, each point's
//! replications in increasing order. The order changes nothing in the
//! results (replication `i` of a point is the same wherever it runs); it
//! is what a distributed run splits into shards and puts back together.
//! Here, points run one after the other and each point's replications in
//! parallel.
//!
//! Points with the same hash run once. With a [`Cache`], a point already
//! stored (same hash, replications, runaway guard and portsim version) is
//! read instead of run, and each point is stored as soon as it finishes,
//! so an interrupted study resumes where it stopped. Only samples are
//! kept, never the replications' histograms, so memory does not grow with
//! the number of points.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};

use super::cache::Cache;
use super::error::DecideError;
use super::metrics::{self, MetricKey};
use super::runner::Runner;
use super::samples::Samples;
use crate::experiment::run::RunOutput;
use crate::scenario::{Diagnostic, Override, Scenario, ScenarioError};

/// How many points' mistakes are listed before the rest are counted.
const MAX_ERRORS: usize = 20;

/// A point resolved to its scenario.
#[derive(Clone, Debug)]
pub struct Resolved {
    /// The overrides that make the point (on top of the study's).
    pub set: Vec<Override>,
    /// The scenario it runs.
    pub scenario: Scenario,
    /// SHA-256 of the resolved scenario.
    pub hash: String,
}

/// One unit of work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unit {
    /// Index of the point in the study's list.
    pub point: usize,
    /// Replication index (its random streams are `(seed, replication)`).
    pub replication: u64,
}

/// The work units of points with these replication counts, in the fixed
/// order: point by point, replications increasing.
pub fn units(replications: &[u64]) -> Vec<Unit> {
    replications
        .iter()
        .enumerate()
        .flat_map(|(point, &n)| (0..n).map(move |replication| Unit { point, replication }))
        .collect()
}

/// What one unit measured: every metric (in [`MetricKey::all`] order),
/// and whether the runaway guard stopped it. A point's [`Samples`] are its
/// units' values side by side ([`gather`]), whether the units ran here or
/// in shards on other machines.
#[derive(Clone, Debug, PartialEq)]
pub struct UnitValues {
    /// One value per metric key; NaN where the replication has none.
    pub values: Vec<f64>,
    /// Whether the runaway guard stopped the replication.
    pub stopped: bool,
}

/// The values of each replication of `range` that `out` ran, in order.
pub fn unit_values(out: &RunOutput, range: Range<u64>) -> Vec<UnitValues> {
    let columns: Vec<Vec<f64>> = MetricKey::all()
        .iter()
        .map(|k| metrics::samples(out, k))
        .collect();
    let runaways = metrics::runaways(out);
    range
        .enumerate()
        .map(|(j, replication)| UnitValues {
            values: columns
                .iter()
                .map(|c| c.get(j).copied().unwrap_or(f64::NAN))
                .collect(),
            stopped: runaways.contains(&replication),
        })
        .collect()
}

/// A point's samples from the values of its replications `0..n`, in order.
pub fn gather(hash: &str, units: &[UnitValues]) -> Samples {
    Samples {
        hash: hash.to_owned(),
        replications: units.len() as u64,
        values: MetricKey::all()
            .into_iter()
            .enumerate()
            .map(|(k, key)| {
                let column = units
                    .iter()
                    .map(|u| u.values.get(k).copied().unwrap_or(f64::NAN))
                    .collect();
                (key, column)
            })
            .collect(),
        runaways: (0u64..)
            .zip(units)
            .filter(|(_, u)| u.stopped)
            .map(|(i, _)| i)
            .collect(),
    }
}

/// Runs the units `block` of the fixed order ([`units`]) of `points` and
/// returns their values in that order: a shard's share of a study. Each
/// point's replications in the block run together, in parallel.
pub fn run_block(
    points: &[Resolved],
    block: Range<u64>,
    options: &Options,
) -> Result<Vec<UnitValues>, DecideError> {
    let counts: Vec<u64> = points.iter().map(|p| p.scenario.replications).collect();
    let mut out = Vec::new();
    let mut first = 0u64;
    for (i, (p, &n)) in points.iter().zip(&counts).enumerate() {
        let (lo, hi) = (block.start.max(first), block.end.min(first + n));
        if lo < hi {
            (options.on_point)(i, false);
            let range = (lo - first)..(hi - first);
            let run = options.runner.run(
                &p.scenario,
                range.clone(),
                options.cancel,
                options.on_replication,
                None,
            )?;
            if run.finished < hi - lo {
                return Err(DecideError::Interrupted);
            }
            out.extend(unit_values(&run, range));
        }
        first += n;
    }
    Ok(out)
}

/// The outcome of running `points` from the values of all their units, in
/// the fixed order: what [`run`] gives when nothing was kept from before
/// (points with the same hash are run once and reused). Each point is
/// stored in `cache`, if given, as [`run`] does.
pub fn outcome_of(
    points: &[Resolved],
    units: &[UnitValues],
    cache: Option<&Cache>,
    limits: &crate::model::Limits,
) -> Result<Outcome, DecideError> {
    let mut done: BTreeMap<String, Samples> = BTreeMap::new();
    let mut results = Vec::with_capacity(points.len());
    let (mut ran, mut reused) = (0, 0);
    let mut rest = units;
    for p in points {
        let n = usize::try_from(p.scenario.replications).unwrap_or(usize::MAX);
        let Some((mine, after)) = rest.split_at_checked(n) else {
            return Err(DecideError::Cache(
                "the merged units do not match the study's points".into(),
            ));
        };
        rest = after;
        if let Some(s) = done.get(&p.hash) {
            reused += 1;
            results.push(Some(s.clone()));
            continue;
        }
        let samples = gather(&p.hash, mine);
        if let Some(cache) = cache {
            cache.put(&samples, limits)?;
        }
        ran += 1;
        done.insert(p.hash.clone(), samples.clone());
        results.push(Some(samples));
    }
    Ok(Outcome {
        results,
        ran,
        reused,
        complete: true,
    })
}

/// Resolves every point with `resolve`; all mistakes are reported
/// together (the first twenty, then a count).
pub fn resolve_all(
    points: Vec<Vec<Override>>,
    mut resolve: impl FnMut(&[Override]) -> Result<Scenario, ScenarioError>,
) -> Result<Vec<Resolved>, DecideError> {
    let mut resolved = Vec::with_capacity(points.len());
    let mut errors: Vec<Diagnostic> = Vec::new();
    let mut failed = 0usize;
    for set in points {
        match resolve(&set) {
            Ok(scenario) => resolved.push(Resolved {
                hash: scenario.hash(),
                scenario,
                set,
            }),
            Err(e @ (ScenarioError::Io { .. } | ScenarioError::NotToml { .. })) => {
                return Err(DecideError::Scenario(e));
            }
            Err(ScenarioError::Invalid(list)) => {
                failed += 1;
                for d in list {
                    if errors.len() < MAX_ERRORS && !errors.contains(&d) {
                        errors.push(d);
                    }
                }
            }
        }
    }
    if errors.is_empty() {
        return Ok(resolved);
    }
    if failed > 1
        && let Some(last) = errors.last_mut()
    {
        let note = format!("{failed} points could not be resolved; the first mistakes are shown");
        last.help = Some(match &last.help {
            Some(h) => format!("{h}; {note}"),
            None => note,
        });
    }
    Err(DecideError::invalid(errors))
}

/// How a list of points runs.
pub struct Options<'a> {
    /// Threads and runaway guards.
    pub runner: &'a Runner,
    /// Where finished points are kept, to resume.
    pub cache: Option<&'a Cache>,
    /// Set by Ctrl-C: replications not yet started are skipped, and the
    /// point in progress is not kept.
    pub cancel: &'a AtomicBool,
    /// Called as each point starts: its index and whether it was found
    /// already done.
    pub on_point: &'a (dyn Fn(usize, bool) + Sync),
    /// Called as each replication finishes.
    pub on_replication: &'a (dyn Fn() + Sync),
}

/// What running the points gave.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// Per point, in order; `None` for points not finished (interrupted).
    pub results: Vec<Option<Samples>>,
    /// Points run now.
    pub ran: usize,
    /// Points read from the cache or shared with an identical point.
    pub reused: usize,
    /// Whether every point finished.
    pub complete: bool,
}

/// Runs every point (those in the cache are read instead).
pub fn run(points: &[Resolved], options: &Options) -> Result<Outcome, DecideError> {
    let mut done: BTreeMap<String, Samples> = BTreeMap::new();
    let mut results = Vec::with_capacity(points.len());
    let (mut ran, mut reused) = (0, 0);
    for (i, p) in points.iter().enumerate() {
        if options.cancel.load(Ordering::SeqCst) {
            results.push(None);
            continue;
        }
        let n = p.scenario.replications;
        let known = match done.get(&p.hash) {
            Some(s) => Some(s.clone()),
            None => match options.cache {
                Some(cache) => cache.get(&p.hash, n, &options.runner.limits)?,
                None => None,
            },
        };
        (options.on_point)(i, known.is_some());
        if let Some(samples) = known {
            reused += 1;
            done.insert(p.hash.clone(), samples.clone());
            results.push(Some(samples));
            continue;
        }
        let out = options.runner.run(
            &p.scenario,
            0..n,
            options.cancel,
            options.on_replication,
            None,
        )?;
        if out.finished < n {
            results.push(None);
            continue;
        }
        let samples = gather(&p.hash, &unit_values(&out, 0..n));
        if let Some(cache) = options.cache {
            cache.put(&samples, &options.runner.limits)?;
        }
        ran += 1;
        done.insert(p.hash.clone(), samples.clone());
        results.push(Some(samples));
    }
    let complete = results.iter().all(Option::is_some);
    Ok(Outcome {
        results,
        ran,
        reused,
        complete,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_go_point_by_point() {
        let u = units(&[2, 1, 3]);
        let pairs: Vec<(usize, u64)> = u.iter().map(|u| (u.point, u.replication)).collect();
        assert_eq!(pairs, [(0, 0), (0, 1), (1, 0), (2, 0), (2, 1), (2, 2)]);
    }
}
