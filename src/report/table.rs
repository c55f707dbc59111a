//! The terminal table: headline metrics with units and 95% intervals, then
//! stages (with the bottleneck marked) and classes.

use std::fmt::Write;

use super::format::{interval, number, value};
use crate::experiment::run::RunOutput;
use crate::experiment::summary::{Metric, Summary};
use crate::scenario::Scenario;

/// Readable labels for metric keys.
pub fn label(name: &str) -> &str {
    match name {
        "throughput_per_day" => "throughput",
        "time_in_port_s" => "time in port",
        "wait_s" => "waiting time",
        "steps_per_truck" => "clearance steps",
        "cost_per_truck" => "cost per truck",
        "trucks_arrived" => "trucks arrived",
        "trucks_cleared" => "trucks cleared",
        "trucks_turned_away" => "trucks turned away",
        "backlog" => "backlog at end",
        "no_shows" => "no-shows",
        other => other,
    }
}

fn metric_line(out: &mut String, m: &Metric, currency: &str) {
    let pct = m
        .percentiles
        .map(|p| format!("p50 {}  p95 {}", super::format::duration(p.p50), super::format::duration(p.p95)))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "  {:<20} {:>18}  {:<30} {}",
        label(m.name),
        value(m.estimate.mean, m.unit, currency),
        interval(&m.estimate, m.unit, currency),
        pct
    );
}

/// The stage whose lanes are busiest (the likely bottleneck).
pub fn bottleneck(s: &Summary) -> Option<usize> {
    s.stages
        .iter()
        .enumerate()
        .filter(|(_, st)| st.utilization.n > 0)
        .max_by(|a, b| a.1.utilization.mean.total_cmp(&b.1.utilization.mean))
        .map(|(i, _)| i)
}

/// Stages: utilisation, wait and queue, bottleneck marked.
pub fn stages(out: &mut String, s: &Summary) {
    let _ = writeln!(out, "\nstages (utilisation of lanes on duty; * = busiest)");
    let _ = writeln!(
        out,
        "  {:<24} {:>12} {:>12} {:>14} {:>12}",
        "stage", "visits/rep", "utilisation", "mean wait", "mean queue"
    );
    let busiest = bottleneck(s);
    for (i, st) in s.stages.iter().enumerate() {
        let mark = if Some(i) == busiest { "*" } else { " " };
        let _ = writeln!(
            out,
            " {mark}{:<24} {:>12} {:>11.1}% {:>14} {:>12}",
            st.name,
            number(st.visits.mean, 0),
            st.utilization.mean * 100.0,
            super::format::duration(st.wait.estimate.mean),
            number(st.queue_length.mean, 1)
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
    let _ = writeln!(
        out,
        "{} of {} replications, {} days measured after {} days of warm-up, seed {}{}",
        output.reps.len(),
        output.requested,
        number(days, 1),
        number(scenario.warmup as f64 / 86_400_000.0, 1),
        scenario.seed,
        if output.complete { "" } else { " (INCOMPLETE: interrupted)" }
    );
    for w in warnings {
        let _ = writeln!(out, "warning: {w}");
    }
    let _ = writeln!(out, "\nall trucks (mean, 95% CI across replications)");
    for m in &s.metrics {
        metric_line(&mut out, m, currency);
    }
    stages(&mut out, s);
    if s.classes.len() > 1 {
        for class in &s.classes {
            let _ = writeln!(out, "\nclass {}", class.name);
            for m in class.metrics.iter().take(5) {
                metric_line(&mut out, m, currency);
            }
        }
    }
    for (i, r) in &s.runaways {
        let _ = writeln!(
            out,
            "\nreplication {i} stopped at day {:.1}: {} trucks in the system; stage `{}` had {} waiting, {} on the road",
            r.at as f64 / 86_400_000.0,
            r.in_system,
            r.stage,
            r.stage_queue,
            r.road_queue
        );
    }
    out
}
