//! Reports of decision studies (`portsim sweep`, `plan`, `sensitivity`,
//! and the precision line of `run --precision`), one file per format like
//! the rest of `report`.
//!
//! The shapes of the JSON documents are a contract (docs/planning.md):
//! every estimate is `{mean, ci95}` as in run reports, a sweep's points
//! are `{set: {key: value}, metrics: {name: {mean, ci95}}}`, a plan's
//! candidates `{set, verdict, replications, metrics}` and a sensitivity
//! study's bars `{key, low, high, swing, within_noise}`. The HTML pages
//! are self-contained like the run reports: inline CSS and SVG, no
//! script, no URL.

pub mod charts;
pub mod csv;
pub mod html;
pub mod json;
pub mod table;

use crate::decide::plan::Answer;
use crate::decide::plan::closed::ClosedHours;
use crate::engine::time::{HOUR, MINUTE};

/// A plan's notes as every format shows them: the search's, with the
/// closed hours' share of arrivals said right after the note that the
/// target is unreachable (the first), when the port closes.
pub fn plan_notes(a: &Answer) -> Vec<String> {
    let mut notes = a.notes.clone();
    if let Some(c) = &a.closed_hours {
        notes.insert(notes.len().min(1), closed_sentence(c));
    }
    notes
}

/// "the closed hours 20:00–08:00 hold 10 % of arrivals: …".
pub fn closed_sentence(c: &ClosedHours) -> String {
    let hours = if c.daily.is_empty() {
        "the hours the port is closed (they differ by weekday)".to_owned()
    } else {
        let ranges: Vec<String> = c
            .daily
            .iter()
            .map(|&(from, to)| format!("{}–{}", clock(from), clock(to)))
            .collect();
        format!("the closed hours {}", ranges.join(", "))
    };
    format!(
        "{hours} hold {} of arrivals, who wait for the gate to open whatever the lanes: more capacity cannot shorten that wait",
        percent(c.share)
    )
}

/// Ticks since midnight as `HH:MM` (24:00 for the end of the day).
fn clock(t: u64) -> String {
    format!("{:02}:{:02}", t / HOUR, (t % HOUR) / MINUTE)
}

/// A share as a percentage, to a whole percent unless that would read 0.
fn percent(share: f64) -> String {
    let p = share * 100.0;
    if p > 0.0 && p < 1.0 {
        format!("{p:.1} %")
    } else {
        format!("{p:.0} %")
    }
}
