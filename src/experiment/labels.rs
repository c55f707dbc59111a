//! The words for each metric: "time in port" for `time_in_port_s`.
//!
//! A metric's label belongs with its definition (its key, unit and which
//! way is better, in [`super::summary`]), not with one report: the table,
//! the HTML pages and the decision studies (`decide::metrics`) all name
//! metrics the same way from here. A key without a label is shown as is.

/// The readable label of metric key `name` (`name` itself if it has none).
pub fn label(name: &str) -> &str {
    match name {
        "throughput_per_day" => "throughput",
        "time_in_port_s" => "time in port",
        "wait_s" => "waiting time",
        "steps_per_truck" => "clearance steps",
        "cost_per_truck" => "cost per truck",
        "trucks_offered" => "trucks offered",
        "trucks_arrived" => "trucks arrived",
        "trucks_cleared" => "trucks cleared",
        "trucks_turned_away" => "trucks turned away",
        "backlog" => "backlog at end",
        "booked_ahead" => "booked ahead at end",
        "no_shows" => "no-shows",
        "booking_lead_s" => "booking lead time",
        "trucks_diverted" => "trucks diverted",
        "trucks_reneged" => "trucks reneged",
        "offsite_wait_s" => "off-site wait",
        "door_to_exit_s" => "door to exit",
        "cost_fees_per_truck" => "fees per truck",
        "cost_time_per_truck" => "time cost per truck",
        "cost_overnight_per_truck" => "overnight cost per truck",
        "cost_fixed_per_truck" => "fixed cost per truck",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_headline_metric_has_a_label_of_its_own() {
        for key in super::super::summary::HEADLINE {
            assert_ne!(label(key), key, "{key}");
        }
        assert_eq!(label("something_else"), "something_else");
    }
}
