//! `portsim calibrate --format table`: the calibration for people, in the
//! order a planner checks it: what the log held, arrivals, each stage,
//! the validation, then the warnings.

use std::fmt::Write;

use crate::calibrate::Calibration;
use crate::calibrate::interval::Estimated;
use crate::calibrate::log::time::{WEEKDAYS, show};
use crate::calibrate::validate::Verdict;
use crate::report::format::{duration, number};
use crate::report::table::columns;

fn ci(e: &Estimated, decimals: usize) -> String {
    format!(
        "{} [{}, {}]",
        number(e.mean, decimals),
        number(e.ci95[0], decimals),
        number(e.ci95[1], decimals)
    )
}

fn seconds_or_na(x: Option<f64>) -> String {
    x.filter(|v| v.is_finite())
        .map_or_else(|| "n/a".to_owned(), duration)
}

/// A value of a validation metric, in its unit.
fn metric_value(name: &str, x: f64) -> String {
    if !x.is_finite() {
        "n/a".to_owned()
    } else if name.starts_with("departures") {
        number(x, 1)
    } else {
        duration(x)
    }
}

/// The calibration as text.
pub fn calibration(cal: &Calibration) -> String {
    let mut t = String::new();
    let w = &cal.window;
    let c = &cal.data.counts;
    let _ = writeln!(t, "Calibration of {}", cal.log.display());
    let _ = writeln!(
        t,
        "  window      {} to {} ({} days), times to the {}",
        show(w.start),
        show(w.end),
        number(w.days, 1),
        if w.resolution_s > 1 {
            "minute"
        } else {
            "second"
        }
    );
    let ignored: Vec<String> = cal
        .data
        .rows_ignored
        .iter()
        .map(|(k, n)| format!("{n} {k}"))
        .collect();
    let _ = writeln!(
        t,
        "  rows        {} read, {} used, ignored: {}",
        cal.data.rows_read,
        c.rows_used,
        ignored.join(", ")
    );
    let _ = writeln!(
        t,
        "  trucks      {} trips: {} complete, {} inside at the start, {} inside at the end; arrive lost {}, depart lost {}",
        c.trips, c.complete, c.inside_at_start, c.inside_at_end, c.arrive_lost, c.depart_lost
    );
    let _ = writeln!(
        t,
        "  services    end lost {}, start lost {}, running at the start {}, running at the end {}",
        c.end_lost, c.start_lost, c.running_at_start, c.running_at_end
    );
    let a = &cal.arrivals;
    let _ = writeln!(t, "\nArrivals (95% intervals)");
    let _ = writeln!(
        t,
        "  per day     {} ({} arrivals)",
        ci(&a.per_day, 1),
        a.count
    );
    let _ = writeln!(
        t,
        "  rate        {} per day where the factors are 1",
        ci(&a.rate, 1)
    );
    let hours: Vec<String> = a.profile.iter().map(|p| number(p.mean, 2)).collect();
    let _ = writeln!(t, "  profile     00-11  {}", hours[..12].join(" "));
    let _ = writeln!(t, "              12-23  {}", hours[12..].join(" "));
    let days: Vec<String> = WEEKDAYS
        .iter()
        .zip(&a.days)
        .zip(a.weekdays_seen)
        .map(|((d, f), seen)| {
            if seen {
                format!("{d} {}", number(f.mean, 2))
            } else {
                format!("{d} -")
            }
        })
        .collect();
    let _ = writeln!(t, "  days        {}", days.join("  "));
    let d = &a.dispersion;
    let _ = writeln!(
        t,
        "  dispersion  index {} over {} hours (p = {}): {}",
        number(d.index, 2),
        d.hours,
        if d.p_value.is_finite() {
            format!("{:.3}", d.p_value)
        } else {
            "n/a".into()
        },
        if d.over_dispersed {
            "over-dispersed, trucks come in bunches"
        } else if d.index.is_finite() {
            "consistent with Poisson"
        } else {
            "too few hours to tell"
        }
    );
    if !cal.classes.is_empty() {
        let list: Vec<String> = cal
            .classes
            .iter()
            .map(|k| format!("{} {}", k.name, ci(&k.share, 3)))
            .collect();
        let _ = writeln!(t, "  classes     {}", list.join(", "));
    }
    let _ = writeln!(
        t,
        "\nStages in visiting order ({} complete trips routed)",
        cal.routed_trips
    );
    let mut rows = vec![vec![
        "stage".to_owned(),
        "visits".into(),
        "share [95% CI]".into(),
        "lanes".into(),
        "open".into(),
        "service".into(),
        "mean".into(),
        "censored".into(),
        "rework".into(),
    ]];
    for s in &cal.stages {
        let lanes = match (&s.lanes.shifts, s.lanes.seen) {
            (None, None) => format!("{}", s.lanes.max),
            (None, Some(seen)) => format!("{} ({seen} seen)", s.lanes.max),
            (Some(_), _) => format!("shifts, peak {}", s.lanes.max),
        };
        let open = super::hours_words(&s.hours, " ", ",");
        let fit = s.service.chosen();
        rows.push(vec![
            s.name.clone(),
            s.visits.to_string(),
            ci(&s.routing.share, 3),
            lanes,
            open,
            fit.fitted.family().name().to_owned(),
            duration(fit.mean_s),
            format!("{} of {}", s.service.censored, s.service.n),
            s.routing.rework.as_ref().map_or_else(
                || "-".to_owned(),
                |r| format!("{} to {}", number(r.probability.mean, 3), r.to_name),
            ),
        ]);
    }
    t.push_str(&columns(
        "  ",
        &rows,
        &[false, true, false, false, false, false, true, true, false],
    ));
    for s in cal.stages.iter().filter(|s| s.lanes.shifts.is_some()) {
        let rows: Vec<String> = s
            .lanes
            .shifts
            .iter()
            .flatten()
            .map(|r| match &r.days {
                Some(d) => format!("{} {} on {}", r.hours, r.count, d.join(",")),
                None => format!("{} {}", r.hours, r.count),
            })
            .collect();
        let _ = writeln!(t, "  lanes of {}: {}", s.name, rows.join("; "));
    }
    if let Some(v) = &cal.validation {
        let (inside, compared) = v.inside();
        let _ = writeln!(
            t,
            "\nValidation: the calibrated scenario over the log's calendar, {} replications (seed {}); spread = where 95% of replications fall",
            v.replications, v.seed
        );
        let mut rows = vec![vec![
            "metric".to_owned(),
            "log".into(),
            "simulated".into(),
            "spread".into(),
            "verdict".into(),
        ]];
        for m in &v.metrics {
            let verdict = match (m.verdict, m.by) {
                (Verdict::Inside, _) => "inside".to_owned(),
                (Verdict::Above, Some(b)) => format!("above by {:.0}%", b * 100.0),
                (Verdict::Below, Some(b)) => format!("below by {:.0}%", b * 100.0),
                _ => "n/a".to_owned(),
            };
            rows.push(vec![
                m.name.clone(),
                m.observed
                    .map_or_else(|| "n/a".to_owned(), |o| metric_value(&m.name, o)),
                metric_value(&m.name, m.simulated.mean),
                m.simulated.spread.map_or_else(
                    || "n/a".to_owned(),
                    |[lo, hi]| {
                        format!(
                            "{} to {}",
                            metric_value(&m.name, lo),
                            metric_value(&m.name, hi)
                        )
                    },
                ),
                verdict,
            ]);
        }
        t.push_str(&columns("  ", &rows, &[false, true, true, true, false]));
        let _ = writeln!(
            t,
            "  {inside} of {compared} metrics inside the replication spread"
        );
    }
    let _ = writeln!(
        t,
        "\nObserved time in port: mean {}, p50 {}, p95 {} ({} trips with both rows)",
        seconds_or_na(cal.observed.time_in_port_mean_s),
        seconds_or_na(cal.observed.time_in_port_p50_s),
        seconds_or_na(cal.observed.time_in_port_p95_s),
        cal.observed.time_in_port_n
    );
    for w in &cal.warnings {
        let _ = writeln!(t, "warning: {w}");
    }
    t
}
