//! Terminal tables of decision studies.

use std::fmt::Write;

use crate::decide::metrics::MetricKey;
use crate::decide::plan::{Answer, Candidate, Plan, RunnerUp};
use crate::decide::points::Outcome;
use crate::decide::precision;
use crate::decide::samples::Samples;
use crate::decide::sensitivity::{Findings, Sensitivity};
use crate::decide::sweep::Sweep;
use crate::decide::values::cell;
use crate::experiment::estimate::Estimate;
use crate::report::format::{number, value};

/// The lines `run --precision` adds under the run's table.
pub fn precision(r: &precision::Report, currency: &str) -> String {
    let mut out = String::new();
    let pct = |x: f64| format!("{:.2}%", 100.0 * x);
    let _ = writeln!(
        out,
        "\nprecision: {} after {} replications (target ±{} of the mean, cap {}; rounds {})",
        if r.reached { "reached" } else { "NOT reached" },
        r.replications,
        pct(r.target.fraction()),
        r.cap,
        r.rounds
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(" → ")
    );
    for m in &r.metrics {
        let half = m
            .estimate
            .half_width()
            .map_or("no interval".to_owned(), |h| {
                format!("±{}", value(h, m.key.unit(), currency))
            });
        let rel = m
            .relative
            .map_or(String::new(), |x| format!(" ({})", pct(x)));
        let _ = writeln!(
            out,
            "  {:<26} {:>12}{:<10} allowed ±{:<12} {}",
            m.key.label(),
            half,
            rel,
            value(m.allowed, m.key.unit(), currency),
            if m.met { "met" } else { "not met" }
        );
    }
    out
}

/// A plan's cost: whole numbers without decimals.
pub fn cost_text(x: f64) -> String {
    if x.fract() == 0.0 {
        number(x, 0)
    } else {
        number(x, 2)
    }
}

/// "4.0 h ±0.2 h": a mean and its half-width in the metric's unit.
pub fn with_half_width(e: &Estimate, key: &MetricKey, currency: &str) -> String {
    if e.n == 0 {
        return "n/a".to_owned();
    }
    let mean = value(e.mean, key.unit(), currency);
    match e.half_width() {
        Some(h) => format!("{mean} ±{}", value(h, key.unit(), currency)),
        None => mean,
    }
}

/// Lays out rows of cells in columns (left-aligned first `left` columns).
pub fn columns(rows: &[Vec<String>], left: usize) -> String {
    let widths: Vec<usize> = (0..rows.first().map_or(0, Vec::len))
        .map(|c| {
            rows.iter()
                .map(|r| r.get(c).map_or(0, |x| x.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        out.push(' ');
        for (c, text) in row.iter().enumerate() {
            let pad = widths[c].saturating_sub(text.chars().count());
            if c < left {
                let _ = write!(out, " {text}{}", " ".repeat(pad));
            } else {
                let _ = write!(out, "  {}{text}", " ".repeat(pad));
            }
        }
        out = out.trim_end().to_owned();
        out.push('\n');
    }
    out
}

fn metric_cells(s: Option<&Samples>, keys: &[MetricKey], currency: &str) -> Vec<String> {
    keys.iter()
        .map(|k| match s {
            Some(s) => with_half_width(&s.estimate(k), k, currency),
            None => "not run".to_owned(),
        })
        .collect()
}

/// The table of `portsim sweep`.
pub fn sweep(sw: &Sweep, outcome: &Outcome) -> String {
    let cur = &sw.base.costs.currency;
    let mut out = String::new();
    let design = match sw.lhs {
        Some(n) => format!("a Latin hypercube of {n} points"),
        None => format!("{} points", sw.points.len()),
    };
    let _ = writeln!(
        out,
        "sweep of {} ({}): {design}, {} replications each, seed {}, common random numbers\n",
        sw.base.name,
        sw.study.scenario.display(),
        sw.base.replications,
        sw.base.seed
    );
    let mut header: Vec<String> = sw.factors.iter().map(|f| f.key.clone()).collect();
    header.extend(
        sw.metrics
            .iter()
            .map(|k| format!("{} (±95% CI)", k.label())),
    );
    let mut rows = vec![header];
    for (p, r) in sw.points.iter().zip(&outcome.results) {
        let mut row: Vec<String> = p.set.iter().map(|o| cell(o.value())).collect();
        row.extend(metric_cells(r.as_ref(), &sw.metrics, cur));
        rows.push(row);
    }
    out.push_str(&columns(&rows, sw.factors.len()));
    let runaway: usize = outcome
        .results
        .iter()
        .flatten()
        .filter(|s| !s.runaways.is_empty())
        .count();
    if runaway > 0 {
        let _ = writeln!(
            out,
            "\nnote: {runaway} point(s) had replications stopped as runaways (demand beyond capacity); their metrics cover the run until then"
        );
    }
    out
}

/// The summary and evidence table of `portsim plan`.
pub fn plan(p: &Plan, a: &Answer) -> String {
    let cur = &p.base.costs.currency;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "plan for {} ({}): least total cost subject to",
        p.base.name,
        p.study.scenario.display()
    );
    for c in &p.constraints {
        let tol = if c.tolerance > 0.0 {
            format!(
                " (indifferent within {})",
                value(c.tolerance, c.key.unit(), cur)
            )
        } else {
            String::new()
        };
        let _ = writeln!(out, "  {}{tol}", c.text);
    }
    let _ = writeln!(
        out,
        "at {:.0}% confidence for the whole answer: each test at α = {:.2e} ({:.2} split over {} candidates × {} constraint(s) × {} looks at {} replications)\n",
        100.0 * p.confidence,
        a.alpha,
        1.0 - p.confidence,
        a.max_evaluations,
        p.constraints.len(),
        a.looks.len(),
        a.looks
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    );
    let show = |c: &Candidate| {
        c.set
            .iter()
            .map(|o| o.text().to_owned())
            .collect::<Vec<_>>()
            .join(" ")
    };
    match a.choice.and_then(|i| a.candidates.get(i)) {
        Some(c) => {
            let _ = writeln!(
                out,
                "chosen:    {}  cost {}  ({})",
                show(c),
                cost_text(c.cost),
                if a.least_cost_proven {
                    "proven least-cost"
                } else {
                    "least-cost not proven, see notes"
                }
            );
        }
        None => {
            let _ = writeln!(out, "chosen:    none: no candidate was declared feasible");
        }
    }
    match &a.runner_up {
        Some(RunnerUp::Evaluated(i)) => {
            if let Some(c) = a.candidates.get(*i) {
                let _ = writeln!(
                    out,
                    "runner-up: {}  cost {}  (feasible, evaluated)",
                    show(c),
                    cost_text(c.cost)
                );
            }
        }
        Some(RunnerUp::Implied(v)) => {
            let text: Vec<String> = p
                .variables
                .iter()
                .zip(v)
                .map(|(var, x)| format!("{}={x}", var.key))
                .collect();
            let _ = writeln!(
                out,
                "runner-up: {}  cost {}  (feasible by monotonicity, not run)",
                text.join(" "),
                cost_text(p.cost(v))
            );
        }
        None => {
            let _ = writeln!(out, "runner-up: none");
        }
    }
    let _ = writeln!(
        out,
        "\nevidence, in the order evaluated (mean ±95% CI; decision bounds at α):"
    );
    let mut header: Vec<String> = p.variables.iter().map(|v| v.key.clone()).collect();
    header.extend([
        "cost".to_owned(),
        "verdict".to_owned(),
        "replications".to_owned(),
    ]);
    header.extend(p.constraints.iter().map(|c| c.text.clone()));
    let mut rows = vec![header];
    for c in &a.candidates {
        let mut row: Vec<String> = c.values.iter().map(i64::to_string).collect();
        row.push(cost_text(c.cost));
        row.push(c.status.as_str().to_owned());
        row.push(c.replications.to_string());
        for (k, d) in p.constraints.iter().zip(&c.decisions) {
            let e = c
                .estimates
                .iter()
                .find(|(m, _)| *m == k.key)
                .map(|(_, e)| *e)
                .unwrap_or(Estimate {
                    mean: f64::NAN,
                    ci95: None,
                    n: 0,
                });
            let bounds = d.bounds.map_or(String::new(), |[lo, hi]| {
                format!(
                    " [{}, {}]",
                    value(lo, k.key.unit(), cur),
                    value(hi, k.key.unit(), cur)
                )
            });
            row.push(format!("{}{bounds}", with_half_width(&e, &k.key, cur)));
        }
        rows.push(row);
    }
    out.push_str(&columns(&rows, 0));
    let notes = super::plan_notes(a);
    if !notes.is_empty() || a.candidates.iter().any(|c| c.note.is_some()) {
        let _ = writeln!(out, "\nnotes:");
        for c in a.candidates.iter().filter(|c| c.note.is_some()) {
            let _ = writeln!(
                out,
                "  {}: {}",
                show(c),
                c.note.as_deref().unwrap_or_default()
            );
        }
        for n in &notes {
            let _ = writeln!(out, "  {n}");
        }
    }
    out
}

/// The tornado as a table, and the Morris ranking.
pub fn sensitivity(s: &Sensitivity, f: Option<&Findings>) -> String {
    let cur = &s.base.costs.currency;
    let key = &s.metric;
    let mut out = String::new();
    let what = match &s.variant {
        Some((_, v)) => format!(
            "the change in {} from {} to {}",
            key.label(),
            s.base.name,
            v.name
        ),
        None => format!("{} of {}", key.label(), s.base.name),
    };
    let _ = writeln!(
        out,
        "sensitivity of {what}: {} replications per setting, seed {}, common random numbers",
        s.base.replications, s.base.seed
    );
    let Some(f) = f else {
        out.push_str("not every setting finished: no result\n");
        return out;
    };
    let _ = writeln!(out, "at base: {}\n", with_half_width(&f.base, key, cur));
    let mut rows = vec![vec![
        "parameter".to_owned(),
        "low".to_owned(),
        "high".to_owned(),
        "output at low".to_owned(),
        "output at high".to_owned(),
        "swing (high − low, ±95% CI)".to_owned(),
        String::new(),
    ]];
    for b in &f.bars {
        let p = &s.parameters[b.parameter];
        rows.push(vec![
            p.key.clone(),
            cell(&p.low_value),
            cell(&p.high_value),
            with_half_width(&b.low, key, cur),
            with_half_width(&b.high, key, cur),
            with_half_width(&b.change, key, cur),
            if b.within_noise {
                "within noise".to_owned()
            } else {
                String::new()
            },
        ]);
    }
    out.push_str(&columns(&rows, 3));
    if let (Some(effects), Some(d)) = (&f.morris, &s.morris) {
        let _ = writeln!(
            out,
            "\nMorris screening: {} trajectories, {} levels, step {:.3} of each range; effects per full low-to-high range",
            d.trajectories(),
            d.levels(),
            d.delta()
        );
        let mut rows = vec![vec![
            "parameter".to_owned(),
            "μ* (mean |effect|)".to_owned(),
            "μ".to_owned(),
            "σ".to_owned(),
        ]];
        for e in effects {
            rows.push(vec![
                s.parameters[e.parameter].key.clone(),
                value(e.mu_star, key.unit(), cur),
                value(e.mu, key.unit(), cur),
                value(e.sigma, key.unit(), cur),
            ]);
        }
        out.push_str(&columns(&rows, 1));
    }
    out
}
