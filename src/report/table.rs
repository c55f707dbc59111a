//! The terminal table: headline metrics with units and 95% intervals, then
//! stages (with the bottleneck marked) and classes.

use std::fmt::Write;

use super::format::{interval, number, value};
use crate::experiment::run::RunOutput;
use crate::experiment::stability::Bound;
use crate::experiment::summary::{Metric, Summary};
use crate::model::Counts;
use crate::scenario::Scenario;

/// Readable labels for metric keys.
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
        other => other,
    }
}

/// `p50 3.2 h [3.1, 3.3]  p95 …` for a duration metric.
fn percentile_text(m: &Metric) -> String {
    let Some(p) = m.percentiles.as_deref() else {
        return String::new();
    };
    [("p50", &p.p50), ("p95", &p.p95)]
        .iter()
        .map(|(k, pm)| {
            let e = &pm.estimate;
            if e.n == 0 {
                return format!("{k} n/a");
            }
            let (div, unit) = super::format::duration_unit(e.mean);
            match e.ci95 {
                Some([lo, hi]) => format!(
                    "{k} {:.1} {unit} [{:.1}, {:.1}]",
                    e.mean / div,
                    lo / div,
                    hi / div
                ),
                None => format!("{k} {:.1} {unit}", e.mean / div),
            }
        })
        .collect::<Vec<_>>()
        .join("  ")
}

fn metric_line(out: &mut String, m: &Metric, currency: &str) {
    let shown = if m.estimate.n == 0 {
        "n/a".to_owned()
    } else {
        value(m.estimate.mean, m.unit, currency)
    };
    let line = format!(
        "  {:<20} {:>18}  {:<30} {}",
        label(m.name),
        shown,
        interval(&m.estimate, m.unit, currency),
        percentile_text(m)
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
        "\nstages (utilisation of lanes on duty; load = demand / capacity; * = bottleneck, the highest load)"
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
}

/// The flow balance and what was left at the end, in one paragraph.
fn flow(out: &mut String, s: &Summary) {
    let f = &s.flow;
    let n = |term: fn(&Counts) -> u64| number(f.mean(term), 1);
    let _ = writeln!(
        out,
        "\nflow (means per replication): at the port at the start {} + booked on the way {} + offered {} = cleared {} + turned away {} + no-shows {} + at the port at the end {} + booked ahead {}{}",
        n(|c| c.in_port_start),
        n(|c| c.booked_start),
        n(|c| c.offered),
        n(|c| c.cleared),
        n(|c| c.turned_away),
        n(|c| c.no_shows),
        n(|c| c.in_port_end),
        n(|c| c.booked_ahead),
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
    for m in s.metrics.iter().filter(|m| shown(scenario, m.name)) {
        metric_line(&mut out, m, currency);
    }
    flow(&mut out, s);
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
    if s.classes.len() > 1 {
        for class in &s.classes {
            let _ = writeln!(out, "\nclass {}", class.name);
            for m in class.metrics.iter().take(5) {
                metric_line(&mut out, m, currency);
            }
        }
    }
    let findings = s.findings();
    if !findings.is_empty() {
        let _ = writeln!(out, "\nfindings");
        for f in findings {
            let _ = writeln!(out, "  {f}");
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
    out
}

/// A compared metric in plain words, e.g. "throughput rose 81.2% (95% CI
/// +78.0% to +84.5%): improved".
pub fn verdict_line(c: &crate::experiment::compare::Change) -> String {
    use crate::experiment::compare::Verdict;
    let pct = &c.change_pct;
    let range = pct
        .ci95
        .map(|[lo, hi]| format!(" (95% CI {lo:+.1}% to {hi:+.1}%)"))
        .unwrap_or_default();
    let direction = if c.change.mean >= 0.0 { "rose" } else { "fell" };
    // From a zero baseline a percentage means nothing: give the change.
    let amount = if pct.mean.is_finite() {
        format!("{:.1}%{range}", pct.mean.abs())
    } else {
        let ci = c.change.ci95.map_or(String::new(), |[lo, hi]| {
            format!(" (95% CI {lo:+.1} to {hi:+.1})")
        });
        format!("by {:.1}{ci}", c.change.mean.abs())
    };
    if c.pairs == 0 {
        let side = match (c.baseline.n > 0, c.variant.n > 0) {
            (true, false) => "measured in the baseline only",
            (false, true) => "measured in the variant only",
            _ => "measured on neither side",
        };
        return format!("{}: not compared ({side})", label(c.name));
    }
    if c.change.mean == 0.0 && c.change.half_width() == Some(0.0) {
        return format!(
            "{}: unchanged (the same in every replication)",
            label(c.name)
        );
    }
    let words = match c.verdict() {
        Verdict::Improved => "an improvement",
        Verdict::Worsened => "a deterioration",
        Verdict::Changed => "a significant change",
        Verdict::NoSignificantChange => return format!("{}: no significant change", label(c.name)),
    };
    format!("{} {direction} {amount}: {words}", label(c.name))
}

/// The table of a two-scenario comparison.
pub fn compare(
    scenarios: [&Scenario; 2],
    changes: &[crate::experiment::compare::Change],
    summaries: [&Summary; 2],
) -> String {
    let currency = &scenarios[0].costs.currency;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "baseline: {}\nvariant:  {}",
        scenarios[0].name, scenarios[1].name
    );
    let _ = writeln!(
        out,
        "{} paired replications with common random numbers, seed {}\n",
        crate::experiment::compare::paired_replications(changes),
        scenarios[0].seed
    );
    let _ = writeln!(
        out,
        "  {:<20} {:>16} {:>16} {:>12}  {:<24} CI half-width paired / independent",
        "metric", "baseline", "variant", "change", "95% CI of change"
    );
    let relevant = |c: &&crate::experiment::compare::Change| {
        shown(scenarios[0], c.name) || shown(scenarios[1], c.name)
    };
    for c in changes.iter().filter(relevant) {
        let unit = summaries[0]
            .metric(c.name)
            .map_or(crate::experiment::summary::Unit::Trucks, |m| m.unit);
        let ci = c.change_pct.ci95.map_or("n/a".to_owned(), |[lo, hi]| {
            format!("[{lo:+.1}%, {hi:+.1}%]")
        });
        let widths = match (c.change.half_width(), c.independent_half_width) {
            (Some(p), Some(i)) => format!(
                "{} / {}",
                value(p, unit, currency),
                value(i, unit, currency)
            ),
            _ => "n/a".to_owned(),
        };
        let _ = writeln!(
            out,
            "  {:<20} {:>16} {:>16} {:>11}  {:<24} {}",
            label(c.name),
            value(c.baseline.mean, unit, currency),
            value(c.variant.mean, unit, currency),
            if c.change_pct.mean.is_finite() {
                format!("{:+.1}%", c.change_pct.mean)
            } else {
                "n/a".into()
            },
            ci,
            widths
        );
    }
    let _ = writeln!(out, "\nverdicts");
    for c in changes.iter().filter(relevant) {
        let _ = writeln!(out, "  {}", verdict_line(c));
    }
    for (which, s) in ["baseline", "variant"].iter().zip(summaries) {
        let _ = write!(out, "\n{which}");
        stages(&mut out, s);
    }
    out
}

/// A Shapley share, or why there is none: with no combined change there
/// is nothing to share (0/0), never "NaN%".
pub fn share(pct: f64) -> String {
    if pct.is_finite() {
        format!("{pct:>6.1}%")
    } else {
        "   n/a (no combined change to share)".to_owned()
    }
}

/// The table of an intervention attribution.
pub fn attribution(
    names: &[String],
    metrics: &[(&str, crate::experiment::attribution::Attribution)],
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\nattribution of the combined change (Shapley shares; main effects from the 2^k factorial)"
    );
    for (metric, a) in metrics {
        let _ = writeln!(
            out,
            "\n  {} — combined change {:+.2}",
            label(metric),
            a.combined.mean
        );
        for (j, name) in names.iter().enumerate() {
            let _ = writeln!(
                out,
                "    {:<28} share {}   Shapley {:+.2}   main effect {:+.2}",
                name,
                share(a.share_pct[j]),
                a.shapley[j].mean,
                a.main_effects[j].mean
            );
        }
        for (j, l, e) in &a.interactions {
            if e.excludes_zero() {
                let _ = writeln!(
                    out,
                    "    interaction {} × {}: {:+.2}",
                    names[*j], names[*l], e.mean
                );
            }
        }
    }
    out
}

/// The table of `portsim check`: per scenario file, what changed since the
/// baseline and each metric's baseline, current value, change and result,
/// with the reason under every metric that failed or improved.
pub fn check(
    checks: &[crate::experiment::gate::ScenarioCheck],
    tolerance: crate::experiment::gate::Tolerance,
) -> String {
    use crate::experiment::gate::Status;
    let show = |x: Option<f64>| x.map_or_else(|| "n/a".to_owned(), |x| x.to_string());
    let mut out = String::new();
    let (mut total, mut failed, mut improved) = (0, 0, 0);
    for c in checks {
        let _ = writeln!(out, "{}: {}", c.file, c.name);
        let _ = writeln!(
            out,
            "  {} replications, seed {} (from the baseline); {}",
            c.replications, c.seed, c.provenance
        );
        let _ = writeln!(
            out,
            "  {:<20} {:>14} {:>14} {:>9}  {:<30} result",
            "metric", "baseline", "current", "change", "95% CI of change"
        );
        for o in &c.outcomes {
            let change = o
                .relative
                .filter(|r| r.is_finite())
                .map_or_else(|| "n/a".to_owned(), |r| format!("{:+.1}%", 100.0 * r));
            let ci = match &o.change {
                None => "(tolerance only)".to_owned(),
                Some(e) => e.ci95.map_or_else(
                    || "n/a".to_owned(),
                    |[lo, hi]| {
                        use crate::experiment::gate::signed;
                        format!("[{}, {}]", signed(lo), signed(hi))
                    },
                ),
            };
            let result = match o.status {
                Status::Passed => "pass",
                Status::Improved => "improved",
                Status::Failed => "FAIL",
            };
            let _ = writeln!(
                out,
                "  {:<20} {:>14} {:>14} {:>9}  {:<30} {result}",
                o.metric.name,
                show(o.baseline),
                show(o.current),
                change,
                ci
            );
            if o.status != Status::Passed {
                let _ = writeln!(out, "    {}: {}", o.metric.name, o.note);
            }
            total += 1;
            failed += usize::from(o.status == Status::Failed);
            improved += usize::from(o.status == Status::Improved);
        }
        if !c.stopped.is_empty() {
            let _ = writeln!(
                out,
                "  FAIL: replications {:?} ran away (more trucks in the system than --max-trucks)",
                c.stopped
            );
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(
        out,
        "checked {} scenario file(s), {total} metrics: {failed} failed, {improved} improved (tolerance {tolerance}; a metric fails when it is worse by more than the tolerance and significantly, in paired replications)",
        checks.len()
    );
    out
}
