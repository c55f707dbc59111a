//! The validation part of the calibration page: each metric of the log
//! beside the calibrated scenario's replications, as a table, as a
//! dot-and-interval chart (every metric relative to its simulated mean,
//! so metrics of different units share one axis) and, for departures by
//! hour of day, as a line with its band.

use maud::{Markup, html};

use crate::calibrate::validate::{Metric, Validation, Verdict};
use crate::report::format::{duration, number};
use crate::report::html::page::{Ids, figure, table};
use crate::report::svg::{Axis, Plot, Swatch};

/// A metric's value in its unit.
pub fn value(name: &str, x: f64) -> String {
    if !x.is_finite() {
        "n/a".to_owned()
    } else if name.starts_with("departures") {
        number(x, 1)
    } else {
        duration(x)
    }
}

/// The verdict in words.
pub fn verdict(m: &Metric) -> String {
    match (m.verdict, m.by) {
        (Verdict::Inside, _) => "inside".to_owned(),
        (Verdict::Above, Some(b)) => format!("above by {:.0}%", b * 100.0),
        (Verdict::Below, Some(b)) => format!("below by {:.0}%", b * 100.0),
        _ => "n/a".to_owned(),
    }
}

fn hourly(m: &Metric) -> bool {
    m.name.starts_with("departures_per_day.h")
}

fn row(m: &Metric) -> Vec<String> {
    let pair = |ci: Option<[f64; 2]>| {
        ci.map_or_else(
            || "n/a".to_owned(),
            |[lo, hi]| format!("{} to {}", value(&m.name, lo), value(&m.name, hi)),
        )
    };
    vec![
        m.name.clone(),
        m.observed
            .map_or_else(|| "n/a".to_owned(), |o| value(&m.name, o)),
        value(&m.name, m.simulated.mean),
        pair(m.simulated.ci95),
        pair(m.simulated.spread),
        verdict(m),
    ]
}

/// The headline metrics (not by hour) relative to their simulated mean.
fn dots_chart(ids: &mut Ids, metrics: &[&Metric]) -> String {
    let ratio = |x: f64, m: &Metric| x / m.simulated.mean;
    let hi = metrics
        .iter()
        .flat_map(|m| {
            [
                m.observed.map_or(0.0, |o| ratio(o, m)),
                m.simulated.spread.map_or(0.0, |s| ratio(s[1], m)),
            ]
        })
        .filter(|x| x.is_finite())
        .fold(2.0, f64::max);
    let rows = metrics.len() as f64;
    let x = Axis::nice(
        "log ÷ simulated mean (1 = the simulation's mean)",
        0.0,
        hi,
        8,
    );
    let y = Axis::new(
        "",
        -0.5,
        rows - 0.5,
        metrics
            .iter()
            .enumerate()
            .map(|(i, m)| (rows - 1.0 - i as f64, m.name.clone()))
            .collect(),
    );
    let mut plot = Plot::new(
        &ids.fresh(),
        "The log against the replication spread",
        (760.0, 90.0 + 28.0 * rows),
        x,
        y,
    );
    let at = |i: usize| rows - 1.0 - i as f64;
    let usable = |m: &Metric| m.simulated.mean.is_finite() && m.simulated.mean > 0.0;
    plot.hwhiskers(
        metrics
            .iter()
            .enumerate()
            .filter(|(_, m)| usable(m))
            .filter_map(|(i, m)| {
                m.simulated
                    .spread
                    .map(|s| (at(i), ratio(s[0], m), ratio(s[1], m)))
            })
            .collect(),
        4,
    );
    plot.curve(vec![(1.0, -0.5), (1.0, rows - 0.5)], 4);
    let (inside, outside): (Vec<_>, Vec<_>) = metrics
        .iter()
        .enumerate()
        .filter(|(_, m)| usable(m))
        .filter_map(|(i, m)| m.observed.map(|o| ((at(i), ratio(o, m)), m.verdict)))
        .partition(|(_, v)| *v == Verdict::Inside);
    plot.dots(inside.iter().map(|((y, x), _)| (*x, *y)).collect(), 2);
    plot.dots(outside.iter().map(|((y, x), _)| (*x, *y)).collect(), 1);
    plot.legend(Swatch::Line(4), "spread of one replication (95%)");
    plot.legend(Swatch::Line(2), "log, inside");
    plot.legend(Swatch::Line(1), "log, outside");
    plot.render()
}

/// Departures by hour of day: the log against the simulated mean and
/// spread.
fn hours_chart(ids: &mut Ids, metrics: &[&Metric]) -> String {
    let hi = metrics
        .iter()
        .flat_map(|m| {
            [
                m.observed.unwrap_or(0.0),
                m.simulated.spread.map_or(m.simulated.mean, |s| s[1]),
            ]
        })
        .filter(|x| x.is_finite())
        .fold(1.0, f64::max);
    let x = Axis::new(
        "hour of day",
        0.0,
        24.0,
        (0..=8)
            .map(|k| (f64::from(k * 3), format!("{:02}:00", k * 3)))
            .collect(),
    );
    let y = Axis::nice("departures per day in the hour", 0.0, hi, 6);
    let mut plot = Plot::new(
        &ids.fresh(),
        "Departures by hour of day",
        (760.0, 300.0),
        x,
        y,
    );
    let at = |i: usize| i as f64 + 0.5;
    plot.band(
        metrics
            .iter()
            .enumerate()
            .filter_map(|(i, m)| m.simulated.spread.map(|s| (at(i), s[0], s[1])))
            .collect(),
        0,
    );
    plot.line(
        metrics
            .iter()
            .enumerate()
            .map(|(i, m)| (at(i), m.simulated.mean))
            .collect(),
        0,
    );
    plot.dots(
        metrics
            .iter()
            .enumerate()
            .filter_map(|(i, m)| m.observed.map(|o| (at(i), o)))
            .collect(),
        1,
    );
    plot.legend(Swatch::Line(0), "simulated mean");
    plot.legend(Swatch::Band(0), "spread of one replication (95%)");
    plot.legend(Swatch::Line(1), "log");
    plot.render()
}

/// What a planner should conclude from the validation.
pub fn headline(v: &Validation) -> String {
    let (inside, compared) = v.inside();
    let outside: Vec<&str> = v
        .metrics
        .iter()
        .filter(|m| matches!(m.verdict, Verdict::Above | Verdict::Below))
        .map(|m| m.name.as_str())
        .collect();
    let mut text = format!(
        "{inside} of {compared} metrics of the log fall inside the spread of the calibrated scenario's replications"
    );
    if outside.is_empty() {
        text.push_str(": the scenario explains the port as the log shows it.");
    } else {
        let shown: Vec<&str> = outside.iter().take(6).copied().collect();
        text.push_str(&format!(
            "; outside: {}{}. Look at these before asking the scenario about a reform.",
            shown.join(", "),
            if outside.len() > shown.len() {
                format!(" and {} more", outside.len() - shown.len())
            } else {
                String::new()
            }
        ));
    }
    if !v.complete {
        text.push_str(" Not every replication ran to its horizon.");
    }
    text
}

/// The validation section.
pub fn section(ids: &mut Ids, v: Option<&Validation>) -> Markup {
    let Some(v) = v else {
        return html! {
            h2 { "Validation" }
            p.lead { "The calibrated scenario was not run: nothing to set beside the log." }
        };
    };
    let head = [
        "metric",
        "log",
        "simulated mean",
        "95% CI of the mean",
        "spread (95%)",
        "verdict",
    ];
    let main: Vec<&Metric> = v.metrics.iter().filter(|m| !hourly(m)).collect();
    let hours: Vec<&Metric> = v.metrics.iter().filter(|m| hourly(m)).collect();
    let rows: Vec<Vec<String>> = v.metrics.iter().map(row).collect();
    html! {
        h2 { "Validation" }
        p.lead { (headline(v)) }
        @if !main.is_empty() {
            (figure("The log against the simulation", dots_chart(ids, &main), Some(html! {
                "Each metric relative to its simulated mean: the line is where 95% of single replications fall, the dot the log."
            })))
        }
        @if !hours.is_empty() {
            (figure("Departures by hour of day", hours_chart(ids, &hours), None))
        }
        (table(&head, &rows, 1))
        details.method {
            summary { "How the scenario is validated" }
            p { (format!(
                "The calibrated scenario runs over the log's calendar ({} replications, seed {}, common random numbers, a warm-up of whole weeks so it starts from a port in use). The log is one realisation of the port, so it is judged against where one replication falls: the spread is the 95% prediction interval of one replication, mean ± t·sd·√(1 + 1/n), cut at 0. The verdict is inside, or above or below by the distance to the nearest edge relative to it.",
                v.replications, v.seed
            )) }
        }
    }
}
