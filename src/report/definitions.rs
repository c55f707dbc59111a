//! What every headline metric means, in one table that the HTML report
//! prints and `docs/metrics.md` spells out (a test keeps the two in step:
//! every key here has a row there).
//!
//! Each definition says what is counted, which trucks it covers and in
//! what unit; every figure is a mean over replications with a Student-t
//! 95% interval, except where `interval` says otherwise.

/// One metric's definition.
#[derive(Clone, Copy, Debug)]
pub struct Definition {
    /// Its key in JSON, CSV and `--metric`.
    pub key: &'static str,
    /// Its unit, as reports show it.
    pub unit: &'static str,
    /// What it is and which trucks it covers.
    pub meaning: &'static str,
}

/// How every interval is computed, in one sentence.
pub const INTERVALS: &str = "Each figure is the mean over independent replications with its 95% confidence interval (Student t, n − 1 degrees of freedom); percentiles are computed in each replication and averaged the same way; a change between two scenarios is the mean paired difference of replication i of each (common random numbers) with its t interval, and a relative change the ratio of means with a delta-method interval. Quantities that cannot be negative have their interval cut at zero.";

/// The headline metrics and the cost parts, in report order.
pub const DEFINITIONS: [Definition; 21] = [
    Definition {
        key: "throughput_per_day",
        unit: "trucks/day",
        meaning: "trucks that left the port in the measured period, per measured day, whenever they arrived",
    },
    Definition {
        key: "time_in_port_s",
        unit: "s (shown in min, h or d)",
        meaning: "from reaching the port (the road queue included) to leaving it, per truck that left; p50 to p99 are each replication's percentiles, averaged",
    },
    Definition {
        key: "wait_s",
        unit: "s",
        meaning: "time in port not spent in service (road queue, gate, stage queues), per truck that left",
    },
    Definition {
        key: "steps_per_truck",
        unit: "steps",
        meaning: "stage visits (clearance steps, reworks included) per truck that left",
    },
    Definition {
        key: "cost_per_truck",
        unit: "currency per truck",
        meaning: "stage fees + fixed cost per truck + hourly cost × hours in port + overnight cost × midnights in port, per truck that left",
    },
    Definition {
        key: "trucks_offered",
        unit: "trucks",
        meaning: "demand: trucks the arrival process produced in the measured period (walk-ins and trucks asking for a slot)",
    },
    Definition {
        key: "trucks_arrived",
        unit: "trucks",
        meaning: "trucks that reached the port in the measured period and asked to enter it (one that diverts at the sight of the queue never arrives; one turned away at a full road did); fewer than offered when booked trucks do not show up or are booked beyond the end",
    },
    Definition {
        key: "trucks_cleared",
        unit: "trucks",
        meaning: "trucks that left the port in the measured period",
    },
    Definition {
        key: "trucks_turned_away",
        unit: "trucks",
        meaning: "trucks turned away in the measured period: the road queue was full, or no slot was free when booking is mandatory",
    },
    Definition {
        key: "backlog",
        unit: "trucks",
        meaning: "trucks at the port (road or inside) when the measured period ended",
    },
    Definition {
        key: "booked_ahead",
        unit: "trucks",
        meaning: "booked trucks whose slot lies beyond the end of the measured period",
    },
    Definition {
        key: "no_shows",
        unit: "trucks",
        meaning: "booked trucks whose slot fell in the measured period and that did not come",
    },
    Definition {
        key: "booking_lead_s",
        unit: "s",
        meaning: "from when a truck would have come to the start of its slot, per slot booked in the measured period",
    },
    Definition {
        key: "trucks_diverted",
        unit: "trucks",
        meaning: "trucks that found the queue beyond their class's tolerance and went elsewhere, in the measured period (at the road, before arriving, or at the e-queue, before registering)",
    },
    Definition {
        key: "trucks_reneged",
        unit: "trucks",
        meaning: "trucks that waited in a queue (road or e-queue) longer than their patience and left, in the measured period",
    },
    Definition {
        key: "offsite_wait_s",
        unit: "s",
        meaning: "time registered in the e-queue, off site, before being called to the port, per truck that left and was registered",
    },
    Definition {
        key: "door_to_exit_s",
        unit: "s",
        meaning: "from the truck's door to the system (registration in the e-queue, or reaching the port) to leaving the port, per truck that left",
    },
    Definition {
        key: "cost_fees_per_truck",
        unit: "currency per truck",
        meaning: "the stage fees part of the cost per truck that left",
    },
    Definition {
        key: "cost_time_per_truck",
        unit: "currency per truck",
        meaning: "the hourly part of the cost per truck that left: per_hour × hours in port",
    },
    Definition {
        key: "cost_overnight_per_truck",
        unit: "currency per truck",
        meaning: "the overnight part of the cost per truck that left: overnight × midnights in port",
    },
    Definition {
        key: "cost_fixed_per_truck",
        unit: "currency per truck",
        meaning: "the fixed part of the cost per truck that left: per_truck",
    },
];

/// The definition of `key`, if it is a headline metric or a cost part.
pub fn of(key: &str) -> Option<&'static Definition> {
    DEFINITIONS.iter().find(|d| d.key == key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::summary::{COST_PARTS, HEADLINE};

    #[test]
    fn every_headline_metric_and_cost_part_is_defined() {
        for key in HEADLINE.iter().chain(&COST_PARTS) {
            assert!(of(key).is_some(), "{key} has no definition");
        }
        assert_eq!(DEFINITIONS.len(), HEADLINE.len() + COST_PARTS.len());
    }

    /// Issue 28: some metrics were described by their raw key
    /// (`trucks_diverted`). Every metric a report can name has a label and
    /// a definition in words, and a row in docs/metrics.md (the HTML
    /// report's short meanings: `report::html::tests`).
    #[test]
    fn every_metric_is_described_in_words() {
        let docs = include_str!("../../docs/metrics.md");
        let raw = |text: &str| text.split_whitespace().any(|w| w.contains('_'));
        for key in HEADLINE.iter().chain(&COST_PARTS) {
            let label = crate::report::table::label(key);
            assert!(!raw(label), "{key}: label `{label}`");
            let meaning = of(key).map_or("", |d| d.meaning);
            assert!(
                !DEFINITIONS.iter().any(|d| meaning.contains(d.key)),
                "{key}: `{meaning}` names a metric by its key"
            );
            assert!(
                docs.contains(&format!("| `{key}` |")),
                "{key} has no row in docs/metrics.md"
            );
        }
        for key in crate::decide::metrics::MetricKey::all() {
            assert!(!raw(&key.label()), "{key}: label `{}`", key.label());
        }
    }
}
