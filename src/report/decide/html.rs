//! Self-contained HTML pages of decision studies: the sweep's charts
//! (each metric against each factor with CI bands, a heat map for two
//! factors), the plan's choice and evidence, the sensitivity tornado.
//!
//! Like the run and comparison reports they carry their CSS inline,
//! draw charts as SVG, have no script and no URL, escape every piece of
//! user text, and contain no timestamps or wall-clock times, so the same
//! results give the same bytes.

use std::collections::BTreeMap;

use super::charts::{self, Dot, Line, Row, Scale};
use crate::decide::metrics::MetricKey;
use crate::decide::plan::{Answer, Plan, RunnerUp};
use crate::decide::points::Outcome;
use crate::decide::sensitivity::{Findings, Sensitivity};
use crate::decide::sweep::Sweep;
use crate::decide::values::{cell, numeric};
use crate::decide::verdict::{Bound, Constraint, Verdict};
use crate::experiment::estimate::Estimate;
use crate::report::format::value;
use crate::report::html::page::{self, Ids, Markup, html};
use crate::report::json::Manifest;
use crate::report::svg::Axis;
use crate::scenario::{Override, Scenario};

/// Extra rules for these pages.
const EXTRA: &str = ".chosen{border-top-color:#17572c}.verdict-feasible{color:#17572c;font-weight:600}.verdict-infeasible{color:#8a1f11;font-weight:600}.verdict-undecided{color:#7a5c00;font-weight:600}";

/// A page being written: its parts in order, built from the shared blocks
/// of [`page`] (which escape every piece of user text), with unique chart
/// ids.
#[derive(Default)]
struct Page {
    parts: Vec<Markup>,
    ids: Ids,
}

impl Page {
    fn id(&mut self) -> String {
        self.ids.fresh()
    }

    fn push(&mut self, part: Markup) {
        self.parts.push(part);
    }

    fn header(&mut self, kicker: &str, title: &str, desc: &str, meta: &str) {
        self.push(page::header(
            kicker,
            title,
            html! { p.desc { (desc) } p.meta { (meta) } },
        ));
    }

    fn h2(&mut self, title: &str, intro: &str) {
        self.push(page::section(title, intro));
    }

    fn figure(&mut self, title: &str, svg: String) {
        self.push(page::figure(title, svg, None));
    }

    fn notices(&mut self, items: &[String]) {
        self.push(page::notices(items));
    }

    /// A table of text cells; the first row is the header.
    fn table(&mut self, rows: &[Vec<String>], numeric_from: usize) {
        let head: Vec<&str> = rows
            .first()
            .map(|r| r.iter().map(String::as_str).collect())
            .unwrap_or_default();
        self.push(page::table(
            &head,
            rows.get(1..).unwrap_or_default(),
            numeric_from,
        ));
    }

    fn footer(&mut self, s: &Scenario, manifest: &Manifest, what: &str) {
        self.push(html! {
            footer {
                h2 { "About this report" }
                table.prov { tbody {
                    tr { th { "study file" } td { code { (what) } } }
                    tr { th { "scenario" } td { (s.name) " (" code { (s.source.display().to_string()) } ")" } }
                    tr { th { "scenario hash (SHA-256, with the study's overrides)" } td { code.hash { (manifest.scenario_hash) } } }
                    tr { th { "overrides of every point" } td { code { (s.overrides.join(" ")) } } }
                    tr { th { "seed" } td { (manifest.seed) } }
                } }
                p { "Made by portsim " (manifest.version) ". Every figure is a mean over independent replications with a 95% confidence interval (Student t) unless said otherwise; replication i of every point uses the same random streams (common random numbers)." }
            }
        });
    }

    /// The whole document.
    fn finish(self, title: &str) -> String {
        let parts = self.parts;
        page::document(title, EXTRA, html! { @for part in parts { (part) } })
    }
}

fn meta(s: &Scenario, manifest: &Manifest, extra: &str) -> String {
    format!(
        "{extra} · seed {} · portsim {} · scenario {}",
        manifest.seed,
        manifest.version,
        manifest.scenario_hash.get(..12).unwrap_or_default()
    ) + if s.overrides.is_empty() {
        ""
    } else {
        " · with overrides"
    }
}

/// The estimate's numbers divided by `d`.
fn scaled(e: &Estimate, d: f64) -> (f64, f64, f64) {
    let [lo, hi] = e.ci95.unwrap_or([e.mean, e.mean]);
    (e.mean / d, lo / d, hi / d)
}

// ------------------------------------------------------------------ sweep

/// The page of `portsim sweep`.
pub fn sweep(sw: &Sweep, outcome: &Outcome, manifest: &Manifest) -> String {
    let cur = sw.base.costs.currency.clone();
    let mut page = Page::default();
    let design = match sw.lhs {
        Some(n) => format!("Latin hypercube of {n} points"),
        None => format!("{} points", sw.points.len()),
    };
    page.header(
        "portsim sweep",
        &sw.base.name,
        &sw.base.description,
        &meta(
            &sw.base,
            manifest,
            &format!("{design} · {} replications each", sw.base.replications),
        ),
    );
    let mut notices = Vec::new();
    if !outcome.complete {
        notices.push("The sweep was interrupted: points not finished are left out.".to_owned());
    }
    let runaway = outcome
        .results
        .iter()
        .flatten()
        .filter(|s| !s.runaways.is_empty())
        .count();
    if runaway > 0 {
        notices.push(format!("{runaway} point(s) had replications stopped as runaways (demand beyond capacity); their metrics cover the run until then."));
    }
    page.notices(&notices);
    for key in &sw.metrics {
        page.h2(
            &key.label(),
            "Mean over replications at each point, with its 95% confidence interval; all points share their random numbers, so differences between neighbouring points are not luck.",
        );
        let mut figures = Vec::new();
        for (f, factor) in sw.factors.iter().enumerate() {
            let id = page.id();
            let svg = factor_chart(&id, sw, outcome, key, f, &cur);
            figures.push(page::figure(
                &format!("{} against {}", key.label(), factor.key),
                svg,
                None,
            ));
        }
        page.push(html! { div.grid2 { @for f in figures { (f) } } });
        if sw.factors.len() == 2 && sw.lhs.is_none() {
            let id = page.id();
            let svg = heat(&id, sw, outcome, key, &cur);
            page.figure(&format!("{}: both factors", key.label()), svg);
        }
    }
    page.h2("Every point", "");
    let mut header: Vec<String> = sw.factors.iter().map(|f| f.key.clone()).collect();
    header.extend(
        sw.metrics
            .iter()
            .map(|k| format!("{} (±95% CI)", k.label())),
    );
    let mut rows = vec![header];
    for (p, r) in sw.points.iter().zip(&outcome.results) {
        let mut row: Vec<String> = p.set.iter().map(|o| cell(o.value())).collect();
        for k in &sw.metrics {
            row.push(r.as_ref().map_or("not run".to_owned(), |s| {
                super::table::with_half_width(&s.estimate(k), k, &cur)
            }));
        }
        rows.push(row);
    }
    page.table(&rows, sw.factors.len());
    page.footer(
        &sw.base,
        manifest,
        &sw.study.file.path.display().to_string(),
    );
    page.finish(&format!("sweep: {}", sw.base.name))
}

/// A factor's values on an axis: numbers where they are numeric, else
/// their order.
fn positions(levels: &[Override]) -> (Vec<f64>, Option<Vec<(f64, String)>>) {
    let nums: Option<Vec<f64>> = levels.iter().map(|o| numeric(o.value())).collect();
    match nums {
        Some(v) => (v, None),
        None => {
            let ticks = levels
                .iter()
                .enumerate()
                .map(|(i, o)| (i as f64, cell(o.value())))
                .collect();
            ((0..levels.len()).map(|i| i as f64).collect(), Some(ticks))
        }
    }
}

fn factor_chart(
    id: &str,
    sw: &Sweep,
    outcome: &Outcome,
    key: &MetricKey,
    f: usize,
    cur: &str,
) -> String {
    let factor = &sw.factors[f];
    let (_, categorical) = positions(&factor.levels);
    let x_of = |o: &Override| -> f64 {
        match &categorical {
            None => numeric(o.value()).unwrap_or(0.0),
            Some(ticks) => ticks
                .iter()
                .position(|(_, t)| *t == cell(o.value()))
                .unwrap_or(0) as f64,
        }
    };
    let top = outcome
        .results
        .iter()
        .flatten()
        .map(|s| s.estimate(key).mean.abs())
        .fold(0.0, f64::max);
    let scale = Scale::of(key.unit(), top, &key.label(), cur);
    // Group points by the other factors' values.
    let mut groups: BTreeMap<Vec<String>, Vec<(f64, Estimate)>> = BTreeMap::new();
    for (p, r) in sw.points.iter().zip(&outcome.results) {
        let Some(s) = r else { continue };
        let others: Vec<String> = p
            .set
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != f)
            .map(|(_, o)| o.text().to_owned())
            .collect();
        groups
            .entry(others)
            .or_default()
            .push((x_of(&p.set[f]), s.estimate(key)));
    }
    let xs = groups.values().flatten().map(|(x, _)| *x);
    let whole = groups.values().flatten().all(|(x, _)| x.fract() == 0.0);
    let x_axis = match &categorical {
        Some(ticks) => Axis::new(
            factor.key.clone(),
            -0.5,
            ticks.len() as f64 - 0.5,
            ticks.clone(),
        ),
        None => charts::axis_of(&factor_title(&factor.key, &factor.levels), xs, false, whole),
    };
    let ys = groups.values().flatten().flat_map(|(_, e)| {
        let (m, lo, hi) = scaled(e, scale.divisor);
        [m, lo, hi]
    });
    let y_axis = charts::axis(&scale.title, ys, true);
    let as_lines = sw.lhs.is_none() && groups.len() <= 5;
    if as_lines {
        let series: Vec<Line> = groups
            .into_iter()
            .map(|(label, mut points)| {
                points.sort_by(|a, b| a.0.total_cmp(&b.0));
                Line {
                    label: label.join(", "),
                    points: points
                        .iter()
                        .map(|(x, e)| {
                            let (m, lo, hi) = scaled(e, scale.divisor);
                            (*x, m, lo, hi)
                        })
                        .collect(),
                }
            })
            .collect();
        charts::lines(id, &key.label(), x_axis, y_axis, &series)
    } else {
        let dots: Vec<Dot> = groups
            .values()
            .flatten()
            .map(|(x, e)| {
                let (m, lo, hi) = scaled(e, scale.divisor);
                Dot {
                    x: *x,
                    y: m,
                    whisker: Some((lo, hi)),
                    style: 0,
                    label: None,
                }
            })
            .collect();
        charts::dots(
            id,
            (&key.label(), charts::HALF),
            (x_axis, y_axis),
            &dots,
            None,
            &[],
        )
    }
}

/// An axis title for a factor: durations in seconds, rates per day.
fn factor_title(key: &str, levels: &[Override]) -> String {
    match levels.first().map(Override::value) {
        Some(toml::Value::String(s)) if s.contains('/') => format!("{key} (trucks/day)"),
        Some(toml::Value::String(_)) => format!("{key} (s)"),
        _ => key.to_owned(),
    }
}

fn heat(id: &str, sw: &Sweep, outcome: &Outcome, key: &MetricKey, cur: &str) -> String {
    let (a, b) = (&sw.factors[0], &sw.factors[1]);
    let columns: Vec<String> = a.levels.iter().map(|o| cell(o.value())).collect();
    let rows: Vec<String> = b.levels.iter().map(|o| cell(o.value())).collect();
    let mut values = vec![vec![None; columns.len()]; rows.len()];
    for (p, r) in sw.points.iter().zip(&outcome.results) {
        let (Some(s), [x, y, ..]) = (r, &p.set[..]) else {
            continue;
        };
        let c = columns.iter().position(|v| *v == cell(x.value()));
        let rr = rows.iter().position(|v| *v == cell(y.value()));
        if let (Some(c), Some(rr)) = (c, rr) {
            let e = s.estimate(key);
            values[rr][c] = (e.n > 0).then_some(e.mean);
        }
    }
    let unit = key.unit();
    let cur = cur.to_owned();
    charts::heatmap(
        id,
        &key.label(),
        (&a.key, &columns),
        (&b.key, &rows),
        &values,
        &move |v| value(v, unit, &cur),
    )
}

// ------------------------------------------------------------------- plan

/// A constraint in words: "p95 time in port ≤ 4.0 h".
fn constraint_words(c: &Constraint, currency: &str) -> String {
    let name = crate::experiment::labels::label(c.key.name());
    let name = match c.key.percentile() {
        Some(q) => format!("{} {name}", q.suffix()),
        None => name.to_owned(),
    };
    let (op, t) = match c.bound {
        Bound::Max(t) => ("≤", t),
        Bound::Min(t) => ("≥", t),
    };
    format!(
        "{name} {op} {}",
        crate::report::format::value(t, c.key.unit(), currency)
    )
}

/// A plan's settings in words ("lanes at joint inspection: 8"), with
/// their keys as written (`stages.joint-inspection.lanes=8`) in small
/// print below.
fn settings_card(words: &str, keys: &str) -> Markup {
    html! {
        div.big { (words) }
        div.keys { small { code { (keys) } } }
    }
}

/// The page of `portsim plan`.
pub fn plan(p: &Plan, a: &Answer, manifest: &Manifest) -> String {
    let cur = p.base.costs.currency.clone();
    let mut page = Page::default();
    let constraints: Vec<String> = p
        .constraints
        .iter()
        .map(|c| constraint_words(c, &cur))
        .collect();
    page.header(
        "portsim capacity plan",
        &p.base.name,
        &format!("Least total cost subject to {}", constraints.join(" and ")),
        &meta(
            &p.base,
            manifest,
            &format!(
                "{} candidates evaluated · {:.0}% confidence",
                a.candidates.len(),
                100.0 * p.confidence
            ),
        ),
    );
    let mut notices: Vec<String> = super::plan_notes(a);
    if !a.complete {
        notices.insert(
            0,
            "The search was interrupted: the answer is incomplete.".to_owned(),
        );
    }
    page.notices(&notices);
    let show = |set: &[Override]| {
        set.iter()
            .map(|o| o.text().to_owned())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let said = |set: &[Override]| {
        set.iter()
            .map(|o| {
                let (key, value) = o.text().split_once('=').unwrap_or((o.key(), ""));
                format!(
                    "{}: {}",
                    crate::experiment::labels::setting(key.trim()),
                    value.trim()
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let chosen = a.choice.and_then(|i| a.candidates.get(i));
    let runner = match &a.runner_up {
        Some(RunnerUp::Evaluated(i)) => a
            .candidates
            .get(*i)
            .map(|c| (said(&c.set), show(&c.set), c.cost, "evaluated: feasible")),
        Some(RunnerUp::Implied(v)) => Some((
            p.variables
                .iter()
                .zip(v)
                .map(|(var, x)| format!("{}: {x}", crate::experiment::labels::setting(&var.key)))
                .collect::<Vec<_>>()
                .join(", "),
            p.variables
                .iter()
                .zip(v)
                .map(|(var, x)| format!("{}={x}", var.key))
                .collect::<Vec<_>>()
                .join(", "),
            p.cost(v),
            "feasible by monotonicity (not run)",
        )),
        None => None,
    };
    let confidence = format!("{:.0}%", 100.0 * p.confidence);
    page.push(html! {
        div.cards {
            @match chosen {
                Some(c) => div.card.chosen {
                    div.k { "chosen plan" }
                    (settings_card(&said(&c.set), &show(&c.set)))
                    div.sub {
                        "cost " (super::table::cost_text(c.cost)) " · feasible at " (confidence) " confidence · "
                        @if a.least_cost_proven { "proven least-cost" } @else { "least cost not proven (see the notes)" }
                    }
                },
                None => div.card {
                    div.k { "chosen plan" }
                    div.big { "none" }
                    div.sub { "no candidate was declared feasible" }
                },
            }
            @if let Some((words, keys, cost, how)) = &runner {
                div.card {
                    div.k { "runner-up" }
                    (settings_card(words, keys))
                    div.sub { "cost " (super::table::cost_text(*cost)) " · " (how) }
                }
            }
        }
    });
    let looks = a
        .looks
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let left = format!("{:.0}%", 100.0 * (1.0 - p.confidence));
    page.push(html! {
        p.intro {
            "How the guarantee is kept: each candidate runs replications with common random numbers and is looked at after " (looks)
            " replications. At every look each undecided constraint is tested with one-sided Student-t bounds at error rate α = "
            (format!("{:.2e}", a.alpha)) ": the " (left) " left by the confidence split evenly over the " (a.max_evaluations)
            " candidates the search could evaluate, the " (p.constraints.len()) " constraint(s) and the " (a.looks.len())
            " looks. A candidate is feasible when every bound is on the right side of its threshold and infeasible as soon as one is on the wrong side, so the chance that any verdict here is wrong is at most "
            (left) ". More capacity is assumed never to hurt, which lets the search skip candidates below an infeasible one."
        }
    });
    for (j, c) in p.constraints.iter().enumerate() {
        let threshold = match c.bound {
            Bound::Max(t) | Bound::Min(t) => t,
        };
        // Candidates far beyond the threshold (an overloaded port) would
        // flatten the chart: they are drawn on its top edge, with their value.
        let ceiling = if threshold > 0.0 {
            3.0 * threshold
        } else {
            f64::INFINITY
        };
        let top = a
            .candidates
            .iter()
            .filter(|x| x.decisions[j].mean <= ceiling)
            .filter_map(|x| x.decisions[j].bounds.map(|b| b[1].abs()))
            .fold(threshold, f64::max)
            .min(ceiling);
        let scale = Scale::of(c.key.unit(), top, &c.key.label(), &cur);
        let one = p.variables.len() == 1;
        let x_title = if one {
            p.variables[0].key.clone()
        } else {
            "total cost".to_owned()
        };
        let dots: Vec<Dot> = a
            .candidates
            .iter()
            .map(|x| {
                let d = &x.decisions[j];
                // Coloured by this constraint's verdict, not the overall
                // one: a candidate infeasible on another constraint still
                // shows here as meeting this one.
                let style = match d.verdict {
                    Verdict::Satisfied => 2,
                    Verdict::Violated => 1,
                    Verdict::Undecided => 4,
                };
                let xv = if one { x.values[0] as f64 } else { x.cost };
                if d.mean > ceiling {
                    return Dot {
                        x: xv,
                        y: f64::INFINITY,
                        whisker: None,
                        style,
                        label: Some(format!("↑ {}", value(d.mean, c.key.unit(), &cur))),
                    };
                }
                Dot {
                    x: xv,
                    y: d.mean / scale.divisor,
                    whisker: d
                        .bounds
                        .map(|[lo, hi]| (lo / scale.divisor, hi / scale.divisor)),
                    style,
                    label: None,
                }
            })
            .collect();
        let threshold = threshold / scale.divisor;
        let (x_lo, x_hi) = dots
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), d| {
                (a.min(d.x), b.max(d.x))
            });
        let pad = ((x_hi - x_lo) * 0.05).max(0.5);
        let x_axis = charts::axis_of(&x_title, [x_lo - pad, x_hi + pad].into_iter(), false, one);
        let ys = dots
            .iter()
            .flat_map(|d| {
                [
                    d.y,
                    d.whisker.map_or(d.y, |w| w.0),
                    d.whisker.map_or(d.y, |w| w.1),
                ]
            })
            .chain([threshold * 1.15]);
        let y_axis = charts::axis(&scale.title, ys, true);
        let id = page.id();
        let legend = [
            (2, "meets this constraint".to_owned()),
            (1, "misses it".to_owned()),
            (4, "undecided".to_owned()),
        ];
        let svg = charts::dots(
            &id,
            (&c.text, charts::FULL),
            (x_axis, y_axis),
            &dots,
            Some((threshold, "threshold".to_owned())),
            &legend,
        );
        page.h2(
            &constraint_words(c, &cur),
            "Each candidate's mean with its decision bounds (at the per-test level α, so wider than a 95% interval), coloured by its verdict on this constraint alone; the dashed line is the threshold.",
        );
        page.figure(&c.text, svg);
    }
    page.h2("Evidence", "Every candidate evaluated, in the order the search tried them; means with 95% confidence intervals.");
    let mut header: Vec<String> = p.variables.iter().map(|v| v.key.clone()).collect();
    header.extend([
        "cost".to_owned(),
        "verdict".to_owned(),
        "replications".to_owned(),
    ]);
    header.extend(p.metrics.iter().map(|k| format!("{} (±95% CI)", k.label())));
    let mut rows = vec![header];
    for c in &a.candidates {
        let mut row: Vec<String> = c.values.iter().map(i64::to_string).collect();
        row.push(super::table::cost_text(c.cost));
        row.push(
            c.status.as_str().to_owned()
                + &c.note
                    .as_ref()
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default(),
        );
        row.push(c.replications.to_string());
        for (k, e) in &c.estimates {
            row.push(super::table::with_half_width(e, k, &cur));
        }
        rows.push(row);
    }
    page.table(&rows, p.variables.len());
    page.footer(&p.base, manifest, &p.study.file.path.display().to_string());
    page.finish(&format!("plan: {}", p.base.name))
}

// ------------------------------------------------------------ sensitivity

/// The page of `portsim sensitivity`.
pub fn sensitivity(s: &Sensitivity, f: Option<&Findings>, manifest: &Manifest) -> String {
    let cur = s.base.costs.currency.clone();
    let key = s.metric;
    let mut page = Page::default();
    let what = match &s.variant {
        Some((_, v)) => format!(
            "The change in {} from {} to {}",
            key.label(),
            s.base.name,
            v.name
        ),
        None => format!("{} of {}", key.label(), s.base.name),
    };
    page.header(
        "portsim sensitivity",
        &s.base.name,
        &what,
        &meta(
            &s.base,
            manifest,
            &format!("{} replications per setting", s.base.replications),
        ),
    );
    let Some(f) = f else {
        page.notices(&[
            "The study was interrupted before every setting finished: no result.".to_owned(),
        ]);
        return page.finish(&format!("sensitivity: {}", s.base.name));
    };
    let top = f
        .bars
        .iter()
        .flat_map(|b| [b.low.mean.abs(), b.high.mean.abs()])
        .fold(f.base.mean.abs(), f64::max);
    let scale = Scale::of(key.unit(), top, &what, &cur);
    let rows: Vec<Row> = f
        .bars
        .iter()
        .map(|b| {
            let p = &s.parameters[b.parameter];
            let d = scale.divisor;
            Row {
                label: p.key.clone(),
                low: (b.low.mean / d, b.low.ci95.map(|[l, h]| [l / d, h / d])),
                high: (b.high.mean / d, b.high.ci95.map(|[l, h]| [l / d, h / d])),
                noise: b.within_noise,
                ends: (cell(&p.low_value), cell(&p.high_value)),
            }
        })
        .collect();
    let values = rows.iter().flat_map(|r| {
        [
            r.low.0,
            r.high.0,
            r.low.1.map_or(r.low.0, |c| c[0]),
            r.low.1.map_or(r.low.0, |c| c[1]),
            r.high.1.map_or(r.high.0, |c| c[0]),
            r.high.1.map_or(r.high.0, |c| c[1]),
        ]
    });
    let axis = charts::axis(
        &scale.title,
        values.chain([f.base.mean / scale.divisor]),
        false,
    );
    page.h2(
        "What the result rests on",
        "Each parameter set to its low and its high value in turn, the others at base, with common random numbers. Bars run from the output at the low value to the output at the high value, widest on top, with 95% confidence intervals as whiskers. A swing whose paired interval includes zero cannot be told from the replication noise and is drawn grey and hatched.",
    );
    let id = page.id();
    let svg = charts::tornado(&id, &what, axis, f.base.mean / scale.divisor, &rows);
    page.figure("Tornado", svg);
    let mut table = vec![vec![
        "parameter".to_owned(),
        "low".to_owned(),
        "high".to_owned(),
        "at low".to_owned(),
        "at high".to_owned(),
        "swing, high − low (±95% CI)".to_owned(),
        "".to_owned(),
    ]];
    for b in &f.bars {
        let p = &s.parameters[b.parameter];
        table.push(vec![
            p.key.clone(),
            cell(&p.low_value),
            cell(&p.high_value),
            super::table::with_half_width(&b.low, &key, &cur),
            super::table::with_half_width(&b.high, &key, &cur),
            super::table::with_half_width(&b.change, &key, &cur),
            if b.within_noise {
                "within noise".to_owned()
            } else {
                String::new()
            },
        ]);
    }
    page.table(&table, 3);
    if let (Some(effects), Some(d)) = (&f.morris, &s.morris) {
        page.h2(
            "Morris screening",
            &format!(
                "{} trajectories over {} levels of each range, moving one parameter at a time by {:.2} of its range. μ* ranks influence (the mean absolute effect per full low-to-high range); a large σ means the effect depends on the other parameters (interaction or curvature).",
                d.trajectories(),
                d.levels(),
                d.delta()
            ),
        );
        let top = effects
            .iter()
            .map(|e| e.mu_star.max(e.sigma))
            .fold(0.0, f64::max);
        let sc = Scale::of(key.unit(), top, "", &cur);
        let dots: Vec<Dot> = effects
            .iter()
            .map(|e| Dot {
                x: e.mu_star / sc.divisor,
                y: e.sigma / sc.divisor,
                whisker: None,
                style: 0,
                label: Some(s.parameters[e.parameter].key.clone()),
            })
            .collect();
        let x_axis = charts::axis(&format!("μ*{}", sc.title), dots.iter().map(|d| d.x), true);
        let y_axis = charts::axis(&format!("σ{}", sc.title), dots.iter().map(|d| d.y), true);
        let id = page.id();
        page.figure(
            "μ* against σ",
            charts::dots(
                &id,
                ("Morris screening", charts::FULL),
                (x_axis, y_axis),
                &dots,
                None,
                &[],
            ),
        );
        let mut rows = vec![vec![
            "parameter".to_owned(),
            "μ*".to_owned(),
            "μ".to_owned(),
            "σ".to_owned(),
        ]];
        for e in effects {
            rows.push(vec![
                s.parameters[e.parameter].key.clone(),
                value(e.mu_star, key.unit(), &cur),
                value(e.mu, key.unit(), &cur),
                value(e.sigma, key.unit(), &cur),
            ]);
        }
        page.table(&rows, 1);
    }
    page.footer(&s.base, manifest, &s.study.file.path.display().to_string());
    page.finish(&format!("sensitivity: {}", s.base.name))
}
