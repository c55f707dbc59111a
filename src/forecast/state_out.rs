//! The reconstructed state in the scenario's `[initial]` form, so it can
//! be inspected, edited and reused (`portsim forecast --state-out`).
//!
//! Each truck in the port becomes one `[[initial.trucks]]` entry (`state`,
//! `stage`, `arrived`, `since`, `class` when the log named one the
//! scenario has, `done`), in the order a queue keeps: in service, then
//! queued and waiting, longest first. Durations are whole seconds written
//! as the scenario format reads them (`1h 2m 5s`). The text is a partial
//! scenario: paste it into one, or `extends` it. A comment heads it with
//! the time, the counts and the trucks taken as gone.

use std::fmt::Write;

use super::state::Observed;
use crate::calibrate::log::time::show;
use crate::engine::time::SECOND;
use crate::scenario::{Scenario, TruckState};

/// A duration in ticks as the scenario format writes it, to the second.
pub fn duration(ticks: u64) -> String {
    let s = ticks / SECOND;
    let (h, m, sec) = (s / 3_600, s % 3_600 / 60, s % 60);
    let mut parts = Vec::new();
    if h > 0 {
        parts.push(format!("{h}h"));
    }
    if m > 0 {
        parts.push(format!("{m}m"));
    }
    if sec > 0 || parts.is_empty() {
        parts.push(format!("{sec}s"));
    }
    parts.join(" ")
}

/// A TOML string (names are written as basic strings, escaped).
fn quoted(text: &str) -> String {
    toml::Value::String(text.to_owned()).to_string()
}

/// The state as TOML.
pub fn toml(observed: &Observed, scenario: &Scenario) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# The port at {} as its log shows it (portsim forecast --state-out).",
        show(observed.at)
    );
    let _ = writeln!(
        out,
        "# {} truck(s) in the port, {} of them waiting for their first stage; {} taken as gone \
         (unseen far longer than their state lasts), {} finished without a depart row.",
        observed.in_port,
        observed.road,
        observed.gone.total(),
        observed.finished
    );
    out.push_str("\n[initial]\n");
    let mut order: Vec<_> = observed.trucks.iter().collect();
    let group = |s: TruckState| match s {
        TruckState::InService(_) => 0,
        TruckState::Queued(_) => 1,
        TruckState::Waiting => 2,
    };
    order.sort_by_key(|t| (group(t.state), std::cmp::Reverse(t.since)));
    for t in order {
        out.push_str("\n[[initial.trucks]]\n");
        let (state, stage) = match t.state {
            TruckState::Waiting => ("waiting", None),
            TruckState::Queued(s) => ("queued", Some(s)),
            TruckState::InService(s) => ("in_service", Some(s)),
        };
        let _ = writeln!(out, "state = \"{state}\"");
        if let Some(s) = stage {
            let _ = writeln!(out, "stage = {}", quoted(&scenario.stages[s].name));
        }
        let _ = writeln!(out, "arrived = \"{}\"", duration(t.arrived));
        let _ = writeln!(out, "since = \"{}\"", duration(t.since));
        if let Some(c) = t.class {
            let _ = writeln!(out, "class = {}", quoted(&scenario.classes[c].name));
        }
        if !t.done.is_empty() {
            let names: Vec<String> = t
                .done
                .iter()
                .map(|&s| quoted(&scenario.stages[s].name))
                .collect();
            let _ = writeln!(out, "done = [{}]", names.join(", "));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_back_as_written() {
        for (ticks, text) in [
            (0, "0s"),
            (90 * SECOND, "1m 30s"),
            (3_725 * SECOND, "1h 2m 5s"),
        ] {
            assert_eq!(duration(ticks), text);
            assert_eq!(crate::scenario::parse_duration(text), Ok(ticks));
        }
    }
}
