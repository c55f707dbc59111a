//! The terminal tables: for a run, headline metrics with units and 95%
//! intervals, then stages (with the bottleneck marked) and classes; the
//! tables of a comparison, an attribution and a check are in `table/`.
//!
//! Values that are read against each other share a unit: every column of
//! a run's table keeps one unit for a metric across all trucks and every
//! class, and a comparison's row one unit for both sides.

use std::fmt::Write;

mod attribution;
mod breakdown;
mod check;
mod compare;

pub use attribution::{attribution, share, significance, term_name};
pub use check::{check, summary_line as check_summary};
pub use compare::{Sides, compare, row_scale, unit_of, verdict_line};

/// The closing line of every table: where each metric is defined.
pub const DEFINITIONS: &str =
    "definitions of every metric (which trucks, unit, interval): docs/metrics.md";

use super::format::{Scale, number};
use crate::experiment::run::RunOutput;
use crate::experiment::stability::Bound;
use crate::experiment::summary::{Metric, Summary};
use crate::model::Counts;
use crate::scenario::Scenario;

/// Lays out `rows` (the first is the header) as aligned text columns,
/// each line indented by `indent`; a column is right-aligned when
/// `right[i]` says so. Trailing spaces are trimmed.
pub fn columns(indent: &str, rows: &[Vec<String>], right: &[bool]) -> String {
    let n = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..n)
        .map(|i| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .map(|c| c.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = indent.to_owned();
        for (i, cell) in row.iter().enumerate() {
            let w = widths[i];
            if right.get(i).copied().unwrap_or(false) {
                let _ = write!(line, "{cell:>w$}  ");
            } else {
                let _ = write!(line, "{cell:<w$}  ");
            }
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
    out
}

/// Readable labels for metric keys (they live with the metrics, in
/// [`crate::experiment::labels`]).
pub use crate::experiment::labels::label;

/// The units of a metric's columns in a run's table, chosen once from
/// the all-trucks values so that every class shows the same units.
#[derive(Clone, Copy)]
struct Columns<'a> {
    mean: Scale<'a>,
    p50: Scale<'a>,
    p95: Scale<'a>,
}

fn columns_of<'a>(all: &Metric, currency: &'a str) -> Columns<'a> {
    let p = all.percentiles.as_deref();
    let of = |e: Option<f64>| Scale::new(all.unit, e.unwrap_or(all.estimate.mean), currency);
    Columns {
        mean: of(Some(all.estimate.mean)),
        p50: of(p.map(|p| p.p50.estimate.mean)),
        p95: of(p.map(|p| p.p95.estimate.mean)),
    }
}

/// `p50 3.2 h [3.1, 3.3]  p95 …` for a duration metric.
fn percentile_text(m: &Metric, cols: &Columns) -> String {
    let Some(p) = m.percentiles.as_deref() else {
        return String::new();
    };
    [("p50", &p.p50, &cols.p50), ("p95", &p.p95, &cols.p95)]
        .iter()
        .map(|(k, pm, scale)| {
            let e = &pm.estimate;
            if e.n == 0 {
                return format!("{k} n/a");
            }
            match e.ci95 {
                Some(_) => format!("{k} {} {}", scale.value(e.mean), scale.interval(e)),
                None => format!("{k} {}", scale.value(e.mean)),
            }
        })
        .collect::<Vec<_>>()
        .join("  ")
}

fn metric_line(out: &mut String, m: &Metric, cols: &Columns) {
    let shown = if m.estimate.n == 0 {
        "n/a".to_owned()
    } else {
        cols.mean.value(m.estimate.mean)
    };
    let line = format!(
        "  {:<20} {:>18}  {:<30} {}",
        label(m.name),
        shown,
        cols.mean.interval(&m.estimate),
        percentile_text(m, cols)
    );
    let _ = writeln!(out, "{}", line.trim_end());
}

/// Whether a metric belongs in a run's table for this scenario: the
/// metrics of a mechanism only when the scenario uses it.
pub fn shown(scenario: &Scenario, name: &str) -> bool {
    let reacts = |f: fn(&crate::scenario::Class) -> bool| scenario.classes.iter().any(f);
    match name {
        "booked_ahead" | "no_shows" | "booking_lead_s" => scenario.appointments.is_some(),
        "offsite_wait_s" | "door_to_exit_s" => scenario.equeue.is_some(),
        "trucks_diverted" => reacts(|c| c.tolerance.is_some()),
        "trucks_reneged" => reacts(|c| c.patience.is_some()),
        _ => true,
    }
}

/// Stages: utilisation, load and capacity, wait and queue; the bottleneck
/// (highest load) marked, unstable stages flagged.
pub fn stages(out: &mut String, s: &Summary) {
    let _ = writeln!(
        out,
        "\nstages (utilisation = busy lane-time / on-duty lane-time, at most 100%; load = demand / capacity; * = bottleneck, the highest load)"
    );
    let _ = writeln!(
        out,
        "  {:<24} {:>10} {:>12} {:>8} {:>14} {:>12} {:>10}  status",
        "stage", "visits/rep", "utilisation", "load", "capacity/day", "mean wait", "mean queue"
    );
    let bottleneck = s.bottleneck();
    for (i, st) in s.stages.iter().enumerate() {
        let mark = if Some(i) == bottleneck { "*" } else { " " };
        let f = &st.flow;
        let status = match (f.unstable, f.bound) {
            (Some(_), Bound::DailyLimit(l)) => format!("CANNOT KEEP UP (daily limit {l})"),
            (Some(_), Bound::Pool(_)) => "CANNOT KEEP UP (shared pool)".to_owned(),
            (Some(_), Bound::Lanes) => "CANNOT KEEP UP".to_owned(),
            (None, Bound::DailyLimit(l)) => format!("limit-bound ({l}/day)"),
            (None, Bound::Pool(_)) => "ok (shared pool)".to_owned(),
            (None, Bound::Lanes) => "ok".to_owned(),
        };
        let pct = |e: &crate::experiment::estimate::Estimate| {
            if e.n == 0 {
                "n/a".to_owned()
            } else {
                format!("{:.1}%", e.mean * 100.0)
            }
        };
        let _ = writeln!(
            out,
            " {mark}{:<24} {:>10} {:>12} {:>8} {:>14} {:>12} {:>10}  {status}",
            st.name,
            number(st.visits.mean, 0),
            pct(&st.utilization),
            pct(&f.load),
            number(f.capacity_per_day, 0),
            if st.wait.estimate.n == 0 {
                "n/a".to_owned()
            } else {
                super::format::duration(st.wait.estimate.mean)
            },
            number(st.queue_length.mean, 1)
        );
    }
    if s.stages.iter().any(|st| st.flow.load.mean >= 1.0) {
        let _ = writeln!(
            out,
            "  a load of 100% or more means the stage is asked for more than its lanes can serve: they are busy all the time they are on duty, and the excess waits (trucks that left before service are not demand)"
        );
    }
}

/// The flow balance and what was left at the end, in one paragraph; the
/// terms of diverting, reneging and the e-queue where the scenario has
/// them, so the line adds up.
fn flow(out: &mut String, scenario: &Scenario, s: &Summary) {
    let f = &s.flow;
    let n = |term: fn(&Counts) -> u64| number(f.mean(term), 1);
    let equeue = scenario.equeue.is_some();
    let term = |show: bool, name: &str, t: fn(&Counts) -> u64| {
        if show {
            format!(" + {name} {}", n(t))
        } else {
            String::new()
        }
    };
    let _ = writeln!(
        out,
        "\nflow (means per replication): at the port at the start {} + booked on the way {}{} + offered {} = cleared {} + turned away {}{}{} + no-shows {} + at the port at the end {} + booked ahead {}{}{}",
        n(|c| c.in_port_start),
        n(|c| c.booked_start),
        term(equeue, "in the e-queue", |c| c.equeue_start),
        n(|c| c.offered),
        n(|c| c.cleared),
        n(|c| c.turned_away),
        term(shown(scenario, "trucks_diverted"), "diverted", |c| c
            .diverted),
        term(shown(scenario, "trucks_reneged"), "reneged", |c| c.reneged),
        n(|c| c.no_shows),
        n(|c| c.in_port_end),
        n(|c| c.booked_ahead),
        term(equeue, "in the e-queue", |c| c.equeue_end),
        if f.balanced {
            ""
        } else {
            "  (NOT BALANCED: please report this)"
        }
    );
    let u = &s.unfinished;
    if u.count.mean > 0.0 {
        let _ = writeln!(
            out,
            "still at the port at the end: {} trucks, there {} on average so far (oldest {})",
            number(u.count.mean, 1),
            super::format::duration(u.mean_age_s.mean),
            super::format::duration(u.max_age_s)
        );
    }
}

/// The whole table for `portsim run`.
pub fn run(scenario: &Scenario, output: &RunOutput, warnings: &[String]) -> String {
    let s = &output.summary;
    let currency = &scenario.costs.currency;
    let mut out = String::new();
    let _ = writeln!(out, "{}", scenario.name);
    let days = scenario.horizon as f64 / 86_400_000.0;
    let status = if output.interrupted {
        " (INCOMPLETE: interrupted)"
    } else if !s.stopped.is_empty() {
        " (INCOMPLETE: replications stopped by the runaway guard)"
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "{} of {} replications, {} days measured after {} days of warm-up, seed {}{status}",
        s.replications,
        output.requested,
        number(days, 1),
        number(scenario.warmup as f64 / 86_400_000.0, 1),
        scenario.seed,
    );
    for w in warnings {
        let _ = writeln!(out, "warning: {w}");
    }
    let _ = writeln!(
        out,
        "\nall trucks (mean, 95% CI across replications; times and costs of the trucks that left)"
    );
    let cols = |m: &Metric| {
        let all = s.metrics.iter().find(|a| a.name == m.name).unwrap_or(m);
        columns_of(all, currency)
    };
    for m in s.metrics.iter().filter(|m| shown(scenario, m.name)) {
        metric_line(&mut out, m, &cols(m));
    }
    flow(&mut out, scenario, s);
    stages(&mut out, s);
    for p in &s.pools {
        let _ = writeln!(
            out,
            "  pool `{}`: utilisation {:.1}%, load {:.1}%, mean queue {}{}",
            p.name,
            100.0 * p.utilization.mean,
            100.0 * p.load.mean,
            number(p.queue_length.mean, 1),
            if p.unstable.is_some() {
                "  CANNOT KEEP UP"
            } else {
                ""
            }
        );
    }
    if let Some(len) = &s.equeue_len {
        let _ = writeln!(
            out,
            "\ne-queue: {} trucks waiting off-site on average",
            number(len.mean, 1)
        );
    }
    breakdown::breakdown(&mut out, &s.time_breakdown, s.metric("time_in_port_s"));
    if s.classes.len() > 1 {
        for class in &s.classes {
            let _ = writeln!(out, "\nclass {}", class.name);
            for m in class.metrics.iter().take(5) {
                metric_line(&mut out, m, &cols(m));
            }
            breakdown::class_breakdown(&mut out, &class.time_breakdown);
        }
    }
    let findings = crate::experiment::findings::of(s);
    if !findings.is_empty() {
        let _ = writeln!(out, "\nfindings");
        for f in &findings {
            let _ = writeln!(out, "  {}", super::findings::text(f));
        }
    }
    for (i, r) in &s.stopped {
        let _ = writeln!(
            out,
            "\nreplication {i} stopped at day {:.1} and left out of every figure: {}; {} trucks in the system; stage `{}` had {} waiting, {} on the road",
            r.at as f64 / 86_400_000.0,
            r.reason,
            r.in_system,
            r.stage,
            r.stage_queue,
            r.road_queue
        );
    }
    let _ = writeln!(out, "\n{DEFINITIONS}");
    out
}
