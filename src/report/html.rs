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
//! Pages are built from the shared pieces of [`page`] (maud templates,
//! escaping by default); this file arranges them.
//!
//! The page opens with what was run (name, description, seed,
//! replications, portsim version, scenario hash), then the headline
//! metrics with their 95% intervals (for a comparison: both sides, the
//! change with its interval and the verdict), then charts over days, hours
//! of the day, the distribution of time in port and the stages, an
//! attribution to interventions when there is one, and a footer that
//! traces the page back to its inputs. An attribution's page opens with
//! its answer instead: a sentence per metric and the chart of the shares
//! come before the comparison, the terms and the method (folded under
//! "How this is computed") after it.

pub mod charts;
mod inputs;
pub mod page;
mod tables;
#[cfg(test)]
mod tests;
mod time;

use self::charts::Series;
use self::page::{Ids, Markup, figure, html, notice_list, section};
use super::json::{Manifest, scenario_hash};
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
    /// Their files, in the same order.
    pub files: &'a [std::path::PathBuf],
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
    /// What differs between the sides besides their ports
    /// ([`crate::experiment::unlike::Differences::line`]).
    pub differences: &'a str,
    /// Shapley shares, for `compare --intervention`.
    pub attribution: Option<Attributions<'a>>,
}

fn currency(s: &Scenario) -> &str {
    &s.costs.currency
}

/// Notices about interrupted runs, warnings, findings (their names in
/// `<code>`) and runaway replications.
fn notice_items(
    complete: bool,
    warnings: &[String],
    summaries: &[(&str, &Summary)],
) -> Vec<Markup> {
    let mut items: Vec<Markup> = Vec::new();
    if !complete {
        items.push(html! { "Incomplete: not every requested replication counts (interrupted, or stopped by the runaway guard), so intervals are wider than planned." });
    }
    items.extend(warnings.iter().map(|w| html! { "Warning: " (w) }));
    for (which, s) in summaries {
        items.extend(crate::experiment::findings::of(s).iter().map(|f| {
            html! { (which) ": finding: " (super::findings::words(f).markup()) "." }
        }));
        for (i, r) in &s.stopped {
            items.push(html! { (format!(
                "{which}: replication {i} was stopped at day {:.1} with {} trucks in the system ({}); it is left out of every figure.",
                r.at as f64 / DAY as f64,
                r.in_system,
                r.reason,
            )) });
        }
    }
    items
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

/// A figure's title: `what`, prefixed with the series' label when there
/// is more than one series.
fn titled(series: &[Series], s: &Series, what: &str) -> String {
    if series.len() == 1 {
        what.to_owned()
    } else {
        format!("{}: {}", s.label, what.to_lowercase())
    }
}

/// The charts every page has: days, hours, time in port, stages.
fn chart_sections(ids: &mut Ids, series: &[Series]) -> Markup {
    let turned_away: f64 = series
        .iter()
        .filter_map(|s| s.summary.metric("trucks_turned_away"))
        .map(|m| m.estimate.mean)
        .sum();
    let top = charts::hourly_top(series);
    let scale = charts::stage_scale(series);
    html! {
        (section(
            "Departures over the measured period",
            "Trucks leaving the port each day: the mean over replications, with its 95% confidence interval as a band.",
        ))
        (figure("Daily departures", charts::daily(&ids.fresh(), series), None))

        (section(
            "Hour of day",
            "When trucks arrive, when they leave and how many wait, averaged over the days of the measured period. Shaded hours are when the gate admits no trucks, on every day of the week.",
        ))
        div.grid2 {
            @for s in series {
                (figure(&titled(series, s, "Arrivals and departures"), charts::hourly_flow(&ids.fresh(), s, top), None))
            }
            @if series.len() == 1 {
                (figure("Trucks waiting", charts::hourly_waiting(&ids.fresh(), series, charts::HALF), None))
            }
        }
        @if series.len() > 1 {
            (figure(
                "Trucks waiting (road queue and stage queues)",
                charts::hourly_waiting(&ids.fresh(), series, charts::FULL),
                None,
            ))
        }

        (section(
            "Time in port",
            "The share of the trucks that left the port within a given time after arriving, pooled over all replications. Markers show the median (p50) and the 95th percentile (p95); the axis ends near the 99th percentile. The table gives each percentile as the mean of the replications' own percentiles, with its 95% confidence interval.",
        ))
        (figure(
            "Distribution of time in port",
            charts::time_in_port(&ids.fresh(), series),
            (turned_away > 0.0).then(|| html! {
                "Trucks turned away at a full road queue never enter the port and are not counted here."
            }),
        ))
        (tables::percentile_table(series))

        (section(
            "Stages",
            "Lane utilisation is the share of on-duty lane time spent serving trucks, never above 100% (finishing a truck after closing is overtime). Load is demand (the visits of the trucks that stayed to be served: those that left before their first service are not demand) over capacity; the bottleneck, the stage with the highest load, is drawn solid. A stage cannot keep up when its load reaches 100%, and the bottleneck also when the trucks that left for want of room would have taken it there. Whiskers are 95% confidence intervals.",
        ))
        @for s in series {
            @let busiest = s.summary.bottleneck().and_then(|i| s.summary.stages.get(i));
            (figure(
                &titled(series, s, "Utilisation and mean wait per stage"),
                charts::stages(&ids.fresh(), s, scale),
                busiest.map(|st| html! { "Bottleneck: " strong { (st.name) } "." }),
            ))
            @if series.len() > 1 { p.note { (s.label) } }
            (tables::stage_table(s.summary))
        }
    }
}

/// What an attribution page opens with: a sentence per metric
/// ([`super::shares::sentences`], the same as the terminal's) and the
/// chart of the shares.
fn attribution_summary(
    ids: &mut Ids,
    a: &Attributions,
    changes: &[Change],
    units: &Summary,
    cur: &str,
) -> Markup {
    let fmt = |m: &str, x: f64| {
        tables::signed(super::format::value(x, tables::unit_of(units, m), cur), x)
    };
    let sentences = super::shares::sentences(a.names, a.metrics, changes, units, cur);
    html! {
        (section(
            "Which intervention did the work",
            "The change from the baseline to all interventions together, shared out among the interventions. How it is computed, and every term, follow the comparison below.",
        ))
        @if a.metrics.is_empty() {
            p.note { "With more than four interventions only each one alone and all together are run, which does not identify Shapley shares." }
        } @else {
            ul.summary #attribution-summary {
                @for s in &sentences { li { (s) } }
            }
            (figure("Shapley share of the combined change", charts::shapley(&ids.fresh(), a.names, a.metrics, &fmt), None))
        }
    }
}

/// The attribution in full: every term and share per metric, with the
/// method folded away under "How this is computed".
fn attribution_section(a: &Attributions, changes: &[Change], units: &Summary, cur: &str) -> Markup {
    html! {
        (section(
            "The attribution in full",
            "Per metric, the terms that add up to the combined change and each intervention's share, with 95% intervals.",
        ))
        details.method #method {
            summary { "How this is computed" }
            p { "The change from the baseline to all interventions together, taken apart: each intervention alone, then the extra change each combination brings beyond its parts. Every term is shown, so the terms add up to the combined change. An intervention's Shapley value gives it its terms, each shared equally among the interventions in it (its average marginal effect over every order of introducing them); its share is that value over the combined change, and shares add up to 100%. A negative share means the intervention worked against the combined change. Main effects average an intervention's effect over the settings of the others. Intervals are 95% (Student t over paired replications; for shares, the delta method for a ratio)." }
        }
        @if !a.metrics.is_empty() {
            (tables::attribution(a, changes, units, cur))
        }
    }
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
    let mut ids = Ids::default();
    let series = [Series {
        label: "this scenario",
        scenario,
        summary: s,
        style: VARIANT,
    }];
    let body = html! {
        (page::header("portsim simulation report", &scenario.name, html! {
            p.desc { (scenario.description) }
            p.meta { (meta_line(scenario, s, manifest)) }
        }))
        (notice_list(&notice_items(output.complete, warnings, &[("run", s)])))
        (section("Headline results", "Means over replications with 95% confidence intervals."))
        (tables::run_cards(s, cur))
        (tables::run_table(scenario, s, cur))
        (inputs::classes(s, cur))
        (time::time_breakdown(s))
        (inputs::costs(scenario, s, cur))
        (inputs::inputs(scenario))
        (chart_sections(&mut ids, &series))
        (inputs::definitions(&|k| crate::report::table::shown(scenario, k)))
        (tables::provenance(&[("scenario", scenario, s)], manifest))
    };
    page::document(&scenario.name, "", body)
}

/// The variant's name; for an attribution, the baseline's with the
/// interventions applied.
fn variant_name(c: &Comparison) -> String {
    match &c.attribution {
        Some(a) => format!("{} + {}", c.variant.scenario.name, a.names.join(" + ")),
        None => c.variant.scenario.name.clone(),
    }
}

/// The variant's description; for an attribution, what was applied.
fn variant_description(c: &Comparison) -> String {
    match &c.attribution {
        Some(a) => format!(
            "the baseline with every intervention applied: {}",
            a.names.join(", ")
        ),
        None => c.variant.scenario.description.clone(),
    }
}

/// The variant's file; for an attribution, the baseline's and each
/// intervention's.
fn variant_file(c: &Comparison) -> std::path::PathBuf {
    match &c.attribution {
        Some(a) => {
            let mut files = vec![c.baseline.scenario.source.display().to_string()];
            files.extend(a.files.iter().map(|f| f.display().to_string()));
            files.join(" + ").into()
        }
        None => c.variant.scenario.source.clone(),
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
    let title = match &c.attribution {
        Some(a) => format!("{}: {}", b.scenario.name, a.names.join(", ")),
        None => format!("{} vs {}", v.scenario.name, b.scenario.name),
    };
    let kicker = if c.attribution.is_some() {
        "portsim attribution report"
    } else {
        "portsim comparison report"
    };
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
    let named = Scenario {
        name: variant_name(c),
        description: variant_description(c),
        source: variant_file(c),
        ..v.scenario.clone()
    };
    let mut ids = Ids::default();
    let body = html! {
        (page::header(kicker, &title, html! {
            dl.sides {
                dt { span class={ "key k" (BASELINE) } {} (labels[0]) }
                dd { strong { (b.scenario.name) } " — " (b.scenario.description) }
                dt { span class={ "key k" (VARIANT) } {} (labels[1]) }
                dd { strong { (variant_name(c)) } " — " (variant_description(c)) }
            }
            p.meta { (meta_line(b.scenario, b.summary, c.manifest)) }
            p.meta { (c.differences) }
        }))
        (notice_list(&notice_items(c.complete, &[], &[(labels[0], b.summary), (labels[1], v.summary)])))
        @if let Some(a) = &c.attribution {
            (attribution_summary(&mut ids, a, c.changes, b.summary, cur))
        }
        (section(
            "Headline results",
            "Both sides ran with the same seed and common random numbers: replication i of each sees the same arrivals and service draws, so the change and its 95% confidence interval come from paired differences. A verdict needs the interval of the change to exclude zero.",
        ))
        (tables::compare_cards(c, cur))
        (tables::compare_table(c, labels, cur))
        (time::part_changes(&crate::experiment::compare::part_changes(b.summary, v.summary), labels))
        (chart_sections(&mut ids, &series))
        @if let Some(a) = &c.attribution {
            (attribution_section(a, c.changes, b.summary, cur))
        }
        (inputs::definitions(&|k| {
            crate::report::table::shown(b.scenario, k) || crate::report::table::shown(v.scenario, k)
        }))
        (tables::provenance(&[(labels[0], b.scenario, b.summary), (labels[1], &named, v.summary)], c.manifest))
    };
    page::document(&title, "", body)
}
