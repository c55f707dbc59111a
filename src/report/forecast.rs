//! A forecast and a backtest as JSON, a timetable, CSV and HTML.
//!
//! The JSON keys are a contract (independent checks read them): `at` and
//! `hours[].start` as `YYYY-MM-DDTHH:MM`; per hour `departures`,
//! `in_port`, `arrivals`, `stages[].{name,queued}` and
//! `time_in_port_of_arrivals_s`, each `{mean,p5,p95}`; `state` (`in_port`,
//! `road`, `stages[].{name,queued,in_service}`, `gone`); `data`
//! (`rows_read`, `rows_used`, `rows_ignored` by reason). A number that
//! cannot be measured is `null`, never 0. Rendering only: files are
//! written by `store`.

use std::fmt::Write;

use serde_json::{Map, Value, json};

use super::format::{duration, number};
use super::json::finite;
use crate::calibrate::log::time::show;
use crate::forecast::Forecast;
use crate::forecast::backtest::{Backtest, Score};
use crate::forecast::bands::Band;

pub mod html;

/// What the intervals are, in words every output repeats.
pub const INTERVAL: &str =
    "90% prediction interval: the 5th and 95th percentiles across replications (nearest rank)";

fn band(b: &Band) -> Value {
    json!({"mean": finite(b.mean), "p5": finite(b.p5), "p95": finite(b.p95)})
}

/// The forecast as JSON.
pub fn json(f: &Forecast) -> Value {
    let s = &f.state;
    let hours: Vec<Value> = f
        .hours
        .iter()
        .map(|h| {
            json!({
                "start": show(h.start),
                "departures": band(&h.departures),
                "in_port": band(&h.in_port),
                "arrivals": band(&h.arrivals),
                "stages": f.stages.iter().zip(&h.queued).map(|(name, q)| json!({
                    "name": name,
                    "queued": band(q),
                })).collect::<Vec<_>>(),
                "time_in_port_of_arrivals_s": band(&h.time_in_port_of_arrivals_s),
            })
        })
        .collect();
    let mut ignored = Map::new();
    for (reason, n) in &s.data.rows_ignored {
        ignored.insert((*reason).to_owned(), json!(n));
    }
    json!({
        "scenario": f.scenario,
        "at": show(s.at),
        "replications": f.replications,
        "seed": f.seed,
        "interval": INTERVAL,
        "hours": hours,
        "state": {
            "in_port": s.in_port,
            "road": s.road,
            "stages": s.stages.iter().map(|st| json!({
                "name": st.name,
                "queued": st.queued,
                "in_service": st.in_service,
            })).collect::<Vec<_>>(),
            "gone": s.gone.total(),
            "gone_by_state": {
                "waiting": s.gone.waiting,
                "queued": s.gone.queued,
                "in_service": s.gone.in_service,
            },
            "finished_without_depart": s.finished,
            "arrive_lost": s.arrive_lost,
        },
        "data": {
            "rows_read": s.data.rows_read,
            "rows_used": s.data.rows_used,
            "rows_ignored": ignored,
        },
        "unfinished_arrivals": f.unfinished,
        "stopped_replications": f.stopped,
    })
}

fn count(b: &Band) -> String {
    if b.mean.is_nan() {
        return "n/a".into();
    }
    format!(
        "{} ({}–{})",
        number(b.mean, 1),
        number(b.p5, 0),
        number(b.p95, 0)
    )
}

fn time(b: &Band) -> String {
    if b.mean.is_nan() {
        return "n/a".into();
    }
    format!(
        "{} ({}–{})",
        duration(b.mean),
        duration(b.p5),
        duration(b.p95)
    )
}

/// The forecast as a timetable.
pub fn table(f: &Forecast) -> String {
    let s = &f.state;
    let mut out = String::new();
    let _ = writeln!(out, "Forecast of {} from {}", f.scenario, show(s.at));
    let _ = writeln!(
        out,
        "State: {} truck(s) in port ({} waiting for their first stage); {}",
        s.in_port,
        s.road,
        s.stages
            .iter()
            .map(|st| format!(
                "{}: {} queued, {} in service",
                st.name, st.queued, st.in_service
            ))
            .collect::<Vec<_>>()
            .join("; ")
    );
    let _ = writeln!(
        out,
        "Taken as gone: {} (unseen far longer than their state lasts); finished without a depart row: {}",
        s.gone.total(),
        s.finished
    );
    let ignored: Vec<String> = s
        .data
        .rows_ignored
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(r, n)| format!("{n} {}", r.replace('_', " ")))
        .collect();
    let _ = writeln!(
        out,
        "Rows: {} read, {} used{}",
        s.data.rows_read,
        s.data.rows_used,
        if ignored.is_empty() {
            String::new()
        } else {
            format!(", ignored: {}", ignored.join(", "))
        }
    );
    let _ = writeln!(
        out,
        "{} replications, seed {}; {INTERVAL}.",
        f.replications, f.seed
    );
    if f.stopped > 0 {
        let _ = writeln!(
            out,
            "warning: {} replication(s) stopped by the runaway guard (--max-trucks) are in no figure",
            f.stopped
        );
    }
    out.push('\n');
    let mut head = vec![
        "hour from".to_owned(),
        "arrivals".into(),
        "departures".into(),
        "in port at end".into(),
    ];
    head.extend(f.stages.iter().map(|n| format!("{n} queue")));
    head.push("time in port of arrivals".into());
    let mut rows = vec![head];
    for h in &f.hours {
        let mut r = vec![
            show(h.start).replace('T', " "),
            count(&h.arrivals),
            count(&h.departures),
            count(&h.in_port),
        ];
        r.extend(h.queued.iter().map(count));
        r.push(time(&h.time_in_port_of_arrivals_s));
        rows.push(r);
    }
    align(&mut out, &rows);
    out
}

/// Writes `rows` as columns, the first left-aligned, the rest right.
fn align(out: &mut String, rows: &[Vec<String>]) {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let width: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for r in rows {
        let cells: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(c, s)| {
                if c == 0 {
                    format!("{s:<w$}", w = width[c])
                } else {
                    format!("{s:>w$}", w = width[c])
                }
            })
            .collect();
        let _ = writeln!(out, "{}", cells.join("  ").trim_end());
    }
}

/// The forecast as CSV: one row per hour and quantity.
pub fn csv(f: &Forecast) -> String {
    let mut out = String::from("start,quantity,mean,p5,p95\n");
    let cell = |x: f64| {
        if x.is_nan() {
            String::new()
        } else {
            format!("{x}")
        }
    };
    for h in &f.hours {
        let mut line = |q: &str, b: &Band| {
            let q = if q.contains([',', '"', '\n']) {
                format!("\"{}\"", q.replace('"', "\"\""))
            } else {
                q.to_owned()
            };
            let _ = writeln!(
                out,
                "{},{q},{},{},{}",
                show(h.start),
                cell(b.mean),
                cell(b.p5),
                cell(b.p95)
            );
        };
        line("arrivals", &h.arrivals);
        line("departures", &h.departures);
        line("in_port", &h.in_port);
        for (name, q) in f.stages.iter().zip(&h.queued) {
            line(&format!("queued.{name}"), q);
        }
        line("time_in_port_of_arrivals_s", &h.time_in_port_of_arrivals_s);
    }
    out
}

fn score(s: &Score) -> Value {
    json!({
        "n": s.n,
        "mae": finite(s.mae),
        "coverage_90": finite(s.coverage),
        "naive_n": s.naive_n,
        "naive_mae": finite(s.naive_mae),
    })
}

/// The backtest as JSON.
pub fn backtest_json(b: &Backtest) -> Value {
    json!({
        "cuts": b.cuts.iter().map(|&c| show(c)).collect::<Vec<_>>(),
        "hours": b.hours,
        "replications": b.replications,
        "seed": b.seed,
        "interval": INTERVAL,
        "naive": "the log's own mean for the same hour of the week, over the hours before the cut",
        "quantities": b.quantities.iter().map(|q| json!({
            "key": q.key,
            "overall": score(&q.overall),
            "by_hours_ahead": q.by_hour.iter().enumerate().map(|(k, s)| {
                let mut v = score(s);
                if let Some(m) = v.as_object_mut() {
                    m.insert("hours_ahead".into(), json!(k + 1));
                }
                v
            }).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

fn mae(x: f64, seconds: bool) -> String {
    if x.is_nan() {
        "n/a".into()
    } else if seconds {
        duration(x)
    } else {
        number(x, 2)
    }
}

/// The backtest as a table: per quantity, the scores by hours ahead.
pub fn backtest_table(b: &Backtest) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Backtest: {} cut(s) from {} to {}, {} hours ahead, {} replications each",
        b.cuts.len(),
        b.cuts.first().map_or_else(String::new, |&c| show(c)),
        b.cuts.last().map_or_else(String::new, |&c| show(c)),
        b.hours,
        b.replications
    );
    let _ = writeln!(
        out,
        "MAE: mean absolute error of the forecast's mean; coverage: share of hours inside the {INTERVAL}; naive: the log's own mean for that hour of the week before the cut."
    );
    for q in &b.quantities {
        let seconds = q.key.ends_with("_s");
        let _ = writeln!(out, "\n{}", q.key);
        let mut rows = vec![vec![
            "hours ahead".to_owned(),
            "n".into(),
            "MAE".into(),
            "coverage".into(),
            "naive MAE".into(),
        ]];
        let line = |label: String, s: &Score| {
            vec![
                label,
                s.n.to_string(),
                mae(s.mae, seconds),
                if s.coverage.is_nan() {
                    "n/a".into()
                } else {
                    format!("{}%", number(100.0 * s.coverage, 0))
                },
                mae(s.naive_mae, seconds),
            ]
        };
        for (k, s) in q.by_hour.iter().enumerate() {
            rows.push(line((k + 1).to_string(), s));
        }
        rows.push(line("all".into(), &q.overall));
        align(&mut out, &rows);
    }
    out
}
