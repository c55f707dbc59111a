//! `portsim calibrate --html FILE`: the calibration as one self-contained
//! page, in the order a planner checks it.
//!
//! It opens with what was read and a few sentences of what to conclude,
//! then each stage (its service times against every fitted candidate, a
//! QQ plot of the chosen law, the candidate table and the counts behind
//! it), arrivals by hour and weekday with their intervals, services in
//! progress against the lanes written, the quality of the data, and the
//! validation. Every section's first line says what to conclude; the
//! method is folded under a `<details>`.
//!
//! Like every portsim page it is built from the shared blocks
//! ([`crate::report::html::page`], [`crate::report::svg`]): no script, no
//! URL, every piece of the log's text (stage, class and file names)
//! escaped, and the same calibration gives the same bytes. Only
//! aggregates go in (curves drawn through at most a few hundred points),
//! so a page of a million-row log stays small.

mod flows;
mod stage;
mod validation;

pub use flows::{per_hour, per_weekday};
pub use stage::QQ_POINTS;

use maud::{Markup, html};

use crate::calibrate::Calibration;
use crate::calibrate::log::time::show;
use crate::report::format::number;
use crate::report::html::page::{self, Ids, notices};

/// Extra style of the calibration page.
const CSS: &str = "p.lead{font-size:16px;margin:4px 0 10px;max-width:860px}section.stage{margin-top:18px;padding-top:6px;border-top:1px solid var(--rule)}section.stage h3{margin-top:4px}p.counts{font-size:14px;color:#333}";

/// The page's summary: a sentence each on the port, the stages and the
/// validation.
fn summary(cal: &Calibration) -> Markup {
    let names: Vec<&str> = cal.stages.iter().map(|s| s.name.as_str()).collect();
    let fitted: Vec<String> = cal
        .stages
        .iter()
        .map(|s| format!("{} {}", s.name, s.service.chosen().fitted.family().name()))
        .collect();
    html! {
        ul.summary {
            li { (format!(
                "{} trucks a day arrive on average; they visit {} stage(s) in this order: {}.",
                number(cal.arrivals.per_day.mean, 1),
                names.len(),
                names.join(" → ")
            )) }
            li { (format!("Service times: {}.", fitted.join(", "))) }
            @if let Some(v) = &cal.validation {
                li { (validation::headline(v)) }
            }
        }
    }
}

/// The data-quality section.
fn data(cal: &Calibration) -> Markup {
    let d = &cal.data;
    let c = &d.counts;
    let ignored: u64 = d.rows_ignored.values().sum();
    let mut rows = vec![
        vec!["rows read".to_owned(), d.rows_read.to_string()],
        vec!["rows used".to_owned(), c.rows_used.to_string()],
    ];
    rows.extend(d.rows_ignored.iter().map(|(k, n)| {
        vec![
            format!("rows ignored: {}", k.replace('_', " ")),
            n.to_string(),
        ]
    }));
    let trucks = vec![
        vec!["trips".to_owned(), c.trips.to_string()],
        vec![
            "complete (arrived and left in the window)".to_owned(),
            c.complete.to_string(),
        ],
        vec![
            "inside when the log opened".to_owned(),
            c.inside_at_start.to_string(),
        ],
        vec![
            "inside when the log closed".to_owned(),
            c.inside_at_end.to_string(),
        ],
        vec!["arrive row lost".to_owned(), c.arrive_lost.to_string()],
        vec![
            "leaving row lost (taken as gone)".to_owned(),
            c.depart_lost.to_string(),
        ],
        vec!["departed".to_owned(), c.left[0].to_string()],
        vec!["turned away".to_owned(), c.left[1].to_string()],
        vec!["diverted".to_owned(), c.left[2].to_string()],
        vec!["reneged".to_owned(), c.left[3].to_string()],
    ];
    let services = vec![
        vec!["end row lost".to_owned(), c.end_lost.to_string()],
        vec!["start row lost".to_owned(), c.start_lost.to_string()],
        vec![
            "running when the log opened".to_owned(),
            c.running_at_start.to_string(),
        ],
        vec![
            "running when the log closed".to_owned(),
            c.running_at_end.to_string(),
        ],
    ];
    let lost = c.end_lost + c.start_lost + c.arrive_lost + c.depart_lost;
    html! {
        h2 { "Data quality" }
        p.lead { (format!(
            "{} of {} rows used ({} ignored); {} of {} trips complete; {} rows were lost on the way (missing start, end, arrive or leaving rows), each handled as docs/event-log.md says.",
            c.rows_used, d.rows_read, ignored, c.complete, c.trips, lost
        )) }
        div.grid2 {
            div {
                h3 { "Rows" }
                (page::table(&["", "count"], &rows, 1))
                h3 { "Services" }
                (page::table(&["", "count"], &services, 1))
            }
            div {
                h3 { "Trucks" }
                (page::table(&["", "count"], &trucks, 1))
            }
        }
        details.method {
            summary { "What a messy log does" }
            p { "Exact duplicates and second leaving rows are dropped and counted. A start whose service is still open when the truck starts another one or leaves lost its end: the visit counts, its duration does not. A trip without an arrive row was inside when the log opened if its first row comes soon enough after the log's start (by the longest time any truck took to reach a row of that kind); otherwise its arrive row was lost. A trip without a leaving row is inside when the log closes if it is in service or its last row is recent enough, and otherwise its leaving row was lost and it is taken as gone. Only complete trips count in the routing." }
        }
    }
}

/// The footer: what the page came from.
fn footer(cal: &Calibration) -> Markup {
    html! {
        footer {
            table.prov {
                tbody {
                    tr { th { "log" } td { code { (cal.log.display().to_string()) } } }
                    @if let Some(m) = &cal.map {
                        tr { th { "map" } td { code { (m.display().to_string()) } } }
                    }
                    tr { th { "portsim" } td { (env!("CARGO_PKG_VERSION")) } }
                    tr { th { "seed, replications" } td { (format!("{}, {}", cal.seed, cal.replications)) } }
                }
            }
        }
    }
}

/// The calibration's page.
pub fn page(cal: &Calibration) -> String {
    let mut ids = Ids::default();
    let w = &cal.window;
    let name = cal.log.file_name().map_or_else(
        || cal.log.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let body = html! {
        (page::header("portsim calibration report", &format!("Calibration of {name}"), html! {
            p.meta { (format!(
                "{} to {} ({} days), times to the {} · {} rows · validation {} replications, seed {}",
                show(w.start),
                show(w.end),
                number(w.days, 1),
                if w.resolution_s > 1 { "minute" } else { "second" },
                cal.data.rows_read,
                cal.replications,
                cal.seed
            )) }
        }))
        (notices(&cal.warnings))
        (summary(cal))
        h2 { "Stages" }
        p.lead { (format!(
            "Service times at each of the {} stage(s), in visiting order: the observed distribution against every fitted family, and how well the chosen one matches it.",
            cal.stages.len()
        )) }
        @for (i, s) in cal.stages.iter().enumerate() { (stage::section(&mut ids, s, cal.loads.get(i))) }
        details.method {
            summary { "How service times are fitted" }
            p { "Each family portsim simulates (exponential, Erlang, gamma, lognormal) is fitted by maximum likelihood to every service: one still running when the log closed counts as at least that long (right-censored), and a duration between two times rounded to the minute enters as what it is. Candidates are ranked by AIC (BIC shown); each is tested by a parametric bootstrap of the Kolmogorov–Smirnov distance to the Kaplan–Meier curve that replays the data's censoring and rounding (docs/event-log-fits.md). The chosen family is the best-ranked one with p ≥ 0.05; when none fits, the empirical distribution, with a warning. The QQ plot sets the observed times where services ended against the chosen law's quantiles at the Kaplan–Meier curve's probability there." }
        }
        (flows::arrivals(&mut ids, &cal.arrivals))
        (flows::concurrency(&mut ids, cal))
        (data(cal))
        (validation::section(&mut ids, cal.validation.as_ref()))
        (footer(cal))
    };
    page::document(&format!("Calibration of {name}"), CSS, body)
}
