//! CSV output: flat rows for spreadsheets and scripts.
//!
//! `summary` is the headline table (`--format csv`); the other functions
//! are the files `--out DIR` writes: one row per replication, per stage,
//! per day and per hour of day.
//!
//! Two guarantees hold for every CSV, applied in one place each:
//! * **no formulas**: a text cell (a scenario, stage or class name) that
//!   begins with `=`, `+`, `-`, `@`, a tab or a carriage return is
//!   prefixed with `'`, so a spreadsheet shows it as text instead of
//!   running it (CSV injection). Numbers are not text: `-3.5` stays a
//!   number ([`guard`]);
//! * **completeness travels with the file**: [`with_complete`] adds a last
//!   column `complete`, `true` on every row of a run whose replications
//!   all finished and `false` on every row of an interrupted one, so a
//!   partial CSV can never pass for a whole one, even copied on its own.

use crate::experiment::attribution::{Attribution, members};
use crate::experiment::compare::{Change, Verdict};
use crate::experiment::estimate::Estimate;
use crate::experiment::run::RunOutput;
use crate::experiment::summary::{HEADLINE, Metric, Summary, Unit};
use crate::model::Counts;
use crate::scenario::Scenario;

type Rows = Vec<Vec<String>>;

fn num(x: f64) -> String {
    if x.is_finite() {
        format!("{x}")
    } else {
        String::new()
    }
}

fn est(e: &Estimate) -> [String; 3] {
    let (lo, hi) = e.ci95.map_or((f64::NAN, f64::NAN), |[l, h]| (l, h));
    [
        if e.n == 0 { String::new() } else { num(e.mean) },
        num(lo),
        num(hi),
    ]
}

/// A cell as a spreadsheet may safely read it: text that a spreadsheet
/// would take for a formula gets a leading `'`; finite numbers are kept.
pub fn guard(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && !cell.parse::<f64>().is_ok_and(f64::is_finite) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

fn to_csv(header: &[&str], rows: Rows) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    // Writing to memory cannot fail.
    let _ = w.write_record(header);
    for row in rows {
        let _ = w.write_record(row.iter().map(|c| guard(c).into_owned()));
    }
    w.into_inner().unwrap_or_default()
}

/// `csv` (as written by this module) with a last column `complete`
/// holding `complete` on every row.
pub fn with_complete(csv: &[u8], complete: bool) -> Vec<u8> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(csv);
    let mut w = csv::Writer::from_writer(Vec::new());
    let value = if complete { "true" } else { "false" };
    for (i, record) in r.records().enumerate() {
        // Reading memory this module wrote cannot fail; a bad record is
        // skipped rather than passed on half-marked.
        let Ok(mut record) = record else { continue };
        record.push_field(if i == 0 { "complete" } else { value });
        let _ = w.write_record(&record);
    }
    w.into_inner().unwrap_or_default()
}

fn metric_row(scope: &str, m: &Metric, currency: &str) -> Vec<String> {
    let mut row = vec![
        scope.to_owned(),
        m.name.to_owned(),
        unit_symbol(m.unit, currency),
    ];
    row.extend(est(&m.estimate));
    let p = m.percentiles.as_deref();
    for (_, pm) in PERCENTILES.iter().zip(0..) {
        let e = p.map(|p| p.each()[pm].1.estimate);
        match e {
            Some(e) => row.extend(est(&e)),
            None => row.extend([String::new(), String::new(), String::new()]),
        }
    }
    row.push(p.map_or(String::new(), |p| num(p.max)));
    row
}

const PERCENTILES: [&str; 4] = ["p50", "p90", "p95", "p99"];

/// Headline metrics, overall and per class, with each metric's unit in
/// the `unit` column (durations in seconds, as in JSON); each percentile
/// has its mean over replications and that mean's 95% CI.
pub fn summary(s: &Summary, currency: &str) -> Vec<u8> {
    let mut rows: Rows = s
        .metrics
        .iter()
        .map(|m| metric_row("all", m, currency))
        .collect();
    for class in &s.classes {
        rows.extend(
            class
                .metrics
                .iter()
                .map(|m| metric_row(&class.name, m, currency)),
        );
    }
    let mut header = vec![
        "scope".to_owned(),
        "metric".into(),
        "unit".into(),
        "mean".into(),
        "ci95_low".into(),
        "ci95_high".into(),
    ];
    for p in PERCENTILES {
        header.extend([
            p.to_owned(),
            format!("{p}_ci95_low"),
            format!("{p}_ci95_high"),
        ]);
    }
    header.push("max".into());
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    to_csv(&header, rows)
}

/// Where the time goes, overall and per class: one row per part
/// (`kind` is `on_site`, `off_site` or `booking_lead`), its mean per truck
/// that left in seconds and that mean's 95% CI. The `on_site` rows of a
/// scope add up to its `time_in_port_s`.
pub fn time_breakdown(s: &Summary) -> Vec<u8> {
    let mut rows: Rows = Vec::new();
    let scopes = std::iter::once(("all", &s.time_breakdown)).chain(
        s.classes
            .iter()
            .map(|c| (c.name.as_str(), &c.time_breakdown)),
    );
    for (scope, b) in scopes {
        let kinds = b
            .on_site
            .iter()
            .map(|p| ("on_site", p))
            .chain(b.off_site.iter().map(|p| ("off_site", p)))
            .chain(b.booking_lead.iter().map(|p| ("booking_lead", p)));
        for (kind, p) in kinds {
            let mut row = vec![scope.to_owned(), kind.to_owned(), p.part.clone()];
            row.extend(est(&p.estimate));
            rows.push(row);
        }
    }
    to_csv(
        &["scope", "kind", "part", "mean_s", "ci95_low", "ci95_high"],
        rows,
    )
}

/// The flow-balance terms of one replication, in [`FLOW`] order.
fn flow_row(c: &Counts) -> [u64; 19] {
    [
        c.in_port_start,
        c.booked_start,
        c.equeue_start,
        c.offered,
        c.arrived,
        c.cleared,
        c.turned_away,
        c.turned_away_no_slot,
        c.diverted,
        c.diverted_offsite,
        c.reneged,
        c.reneged_offsite,
        c.no_shows,
        c.in_port_end,
        c.booked_ahead,
        c.equeue_end,
        c.bookings,
        c.registered,
        c.called,
    ]
}

/// Column names of [`flow_row`].
const FLOW: [&str; 19] = [
    "in_port_start",
    "booked_start",
    "equeue_start",
    "offered",
    "arrived",
    "cleared",
    "turned_away",
    "turned_away_no_slot",
    "diverted",
    "diverted_offsite",
    "reneged",
    "reneged_offsite",
    "no_shows",
    "in_port_end",
    "booked_ahead",
    "equeue_end",
    "bookings",
    "registered",
    "called",
];

/// One row per replication that counts: its headline values and the terms
/// of its flow balance (`in_port_start + booked_start + equeue_start +
/// offered = cleared + turned_away + diverted + reneged + no_shows +
/// in_port_end + booked_ahead + equeue_end`).
pub fn replications(out: &RunOutput) -> Vec<u8> {
    let s = &out.summary;
    let mut header = vec!["replication"];
    header.extend(HEADLINE);
    header.extend(FLOW);
    let rows = s
        .indices
        .iter()
        .enumerate()
        .map(|(k, i)| {
            let mut row = vec![i.to_string()];
            for name in HEADLINE {
                let v = s.metric(name).and_then(|m| m.samples.get(k).copied());
                row.push(v.map_or(String::new(), num));
            }
            if let Some(c) = s.flow.counts.get(k) {
                row.extend(flow_row(c).iter().map(u64::to_string));
            }
            row
        })
        .collect();
    to_csv(&header, rows)
}

/// One row per stage.
pub fn stages(s: &Summary) -> Vec<u8> {
    let bottleneck = s.bottleneck();
    let rows = s
        .stages
        .iter()
        .enumerate()
        .map(|(i, st)| {
            let mut row = vec![st.name.clone()];
            for e in [
                &st.visits,
                &st.utilization,
                &st.overtime_per_day,
                &st.wait.estimate,
                &st.queue_length,
                &st.flow.demand_per_day,
                &st.flow.load,
                &st.flow.growth_per_day,
            ] {
                row.extend(est(e));
            }
            let f = &st.flow;
            row.push(num(f.capacity_per_day));
            row.push(f.bound.key().into());
            row.push(f.unstable.is_some().to_string());
            row.push(
                f.unstable
                    .map_or(String::new(), |u| num(u.shortfall_per_day)),
            );
            row.push((Some(i) == bottleneck).to_string());
            row
        })
        .collect();
    let mut header = vec!["stage".to_owned()];
    for name in [
        "visits",
        "utilization",
        "overtime_lane_hours_per_day",
        "wait_s",
        "queue_length",
        "demand_per_day",
        "load",
        "growth_per_day",
    ] {
        header.extend([
            name.to_owned(),
            format!("{name}_ci95_low"),
            format!("{name}_ci95_high"),
        ]);
    }
    header.extend(
        [
            "capacity_per_day",
            "bound",
            "unstable",
            "shortfall_per_day",
            "bottleneck",
        ]
        .map(str::to_owned),
    );
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    to_csv(&header, rows)
}

/// Column names of [`daily`].
pub const DAILY: [&str; 5] = [
    "day",
    "weekday",
    "departures",
    "departures_ci95_low",
    "departures_ci95_high",
];

/// Departures per day of the measured period: `day` counts from 1 (the
/// first measured day), `weekday` names it ([`super::days`]).
pub fn daily(s: &Summary, scenario: &Scenario) -> Vec<u8> {
    let rows = s
        .daily_departures
        .iter()
        .enumerate()
        .map(|(d, e)| {
            let mut row = vec![
                (d + 1).to_string(),
                super::days::weekday(scenario, d + 1).to_owned(),
            ];
            row.extend(est(e));
            row
        })
        .collect();
    to_csv(&DAILY, rows)
}

/// Column names of [`hourly`].
pub const HOURLY: [&str; 10] = [
    "hour_of_day",
    "arrivals_per_hour",
    "arrivals_per_hour_ci95_low",
    "arrivals_per_hour_ci95_high",
    "departures_per_hour",
    "departures_per_hour_ci95_low",
    "departures_per_hour_ci95_high",
    "waiting_trucks",
    "waiting_trucks_ci95_low",
    "waiting_trucks_ci95_high",
];

/// The hour-of-day profile, one row per hour of the day (0 is 00:00 to
/// 01:00), averaged over the measured days: trucks arriving and leaving in
/// that hour on an average day (so trucks per hour), and the mean number
/// of trucks waiting (road and stage queues) during it.
pub fn hourly(s: &Summary) -> Vec<u8> {
    let rows = (0..24)
        .map(|h| {
            let mut row = vec![h.to_string()];
            for series in [&s.hourly.arrivals, &s.hourly.departures, &s.hourly.waiting] {
                match series.get(h) {
                    Some(e) => row.extend(est(e)),
                    None => row.extend([String::new(), String::new(), String::new()]),
                }
            }
            row
        })
        .collect();
    to_csv(&HOURLY, rows)
}

/// The unit of a metric's values in a CSV, as its `unit` column says.
pub fn unit_symbol(unit: Unit, currency: &str) -> String {
    match unit {
        Unit::TrucksPerDay => "trucks/day".to_owned(),
        Unit::Seconds => "s".to_owned(),
        Unit::Steps => "steps".to_owned(),
        Unit::Currency => format!("{currency}/truck"),
        Unit::Trucks => "trucks".to_owned(),
    }
}

fn verdict_word(c: &Change) -> &'static str {
    match c.verdict() {
        Verdict::Improved => "improved",
        Verdict::Worsened => "worsened",
        Verdict::Changed => "changed",
        Verdict::NoSignificantChange => "no significant change",
        Verdict::NotCompared => "not compared",
    }
}

/// Column names of [`comparison`].
pub const COMPARISON: [&str; 17] = [
    "metric",
    "unit",
    "pairs",
    "baseline",
    "baseline_ci95_low",
    "baseline_ci95_high",
    "variant",
    "variant_ci95_low",
    "variant_ci95_high",
    "change",
    "change_ci95_low",
    "change_ci95_high",
    "change_pct",
    "change_pct_ci95_low",
    "change_pct_ci95_high",
    "verdict",
    "not_compared",
];

/// A comparison, one row per metric: both sides, the paired change and
/// the relative change with their intervals, the verdict, and why a
/// metric is not compared. Values in the unit of the `unit` column
/// (durations in seconds, as in JSON).
pub fn comparison(changes: &[Change], baseline: &Summary, currency: &str) -> Vec<u8> {
    let rows = changes
        .iter()
        .map(|c| {
            let unit = baseline.metric(c.name).map_or(Unit::Trucks, |m| m.unit);
            let mut row = vec![
                c.name.to_owned(),
                unit_symbol(unit, currency),
                c.pairs.to_string(),
            ];
            for e in [&c.baseline, &c.variant, &c.change, &c.change_pct] {
                row.extend(est(e));
            }
            row.push(verdict_word(c).to_owned());
            row.push(c.excluded.clone().unwrap_or_default());
            row
        })
        .collect();
    to_csv(&COMPARISON, rows)
}

/// Column names of [`attribution`].
pub const ATTRIBUTION: [&str; 11] = [
    "metric",
    "unit",
    "kind",
    "interventions",
    "value",
    "ci95_low",
    "ci95_high",
    "share_pct",
    "share_pct_ci95_low",
    "share_pct_ci95_high",
    "significant",
];

/// An attribution, one row per term: per metric the combined change, each
/// term of its decomposition (`kind` = `term`: one intervention alone, or
/// the extra of a combination; the terms add up to the combined change),
/// each intervention's Shapley value (with its share) and main effect.
/// `interventions` joins the names of a term with ` + `.
pub fn attribution(
    names: &[String],
    metrics: &[(&str, Attribution)],
    baseline: &Summary,
    currency: &str,
) -> Vec<u8> {
    let mut rows: Rows = Vec::new();
    for (m, a) in metrics {
        let unit = baseline.metric(m).map_or(Unit::Trucks, |x| x.unit);
        let unit = unit_symbol(unit, currency);
        let mut push = |kind: &str, who: String, e: &Estimate, share: Option<&Estimate>| {
            let mut row = vec![(*m).to_owned(), unit.clone(), kind.to_owned(), who];
            row.extend(est(e));
            match share {
                Some(s) => row.extend(est(s)),
                None => row.extend([String::new(), String::new(), String::new()]),
            }
            row.push(if e.ci95.is_some() {
                e.excludes_zero().to_string()
            } else {
                String::new()
            });
            rows.push(row);
        };
        push("combined", names.join(" + "), &a.combined, None);
        for (t, e) in &a.terms {
            let who: Vec<&str> = members(*t, names.len())
                .filter_map(|j| names.get(j).map(String::as_str))
                .collect();
            push("term", who.join(" + "), e, None);
        }
        for (j, name) in names.iter().enumerate() {
            if let Some(phi) = a.shapley.get(j) {
                push("shapley", name.clone(), phi, a.shares.get(j));
            }
        }
        for (j, name) in names.iter().enumerate() {
            if let Some(e) = a.main_effects.get(j) {
                push("main_effect", name.clone(), e, None);
            }
        }
    }
    to_csv(&ATTRIBUTION, rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_that_looks_like_a_formula_is_guarded_and_numbers_are_not() {
        for (cell, shown) in [
            ("=SUM(A1)", "'=SUM(A1)"),
            ("+x", "'+x"),
            ("-x", "'-x"),
            ("@cmd", "'@cmd"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("-inf", "'-inf"),
            ("-3.5", "-3.5"),
            ("+2", "+2"),
            ("-1e-9", "-1e-9"),
            ("plain", "plain"),
            ("", ""),
        ] {
            assert_eq!(guard(cell), shown, "{cell:?}");
        }
    }

    #[test]
    fn completeness_is_a_last_column_on_every_row() {
        let csv = to_csv(
            &["a", "b"],
            vec![
                vec!["1".into(), "x,y".into()],
                vec!["2".into(), String::new()],
            ],
        );
        let marked = String::from_utf8(with_complete(&csv, false)).expect("utf-8");
        assert_eq!(marked, "a,b,complete\n1,\"x,y\",false\n2,,false\n");
        let marked = String::from_utf8(with_complete(&csv, true)).expect("utf-8");
        assert!(marked.ends_with("2,,true\n"), "{marked}");
    }
}
