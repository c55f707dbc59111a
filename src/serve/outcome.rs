//! What a job tells as it runs ([`Report`]) and leaves when done
//! ([`Finished`]: its ledger [`record`] with the headline metrics, and
//! the ledger's files).
//!
//! Single runs and comparisons (`work`), studies (`study`) and
//! attributions (`attribute`) all finish this way; it sits here, below
//! them, so that none of them imports another for it.

use super::ledger::{Record, now};
use super::prepared::Prepared;
use crate::experiment::compare::Change;
use crate::report::format;

/// What a job reports as it goes: replications done, and the watched
/// metric's current 95% half-width (single runs, between rounds).
pub trait Report: Sync {
    /// `done` of the replications have finished.
    fn done(&self, done: u64);
    /// The watched metric's half-width after `done` replications.
    fn half_width(&self, half_width: Option<f64>);
    /// A study's points (or a plan's looks) finished, of how many if
    /// known, and the replications now expected in all.
    fn points(&self, done: u64, of: Option<u64>, total: u64);
}

/// A finished job: its record and the ledger files.
pub type Finished = (Record, Vec<(&'static str, Vec<u8>)>);

/// The ledger record of `job`, which took `wall` seconds.
pub fn record(job: &Prepared, wall: f64, headline: Vec<(String, String)>) -> Record {
    Record {
        id: job.run_id(),
        kind: format!("{:?}", job.kind).to_lowercase(),
        files: job.files.clone(),
        names: job.scenarios.iter().map(|s| s.name.clone()).collect(),
        seed: job.seed,
        replications: job.replications,
        stored_at: now(),
        wall_time_s: wall,
        headline,
    }
}

/// The first few headline metrics, as text.
pub const SHOWN: [&str; 5] = [
    "throughput_per_day",
    "time_in_port_s",
    "wait_s",
    "cost_per_truck",
    "trucks_turned_away",
];

/// The shown metrics' relative changes with their intervals, as text.
pub fn change_headline(changes: &[Change]) -> Vec<(String, String)> {
    changes
        .iter()
        .filter(|c| SHOWN.contains(&c.name))
        .map(|c| {
            let s = |x: f64| format::signed_fixed(x, 1);
            let pct = match c.change_pct.ci95 {
                Some([lo, hi]) => format!("{}% [{}, {}]", s(c.change_pct.mean), s(lo), s(hi)),
                None => format!("{}%", s(c.change_pct.mean)),
            };
            (c.name.to_owned(), pct)
        })
        .collect()
}
