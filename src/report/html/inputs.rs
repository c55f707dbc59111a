//! The run report's sections about what was simulated and for whom: a
//! summary of the inputs (period, demand, classes, gate, appointments,
//! stages, costs), results per class, the cost per truck taken apart, and
//! the definition of every metric shown.
//!
//! Everything here is read from the validated scenario and the summary;
//! user text (names) goes through the templates, so it is escaped.

use super::page::{Markup, html, section, table};
use crate::engine::time::{DAY, MINUTE};
use crate::experiment::estimate::Estimate;
use crate::experiment::labels::label;
use crate::experiment::summary::{Summary, Unit};
use crate::experiment::unlike::has_costs;
use crate::report::days::WEEKDAYS;
use crate::report::definitions::{DEFINITIONS, INTERVALS};
use crate::report::format::{Scale, duration, number};
use crate::scenario::{Arrivals, Lanes, NoSlot, Scenario};

/// The mean of a distribution of durations (ticks), in seconds.
fn mean_s(d: &crate::engine::dist::Dist) -> f64 {
    d.sampler().map_or(f64::NAN, |s| s.mean() / 1000.0)
}

/// Opening hours of a weekly calendar in words: "always", or the hours of
/// the day it is on (at 15-minute resolution) when they are the same every
/// day, else its share of the week.
fn hours(cal: &crate::engine::calendar::WeeklyCalendar) -> String {
    if cal.is_constant() {
        return if cal.value_at(0) > 0 {
            "24 h a day, every day".to_owned()
        } else {
            "never".to_owned()
        };
    }
    let slot = 15 * MINUTE;
    let on = |d: u64, k: u64| cal.value_at(d * DAY + k * slot + slot / 2) > 0;
    let same = (1..7).all(|d| (0..DAY / slot).all(|k| on(d, k) == on(0, k)));
    if !same {
        let share = cal.integral(0, 7 * DAY) as f64 / (7 * DAY) as f64;
        return format!(
            "{} h a week ({}% of the time), varying by day",
            number(share * 168.0 / cal.range().1.max(1) as f64, 0),
            number(100.0 * share / cal.range().1.max(1) as f64, 0)
        );
    }
    let mut spans: Vec<(u64, u64)> = Vec::new();
    for k in 0..DAY / slot {
        if on(0, k) {
            match spans.last_mut() {
                Some(last) if last.1 == k => last.1 = k + 1,
                _ => spans.push((k, k + 1)),
            }
        }
    }
    let hm = |k: u64| format!("{:02}:{:02}", k * 15 / 60, k * 15 % 60);
    let list: Vec<String> = spans
        .iter()
        .map(|(a, b)| format!("{}–{}", hm(*a), hm(*b)))
        .collect();
    format!("{} every day", list.join(", "))
}

/// Opening hours, with the number of dated closures when there are any.
fn with_closures(hours: String, closures: usize) -> String {
    match closures {
        0 => hours,
        1 => format!("{hours}, except 1 dated closure"),
        n => format!("{hours}, except {n} dated closures"),
    }
}

fn rows(pairs: Vec<(&str, String)>) -> Vec<Vec<String>> {
    pairs
        .into_iter()
        .map(|(k, v)| vec![k.to_owned(), v])
        .collect()
}

/// What was simulated: the period, demand, classes, gate, appointments,
/// stages and costs.
pub fn inputs(s: &Scenario) -> Markup {
    let demand = match &s.arrivals {
        Arrivals::Poisson {
            per_day,
            hourly,
            daily,
            ..
        } => {
            let varies = hourly.iter().any(|&h| h != 1.0) || daily.iter().any(|&d| d != 1.0);
            format!(
                "{} trucks a day on average (Poisson{})",
                number(*per_day, 0),
                if varies {
                    ", with an hour-of-day and day-of-week profile"
                } else {
                    ""
                }
            )
        }
        Arrivals::Renewal { interarrival } => format!(
            "one truck every {} on average (renewal process)",
            duration(mean_s(interarrival))
        ),
    };
    let port = &s.port;
    let mut general = vec![
        (
            "measured period",
            format!(
                "{} after {} of warm-up, from a {}",
                super::tables::days(s.horizon),
                super::tables::days(s.warmup),
                WEEKDAYS[usize::from(s.start) % 7]
            ),
        ),
        (
            "replications and seed",
            format!("{} replications, seed {}", s.replications, s.seed),
        ),
        ("demand", demand),
        (
            "gate open",
            with_closures(hours(port.open.weekly()), port.open.closures().len()),
        ),
        (
            "parking inside the port",
            port.parking
                .map_or("no limit".to_owned(), |p| format!("{p} trucks")),
        ),
        (
            "road queue outside",
            port.road_queue.map_or("no limit".to_owned(), |q| {
                format!("{q} trucks; more are turned away")
            }),
        ),
    ];
    general.push((
        "appointments",
        match &s.appointments {
            None => "none: every truck comes when it wants".to_owned(),
            Some(a) => format!(
                "{}% of trucks book a slot of {} ({} trucks each) up to {} ahead; {}% do not show up; without a free slot a truck {}{}",
                number(100.0 * a.share, 0),
                duration(a.slot as f64 / 1000.0),
                {
                    let (lo, hi) = a.capacity.range();
                    if lo == hi { lo.to_string() } else { format!("{lo}–{hi}") }
                },
                duration(a.max_lead as f64 / 1000.0),
                number(100.0 * a.no_show, 0),
                match a.no_slot {
                    NoSlot::WalkIn => "comes without one",
                    NoSlot::TurnAway => "is turned away",
                },
                if a.priority { "; booked trucks go first" } else { "" }
            ),
        },
    ));
    let c = &s.costs;
    general.push((
        "costs",
        if has_costs(s) {
            format!(
                "{} {} per truck-hour, {} per night, {} per truck, plus stage fees",
                number(c.per_hour, 0),
                c.currency,
                number(c.overnight, 0),
                number(c.per_truck, 0)
            )
        } else {
            "none given".to_owned()
        },
    ));
    let classes: Vec<Vec<String>> = s
        .classes
        .iter()
        .map(|k| {
            vec![
                k.name.clone(),
                format!("{}%", number(100.0 * k.share, 1)),
                k.priority.to_string(),
            ]
        })
        .collect();
    let stages: Vec<Vec<String>> = s
        .stages
        .iter()
        .map(|st| {
            let (lanes, lane_hours) = match &st.lanes {
                Lanes::Own(cal) => {
                    let (lo, hi) = cal.range();
                    let lanes = if lo == hi {
                        lo.to_string()
                    } else {
                        format!("{lo}–{hi}")
                    };
                    (lanes, number(cal.weekly_mean() * 24.0, 1))
                }
                Lanes::Unlimited => ("unlimited (no queue)".to_owned(), "–".to_owned()),
                Lanes::Pool(i) => (
                    s.pools
                        .get(*i)
                        .map_or("a shared pool".to_owned(), |p| format!("pool `{}`", p.name)),
                    "shared".to_owned(),
                ),
            };
            let shares: Vec<String> = s
                .classes
                .iter()
                .zip(&st.share)
                .map(|(k, x)| {
                    if s.classes.len() == 1 {
                        format!("{}%", number(100.0 * x, 0))
                    } else {
                        format!("{} {}%", k.name, number(100.0 * x, 0))
                    }
                })
                .collect();
            vec![
                st.name.clone(),
                lanes,
                lane_hours,
                duration(mean_s(&st.service)),
                shares.join(", "),
                if st.fee > 0.0 {
                    format!("{} {}", number(st.fee, 0), c.currency)
                } else {
                    "–".to_owned()
                },
                st.daily_limit
                    .map_or("–".to_owned(), |l| format!("{l}/day")),
            ]
        })
        .collect();
    html! {
        (section("What was simulated", "The inputs of this run, as read from the scenario file (its hash is in the footer)."))
        (table(&["", ""], &rows(general), 2))
        (table(&["class", "share of trucks", "priority"], &classes, 1))
        (table(&["stage", "lanes", "lane-hours a day (mean)", "mean service", "trucks visiting", "fee", "daily limit"], &stages, 1))
    }
}

fn est(scale: &Scale, e: &Estimate) -> String {
    if e.n == 0 {
        return "n/a".to_owned();
    }
    format!("{} {}", scale.value(e.mean), scale.interval(e))
}

/// A number with its interval under it.
fn cell(scale: &Scale, e: Option<&Estimate>) -> Markup {
    match e {
        Some(e) if e.n > 0 => html! {
            td.num { (scale.value(e.mean)) div.ci { (scale.interval(e)) } }
        },
        _ => html! { td.num { "n/a" } },
    }
}

/// The headline metrics per class of trucks, when there is more than one.
pub fn classes(s: &Summary, cur: &str) -> Markup {
    const SHOWN: [&str; 6] = [
        "throughput_per_day",
        "time_in_port_s",
        "time_in_port_s.p95",
        "wait_s",
        "steps_per_truck",
        "cost_per_truck",
    ];
    if s.classes.len() < 2 {
        return html! {};
    }
    let scale = |key: &str| {
        let m = s.metric(key);
        Scale::new(
            m.map_or(Unit::Trucks, |m| m.unit),
            m.map_or(f64::NAN, |m| m.estimate.mean),
            cur,
        )
    };
    let head = |key: &'static str| -> &'static str {
        if key == "time_in_port_s.p95" {
            "p95 time in port"
        } else {
            label(key)
        }
    };
    html! {
        (section("Per class of trucks", "The headline results of each class: means over replications with their 95% confidence intervals, in the same units as for all trucks."))
        table.metrics.compact {
            thead { tr { th { "class" } @for k in SHOWN { th { (head(k)) } } } }
            tbody {
                @for c in &s.classes {
                    tr {
                        th { (c.name) }
                        @for k in SHOWN {
                            (cell(&scale(k), c.metrics.iter().find_map(|m| m.find(k)).map(|m| &m.estimate)))
                        }
                    }
                }
            }
        }
    }
}

/// The cost per truck taken apart: fees, time in port, nights, the fixed
/// part, each with its interval and share of the total.
pub fn costs(scenario: &Scenario, s: &Summary, cur: &str) -> Markup {
    let Some(total) = s.metric("cost_per_truck") else {
        return html! {};
    };
    if !has_costs(scenario) {
        return html! {
            (section("Cost per truck", ""))
            p.note { "The scenario gives no costs (no fees, no hourly, overnight or per-truck cost), so no cost is reported." }
        };
    }
    let scale = Scale::new(Unit::Currency, total.estimate.mean, cur);
    let names = [
        "stage fees",
        "time in port (per truck-hour)",
        "nights in port (overnight)",
        "fixed, per truck",
    ];
    let mut rows: Vec<Vec<String>> = s
        .cost_parts
        .iter()
        .zip(names)
        .map(|(m, name)| {
            let share = if total.estimate.mean > 0.0 {
                format!(
                    "{}%",
                    number(100.0 * m.estimate.mean / total.estimate.mean, 1)
                )
            } else {
                "n/a".to_owned()
            };
            vec![name.to_owned(), est(&scale, &m.estimate), share]
        })
        .collect();
    rows.push(vec![
        "total".to_owned(),
        est(&scale, &total.estimate),
        "100%".to_owned(),
    ]);
    html! {
        (section("Cost per truck", "What a truck that left paid on average, taken apart; the parts add up to the total. Means over replications with 95% confidence intervals."))
        (table(&["part", "per truck (95% CI)", "share"], &rows, 1))
    }
}

/// The definition of every metric the page shows (`shown` says which),
/// and how intervals are made.
pub fn definitions(shown: &dyn Fn(&str) -> bool) -> Markup {
    html! {
        (section("What the metrics mean", "Every figure covers the measured period, after the warm-up. docs/metrics.md in the portsim repository has the full definitions."))
        dl.defs {
            @for d in DEFINITIONS.iter().filter(|d| shown(d.key)) {
                dt { (label(d.key)) " " code { (d.key) } " · " (d.unit) }
                dd { (d.meaning) }
            }
        }
        p.note { (INTERVALS) }
    }
}
