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

use crate::experiment::estimate::Estimate;
use crate::experiment::run::RunOutput;
use crate::experiment::summary::{HEADLINE, Metric, Summary};
use crate::model::Counts;

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

fn metric_row(scope: &str, m: &Metric) -> Vec<String> {
    let mut row = vec![scope.to_owned(), m.name.to_owned()];
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

/// Headline metrics, overall and per class. Durations are in seconds; each
/// percentile has its mean over replications and that mean's 95% CI.
pub fn summary(s: &Summary) -> Vec<u8> {
    let mut rows: Rows = s.metrics.iter().map(|m| metric_row("all", m)).collect();
    for class in &s.classes {
        rows.extend(class.metrics.iter().map(|m| metric_row(&class.name, m)));
    }
    let mut header = vec![
        "scope".to_owned(),
        "metric".into(),
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

/// Departures per day of the measured period.
pub fn daily(s: &Summary) -> Vec<u8> {
    let rows = s
        .daily_departures
        .iter()
        .enumerate()
        .map(|(d, e)| {
            let mut row = vec![d.to_string()];
            row.extend(est(e));
            row
        })
        .collect();
    to_csv(&["day", "departures", "ci95_low", "ci95_high"], rows)
}

/// The hour-of-day profile.
pub fn hourly(s: &Summary) -> Vec<u8> {
    let rows = (0..24)
        .map(|h| {
            let mut row = vec![h.to_string()];
            for series in [&s.hourly.arrivals, &s.hourly.departures, &s.hourly.waiting] {
                row.push(series.get(h).map_or(String::new(), |e| est(e)[0].clone()));
            }
            row
        })
        .collect();
    to_csv(
        &[
            "hour",
            "arrivals_per_day",
            "departures_per_day",
            "mean_waiting",
        ],
        rows,
    )
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
