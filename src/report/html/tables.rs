//! The report's tables and cards: headline metrics with their intervals
//! and units, compared metrics with verdicts, percentiles, Shapley shares,
//! and the provenance footer. Numbers go through [`crate::report::format`],
//! so they read as in the terminal table; user text is escaped by the
//! templates ([`super::page`]).

use super::charts::Series;
use super::page::{Card, Markup, cards, html};
use super::{Attributions, Comparison};
use crate::engine::time::DAY;
use crate::experiment::attribution::Attribution;
use crate::experiment::compare::{Change, Verdict};
use crate::experiment::estimate::Estimate;
use crate::experiment::summary::{Summary, Unit};
use crate::report::format::{Scale, duration, fixed, interval, number, signed_fixed, value};
use crate::report::json::{Manifest, scenario_hash};
use crate::report::table::{label, row_scale};
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
        "trucks_diverted" => "went elsewhere: queue beyond tolerance (per replication)".into(),
        "trucks_reneged" => "left a queue after waiting past patience (per replication)".into(),
        "offsite_wait_s" => "registered off site until called, per truck that left".into(),
        "door_to_exit_s" => "registration (or arrival) to exit, per truck that left".into(),
        // Anything else: its definition, never its raw key.
        other => crate::report::definitions::of(other)
            .map_or_else(|| label(other).to_owned(), |d| d.meaning.to_owned()),
    }
}

pub fn verdict(c: &Change) -> (&'static str, &'static str) {
    match c.verdict() {
        Verdict::Improved => ("improved", "✓ improved"),
        Verdict::Worsened => ("worsened", "✗ worsened"),
        Verdict::Changed => ("changed", "≠ changed"),
        Verdict::NoSignificantChange => ("none", "○ no significant change"),
        Verdict::NotCompared => ("none", "not compared"),
    }
}

pub fn signed(text: String, x: f64) -> String {
    crate::report::format::sign(text, x)
}

/// The change as text and its interval: relative when the baseline is
/// not zero, absolute otherwise.
pub fn change_text(c: &Change, unit: Unit, cur: &str) -> (String, String) {
    if c.change_pct.mean.is_finite() && c.change_pct.n > 0 {
        let ci = c.change_pct.ci95.map_or("n/a".into(), |[lo, hi]| {
            format!("{}% to {}%", signed_fixed(lo, 1), signed_fixed(hi, 1))
        });
        (format!("{}%", signed_fixed(c.change_pct.mean, 1)), ci)
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
pub fn run_cards(s: &Summary, cur: &str) -> Markup {
    let list: Vec<Card> = KEY
        .iter()
        .filter_map(|k| s.metric(k))
        .map(|m| {
            let (p50, p95) = percentile_text(s, m.name);
            let mut below = vec![format!("95% CI {}", interval(&m.estimate, m.unit, cur))];
            if !p50.is_empty() {
                below.push(format!("median {p50} · p95 {p95}"));
            }
            Card {
                label: label(m.name).to_owned(),
                big: value(m.estimate.mean, m.unit, cur),
                below,
                ..Card::default()
            }
        })
        .collect();
    cards(&list)
}

/// The full table of a run's headline metrics.
pub fn run_table(scenario: &Scenario, s: &Summary, cur: &str) -> Markup {
    let shown = s
        .metrics
        .iter()
        .filter(|m| crate::report::table::shown(scenario, m.name));
    html! {
        table.metrics {
            thead { tr {
                th { "metric" } th { "mean" } th { "95% CI" } th { "median (p50), 95% CI" }
                th { "p95, 95% CI" } th { "measured as" }
            } }
            tbody {
                @for m in shown {
                    @let (p50, p95) = percentile_text(s, m.name);
                    tr {
                        th { (label(m.name)) }
                        td.num { (value(m.estimate.mean, m.unit, cur)) }
                        td.num { (interval(&m.estimate, m.unit, cur)) }
                        td.num { (p50) }
                        td.num { (p95) }
                        td.unit { (meaning(m.name, cur)) }
                    }
                }
            }
        }
    }
}

/// Key changes as cards: baseline → variant, the change and the verdict.
pub fn compare_cards(c: &Comparison, cur: &str) -> Markup {
    let list: Vec<Card> = KEY
        .iter()
        .filter_map(|k| c.changes.iter().find(|ch| ch.name == *k))
        .map(|ch| {
            let unit = unit_of(c.baseline.summary, ch.name);
            let (text, ci) = change_text(ch, unit, cur);
            Card {
                label: label(ch.name).to_owned(),
                above: vec![format!(
                    "{} → {}",
                    value(ch.baseline.mean, unit, cur),
                    value(ch.variant.mean, unit, cur)
                )],
                big: text,
                below: vec![format!("95% CI {ci}")],
                badge: Some(verdict(ch)),
            }
        })
        .collect();
    cards(&list)
}

/// A number with its interval below it.
pub fn cell(e: &Estimate, unit: Unit, cur: &str) -> Markup {
    html! {
        td.num { (value(e.mean, unit, cur)) div.ci { (interval(e, unit, cur)) } }
    }
}

/// Every compared metric: both sides with intervals, change, verdict.
pub fn compare_table(c: &Comparison, labels: [&str; 2], cur: &str) -> Markup {
    html! {
        table.metrics {
            thead { tr {
                th { "metric" }
                th { (labels[0]) div.ci { "mean, 95% CI" } }
                th { (labels[1]) div.ci { "mean, 95% CI" } }
                th { "change" } th { "95% CI of the change" } th { "verdict" }
            } }
            tbody {
                @for ch in c.changes {
                    @let unit = unit_of(c.baseline.summary, ch.name);
                    @let (text, ci) = change_text(ch, unit, cur);
                    @let (class, words) = verdict(ch);
                    tr {
                        th { (label(ch.name)) div.ci { (meaning(ch.name, cur)) } }
                        (cell(&ch.baseline, unit, cur))
                        (cell(&ch.variant, unit, cur))
                        td.num { (text) }
                        td.num { (ci) }
                        td { span class={ "v " (class) } { (words) } }
                    }
                }
            }
        }
    }
}

/// Percentiles of time in port per series, under the distribution chart:
/// each the mean of the replications' own percentiles, with its 95% CI.
pub fn percentile_table(series: &[Series]) -> Markup {
    let rows: Vec<_> = series
        .iter()
        .filter_map(|s| Some((s, s.summary.metric("time_in_port_s")?)))
        .collect();
    html! {
        table.metrics.compact {
            thead { tr {
                th {} th { "trucks that left" } th { "mean" } th { "p50" } th { "p90" }
                th { "p95" } th { "p99" } th { "longest" }
            } }
            tbody {
                @for (s, m) in rows {
                    @let cleared = s.summary.metric("trucks_cleared").map_or(f64::NAN, |c| c.estimate.mean);
                    tr {
                        th { (s.label) }
                        td.num { (number(cleared, 0)) }
                        (cell(&m.estimate, Unit::Seconds, ""))
                        @if let Some(p) = m.percentiles.as_deref() {
                            @for (_, pm) in p.each() { (cell(&pm.estimate, Unit::Seconds, "")) }
                            td.num { (value(p.max, Unit::Seconds, "")) }
                        }
                    }
                }
            }
        }
    }
}

/// A stage's status in words.
fn stage_status(f: &crate::experiment::stability::StageFlow) -> String {
    use crate::experiment::stability::Bound;
    match (f.unstable, f.bound) {
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
    }
}

/// Demand, capacity and status per stage: which stages cannot keep up,
/// which are bound by a daily limit, and the bottleneck.
pub fn stage_table(s: &Summary) -> Markup {
    let bottleneck = s.bottleneck();
    html! {
        table.metrics.compact {
            thead { tr {
                th { "stage" } th { "demand /day" } th { "capacity /day" } th { "load" }
                th { "utilisation" } th { "overtime lane-h /day" } th { "status" }
            } }
            tbody {
                @for (i, st) in s.stages.iter().enumerate() {
                    @let f = &st.flow;
                    tr class=[f.unstable.is_some().then_some("bad")] {
                        th { (st.name) @if Some(i) == bottleneck { " (bottleneck)" } }
                        td.num { (number(f.demand_per_day.mean, 0)) }
                        td.num { (number(f.capacity_per_day, 0)) }
                        td.num { (number(100.0 * f.load.mean, 0)) "%" }
                        td.num { (number(100.0 * st.utilization.mean, 1)) "%" }
                        td.num { (number(st.overtime_per_day.mean, 1)) }
                        td { (stage_status(f)) }
                    }
                }
            }
        }
    }
}

/// One cell of the provenance table, from a scenario and its results.
type Cell<'a> = dyn Fn(&Scenario, &Summary) -> Markup + 'a;

/// The footer that traces a page back to its inputs.
pub fn provenance(sides: &[(&str, &Scenario, &Summary)], manifest: &Manifest) -> Markup {
    let rows: [(&str, &Cell); 7] = [
        ("scenario", &|s, _| html! { (s.name) }),
        ("description", &|s, _| html! { (s.description) }),
        (
            "file",
            &|s, _| html! { code { (s.source.display().to_string()) } },
        ),
        (
            "scenario hash (SHA-256)",
            &|s, _| html! { code.hash { (scenario_hash(s)) } },
        ),
        ("measured period", &|s, _| {
            html! { (days(s.horizon)) " after " (days(s.warmup)) " of warm-up" }
        }),
        ("seed", &|_, _| html! { (manifest.seed) }),
        ("replications", &|_, sum| {
            html! { (sum.replications) " of " (manifest.replications) " requested" }
        }),
    ];
    html! {
        footer {
            h2 { "About this report" }
            table.prov {
                thead { tr { th {} @for (which, _, _) in sides { th { (which) } } } }
                tbody {
                    @for (name, f) in rows {
                        tr { th { (name) } @for (_, s, sum) in sides { td { (f(s, sum)) } } }
                    }
                }
            }
            p {
                "Made by portsim " (manifest.version) ". Every figure is a mean over independent replications with a 95% confidence interval (Student t). Run the same scenario files with the same seed and portsim version to get the same numbers; the scenario hash identifies the fully resolved scenario."
            }
        }
    }
}

/// The scale of a metric's row in the comparison, for its attribution.
fn attribution_scale<'a>(
    m: &str,
    a: &Attribution,
    changes: &[Change],
    units: &Summary,
    cur: &'a str,
) -> Scale<'a> {
    let unit = unit_of(units, m);
    match changes.iter().find(|c| c.name == m) {
        Some(c) => row_scale(c, unit, cur),
        None => Scale::new(unit, a.combined.mean, cur),
    }
}

/// Per metric: how the combined change adds up (every term, with its 95%
/// interval), then each intervention's Shapley share, Shapley value and
/// main effect, all in the unit of the metric's row in the comparison.
pub fn attribution(a: &Attributions, changes: &[Change], units: &Summary, cur: &str) -> Markup {
    let est = |scale: &Scale, e: &Estimate| {
        format!("{} {}", scale.signed(e.mean), scale.signed_interval(e.ci95))
    };
    let share = |e: &Estimate| match (e.mean.is_finite(), e.ci95) {
        (false, _) => "n/a (no combined change to share)".to_owned(),
        (true, Some([lo, hi])) => {
            format!(
                "{}% [{}%, {}%]",
                fixed(e.mean, 1),
                fixed(lo, 1),
                fixed(hi, 1)
            )
        }
        (true, None) => format!(
            "{}% (no interval: the combined change is not significant)",
            fixed(e.mean, 1)
        ),
    };
    html! {
        @for (m, att) in a.metrics {
            @let scale = attribution_scale(m, att, changes, units, cur);
            h3 { (label(m)) ": combined change " (est(&scale, &att.combined)) }
            table.metrics.compact {
                thead { tr {
                    th { "how the change adds up" } th { "change (95% CI)" } th { "" }
                } }
                tbody {
                    @for (t, e) in &att.terms {
                        tr {
                            th { (crate::report::table::term_name(*t, a.names)) }
                            td.num { (est(&scale, e)) }
                            td { (crate::report::table::significance(e, &scale)) }
                        }
                    }
                    tr.total { th { "= combined change" } td.num { (scale.signed(att.combined.mean)) } td {} }
                }
            }
            table.metrics.compact {
                thead { tr {
                    th { "intervention" } th { "Shapley share (95% CI)" }
                    th { "Shapley value (95% CI)" } th { "main effect (95% CI)" }
                } }
                tbody {
                    @for (j, name) in a.names.iter().enumerate() {
                        tr {
                            th { (name) }
                            td.num { (att.shares.get(j).map_or(String::new(), share)) }
                            td.num { (att.shapley.get(j).map_or(String::new(), |e| est(&scale, e))) }
                            td.num { (att.main_effects.get(j).map_or(String::new(), |e| est(&scale, e))) }
                        }
                    }
                }
            }
        }
    }
}
