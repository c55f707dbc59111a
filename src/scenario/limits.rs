//! Limits on what a scenario may ask for.
//!
//! A mistyped number should fail fast with a clear message, not become a
//! run that takes a week or exhausts memory. The limits are far above any
//! real port study (documented in docs/limits.md); each is checked when a
//! file is read, and again after command-line overrides.

use std::io::Read;
use std::path::Path;

use super::types::{Arrivals, Scenario};
use crate::engine::time::{DAY, Span};

/// Largest scenario file read, in bytes.
pub const MAX_FILE_BYTES: u64 = 1 << 20;
/// Most replications in one run.
pub const MAX_REPLICATIONS: u64 = 100_000;
/// Longest simulated period (warm-up plus horizon): 100 years.
pub const MAX_SIMULATED: Span = 100 * 365 * DAY;
/// Most trucks expected to arrive in one replication.
pub const MAX_TRUCKS_PER_REPLICATION: f64 = 200_000_000.0;

/// Reads a scenario file, refusing one larger than [`MAX_FILE_BYTES`].
pub fn read_file(path: &Path) -> std::io::Result<String> {
    let file = std::fs::File::open(path)?;
    let mut text = String::new();
    // Read one byte past the limit to tell "at the limit" from "over".
    file.take(MAX_FILE_BYTES + 1).read_to_string(&mut text)?;
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(std::io::Error::other(format!(
            "file is larger than {} KiB; a scenario file is a few KiB",
            MAX_FILE_BYTES / 1024
        )));
    }
    Ok(text)
}

/// Expected truck arrivals per replication (warm-up included).
pub fn expected_arrivals(s: &Scenario) -> f64 {
    let days = s.warmup.saturating_add(s.horizon) as f64 / DAY as f64;
    match &s.arrivals {
        Arrivals::Poisson { per_day, daily, .. } => {
            per_day * daily.iter().sum::<f64>() / 7.0 * days
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

/// Checks the limits; the message says which one and by how much.
pub fn check(s: &Scenario) -> Result<(), String> {
    if s.replications > MAX_REPLICATIONS {
        return Err(format!(
            "{} replications is more than the limit of {MAX_REPLICATIONS}",
            s.replications
        ));
    }
    let simulated = s.warmup.saturating_add(s.horizon);
    if simulated > MAX_SIMULATED {
        return Err(format!(
            "warm-up plus horizon is {:.0} days, more than the limit of {} days (100 years)",
            simulated as f64 / DAY as f64,
            MAX_SIMULATED / DAY
        ));
    }
    let trucks = expected_arrivals(s);
    if trucks.is_nan() || trucks > MAX_TRUCKS_PER_REPLICATION {
        return Err(format!(
            "about {trucks:.3e} trucks would arrive in each replication (demand times warm-up plus horizon), more than the limit of {MAX_TRUCKS_PER_REPLICATION:.0e}; shorten the horizon or lower the rate"
        ));
    }
    Ok(())
}
