//! The report's tables and cards: headline metrics with their intervals
//! and units, compared metrics with verdicts, percentiles, Shapley shares,
//! and the provenance footer. Numbers go through [`crate::report::format`],
//! so they read as in the terminal table; user text is escaped here.

use std::fmt::Write;

use super::charts::Series;
use super::{Attributions, Comparison};
use crate::engine::time::DAY;
use crate::experiment::compare::{Change, Verdict};
use crate::experiment::estimate::Estimate;
use crate::experiment::summary::{Summary, Unit};
use crate::report::format::{duration, interval, number, value};
use crate::report::json::{Manifest, scenario_hash};
use crate::report::svg::escape;
use crate::report::table::label;
use crate::scenario::Scenario;

/// Metrics shown as cards at the top of the page.
pub const KEY: [&str; 4] = [
    "throughput_per_day",
    "time_in_port_s",
    "wait_s",
    "cost_per_truck",
];

/// A span in days, e.g. "1 day", "28 days", "3.5 days".
pub fn days(span: u64) -> String {
    let d = span as f64 / DAY as f64;
    let text = number(d, 1).trim_end_matches(".0").to_owned();
    if text == "1" {
        "1 day".into()
    } else {
        format!("{text} days")
    }
}

/// What a metric counts, in words, with its unit.
pub fn meaning(name: &str, currency: &str) -> String {
    match name {
        "throughput_per_day" => "trucks that left the port, per day".into(),
        "time_in_port_s" => "arrival to exit, per truck that left".into(),
        "wait_s" => "time queueing (road and stages), per truck that left".into(),
        "steps_per_truck" => "clearance steps per truck that left".into(),
        "cost_per_truck" => format!("{currency} per truck that left"),
        "trucks_offered" => "demand: trucks that came or asked for a slot (per replication)".into(),
        "trucks_arrived" => "trucks that reached the port (per replication)".into(),
        "trucks_cleared" => "trucks that left the port (per replication)".into(),
        "trucks_turned_away" => "road queue full, or no slot (per replication)".into(),
        "no_shows" => "booked trucks that did not come (per replication)".into(),
        "backlog" => "trucks still at the port at the end".into(),
        "booked_ahead" => "booked trucks whose slot lies beyond the end".into(),
        "booking_lead_s" => "wish to slot, per slot booked".into(),
        other => other.into(),
    }
}

pub fn verdict(c: &Change) -> (&'static str, &'static str) {
    match c.verdict() {
        Verdict::Improved => ("improved", "✓ improved"),
        Verdict::Worsened => ("worsened", "✗ worsened"),
        Verdict::Changed => ("changed", "≠ changed"),
        Verdict::NoSignificantChange => ("none", "○ no significant change"),
    }
}

pub fn signed(text: String, x: f64) -> String {
    if x > 0.0 { format!("+{text}") } else { text }
}

/// The change as text and its interval: relative when the baseline is
/// not zero, absolute otherwise.
pub fn change_text(c: &Change, unit: Unit, cur: &str) -> (String, String) {
    if c.change_pct.mean.is_finite() && c.change_pct.n > 0 {
        let ci = c
            .change_pct
            .ci95
            .map_or("n/a".into(), |[lo, hi]| format!("{lo:+.1}% to {hi:+.1}%"));
        (format!("{:+.1}%", c.change_pct.mean), ci)
    } else {
        let v = |x: f64| signed(value(x, unit, cur), x);
        let ci = c
            .change
            .ci95
            .map_or("n/a".into(), |[lo, hi]| format!("{} to {}", v(lo), v(hi)));
        (v(c.change.mean), ci)
    }
}

pub fn unit_of(s: &Summary, name: &str) -> Unit {
    s.metric(name).map_or(Unit::Trucks, |m| m.unit)
}

pub fn percentile_text(s: &Summary, name: &str) -> (String, String) {
    s.metric(name)
        .and_then(|m| m.percentiles.as_deref())
        .map_or(("".into(), "".into()), |p| {
            (duration(p.p50.estimate.mean), duration(p.p95.estimate.mean))
        })
}

/// Key metrics of a single run as cards.
pub fn run_cards(out: &mut String, s: &Summary, cur: &str) {
    out.push_str("<div class=\"cards\">");
    for m in KEY.iter().filter_map(|k| s.metric(k)) {
        let (p50, p95) = percentile_text(s, m.name);
        let extra = if p50.is_empty() {
            String::new()
        } else {
            format!("<div class=\"sub\">median {p50} · p95 {p95}</div>")
        };
        let _ = write!(
            out,
            "<div class=\"card\"><div class=\"k\">{}</div><div class=\"big\">{}</div><div class=\"sub\">95% CI {}</div>{extra}</div>",
            escape(label(m.name)),
            escape(&value(m.estimate.mean, m.unit, cur)),
            escape(&interval(&m.estimate, m.unit, cur))
        );
    }
    out.push_str("</div>");
}

/// The full table of a run's headline metrics.
pub fn run_table(out: &mut String, scenario: &Scenario, s: &Summary, cur: &str) {
    out.push_str("<table class=\"metrics\"><thead><tr><th>metric</th><th>mean</th><th>95% CI</th><th>median (p50), 95% CI</th><th>p95, 95% CI</th><th>measured as</th></tr></thead><tbody>");
    for m in s
        .metrics
        .iter()
        .filter(|m| crate::report::table::shown(scenario, m.name))
    {
        let (p50, p95) = percentile_text(s, m.name);
        let _ = write!(
            out,
            "<tr><th>{}</th><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"unit\">{}</td></tr>",
            escape(label(m.name)),
            escape(&value(m.estimate.mean, m.unit, cur)),
            escape(&interval(&m.estimate, m.unit, cur)),
            escape(&p50),
            escape(&p95),
            escape(&meaning(m.name, cur))
        );
    }
    out.push_str("</tbody></table>");
}

/// Key changes as cards: baseline → variant, the change and the verdict.
pub fn compare_cards(out: &mut String, c: &Comparison, cur: &str) {
    out.push_str("<div class=\"cards\">");
    for ch in KEY
        .iter()
        .filter_map(|k| c.changes.iter().find(|ch| ch.name == *k))
    {
        let unit = unit_of(c.baseline.summary, ch.name);
        let (text, ci) = change_text(ch, unit, cur);
        let (class, words) = verdict(ch);
        let _ = write!(
            out,
            "<div class=\"card\"><div class=\"k\">{}</div><div class=\"sub\">{} → {}</div><div class=\"big\">{}</div><div class=\"sub\">95% CI {}</div><div class=\"v {class}\">{words}</div></div>",
            escape(label(ch.name)),
            escape(&value(ch.baseline.mean, unit, cur)),
            escape(&value(ch.variant.mean, unit, cur)),
            escape(&text),
            escape(&ci),
        );
    }
    out.push_str("</div>");
}

pub fn cell(e: &Estimate, unit: Unit, cur: &str) -> String {
    format!(
        "<td class=\"num\">{}<div class=\"ci\">{}</div></td>",
        escape(&value(e.mean, unit, cur)),
        escape(&interval(e, unit, cur))
    )
}

/// Every compared metric: both sides with intervals, change, verdict.
pub fn compare_table(out: &mut String, c: &Comparison, labels: [&str; 2], cur: &str) {
    let _ = write!(
        out,
        "<table class=\"metrics\"><thead><tr><th>metric</th><th>{}<div class=\"ci\">mean, 95% CI</div></th><th>{}<div class=\"ci\">mean, 95% CI</div></th><th>change</th><th>95% CI of the change</th><th>verdict</th></tr></thead><tbody>",
        escape(labels[0]),
        escape(labels[1])
    );
    for ch in c.changes {
        let unit = unit_of(c.baseline.summary, ch.name);
        let (text, ci) = change_text(ch, unit, cur);
        let (class, words) = verdict(ch);
        let _ = write!(
            out,
            "<tr><th>{}<div class=\"ci\">{}</div></th>{}{}<td class=\"num\">{}</td><td class=\"num\">{}</td><td><span class=\"v {class}\">{words}</span></td></tr>",
            escape(label(ch.name)),
            escape(&meaning(ch.name, cur)),
            cell(&ch.baseline, unit, cur),
            cell(&ch.variant, unit, cur),
            escape(&text),
            escape(&ci)
        );
    }
    out.push_str("</tbody></table>");
}

/// Percentiles of time in port per series, under the distribution chart:
/// each the mean of the replications' own percentiles, with its 95% CI.
pub fn percentile_table(out: &mut String, series: &[Series]) {
    out.push_str("<table class=\"metrics compact\"><thead><tr><th></th><th>trucks that left</th><th>mean</th><th>p50</th><th>p90</th><th>p95</th><th>p99</th><th>longest</th></tr></thead><tbody>");
    for s in series {
        let Some(m) = s.summary.metric("time_in_port_s") else {
            continue;
        };
        let cleared = s
            .summary
            .metric("trucks_cleared")
            .map_or(f64::NAN, |c| c.estimate.mean);
        let cell = |e: &Estimate| {
            let ci = interval(e, Unit::Seconds, "");
            format!(
                "<td class=\"num\">{}<div class=\"ci\">{}</div></td>",
                escape(&value(e.mean, Unit::Seconds, "")),
                escape(&ci)
            )
        };
        let _ = write!(
            out,
            "<tr><th>{}</th><td class=\"num\">{}</td>{}",
            escape(s.label),
            number(cleared, 0),
            cell(&m.estimate)
        );
        if let Some(p) = m.percentiles.as_deref() {
            for (_, pm) in p.each() {
                out.push_str(&cell(&pm.estimate));
            }
            let _ = write!(
                out,
                "<td class=\"num\">{}</td>",
                escape(&value(p.max, Unit::Seconds, ""))
            );
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
}

/// Demand, capacity and status per stage: which stages cannot keep up,
/// which are bound by a daily limit, and the bottleneck.
pub fn stage_table(out: &mut String, s: &Summary) {
    use crate::experiment::stability::Bound;
    out.push_str("<table class=\"metrics compact\"><thead><tr><th>stage</th><th>demand /day</th><th>capacity /day</th><th>load</th><th>utilisation</th><th>overtime lane-h /day</th><th>status</th></tr></thead><tbody>");
    let bottleneck = s.bottleneck();
    for (i, st) in s.stages.iter().enumerate() {
        let f = &st.flow;
        let status = match (f.unstable, f.bound) {
            (Some(u), Bound::DailyLimit(l)) => format!(
                "cannot keep up: short ~{}/day (daily limit {l})",
                number(u.shortfall_per_day, 0)
            ),
            (Some(u), Bound::Lanes) => format!(
                "cannot keep up: short ~{}/day",
                number(u.shortfall_per_day, 0)
            ),
            (Some(u), Bound::Pool(_)) => format!(
                "cannot keep up: short ~{}/day (shared pool)",
                number(u.shortfall_per_day, 0)
            ),
            (None, Bound::DailyLimit(l)) => format!("limit-bound ({l}/day)"),
            (None, Bound::Pool(_)) => "keeps up (shared pool)".to_owned(),
            (None, Bound::Lanes) => "keeps up".to_owned(),
        };
        let mark = if Some(i) == bottleneck {
            " (bottleneck)"
        } else {
            ""
        };
        let class = if f.unstable.is_some() {
            " class=\"bad\""
        } else {
            ""
        };
        let _ = write!(
            out,
            "<tr{class}><th>{}{mark}</th><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}%</td><td class=\"num\">{}%</td><td class=\"num\">{}</td><td>{}</td></tr>",
            escape(&st.name),
            number(f.demand_per_day.mean, 0),
            number(f.capacity_per_day, 0),
            number(100.0 * f.load.mean, 0),
            number(100.0 * st.utilization.mean, 1),
            number(st.overtime_per_day.mean, 1),
            escape(&status)
        );
    }
    out.push_str("</tbody></table>");
}

/// One cell of the provenance table: HTML from a scenario and its results.
type Cell<'a> = dyn Fn(&Scenario, &Summary) -> String + 'a;

/// The footer that traces a page back to its inputs.
pub fn provenance(out: &mut String, sides: &[(&str, &Scenario, &Summary)], manifest: &Manifest) {
    out.push_str("<footer><h2>About this report</h2><table class=\"prov\"><thead><tr><th></th>");
    for (which, _, _) in sides {
        let _ = write!(out, "<th>{}</th>", escape(which));
    }
    out.push_str("</tr></thead><tbody>");
    let rows: [(&str, &Cell); 7] = [
        ("scenario", &|s, _| escape(&s.name)),
        ("description", &|s, _| escape(&s.description)),
        ("file", &|s, _| {
            format!("<code>{}</code>", escape(&s.source.display().to_string()))
        }),
        ("scenario hash (SHA-256)", &|s, _| {
            format!("<code class=\"hash\">{}</code>", scenario_hash(s))
        }),
        ("measured period", &|s, _| {
            format!("{} after {} of warm-up", days(s.horizon), days(s.warmup))
        }),
        ("seed", &|_, _| manifest.seed.to_string()),
        ("replications", &|_, sum| {
            format!(
                "{} of {} requested",
                sum.replications, manifest.replications
            )
        }),
    ];
    for (name, f) in rows {
        let _ = write!(out, "<tr><th>{name}</th>");
        for (_, s, sum) in sides {
            let _ = write!(out, "<td>{}</td>", f(s, sum));
        }
        out.push_str("</tr>");
    }
    let _ = write!(
        out,
        "</tbody></table><p>Made by portsim {}. Every figure is a mean over independent replications with a 95% confidence interval (Student t). Run the same scenario files with the same seed and portsim version to get the same numbers; the scenario hash identifies the fully resolved scenario.</p></footer>",
        escape(manifest.version)
    );
}

/// Shapley values, shares and main effects per metric and intervention.
pub fn attribution(out: &mut String, a: &Attributions, units: &Summary, cur: &str) {
    let fmt = |m: &str, x: f64| signed(value(x, unit_of(units, m), cur), x);
    out.push_str("<table class=\"metrics compact\"><thead><tr><th>metric</th><th>intervention</th><th>share</th><th>Shapley value (95% CI)</th><th>main effect (95% CI)</th></tr></thead><tbody>");
    for (m, att) in a.metrics {
        let est = |e: &Estimate| {
            let ci = e.ci95.map_or(String::new(), |[lo, hi]| {
                format!(" [{}, {}]", fmt(m, lo), fmt(m, hi))
            });
            escape(&format!("{}{ci}", fmt(m, e.mean)))
        };
        for (j, name) in a.names.iter().enumerate() {
            let _ = write!(
                out,
                "<tr><th>{}</th><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                escape(label(m)),
                escape(name),
                if att.share_pct[j].is_finite() {
                    format!("{}%", number(att.share_pct[j], 1))
                } else {
                    "n/a (no combined change to share)".to_owned()
                },
                est(&att.shapley[j]),
                est(&att.main_effects[j]),
            );
        }
        let _ = write!(
            out,
            "<tr class=\"total\"><th>{}</th><td>all together</td><td class=\"num\">100%</td><td class=\"num\">{}</td><td class=\"unit\">{}</td></tr>",
            escape(label(m)),
            est(&att.combined),
            escape(&meaning(m, cur)),
        );
    }
    out.push_str("</tbody></table>");
}
