//! CSV output: flat rows for spreadsheets and scripts.
//!
//! `summary` is the headline table (`--format csv`); the other functions
//! are the files `--out DIR` writes: one row per replication, per stage,
//! per day and per hour of day.

use crate::experiment::estimate::Estimate;
use crate::experiment::run::RunOutput;
use crate::experiment::summary::{HEADLINE, Metric, Summary};

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

fn to_csv(header: &[&str], rows: Rows) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    // Writing to memory cannot fail.
    let _ = w.write_record(header);
    for row in rows {
        let _ = w.write_record(&row);
    }
    w.into_inner().unwrap_or_default()
}

fn metric_row(scope: &str, m: &Metric) -> Vec<String> {
    let mut row = vec![scope.to_owned(), m.name.to_owned()];
    row.extend(est(&m.estimate));
    let p = m.percentiles;
    for v in [
        p.map(|p| p.p50),
        p.map(|p| p.p90),
        p.map(|p| p.p95),
        p.map(|p| p.p99),
        p.map(|p| p.max),
    ] {
        row.push(v.map_or(String::new(), num));
    }
    row
}

/// Headline metrics, overall and per class.
pub fn summary(s: &Summary) -> Vec<u8> {
    let mut rows: Rows = s.metrics.iter().map(|m| metric_row("all", m)).collect();
    for class in &s.classes {
        rows.extend(class.metrics.iter().map(|m| metric_row(&class.name, m)));
    }
    to_csv(
        &[
            "scope",
            "metric",
            "mean",
            "ci95_low",
            "ci95_high",
            "p50",
            "p90",
            "p95",
            "p99",
            "max",
        ],
        rows,
    )
}

/// One row per replication with its headline values.
pub fn replications(out: &RunOutput) -> Vec<u8> {
    let mut header = vec!["replication"];
    header.extend(HEADLINE);
    let rows = out
        .reps
        .iter()
        .enumerate()
        .map(|(k, (i, _))| {
            let mut row = vec![i.to_string()];
            for name in HEADLINE {
                let v = out
                    .summary
                    .metric(name)
                    .and_then(|m| m.samples.get(k).copied());
                row.push(v.map_or(String::new(), num));
            }
            row
        })
        .collect();
    to_csv(&header, rows)
}

/// One row per stage.
pub fn stages(s: &Summary) -> Vec<u8> {
    let rows = s
        .stages
        .iter()
        .map(|st| {
            let mut row = vec![st.name.clone()];
            for e in [
                &st.visits,
                &st.utilization,
                &st.wait.estimate,
                &st.queue_length,
            ] {
                row.extend(est(e));
            }
            row
        })
        .collect();
    to_csv(
        &[
            "stage",
            "visits",
            "visits_ci95_low",
            "visits_ci95_high",
            "utilization",
            "utilization_ci95_low",
            "utilization_ci95_high",
            "wait_s",
            "wait_s_ci95_low",
            "wait_s_ci95_high",
            "queue_length",
            "queue_length_ci95_low",
            "queue_length_ci95_high",
        ],
        rows,
    )
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
