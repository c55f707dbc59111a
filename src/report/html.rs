//! The visual report: one self-contained HTML page per run or comparison.
//!
//! Policy teams read results in a browser or on paper, often on machines
//! without network access, so the page carries everything inline: its CSS
//! in a `<style>`, its charts as SVG drawn in Rust ([`super::svg`],
//! [`charts`]), no JavaScript, and no reference to any URL. It is a pure
//! function of the results, free of timestamps, wall-clock times and thread
//! counts, so the same results give the same bytes and a page can be
//! archived and diffed next to its JSON. Every piece of user text
//! (scenario names and descriptions, stage and intervention names) is
//! escaped. Only aggregates go in (per-day and per-hour means, pooled
//! histogram bins, per-stage estimates), so a year-long run with many
//! replications still makes a page of a few hundred kilobytes.
//!
//! The page opens with what was run (name, description, seed,
//! replications, portsim version, scenario hash), then the headline
//! metrics with their 95% intervals (for a comparison: both sides, the
//! change with its interval and the verdict), then charts over days, hours
//! of the day, the distribution of time in port and the stages, an
//! attribution to interventions when there is one, and a footer that
//! traces the page back to its inputs.

pub mod charts;
mod tables;
#[cfg(test)]
mod tests;

use std::fmt::Write;

use self::charts::Series;
use super::format::value;
use super::json::{Manifest, scenario_hash};
use super::svg::escape;
use crate::engine::time::DAY;
use crate::experiment::attribution::Attribution;
use crate::experiment::compare::Change;
use crate::experiment::run::RunOutput;
use crate::experiment::summary::Summary;
use crate::scenario::Scenario;

/// Style index of the baseline and the variant (or a single run).
const BASELINE: usize = 1;
const VARIANT: usize = 0;

/// One side of a comparison.
#[derive(Clone, Copy, Debug)]
pub struct Side<'a> {
    /// The scenario as run.
    pub scenario: &'a Scenario,
    /// Its results.
    pub summary: &'a Summary,
}

/// Attribution of the combined change to interventions.
#[derive(Clone, Copy, Debug)]
pub struct Attributions<'a> {
    /// Intervention names, in factor order.
    pub names: &'a [String],
    /// Per metric, its attribution.
    pub metrics: &'a [(&'a str, Attribution)],
}

/// Everything a comparison page shows.
#[derive(Clone, Copy, Debug)]
pub struct Comparison<'a> {
    /// The baseline (no interventions, for an attribution).
    pub baseline: Side<'a>,
    /// The variant (all interventions, for an attribution).
    pub variant: Side<'a>,
    /// Headline metrics compared.
    pub changes: &'a [Change],
    /// Version, seed and replications.
    pub manifest: &'a Manifest,
    /// Whether every replication of every run completed.
    pub complete: bool,
    /// Shapley shares, for `compare --intervention`.
    pub attribution: Option<Attributions<'a>>,
}

/// A page being written: its body and a counter for unique chart ids.
#[derive(Default)]
struct Page {
    body: String,
    charts: usize,
}

impl Page {
    fn id(&mut self) -> String {
        self.charts += 1;
        format!("c{}", self.charts)
    }

    fn h2(&mut self, title: &str, intro: &str) {
        let _ = write!(self.body, "<h2>{}</h2>", escape(title));
        if !intro.is_empty() {
            let _ = write!(self.body, "<p class=\"intro\">{}</p>", escape(intro));
        }
    }

    /// A figure: a heading, one chart and an optional note (trusted HTML).
    fn figure(&mut self, title: &str, svg: &str, note_html: &str) {
        let _ = write!(
            self.body,
            "<figure><figcaption>{}</figcaption>{svg}",
            escape(title)
        );
        if !note_html.is_empty() {
            let _ = write!(self.body, "<p class=\"note\">{note_html}</p>");
        }
        self.body.push_str("</figure>");
    }
}

fn currency(s: &Scenario) -> &str {
    &s.costs.currency
}

/// Notices about interrupted runs, warnings and runaway replications.
fn notices(page: &mut Page, complete: bool, warnings: &[String], summaries: &[(&str, &Summary)]) {
    let mut items: Vec<String> = Vec::new();
    if !complete {
        items.push("Incomplete: not every requested replication counts (interrupted, or stopped by the runaway guard), so intervals are wider than planned.".into());
    }
    items.extend(warnings.iter().map(|w| format!("Warning: {w}")));
    for (which, s) in summaries {
        items.extend(
            s.findings()
                .iter()
                .map(|f| format!("{which}: finding: {f}.")),
        );
        for (i, r) in &s.stopped {
            items.push(format!(
                "{which}: replication {i} was stopped at day {:.1} with {} trucks in the system ({}); it is left out of every figure.",
                r.at as f64 / DAY as f64,
                r.in_system,
                r.reason,
            ));
        }
    }
    if items.is_empty() {
        return;
    }
    page.body
        .push_str("<div class=\"notice\" role=\"note\"><ul>");
    for item in items {
        let _ = write!(page.body, "<li>{}</li>", escape(&item));
    }
    page.body.push_str("</ul></div>");
}

/// The scenario line under a page's title.
fn meta_line(s: &Scenario, summary: &Summary, manifest: &Manifest) -> String {
    format!(
        "{} replications · {} measured after {} of warm-up · seed {} · portsim {} · scenario {}",
        summary.replications,
        tables::days(s.horizon),
        tables::days(s.warmup),
        manifest.seed,
        manifest.version,
        &scenario_hash(s)[..12]
    )
}

/// The charts every page has: days, hours, time in port, stages.
fn chart_sections(page: &mut Page, series: &[Series]) {
    page.h2(
        "Departures over the measured period",
        "Trucks leaving the port each day: the mean over replications, with its 95% confidence interval as a band.",
    );
    let id = page.id();
    page.figure("Daily departures", &charts::daily(&id, series), "");

    page.h2(
        "Hour of day",
        "When trucks arrive, when they leave and how many wait, averaged over the days of the measured period. Shaded hours are when the gate admits no trucks, on every day of the week.",
    );
    let top = charts::hourly_top(series);
    page.body.push_str("<div class=\"grid2\">");
    let titled = |s: &Series, what: &str| {
        if series.len() == 1 {
            what.to_owned()
        } else {
            format!("{}: {}", s.label, what.to_lowercase())
        }
    };
    for s in series {
        let id = page.id();
        let title = titled(s, "Arrivals and departures");
        page.figure(&title, &charts::hourly_flow(&id, s, top), "");
    }
    if series.len() == 1 {
        let id = page.id();
        let svg = charts::hourly_waiting(&id, series, charts::HALF);
        page.figure("Trucks waiting", &svg, "");
    }
    page.body.push_str("</div>");
    if series.len() > 1 {
        let id = page.id();
        let svg = charts::hourly_waiting(&id, series, charts::FULL);
        page.figure("Trucks waiting (road queue and stage queues)", &svg, "");
    }

    page.h2(
        "Time in port",
        "The share of the trucks that left the port within a given time after arriving, pooled over all replications. Markers show the median (p50) and the 95th percentile (p95); the axis ends near the 99th percentile. The table gives each percentile as the mean of the replications' own percentiles, with its 95% confidence interval.",
    );
    let id = page.id();
    let turned_away: f64 = series
        .iter()
        .filter_map(|s| s.summary.metric("trucks_turned_away"))
        .map(|m| m.estimate.mean)
        .sum();
    let note = if turned_away > 0.0 {
        "Trucks turned away at a full road queue never enter the port and are not counted here."
    } else {
        ""
    };
    page.figure(
        "Distribution of time in port",
        &charts::time_in_port(&id, series),
        note,
    );
    tables::percentile_table(&mut page.body, series);

    page.h2(
        "Stages",
        "Lane utilisation is the share of on-duty lane time spent serving trucks, never above 100% (finishing a truck after closing is overtime). Load is demand over capacity; the bottleneck, the stage with the highest load, is drawn solid. A stage cannot keep up when its load reaches 100%. Whiskers are 95% confidence intervals.",
    );
    let scale = charts::stage_scale(series);
    for s in series {
        let id = page.id();
        let busiest = s
            .summary
            .bottleneck()
            .and_then(|i| s.summary.stages.get(i))
            .map(|st| format!("Bottleneck: <strong>{}</strong>.", escape(&st.name)))
            .unwrap_or_default();
        let title = titled(s, "Utilisation and mean wait per stage");
        page.figure(&title, &charts::stages(&id, s, scale), &busiest);
        if series.len() > 1 {
            let _ = write!(page.body, "<p class=\"note\">{}</p>", escape(s.label));
        }
        tables::stage_table(&mut page.body, s.summary);
    }
}

/// Shapley shares per metric, as a chart and a table.
fn attribution_section(page: &mut Page, a: &Attributions, units: &Summary, cur: &str) {
    page.h2(
        "Which intervention did the work",
        "Each intervention's Shapley share of the change from the baseline to all interventions together: its average marginal effect over every order of introducing them. Shares add up to 100%; a negative share means the intervention worked against the combined change.",
    );
    if a.metrics.is_empty() {
        page.body.push_str("<p class=\"note\">With more than four interventions only each one alone and all together are run, which does not identify Shapley shares.</p>");
        return;
    }
    let fmt = |m: &str, x: f64| tables::signed(value(x, tables::unit_of(units, m), cur), x);
    let id = page.id();
    let svg = charts::shapley(&id, a.names, a.metrics, &fmt);
    page.figure("Shapley share of the combined change", &svg, "");
    tables::attribution(&mut page.body, a, units, cur);
}

/// The page of `portsim run`.
pub fn run(
    scenario: &Scenario,
    output: &RunOutput,
    manifest: &Manifest,
    warnings: &[String],
) -> String {
    let s = &output.summary;
    let cur = currency(scenario);
    let mut page = Page::default();
    let _ = write!(
        page.body,
        "<header><p class=\"kicker\">portsim simulation report</p><h1>{}</h1><p class=\"desc\">{}</p><p class=\"meta\">{}</p></header>",
        escape(&scenario.name),
        escape(&scenario.description),
        escape(&meta_line(scenario, s, manifest))
    );
    notices(&mut page, output.complete, warnings, &[("run", s)]);
    page.h2(
        "Headline results",
        "Means over replications with 95% confidence intervals.",
    );
    tables::run_cards(&mut page.body, s, cur);
    tables::run_table(&mut page.body, scenario, s, cur);
    let series = [Series {
        label: "this scenario",
        scenario,
        summary: s,
        style: VARIANT,
    }];
    chart_sections(&mut page, &series);
    tables::provenance(&mut page.body, &[("scenario", scenario, s)], manifest);
    document(&scenario.name, &page.body)
}

/// The variant's name; for an attribution, the baseline's with the
/// interventions applied.
fn variant_name(c: &Comparison) -> String {
    match &c.attribution {
        Some(a) => format!("{} + {}", c.variant.scenario.name, a.names.join(" + ")),
        None => c.variant.scenario.name.clone(),
    }
}

/// The page of `portsim compare`, with the attribution when there is one.
pub fn compare(c: &Comparison) -> String {
    let (b, v) = (c.baseline, c.variant);
    let labels = if c.attribution.is_some() {
        ["baseline", "all interventions"]
    } else {
        ["baseline", "variant"]
    };
    let cur = currency(b.scenario);
    let mut page = Page::default();
    let title = match &c.attribution {
        Some(a) => format!("{}: {}", b.scenario.name, a.names.join(", ")),
        None => format!("{} vs {}", v.scenario.name, b.scenario.name),
    };
    let _ = write!(
        page.body,
        "<header><p class=\"kicker\">portsim {} report</p><h1>{}</h1><dl class=\"sides\"><dt><span class=\"key k{BASELINE}\"></span>{}</dt><dd><strong>{}</strong> — {}</dd><dt><span class=\"key k{VARIANT}\"></span>{}</dt><dd><strong>{}</strong> — {}</dd></dl><p class=\"meta\">{}</p></header>",
        if c.attribution.is_some() {
            "attribution"
        } else {
            "comparison"
        },
        escape(&title),
        escape(labels[0]),
        escape(&b.scenario.name),
        escape(&b.scenario.description),
        escape(labels[1]),
        escape(&variant_name(c)),
        escape(&v.scenario.description),
        escape(&meta_line(b.scenario, b.summary, c.manifest)),
    );
    notices(
        &mut page,
        c.complete,
        &[],
        &[(labels[0], b.summary), (labels[1], v.summary)],
    );
    page.h2(
        "Headline results",
        "Both sides ran with the same seed and common random numbers: replication i of each sees the same arrivals and service draws, so the change and its 95% confidence interval come from paired differences. A verdict needs the interval of the change to exclude zero.",
    );
    tables::compare_cards(&mut page.body, c, cur);
    tables::compare_table(&mut page.body, c, labels, cur);
    let series = [
        Series {
            label: labels[0],
            scenario: b.scenario,
            summary: b.summary,
            style: BASELINE,
        },
        Series {
            label: labels[1],
            scenario: v.scenario,
            summary: v.summary,
            style: VARIANT,
        },
    ];
    chart_sections(&mut page, &series);
    if let Some(a) = &c.attribution {
        attribution_section(&mut page, a, b.summary, cur);
    }
    let named = Scenario {
        name: variant_name(c),
        ..v.scenario.clone()
    };
    tables::provenance(
        &mut page.body,
        &[
            (labels[0], b.scenario, b.summary),
            (labels[1], &named, v.summary),
        ],
        c.manifest,
    );
    document(&title, &page.body)
}

/// The style sheet: screen and print, greys that survive photocopying.
const CSS: &str = include_str!("html/report.css");

/// Wraps a body into a complete document.
fn document(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><meta name=\"generator\" content=\"portsim\"><title>{}</title><style>{CSS}</style></head><body><main>{body}</main></body></html>\n",
        escape(title)
    )
}
