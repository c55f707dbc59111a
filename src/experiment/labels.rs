//! The words for each metric: "time in port" for `time_in_port_s`.
//!
//! A metric's label belongs with its definition (its key, unit and which
//! way is better, in [`super::summary`]), not with one report: the table,
//! the HTML pages and the decision studies (`decide::metrics`) all name
//! metrics the same way from here. A key without a label is shown as is.
//! The settings a study varies or a reform changes are worded here too
//! ([`setting`]).

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

/// A name from a scenario ("joint-inspection") as people write it
/// ("joint inspection").
fn spoken(name: &str) -> String {
    name.replace(['-', '_'], " ")
}

/// The words for a setting a study or a reform changes, from its key as
/// `--set` writes it: "lanes at joint inspection" for
/// `stages.joint-inspection.lanes`, "lanes at joint inspection, shift 1"
/// for `stages.joint-inspection.lanes[0].count`, "demand rate" for
/// `demand.rate`. A key without words is shown as is.
pub fn setting(key: &str) -> String {
    let (head, rest) = key.split_once('.').unwrap_or((key, ""));
    match head {
        "stages" | "pools" => {
            let (name, field) = rest.split_once('.').unwrap_or((rest, ""));
            let at = if head == "pools" {
                format!("the {} pool", spoken(name))
            } else {
                spoken(name)
            };
            if let Some(shift) = field
                .strip_prefix("lanes[")
                .and_then(|f| f.strip_suffix("].count"))
                .and_then(|i| i.parse::<usize>().ok())
            {
                return format!("lanes at {at}, shift {}", shift + 1);
            }
            match field {
                "lanes" | "count" => format!("lanes at {at}"),
                "open" => format!("opening hours of {at}"),
                "days" => format!("working days of {at}"),
                "service" => format!("service time at {at}"),
                "service.mean" => format!("mean service time at {at}"),
                "share" => format!("share of trucks through {at}"),
                "daily_limit" => format!("daily limit at {at}"),
                "fee" => format!("fee at {at}"),
                _ => key.to_owned(),
            }
        }
        "demand" => match rest {
            "rate" => "demand rate".to_owned(),
            _ => key.to_owned(),
        },
        "port" => match rest {
            "open" => "port opening hours".to_owned(),
            "days" => "port working days".to_owned(),
            "parking" => "parking places at the port".to_owned(),
            "road_queue" => "road queue places".to_owned(),
            _ => key.to_owned(),
        },
        "appointments" => match rest {
            "share" => "share of trucks with an appointment".to_owned(),
            "slot" => "appointment slot length".to_owned(),
            "capacity" => "appointments per slot".to_owned(),
            "hours" => "hours appointments are offered".to_owned(),
            _ => key.to_owned(),
        },
        _ => key.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_named_in_words() {
        assert_eq!(
            setting("stages.joint-inspection.lanes"),
            "lanes at joint inspection"
        );
        assert_eq!(
            setting("stages.joint-inspection.lanes[0].count"),
            "lanes at joint inspection, shift 1"
        );
        assert_eq!(setting("demand.rate"), "demand rate");
        assert_eq!(setting("port.parking"), "parking places at the port");
        assert_eq!(setting("pools.scanner.count"), "lanes at the scanner pool");
        assert_eq!(setting("stages.a.queue"), "stages.a.queue");
        assert_eq!(setting("seed"), "seed");
    }

    #[test]
    fn every_headline_metric_has_a_label_of_its_own() {
        for key in super::super::summary::HEADLINE {
            assert_ne!(label(key), key, "{key}");
        }
        assert_eq!(label("something_else"), "something_else");
    }
}
