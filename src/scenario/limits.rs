//! Limits on what a run may ask for, in one place for every path.
//!
//! A mistyped number should fail fast with a clear message, not become a
//! run that takes a week, exhausts memory or panics on an allocation. The
//! limits are far above any real port study (documented in
//! docs/limits.md). The same constants and checks serve every way a number
//! reaches a run: scenario keys when a file is read (the message then
//! points at the key), command-line flags (`--replications`, `--threads`,
//! `--horizon`, `--warmup`, checked again after the overrides are
//! applied), and baseline files, whose recorded replications drive a
//! `portsim check`.

use std::path::Path;

use super::types::{Arrivals, Scenario};
use crate::engine::time::{DAY, Span};
use crate::store::read::{self as input, ReadError};

/// Largest scenario file read, in bytes.
pub const MAX_FILE_BYTES: u64 = 1 << 20;
/// Largest baseline file read, in bytes (a baseline of 100,000
/// replications holds about 12 MB of samples per scenario).
pub const MAX_BASELINE_BYTES: u64 = 256 << 20;
/// Largest Markdown summary appended to (`check --summary`): GitHub keeps
/// at most 1 MiB of a step's summary.
pub const MAX_SUMMARY_BYTES: u64 = 1 << 20;
/// Most replications in one run.
pub const MAX_REPLICATIONS: u64 = 100_000;
/// Most worker threads (`--threads`): far more than any machine portsim
/// runs on has cores, and few enough to start in a moment.
pub const MAX_THREADS: usize = 1_024;
/// Longest simulated period (warm-up plus horizon): 100 years.
pub const MAX_SIMULATED: Span = 100 * 365 * DAY;
/// Most trucks expected to arrive in one replication.
pub const MAX_TRUCKS_PER_REPLICATION: f64 = 200_000_000.0;
/// Largest number, in size, a baseline may record: far beyond any real
/// port's metric, and small enough that differences and sums of such
/// numbers stay exact to many digits and never overflow.
pub const MAX_BASELINE_VALUE: f64 = 1e15;
/// Largest amount of money a cost key may hold (`per_hour`, `overnight`,
/// `per_truck`, a stage's `fee`): sums over every truck of the longest run
/// stay many orders of magnitude below where `f64` overflows.
pub const MAX_MONEY: f64 = 1e9;
/// Most classes, stages, pools or entrances in a scenario: the model keeps
/// sets of classes and stages in a `u64` bitmask.
pub(super) const MAX_ITEMS: usize = 64;

/// Most shards a run may be split into (`--shard I/N`): a shard per unit
/// of the largest study, and then some.
pub const MAX_SHARDS: u64 = 1_000_000;
/// Largest partial result read by `portsim merge`, in bytes (a shard of
/// a long run holds a few tens of KiB per replication and scenario).
pub const MAX_PART_BYTES: u64 = 1 << 30;
/// Most runs the web app (`portsim serve`) holds waiting in its queue; one
/// more is refused with 429 until a run finishes. One run at a time is
/// simulated (on every core), so this bounds the work and memory a busy
/// server takes on.
pub const MAX_QUEUED_RUNS: usize = 32;
/// Largest request body the web app reads, in bytes: a scenario file of
/// [`MAX_FILE_BYTES`] with room for its JSON escaping. Larger is 413.
pub const MAX_REQUEST_BYTES: usize = 3 * MAX_FILE_BYTES as usize;
/// Largest event log the web app accepts as an upload (`POST
/// /api/logs/NAME`), in bytes: a log of a few million rows. The upload is
/// streamed to disk, never held in memory; larger is 413 and nothing is
/// left behind.
pub const MAX_LOG_UPLOAD_BYTES: u64 = 256 << 20;
/// Largest file of a result the web app stores and reads back (a report
/// page or a results document), in bytes; a larger one is no result.
pub const MAX_STORED_BYTES: u64 = 256 << 20;

/// Most rows a trace (`portsim run --trace`) holds: one replication's
/// events are kept in memory (about 24 bytes a row, and some 50 bytes of
/// CSV text each when written), so a trace is bounded to a few hundred MB.
/// A port of 1,000 trucks a day with three stages makes about 8,000 rows a
/// day: this is more than a year of it.
pub const MAX_TRACE_ROWS: usize = 5_000_000;

/// A limit exceeded: which one, and by how much.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum LimitError {
    /// Zero replications.
    #[error("at least 1 replication is needed, found 0")]
    NoReplications,
    /// Too many replications.
    #[error("{0} replications is more than the limit of {MAX_REPLICATIONS}")]
    Replications(u64),
    /// Zero worker threads.
    #[error("at least 1 thread is needed, found 0")]
    NoThreads,
    /// Too many worker threads.
    #[error("{0} threads is more than the limit of {MAX_THREADS}")]
    Threads(usize),
    /// Warm-up plus horizon too long.
    #[error(
        "warm-up plus horizon is {days:.0} days, more than the limit of {} days (100 years)",
        MAX_SIMULATED / DAY
    )]
    Simulated {
        /// Warm-up plus horizon, in days.
        days: f64,
    },
    /// Too many trucks expected per replication.
    #[error("{}", trucks_message(*.0))]
    Trucks(f64),
}

/// Which scenario key a [`LimitError`] is about, for pointing at it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LimitedKey {
    /// `replications`.
    Replications,
    /// `horizon` (and `warmup`).
    Horizon,
    /// `[demand]`'s `rate` or `interarrival`.
    Demand,
    /// No scenario key (a command-line flag only).
    None,
}

impl LimitError {
    /// The scenario key the limit is about.
    pub fn key(&self) -> LimitedKey {
        match self {
            LimitError::NoReplications | LimitError::Replications(_) => LimitedKey::Replications,
            LimitError::Simulated { .. } => LimitedKey::Horizon,
            LimitError::Trucks(_) => LimitedKey::Demand,
            LimitError::NoThreads | LimitError::Threads(_) => LimitedKey::None,
        }
    }
}

fn trucks_message(trucks: f64) -> String {
    let limit = format!("the limit of {MAX_TRUCKS_PER_REPLICATION:.0e}");
    if trucks.is_finite() {
        format!(
            "about {trucks:.3e} trucks would arrive in each replication (demand times warm-up plus horizon), more than {limit}; shorten the horizon or lower the rate"
        )
    } else {
        format!(
            "the demand times warm-up plus horizon is beyond any number of trucks, far more than {limit} per replication; shorten the horizon or lower the rate"
        )
    }
}

/// Reads a scenario file: a regular file of at most [`MAX_FILE_BYTES`], in
/// UTF-8.
pub fn read_file(path: &Path) -> Result<String, ReadError> {
    let bytes = input::read_input(path, MAX_FILE_BYTES, "a scenario file", "a few KiB")?;
    input::text(bytes)
}

/// Reads a partial result (`--part`): a regular file of at most
/// [`MAX_PART_BYTES`], in UTF-8.
pub fn read_part(path: &Path) -> Result<Vec<u8>, ReadError> {
    let bytes = input::read_input(
        path,
        MAX_PART_BYTES,
        "a partial result",
        "at most a few hundred MB",
    )?;
    input::text(bytes).map(String::into_bytes)
}

/// What a baseline is read as: the one input a command rewrites on purpose
/// (`check --update-baseline`).
pub const BASELINE: &str = "a baseline";

/// Reads a baseline file: a regular file of at most [`MAX_BASELINE_BYTES`],
/// in UTF-8.
pub fn read_baseline(path: &Path) -> Result<Vec<u8>, ReadError> {
    let bytes = input::read_input(
        path,
        MAX_BASELINE_BYTES,
        BASELINE,
        "a few MB even for 100,000 replications",
    )?;
    input::text(bytes).map(String::into_bytes)
}

/// A replication count, from a file, a flag or a baseline.
pub fn replications(n: u64) -> Result<u64, LimitError> {
    match n {
        0 => Err(LimitError::NoReplications),
        n if n > MAX_REPLICATIONS => Err(LimitError::Replications(n)),
        n => Ok(n),
    }
}

/// A worker-thread count (`--threads`).
pub fn threads(n: usize) -> Result<usize, LimitError> {
    match n {
        0 => Err(LimitError::NoThreads),
        n if n > MAX_THREADS => Err(LimitError::Threads(n)),
        n => Ok(n),
    }
}

/// Expected truck arrivals per replication (warm-up included).
pub fn expected_arrivals(s: &Scenario) -> f64 {
    let days = s.warmup.saturating_add(s.horizon) as f64 / DAY as f64;
    match &s.arrivals {
        Arrivals::Poisson {
            per_day,
            daily,
            seasons,
            ..
        } => {
            // Each season adds (factor − 1) × the days of it in the run.
            let end = s.warmup.saturating_add(s.horizon);
            let extra: f64 = seasons
                .iter()
                .map(|&(from, to, factor)| {
                    let overlap = to.min(end).saturating_sub(from.min(end));
                    (factor - 1.0) * overlap as f64 / DAY as f64
                })
                .sum();
            per_day * daily.iter().sum::<f64>() / 7.0 * (days + extra)
        }
        Arrivals::Renewal { interarrival } => interarrival.sampler().map_or(0.0, |g| {
            if g.mean() > 0.0 {
                days * DAY as f64 / g.mean()
            } else {
                f64::INFINITY
            }
        }),
    }
}

/// Checks a scenario's limits (replications, simulated time, trucks).
pub fn check(s: &Scenario) -> Result<(), LimitError> {
    replications(s.replications)?;
    let simulated = s.warmup.saturating_add(s.horizon);
    if simulated > MAX_SIMULATED {
        return Err(LimitError::Simulated {
            days: simulated as f64 / DAY as f64,
        });
    }
    let trucks = expected_arrivals(s);
    if trucks.is_nan() || trucks > MAX_TRUCKS_PER_REPLICATION {
        return Err(LimitError::Trucks(trucks));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_checked_at_both_ends() {
        assert_eq!(replications(1), Ok(1));
        assert_eq!(replications(MAX_REPLICATIONS), Ok(MAX_REPLICATIONS));
        assert_eq!(replications(0), Err(LimitError::NoReplications));
        assert_eq!(
            replications(u64::MAX).map_err(|e| e.to_string()),
            Err("18446744073709551615 replications is more than the limit of 100000".into())
        );
        assert_eq!(threads(MAX_THREADS), Ok(MAX_THREADS));
        assert_eq!(threads(100_000), Err(LimitError::Threads(100_000)));
        assert_eq!(threads(0), Err(LimitError::NoThreads));
    }

    #[test]
    fn an_infinite_demand_is_not_printed_as_inf() {
        let e = LimitError::Trucks(f64::INFINITY).to_string();
        assert!(!e.contains("inf"), "{e}");
        assert!(e.contains("beyond any number of trucks"), "{e}");
        let e = LimitError::Trucks(3e9).to_string();
        assert!(e.contains("about 3.000e9 trucks"), "{e}");
    }
}
